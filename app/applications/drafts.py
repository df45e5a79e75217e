"""Drafts: start or resume, save a step, sync from a device, expire.

A draft is saved on the server on every step, so it can be resumed on another device from "Permohonan Saya".
Devices also sync their edits (the offline-drafts JavaScript) through ``sync_draft``: idempotent by draft id and
payload, merged answer by answer, and an answer changed on both sides is a conflict returned with the server copy —
never a silent overwrite, and never a false alarm for changes this same device made through the plain form.
Drafts expire 30 days after the last change (UU 27/2022: personal data is kept no longer than needed); the list
page warns a week before.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from ..accounts.models import User
from ..catalog.models import DocumentType, Mpp, Service, ServiceOffering
from ..database import utcnow
from ..extensions import db
from ..personal.documents import list_documents, store_upload
from ..personal.family import member_prefill
from ..personal.models import FamilyMember
from ..personal.profile import profile_prefill, update_profile_fields
from ..personal.uploads import UploadRejected
from . import corrections
from .formdefs import MEMBER_ONLY, REPORTER, Form
from .models import Application, Draft, FormDefinition
from .validation import validate

DRAFT_LIFETIME = dt.timedelta(days=30)
EXPIRY_WARNING = dt.timedelta(days=7)
MAX_VALUE_LENGTH = 5000  # far above any field's limit: keeps what was typed, refuses junk
LOCATION_STEP, DOCUMENTS_STEP, CHECK_STEP = "lokasi", "dokumen", "periksa"


def latest_form(service: Service) -> FormDefinition | None:
    return db.session.scalar(
        select(FormDefinition).where(FormDefinition.service_id == service.id).order_by(FormDefinition.version.desc())
    )


def offered_at(service: Service) -> list[Mpp]:
    return list(
        db.session.scalars(
            select(Mpp).join(ServiceOffering).where(ServiceOffering.service_id == service.id).order_by(Mpp.name)
        )
    )


def form_of(draft: Draft) -> Form:
    return Form(draft.form_definition.definition)


def step_keys(draft: Draft) -> list[str]:
    """The screens of this draft in order: the form's own steps, then where, then documents, then check."""
    form = form_of(draft)
    keys = [s["key"] for s in form.steps]
    if len(offered_at(draft.service)) > 1:
        keys.append(LOCATION_STEP)
    if form.documents:
        keys.append(DOCUMENTS_STEP)
    keys.append(CHECK_STEP)
    return keys


def _alive(now: dt.datetime):
    return Draft.expires_at > now


def open_draft_for(
    user: User, service: Service, *, member: FamilyMember | None = None, now: dt.datetime | None = None
) -> Draft | None:
    """The open draft for this service about the citizen themself, or about ``member`` (one of each at a time)."""
    return db.session.scalar(
        select(Draft)
        .where(
            Draft.user_id == user.id,
            Draft.service_id == service.id,
            Draft.subject_member_id == member.id if member is not None else Draft.subject_member_id.is_(None),
            Draft.application_id.is_(None),
            Draft.submitted_application_id.is_(None),
            _alive(now or utcnow()),
        )
        .order_by(Draft.updated_at.desc())
    )


def get_draft(user: User, public_id: str, *, now: dt.datetime | None = None) -> Draft | None:
    """The user's own, unexpired draft (submitted ones included, so a replay can be sent to its application)."""
    return db.session.scalar(
        select(Draft).where(Draft.public_id == public_id, Draft.user_id == user.id, _alive(now or utcnow()))
    )


def my_drafts(user: User, *, now: dt.datetime | None = None) -> list[Draft]:
    return list(
        db.session.scalars(
            select(Draft)
            .where(Draft.user_id == user.id, Draft.submitted_application_id.is_(None), _alive(now or utcnow()))
            .order_by(Draft.updated_at.desc())
            # What the list shows, in one query per relationship rather than one per draft.
            .options(selectinload(Draft.service), selectinload(Draft.mpp), selectinload(Draft.application))
        )
    )


def expires_soon(draft: Draft, *, now: dt.datetime | None = None) -> bool:
    return draft.expires_at - (now or utcnow()) <= EXPIRY_WARNING


def _prefill(user: User, form: Form, member: FamilyMember | None = None) -> tuple[dict, list]:
    """Answers from Data Saya: the reporter's fields from the citizen's, the subject's from the member's entry
    (or the citizen's own when applying for themself; a member-only field then stays empty)."""
    profile = profile_prefill(user)
    subject = member_prefill(member, profile) if member is not None else profile
    answers, prefilled = {}, []
    for key in form.fields:
        person = form.prefill_person(key)
        if person == MEMBER_ONLY and member is None:
            continue
        source = profile if person == REPORTER else subject
        for name, profile_key in form.prefill_names(key).items():
            value = source.get(profile_key) or ""
            if value:
                answers[name] = value
                prefilled.append(name)
    return answers, prefilled


