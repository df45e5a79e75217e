"""Booking a counter visit: hold → confirm, reschedule, cancel. Each function owns its transaction.

The rules that protect fairness are claims (models.py): a hold inserts the booking's seat in the slot, its place in
the day's quota and "one booking per account per service per day"; confirming adds "one per NIK". Any insert that
another booking already made fails in the database — so 200 people pressing "Tahan" for the last seat at the same
moment get one hold and 199 clear "slot penuh" answers, on SQLite and PostgreSQL alike.

A hold lasts 5 minutes (HOLD_MINUTES). It expires by itself: whoever next needs a place of that day first releases
the holds that ran out (a conditional UPDATE, so a confirmation racing with the release cannot both win).
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import joinedload

from ..accounts.models import User
from ..database import utcnow
from ..extensions import db
from ..pagination import Page, paginate
from ..personal.nik import InvalidNumber, parse_nik
from . import settings as queue_settings
from .events import booking_changed
from .live import OFF_THE_BOARD  # these statements touch only held, confirmed and cancelled bookings
from .models import ACTIVE_STATUSES, Booking, BookingStatus, PriorityCategory, QueueClaim
from .settings import Place
from .slots import Refusal, Slot, bookable_slots, find_slot, parse_slot_key

HOLD_MINUTES = 5
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud and typed at the counter

MESSAGES = {
    Refusal.PAST: _l("That time has already passed. Choose a later slot."),
    Refusal.BEYOND_WINDOW: _l("That day is not open for booking yet. Choose one of the days shown."),
    Refusal.HOLIDAY: _l("The MPP is closed on that day (a public holiday or cuti bersama). Choose another day."),
    Refusal.CLOSURE: _l("The MPP is closed on that day. Choose another day."),
    Refusal.NOT_SERVING: _l("This counter does not serve on that day. Choose another day."),
    Refusal.OUTSIDE_HOURS: _l("That time is outside the counter's opening hours. Choose one of the slots shown."),
    Refusal.UNKNOWN: _l("That slot does not exist. Choose one of the slots shown."),
    "full": _l("This slot is full. Choose another time."),
    "double": _l("You already have a booking for this service on that day. Change or cancel it first."),
    "nik_double": _l("This NIK already has a booking for this service on that day."),
    "expired": _l("Your 5-minute hold has ended and the place was released. Please choose a slot again."),
    "cutoff": _l("This booking can no longer be changed online: changes close %(hours)s hours before the visit."),
    "closed": _l("This booking can no longer be changed."),
    "disabled": _l("Online booking is not available for this service at this MPP."),
    "busy": _l("Many people are booking right now. Nothing was booked yet: please try again in a moment."),
}

T = TypeVar("T")
RETRIES = 12


def _transient(error: OperationalError) -> bool:
    """Contention, not a fault: SQLite's writer lock was busy past its timeout, or PostgreSQL broke a deadlock
    between two bookings that took the same seats in a different order. Both are safe to run again."""
    text = str(error.orig).lower()
    return "database is locked" in text or "deadlock detected" in text


def _retrying(work: Callable[[], T]) -> T:
    """Run one booking transaction, again (with jitter) when it lost a lock race. The claims make a retry
    harmless: nothing was committed by the failed attempt."""
    for attempt in range(RETRIES):
        try:
            return work()
        except OperationalError as error:
            db.session.rollback()
            if not _transient(error):
                raise
            time.sleep(random.uniform(0.02, 0.08) * (attempt + 1))  # noqa: S311 - jitter, not a secret
    raise BookingRefused("busy")


class BookingRefused(Exception):
    """A booking rule said no. ``reason`` picks the message; ``field`` is where the form shows it."""

    def __init__(self, reason, *, field: str = "slot", **params) -> None:
        super().__init__(str(reason))
        self.reason = reason
        self.field = field
        self.params = params

    @property
    def message(self) -> str:
        if self.reason == "nik_invalid":
            return self.params["message"]
        return str(MESSAGES[self.reason]) % self.params if self.params else str(MESSAGES[self.reason])


# --- claim keys ---------------------------------------------------------------------------------------------------
# No "%" or "_" in any key (they are LIKE wildcards in the places-left query).


def _slot_prefix(place: Place, slot: Slot, kind: str) -> str:
    return f"slot:{place.tenancy.id}:{place.service.id}:{slot.key}:{kind}:"


def _day_prefix(place: Place, day: dt.date, kind: str) -> str:
    return f"day:{place.tenancy.id}:{place.service.id}:{day.isoformat()}:{kind}:"


def _person_key(user_id: int, service_id: int, day: dt.date) -> str:
    return f"user:{user_id}:{service_id}:{day.isoformat()}"


def _nik_key(nik_hash: str, service_id: int, day: dt.date) -> str:
    return f"nik:{nik_hash[:40]}:{service_id}:{day.isoformat()}"


def _claim(key: str, booking_id: int) -> bool:
    """Insert one claim; False when another booking holds the key (the database decided, not this process)."""
    try:
        with db.session.begin_nested():
            db.session.add(QueueClaim(key=key, booking_id=booking_id))
    except IntegrityError:
        return False
    return True


def _take_seat(prefix: str, capacity: int, booking_id: int) -> bool:
    """One of the ``capacity`` numbered seats under ``prefix``: the free ones by a read, then each tried by insert."""
    taken = set(db.session.scalars(select(QueueClaim.key).where(QueueClaim.key.like(prefix + "%"))))
    free = [number for number in range(capacity) if f"{prefix}{number}" not in taken]
    return any(_claim(f"{prefix}{number}", booking_id) for number in free)


def _release(booking: Booking) -> None:
    db.session.execute(delete(QueueClaim).where(QueueClaim.booking_id == booking.id))


def release_expired_holds(*, tenancy_id: int, service_id: int, day: dt.date, now_utc: dt.datetime) -> int:
    """Holds of that day that ran out: mark them expired and free their places. Safe to run concurrently."""
    ids = db.session.scalars(
        select(Booking.id).where(
            Booking.tenancy_id == tenancy_id,
            Booking.service_id == service_id,
            Booking.local_day == day,
            Booking.status == BookingStatus.HOLD,
            Booking.hold_expires_at <= now_utc,
        )
    ).all()
    released = 0
    for booking_id in ids:
        result = db.session.execute(
            update(Booking)
            .where(Booking.id == booking_id, Booking.status == BookingStatus.HOLD, Booking.hold_expires_at <= now_utc)
            .values(status=BookingStatus.EXPIRED)
            .execution_options(synchronize_session=False, **OFF_THE_BOARD)
        )
        if result.rowcount == 1:  # this request expired it; a confirmation that won the race keeps its places
            db.session.execute(delete(QueueClaim).where(QueueClaim.booking_id == booking_id))
            released += 1
    return released


def _take_places(booking: Booking, place: Place, slot: Slot, now_utc: dt.datetime) -> None:
    """The slot seat and the day place (priority seats first for the priority groups). Raises "full"."""
    rules = place.rules
    day = slot.local_start.date()
    release_expired_holds(tenancy_id=place.tenancy.id, service_id=place.service.id, day=day, now_utc=now_utc)
    kinds = [("p", rules.priority_capacity, rules.priority_daily_quota)] if booking.priority_category else []
    kinds.append(("r", rules.capacity, rules.daily_quota))
    for kind, per_slot, per_day in kinds:
        try:
            with db.session.begin_nested():
                if not _take_seat(_slot_prefix(place, slot, kind), per_slot, booking.id):
                    raise _NoSeat
                if not _take_seat(_day_prefix(place, day, kind), per_day, booking.id):
                    raise _NoSeat
        except _NoSeat:
            continue
        return
    raise BookingRefused("full")


class _NoSeat(Exception):
    pass


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


def _slot_or_refuse(place: Place, slot_value: str | None, now_utc: dt.datetime) -> Slot:
    if not place.rules.enabled:
        raise BookingRefused("disabled")
    local = parse_slot_key(slot_value)
    if local is None:
        raise BookingRefused(Refusal.UNKNOWN)
    calendar = queue_settings.calendar_for(place, local.date(), local.date())
    found = find_slot(slot_value, rules=place.rules, hours=place.hours, tz=place.tz, calendar=calendar, now_utc=now_utc)
    if isinstance(found, Refusal):
        raise BookingRefused(found)
    return found


def hold(
    *,
    user: User,
    place: Place,
    slot_value: str | None,
    priority_category: PriorityCategory | None = None,
    application_id: int | None = None,
    now_utc: dt.datetime | None = None,
) -> Booking:
    """Hold a place in a slot for HOLD_MINUTES while the citizen confirms. Commits; raises BookingRefused.
    ``application_id``: the citizen's application this visit is for (checked by the caller: visits.application_for)."""
    now_utc = now_utc or utcnow()
    slot = _slot_or_refuse(place, slot_value, now_utc)
    return _retrying(
        lambda: _hold_once(
            user=user,
            place=place,
            slot=slot,
            priority_category=priority_category,
            application_id=application_id,
            now_utc=now_utc,
        )
    )


