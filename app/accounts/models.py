"""Account models. The user row holds only what identifies the account; personal data lives in Data Saya."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from ..database import UTCDateTime, created_at, int_pk, str_enum
from ..extensions import db


class Role(enum.StrEnum):
    CITIZEN = "warga"
    OFFICER = "petugas"
    MPP_ADMIN = "admin_mpp"
    NATIONAL_ADMIN = "admin_nasional"


class User(db.Model):
    __tablename__ = "user_account"

    id: Mapped[int_pk]
    # WebAuthn user handle: 32 random bytes per user. Never the NIK or the e-mail — authenticators show and
    # sync it, and it must not identify the person outside this service.
    webauthn_handle: Mapped[bytes] = mapped_column(LargeBinary(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    # Lower-cased; for recovery codes and notices. Unique among live accounts.
    email: Mapped[str] = mapped_column(String(254), unique=True, index=True)
    phone: Mapped[str | None] = mapped_column(String(20))
    role: Mapped[Role] = mapped_column(str_enum(Role, 20), default=Role.CITIZEN)
    locale: Mapped[str] = mapped_column(String(5), default="id")
    created_at: Mapped[created_at]
    deleted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