def _new_draft(user: User, service: Service, definition: FormDefinition, **values) -> Draft:
    now = utcnow()
    mpps = offered_at(service)
    draft = Draft(
        public_id=str(uuid.uuid4()),
        user_id=user.id,
        service_id=service.id,
        form_definition_id=definition.id,
        mpp_id=mpps[0].id if len(mpps) == 1 else None,
        updated_at=now,
        expires_at=now + DRAFT_LIFETIME,
        **values,
    )
    db.session.add(draft)
    return draft


def start_draft(user: User, service: Service, *, member: FamilyMember | None = None) -> Draft:
    """Resume the open draft for this service (about ``member`` when given), or start one prefilled from Data
    Saya. Commits. Whether the citizen may apply for ``member`` is the caller's check (on_behalf.refusal)."""
    existing = open_draft_for(user, service, member=member)
    if existing is not None:
        return existing
    definition = latest_form(service)
    if definition is None:
        raise LookupError("this service has no online form")
    answers, prefilled = _prefill(user, Form(definition.definition), member)
    draft = _new_draft(
        user,
        service,
        definition,
        answers=answers,
        prefilled=prefilled,
        subject_member_id=member.id if member is not None else None,
    )
    db.session.commit()
    return draft


def start_correction(user: User, application: Application) -> Draft:
    """An editable copy of the last submitted revision (which itself stays untouched). Commits."""
    existing = db.session.scalar(
        select(Draft).where(
            Draft.application_id == application.id,
            Draft.user_id == user.id,
            Draft.submitted_application_id.is_(None),
            _alive(utcnow()),
        )
    )
    if existing is not None:
        return existing
    revision = application.latest_revision
    answers = dict(revision.answers)
    answers.update({f"dokumen.{key}": str(value) for key, value in revision.documents.items()})
    draft = _new_draft(
        user,
        application.service,
        latest_form(application.service) or revision.form_definition,
        answers=answers,
        prefilled=[],
        application_id=application.id,
        subject_member_id=application.subject_member_id,
    )
    draft.mpp_id = application.mpp_id
    if draft.form_definition_id != revision.form_definition_id:
        draft.form_upgraded = True
        draft.answers = _known_answers(Form(latest_form(application.service).definition), answers)
    db.session.commit()
    return draft


def _known_answers(form: Form, answers: dict) -> dict:
    names = form.all_input_names()
    return {name: value for name, value in answers.items() if name in names}


def upgrade_form(draft: Draft) -> bool:
    """A draft begun on an older version of the form: move it to the latest, keeping every answer that still has
    a field, and flag it so the citizen is told to check. Commits when something changed."""
    latest = latest_form(draft.service)
    if latest is None or latest.id == draft.form_definition_id or latest.version < draft.form_definition.version:
        return False
    form = Form(latest.definition)
    draft.form_definition = latest
    draft.answers = _known_answers(form, draft.answers)
    draft.prefilled = [name for name in draft.prefilled if name in form.all_input_names()]
    draft.form_upgraded = True
    _touch(draft)
    db.session.commit()
    return True


def _touch(draft: Draft) -> None:
    now = utcnow()
    draft.updated_at = now
    draft.expires_at = now + DRAFT_LIFETIME


def _clip(value) -> str:
    return str(value if value is not None else "")[:MAX_VALUE_LENGTH]


@dataclass
class StepResult:
    errors: dict[str, str] = field(default_factory=dict)
    profile_errors: dict[str, str] = field(default_factory=dict)
    profile_saved: bool = False


def document_options(user: User, form: Form, *, subject_member_id: int | None = None) -> dict[str, list]:
    """Per document requirement: the citizen's Dokumen Saya of that type, newest first — those marked as the
    subject's (a child's, when applying for the child) before the others."""
    options = {doc["key"]: list_documents(user, DocumentType(doc["document_type"])) for doc in form.documents}
    if subject_member_id is not None:
        for key, documents in options.items():
            options[key] = sorted(documents, key=lambda document: document.family_member_id != subject_member_id)
    return options


def document_errors(user: User, form: Form, answers: dict, *, requested: set[str] = frozenset()) -> dict[str, str]:
    """Every required document chosen, and every chosen one really the citizen's own of the right type.

    ``requested``: slot keys an officer's correction request named — required in this correction."""
    errors = {}
    options = document_options(user, form)
    for doc in form.documents:
        name = f"dokumen.{doc['key']}"
        chosen = answers.get(name) or ""
        own = {str(d.id) for d in options[doc["key"]]}
        if chosen and chosen not in own:
            errors[name] = _("Choose one of your documents, or upload a new one.")
        elif not chosen and (doc["required"] or doc["key"] in requested):
            errors[name] = _("Choose or upload: %(label)s.", label=_doc_label(doc))
    return errors


