"""Umpan balik: the survey (/survei/<token>), complaints (/pengaduan…), officer views (/petugas/survei,
/petugas/pengaduan) and the public performance pages (/kinerja…). Thin views: parse, call one use case, choose the
response. Survey and complaint pages are personal (no-store); only /kinerja pages are @public_page.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ..backoffice.scope import current_scope, staff_required
from ..device_drafts.device import messages as device_draft_messages
from . import periods, surveys
from .questions import AGE_BANDS, EDUCATION, OCCUPATIONS, QUESTIONS, SEXES, SUGGESTION_MAX_LENGTH

bp = Blueprint("feedback", __name__)


def _user():
    return current_user._get_current_object()


# --- the survey ------------------------------------------------------------------------------------------------------

# What the offline queue says on this page (it speaks of "applications" elsewhere).
SURVEY_QUEUE_MESSAGES = {
    "sent": _l("Your survey answers have been sent. Thank you."),
    "sentLink": _l("See the confirmation"),
    "rejected": _l("Your answers have not been sent: some need checking."),
    "openOnline": _l("Open the survey"),
    "queued": _l("No connection. Your answers are kept on this phone and sent automatically when it is back."),
    "signinSubmit": _l("Your session has ended. Sign in again to send your answers; they are kept on this phone."),
}


def _survey_page(invitation, *, values=None, errors=None, status=200):
    messages = device_draft_messages() | {key: str(text) for key, text in SURVEY_QUEUE_MESSAGES.items()}
    return (
        render_template(
            "feedback/survey.html",
            invitation=invitation,
            questions=QUESTIONS,
            values=values or {},
            errors=errors or {},
            profile_fields=[
                ("age_band", _l("Age"), AGE_BANDS),
                ("sex", _l("Sex"), SEXES),
                ("education", _l("Education"), EDUCATION),
                ("occupation", _l("Occupation"), OCCUPATIONS),
            ],
            suggestion_max=SUGGESTION_MAX_LENGTH,
            queue_messages=messages,
        ),
        status,
    )


@bp.get("/survei/<token>")
@login_required
def survey(token: str):
    invitation = surveys.invitation_for(token, _user())
    if invitation is None:
        abort(404)
    if surveys.is_answered(invitation):
        return render_template("feedback/survey_done.html", invitation=invitation)
    return _survey_page(invitation)


@bp.post("/survei/<token>")
@login_required
def survey_submit(token: str):
    invitation = surveys.invitation_for(token, _user())
    if invitation is None:
        abort(404)
    answers, errors = surveys.parse_answers(request.form)
    if errors and not surveys.is_answered(invitation):
        return _survey_page(invitation, values=request.form, errors=errors, status=200)
    if not errors:
        surveys.submit_response(invitation, answers)
    # Stored now, or already stored by an earlier send (a double tap, the offline queue replaying): same page.
    return redirect(url_for("feedback.survey", token=token), code=303)


@bp.get("/petugas/survei")
@staff_required()
def staff_surveys():
    scope = current_scope()
    period = periods.parse(request.args.get("periode"))
    data = surveys.scoped_results(scope, period)
    return render_template("feedback/staff_surveys.html", data=data, period=period, choices=periods.recent_choices())


# --- template helpers --------------------------------------------------------------------------------------------------

GRADE_LABELS = {"A": _l("Very good"), "B": _l("Good"), "C": _l("Less good"), "D": _l("Not good")}


@bp.app_template_filter("ikm_number")
def _ikm_number(value, places: int = 2) -> str:
    """A score in the reader's locale (91,48 in Indonesian), from an exact Fraction, Decimal or float."""
    from decimal import ROUND_HALF_UP, Decimal
    from fractions import Fraction

    from flask_babel import format_decimal

    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    quantum = Decimal(1).scaleb(-places)
    value = Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)
    return format_decimal(value, format="#,##0." + "0" * places if places else "#,##0")


@bp.app_template_global("grade_label")
def _grade_label(letter: str) -> str:
    return str(GRADE_LABELS.get(letter, ""))
