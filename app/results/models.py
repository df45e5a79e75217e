"""The public side of a result document: its verification code and what anyone holding the paper may check.

The stored file itself is ``backoffice.models.ResultDocument`` (one per application, like this row). This table keeps, beside the code, a *snapshot* of
what was issued (service, agency, MPP, masked holder name, date): the verification page must keep saying what the
paper says even after the catalog renames a service, and it must never need to read personal data to do so — the
holder's full name is not stored here at all, only its mask.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..applications.models import Application
from ..database import UTCDateTime, created_at, int_pk, str_enum
from ..extensions import db


class VerificationStatus(enum.StrEnum):
    VALID = "berlaku"
    REVOKED = "dicabut"


class ResultVerification(db.Model):
    __tablename__ = "result_verification"

    id: Mapped[int_pk]
    code: Mapped[str] = mapped_column(String(24), unique=True)  # canonical form, without separators
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), unique=True)
    status: Mapped[VerificationStatus] = mapped_column(
        str_enum(VerificationStatus, 10), default=VerificationStatus.VALID
    )
    service_name: Mapped[str] = mapped_column(String(200))
    agency_name: Mapped[str] = mapped_column(String(200))
    mpp_name: Mapped[str | None] = mapped_column(String(160))
    holder_masked: Mapped[str] = mapped_column(String(120))
    issued_on: Mapped[dt.date] = mapped_column(Date)  # the MPP's local date of issue
    created_at: Mapped[created_at]
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    revoked_reason: Mapped[str | None] = mapped_column(Text)

    application: Mapped[Application] = relationship()