def location_errors(draft: Draft) -> dict[str, str]:
    mpps = offered_at(draft.service)
    if mpps and draft.mpp_id not in {m.id for m in mpps}:
        return {"mpp": _("Choose the MPP that will handle your application.")}
    return {}


def _doc_label(doc: dict) -> str:
    from .formdefs import text

    return text(doc["label"])


def _apply_step(draft: Draft, step: str, values: dict, files: dict) -> dict[str, str]:
    form = form_of(draft)
    answers = dict(draft.answers)
    errors: dict[str, str] = {}
    if step == LOCATION_STEP:
        slug = values.get("mpp") or ""
        mpp = next((m for m in offered_at(draft.service) if m.slug == slug), None)
        if mpp is not None:
            draft.mpp_id = mpp.id
        errors = {} if mpp is not None else {"mpp": _("Choose the MPP that will handle your application.")}
    elif step == DOCUMENTS_STEP:
        for doc in form.documents:
            name = f"dokumen.{doc['key']}"
            answers[name] = _clip(values.get(name, answers.get(name, "")))
            upload = files.get(f"unggah.{doc['key']}")
            if upload is not None and upload.filename:
                try:
                    stored = store_upload(draft.user, upload, DocumentType(doc["document_type"]))
                except UploadRejected as error:
                    errors[name] = str(getattr(error, "message", error))
                else:
                    answers[name] = str(stored.id)
        draft.answers = answers
        requested = corrections.requested_documents(draft.application)
        errors = {**document_errors(draft.user, form, answers, requested=requested), **errors}
    else:
        step_def = form.step(step)
        prefilled = set(draft.prefilled)
        for key in step_def["fields"]:
            for name in form.input_names(key):
                value = _clip(values.get(name, ""))
                if value != answers.get(name, ""):
                    prefilled.discard(name)
                answers[name] = value
        draft.answers = answers
        draft.prefilled = sorted(prefilled)
        _data, errors = validate(form, answers, only=form.visible_fields(step, answers))
    draft.step = step
    _touch(draft)
    return errors


def save_step(draft: Draft, step: str, values: dict, files: dict | None = None, *, save_to_profile=False) -> StepResult:
    """Keep everything typed on one screen (valid or not), then validate that screen. Commits.

    With ``save_to_profile`` and a valid screen, prefillable answers that differ from Data Saya are saved back
    through Data Saya's own rules; a refusal there is reported, never blocks the application.
    """
    files = files or {}

    def apply() -> dict[str, str]:
        with db.session.no_autoflush:  # one UPDATE, so one revision per save
            errors = _apply_step(draft, step, values, files)
            if not errors:  # "Lanjutkan" from Permohonan Saya opens the first screen not yet done
                keys = step_keys(draft)
                draft.step = keys[min(keys.index(step) + 1, len(keys) - 1)]
        db.session.commit()
        return errors

    try:
        errors = apply()
    except StaleDataError:  # the same draft saved from another device this very moment: apply on top of it
        db.session.rollback()
        db.session.refresh(draft)
        errors = apply()
    result = StepResult(errors=errors)
    if save_to_profile and not errors and form_of(draft).step(step):
        result.profile_errors, result.profile_saved = _save_back(draft, step)
    return result


def saves_to_profile(draft: Draft, key: str) -> bool:
    """Whether field ``key`` describes the citizen themself, so a change may be saved back to their Data Saya:
    a family member's name or NIK must never overwrite the citizen's own."""
    form = form_of(draft)
    if not form.prefill_names(key):
        return False
    person = form.prefill_person(key)
    if person == MEMBER_ONLY:
        return False
    return person == REPORTER or draft.subject_member_id is None


def _save_back(draft: Draft, step: str) -> tuple[dict[str, str], bool]:
    form = form_of(draft)
    current = profile_prefill(draft.user)
    changes, names_by_key = {}, {}
    for key in form.visible_fields(step, draft.answers):
        if not saves_to_profile(draft, key):
            continue
        for name, profile_key in form.prefill_names(key).items():
            value = draft.answers.get(name, "")
            if value != (current.get(profile_key) or ""):
                changes[profile_key] = value
                names_by_key[profile_key] = name
    if not changes:
        return {}, False
    check = update_profile_fields(draft.user, changes)
    if not check.ok:
        return {names_by_key[key]: message for key, message in check.errors.items() if key in names_by_key}, False
    draft.prefilled = sorted(set(draft.prefilled) | set(names_by_key.values()))
    db.session.commit()
    return {}, True


@dataclass
class SyncResult:
    outcome: str  # "saved" | "replayed" | "conflict" | "submitted"
    draft: Draft
    clashes: list[str] = field(default_factory=list)  # on "conflict": the answers changed on both sides


