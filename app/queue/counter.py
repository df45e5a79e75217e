"""The counter (loket): check-in, walk-in numbers, call next, recall, served, no-show, transfer. Every action is
written to the back-office audit log in the same transaction.

Who is served next (said on the board too):
  1. people who booked online and checked in before their slot ended, in order of their slot;
  2. everyone else — walk-ins and bookers who arrived after their slot — in order of arrival.
Within each group the priority groups of UU 25/2009 Pasal 29 (lansia, penyandang disabilitas, ibu hamil, anak-anak)
go first. A called number can be recalled only after RECALL_AFTER (as in the Berlin/Munich system), so one person
is not called over and over while others wait.
"""

from __future__ import annotations

import datetime as dt
import secrets

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ..accounts.models import User
from ..backoffice import audit
from ..backoffice.models import AuditAction
from ..backoffice.scope import Scope
from ..catalog.models import Service, Tenancy
from ..database import utcnow
from ..extensions import db
from . import settings as queue_settings
from .booking import CODE_ALPHABET, normalize_code
from .events import announce_served, booking_changed
from .models import Booking, BookingStatus, PriorityCategory, QueueClaim
from .slots import local_now

RECALL_AFTER = dt.timedelta(minutes=5)
BOOKED_PREFIX = "A"
WALK_IN_PREFIX = "B"

MESSAGES = {
    "unknown": _l("No booking with this code for your counter. Check the code on the citizen's ticket."),
    "other_day": _l("This booking is for another day (%(day)s)."),
    "already": _l("This booking is already checked in (number %(number)s)."),
    "closed": _l("This booking was cancelled or has already been served."),
    "empty": _l("Nobody is waiting."),
    "recall_early": _l("A number can be called again 5 minutes after the last call (at %(time)s)."),
    "not_called": _l("This number has not been called."),
    "same_counter": _l("Choose another counter to transfer to."),
    "unknown_here": _l("No booking with this code at this MPP. Check the code on your ticket."),
}


class CounterRefused(Exception):
    def __init__(self, reason: str, **params) -> None:
        super().__init__(reason)
        self.reason = reason
        self.params = params

    @property
    def message(self) -> str:
        text = str(MESSAGES[self.reason])
        return text % self.params if self.params else text


def counters_of(scope: Scope) -> list[Tenancy]:
    """The tenancies (agency counters at an MPP) this officer works: their agency at each of their MPPs."""
    if not scope.officer_pairs:
        return []
    tenancies = db.session.scalars(select(Tenancy).order_by(Tenancy.mpp_id, Tenancy.id)).all()
    return [t for t in tenancies if (t.agency_id, t.mpp_id) in scope.officer_pairs]


def today_at(tenancy: Tenancy, now_utc: dt.datetime) -> dt.date:
    return local_now(now_utc, tenancy.mpp.timezone).date()


def _audit(actor: User, booking: Booking, what: str) -> None:
    audit.record(
        actor=actor,
        action=AuditAction.QUEUE,
        mpp_id=booking.mpp_id,
        object_type="queue_booking",
        object_id=booking.id,
        reason=f"{what} {booking.queue_number or booking.display_code}"[:500],
    )


def _assign_number(booking: Booking, prefix: str) -> None:
    """The next number of the day at this counter ("A001", "B014"); unique per counter and day in the database,
    so two officers checking people in at the same moment never hand out the same number."""
    for _attempt in range(20):
        count = db.session.scalar(
            select(func.count(Booking.id)).where(
                Booking.tenancy_id == booking.tenancy_id,
                Booking.local_day == booking.local_day,
                Booking.queue_number.like(prefix + "%"),
            )
        )
        booking.queue_number = f"{prefix}{count + 1:03d}"
        try:
            with db.session.begin_nested():
                db.session.flush()
            return
        except IntegrityError:
            booking.queue_number = None
            continue
    raise RuntimeError("could not assign a queue number")


def check_in(*, scope: Scope, tenancy: Tenancy, code: str, actor: User, now_utc: dt.datetime | None = None) -> Booking:
    """The citizen is at the MPP: their booking gets today's queue number. A booking of another agency or MPP is
    "unknown" here, exactly like a code that does not exist (no hint about other people's bookings)."""
    now_utc = now_utc or utcnow()
    canonical = normalize_code(code)
    found = None
    if canonical is not None:
        found = db.session.scalar(
            select(Booking).where(
                Booking.code == canonical, Booking.tenancy_id == tenancy.id, Booking.walk_in.is_(False)
            )
        )
    if found is None or (tenancy.agency_id, tenancy.mpp_id) not in scope.officer_pairs:
        raise CounterRefused("unknown")
    today = today_at(tenancy, now_utc)
    if found.status in (BookingStatus.CHECKED_IN, BookingStatus.CALLED):
        raise CounterRefused("already", number=found.queue_number)
    if found.status not in (BookingStatus.CONFIRMED, BookingStatus.NO_SHOW):
        raise CounterRefused("closed")
    if found.local_day != today:
        from ..formatting import long_date

        raise CounterRefused("other_day", day=long_date(found.local_day))
    found.status = BookingStatus.CHECKED_IN
    found.checked_in_at = now_utc
    _assign_number(found, BOOKED_PREFIX)
    _audit(actor, found, "check-in")
    booking_changed.send(found, kind="checked_in")
    db.session.commit()
    return found


