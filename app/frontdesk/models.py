"""An assisted application (the front desk's side of one application) and the short code a citizen's phone shows.

The application itself is an ordinary draft and, once confirmed, an ordinary ``Application`` owned by the citizen;
this row records who helped, where, how the citizen was identified and how they confirmed the declaration.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..applications.models import Application, Draft
from ..catalog.models import Mpp, Service
from ..database import UTCDateTime, created_at, int_pk, str_enum, utcnow
from ..extensions import db


class AssistStatus(enum.StrEnum):
    IDENTIFYING = "identifikasi"  # the citizen's account is not yet found or created
    FILLING = "mengisi"  # the form is being filled in with the citizen at the counter
    AWAITING_CITIZEN = "menunggu_konfirmasi"  # "menunggu konfirmasi warga": only the citizen can send it now
    CONFIRMED = "dikonfirmasi"  # the citizen confirmed; the application is submitted and theirs
    CANCELLED = "dibatalkan"


class IdentifiedBy(enum.StrEnum):
    EMAIL = "email"  # a code e-mailed to the citizen's address, read out at the counter
    PHONE_CODE = "kode_ponsel"  # the short-lived code the citizen's own phone shows on Akun


class ConfirmationMethod(enum.StrEnum):
    PASSKEY = "passkey"  # the citizen's own passkey on their own phone
    PAPER = "kertas"  # a signed paper consent, scanned into the application (no phone)


class AssistedApplication(db.Model):
    __tablename__ = "assisted_application"

    id: Mapped[int_pk]
    public_id: Mapped[str] = mapped_column(String(36), unique=True)  # a random UUID: what URLs carry
    mpp_id: Mapped[int] = mapped_column(ForeignKey("mpp.id", ondelete="CASCADE"), index=True)
    assistant_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    # Copied: the citizen's record still says who helped after the officer's account changes.
    assistant_name: Mapped[str] = mapped_column(String(120))
    citizen_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"))
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("application_draft.id", ondelete="SET NULL"))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("application.id", ondelete="SET NULL"))
    status: Mapped[AssistStatus] = mapped_column(str_enum(AssistStatus, 20), default=AssistStatus.IDENTIFYING)
    identified_by: Mapped[IdentifiedBy | None] = mapped_column(str_enum(IdentifiedBy, 20))
    # The e-mail identification in progress: the address, the name for a new account, the code's argon2 hash.
    pending_email: Mapped[str | None] = mapped_column(String(254))
    pending_name: Mapped[str | None] = mapped_column(String(120))
    code_hash: Mapped[str | None] = mapped_column(String(200))
    code_expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    code_attempts: Mapped[int] = mapped_column(Integer, default=0)
    confirmation: Mapped[ConfirmationMethod | None] = mapped_column(str_enum(ConfirmationMethod, 10))
    # The scanned paper consent: a document in the citizen's Dokumen Saya, and the hash of the bytes uploaded.
    consent_document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id", ondelete="SET NULL"))
    consent_sha256: Mapped[str | None] = mapped_column(String(64))
    idempotency_key: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[created_at]
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    mpp: Mapped[Mpp] = relationship()
    citizen: Mapped[User | None] = relationship(foreign_keys=[citizen_id])
    service: Mapped[Service | None] = relationship()
    draft: Mapped[Draft | None] = relationship()
    application: Mapped[Application | None] = relationship()


class DeskCode(db.Model):
    """The code a citizen's phone shows on Akun for the front desk: 6 digits, 10 minutes, single use.

    Stored as a keyed hash (HMAC with the app secret), not argon2: the officer types only the code, so the row must
    be found by it. Guessing is bounded by the short life, the per-assistance attempt limit and the rate limit.
    """

    __tablename__ = "desk_code"

    id: Mapped[int_pk]
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[created_at]
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
