"""Working an application: open it (Riwayat akses), tick the checklist, and move it through the workflow.

Every function here owns its transaction: the workflow change, the audit entry, the result document row and — via
the ``status_changed`` listener — the applicant's notification and outbox row are committed together or not at
all. Routes pass plain values; they never decide what is allowed.
"""

from __future__ import annotations

import io
import logging
import secrets
from dataclasses import dataclass
from typing import BinaryIO

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.exc import OperationalError

from ..applications import corrections, on_behalf, workflow
from ..applications.formdefs import Form, text
from ..applications.models import Application, ApplicationStatus
from ..errors import UserFacingError
from ..extensions import db
from ..personal.documents import DOCUMENT_TYPE_LABELS, pinned_version
from ..personal.models import Document
from ..personal.privacy import record_access
from ..personal.uploads import CleanFile, UploadRejected, inspect_upload, read_limited
from ..results.issue import issue_result
from ..storage import storage
from . import audit
from .models import AuditAction, ChecklistTick, ResultDocument, ResultSource
from .scope import Scope

log = logging.getLogger(__name__)
S = ApplicationStatus

PURPOSE = "Memproses permohonan"  # the purpose shown on the citizen's Riwayat akses (UU 27/2022 Pasal 16)


@dataclass(frozen=True)
class Action:
    name: str  # the form value
    to_status: ApplicationStatus
    label: object
    reason_required: bool = False
    danger: bool = False


# The officer's actions, in the order they are offered. Which are allowed right now comes from workflow.py only.
ACTIONS: dict[str, Action] = {
    action.name: action
    for action in (
        Action("verifikasi", S.VERIFIED, _l("Verify: data and documents are complete")),
        Action("proses", S.IN_PROCESS, _l("Start processing")),
        Action("selesai", S.COMPLETED, _l("Complete and attach the result")),
        Action("perbaikan", S.NEEDS_CORRECTION, _l("Ask the applicant for a correction"), reason_required=True),
        Action("tolak", S.REJECTED, _l("Reject"), reason_required=True, danger=True),
    )
}

# How the officer provides the result on "Selesaikan" (the form's ``hasil_cara`` radio values).
RESULT_GENERATE = "buat"  # MPP Digital writes a Bukti Penyelesaian Layanan
RESULT_UPLOAD = "unggah"  # the agency's own PDF, with a verification page appended
RESULT_CHOICES = (RESULT_GENERATE, RESULT_UPLOAD)

MSG_UNKNOWN_ACTION = _l("Choose one of the actions offered.")
MSG_RESULT_CHOICE = _l("Choose whether to generate the result document or upload the agency's document.")
MSG_RESULT_REQUIRED = _l("Choose the agency's result document (PDF) to upload.")
MSG_RESULT_NOT_WANTED = _l(
    "You chose to generate the result document but also attached a file. "
    "Choose “Upload the document from the agency” to use the file."
)
MSG_RESULT_PDF = _l("The result document must be a PDF.")
MSG_NOT_YOURS = _l("Only an officer of this agency at this MPP can act on this application.")


class ActionInvalid(UserFacingError):
    """The officer's input cannot be used. ``field`` says where to show ``message`` (``reason``, ``result``, …)."""

    def __init__(self, field: str, message) -> None:
        super().__init__(message)
        self.field = field


# --- reading -------------------------------------------------------------------------------------------------------


def open_application(scope: Scope, application: Application) -> None:
    """Record on the citizen's Riwayat akses that this staff member opened the application's data, then commit."""
    details = dict(
        what=f"Data permohonan {application.tracking_number}",
        purpose=PURPOSE,
        agency=application.service.agency.name,
        timezone=application.mpp.timezone if application.mpp else None,
    )
    record_access(subject=application.user, actor=scope.user, **details)
    on_behalf.record_read_for_subject(application, scope.user, **details)  # a linked family member's, too
    db.session.commit()


