"""Petugas: the back office. Thin views — parse, ask scope.py, call one use case, choose the response.

Every route is decorated with ``staff_required`` (anonymous → sign in; citizens and out-of-role staff → 404), and
every object is looked up through the staff member's Scope: another agency's or another MPP's application is a
404, exactly like a number that does not exist. The tracking number in the URL is the only id an action uses; a
form cannot name another application. Everything works without JavaScript; htmx swaps the inbox results.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address

from ..accounts import mail, sessions
from ..accounts.models import Role
from ..accounts.passkeys import PasskeyError
from ..accounts.sessions import fresh_passkey_required
from ..applications import workflow
from ..applications.corrections import correction_form
from ..applications.corrections import targets as correction_targets
from ..applications.formdefs import Form
from ..applications.models import Application
from ..applications.presenters import answer_rows
from ..applications.workdays import service_working_days
from ..downloads import attachment
from ..extensions import db, limiter
from ..hypermedia import render
from ..notifications import delivery
from ..notifications import email as email_outbox
from ..notifications import worker as notification_worker
from ..pagination import page_number
from ..security import read_json
from . import audit, casework, deliveries, inbox, invitations, sla
from .models import AuditAction
from .scope import current_scope, staff_required

bp = Blueprint("backoffice", __name__)

NEW_LINK_KEY = "staff_invitation_link_once"
ADMIN_ROLES = (Role.MPP_ADMIN, Role.NATIONAL_ADMIN)


AUDIT_ACTION_LABELS = {
    AuditAction.TRANSITION: _l("Status changed"),
    AuditAction.CHECKLIST: _l("Checklist saved"),
    AuditAction.DOCUMENT_OPENED: _l("Document opened"),
    AuditAction.RESULT_ATTACHED: _l("Result document attached"),
    AuditAction.RESULT_REVOKED: _l("Result document revoked"),
    AuditAction.INVITATION_CREATED: _l("Invitation created"),
    AuditAction.STAFF_ENROLLED: _l("Staff member enrolled"),
    AuditAction.STAFF_RESET: _l("Staff account reset"),
    AuditAction.API_TOKEN_CREATED: _l("API token created"),
    AuditAction.API_TOKEN_REVOKED: _l("API token revoked"),
    AuditAction.API_REFUSED: _l("API call refused"),
    AuditAction.QUEUE: _l("Queue action"),
    AuditAction.COMPLAINT: _l("Complaint step"),
    AuditAction.SURVEY_UNSUR: _l("Survey elements changed"),
    AuditAction.ASSIST: _l("Front-desk assistance"),
}


@bp.context_processor
def _helpers() -> dict:
    return {
        "status_label": workflow.status_label,
        "role_labels": invitations.ROLE_LABELS,
        "audit_action_label": lambda action: AUDIT_ACTION_LABELS[AuditAction(action)],
    }


@bp.app_template_global("sla_for")
def _sla_for(application):
    """For backoffice/_sla.html, the SLA card of the work page."""
    return sla.sla_for(application)


def _application_or_404(number: str) -> Application:
    application = current_scope().find_application(number)
    if application is None:
        abort(404)
    return application


def _version(raw: str | None) -> int | None:
    """The version the officer's page showed. Missing or garbled = unknown: treated as stale, never as 'any'."""
    if raw and raw.isdigit() and len(raw) < 10:
        return int(raw)
    return -1


# --- inbox -----------------------------------------------------------------------------------------------------------


@bp.get("/petugas")
@staff_required()
def inbox_page():
    filters = inbox.InboxFilters.parse(request.args)
    data = inbox.load_inbox(current_scope(), filters)
    return render(
        "backoffice/inbox.html",
        fragment="backoffice/_inbox_results.html",
        inbox=data,
        filters=filters,
        scope=current_scope(),
        statuses=inbox.LISTED_STATUSES,
        due_choices=inbox.DUE_CHOICES,
    )


# --- one application -------------------------------------------------------------------------------------------------


def _render_application(application: Application, *, errors=None, values=None, status=200):
    scope = current_scope()
    revision = application.latest_revision
    form = Form(revision.form_definition.definition)
    return (
        render_template(
            "backoffice/application.html",
            application=application,
            revision=revision,
            sections=answer_rows(revision, form, masked=False),
            documents=casework.attached_documents(application),
            checklist=casework.checklist(application),
            actions=casework.allowed_actions(scope, application),
            may_act=scope.may_act(application),
            result=casework.result_of(application),
            errors=errors or {},
            values=values or {},
            tz_name=application.mpp.timezone if application.mpp else "Asia/Jakarta",
            working_days=service_working_days(application.service),
            result_generate=casework.RESULT_GENERATE,
            result_upload=casework.RESULT_UPLOAD,
            correction_targets=correction_targets(correction_form(application)),
        ),
        status,
    )