def _hold_once(
    *, user: User, place: Place, slot: Slot, priority_category, application_id: int | None, now_utc: dt.datetime
) -> Booking:
    day = slot.local_start.date()
    booking = Booking(
        code=_new_code(),
        user_id=user.id,
        mpp_id=place.mpp.id,
        tenancy_id=place.tenancy.id,
        service_id=place.service.id,
        status=BookingStatus.HOLD,
        slot_start=slot.start,
        slot_end=slot.end,
        local_day=day,
        priority_category=priority_category,
        application_id=application_id,
        hold_expires_at=now_utc + dt.timedelta(minutes=HOLD_MINUTES),
        version=1,
        created_at=now_utc,
    )
    try:
        db.session.add(booking)
        db.session.flush()
        person = _person_key(user.id, place.service.id, day)
        if not _claim(person, booking.id):
            # The same citizen changing their mind before confirming: their own earlier hold gives way.
            earlier = _holder(person)
            if earlier is None or earlier.user_id != user.id or earlier.status != BookingStatus.HOLD:
                raise BookingRefused("double")
            _end(earlier, BookingStatus.EXPIRED, now_utc)
            if not _claim(person, booking.id):
                raise BookingRefused("double")
        _take_places(booking, place, slot, now_utc)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return booking


def _holder(key: str) -> Booking | None:
    return db.session.scalar(
        select(Booking).join(QueueClaim, QueueClaim.booking_id == Booking.id).where(QueueClaim.key == key)
    )


