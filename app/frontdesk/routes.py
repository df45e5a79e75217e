"""The front desk's pages (/petugas/layanan-informasi/…) and the citizen's side of an assisted application
(/akun/kode-petugas, /akun/bantuan/…). Thin views over assist.py.

Every assistance is looked up through the officer's MPPs (assist.for_assistant) or the citizen's own account
(assist.for_citizen): anything else — another MPP's assistance, another citizen's — is a 404 like an unknown id.
"""

from __future__ import annotations

import uuid
from functools import wraps

from flask import Blueprint, abort, current_app, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ..accounts.models import Role
from ..accounts.passkeys import PasskeyError
from ..applications import drafts, submit, workflow
from ..applications.formdefs import ADDRESS_PARTS, text
from ..applications.forms import step_values
from ..applications.presenters import answer_rows, step_title
from ..extensions import db, limiter, login_manager
from ..personal.models import Document
from ..security import read_json
from . import assist
from .models import AssistStatus, ConfirmationMethod

bp = Blueprint("frontdesk", __name__)

DESK = "/petugas/layanan-informasi"


@bp.context_processor
def _template_helpers() -> dict:
    # The form field macros of applications/_fields.html need these (the applications blueprint gives them too).
    return {
        "label_text": text,
        "address_parts": ADDRESS_PARTS,
        "choice_options": lambda spec: [(c["value"], text(c["label"])) for c in spec["choices"]],
        "status_label": workflow.status_label,
        "helped_by": assist.helped_by,
        "citizen_has_passkey": assist.citizen_has_passkey,
    }


@bp.before_app_request
def _front_desk_home():
    """Staff land on /petugas after signing in (and the header links there); a front-desk officer has no back
    office, so /petugas is their desk instead of a 404."""
    at_inbox = request.path == "/petugas" and request.method == "GET"
    if at_inbox and current_user.is_authenticated and current_user.role == Role.FRONT_DESK:
        return redirect(url_for("frontdesk.home"), code=303)
    return None


def _user():
    return current_user._get_current_object()