def attached_documents(application: Application) -> list[dict]:
    """The documents of the latest revision: requirement label, and the Dokumen Saya row if it still exists."""
    revision = application.latest_revision
    form = Form(revision.form_definition.definition)
    ids = {int(value) for value in revision.documents.values()}
    found = {
        document.id: document
        for document in db.session.scalars(
            select(Document).where(Document.id.in_(sorted(ids)), Document.user_id == application.user_id)
        )
    } if ids else {}  # fmt: skip
    rows = []
    for spec in form.documents:
        document_id = revision.documents.get(spec["key"])
        document = found.get(int(document_id)) if document_id is not None else None
        # The file it was submitted with, not what Dokumen Saya holds today (issue 9): its type and SHA-256.
        shown = (pinned_version(application, document.id) or document) if document is not None else None
        rows.append(
            {
                "key": spec["key"],
                "label": text(spec["label"]),
                "document": document,
                "extension": shown.extension if shown else None,
                "sha256": shown.sha256 if shown else None,
            }
        )
    return rows


def open_document(scope: Scope, application: Application, document_id: int) -> Document | None:
    """A document the applicant attached to THIS application (any revision), with the read logged; else None."""
    attached = {int(value) for revision in application.revisions for value in revision.documents.values()}
    if document_id not in attached:
        return None
    document = db.session.scalar(
        select(Document).where(Document.id == document_id, Document.user_id == application.user_id)
    )
    if document is None:
        return None
    details = dict(
        what=f"{_document_name(application, document)} (permohonan {application.tracking_number})",
        purpose=PURPOSE,
        agency=application.service.agency.name,
        timezone=application.mpp.timezone if application.mpp else None,
    )
    record_access(subject=application.user, actor=scope.user, **details)
    on_behalf.record_read_for_subject(application, scope.user, **details)  # a linked family member's, too
    audit.record(
        actor=scope.user,
        action=AuditAction.DOCUMENT_OPENED,
        mpp_id=application.mpp_id,
        application=application,
        object_type="document",
        object_id=document.id,
    )
    db.session.commit()
    return pinned_version(application, document.id) or document  # the bytes it was submitted with (issue 9)


def _document_name(application: Application, document: Document) -> str:
    """The document as the citizen knows it — the requirement it was attached for ("KTP-el orang tua atau
    pelapor"), in Indonesian like the rest of Riwayat akses — never a code such as ``surat_keterangan_lahir``."""
    for revision in reversed(application.revisions):
        for key, value in revision.documents.items():
            if str(value) == str(document.id):
                spec = next(
                    (d for d in revision.form_definition.definition.get("documents", []) if d["key"] == key), None
                )
                if spec is not None:
                    return spec["label"].get("id") or spec["label"].get("en") or key
    return str(DOCUMENT_TYPE_LABELS.get(document.document_type, document.document_type.value))


# --- checklist -----------------------------------------------------------------------------------------------------


def checklist(application: Application) -> list[dict]:
    ticked = set(
        db.session.scalars(select(ChecklistTick.requirement_id).where(ChecklistTick.application_id == application.id))
    )
    return [
        {"requirement": requirement, "ticked": requirement.id in ticked}
        for requirement in sorted(application.service.requirements, key=lambda r: r.position)
    ]


def save_checklist(scope: Scope, application: Application, ticked_ids: set[int]) -> None:
    """Store which requirements are met. Ids of another service's requirements are ignored, not trusted."""
    if not scope.may_act(application):
        raise ActionInvalid("checklist", MSG_NOT_YOURS)
    own = {requirement.id for requirement in application.service.requirements}
    wanted = ticked_ids & own
    current = set(
        db.session.scalars(select(ChecklistTick.requirement_id).where(ChecklistTick.application_id == application.id))
    )
    if wanted == current:
        return
    removed = current - wanted
    if removed:
        db.session.execute(
            delete(ChecklistTick).where(
                ChecklistTick.application_id == application.id, ChecklistTick.requirement_id.in_(sorted(removed))
            )
        )
    for requirement_id in sorted(wanted - current):
        db.session.add(
            ChecklistTick(application_id=application.id, requirement_id=requirement_id, checked_by_id=scope.user.id)
        )
    audit.record(
        actor=scope.user,
        action=AuditAction.CHECKLIST,
        mpp_id=application.mpp_id,
        application=application,
        reason=f"{len(wanted)}/{len(own)} terpenuhi",
    )
    db.session.commit()


