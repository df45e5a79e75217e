"""What an agency system does over the API, as use cases over the back office's own functions.

Reading, moving and completing an application go through ``backoffice.casework`` — the functions behind the officer
screen — with the token's ``Scope`` (officer of its agency at its MPPs). The state machine (applications/workflow.py),
its reasons and optimistic version, the audit entry (naming the token's system user), Riwayat akses (naming the
agency system) and the citizen's notification are therefore the same, by construction, for a person and a machine.
"""

from __future__ import annotations

import hashlib
import json

from flask import current_app, url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..applications import workflow
from ..applications.models import Application, ApplicationStatus
from ..backoffice import casework
from ..backoffice.scope import Scope
from ..database import utcnow
from ..extensions import db
from ..personal.models import Document
from ..personal.uploads import CleanFile, UploadRejected, inspect_upload
from ..results.issue import result_summary
from . import changes
from .models import ApiToken, ApplicationChange, IdempotencyRecord
from .problems import Problem

DOCUMENT_URL_TTL = 300  # seconds a signed document link works: enough to fetch, too short to share around
PURPOSE = casework.PURPOSE
MAX_IDEMPOTENCY_KEY = 128


# --- reading -------------------------------------------------------------------------------------------------------


def application_summary(application: Application, seq: int | None = None) -> dict:
    return {
        "number": application.tracking_number,
        "status": application.status.value,
        "version": application.version,
        "service": application.service.slug,
        "mpp": application.mpp.slug if application.mpp else None,
        "submitted_at": application.submitted_at.isoformat(),
        "due_date": application.due_date.isoformat() if application.due_date else None,
        "updated_at": application.updated_at.isoformat(),
        "change_cursor": changes.encode_cursor(seq) if seq is not None else None,
    }


def list_changed(scope: Scope, *, cursor: str | None, limit: int) -> dict:
    """One page of the gap-free walk (changes.py). Lists numbers and statuses only: no personal data, so no
    Riwayat akses row — that is written when an application's data is fetched."""
    try:
        after = changes.decode_cursor(cursor)
    except changes.InvalidCursor:
        raise Problem(
            "kursor-tidak-valid", _("Use the next_cursor of a previous answer, or no cursor to start.")
        ) from None
    page = changes.changed_since(scope.application_filter(), after, limit)
    return {
        "data": [_summary_of_row(row) for row in page.rows],
        "next_cursor": changes.encode_cursor(page.next_seq),
        "has_more": page.has_more,
    }


def _summary_of_row(row) -> dict:
    """application_summary from the columns the change listing selects (no ORM objects: a page is 100 rows)."""
    return {
        "number": row.number,
        "status": ApplicationStatus(row.status).value,
        "version": row.version,
        "service": row.service,
        "mpp": row.mpp,
        "submitted_at": row.submitted_at.isoformat(),
        "due_date": row.due_date.isoformat() if row.due_date else None,
        "updated_at": row.updated_at.isoformat(),
        "change_cursor": changes.encode_cursor(row.seq),
    }


def find_application(scope: Scope, number: str) -> Application:
    """In scope or 404 — another agency's (or MPP's) application is answered exactly like one that does not exist."""
    application = scope.find_application(number) if len(number) <= 40 else None
    if application is None:
        raise Problem("tidak-ditemukan", _("No application with this number for this token."))
    return application


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="api-document-link")


def application_detail(scope: Scope, token: ApiToken, application: Application) -> dict:
    """The application with its answers and documents. Recorded on the citizen's Riwayat akses first."""
    casework.open_application(scope, application)  # Riwayat akses, naming the agency system; commits
    revision = application.latest_revision
    documents = []
    for row in casework.attached_documents(application):
        document: Document | None = row["document"]
        link = None
        if document is not None:
            signed = _serializer().dumps([token.id, application.id, document.id])
            link = url_for("api.document_download", signed=signed, _external=False)
        documents.append(
            {
                "key": row["key"],
                "label": str(row["label"]),
                "document_type": document.document_type.value if document else None,
                "content_type": document.content_type if document else None,
                "size": document.size if document else None,
                "sha256": document.sha256 if document else None,
                "url": link,
                "url_expires_in": DOCUMENT_URL_TTL if link else None,
            }
        )
    seq = db.session.scalar(select(ApplicationChange.seq).where(ApplicationChange.application_id == application.id))
    result = result_summary(application)
    return {
        **application_summary(application, seq),
        "service_name": application.service.name,
        "revision": revision.number,
        "answers": revision.data,
        "documents": documents,
        "events": [
            {
                "from": event.from_status.value,
                "to": event.to_status.value,
                "by": event.actor_role,
                "reason": event.reason,
                "at": event.created_at.isoformat(),
            }
            for event in application.events
        ],
        "result": {"verification_code": result.code_display, "revoked": result.revoked} if result else None,
    }


