"""Applying online and tracking: thin views over drafts.py, submit.py and lifecycle.py.

Every page works without JavaScript (plain forms, 303 after POST). drafts.js (device_drafts) enhances the draft
forms through their ``data-draft-*`` attributes and the JSON endpoints below. Every object is looked up through
its owner: another person's draft, application or a guessed tracking number is a 404, never a 403.
"""

from __future__ import annotations

import secrets
import uuid
from functools import wraps

from flask import Blueprint, abort, flash, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ..catalog.models import Service
from ..extensions import db, htmx
from ..hypermedia import render
from ..personal.family import get_member, list_members
from ..security import read_json
from . import corrections, drafts, lifecycle, on_behalf, submit, workflow
from .formdefs import ADDRESS_PARTS, Form, text
from .forms import CancelForm, step_values
from .models import Application, Draft
from .presenters import answer_rows, document_rows, step_title
from .workdays import service_working_days

bp = Blueprint("applications", __name__)


@bp.context_processor
def _template_helpers() -> dict:
    return {
        "label_text": text,
        "address_parts": ADDRESS_PARTS,
        "choice_options": lambda spec: [(c["value"], text(c["label"])) for c in spec["choices"]],
        "status_label": workflow.status_label,
    }


def _user():
    return current_user._get_current_object()