def self_check_in(*, mpp_id: int, code: str, now_utc: dt.datetime | None = None) -> Booking:
    """Issue 13: the citizen checks in at the MPP's kiosk with their booking code — the counter's rules, without an
    officer. A booking of another MPP is "unknown" here, like a code that does not exist."""
    now_utc = now_utc or utcnow()
    canonical = normalize_code(code)
    found = None
    if canonical is not None:
        found = db.session.scalar(
            select(Booking).where(Booking.code == canonical, Booking.mpp_id == mpp_id, Booking.walk_in.is_(False))
        )
    if found is None:
        raise CounterRefused("unknown_here")
    today = today_at(found.tenancy, now_utc)
    if found.status in (BookingStatus.CHECKED_IN, BookingStatus.CALLED):
        raise CounterRefused("already", number=found.queue_number)
    if found.status not in (BookingStatus.CONFIRMED, BookingStatus.NO_SHOW):
        raise CounterRefused("closed")
    if found.local_day != today:
        from ..formatting import long_date

        raise CounterRefused("other_day", day=long_date(found.local_day))
    found.status = BookingStatus.CHECKED_IN
    found.checked_in_at = now_utc
    _assign_number(found, BOOKED_PREFIX)
    booking_changed.send(found, kind="checked_in")
    db.session.commit()
    return found


def issue_walk_in(
    *,
    tenancy: Tenancy,
    service: Service,
    actor: User,
    priority_category: PriorityCategory | None = None,
    now_utc: dt.datetime | None = None,
) -> Booking:
    """A number for someone who came without booking, from the same queue (printed by the officer)."""
    now_utc = now_utc or utcnow()
    walk_in = Booking(
        code="".join(secrets.choice(CODE_ALPHABET) for _ in range(8)),
        user_id=None,
        mpp_id=tenancy.mpp_id,
        tenancy_id=tenancy.id,
        service_id=service.id,
        status=BookingStatus.CHECKED_IN,
        walk_in=True,
        local_day=today_at(tenancy, now_utc),
        priority_category=priority_category,
        version=1,
        call_count=0,
        created_at=now_utc,
        checked_in_at=now_utc,
    )
    db.session.add(walk_in)
    _assign_number(walk_in, WALK_IN_PREFIX)
    _audit(actor, walk_in, "tanpa janji")
    db.session.commit()
    return walk_in


def _booked_in_time(booking: Booking) -> bool:
    return (
        not booking.walk_in
        and booking.slot_end is not None
        and booking.checked_in_at is not None
        and booking.checked_in_at <= booking.slot_end
    )


def order_key(booking: Booking) -> tuple:
    in_time = _booked_in_time(booking)
    return (
        0 if in_time else 1,
        0 if booking.priority_category else 1,
        booking.slot_start if in_time else booking.checked_in_at,
        booking.id,
    )


# What the counter page shows of each person in the queue, joined in with the list (not loaded row by row).
_SHOWN = (joinedload(Booking.service), joinedload(Booking.application))


def waiting(tenancy_id: int, day: dt.date) -> list[Booking]:
    """Checked-in people not yet called, in the order they will be called."""
    rows = db.session.scalars(
        select(Booking)
        .where(Booking.tenancy_id == tenancy_id, Booking.local_day == day, Booking.status == BookingStatus.CHECKED_IN)
        .options(*_SHOWN)
    ).all()
    return sorted(rows, key=order_key)


def called(tenancy_id: int, day: dt.date) -> list[Booking]:
    return list(
        db.session.scalars(
            select(Booking)
            .where(Booking.tenancy_id == tenancy_id, Booking.local_day == day, Booking.status == BookingStatus.CALLED)
            .options(*_SHOWN)
            .order_by(Booking.last_called_at.desc())
        )
    )


