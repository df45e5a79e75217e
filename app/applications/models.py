"""Online applications (permohonan): form definitions, drafts, submitted applications and their history.

A submitted application is never edited in place. What the citizen sent is an immutable ``ApplicationRevision``;
a correction round-trip (``perlu_perbaikan``) adds revision 2, 3… Every status change is a ``StatusEvent`` written
in the same transaction as the change (see workflow.py), and ``Application.version`` is an optimistic lock so two
officers acting at once conflict instead of silently overwriting each other.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..catalog.models import Mpp, Service
from ..database import UTCDateTime, created_at, int_pk, str_enum, utcnow
from ..extensions import db


class ApplicationStatus(enum.StrEnum):
    """The status vocabulary of product.md; the allowed moves between them live in workflow.py only."""

    DRAFT = "draf"
    SUBMITTED = "diajukan"
    VERIFIED = "diverifikasi"
    IN_PROCESS = "diproses"
    COMPLETED = "selesai"
    NEEDS_CORRECTION = "perlu_perbaikan"
    REJECTED = "ditolak"
    CANCELLED = "dibatalkan"


class FormDefinition(db.Model):
    """One version of a service's application form: JSON Schema 2020-12 plus a thin UI layer (see formdefs.py).

    A new version is a new row; drafts and revisions keep pointing at the version they were filled in against.
    """

    __tablename__ = "form_definition"

    id: Mapped[int_pk]
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    definition: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[created_at]

    service: Mapped[Service] = relationship()

    __table_args__ = (UniqueConstraint("service_id", "version"),)


class Draft(db.Model):
    """An application being filled in. Saved on every step; ``revision`` orders edits from several devices.

    ``public_id`` is what URLs and the offline-drafts code use (random, never the row id). A draft with an
    ``application_id`` is a correction of that application; ``submitted_application_id`` is set, once, when the
    draft is turned into an application — the conditional update on it is one of the exactly-once guards.
    """

    __tablename__ = "application_draft"

    id: Mapped[int_pk]
    public_id: Mapped[str] = mapped_column(String(36), unique=True)  # a random UUID
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), index=True)
    form_definition_id: Mapped[int] = mapped_column(ForeignKey("form_definition.id"), index=True)
    mpp_id: Mapped[int | None] = mapped_column(ForeignKey("mpp.id", ondelete="SET NULL"))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    # What the citizen typed, as typed (strings, keyed by field name), so nothing is ever lost to a failed parse.
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    # Field names whose value came from Data Saya and was not changed since (shown as "Dari Data Saya").
    prefilled: Mapped[list] = mapped_column(JSON, default=list)
    step: Mapped[str] = mapped_column(String(40), default="")
    revision: Mapped[int] = mapped_column(Integer, default=1)
    # Digest of the last client payload applied, so a replayed sync (Background Sync + `online`) is idempotent.
    last_client_digest: Mapped[str | None] = mapped_column(String(64))
    form_upgraded: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[created_at]
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    submitted_application_id: Mapped[int | None] = mapped_column(ForeignKey("application.id", ondelete="SET NULL"))
    # Applying for a family member (issue 13): whom the draft is about. None: the citizen themself. A member
    # removed from Anggota keluarga takes the drafts made for them along.
    subject_member_id: Mapped[int | None] = mapped_column(ForeignKey("family_member.id", ondelete="CASCADE"))

    user: Mapped[User] = relationship()
    service: Mapped[Service] = relationship()
    form_definition: Mapped[FormDefinition] = relationship()
    mpp: Mapped[Mpp | None] = relationship()
    application: Mapped[Application | None] = relationship(foreign_keys=[application_id])

    # Every UPDATE is "WHERE revision = <what I read>" and bumps it: two devices saving at once cannot both win.
    __mapper_args__ = {"version_id_col": revision}


class Application(db.Model):
    """A submitted permohonan, known to the citizen by its tracking number."""

    __tablename__ = "application"

    id: Mapped[int_pk]
    tracking_number: Mapped[str] = mapped_column(String(24), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), index=True)
    # mpp_id and status have no index of their own: the inbox's composite indexes (backoffice/models.py) lead with
    # them and serve every look-up by either, the foreign key's ON DELETE included (migration 0014).
    mpp_id: Mapped[int | None] = mapped_column(ForeignKey("mpp.id", ondelete="SET NULL"))
    status: Mapped[ApplicationStatus] = mapped_column(str_enum(ApplicationStatus, 20), default=ApplicationStatus.DRAFT)
    # Optimistic lock: every UPDATE says "WHERE version = <what I read>"; a concurrent change makes it fail.
    version: Mapped[int] = mapped_column(Integer, default=1)
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Expected completion date, in the MPP's local calendar (working days from the last submission).
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[created_at]
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    # Made for a family member (issue 13): ``user`` applied, the member is the subject. Name and relationship are
    # copied at submission — the officer must see what was declared, whatever happens to the member entry later.
    # ``subject_user_id``: the member's own linked account, so they see what is done in their name.
    subject_member_id: Mapped[int | None] = mapped_column(ForeignKey("family_member.id", ondelete="SET NULL"))
    subject_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    subject_name: Mapped[str | None] = mapped_column(String(120))
    subject_relationship: Mapped[str | None] = mapped_column(String(20))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    service: Mapped[Service] = relationship()
    mpp: Mapped[Mpp | None] = relationship()
    revisions: Mapped[list[ApplicationRevision]] = relationship(
        back_populates="application", order_by="ApplicationRevision.number", cascade="all, delete-orphan"
    )
    events: Mapped[list[StatusEvent]] = relationship(
        back_populates="application", order_by="(StatusEvent.created_at, StatusEvent.id)", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def latest_revision(self) -> ApplicationRevision:
        return self.revisions[-1]


class ApplicationRevision(db.Model):
    """What the citizen submitted, frozen. Never updated; a resubmission after a correction adds a new row.

    ``idempotency_key`` is unique: a double tap, a retry after a timeout or an offline submission replayed later
    all carry the same key, and the database refuses the second row (submit.py turns that into "same application").
    """

    __tablename__ = "application_revision"

    id: Mapped[int_pk]
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    form_definition_id: Mapped[int] = mapped_column(ForeignKey("form_definition.id"))
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    answers: Mapped[dict] = mapped_column(JSON)  # as typed, for "Perbaiki" (an editable copy)
    data: Mapped[dict] = mapped_column(JSON)  # typed and validated against the schema: what agencies consume
    documents: Mapped[dict] = mapped_column(JSON, default=dict)  # requirement key → Dokumen Saya document id
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    application: Mapped[Application] = relationship(back_populates="revisions")
    form_definition: Mapped[FormDefinition] = relationship()

    __table_args__ = (UniqueConstraint("application_id", "number"),)


class StatusEvent(db.Model):
    """One line of the timeline: who moved the application from which status to which, when and why."""

    __tablename__ = "application_status_event"

    id: Mapped[int_pk]
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[ApplicationStatus] = mapped_column(str_enum(ApplicationStatus, 20))
    to_status: Mapped[ApplicationStatus] = mapped_column(str_enum(ApplicationStatus, 20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    actor_role: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    # On a correction request: what the officer points at, so "Perbaiki" opens that screen — a form step key, or
    # "dokumen.<slot key>" for a document to add or replace (see applications/corrections.py).
    correction_target: Mapped[str | None] = mapped_column(String(60))
    created_at: Mapped[created_at]

    application: Mapped[Application] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class TrackingSequence(db.Model):
    """The last sequence number handed out per region and year; tracking.py scrambles it into the number."""

    __tablename__ = "tracking_sequence"

    region_code: Mapped[str] = mapped_column(String(4), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


class CollectiveLeave(db.Model):
    """Cuti bersama: days off set each year by a joint decree (SKB Menteri Agama, Menaker, MenPANRB).

    Not in the ``holidays`` package (it lists national holidays only), and it changes every year, so it is data
    an admin maintains. Government offices — and so service time limits — do not count these days.
    """

    __tablename__ = "collective_leave"

    id: Mapped[int_pk]
    day: Mapped[dt.date] = mapped_column(Date, unique=True)
    name: Mapped[str] = mapped_column(String(120))
    legal_basis: Mapped[str | None] = mapped_column(String(200))
