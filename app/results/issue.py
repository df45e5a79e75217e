"""Issuing a result document and checking it: the use cases behind completion, /verifikasi and revocation.

The back office's ``casework.complete_application`` owns the completion transaction and stores the file; this
module gives it the file to store (``issue_result``) and adds the verification row to the same transaction, so a
completion that fails leaves neither a code nor a document behind.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from urllib.parse import quote

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..accounts.models import User
from ..applications.models import Application, ApplicationStatus
from ..applications.workdays import local_date
from ..backoffice import audit
from ..backoffice.models import AuditAction, ResultDocument
from ..database import utcnow
from ..errors import UserFacingError
from ..extensions import db
from ..personal.uploads import CleanFile, UploadRejected, inspect_upload
from . import codes, pdf
from .models import ResultVerification, VerificationStatus

REVOKE_REASON_MAX = 500
MSG_REVOKE_REASON = _l("Give the reason for revoking the document.")
MSG_REVOKE_REASON_LONG = _l("The reason is too long (at most %(max)d characters).", max=REVOKE_REASON_MAX)
MSG_ALREADY_REVOKED = _l("This document has already been revoked.")
MSG_PDF_NOT_EXTENDABLE = _l(
    "The verification page could not be added to this PDF. Save the document as a new PDF and upload it again."
)


class RevokeInvalid(UserFacingError, ValueError):
    """The result cannot be revoked as asked; ``message`` is shown next to the field."""


def mask_name(name: str) -> str:
    """ "Budi Santoso" → "B*** S******": enough to match the paper in one's hand, not enough to learn the name."""
    words = (name or "").split()
    return " ".join(word[0] + "*" * (len(word) - 1) for word in words)[:120] or "*"


def holder_name(application: Application) -> str:
    """The name as the citizen submitted it on the form (what the agency issued to), else the account's name."""
    data = application.latest_revision.data if application.revisions else {}
    name = data.get("nama") if isinstance(data, dict) else None
    return name.strip() if isinstance(name, str) and name.strip() else application.user.display_name


def verify_url(code: str) -> str:
    origin = current_app.config["PUBLIC_ORIGIN"].rstrip("/")
    return f"{origin}/verifikasi/{quote(codes.display(code))}"


def _unused_code() -> str:
    # 97 bits make a collision practically impossible; the unique constraint is the real guard.
    while True:
        code = codes.new_code()
        if db.session.scalar(select(ResultVerification.id).where(ResultVerification.code == code)) is None:
            return code


def content_for(application: Application, code: str) -> pdf.ResultContent:
    tz_name = application.mpp.timezone if application.mpp else None
    return pdf.ResultContent(
        service=application.service.name,
        agency=application.service.agency.name,
        mpp=application.mpp.name if application.mpp else None,
        tracking_number=application.tracking_number,
        holder_name=holder_name(application),
        issued_on=local_date(utcnow(), tz_name),
        code_display=codes.display(code),
        verify_url=verify_url(code),
    )


def issue_result(application: Application, *, actor: User, uploaded: CleanFile | None = None) -> CleanFile:
    """The result PDF to store for ``application``, carrying a new verification code and its QR code.

    Without ``uploaded``: a generated *Bukti Penyelesaian Layanan*. With the agency's own PDF (already checked by
    the uploads module): that PDF with one verification page appended. Adds the ``ResultVerification`` row to
    the session (no commit: the caller's completion transaction owns it). ``actor`` is the issuing officer.
    Raises UploadRejected when the uploaded PDF cannot take the extra page.
    """
    existing = db.session.scalar(select(ResultVerification).where(ResultVerification.application_id == application.id))
    if existing is not None:  # a re-issue (e.g. a corrected upload) gets a new code; the old one stops verifying
        db.session.delete(existing)
        db.session.flush()
    code = _unused_code()
    content = content_for(application, code)
    qr = pdf.qr_for(content.verify_url)
    if uploaded is None:
        data = pdf.render_result(content, qr)
    else:
        try:
            data = pdf.append_pages(uploaded.data, pdf.verification_page(content, qr))
        except pdf.PdfUnusable:
            raise UploadRejected(MSG_PDF_NOT_EXTENDABLE) from None
    db.session.add(
        ResultVerification(
            code=code,
            application_id=application.id,
            status=VerificationStatus.VALID,
            service_name=content.service[:200],
            agency_name=content.agency[:200],
            mpp_name=(content.mpp or None) and content.mpp[:160],
            holder_masked=mask_name(content.holder_name),
            issued_on=content.issued_on,
        )
    )
    return CleanFile(
        data=data, content_type="application/pdf", extension="pdf", sha256=hashlib.sha256(data).hexdigest()
    )


def check_pdf(data: bytes) -> CleanFile:
    """An uploaded agency PDF, checked like every upload. Raises UploadRejected."""
    clean = inspect_upload(data)
    if clean.content_type != "application/pdf":
        raise UploadRejected(_l("The result must be a PDF file."))
    return clean


def find_verification(raw_code: str | None) -> ResultVerification | None:
    """The verification row for a typed or scanned code — only for a completed application; else None."""
    code = codes.normalize(raw_code)
    if code is None:
        return None
    found = db.session.scalar(select(ResultVerification).where(ResultVerification.code == code))
    if found is None or found.application.status != ApplicationStatus.COMPLETED:
        return None
    return found


def verification_of(application: Application) -> ResultVerification | None:
    return db.session.scalar(select(ResultVerification).where(ResultVerification.application_id == application.id))


@dataclass(frozen=True)
class ResultSummary:
    """What the application pages (the applicant's and the officer's) say about a completed application's result."""

    code_display: str | None  # None for a result stored before every result carried a code
    revoked: bool
    revoked_at: dt.datetime | None


def result_summary(application: Application) -> ResultSummary | None:
    """The result of ``application`` — None while it is not completed or has no stored file. The caller has
    already checked that the viewer may see the application (its owner, or staff in scope)."""
    if application.status != ApplicationStatus.COMPLETED:
        return None
    stored = db.session.scalar(select(ResultDocument.id).where(ResultDocument.application_id == application.id))
    if stored is None:
        return None
    verification = verification_of(application)
    if verification is None:
        return ResultSummary(code_display=None, revoked=False, revoked_at=None)
    return ResultSummary(
        code_display=codes.display(verification.code),
        revoked=verification.status == VerificationStatus.REVOKED,
        revoked_at=verification.revoked_at,
    )


def revoke(verification: ResultVerification, *, actor: User, reason: str | None) -> None:
    """Mark an issued document as revoked (e.g. issued in error). The public page says so from then on; commits."""
    reason = (reason or "").strip()
    if not reason:
        raise RevokeInvalid(MSG_REVOKE_REASON)
    if len(reason) > REVOKE_REASON_MAX:
        raise RevokeInvalid(MSG_REVOKE_REASON_LONG)
    if verification.status == VerificationStatus.REVOKED:
        raise RevokeInvalid(MSG_ALREADY_REVOKED)
    verification.status = VerificationStatus.REVOKED
    verification.revoked_at = utcnow()
    verification.revoked_reason = reason
    audit.record(
        actor=actor,
        action=AuditAction.RESULT_REVOKED,
        mpp_id=verification.application.mpp_id,
        application=verification.application,
        object_type="verification",
        object_id=verification.id,
        reason=reason,
    )
    db.session.commit()
