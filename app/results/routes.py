"""Result documents: public verification of a code, the citizen's download, an officer's revocation.

/verifikasi is public but NOT ``@public_page``: the answer changes when a document is revoked, and a "valid" page
replayed from the service worker's cache on a shared phone (or offline) would vouch for a paper that may no longer
be valid. So it is ``no-store`` like every dynamic page, and a check always asks the server. It holds no personal
data either way: the holder's name is only ever shown masked.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..applications import lifecycle
from ..backoffice import casework
from ..backoffice.scope import current_scope, staff_required
from ..downloads import attachment
from ..extensions import db, limiter
from . import codes, issue
from .models import VerificationStatus

bp = Blueprint("results", __name__)

# Anyone may check a paper, but nobody may walk the code space: 30 checks a minute per address is plenty for an
# officer at a counter checking papers one by one, and ~10^27 years for an enumeration of 97-bit codes.
VERIFY_LIMIT = "30 per minute"


@bp.app_template_global("result_summary")
def _result_summary(application):
    """For the application pages (the citizen's detail page includes results/_applicant_result.html): the
    result's verification code and whether it was revoked — or None while there is no result."""
    return issue.result_summary(application)


@bp.get("/verifikasi")
@limiter.limit(VERIFY_LIMIT)
def verify_form():
    raw = request.args.get("kode")
    if raw is None:
        return render_template("results/verify_form.html", value="", error=None)
    code = codes.normalize(raw)
    if code is None:
        error = _("A verification code has 20 letters and digits, e.g. 7KQ2-M9XD-4HTP-WB3R-ZN6C.")
        return render_template("results/verify_form.html", value=raw[:64], error=error), 422
    return redirect(url_for("results.verify", code=codes.display(code)), code=303)


@bp.get("/verifikasi/<code>")
@limiter.limit(VERIFY_LIMIT)
def verify(code: str):
    found = issue.find_verification(code)
    if found is None:
        return render_template("results/not_found.html", code=code[:64]), 404
    canonical = codes.display(found.code)
    if code != canonical:
        return redirect(url_for("results.verify", code=canonical), code=301)
    return render_template(
        "results/verify.html", verification=found, code=canonical, revoked=found.status == VerificationStatus.REVOKED
    )


def _download(document, number: str):
    return attachment(
        lambda: casework.open_result(document), mimetype="application/pdf", filename=f"hasil-{number}.pdf"
    )


@bp.get("/permohonan/<number>/hasil")
@login_required
def citizen_download(number: str):
    """The owner's result document. Anyone else (another citizen, a wrong number) gets the same 404."""
    application = lifecycle.get_application(current_user._get_current_object(), number)
    if application is None:
        abort(404)
    document = casework.result_of(application)
    if document is None:
        abort(404)
    return _download(document, application.tracking_number)


def _officer_verification(number: str):
    scope = current_scope()
    application = scope.find_application(number)
    if application is None:
        abort(404)
    verification = issue.verification_of(application)
    if verification is None:
        abort(404)
    return scope, application, verification


@bp.route("/petugas/permohonan/<number>/hasil/cabut", methods=["GET", "POST"])
@staff_required()
def revoke(number: str):
    """Revoke an issued document (issued in error, replaced): only an officer who may act on the application."""
    scope, application, verification = _officer_verification(number)
    if not scope.may_act(application):
        abort(404)
    error, reason = None, ""
    if request.method == "POST":
        reason = (request.form.get("alasan") or "")[: issue.REVOKE_REASON_MAX + 1]
        try:
            issue.revoke(verification, actor=scope.user, reason=reason)
        except issue.RevokeInvalid as invalid:
            db.session.rollback()
            error = invalid.message
        else:
            return redirect(url_for("results.revoke", number=application.tracking_number), code=303)
    return (
        render_template(
            "results/revoke.html",
            application=application,
            verification=verification,
            code=codes.display(verification.code),
            reason=reason,
            error=error,
            revoked=verification.status == VerificationStatus.REVOKED,
        ),
        422 if error else 200,
    )