def client_digest(base_revision: int, answers: dict, step: str, base: dict | None = None) -> str:
    payload = {"base": base_revision, "answers": answers, "step": step}
    if base is not None:
        payload["started_from"] = base
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def _applicable(form: Form, answers: dict) -> dict[str, str]:
    """The device's answers the form knows, as the server keeps them (clipped strings)."""
    known = form.all_input_names()
    return {
        name: _clip(value)
        for name, value in answers.items()
        if name in known and isinstance(value, str | int | float | bool | None)
    }


def clashing_answers(draft: Draft, *, base_revision: int, answers: dict, base: dict | None) -> list[str]:
    """The device's answers that the account ALSO changed, to something else, since the device's copy.

    A device sends the answers it edited and, per answer, the value it started from (``base``). An answer is a
    clash only when the account's value is neither the device's new value (both agree) nor its starting value
    (then only this device changed it). Without a starting value (an older device copy) the revision decides:
    unchanged since the device's copy → no clash; else any different value is one. So a device that never saw a
    revision — a step posted as a plain form, answers it never showed (the documents) — is never told the draft
    was changed elsewhere when it was not.
    """
    if base_revision == draft.revision:
        return []
    base = base or {}
    clashes = []
    for name, value in _applicable(form_of(draft), answers).items():
        current = draft.answers.get(name, "")
        if current == value:
            continue
        if name in base and isinstance(base[name], str | int | float | bool | None) and current == _clip(base[name]):
            continue
        clashes.append(name)
    return sorted(clashes)


def sync_draft(
    draft: Draft, *, base_revision: int, answers: dict, step: str | None, base: dict | None = None
) -> SyncResult:
    """Apply a device's edits made from ``base_revision`` (``answers``, each with the value it had before in
    ``base``). Commits.

    - the same payload sent again (Background Sync and the `online` handler both fire) → "replayed", no change;
    - no answer clashes (see ``clashing_answers``) → "saved": the edits are merged into the account's copy,
      answer by answer; the revision goes up only when something changed;
    - else → "conflict": another device or session changed the same answers; the device gets the server copy and
      the clashing names and must show the citizen which to keep. Nothing is overwritten.
    """
    if draft.submitted_application_id is not None:
        return SyncResult("submitted", draft)
    digest = client_digest(base_revision, answers, step or "", base)
    if draft.last_client_digest == digest and draft.revision > base_revision:
        return SyncResult("replayed", draft)
    for attempt in range(2):
        clashes = clashing_answers(draft, base_revision=base_revision, answers=answers, base=base)
        if clashes:
            return SyncResult("conflict", draft, clashes)
        with db.session.no_autoflush:  # one UPDATE, so one revision per save
            changed = _merge_sync(draft, digest, answers, step)
        if not changed:
            return SyncResult("saved", draft)
        try:
            db.session.commit()
        except StaleDataError:  # another device saved between our read and our write: check again on its copy
            db.session.rollback()
            db.session.refresh(draft)
            if attempt:
                return SyncResult("conflict", draft, sorted(_applicable(form_of(draft), answers)))
            continue
        return SyncResult("saved", draft)
    raise AssertionError("unreachable")


def _merge_sync(draft: Draft, digest: str, answers: dict, step: str | None) -> bool:
    """Merge the device's answers into the draft (not committed). Returns whether anything changed."""
    merged = dict(draft.answers)
    changed = set()
    for name, value in _applicable(form_of(draft), answers).items():
        if merged.get(name, "") != value:
            changed.add(name)
        merged[name] = value
    moved = bool(step and step in step_keys(draft) and draft.step != step)
    if not changed and not moved:
        return False
    draft.answers = merged
    draft.prefilled = sorted(set(draft.prefilled) - changed)
    if moved:
        draft.step = step
    draft.last_client_digest = digest
    _touch(draft)
    return True


def delete_draft(draft: Draft) -> None:
    db.session.delete(draft)
    db.session.commit()


def purge_expired(*, now: dt.datetime | None = None) -> int:
    """Delete drafts past their expiry — run daily. Submitted drafts live as long, to answer late replays."""
    now = now or utcnow()
    result = db.session.execute(
        delete(Draft).where(Draft.expires_at <= now).execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount


def draft_as_json(draft: Draft) -> dict:
    return {
        "id": draft.public_id,
        "service": draft.service.slug,
        "form_version": draft.form_definition.version,
        "revision": draft.revision,
        "step": draft.step,
        "answers": draft.answers,
        "mpp": draft.mpp.slug if draft.mpp else None,
        "updated_at": draft.updated_at.isoformat(),
        "expires_at": draft.expires_at.isoformat(),
        "submitted": draft.submitted_application_id is not None,
    }
