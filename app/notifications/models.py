"""The in-app notification (the source of truth) and its delivery outbox.

A ``Notification`` stores an English msgid and its parameters, not rendered text: it is rendered when read, in the
language the citizen uses then. An ``OutboxMessage`` is the durable fact that the notification still has to be
pushed; it is written in the same transaction as the change (stack.md: huey's queue is not in our transaction),
and the delivery worker (a later issue) claims pending rows, sends them and records the outcome.
"""

from __future__ import annotations

import datetime as dt
import enum

from flask_babel import gettext
from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, created_at, int_pk, str_enum, utcnow
from ..extensions import db


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # gave up after the worker's last retry


class Notification(db.Model):
    __tablename__ = "notification"

    id: Mapped[int_pk]
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))  # "application_status", …
    title_msgid: Mapped[str] = mapped_column(Text)
    body_msgid: Mapped[str] = mapped_column(Text)
    # Values for the msgids' %(name)s placeholders. Values that are themselves translatable (a status) are stored
    # as codes and turned into words by the renderer of that kind.
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    url: Mapped[str] = mapped_column(String(300))
    # The time zone of the MPP the notification is about, so its time matches the application's timeline
    # (None: not tied to an MPP, shown in WIB).
    timezone: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[created_at]
    read_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    outbox: Mapped[list[OutboxMessage]] = relationship(back_populates="notification", cascade="all, delete-orphan")

    # The inbox lists one user's notifications, newest first.
    __table_args__ = (Index("ix_notification_user_created", "user_id", "created_at"),)

    def _params(self) -> dict:
        params = dict(self.params or {})
        if "status" in params:
            from ..applications.workflow import status_label

            params["status"] = status_label(params["status"])
        return params

    @property
    def title(self) -> str:
        return gettext(self.title_msgid, **self._params())

    @property
    def body(self) -> str:
        return gettext(self.body_msgid, **self._params())


class OutboxMessage(db.Model):
    __tablename__ = "notification_outbox"

    id: Mapped[int_pk]
    notification_id: Mapped[int] = mapped_column(ForeignKey("notification.id", ondelete="CASCADE"), index=True)
    status: Mapped[OutboxStatus] = mapped_column(str_enum(OutboxStatus, 10), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[created_at]

    notification: Mapped[Notification] = relationship(back_populates="outbox")

    # The worker's sweep: "pending rows whose time has come", oldest first.
    __table_args__ = (Index("ix_notification_outbox_due", "status", "next_attempt_at"),)


class PushSubscription(db.Model):
    """One browser on one device that agreed to receive Web Push for this citizen (many per citizen)."""

    __tablename__ = "push_subscription"

    id: Mapped[int_pk]
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    # The push service's URL for this browser. Unique: a browser that subscribes again (or another account on a
    # shared phone) takes the row over instead of receiving every notice twice.
    endpoint: Mapped[str] = mapped_column(String(1024), unique=True)
    p256dh: Mapped[str] = mapped_column(String(100))  # the browser's P-256 public key, base64url (RFC 8291)
    auth: Mapped[str] = mapped_column(String(40))  # the 16-byte auth secret, base64url
    device_label: Mapped[str] = mapped_column(String(120))  # "Chrome di Android", shown in the device list
    created_at: Mapped[created_at]
    last_sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    deliveries: Mapped[list[PushDelivery]] = relationship(
        back_populates="subscription", cascade="all, delete-orphan", passive_deletes=True
    )


class PushDelivery(db.Model):
    """Proof that one outbox message reached one subscription's push service (it answered 201).

    Written and committed right after each successful send, so a worker that dies mid-batch, or a retry after a
    partial failure, never sends the same notice twice to the same device.
    """

    __tablename__ = "push_delivery"

    id: Mapped[int_pk]
    outbox_id: Mapped[int] = mapped_column(ForeignKey("notification_outbox.id", ondelete="CASCADE"), index=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("push_subscription.id", ondelete="CASCADE"))
    sent_at: Mapped[created_at]

    subscription: Mapped[PushSubscription] = relationship(back_populates="deliveries")

    __table_args__ = (UniqueConstraint("outbox_id", "subscription_id", name="uq_push_delivery_outbox_subscription"),)


class EmailOutbox(db.Model):
    """One e-mail to send (sign-up, recovery and change-of-address codes, notices), and its delivery log.

    Written in the transaction of the request that decided to send it; the job worker delivers it over SMTP (or
    into the local mail folder) with retries. A web request therefore never waits for, nor fails with, the mail
    server. The body holds one-time codes: it is erased once delivered or given up, and never logged.
    """

    __tablename__ = "email_outbox"

    id: Mapped[int_pk]
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str | None] = mapped_column(Text)
    what: Mapped[str] = mapped_column(String(60))  # names the message in logs and for admins, e.g. "recovery code"
    status: Mapped[OutboxStatus] = mapped_column(str_enum(OutboxStatus, 10), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[created_at]
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    # The worker's sweep, like the push outbox: pending rows whose time has come, oldest first.
    __table_args__ = (Index("ix_email_outbox_due", "status", "next_attempt_at"),)