def json_login_required(view):
    """For fetch() callers: a 401 they can act on (sign in again), never a redirect to an HTML page."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            return jsonify(error="signin"), 401
        return view(*args, **kwargs)

    return wrapper


def _service_or_404(slug: str) -> Service:
    service = db.session.scalar(select(Service).where(Service.slug == slug))
    if service is None:
        abort(404)
    return service


def _draft_or_404(draft_id: uuid.UUID) -> Draft:
    draft = drafts.get_draft(_user(), str(draft_id))
    if draft is None:
        abort(404)
    return draft


def _step_url(draft: Draft, step: str, **query) -> str:
    return url_for("applications.draft_step", draft_id=draft.public_id, step=step, **query)


def _new_key() -> str:
    return secrets.token_urlsafe(24)


# --- start -------------------------------------------------------------------------------------------------------


def _render_start(service: Service, *, chosen: str = "", error: str | None = None, status: int = 200):
    definition = drafts.latest_form(service)
    online = service.online_application and definition is not None
    members = list_members(_user()) if online else []
    return render(
        "applications/start.html",
        service=service,
        online=online,
        form=Form(definition.definition) if definition else None,
        existing=drafts.open_draft_for(_user(), service) if online else None,
        working_days=service_working_days(service),
        members=members,
        self_only=not on_behalf.allows_others(definition.definition if definition else None),
        relationship_label=on_behalf.relationship_label,
        chosen=chosen,
        for_whom_error=error,
    ), status


@bp.get("/layanan/<slug>/ajukan")
@login_required
def apply_start(slug: str):
    return _render_start(_service_or_404(slug))


@bp.post("/layanan/<slug>/ajukan")
@login_required
def apply_begin(slug: str):
    service = _service_or_404(slug)
    if not service.online_application or drafts.latest_form(service) is None:
        return redirect(url_for("applications.apply_start", slug=slug), code=303)
    # "Untuk siapa?": "saya" (or nothing, the page without family members) or the id of one's own member entry.
    chosen = request.form.get("untuk", "saya")
    member = None
    if chosen != "saya":
        member = (
            get_member(_user(), int(chosen)) if chosen.isascii() and chosen.isdigit() and len(chosen) < 10 else None
        )
        if member is None:
            return _render_start(service, error=_("Choose who the application is for."), status=422)
    try:
        draft = on_behalf.start_for(_user(), service, member)
    except on_behalf.NotAllowed as refused:
        return _render_start(service, chosen=chosen, error=refused.message, status=422)
    keys = drafts.step_keys(draft)
    step = draft.step if draft.step in keys else keys[0]
    return redirect(_step_url(draft, step), code=303)


# --- steps -------------------------------------------------------------------------------------------------------


def _render_step(draft: Draft, step: str, *, errors=None, status=200):
    form = drafts.form_of(draft)
    keys = drafts.step_keys(draft)
    index = keys.index(step)
    context = dict(
        draft=draft,
        form=form,
        step=step,
        steps=keys,
        index=index,
        title=step_title(form, step),
        fields=form.visible_fields(step, draft.answers) if form.step(step) else [],
        values=draft.answers,
        errors=errors or {},
        prefilled=set(draft.prefilled),
        prefill_step=any(drafts.saves_to_profile(draft, key) for key in form.visible_fields(step, draft.answers))
        if form.step(step)
        else False,
        mpps=[(m.slug, m.name) for m in drafts.offered_at(draft.service)] if step == drafts.LOCATION_STEP else [],
        documents=drafts.document_options(draft.user, form, subject_member_id=draft.subject_member_id)
        if step == drafts.DOCUMENTS_STEP
        else {},
        back_to_check=request.values.get("kembali") == drafts.CHECK_STEP,
        previous_url=_step_url(draft, keys[index - 1]) if index > 0 else None,
        next_url=_step_url(draft, keys[index + 1]) if index + 1 < len(keys) else None,
        draft_url=url_for("applications.draft_sync", draft_id=draft.public_id),
        correction=_correction_context(draft, form),
    )
    if errors and htmx:
        status = 200  # htmx (boosted too) only swaps successful responses; the page itself says what went wrong
    return render("applications/step.html", fragment="applications/_step_form.html", **context), status


def _correction_context(draft: Draft, form: Form) -> dict | None:
    """For a correction draft: the application, the officer's reason and what they pointed at — shown on every
    screen, so the citizen never has to remember or go back to read it."""
    if draft.application is None:
        return None
    request_event = corrections.latest_request(draft.application)
    target = request_event.correction_target if request_event else None
    return {
        "number": draft.application.tracking_number,
        "reason": request_event.reason if request_event else None,
        "target": corrections.target_label(form, target),
        "requested": corrections.requested_documents(draft.application),
    }


def _error_link(draft: Draft, form: Form, name: str) -> str:
    anchor = "#f-" + name.replace(".", "-")
    if name == "mpp":
        return _step_url(draft, drafts.LOCATION_STEP, kembali="periksa") + anchor
    if name.startswith("dokumen."):
        return _step_url(draft, drafts.DOCUMENTS_STEP, kembali="periksa") + anchor + "-group"
    return _step_url(draft, form.step_of(name.partition(".")[0]), kembali="periksa") + anchor


def _chosen_documents(draft: Draft, form: Form) -> list[dict]:
    options = drafts.document_options(draft.user, form)
    rows = []
    for doc in form.documents:
        chosen = draft.answers.get(f"dokumen.{doc['key']}", "")
        document = next((d for d in options[doc["key"]] if str(d.id) == chosen), None)
        value = (document.title or text(doc["label"])) if document else ""
        rows.append({"label": text(doc["label"]), "value": value})
    return rows


def _render_check(draft: Draft, *, errors=None, key=None, declaration_error=None, status=200):
    form = drafts.form_of(draft)
    keys = drafts.step_keys(draft)
    errors = errors or {}
    return (
        render(
            "applications/check.html",
            draft=draft,
            form=form,
            sections=answer_rows(draft, form, step_url=lambda step: _step_url(draft, step, kembali="periksa")),
            errors=errors,
            error_links={name: _error_link(draft, form, name) for name in errors},
            location_url=_step_url(draft, drafts.LOCATION_STEP, kembali="periksa")
            if drafts.LOCATION_STEP in keys
            else None,
            documents_url=_step_url(draft, drafts.DOCUMENTS_STEP, kembali="periksa"),
            chosen_documents=_chosen_documents(draft, form),
            declaration_error=declaration_error,
            idempotency_key=key or _new_key(),
            expected_days=service_working_days(draft.service),
            draft_url=url_for("applications.draft_sync", draft_id=draft.public_id),
            correction=_correction_context(draft, form),
        ),
        status,
    )


@bp.route("/permohonan/draf/<uuid:draft_id>/<step>", methods=["GET", "POST"])
@login_required
def draft_step(draft_id: uuid.UUID, step: str):
    draft = _draft_or_404(draft_id)
    if draft.submitted_application_id is not None:
        return redirect(url_for("applications.detail", number=_submitted_number(draft)), code=303)
    drafts.upgrade_form(draft)
    keys = drafts.step_keys(draft)
    if step not in keys:
        abort(404)
    if step == drafts.CHECK_STEP:
        # The declaration is posted to the summary's own address, so a page with an error keeps an address that
        # still works when reloaded or shared (it used to end in …/kirim, a 404 on refresh).
        return _submit(draft) if request.method == "POST" else _render_check(draft)
    if request.method == "GET":
        return _render_step(draft, step)
    result = drafts.save_step(
        draft,
        step,
        step_values(request.form),
        request.files,
        save_to_profile=request.form.get("simpan_data_saya") == "ya",
    )
    if result.errors:
        return _render_step(draft, step, errors=result.errors, status=422)
    if result.profile_errors:
        flash(
            _(
                "Your application keeps your answers, but Data Saya was not updated: %(reason)s",
                reason=" ".join(result.profile_errors.values()),
            ),
            "warning",
        )
    elif result.profile_saved:
        flash(_("Data Saya has been updated with your changes."), "success")
    if request.form.get("kembali") == drafts.CHECK_STEP:
        return redirect(_step_url(draft, drafts.CHECK_STEP), code=303)
    return redirect(_step_url(draft, keys[keys.index(step) + 1]), code=303)


def _submitted_number(draft: Draft) -> str:
    return db.session.get(Application, draft.submitted_application_id).tracking_number


@bp.post("/permohonan/draf/<uuid:draft_id>/kirim")
@login_required
def draft_submit(draft_id: uuid.UUID):
    """Kept for submissions a device queued offline before the summary posted to itself."""
    return _submit(_draft_or_404(draft_id))


def _submit(draft: Draft):
    user = _user()
    key = request.form.get("idempotency_key", "")
    if draft.submitted_application_id is not None and not submit.valid_key(key):
        return redirect(url_for("applications.detail", number=_submitted_number(draft)), code=303)
    if not submit.valid_key(key):
        return _render_check(draft, declaration_error=_("Please submit the form again."), status=422)
    if draft.submitted_application_id is None and (refused := on_behalf.submit_refusal(draft)):
        return _render_check(draft, key=key, declaration_error=refused, status=422)
    if request.form.get("pernyataan") != "ya" and draft.submitted_application_id is None:
        return _render_check(
            draft, key=key, declaration_error=_("Tick the declaration to submit your application."), status=422
        )
    try:
        result = submit.submit_draft(user, draft, idempotency_key=key)
    except submit.SubmissionInvalid as invalid:
        db.session.rollback()
        return _render_check(db.session.get(Draft, draft.id), errors=invalid.errors, key=key, status=422)
    except submit.KeyReused:
        return _render_check(draft, declaration_error=_("Please submit the form again."), status=422)
    except workflow.TransitionRefused as refused:
        flash(str(refused.message), "error")
        return redirect(url_for("applications.index"), code=303)
    return redirect(url_for("applications.detail", number=result.application.tracking_number, terkirim=1), code=303)


@bp.get("/permohonan/draf/<uuid:draft_id>/hapus")
@login_required
def draft_delete_confirm(draft_id: uuid.UUID):
    """Deleting cannot be undone, so it is asked once more on a page of its own (works without JavaScript)."""
    draft = _draft_or_404(draft_id)
    if draft.submitted_application_id is not None:
        return redirect(url_for("applications.detail", number=_submitted_number(draft)), code=303)
    return render("applications/delete.html", draft=draft)


@bp.post("/permohonan/draf/<uuid:draft_id>/hapus")
@login_required
def draft_delete(draft_id: uuid.UUID):
    drafts.delete_draft(_draft_or_404(draft_id))
    flash(_("The draft has been deleted."), "success")
    return redirect(url_for("applications.index"), code=303)


# --- JSON for the offline-drafts script ---------------------------------------------------------------------------


@bp.get("/permohonan/draf/<uuid:draft_id>")
@json_login_required
def draft_json(draft_id: uuid.UUID):
    draft = drafts.get_draft(_user(), str(draft_id))
    if draft is None:
        return jsonify(error="not_found"), 404
    response = jsonify(draft=drafts.draft_as_json(draft), revision=draft.revision)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.put("/permohonan/draf/<uuid:draft_id>")
@json_login_required
def draft_sync(draft_id: uuid.UUID):
    """Body ``{"revision": <newest server revision the device saw>, "answers": {<edited answers>},
    "base": {<the value each edited answer had before>}, "step": "..."}`` (``base`` optional).

    200 ``{"revision": n, "draft": {...}}`` when merged (or when this exact payload was already applied) — the
    device takes the revision and the server copy from it; 409 ``{"draft": <server copy>, "conflicts": [names]}``
    when another device or session changed the same answers; 410 once the draft was submitted.
    """
    draft = drafts.get_draft(_user(), str(draft_id))
    if draft is None:
        return jsonify(error="not_found"), 404
    body = read_json()
    if (
        not isinstance(body, dict)
        or not isinstance(body.get("revision"), int)
        or isinstance(body.get("revision"), bool)
        or not isinstance(body.get("answers"), dict)
        or not isinstance(body.get("step", ""), str | None)
        or not isinstance(body.get("base", {}), dict)
    ):
        return jsonify(error="invalid", message=_("The draft could not be read.")), 422
    result = drafts.sync_draft(
        draft, base_revision=body["revision"], answers=body["answers"], step=body.get("step"), base=body.get("base")
    )
    payload = {
        "outcome": result.outcome,
        "revision": result.draft.revision,
        "draft": drafts.draft_as_json(result.draft),
        "conflicts": result.clashes,
    }
    status = {"saved": 200, "replayed": 200, "conflict": 409, "submitted": 410}[result.outcome]
    response = jsonify(payload)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


# --- tracking ----------------------------------------------------------------------------------------------------


@bp.get("/permohonan")
@login_required
def index():
    user = _user()
    page = lifecycle.my_applications(user, page=request.args.get("halaman", 1, type=int) or 1)
    return render(
        "applications/list.html",
        applications=page.applications,
        page=page,
        drafts=drafts.my_drafts(user),
        expires_soon=drafts.expires_soon,
    )


def _application_or_404(number: str):
    application = lifecycle.get_application(_user(), number)
    if application is None:
        abort(404)
    return application


@bp.get("/permohonan/<number>")
@login_required
def detail(number: str):
    application = _application_or_404(number)
    if application.tracking_number != number:  # typed in lower case or without dashes: show the canonical URL
        return redirect(url_for("applications.detail", number=application.tracking_number), code=301)
    revision = application.latest_revision
    form = Form(revision.form_definition.definition)
    return render(
        "applications/detail.html",
        application=application,
        revision=revision,
        sections=answer_rows(revision, form, masked=True),
        document_list=document_rows(revision, form),
        just_submitted=request.args.get("terkirim") == "1",
        can_cancel=lifecycle.can_cancel(_user(), application),
        correction_reason=lifecycle.correction_reason(application),
        correction_target=_correction_target_label(application),
        needs_correction=lifecycle.needs_correction(application),
        cancel_form=CancelForm(),
        tz_name=application.mpp.timezone if application.mpp else "Asia/Jakarta",
        next_step=workflow.NEXT_STEPS.get(application.status),
        finished=application.status in workflow.FINAL_STATUSES,
        working_days=service_working_days(application.service),
    )


def _correction_target_label(application: Application) -> str | None:
    request_event = corrections.latest_request(application)
    if request_event is None or not request_event.correction_target:
        return None
    return corrections.target_label(corrections.correction_form(application), request_event.correction_target)


@bp.post("/permohonan/<number>/batalkan")
@login_required
def cancel(number: str):
    application = _application_or_404(number)
    form = CancelForm()
    if not form.validate():
        flash(" ".join(error for errors in form.errors.values() for error in errors), "error")
        return redirect(url_for("applications.detail", number=application.tracking_number), code=303)
    try:
        lifecycle.cancel_application(_user(), application, reason=form.reason.data)
    except (workflow.TransitionRefused, workflow.TransitionConflict) as error:
        flash(str(error.message), "error")
    else:
        flash(_("Your application has been cancelled."), "success")
    return redirect(url_for("applications.detail", number=application.tracking_number), code=303)


@bp.post("/permohonan/<number>/perbaiki")
@login_required
def correct(number: str):
    application = _application_or_404(number)
    if not lifecycle.needs_correction(application):
        flash(_("This application is not waiting for a correction."), "error")
        return redirect(url_for("applications.detail", number=application.tracking_number), code=303)
    draft = drafts.start_correction(_user(), application)
    request_event = corrections.latest_request(application)
    screen = corrections.first_screen(
        drafts.step_keys(draft),
        request_event.correction_target if request_event else None,
        documents_step=drafts.DOCUMENTS_STEP,
        check_step=drafts.CHECK_STEP,
    )
    # From the screen the officer pointed at, "Simpan" returns to the summary: only that part needs changing.
    query = {} if screen == drafts.CHECK_STEP else {"kembali": drafts.CHECK_STEP}
    return redirect(_step_url(draft, screen, **query), code=303)
