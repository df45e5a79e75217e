"""Antrean data: queue settings per tenant × service, closures, bookings and the claims that keep them honest.

Never overbooked is a database fact, not a Python check. Every place a booking occupies is a row in
``queue_claim`` whose primary key names the place: seat 3 of the 09.30 slot, place 41 of the day's quota, "this
account already has a booking for this service that day", "this NIK already has one". Two requests racing for the
last seat insert the same key; the database lets exactly one commit. Releasing a place (cancel, reschedule, an
expired hold, a no-show) deletes the booking's claims, so the seat is free again at once.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..catalog.models import Mpp, Service, Tenancy
from ..database import UTCDateTime, created_at, int_pk, str_enum, utcnow
from ..extensions import db

if TYPE_CHECKING:
    from ..applications.models import Application


class BookingStatus(enum.StrEnum):
    HOLD = "ditahan"  # the citizen chose a slot and is confirming; the place is theirs for 5 minutes
    CONFIRMED = "terjadwal"
    CHECKED_IN = "hadir"  # at the MPP, waiting with a queue number
    CALLED = "dipanggil"
    SERVED = "selesai"
    NO_SHOW = "tidak_hadir"
    CANCELLED = "dibatalkan"
    EXPIRED = "kedaluwarsa"  # a hold that was never confirmed


# Statuses that occupy a place (their claims exist). A hold only while it has not expired.
ACTIVE_STATUSES = (BookingStatus.HOLD, BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN, BookingStatus.CALLED)
WAITING_STATUSES = (BookingStatus.CHECKED_IN,)


class PriorityCategory(enum.StrEnum):
    """UU 25/2009 Pasal 29: special treatment for vulnerable groups. The citizen declares; the counter sees it."""

    ELDERLY = "lansia"
    DISABILITY = "disabilitas"
    PREGNANT = "ibu_hamil"
    CHILD = "anak"


class QueueSettings(db.Model):
    """How one agency's counter at one MPP books one service. No row: the defaults in ``settings.py`` apply."""

    __tablename__ = "queue_settings"

    id: Mapped[int_pk]
    tenancy_id: Mapped[int] = mapped_column(ForeignKey("tenancy.id", ondelete="CASCADE"), index=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), index=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    slot_minutes: Mapped[int] = mapped_column(Integer)
    capacity: Mapped[int] = mapped_column(Integer)  # regular places per slot
    priority_capacity: Mapped[int] = mapped_column(Integer)  # extra places per slot for the priority groups
    daily_quota: Mapped[int] = mapped_column(Integer)  # regular places per day
    priority_daily_quota: Mapped[int] = mapped_column(Integer)
    window_days: Mapped[int] = mapped_column(Integer)  # a day opens N days ahead …
    release_hour: Mapped[int] = mapped_column(Integer)  # … at this hour, MPP local time
    reschedule_cutoff_hours: Mapped[int] = mapped_column(Integer)  # change or cancel until N hours before
    no_show_minutes: Mapped[int] = mapped_column(Integer)  # not checked in N minutes after the slot: released
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    tenancy: Mapped[Tenancy] = relationship()
    service: Mapped[Service] = relationship()

    __table_args__ = (
        UniqueConstraint("tenancy_id", "service_id", name="uq_queue_settings_tenancy_service"),
        CheckConstraint("slot_minutes BETWEEN 5 AND 240", name="slot_minutes_range"),
        CheckConstraint("capacity >= 0 AND priority_capacity >= 0", name="capacity_not_negative"),
        CheckConstraint("daily_quota >= 0 AND priority_daily_quota >= 0", name="quota_not_negative"),
        CheckConstraint("window_days BETWEEN 0 AND 90", name="window_range"),
        CheckConstraint("release_hour BETWEEN 0 AND 23", name="release_hour_range"),
        CheckConstraint("reschedule_cutoff_hours BETWEEN 0 AND 168", name="cutoff_range"),
        CheckConstraint("no_show_minutes BETWEEN 0 AND 240", name="no_show_range"),
    )