def _end(booking: Booking, status: BookingStatus, now_utc: dt.datetime) -> None:
    booking.status = status
    if status == BookingStatus.CANCELLED:
        booking.cancelled_at = now_utc
    _release(booking)


def confirm(*, booking: Booking, nik: str | None, now_utc: dt.datetime | None = None) -> Booking:
    """Confirm a hold with the visitor's NIK (one booking per NIK per service per day, across accounts)."""
    now_utc = now_utc or utcnow()
    if booking.status != BookingStatus.HOLD:
        raise BookingRefused("closed")
    try:
        number = parse_nik(nik or "", today=booking.local_day).nik
    except InvalidNumber as error:
        raise BookingRefused("nik_invalid", field="nik", message=str(error.message)) from None
    digest = queue_settings.nik_hash(number)
    return _retrying(lambda: _confirm_once(booking=booking, number=number, digest=digest, now_utc=now_utc))


def _confirm_once(*, booking: Booking, number: str, digest: str, now_utc: dt.datetime) -> Booking:
    try:
        if not _claim(_nik_key(digest, booking.service_id, booking.local_day), booking.id):
            raise BookingRefused("nik_double", field="nik")
        result = db.session.execute(
            update(Booking)
            .where(Booking.id == booking.id, Booking.status == BookingStatus.HOLD, Booking.hold_expires_at > now_utc)
            .values(status=BookingStatus.CONFIRMED, confirmed_at=now_utc, nik_hash=digest, nik_tail=number[-4:])
            .execution_options(synchronize_session=False, **OFF_THE_BOARD)
        )
        if result.rowcount != 1:
            raise BookingRefused("expired")
        booking_changed.send(booking, kind="confirmed")
        db.session.commit()
    except BookingRefused as refusal:
        db.session.rollback()
        if refusal.reason == "expired":
            _expire_now(booking.id, now_utc)
        raise
    except BaseException:
        db.session.rollback()
        raise
    db.session.refresh(booking)
    return booking


