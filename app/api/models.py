"""Interoperability data: agency-system tokens, the application change sequence the cursor reads, idempotency
records of agency writes, webhook endpoints and their deliveries, and how each service is applied for (channels).
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, BigInteger, Column, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..catalog.models import Agency, Mpp, Service
from ..database import UTCDateTime, created_at, int_pk, str_enum, utcnow
from ..extensions import db


class Permission(enum.StrEnum):
    """What a token may do. Reading the public catalog needs no token at all."""

    READ_APPLICATIONS = "applications:read"  # list and fetch applications, download their documents
    TRANSITION = "applications:transition"  # move an application through the workflow
    UPLOAD_RESULT = "results:write"  # complete an application with the agency's result document
    WEBHOOKS = "webhooks:manage"  # register webhook endpoints and read their delivery log


api_token_mpp = Table(
    "api_token_mpp",
    db.metadata,
    Column("token_id", ForeignKey("api_token.id", ondelete="CASCADE"), primary_key=True),
    Column("mpp_id", ForeignKey("mpp.id", ondelete="CASCADE"), primary_key=True),
)


class ApiToken(db.Model):
    """One agency system's credential, scoped to its agency at one or more MPPs and to a set of permissions.

    Only the SHA-256 of the token is stored. A slow password hash buys nothing here: the token is 256 random bits
    made by us, not a person's password, so there is no dictionary to try, and a fast hash lets every API call look
    the row up by an index. A copy of this table cannot be used to call the API.

    ``system_user`` is a user row of role petugas that never signs in (no passkey, an e-mail in ``.invalid``). The
    workflow, the audit log and Riwayat akses all record "who" as a user; this row makes the agency system that
    user, named after the token, so the officer screen and the API share every rule and every record.
    """

    __tablename__ = "api_token"

    id: Mapped[int_pk]
    name: Mapped[str] = mapped_column(String(120))  # "SIAK Disdukcapil Kendari"
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id", ondelete="CASCADE"), index=True)
    system_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token_prefix: Mapped[str] = mapped_column(String(16))  # shown in lists so an admin can tell tokens apart
    permissions: Mapped[list] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    agency: Mapped[Agency] = relationship()
    system_user: Mapped[User] = relationship(foreign_keys=[system_user_id])
    mpps: Mapped[list[Mpp]] = relationship(secondary=api_token_mpp, order_by="Mpp.name")

    def allows(self, permission: Permission) -> bool:
        return permission.value in (self.permissions or [])

    def is_live(self, now: dt.datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now


class ChangeCounter(db.Model):
    """The last change sequence number handed out. One row, updated by every transaction that changes an
    application: the row lock orders those transactions, so sequence numbers become visible in commit order."""

    __tablename__ = "api_change_counter"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class ApplicationChange(db.Model):
    """The sequence number of an application's latest change; what `GET /api/v1/applications?cursor=` reads."""

    __tablename__ = "api_application_change"

    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class IdempotencyRecord(db.Model):
    """The answer given to one agency write, so a retry with the same Idempotency-Key gets it again, unchanged."""

    __tablename__ = "api_idempotency"

    id: Mapped[int_pk]
    token_id: Mapped[int] = mapped_column(ForeignKey("api_token.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(128))
    fingerprint: Mapped[str] = mapped_column(String(64))  # SHA-256 of method, path and body: same key, other request
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[created_at]

    __table_args__ = (UniqueConstraint("token_id", "key", name="uq_api_idempotency_token_key"),)


class WebhookEvent(enum.StrEnum):
    SUBMITTED = "application.submitted"
    RESUBMITTED = "application.resubmitted"
    CANCELLED = "application.cancelled"
    COMPLAINT_FORWARDED = "complaint.forwarded"  # a complaint reaches the agency (SP4N-LAPOR! "diteruskan")
    COMPLAINT_STATUS_CHANGED = "complaint.status_changed"  # any later move of a complaint forwarded to the agency
    BOOKING_CREATED = "booking.created"  # a queue booking confirmed for one of the agency's counters
    BOOKING_CANCELLED = "booking.cancelled"
    BOOKING_CHECKED_IN = "booking.checked_in"


class WebhookEndpoint(db.Model):
    """An agency system's receiver for some events of its agency's applications at the token's MPPs.

    The signing secret must be kept in the clear (HMAC needs it). During a rotation the previous secret signs too,
    until ``previous_secret_expires_at``, so the receiver can switch without losing a delivery.
    """

    __tablename__ = "webhook_endpoint"

    id: Mapped[int_pk]
    token_id: Mapped[int] = mapped_column(ForeignKey("api_token.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(1024))
    events: Mapped[list] = mapped_column(JSON, default=list)
    secret: Mapped[str] = mapped_column(String(80))
    previous_secret: Mapped[str | None] = mapped_column(String(80))
    previous_secret_expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[created_at]
    disabled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    disabled_reason: Mapped[str | None] = mapped_column(Text)

    token: Mapped[ApiToken] = relationship()


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class WebhookMessage(db.Model):
    """One event for one endpoint: the outbox row, written in the transaction of the change it announces.

    ``message_id`` is the ``webhook-id`` header: stable across retries and resends, so a receiver deduplicates.
    The body is frozen at creation; a retry sends the same bytes.
    """

    __tablename__ = "webhook_message"

    id: Mapped[int_pk]
    message_id: Mapped[str] = mapped_column(String(40), unique=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoint.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(60))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[DeliveryStatus] = mapped_column(str_enum(DeliveryStatus, 10), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[created_at]
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    endpoint: Mapped[WebhookEndpoint] = relationship()

    __table_args__ = (
        Index("ix_webhook_message_due", "status", "next_attempt_at"),
        # An endpoint's delivery log, newest first: a short walk back along the index instead of sorting every
        # message the endpoint ever got (it also serves the foreign key's lookups, as endpoint_id alone did).
        Index("ix_webhook_message_endpoint_created", "endpoint_id", "created_at"),
    )


class WebhookAttempt(db.Model):
    """One try to deliver one message: the per-endpoint delivery log an agency and the MPP admin read."""

    __tablename__ = "webhook_attempt"

    id: Mapped[int_pk]
    message_id: Mapped[int] = mapped_column(ForeignKey("webhook_message.id", ondelete="CASCADE"), index=True)
    attempted_at: Mapped[created_at]
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)


class ChannelKind(enum.StrEnum):
    """Where a service is applied for (issue 12 point 7). A service can have several."""

    ONLINE = "aplikasi"  # in this app ("Ajukan online")
    NATIONAL = "nasional"  # a national e-service (M-Paspor, OSS, SIGNAL, Mobile JKN), by link
    COUNTER = "loket"  # at the counter of the MPP


class ServiceChannel(db.Model):
    __tablename__ = "service_channel"

    id: Mapped[int_pk]
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[ChannelKind] = mapped_column(str_enum(ChannelKind, 16))
    name: Mapped[str | None] = mapped_column(String(80))  # "M-Paspor"
    url: Mapped[str | None] = mapped_column(String(300))  # https only

    service: Mapped[Service] = relationship()

    __table_args__ = (UniqueConstraint("service_id", "kind", "name", name="uq_service_channel_service_kind_name"),)
