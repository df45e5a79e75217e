"""Umpan balik: the survey (/survei/<token>), complaints (/pengaduan…), officer views (/petugas/survei,
/petugas/pengaduan) and the public performance pages (/kinerja…). Thin views: parse, call one use case, choose the
response. Survey and complaint pages are personal (no-store); only /kinerja pages are @public_page.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ..accounts.models import Role
from ..backoffice.scope import current_scope, staff_required
from ..catalog.models import Mpp
from ..device_drafts.device import messages as device_draft_messages
from ..downloads import attachment
from ..extensions import db, limiter
from ..pagecache import cached_page
from ..pagination import page_number
from ..routing import MAX_ID
from ..security import public_page
from . import complaint_flow as flow
from . import complaints, performance, periods, surveys, unsur
from .models import ComplaintStatus
from .questions import AGE_BANDS, EDUCATION, OCCUPATIONS, SEXES, SUGGESTION_MAX_LENGTH

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
            questions=unsur.for_mpp(invitation.mpp_id).questions,
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
    answers, errors = surveys.parse_answers(request.form, unsur.for_mpp(invitation.mpp_id).questions)
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
    return render_template(
        "feedback/staff_surveys.html",
        data=data,
        suggestions=surveys.suggestions_page(scope, period, page=page_number(request.args)),
        period=period,
        choices=periods.recent_choices(),
        pooled=scope.national or len(scope.mpp_ids) > 1,
        settings_mpps=unsur.mpps_for(scope),
    )


def _unsur_mpp(scope):
    """The MPP whose unsur are edited: ?mpp=<id> among those this admin administers (the first by default)."""
    mpps = unsur.mpps_for(scope)
    raw = request.values.get("mpp") or ""
    chosen = next((m for m in mpps if raw.isdigit() and m.id == int(raw)), None)
    return (chosen or (mpps[0] if mpps else None)), mpps


def _unsur_page(mpp, mpps, form, errors=None, status=200):
    return (
        render_template(
            "feedback/staff_unsur.html",
            mpp=mpp,
            mpps=mpps,
            form=form,
            errors=errors or {},
            questions=QUESTIONS_WITH_CODES,
            extra_codes=unsur.EXTRA_CODES,
            settings=unsur.for_mpp(mpp.id),
            name_max=unsur.NAME_MAX,
            question_max=unsur.QUESTION_MAX,
        ),
        status,
    )


@bp.get("/petugas/survei/unsur")
@staff_required(Role.MPP_ADMIN, Role.NATIONAL_ADMIN)
def staff_unsur():
    mpp, mpps = _unsur_mpp(current_scope())
    if mpp is None:
        abort(404)
    return _unsur_page(mpp, mpps, unsur.UnsurForm.of(unsur.for_mpp(mpp.id)))


@bp.post("/petugas/survei/unsur")
@staff_required(Role.MPP_ADMIN, Role.NATIONAL_ADMIN)
def staff_unsur_save():
    mpp, mpps = _unsur_mpp(current_scope())
    if mpp is None:
        abort(404)
    form = unsur.UnsurForm.from_request(request.form)
    errors = unsur.save(mpp.id, form, _user())
    if errors:
        return _unsur_page(mpp, mpps, form, errors)
    flash(_("The survey elements and weights of %(mpp)s are saved.", mpp=mpp.name), "success")
    return redirect(url_for("feedback.staff_unsur", mpp=mpp.id), code=303)


QUESTIONS_WITH_CODES = unsur.REGULATION.questions

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


# --- complaints: the complainant ---------------------------------------------------------------------------------------

ACCESS_KEY = "complaint_access"  # numbers this browser session proved it holds the secret code of
SECRET_ONCE_KEY = "complaint_secret_once"  # noqa: S105 (a session key name, not a secret)


def _signed_in_user():
    return _user() if current_user.is_authenticated else None


def _holds_code(number: str) -> bool:
    return number in session.get(ACCESS_KEY, [])


def _grant(number: str) -> None:
    granted = [n for n in session.get(ACCESS_KEY, []) if n != number][-9:]
    session[ACCESS_KEY] = [*granted, number]


def _complainant_party(complaint):
    return flow.party_of(complaint, _signed_in_user(), holds_code=_holds_code(complaint.number))


def _complaint_context() -> dict:
    return {
        "status_label": flow.status_label,
        "kind_labels": complaints.KIND_LABELS,
        "action_labels": flow.ACTION_LABELS,
    }


@bp.get("/pengaduan")
def complaints_page():
    user = _signed_in_user()
    mine = complaints.my_complaints(user, page=page_number(request.args)) if user else None
    return render_template("feedback/complaints.html", mine=mine, **_complaint_context())


COMPLAINT_QUEUE_MESSAGES = {
    "sent": _l("Your report has been sent."),
    "sentLink": _l("See the report"),
    "rejected": _l("Your report has not been sent: some answers need checking."),
    "openOnline": _l("Open the form"),
    "queued": _l("No connection. Your report is kept on this phone and sent automatically when it is back."),
    "signinSubmit": _l("Your session has ended. Sign in again to send your report; it is kept on this phone."),
}


def _new_form(form, errors=None, status=200):
    user = _signed_in_user()
    if user is not None and not form.idempotency_key:
        import uuid

        form.idempotency_key = str(uuid.uuid4())
    return (
        render_template(
            "feedback/complaint_new.html",
            queue_messages=device_draft_messages() | {k: str(v) for k, v in COMPLAINT_QUEUE_MESSAGES.items()},
            form=form,
            errors=errors or {},
            kinds=complaints.KIND_LABELS,
            identities=complaints.IDENTITY_CHOICES if user else complaints.IDENTITY_CHOICES[2:],
            mpps=db.session.scalars(db.select(Mpp).order_by(Mpp.name)).all(),
            agencies=db.session.scalars(db.select(complaints.Agency).order_by(complaints.Agency.name)).all(),
            applications=complaints.my_applications(user),
            bookings=complaints.my_bookings(user),
            max_attachments=complaints.MAX_ATTACHMENTS,
        ),
        status,
    )


@bp.get("/pengaduan/baru")
def complaint_new():
    form = complaints.ComplaintForm(
        identity="biasa" if current_user.is_authenticated else "anonim",
        application_number=(request.args.get("permohonan") or "")[:30],
        booking_code=(request.args.get("kunjungan") or "")[:20],
        mpp_slug=(request.args.get("mpp") or "")[:120],
    )
    return _new_form(form)


@bp.post("/pengaduan/baru")
@limiter.limit("10 per hour", methods=["POST"])
def complaint_create():
    form = complaints.ComplaintForm.from_request(request.form, request.files)
    filed, errors = complaints.file_complaint(form, _signed_in_user())
    if errors:
        return _new_form(form, errors)
    number = filed.complaint.number
    if filed.secret:
        _grant(number)
        session[SECRET_ONCE_KEY] = {"number": number, "code": filed.secret}
    flash(_("Your report was received with number %(number)s.", number=number), "success")
    return redirect(url_for("feedback.complaint", number=number), code=303)


def _render_complaint(complaint, *, errors=None, status=200):
    party = _complainant_party(complaint)
    secret = session.pop(SECRET_ONCE_KEY, None)
    if secret and secret.get("number") != complaint.number:
        secret = None
    return (
        render_template(
            "feedback/complaint.html",
            complaint=complaint,
            secret=secret["code"] if secret else None,
            can_close=flow.refusal(complaint, ComplaintStatus.CLOSED, party=party) is None,
            can_reopen=flow.refusal(complaint, ComplaintStatus.FOLLOWED_UP, party=party, reason="-") is None,
            can_rate=complaint.status in (ComplaintStatus.ANSWERED, ComplaintStatus.CLOSED),
            errors=errors or {},
            **_complaint_context(),
        ),
        status,
    )


def _complaint_for_complainant(number: str):
    complaint = complaints.find(number)
    if complaint is None or _complainant_party(complaint) is None:
        return None
    return complaint


@bp.get("/pengaduan/<number>")
def complaint(number: str):
    found = _complaint_for_complainant(number)
    if found is None:
        # Unknown, someone else's, or anonymous without the code yet: the same page for all three, so the page
        # never confirms that a number exists.
        return render_template("feedback/complaint_code.html", number=complaints.normalize_number(number), error=None)
    return _render_complaint(found)


@bp.post("/pengaduan/<number>/kode")
@limiter.limit("10 per 15 minutes", methods=["POST"])
def complaint_code(number: str):
    found = complaints.find(number)
    if found is None or not complaints.code_matches(found, request.form.get("kode")):
        return (
            render_template(
                "feedback/complaint_code.html",
                number=complaints.normalize_number(number),
                error=_("The number or the secret code is not right. Check both and try again."),
            ),
            200,
        )
    _grant(found.number)
    return redirect(url_for("feedback.complaint", number=found.number), code=303)


@bp.post("/pengaduan/lacak")
def complaint_track():
    number = complaints.normalize_number(request.form.get("nomor"))
    if number is None:
        flash(_("Enter a complaint number like ADU-7K3M-9QX2."), "error")
        return redirect(url_for("feedback.complaints_page"), code=303)
    return redirect(url_for("feedback.complaint", number=number), code=303)


@bp.post("/pengaduan/<number>/tanggapan")
def complaint_respond(number: str):
    found = _complaint_for_complainant(number)
    if found is None:
        abort(404)
    target = ComplaintStatus.CLOSED if request.form.get("aksi") == "selesai" else ComplaintStatus.FOLLOWED_UP
    actor = flow.Actor(flow.Party.COMPLAINANT, _signed_in_user() if not found.anonymous else None)
    try:
        complaints.act(found, target, actor=actor, reason=request.form.get("alasan"))
    except (flow.TransitionRefused, flow.TransitionConflict) as refused:
        db.session.rollback()
        return _render_complaint(found, errors={"alasan": str(refused.message)})
    if target == ComplaintStatus.CLOSED:
        flash(_("Thank you. The complaint is closed."), "success")
    else:
        flash(_("The complaint was reopened and goes back to the agency."), "success")
    return redirect(url_for("feedback.complaint", number=found.number), code=303)


@bp.post("/pengaduan/<number>/nilai")
def complaint_rate(number: str):
    found = _complaint_for_complainant(number)
    if found is None:
        abort(404)
    raw = request.form.get("nilai") or ""
    if not (raw.isdigit() and complaints.rate(found, int(raw))):
        return _render_complaint(found, errors={"nilai": _("Choose a rating from 1 to 5.")})
    flash(_("Thank you for rating the answer."), "success")
    return redirect(url_for("feedback.complaint", number=found.number), code=303)


def _send_attachment(found, attachment_id):
    item = next((a for a in found.attachments if a.id == attachment_id), None)
    if item is None:
        abort(404)
    extension = item.storage_name.rsplit(".", 1)[-1]
    return attachment(
        lambda: complaints.open_attachment(item),
        mimetype=item.content_type,
        filename=f"{found.number}-lampiran-{item.id}.{extension}",
    )


@bp.get("/pengaduan/<number>/lampiran/<int:attachment_id>")
def complaint_attachment(number: str, attachment_id: int):
    found = _complaint_for_complainant(number)
    if found is None:
        abort(404)
    return _send_attachment(found, attachment_id)


# --- complaints: the back office ---------------------------------------------------------------------------------------


@bp.get("/petugas/pengaduan")
@staff_required()
def staff_complaints():
    scope = current_scope()
    status = request.args.get("status") or ""
    rows = complaints.staff_list(scope, status=status, page=page_number(request.args))
    today = periods.today_local()
    return render_template(
        "feedback/staff_complaints.html",
        rows=rows,
        status=status,
        statuses=list(ComplaintStatus),
        overdue={c.id for c in rows if flow.is_overdue(c, flow.today_at(c))},
        overdue_count=complaints.overdue_count(scope, status=status),
        today=today,
        **_complaint_context(),
    )


def _form_id(name: str) -> int | None:
    raw = request.form.get(name) or ""
    return int(raw) if raw.isdigit() and int(raw) <= MAX_ID else None


def _staff_party(found):
    return flow.party_of(found, _user(), scope=current_scope())


def _render_staff_complaint(found, *, error=None, values=None, status=200):
    scope = current_scope()
    party = _staff_party(found)
    return (
        render_template(
            "feedback/staff_complaint.html",
            complaint=found,
            party=party,
            moves=flow.allowed_moves(found, party),
            sees_identity=complaints.sees_identity(scope, found),
            agencies=complaints.agencies_at(found.mpp_id) if party == flow.Party.ADMIN else [],
            overdue=flow.is_overdue(found, flow.today_at(found)),
            error=error,
            values=values or {},
            **_complaint_context(),
        ),
        status,
    )


@bp.get("/petugas/pengaduan/<number>")
@staff_required()
def staff_complaint(number: str):
    found = complaints.staff_find(current_scope(), number)
    if found is None:
        abort(404)
    return _render_staff_complaint(found)


@bp.post("/petugas/pengaduan/<number>")
@staff_required()
def staff_complaint_act(number: str):
    found = complaints.staff_find(current_scope(), number)
    if found is None:
        abort(404)
    raw_to = request.form.get("ke") or ""
    version = request.form.get("versi") or ""
    try:
        to_status = ComplaintStatus(raw_to)
    except ValueError:
        return _render_staff_complaint(found, error=_("Choose one of the steps shown."), values=request.form)
    actor = flow.Actor(_staff_party(found) or "", _user())
    try:
        complaints.act(
            found,
            to_status,
            actor=actor,
            reason=request.form.get("alasan"),
            agency_id=_form_id("instansi"),
            expected_version=int(version) if version.isdigit() and len(version) < 10 else -1,
        )
    except (flow.TransitionRefused, flow.TransitionConflict) as refused:
        db.session.rollback()
        found = complaints.staff_find(current_scope(), number)
        return _render_staff_complaint(found, error=str(refused.message), values=request.form)
    flash(_("Saved: %(state)s.", state=flow.status_label(to_status)), "success")
    if complaints.staff_find(current_scope(), number) is None:  # forwarded away from this officer's sight
        return redirect(url_for("feedback.staff_complaints"), code=303)
    return redirect(url_for("feedback.staff_complaint", number=found.number), code=303)


@bp.get("/petugas/pengaduan/<number>/lampiran/<int:attachment_id>")
@staff_required()
def staff_complaint_attachment(number: str, attachment_id: int):
    found = complaints.staff_find(current_scope(), number)
    if found is None:
        abort(404)
    return _send_attachment(found, attachment_id)


@bp.get("/petugas/pengaduan/ekspor")
@staff_required()
def staff_complaints_export():
    rows = complaints.export_rows(current_scope())
    if request.args.get("bentuk") == "json":
        body, mimetype, extension = complaints.export_json(rows), "application/json", "json"
    else:
        body, mimetype, extension = complaints.export_csv(rows), "text/csv", "csv"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f"attachment; filename=pengaduan-lapor.{extension}"
    response.headers["Cache-Control"] = "no-store"
    return response


# --- kinerja: public performance pages ---------------------------------------------------------------------------------


def _period_arg():
    return periods.parse(request.args.get("periode"))


def _csv_response(rows, filename: str) -> Response:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=performance.CSV_FIELDS)
    writer.writeheader()
    writer.writerows(performance.csv_rows(rows))
    response = Response(buffer.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f"attachment; filename={filename}"
    return response


@bp.get("/kinerja")
@public_page
@cached_page  # the figures may be a minute old; the page is the same for everyone
def performance_page():
    period = _period_arg()
    rows = performance.table(period, by="mpp")
    return render_template(
        "feedback/performance.html", period=period, rows=rows, choices=periods.recent_choices(), mpp=None
    )


@bp.get("/kinerja/unduh")
@public_page
def performance_csv():
    period = _period_arg()
    return _csv_response(performance.table(period, by="mpp"), f"kinerja-mpp-{period.code}.csv")


def _mpp_or_404(slug: str) -> Mpp:
    mpp = db.session.scalar(db.select(Mpp).where(Mpp.slug == slug[:120]))
    if mpp is None:
        abort(404)
    return mpp


@bp.get("/kinerja/mpp/<slug>")
@public_page
@cached_page  # the figures may be a minute old; the page is the same for everyone
def performance_mpp(slug: str):
    mpp = _mpp_or_404(slug)
    period = _period_arg()
    tables = performance.tables(period, ("mpp", "agency", "service"), mpp_id=mpp.id)
    return render_template(
        "feedback/performance_mpp.html",
        period=period,
        mpp=mpp,
        choices=periods.recent_choices(),
        totals=tables["mpp"],
        agencies=tables["agency"],
        services=tables["service"],
        trend=performance.monthly_trend(mpp.id, period),
    )


@bp.get("/kinerja/mpp/<slug>/unduh")
@public_page
def performance_mpp_csv(slug: str):
    mpp = _mpp_or_404(slug)
    period = _period_arg()
    by = "service" if request.args.get("tabel") == "layanan" else "agency"
    name = "layanan" if by == "service" else "instansi"
    rows = performance.table(period, by=by, mpp_id=mpp.id)
    return _csv_response(rows, f"kinerja-{mpp.slug}-{name}-{period.code}.csv")


@bp.app_template_filter("suppressed")
def _suppressed(count) -> str:
    return performance.shown_count(count)


@bp.app_template_filter("ikm_chart_item")
def _ikm_chart_item(row):
    return (row.label, float(row.ikm.score), f"{_ikm_number(row.ikm.score_shown)} ({row.ikm.grade})")


@bp.app_template_filter("trend_chart_item")
def _trend_chart_item(item):
    month, received, _completed = item
    # A suppressed count (1–4) draws no bar: its length would give the number away.
    value = None if 0 < received < performance.SUPPRESS_BELOW else received
    return (month.label, value, performance.shown_count(received))


@bp.app_template_global("mpp_link")
def _mpp_link(row) -> str:
    return url_for("feedback.performance_mpp", slug=row.slug, periode=request.args.get("periode") or None)