# --- the workflow ----------------------------------------------------------------------------------------------------


def allowed_actions(scope: Scope, application: Application) -> list[Action]:
    """The actions to offer: in scope to act AND allowed by the state machine from the current status."""
    if not scope.may_act(application):
        return []
    return [
        action
        for action in ACTIONS.values()
        if workflow.can_transition(application, action.to_status, actor=scope.user)
    ]


def act(
    scope: Scope,
    application: Application,
    action_name: str,
    *,
    expected_version: int | None,
    reason: str | None = None,
    result_choice: str | None = None,
    result_file=None,
    correction_target: str | None = None,
) -> None:
    """Apply one officer action. Raises ActionInvalid (field error), workflow.TransitionRefused (not allowed now)
    or workflow.TransitionConflict (someone else changed the application since the page was rendered).

    Completing (``selesai``) needs ``result_choice``: ``RESULT_GENERATE`` or ``RESULT_UPLOAD`` with a PDF in
    ``result_file``. Without a choice, an attached file means upload (a form posted by an older page).

    A correction request (``perbaikan``) may point at one screen or document slot of the form
    (``correction_target``, see applications/corrections.py); the citizen's "Perbaiki" opens it."""
    action = ACTIONS.get(action_name)
    if action is None:
        raise ActionInvalid("action", MSG_UNKNOWN_ACTION)
    if not scope.may_act(application):
        raise workflow.TransitionRefused(MSG_NOT_YOURS)
    if expected_version is not None and expected_version != application.version:
        raise workflow.TransitionConflict()  # decided on a stale page: say so before judging the input
    reason = (reason or "").strip() or None
    if action.reason_required:
        message = workflow.refusal(application, action.to_status, actor=scope.user, reason=reason)
        if message is not None and workflow.can_transition(application, action.to_status, actor=scope.user):
            raise ActionInvalid("reason", message)  # allowed move, but the reason is missing or too long
    if action.to_status == S.COMPLETED:
        generate, result = _result_input(scope, application, result_choice, result_file)
        complete_application(
            scope, application, expected_version=expected_version, result=result, generate=generate, note=reason
        )
        return
    target = None
    if action.to_status == S.NEEDS_CORRECTION:
        target = corrections.clean_target(corrections.correction_form(application), correction_target)
    event = _transition(scope, application, action.to_status, expected_version=expected_version, reason=reason)
    event.correction_target = target
    db.session.commit()


def _result_input(scope: Scope, application: Application, choice: str | None, file) -> tuple[bool, CleanFile | None]:
    """(generate?, uploaded PDF) from the officer's choice. The choice is judged only when the move itself is
    allowed, so a page for a wrong state still gets the state machine's reason rather than a field error."""
    if not workflow.can_transition(application, S.COMPLETED, actor=scope.user):
        return False, None
    attached = file is not None and bool(getattr(file, "filename", ""))
    choice = (choice or "").strip()
    if not choice and attached:
        choice = RESULT_UPLOAD
    if choice not in RESULT_CHOICES:
        raise ActionInvalid("result_choice", MSG_RESULT_CHOICE)
    if choice == RESULT_GENERATE:
        if attached:
            raise ActionInvalid("result_choice", MSG_RESULT_NOT_WANTED)
        return True, None
    result = read_result(file)
    if result is None:
        raise ActionInvalid("result", MSG_RESULT_REQUIRED)
    return False, result


def read_result(file) -> CleanFile | None:
    """The uploaded result document, checked like every upload; only a PDF is a result. None when no file came."""
    if file is None or not getattr(file, "filename", ""):
        return None
    try:
        clean = inspect_upload(read_limited(file.stream))
    except UploadRejected as rejected:
        raise ActionInvalid("result", rejected.message) from None
    if clean.content_type != "application/pdf":
        raise ActionInvalid("result", MSG_RESULT_PDF)
    return clean