@bp.get("/petugas/permohonan/<number>")
@staff_required()
def application_page(number: str):
    application = _application_or_404(number)
    if application.tracking_number != number:
        return redirect(url_for("backoffice.application_page", number=application.tracking_number), code=301)
    casework.open_application(current_scope(), application)  # Riwayat akses, before the data is shown
    return _render_application(application)


@bp.post("/petugas/permohonan/<number>/tindakan")
@staff_required()
def act(number: str):
    application = _application_or_404(number)
    action = request.form.get("tindakan", "")
    reason = (request.form.get("alasan") or "")[: workflow.REASON_MAX_LENGTH + 1]
    result_choice = (request.form.get("hasil_cara") or "")[:20]
    target = (request.form.get("bagian") or "")[:60]
    values = {"tindakan": action, "alasan": reason, "hasil_cara": result_choice, "bagian": target}
    try:
        casework.act(
            current_scope(),
            application,
            action,
            expected_version=_version(request.form.get("versi")),
            reason=reason,
            result_choice=result_choice,
            result_file=request.files.get("hasil"),
            correction_target=target,
        )
    except casework.ActionInvalid as invalid:
        db.session.rollback()
        return _render_application(application, errors={invalid.field: invalid.message}, values=values, status=422)
    except workflow.TransitionConflict as conflict:
        flash(str(conflict.message), "error")
        return redirect(url_for("backoffice.application_page", number=application.tracking_number), code=303)
    except workflow.TransitionRefused as refused:
        db.session.rollback()
        flash(str(refused.message), "error")
        return redirect(url_for("backoffice.application_page", number=application.tracking_number), code=303)
    done = casework.ACTIONS[action]
    flash(_("Done: the application is now “%(status)s”.", status=workflow.status_label(done.to_status)), "success")
    return redirect(url_for("backoffice.application_page", number=application.tracking_number), code=303)


@bp.post("/petugas/permohonan/<number>/persyaratan")
@staff_required()
def save_checklist(number: str):
    application = _application_or_404(number)
    try:
        casework.save_checklist(
            current_scope(), application, casework.requirement_ids(request.form.getlist("persyaratan"))
        )
    except casework.ActionInvalid as invalid:
        flash(str(invalid.message), "error")
    else:
        flash(_("The checklist has been saved."), "success")
    return redirect(url_for("backoffice.application_page", number=application.tracking_number) + "#persyaratan", 303)


@bp.get("/petugas/permohonan/<number>/dokumen/<int:document_id>")
@staff_required()
def document(number: str, document_id: int):
    application = _application_or_404(number)
    found = casework.open_document(current_scope(), application, document_id)
    if found is None:
        abort(404)
    from ..personal.documents import open_document

    return attachment(lambda: open_document(found), mimetype=found.content_type, filename=found.download_name)


@bp.get("/petugas/permohonan/<number>/hasil")
@staff_required()
def result(number: str):
    application = _application_or_404(number)
    found = casework.result_of(application)
    if found is None:
        abort(404)
    return attachment(
        lambda: casework.open_result(found),
        mimetype=found.content_type,
        filename=f"hasil-{application.tracking_number}.pdf",
    )


# --- audit log -------------------------------------------------------------------------------------------------------


@bp.get("/petugas/audit")
@staff_required(*ADMIN_ROLES)
def audit_page():
    scope = current_scope()
    filters = audit.AuditFilters.parse(request.args)
    if filters.mpp_id is not None and not scope.administers_mpp(filters.mpp_id):
        filters = audit.AuditFilters(action=filters.action, number=filters.number, page=filters.page)
    return render_template(
        "backoffice/audit.html",
        page=audit.audit_entries(scope, filters),
        filters=filters,
        actions=list(AuditAction),
        mpps=invitations.mpps_for(scope),
    )


# --- invitations -----------------------------------------------------------------------------------------------------