def front_desk_required(view):
    """Signed-in front-desk officers with an MPP; everyone else gets 404 (anonymous: sign in), as in scope.py."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        mpps = assist.desk_mpps(_user())
        if not mpps:
            abort(404)
        g.desk_mpps = mpps
        return view(*args, **kwargs)

    wrapper.staff_roles = frozenset({Role.FRONT_DESK})  # read by the back office's scope-matrix test
    return wrapper


def _assisted_or_404(assist_id: uuid.UUID):
    assisted = assist.for_assistant(_user(), str(assist_id))
    if assisted is None:
        abort(404)
    return assisted


def _page(assisted, **context):
    return url_for("frontdesk.assistance", assist_id=assisted.public_id, **context)


# --- the desk -----------------------------------------------------------------------------------------------------


@bp.get(DESK)
@front_desk_required
def home():
    mpps = g.desk_mpps
    return render_template(
        "frontdesk/home.html",
        mpps=mpps,
        open_items={mpp.id: assist.open_assistances(_user(), mpp) for mpp in mpps},
    )


@bp.post(f"{DESK}/mulai")
@front_desk_required
def start():
    mpp = next((m for m in g.desk_mpps if m.slug == request.form.get("mpp")), None)
    if mpp is None:
        abort(404)
    assisted = assist.begin(_user(), mpp)
    return redirect(_page(assisted), code=303)


def _render(assisted, *, errors=None, values=None, status=200, **extra):
    draft = assisted.draft
    context = dict(
        assisted=assisted,
        errors=errors or {},
        values=values or {},
        services=assist.services_at(assisted.mpp) if assisted.status == AssistStatus.FILLING and not draft else [],
        steps=assist.form_steps(assisted) if draft else [],
        **extra,
    )
    if draft is not None and assisted.status in (AssistStatus.FILLING, AssistStatus.AWAITING_CITIZEN):
        form = drafts.form_of(draft)
        context["sections"] = answer_rows(
            draft,
            form,
            step_url=(lambda step: _page(assisted) + f"/langkah/{step}")
            if assisted.status == AssistStatus.FILLING
            else None,
        )
        context["uploaded"] = _uploaded(assisted, form)
        context["problems"] = assist.problems(assisted) if assisted.status == AssistStatus.FILLING else {}
    return render_template("frontdesk/assistance.html", **context), status


def _uploaded(assisted, form) -> list[dict]:
    """The documents of THIS application, by requirement (nothing else of the citizen's Dokumen Saya)."""
    ids = assist.chosen_document_ids(assisted)
    docs = {d.id: d for d in db.session.scalars(select(Document).where(Document.id.in_(ids)))} if ids else {}
    rows = []
    for doc in form.documents:
        chosen = assisted.draft.answers.get(f"dokumen.{doc['key']}", "")
        found = docs.get(int(chosen)) if str(chosen).isdigit() else None
        rows.append({"label": text(doc["label"]), "document": found, "required": doc["required"]})
    return rows


@bp.get(f"{DESK}/<uuid:assist_id>")
@front_desk_required
def assistance(assist_id: uuid.UUID):
    return _render(_assisted_or_404(assist_id))


@bp.get(f"{DESK}/<uuid:assist_id>/status")
@front_desk_required
def waiting_status(assist_id: uuid.UUID):
    """Polled (htmx) while the citizen confirms on their phone; once confirmed the whole page is reloaded."""
    assisted = _assisted_or_404(assist_id)
    if assisted.status != AssistStatus.AWAITING_CITIZEN:
        response = current_app.response_class("", status=200)
        response.headers["HX-Redirect"] = _page(assisted)
        return response
    return render_template("frontdesk/_waiting.html", assisted=assisted)


def _refused(assisted, error: assist.AssistError, values: dict | None = None):
    db.session.rollback()
    assisted = assist.for_assistant(_user(), assisted.public_id)
    return _render(assisted, errors={error.field or "umum": error.message}, values=values or {}, status=422)


@bp.post(f"{DESK}/<uuid:assist_id>/kode-ponsel")
@front_desk_required
@limiter.limit("20 per 10 minutes")
def phone_code(assist_id: uuid.UUID):
    assisted = _assisted_or_404(assist_id)
    code = request.form.get("kode_ponsel", "")
    try:
        assist.claim_phone_code(assisted, _user(), code)
    except assist.AssistError as error:
        return _refused(assisted, error, {"kode_ponsel": code[:12]})
    return redirect(_page(assisted), code=303)


@bp.post(f"{DESK}/<uuid:assist_id>/email")
@front_desk_required
@limiter.limit("10 per 10 minutes")
def send_email(assist_id: uuid.UUID):
    assisted = _assisted_or_404(assist_id)
    values = {"email": request.form.get("email", "")[:254], "nama": request.form.get("nama", "")[:200]}
    try:
        assist.send_email_code(assisted, _user(), email=values["email"], name=values["nama"])
    except assist.AssistError as error:
        return _refused(assisted, error, values)
    return redirect(_page(assisted), code=303)


@bp.post(f"{DESK}/<uuid:assist_id>/kode-email")
@front_desk_required
@limiter.limit("20 per 10 minutes")
def email_code(assist_id: uuid.UUID):
    assisted = _assisted_or_404(assist_id)
    code = request.form.get("kode_email", "")
    try:
        assist.verify_email_code(assisted, _user(), code)
    except assist.AssistError as error:
        return _refused(assisted, error, {"kode_email": code[:12]})
    return redirect(_page(assisted), code=303)


@bp.post(f"{DESK}/<uuid:assist_id>/layanan")
@front_desk_required
def choose_service(assist_id: uuid.UUID):
    assisted = _assisted_or_404(assist_id)
    try:
        assist.choose_service(assisted, _user(), request.form.get("layanan", ""))
    except assist.AssistError as error:
        return _refused(assisted, error)
    return redirect(_page(assisted) + f"/langkah/{assist.form_steps(assisted)[0]}", code=303)


@bp.route(f"{DESK}/<uuid:assist_id>/langkah/<step>", methods=["GET", "POST"])
@front_desk_required
def step(assist_id: uuid.UUID, step: str):
    assisted = _assisted_or_404(assist_id)
    if assisted.status != AssistStatus.FILLING or assisted.draft is None:
        return redirect(_page(assisted), code=303)
    keys = assist.form_steps(assisted)
    if step not in keys:
        abort(404)
    errors = {}
    if request.method == "POST":
        errors = assist.save_step(assisted, _user(), step, step_values(request.form), request.files)
        if not errors:
            index = keys.index(step)
            target = _page(assisted) + f"/langkah/{keys[index + 1]}" if index + 1 < len(keys) else _page(assisted)
            return redirect(target, code=303)
    draft = assisted.draft
    form = drafts.form_of(draft)
    index = keys.index(step)
    return render_template(
        "frontdesk/step.html",
        assisted=assisted,
        draft=draft,
        form=form,
        step=step,
        steps=keys,
        index=index,
        title=step_title(form, step),
        fields=form.visible_fields(step, draft.answers) if form.step(step) else [],
        values=draft.answers,
        errors=errors,
        prefilled=set(),
        uploaded=_uploaded(assisted, form) if step == drafts.DOCUMENTS_STEP else [],
        previous_url=_page(assisted) + f"/langkah/{keys[index - 1]}" if index > 0 else None,
    ), (422 if errors else 200)


@bp.post(f"{DESK}/<uuid:assist_id>/minta-konfirmasi")
@front_desk_required
def request_confirmation(assist_id: uuid.UUID):
    assisted = _assisted_or_404(assist_id)
    try:
        assist.request_confirmation(assisted, _user())
    except assist.AssistError as error:
        return _refused(assisted, error)
    return redirect(_page(assisted), code=303)


@bp.post(f"{DESK}/<uuid:assist_id>/ubah")
@front_desk_required
def reopen(assist_id: uuid.UUID):
    assisted = _assisted_or_404(assist_id)
    try:
        assist.back_to_form(assisted, _user())
    except assist.AssistError as error:
        return _refused(assisted, error)
    return redirect(_page(assisted), code=303)


@bp.post(f"{DESK}/<uuid:assist_id>/persetujuan-kertas")
@front_desk_required
def paper_consent(assist_id: uuid.UUID):
    assisted = _assisted_or_404(assist_id)
    if request.form.get("ditandatangani") != "ya":
        error = assist.AssistError(_("Confirm that the citizen signed the consent themselves."), field="ditandatangani")
        return _refused(assisted, error)
    try:
        assist.confirm_with_paper(assisted, _user(), request.files.get("persetujuan"))
    except assist.AssistError as error:
        return _refused(assisted, error)
    except submit.SubmissionInvalid:
        error = assist.AssistError(_("The form changed and is no longer complete. Open it again to check."))
        return _refused(assisted, error)
    return redirect(_page(assisted), code=303)


@bp.post(f"{DESK}/<uuid:assist_id>/batal")
@front_desk_required
def cancel(assist_id: uuid.UUID):
    assisted = _assisted_or_404(assist_id)
    try:
        assist.cancel(assisted, _user())
    except assist.AssistError as error:
        return _refused(assisted, error)
    return redirect(url_for("frontdesk.home"), code=303)


# --- the citizen's side --------------------------------------------------------------------------------------------


def citizen_required(view):
    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if current_user.role != Role.CITIZEN or current_user.auth_session.restricted:
            abort(404)
        return view(*args, **kwargs)

    return wrapper


@bp.get("/akun/kode-petugas")
@citizen_required
def phone_code_page():
    return render_template("frontdesk/phone_code.html", code=None)


@bp.post("/akun/kode-petugas")
@citizen_required
@limiter.limit("10 per 10 minutes")
def show_phone_code():
    # Shown in the answer to the POST and stored only as a keyed hash: a reload asks for a new code.
    code = assist.issue_phone_code(_user())
    return render_template("frontdesk/phone_code.html", code=code, minutes=int(assist.CODE_TTL.total_seconds() // 60))


@bp.get("/akun/bantuan")
@citizen_required
def waiting_list():
    return render_template("frontdesk/waiting_list.html", items=assist.waiting_for(_user()))


def _own_or_404(assist_id: uuid.UUID):
    assisted = assist.for_citizen(_user(), str(assist_id))
    if assisted is None or assisted.status in (AssistStatus.IDENTIFYING, AssistStatus.CANCELLED):
        abort(404)
    return assisted


@bp.get("/akun/bantuan/<uuid:assist_id>")
@citizen_required
def confirm_page(assist_id: uuid.UUID):
    assisted = _own_or_404(assist_id)
    if assisted.status == AssistStatus.CONFIRMED and assisted.application is not None:
        return redirect(url_for("applications.detail", number=assisted.application.tracking_number), code=303)
    from ..accounts import ceremonies

    ceremonies.session_binding()  # the ceremony's binding goes into the cookie with this page (see accounts)
    draft = assisted.draft
    waiting = assisted.status == AssistStatus.AWAITING_CITIZEN
    form = drafts.form_of(draft) if draft is not None else None
    return render_template(
        "frontdesk/confirm.html",
        assisted=assisted,
        waiting=waiting,
        sections=answer_rows(draft, form) if form is not None else [],
        uploaded=_uploaded(assisted, form) if form is not None else [],
    )


@bp.post("/akun/bantuan/<uuid:assist_id>/opsi")
@citizen_required
@limiter.limit("20 per 10 minutes")
def confirm_options(assist_id: uuid.UUID):
    from ..accounts import ceremonies

    assisted = _own_or_404(assist_id)
    if assisted.status != AssistStatus.AWAITING_CITIZEN:
        return jsonify(error=str(assist.MSG_NOT_WAITING)), 409
    response = current_app.response_class(ceremonies.reauthenticate_options(_user()), mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/akun/bantuan/<uuid:assist_id>/konfirmasi")
@citizen_required
@limiter.limit("10 per 10 minutes")
def confirm(assist_id: uuid.UUID):
    assisted = _own_or_404(assist_id)
    credential = read_json()
    if not isinstance(credential, dict):
        return jsonify(error=_("The passkey answer could not be read. Try again.")), 400
    try:
        done = assist.confirm_with_passkey(assisted, _user(), credential)
    except PasskeyError as error:
        return jsonify(error=str(error.message)), 400
    except assist.AssistError as error:
        return jsonify(error=str(error.message)), 409
    except submit.SubmissionInvalid:
        db.session.rollback()
        return jsonify(error=_("The form is not complete. Ask the officer to check it again.")), 409
    number = done.application.tracking_number
    return jsonify(ok=True, redirect=url_for("applications.detail", number=number, terkirim=1))


@bp.post("/akun/bantuan/<uuid:assist_id>/tolak")
@citizen_required
def refuse(assist_id: uuid.UUID):
    assisted = _own_or_404(assist_id)
    if assisted.status == AssistStatus.AWAITING_CITIZEN:
        assist.cancel(assisted, _user())
    return redirect(url_for("frontdesk.waiting_list"), code=303)


@bp.app_template_global("assistance_note")
def _assistance_note(application) -> str | None:
    """For the citizen's application page: who helped, where, and how the citizen confirmed (None: made alone)."""
    assisted = assist.assisted_application_of(application)
    if assisted is None:
        return None
    how = (
        _("confirmed with your passkey")
        if assisted.confirmation == ConfirmationMethod.PASSKEY
        else _("confirmed with your signed paper consent")
    )
    return f"{assist.helped_by(assisted)}; {how}"


@bp.app_template_global("staff_assistance_note")
def _staff_assistance_note(application) -> str | None:
    """For the back office's application page: made at the front desk, and how the citizen confirmed it."""
    assisted = assist.assisted_application_of(application)
    if assisted is None:
        return None
    if assisted.confirmation == ConfirmationMethod.PASSKEY:
        how = _("the citizen confirmed with their own passkey")
    else:
        how = _(
            "the citizen confirmed with a signed paper consent, scanned (SHA-256 %(digest)s)",
            digest=(assisted.consent_sha256 or "")[:16],
        )
    return f"{assist.helped_by(assisted)}; {how}"


@bp.app_template_global("assisted_waiting_count")
def _assisted_waiting_count(user) -> int:
    """For Akun: how many applications made at the front desk wait for this citizen's confirmation."""
    return len(assist.waiting_for(user))


@bp.app_template_global("assistance_status_label")
def _assistance_status_label(status) -> str:
    return str(assist.STATUS_LABELS[AssistStatus(status)])
