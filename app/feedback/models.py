"""Umpan balik data: survey invitations and responses (SKM), complaints (pengaduan) with their append-only
history and attachments.

A survey response carries no user id: it points at its invitation (unique — one response per application or
visit), and only the invitation knows whose it was. Officer pages and reports read responses alone, so what an
officer sees is a set of anonymous scores and scrubbed suggestions.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, SmallInteger, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..applications.models import Application, StatusEvent
from ..catalog.models import Agency, Mpp, Service
from ..database import UTCDateTime, created_at, int_pk, str_enum
from ..extensions import db
from ..queue.models import Booking


class SurveyOutcome(enum.StrEnum):
    """Which finished outcome the invitation follows (every one is asked, not only the happy ones)."""

    COMPLETED = "selesai"
    REJECTED = "ditolak"
    CANCELLED = "dibatalkan"
    VISIT = "kunjungan"  # a served queue visit


class SurveyInvitation(db.Model):
    """The right of one citizen to answer one survey about one application or one queue visit."""

    __tablename__ = "survey_invitation"

    id: Mapped[int_pk]
    token: Mapped[str] = mapped_column(String(64), unique=True)  # random; the page also requires its owner
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), unique=True)
    visit_key: Mapped[str | None] = mapped_column(String(64), unique=True)  # the queue's booking code
    outcome: Mapped[SurveyOutcome] = mapped_column(str_enum(SurveyOutcome, 20))
    mpp_id: Mapped[int | None] = mapped_column(ForeignKey("mpp.id", ondelete="SET NULL"), index=True)
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]
    emailed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()
    application: Mapped[Application | None] = relationship()
    mpp: Mapped[Mpp | None] = relationship()
    service: Mapped[Service | None] = relationship()


class SurveyResponse(db.Model):
    """One anonymous answer sheet. ``invitation_id`` is unique: a double submit or an offline replay cannot add a
    second row (the database refuses it; surveys.py turns that into "already answered")."""

    __tablename__ = "survey_response"

    id: Mapped[int_pk]
    invitation_id: Mapped[int] = mapped_column(ForeignKey("survey_invitation.id", ondelete="CASCADE"), unique=True)
    # Copied from the invitation so reports never need to join back to the person.
    mpp_id: Mapped[int | None] = mapped_column(ForeignKey("mpp.id", ondelete="SET NULL"))
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.id", ondelete="SET NULL"))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id", ondelete="SET NULL"))
    outcome: Mapped[SurveyOutcome] = mapped_column(str_enum(SurveyOutcome, 20))
    u1: Mapped[int | None] = mapped_column(SmallInteger)
    u2: Mapped[int | None] = mapped_column(SmallInteger)
    u3: Mapped[int | None] = mapped_column(SmallInteger)
    u4: Mapped[int | None] = mapped_column(SmallInteger)
    u5: Mapped[int | None] = mapped_column(SmallInteger)
    u6: Mapped[int | None] = mapped_column(SmallInteger)
    u7: Mapped[int | None] = mapped_column(SmallInteger)
    u8: Mapped[int | None] = mapped_column(SmallInteger)
    u9: Mapped[int | None] = mapped_column(SmallInteger)
    # Up to three unsur an MPP added to the regulation's nine (SurveyUnsur; PermenPANRB 14/2017 allows it).
    x1: Mapped[int | None] = mapped_column(SmallInteger)
    x2: Mapped[int | None] = mapped_column(SmallInteger)
    x3: Mapped[int | None] = mapped_column(SmallInteger)
    # Only the scrubbed text is ever stored: what the citizen typed with a NIK or phone number in it never
    # reaches the database, so no officer, report or backup can show it.
    suggestion: Mapped[str | None] = mapped_column(Text)
    age_band: Mapped[str | None] = mapped_column(String(10))
    sex: Mapped[str | None] = mapped_column(String(10))
    education: Mapped[str | None] = mapped_column(String(10))
    occupation: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[created_at]

    __table_args__ = (Index("ix_survey_response_mpp_created", "mpp_id", "created_at"),)

    def scores(self) -> dict[str, int | None]:
        return {code: getattr(self, code) for code in SCORE_COLUMNS}


# The regulation's nine unsur, then the columns for an MPP's own (at most three).
SCORE_COLUMNS: tuple[str, ...] = (*(f"u{i}" for i in range(1, 10)), "x1", "x2", "x3")


class SurveyUnsur(db.Model):
    """One MPP's setting for one unsur: its weight (an exact fraction as text, "1/9" or "0.12"), and for an unsur
    the MPP added (x1–x3) its name and question. No rows for an MPP: the regulation's nine at exactly 1/9 each.
    The rows of one MPP are replaced together (unsur.py), and only when their weights sum to exactly 1."""

    __tablename__ = "survey_unsur"

    id: Mapped[int_pk]
    mpp_id: Mapped[int] = mapped_column(ForeignKey("mpp.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(4))
    weight: Mapped[str] = mapped_column(String(20))
    name: Mapped[str | None] = mapped_column(String(80))
    question: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[created_at]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    __table_args__ = (UniqueConstraint("mpp_id", "code", name="uq_survey_unsur_mpp_code"),)


class ComplaintKind(enum.StrEnum):
    """SP4N-LAPOR! classifications (domain.md §3.3)."""

    COMPLAINT = "pengaduan"
    ASPIRATION = "aspirasi"
    INFORMATION = "permintaan_informasi"


class ComplaintStatus(enum.StrEnum):
    """The SP4N-LAPOR! states; the moves between them live in complaint_flow.py only."""

    RECEIVED = "diterima"
    VERIFYING = "verifikasi"
    FORWARDED = "diteruskan"
    FOLLOWED_UP = "ditindaklanjuti"
    ANSWERED = "ditanggapi"
    CLOSED = "selesai"
    ON_HOLD = "ditunda"
    NOT_OUR_AUTHORITY = "bukan_wewenang"
    ARCHIVED = "diarsipkan"


class Complaint(db.Model):
    """A pengaduan, aspirasi or permintaan informasi.

    ``confidential`` (rahasia): the identity is kept but shown only to the MPP's complaint admin, never to the
    agency. ``anonymous`` (anonim): no identity is stored at all (``user_id`` is NULL); the complainant follows
    the complaint with its number and a secret code shown once, stored only as a hash.
    """

    __tablename__ = "complaint"

    id: Mapped[int_pk]
    number: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[ComplaintKind] = mapped_column(str_enum(ComplaintKind, 25))
    title: Mapped[str] = mapped_column(String(150))
    body: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    confidential: Mapped[bool] = mapped_column(Boolean, default=False)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    secret_hash: Mapped[str | None] = mapped_column(String(64))
    mpp_id: Mapped[int] = mapped_column(ForeignKey("mpp.id"), index=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.id", ondelete="SET NULL"))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("application.id", ondelete="SET NULL"))
    # Or one of the complainant's own queue visits (a booking or a walk-in number taken while signed in).
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("queue_booking.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(20), default="web")
    status: Mapped[ComplaintStatus] = mapped_column(
        str_enum(ComplaintStatus, 20), default=ComplaintStatus.RECEIVED, index=True
    )
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[created_at]
    status_changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    # Working-day limits in the MPP's calendar: of the current stage, and of the whole complaint (60 days).
    stage_due_on: Mapped[dt.date | None] = mapped_column(Date)
    resolution_due_on: Mapped[dt.date] = mapped_column(Date)
    escalated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    reopened: Mapped[bool] = mapped_column(Boolean, default=False)
    answered_on_time: Mapped[bool | None] = mapped_column(Boolean)
    rating: Mapped[int | None] = mapped_column(SmallInteger)
    lapor_tracking_id: Mapped[str | None] = mapped_column(String(40))
    # Sent by the device's submission outbox: a complaint written offline and replayed (Background Sync and the
    # page's `online` listener may both send it) is stored once.
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True)

    user: Mapped[User | None] = relationship()
    mpp: Mapped[Mpp] = relationship()
    agency: Mapped[Agency | None] = relationship()
    service: Mapped[Service | None] = relationship()
    application: Mapped[Application | None] = relationship()
    booking: Mapped[Booking | None] = relationship()
    events: Mapped[list[ComplaintEvent]] = relationship(
        back_populates="complaint", order_by="(ComplaintEvent.created_at, ComplaintEvent.id)"
    )
    attachments: Mapped[list[ComplaintAttachment]] = relationship(back_populates="complaint")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_complaint_mpp_status", "mpp_id", "status"),
        Index("ix_complaint_created", "created_at", "id"),  # a national admin's list, newest first, a page at a time
    )


class ComplaintEvent(db.Model):
    """One step of a complaint: who moved it where, why, and the answer given. Append-only — it is the complaint's
    audit trail (who, in which role, from where), so the ORM refuses to change or delete a row."""

    __tablename__ = "complaint_event"

    id: Mapped[int_pk]
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[ComplaintStatus | None] = mapped_column(str_enum(ComplaintStatus, 20))
    to_status: Mapped[ComplaintStatus] = mapped_column(str_enum(ComplaintStatus, 20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    actor_name: Mapped[str | None] = mapped_column(String(120))
    actor_role: Mapped[str] = mapped_column(String(20))
    message: Mapped[str | None] = mapped_column(Text)
    ip: Mapped[str | None] = mapped_column(String(45))
    created_at: Mapped[created_at]

    complaint: Mapped[Complaint] = relationship(back_populates="events")


class ComplaintEventImmutable(Exception):
    """Raised when code tries to change or delete a complaint event."""


@event.listens_for(ComplaintEvent, "before_update")
def _refuse_update(mapper, connection, target) -> None:
    raise ComplaintEventImmutable(f"complaint event {target.id} is append-only")


@event.listens_for(ComplaintEvent, "before_delete")
def _refuse_delete(mapper, connection, target) -> None:
    raise ComplaintEventImmutable(f"complaint event {target.id} is append-only")


class ComplaintAttachment(db.Model):
    """A file attached to a complaint, checked exactly like Dokumen Saya (personal/uploads.py) and stored the same
    way: under a random name outside the static folder, never served by path."""

    __tablename__ = "complaint_attachment"

    id: Mapped[int_pk]
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id", ondelete="CASCADE"), index=True)
    storage_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[created_at]

    complaint: Mapped[Complaint] = relationship(back_populates="attachments")


# The period queries of /kinerja (performance.py), declared beside the feedback models that read them and created by
# migration 0022_kinerja: completions of a period are a range of (to_status, created_at), read from the index alone
# with the application they belong to; applications received in a period a range of submitted_at, with the MPP,
# service and status the count groups and filters by.
Index(
    "ix_application_status_event_to_status", StatusEvent.to_status, StatusEvent.created_at, StatusEvent.application_id
)
Index(
    "ix_application_submitted_at",
    Application.submitted_at,
    Application.mpp_id,
    Application.service_id,
    Application.status,
)