class QueueClosure(db.Model):
    """A day the MPP (or one tenant's counter) is closed although the calendar says it is a working day."""

    __tablename__ = "queue_closure"

    id: Mapped[int_pk]
    mpp_id: Mapped[int] = mapped_column(ForeignKey("mpp.id", ondelete="CASCADE"), index=True)
    tenancy_id: Mapped[int | None] = mapped_column(ForeignKey("tenancy.id", ondelete="CASCADE"))  # None: whole MPP
    day: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[created_at]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    mpp: Mapped[Mpp] = relationship()


class Booking(db.Model):
    """One visit: booked online (a hold, then confirmed) or a walk-in number issued at the counter."""

    __tablename__ = "queue_booking"

    id: Mapped[int_pk]
    code: Mapped[str] = mapped_column(String(12), unique=True)  # shown as ABCD-EFGH; never guessable
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    mpp_id: Mapped[int] = mapped_column(ForeignKey("mpp.id", ondelete="CASCADE"))
    tenancy_id: Mapped[int] = mapped_column(ForeignKey("tenancy.id", ondelete="CASCADE"))
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"))
    status: Mapped[BookingStatus] = mapped_column(str_enum(BookingStatus, 16))
    walk_in: Mapped[bool] = mapped_column(Boolean, default=False)
    slot_start: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())  # None for a walk-in
    slot_end: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    local_day: Mapped[dt.date] = mapped_column(Date)  # the visit's date in the MPP's zone
    priority_category: Mapped[PriorityCategory | None] = mapped_column(str_enum(PriorityCategory, 16))
    # The application this visit is for, when it was booked from the application's page (shown to the officer).
    application_id: Mapped[int | None] = mapped_column(ForeignKey("application.id", ondelete="SET NULL"), index=True)
    # The NIK itself is not kept here: a keyed hash enforces "one per NIK" and the last digits help the officer.
    nik_hash: Mapped[str | None] = mapped_column(String(64))
    nik_tail: Mapped[str | None] = mapped_column(String(4))
    hold_expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # Bumped by every reschedule: a reminder carries the version it was meant for, so an old one is never sent.
    version: Mapped[int] = mapped_column(Integer, default=1)
    day_reminder_version: Mapped[int | None] = mapped_column(Integer)
    hour_reminder_version: Mapped[int | None] = mapped_column(Integer)
    queue_number: Mapped[str | None] = mapped_column(String(8))  # "A012" booked, "B005" walk-in
    counter_label: Mapped[str | None] = mapped_column(String(60))  # where it was last called to
    call_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[created_at]
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    checked_in_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    called_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())  # first call (waits are measured to it)
    last_called_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())  # served or no-show

    mpp: Mapped[Mpp] = relationship()
    tenancy: Mapped[Tenancy] = relationship()
    service: Mapped[Service] = relationship()
    application: Mapped[Application | None] = relationship()

    @property
    def display_code(self) -> str:
        return f"{self.code[:4]}-{self.code[4:]}"

    @property
    def is_priority(self) -> bool:
        return self.priority_category is not None

    __table_args__ = (
        UniqueConstraint("tenancy_id", "local_day", "queue_number", name="uq_queue_booking_number"),
        Index("ix_queue_booking_user_day", "user_id", "local_day"),
        Index("ix_queue_booking_slot", "tenancy_id", "service_id", "slot_start"),
        Index("ix_queue_booking_counter", "tenancy_id", "local_day", "status"),
        Index("ix_queue_booking_stats", "mpp_id", "local_day"),
        Index("ix_queue_booking_day", "local_day"),  # statistics of every MPP over a period (the /kinerja pages)
    )


class QueueClaim(db.Model):
    """One place a booking occupies, named by its key (see the module docstring). The key is the primary key:
    inserting a key another booking already holds fails in the database, whatever the other request is doing."""

    __tablename__ = "queue_claim"

    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("queue_booking.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[created_at]