def _expire_now(booking_id: int, now_utc: dt.datetime) -> None:
    booking = db.session.get(Booking, booking_id)
    if booking is not None:
        release_expired_holds(
            tenancy_id=booking.tenancy_id, service_id=booking.service_id, day=booking.local_day, now_utc=now_utc
        )
        db.session.commit()


def changeable_until(booking: Booking, place: Place) -> dt.datetime | None:
    if booking.slot_start is None:
        return None
    return booking.slot_start - dt.timedelta(hours=place.rules.reschedule_cutoff_hours)


def can_change(booking: Booking, place: Place, now_utc: dt.datetime) -> bool:
    until = changeable_until(booking, place)
    return booking.status == BookingStatus.CONFIRMED and until is not None and now_utc < until


def can_cancel(booking: Booking, now_utc: dt.datetime) -> bool:
    """Cancelling stays possible until the visit starts: a place given back is a place someone else can use."""
    return booking.status in (BookingStatus.HOLD, BookingStatus.CONFIRMED) and (
        booking.slot_start is None or now_utc < booking.slot_start
    )


def cancel(*, booking: Booking, now_utc: dt.datetime | None = None) -> Booking:
    now_utc = now_utc or utcnow()
    if not can_cancel(booking, now_utc):
        raise BookingRefused("closed")
    return _retrying(lambda: _cancel_once(booking=booking, now_utc=now_utc))


def _cancel_once(*, booking: Booking, now_utc: dt.datetime) -> Booking:
    result = db.session.execute(
        update(Booking)
        .where(Booking.id == booking.id, Booking.status.in_((BookingStatus.HOLD, BookingStatus.CONFIRMED)))
        .values(status=BookingStatus.CANCELLED, cancelled_at=now_utc, version=Booking.version + 1)
        .execution_options(synchronize_session=False, **OFF_THE_BOARD)
    )
    if result.rowcount != 1:
        db.session.rollback()
        raise BookingRefused("closed")
    _release(booking)
    booking_changed.send(booking, kind="cancelled")
    db.session.commit()
    db.session.refresh(booking)
    return booking


def reschedule(*, booking: Booking, slot_value: str | None, now_utc: dt.datetime | None = None) -> Booking:
    """Move a confirmed booking to another slot. The old places are released and the new ones taken in one
    transaction: if the new slot is full, the booking keeps its old time."""
    now_utc = now_utc or utcnow()
    place = queue_settings.place_of(booking.tenancy, booking.service)
    if booking.status != BookingStatus.CONFIRMED:
        raise BookingRefused("closed")
    if not can_change(booking, place, now_utc):
        raise BookingRefused("cutoff", hours=place.rules.reschedule_cutoff_hours)
    slot = _slot_or_refuse(place, slot_value, now_utc)
    return _retrying(lambda: _reschedule_once(booking=booking, place=place, slot=slot, now_utc=now_utc))


def _reschedule_once(*, booking: Booking, place: Place, slot: Slot, now_utc: dt.datetime) -> Booking:
    day = slot.local_start.date()
    try:
        _release(booking)
        db.session.flush()
        if not _claim(_person_key(booking.user_id, booking.service_id, day), booking.id):
            raise BookingRefused("double")
        if booking.nik_hash and not _claim(_nik_key(booking.nik_hash, booking.service_id, day), booking.id):
            raise BookingRefused("nik_double")
        _take_places(booking, place, slot, now_utc)
        booking.slot_start, booking.slot_end, booking.local_day = slot.start, slot.end, day
        booking.version = booking.version + 1
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return booking