def open_signed_document(signed: str, scope_for) -> tuple[Document, ApiToken]:
    """The document a signed link names, if the link is fresh and its token still live and in scope; the read is
    logged on the citizen's Riwayat akses and the audit log (casework.open_document). Raises Problem."""
    try:
        token_id, application_id, document_id = _serializer().loads(signed, max_age=DOCUMENT_URL_TTL)
    except SignatureExpired:
        raise Problem("tidak-ditemukan", _("This document link has expired. Fetch the application again.")) from None
    except (BadSignature, ValueError, TypeError):
        raise Problem("tidak-ditemukan") from None
    token = db.session.get(ApiToken, int(token_id))
    if token is None or not token.is_live(utcnow()):
        raise Problem("tidak-ditemukan")
    scope = scope_for(token)
    application = db.session.get(Application, int(application_id))
    if application is None or not scope.sees(application):
        raise Problem("tidak-ditemukan")
    document = casework.open_document(scope, application, int(document_id))
    if document is None:
        raise Problem("tidak-ditemukan")
    return document, token


# --- writing -------------------------------------------------------------------------------------------------------

# What the API accepts as a target status (selesai needs a result document: POST …/result).
TRANSITION_TARGETS = {
    ApplicationStatus.VERIFIED: "verifikasi",
    ApplicationStatus.IN_PROCESS: "proses",
    ApplicationStatus.NEEDS_CORRECTION: "perbaikan",
    ApplicationStatus.REJECTED: "tolak",
}


def fingerprint(*parts: bytes | str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part if isinstance(part, bytes) else part.encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    return digest.hexdigest()


def replayed(token: ApiToken, key: str, print_: str) -> IdempotencyRecord | None:
    """The stored answer for this key, or None. The same key with another request is a 409."""
    record = db.session.scalar(
        select(IdempotencyRecord).where(IdempotencyRecord.token_id == token.id, IdempotencyRecord.key == key)
    )
    if record is not None and record.fingerprint != print_:
        raise Problem("kunci-idempotensi-dipakai", _("This Idempotency-Key was already used for a different request."))
    return record


def remember(token: ApiToken, key: str, print_: str, status: int, body: dict) -> None:
    """Store the answer in its own small transaction. Two concurrent retries: the database keeps one."""
    db.session.add(IdempotencyRecord(token_id=token.id, key=key, fingerprint=print_, status_code=status, body=body))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()


def transition(scope: Scope, application: Application, *, to: str, reason: str | None, expected_version: int) -> dict:
    """Move the application through THE workflow, as the officer screen does (casework.act)."""
    try:
        target = ApplicationStatus(to)
    except ValueError:
        target = None
    if target == ApplicationStatus.COMPLETED:
        raise Problem(
            "tidak-dapat-diproses",
            _("Completing needs the result document: send it to /api/v1/applications/{number}/result."),
            errors={"to": _("Send the result document to complete.")},
        )
    action = TRANSITION_TARGETS.get(target) if target else None
    if action is None:
        raise Problem(
            "tidak-dapat-diproses",
            _("Unknown target status."),
            errors={"to": _("One of: %(values)s.", values=", ".join(s.value for s in TRANSITION_TARGETS))},
        )
    try:
        casework.act(scope, application, action, expected_version=expected_version, reason=reason)
    except workflow.TransitionConflict as conflict:
        db.session.rollback()
        raise Problem("konflik-versi", str(conflict.message)) from None
    except workflow.TransitionRefused as refused:
        db.session.rollback()
        raise Problem("transisi-ditolak", str(refused.message)) from None
    except casework.ActionInvalid as invalid:
        db.session.rollback()
        raise Problem(
            "tidak-dapat-diproses", str(invalid.message), errors={invalid.field: str(invalid.message)}
        ) from None
    db.session.refresh(application)
    return application_summary(application, _seq(application))


def complete_with_result(
    scope: Scope, application: Application, *, data: bytes, expected_version: int, note: str | None
) -> dict:
    """diproses → selesai with the agency's PDF: casework.complete_application appends the verification page with
    its code and QR, exactly as for an officer's upload."""
    try:
        clean: CleanFile = inspect_upload(data)
    except UploadRejected as rejected:
        raise Problem("tidak-dapat-diproses", str(rejected.message), errors={"file": str(rejected.message)}) from None
    if clean.content_type != "application/pdf":
        raise Problem("jenis-konten-salah", str(casework.MSG_RESULT_PDF))
    if expected_version != application.version:
        raise Problem("konflik-versi", str(workflow.TransitionConflict().message))
    if not scope.may_act(application):
        raise Problem("tidak-ditemukan")
    try:
        casework.complete_application(scope, application, expected_version=expected_version, result=clean, note=note)
    except workflow.TransitionConflict as conflict:
        raise Problem("konflik-versi", str(conflict.message)) from None
    except workflow.TransitionRefused as refused:
        raise Problem("transisi-ditolak", str(refused.message)) from None
    except casework.ActionInvalid as invalid:
        raise Problem(
            "tidak-dapat-diproses", str(invalid.message), errors={invalid.field: str(invalid.message)}
        ) from None
    db.session.refresh(application)
    summary = application_summary(application, _seq(application))
    result = result_summary(application)
    return {
        **summary,
        "result": {"verification_code": result.code_display, "revoked": result.revoked} if result else None,
    }


def _seq(application: Application) -> int | None:
    return db.session.scalar(select(ApplicationChange.seq).where(ApplicationChange.application_id == application.id))


def canonical_json(data) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