def call_next(*, tenancy: Tenancy, counter_label: str, actor: User, now_utc: dt.datetime | None = None) -> Booking:
    now_utc = now_utc or utcnow()
    queue = waiting(tenancy.id, today_at(tenancy, now_utc))
    if not queue:
        raise CounterRefused("empty")
    nxt = queue[0]
    nxt.status = BookingStatus.CALLED
    nxt.called_at = nxt.called_at or now_utc
    nxt.last_called_at = now_utc
    nxt.call_count = (nxt.call_count or 0) + 1
    nxt.counter_label = counter_label[:60]
    _audit(actor, nxt, f"panggil ke {nxt.counter_label}:")
    db.session.commit()
    return nxt


def _called_here(tenancy: Tenancy, booking_id: int) -> Booking:
    found = db.session.get(Booking, booking_id)
    if found is None or found.tenancy_id != tenancy.id:
        raise CounterRefused("unknown")
    return found


def recall(*, tenancy: Tenancy, booking_id: int, actor: User, now_utc: dt.datetime | None = None) -> Booking:
    now_utc = now_utc or utcnow()
    found = _called_here(tenancy, booking_id)
    if found.status != BookingStatus.CALLED or found.last_called_at is None:
        raise CounterRefused("not_called")
    allowed_at = found.last_called_at + RECALL_AFTER
    if now_utc < allowed_at:
        from ..formatting import local_datetime

        raise CounterRefused("recall_early", time=local_datetime(allowed_at, tenancy.mpp.timezone))
    found.last_called_at = now_utc
    found.call_count += 1
    _audit(actor, found, "panggil ulang")
    db.session.commit()
    return found


def mark_served(*, tenancy: Tenancy, booking_id: int, actor: User, now_utc: dt.datetime | None = None) -> Booking:
    now_utc = now_utc or utcnow()
    found = _called_here(tenancy, booking_id)
    if found.status != BookingStatus.CALLED:
        raise CounterRefused("not_called")
    found.status = BookingStatus.SERVED
    found.finished_at = now_utc
    _audit(actor, found, "selesai")
    db.session.commit()
    announce_served(found)  # after the commit: the feedback survey may follow, the visit stays served regardless
    return found


def mark_no_show(*, tenancy: Tenancy, booking_id: int, actor: User, now_utc: dt.datetime | None = None) -> Booking:
    """Called and not there. They are called again later only if they come back and check in again."""
    now_utc = now_utc or utcnow()
    found = _called_here(tenancy, booking_id)
    if found.status != BookingStatus.CALLED:
        raise CounterRefused("not_called")
    found.status = BookingStatus.NO_SHOW
    found.finished_at = now_utc
    db.session.execute(delete(QueueClaim).where(QueueClaim.booking_id == found.id))
    _audit(actor, found, "tidak hadir")
    db.session.commit()
    return found


def transfer(
    *, tenancy: Tenancy, booking_id: int, to: Tenancy, actor: User, now_utc: dt.datetime | None = None
) -> Booking:
    """Send a called or waiting visitor to another agency's counter at the same MPP, keeping their place in time."""
    found = _called_here(tenancy, booking_id)
    if to.id == tenancy.id or to.mpp_id != tenancy.mpp_id:
        raise CounterRefused("same_counter")
    if found.status not in (BookingStatus.CALLED, BookingStatus.CHECKED_IN):
        raise CounterRefused("not_called")
    old_number = found.queue_number
    found.tenancy_id = to.id
    found.status = BookingStatus.CHECKED_IN
    found.counter_label = None
    found.queue_number = None
    db.session.flush()
    _assign_number(found, old_number[:1] if old_number else (WALK_IN_PREFIX if found.walk_in else BOOKED_PREFIX))
    _audit(actor, found, f"alihkan dari {old_number} ke {to.counter or to.agency.short_name}:")
    db.session.commit()
    return found


def release_no_shows(*, tenancy: Tenancy, now_utc: dt.datetime | None = None) -> int:
    """Bookings not checked in N minutes after their slot began are released (their place and their claims)."""
    now_utc = now_utc or utcnow()
    rows = db.session.scalars(
        select(Booking).where(
            Booking.tenancy_id == tenancy.id,
            Booking.status == BookingStatus.CONFIRMED,
            Booking.slot_start < now_utc,
        )
    ).all()
    released = 0
    for row in rows:
        rules = queue_settings.rules_for(row.tenancy_id, row.service_id)
        if row.slot_start + dt.timedelta(minutes=rules.no_show_minutes) <= now_utc:
            row.status = BookingStatus.NO_SHOW
            row.finished_at = now_utc
            db.session.execute(delete(QueueClaim).where(QueueClaim.booking_id == row.id))
            released += 1
    if released:
        db.session.commit()
    return released