# --- reading ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SlotChoice:
    slot: Slot
    places_left: int  # for this visitor: regular places, plus priority places for a priority visitor


def slot_choices(place: Place, day: dt.date, *, priority: bool, now_utc: dt.datetime) -> list[SlotChoice]:
    """The day's bookable slots with the places left in each (expired holds do not count as taken)."""
    calendar = queue_settings.calendar_for(place, day, day)
    slots = bookable_slots(day, rules=place.rules, hours=place.hours, tz=place.tz, calendar=calendar, now_utc=now_utc)
    if not slots:
        return []
    taken = _taken_keys(f"slot:{place.tenancy.id}:{place.service.id}:{day.isoformat()}", now_utc)
    day_taken = _taken_keys(_day_prefix(place, day, "").rstrip(":"), now_utc)
    kinds = [("r", place.rules.capacity, place.rules.daily_quota)]
    if priority:
        kinds.append(("p", place.rules.priority_capacity, place.rules.priority_daily_quota))
    choices = []
    for slot in slots:
        left = 0
        for kind, per_slot, per_day in kinds:
            slot_left = per_slot - sum(1 for key in taken if key.startswith(_slot_prefix(place, slot, kind)))
            day_left = per_day - sum(1 for key in day_taken if key.startswith(_day_prefix(place, day, kind)))
            left += max(0, min(slot_left, day_left))
        choices.append(SlotChoice(slot=slot, places_left=left))
    return choices


def _taken_keys(prefix: str, now_utc: dt.datetime) -> list[str]:
    live_hold = (Booking.status != BookingStatus.HOLD) | (Booking.hold_expires_at > now_utc)
    return list(
        db.session.scalars(
            select(QueueClaim.key)
            .join(Booking, Booking.id == QueueClaim.booking_id)
            .where(QueueClaim.key.like(prefix + "%"), live_hold)
        )
    )


def booking_of(user: User, code: str) -> Booking | None:
    """The user's own booking with this code; anyone else's is the same as none (404)."""
    canonical = normalize_code(code)
    if canonical is None:
        return None
    return db.session.scalar(select(Booking).where(Booking.code == canonical, Booking.user_id == user.id))


def normalize_code(code: str | None) -> str | None:
    cleaned = (code or "").strip().upper().replace("-", "").replace(" ", "")
    if len(cleaned) != 8 or any(ch not in CODE_ALPHABET for ch in cleaned):
        return None
    return cleaned


# A visit still to come (or under way): shown in full on "Antrean Saya"; everything else is an earlier booking.
UPCOMING_STATUSES = (BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN, BookingStatus.CALLED, BookingStatus.HOLD)
PAST_PAGE_SIZE = 20


@dataclass(frozen=True)
class MyBookings:
    upcoming: list[Booking]  # few by rule (one active booking per service and day), all shown
    past: Page[Booking]  # grows with every visit: a page at a time


def my_bookings(user: User, *, page: int = 1) -> MyBookings:
    """The citizen's visits to come and one page of earlier ones, newest first, each with the service and MPP it
    shows (joined in: a fixed number of statements whatever the number of bookings)."""
    shown = (joinedload(Booking.service), joinedload(Booking.mpp))
    newest_first = (Booking.local_day.desc(), Booking.slot_start.desc(), Booking.id.desc())
    mine = select(Booking).where(Booking.user_id == user.id).options(*shown).order_by(*newest_first)
    upcoming = list(db.session.scalars(mine.where(Booking.status.in_(UPCOMING_STATUSES))))
    past = paginate(
        mine.where(Booking.status.not_in((*UPCOMING_STATUSES, BookingStatus.EXPIRED))),
        number=page,
        size=PAST_PAGE_SIZE,
    )
    return MyBookings(upcoming=upcoming, past=past)


def active_count(place: Place, day: dt.date) -> int:
    return db.session.scalar(
        select(func.count(Booking.id)).where(
            Booking.tenancy_id == place.tenancy.id,
            Booking.service_id == place.service.id,
            Booking.local_day == day,
            Booking.status.in_(ACTIVE_STATUSES),
        )
    )