def complete_application(
    scope: Scope,
    application: Application,
    *,
    expected_version: int | None,
    result: CleanFile | None = None,
    generate: bool = False,
    note: str | None = None,
) -> ResultDocument:
    """diproses → selesai with its result document, in ONE transaction: the transition (and, via its listener, the
    applicant's notification and outbox row), the stored result, its verification row and the audit entries.

    ``result`` is the agency's own PDF: ``issue_result`` appends a page with the verification code and QR, so an
    uploaded document can be checked at /verifikasi like a generated one. ``generate=True`` (and no ``result``)
    has ``issue_result`` write a *Bukti Penyelesaian Layanan* instead.

    The file is written just before the commit and removed again if anything fails, so no orphan file, code or
    status change is ever left behind; any failure rolls the whole session back before it propagates.
    """
    # Asked for only when the move itself is allowed, so a wrong state still gets the state machine's reason.
    if result is None and not generate and workflow.can_transition(application, S.COMPLETED, actor=scope.user):
        raise ActionInvalid("result", MSG_RESULT_REQUIRED)
    stored = None
    try:
        # The transition first: a stale page or a refused move must not leave a verification code in the session.
        _transition(scope, application, S.COMPLETED, expected_version=expected_version, reason=note)
        try:
            issued = issue_result(application, actor=scope.user, uploaded=result)
        except UploadRejected as rejected:  # an agency PDF that passed the upload checks but cannot be extended
            raise ActionInvalid("result", rejected.message) from None
        storage_name = f"{secrets.token_hex(16)}.pdf"
        document = ResultDocument(
            application_id=application.id,
            source=ResultSource.UPLOADED if result is not None else ResultSource.GENERATED,
            storage_name=storage_name,
            content_type=issued.content_type,
            size=issued.size,
            sha256=issued.sha256,
            created_by_id=scope.user.id,
        )
        db.session.add(document)
        db.session.flush()
        audit.record(
            actor=scope.user,
            action=AuditAction.RESULT_ATTACHED,
            mpp_id=application.mpp_id,
            application=application,
            object_type="result",
            object_id=document.id,
            reason=document.source.value,
        )
        stored = result_name(document)
        storage().put(stored, issued.data)
        db.session.commit()
    except Exception:
        db.session.rollback()
        if stored is not None:
            storage().delete(stored)
        raise
    return document


def result_of(application: Application) -> ResultDocument | None:
    return db.session.scalar(select(ResultDocument).where(ResultDocument.application_id == application.id))


def result_name(document: ResultDocument) -> str:
    """The result PDF's name in the upload store (app/storage.py): its own folder, apart from citizens' files."""
    return f"hasil/{document.storage_name}"


def open_result(document: ResultDocument) -> BinaryIO:
    """The result PDF's bytes, checked against the size and SHA-256 recorded when it was issued."""
    return io.BytesIO(storage().read(result_name(document), size=document.size, sha256=document.sha256))


def _transition(
    scope: Scope,
    application: Application,
    to_status: ApplicationStatus,
    *,
    expected_version: int | None,
    reason: str | None,
):
    """The one state machine, plus the audit entry, in the caller's transaction. A database lock timeout while
    another officer's transaction holds the row is a conflict too: they acted first."""
    from_status = application.status
    mpp_id, application_id = application.mpp_id, application.id
    try:
        event = workflow.transition(
            application, to_status, actor=scope.user, reason=reason, expected_version=expected_version
        )
    except OperationalError:
        db.session.rollback()
        log.warning("transition lock timeout application=%s", application_id)
        raise workflow.TransitionConflict() from None
    audit.record(
        actor=scope.user,
        action=AuditAction.TRANSITION,
        mpp_id=mpp_id,
        application=application,
        object_type="status_event",
        object_id=event.id,
        from_status=from_status,
        to_status=to_status,
        reason=event.reason,
    )
    return event


def requirement_ids(values: list[str]) -> set[int]:
    return {int(value) for value in values if value.isdigit() and len(value) < 10}