def _int(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() and len(raw) < 10 else None


def _render_invitations(*, errors=None, values=None, status=200):
    scope = current_scope()
    mpps = invitations.mpps_for(scope)
    return (
        render_template(
            "backoffice/invitations.html",
            may_reset=scope.national,
            invitations=invitations.invitations_for(scope, page=page_number(request.args)),
            roles=invitations.roles_for(scope),
            mpps=mpps,
            agencies=invitations.agencies_at([mpp.id for mpp in mpps]),
            errors=errors or {},
            values=values or {},
            new_link=session.pop(NEW_LINK_KEY, None),
            state_of=invitations.state_of,
        ),
        status,
    )


@bp.get("/petugas/undangan")
@staff_required(*ADMIN_ROLES)
def invitations_page():
    return _render_invitations()


@bp.post("/petugas/undangan")
@staff_required(*ADMIN_ROLES)
@limiter.limit("60 per hour", methods=["POST"])
def create_invitation():
    form = request.form
    raw = invitations.InvitationRequest(
        email=(form.get("email") or "")[:300],
        display_name=(form.get("nama") or "")[:300],
        role=form.get("peran", ""),
        mpp_id=_int(form.get("mpp")),
        agency_id=_int(form.get("instansi")),
    )
    try:
        _invitation, token = invitations.create_invitation(current_scope(), raw)
    except invitations.InvitationInvalid as invalid:
        values = {
            "email": raw.email,
            "nama": raw.display_name,
            "peran": raw.role,
            "mpp": form.get("mpp", ""),
            "instansi": form.get("instansi", ""),
        }
        return _render_invitations(errors=invalid.errors, values=values, status=422)
    session[NEW_LINK_KEY] = invitation_link(token)
    return redirect(url_for("backoffice.invitations_page"), code=303)


@bp.post("/petugas/undangan/atur-ulang")
@staff_required(Role.NATIONAL_ADMIN)
@fresh_passkey_required("backoffice.invitations_page")
@limiter.limit("30 per hour", methods=["POST"])
def reset_staff_account():
    """A national admin resets a staff account: old passkeys and sessions revoked, a reset link shown once."""
    email = (request.form.get("email_reset") or "")[:300]
    try:
        invitation, token = invitations.reset_staff_account(current_scope(), email)
    except invitations.InvitationInvalid as invalid:
        return _render_invitations(errors=invalid.errors, values={"email_reset": email}, status=422)
    session[NEW_LINK_KEY] = invitation_link(token)
    flash(
        _(
            "The account of %(name)s has been reset: every old passkey and session is revoked. "
            "Give them the link below to create a new passkey.",
            name=invitation.display_name,
        ),
        "success",
    )
    return redirect(url_for("backoffice.invitations_page"), code=303)


def invitation_link(token: str) -> str:
    return current_app.config["PUBLIC_ORIGIN"].rstrip("/") + url_for("backoffice.invitation_page", token=token)


def _token_key() -> str:
    return f"undangan:{request.view_args.get('token', '')[:100]}|{get_remote_address()}"


@bp.get("/petugas/undangan/<token>")
@limiter.limit("60 per hour", key_func=get_remote_address)
def invitation_page(token: str):
    """Public (the invitee has no account yet): the token is the key. Unusable links get a plain reason."""
    try:
        invitation = invitations.usable_invitation(token)
    except invitations.InvitationUnusable as unusable:
        return render_template("backoffice/invitation.html", invitation=None, problem=unusable.message), 404
    return render_template("backoffice/invitation.html", invitation=invitation, problem=None, token=token)


@bp.post("/petugas/undangan/<token>/opsi")
@limiter.limit("30 per hour", key_func=_token_key)
def invitation_options(token: str):
    try:
        options = invitations.enrolment_options(token)
    except invitations.InvitationUnusable as unusable:
        return jsonify(error=str(unusable.message)), 400
    response = current_app.response_class(options, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/petugas/undangan/<token>/verifikasi")
@limiter.limit("10 per 10 minutes", key_func=_token_key)
def invitation_verify(token: str):
    data = read_json()
    if not isinstance(data, dict):
        return jsonify(error=_("Your passkey could not be verified. Please try again.")), 400
    try:
        user = invitations.finish_enrolment(token, data)
    except PasskeyError as error:
        return jsonify(error=str(error.message)), 400
    except invitations.InvitationUnusable as unusable:
        return jsonify(error=str(unusable.message)), 400
    sessions.sign_in(user)
    flash(_("Welcome, %(name)s. Your passkey is ready: sign in with it next time.", name=user.display_name), "success")
    return jsonify(redirect=url_for("backoffice.inbox_page"))


# --- failed deliveries, for admins (deliveries.py) ------------------------------------------------------------------


@bp.get("/petugas/notifikasi-gagal")
@staff_required(*ADMIN_ROLES)
def failed_deliveries():
    scope = current_scope()
    return render(
        "backoffice/failed_deliveries.html",
        rows=deliveries.failed_pushes(scope, page=page_number(request.args)),
        national=scope.national,
        emails=deliveries.email_log(scope, page=page_number(request.args, deliveries.EMAIL_PAGE_ARG)),
        email_page_arg=deliveries.EMAIL_PAGE_ARG,
        mask_address=mail.mask_address,
        email_kind=deliveries.email_kind,
    )


@bp.post("/petugas/notifikasi-gagal/email/<int:email_id>/ulang")
@staff_required(*ADMIN_ROLES)
def retry_failed_email(email_id: int):
    if not current_scope().national:
        abort(404)
    if email_outbox.retry_failed(email_id):
        notification_worker.enqueue_email(email_id)
        flash(_("The e-mail will be sent again."), "success")
    return redirect(url_for("backoffice.failed_deliveries"), code=303)


@bp.post("/petugas/notifikasi-gagal/<int:outbox_id>/ulang")
@staff_required(*ADMIN_ROLES)
def retry_failed_push(outbox_id: int):
    if not deliveries.may_retry_push(current_scope(), outbox_id):
        abort(404)
    if delivery.retry_failed(outbox_id):
        notification_worker.enqueue_delivery(outbox_id)
        flash(_("The notification will be sent again."), "success")
    return redirect(url_for("backoffice.failed_deliveries"), code=303)
