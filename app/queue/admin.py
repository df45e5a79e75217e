"""The MPP admin's queue settings (issue 10 point 10): per counter and service, and closures of the MPP.

A change never cancels a booking by itself. Smaller capacity or shorter hours apply to places not yet taken (the
claims already made stay valid). Whoever a change touches is told, in the inbox, by Web Push and by e-mail
(notices.py), in the same transaction as the change:
  * a settings change: every upcoming booking that would no longer fit the new rules (its time is not a slot any
    more, its slot or day now holds more than the new capacity or quota, it lies beyond the new window, or online
    booking was switched off) hears that it stays valid and that it can be changed or cancelled;
  * a closure declared on a day that has bookings keeps them and tells each citizen to choose another time;
  * a closure removed tells the citizens booked that day that their visit stands after all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, true

from ..accounts.models import User
from ..backoffice import audit
from ..backoffice.models import AuditAction
from ..catalog.models import Agency, Service, ServiceOffering, Tenancy
from ..database import utcnow
from ..extensions import db
from ..formatting import long_date
from . import notices
from .models import Booking, BookingStatus, QueueClosure, QueueSettings
from .settings import DEFAULT_RULES, place_of, rules_for, rules_for_services
from .slots import Rules, last_open_day, slots_of_day
from .ticket import visit_window

# field → (lowest, highest, label): the same ranges as the table's CHECK constraints.
LIMITS = {
    "slot_minutes": (5, 240, _l("Slot length (minutes)")),
    "capacity": (0, 500, _l("Places per slot")),
    "priority_capacity": (0, 500, _l("Priority places per slot")),
    "daily_quota": (0, 5000, _l("Daily quota")),
    "priority_daily_quota": (0, 5000, _l("Priority daily quota")),
    "window_days": (0, 90, _l("Booking window (days ahead)")),
    "release_hour": (0, 23, _l("Release hour (local time)")),
    "reschedule_cutoff_hours": (0, 168, _l("Changes close (hours before)")),
    "no_show_minutes": (0, 240, _l("No-show released after (minutes)")),
}


def N_(msgid: str) -> str:  # noqa: N802 — marks a msgid for extraction; translated when shown
    return msgid


CLOSURE_TITLE = N_("The MPP is closed on %(day)s")
CLOSURE_BODY = N_(
    "%(mpp)s is closed on %(day)s (%(reason)s). Your booking %(code)s for %(service)s stays until you change it: "
    "please choose another time or cancel it."
)
REOPEN_TITLE = N_("The MPP is open again on %(day)s")
REOPEN_BODY = N_(
    "%(mpp)s is open on %(day)s after all: the closure was lifted. Your booking %(code)s for %(service)s at "
    "%(time)s stands; come as planned."
)
RULES_TITLE = N_("Your booking %(code)s stays valid")
RULES_BODY = N_(
    "%(mpp)s changed how %(service)s is booked. Your booking on %(day)s, %(time)s, was not cancelled and stays "
    "valid. If the new schedule does not suit you, change or cancel it from your ticket."
)
KIND_CLOSURE = "queue_closure"
KIND_REOPEN = "queue_reopen"
KIND_RULES = "queue_rules"


@dataclass
class SettingsCheck:
    values: dict[str, int] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    raw: dict[str, str] = field(default_factory=dict)


def check_settings(form) -> SettingsCheck:
    """Whole numbers within their range; a message per field, and what was typed is kept for the form."""
    check = SettingsCheck()
    for name, (low, high, _label) in LIMITS.items():
        raw = (form.get(name) or "").strip()[:10]
        check.raw[name] = raw
        if not raw.isdigit() or not low <= int(raw) <= high:
            check.errors[name] = str(_l("Enter a whole number from %(low)s to %(high)s.", low=low, high=high))
        else:
            check.values[name] = int(raw)
    check.values["enabled"] = form.get("enabled") == "1"
    return check


def no_longer_fitting(bookings: list[Booking], *, rules: Rules, hours, tz: str, now_utc: dt.datetime) -> list[Booking]:
    """The upcoming bookings that the rules ``rules`` would not have given: they stay valid, their citizens are told.

    A booking does not fit when online booking is off, its day lies beyond the window, its time is not one of the
    day's slots any more (a new slot length), or its slot or its day now holds more bookings than the new places."""
    if not rules.enabled:
        return list(bookings)
    last_day = last_open_day(rules, tz, now_utc)
    per_slot: dict[dt.datetime, int] = {}
    per_day: dict[dt.date, int] = {}
    for booking in bookings:
        per_slot[booking.slot_start] = per_slot.get(booking.slot_start, 0) + 1
        per_day[booking.local_day] = per_day.get(booking.local_day, 0) + 1
    grids: dict[dt.date, set] = {}
    unfit = []
    for booking in bookings:
        if booking.local_day not in grids:
            grids[booking.local_day] = {
                (slot.start, slot.end) for slot in slots_of_day(booking.local_day, rules=rules, hours=hours, tz=tz)
            }
        if (
            booking.local_day > last_day
            or (booking.slot_start, booking.slot_end) not in grids[booking.local_day]
            or per_slot[booking.slot_start] > rules.capacity + rules.priority_capacity
            or per_day[booking.local_day] > rules.daily_quota + rules.priority_daily_quota
        ):
            unfit.append(booking)
    return unfit


def upcoming_bookings(tenancy_id: int, service_id: int, now_utc: dt.datetime) -> list[Booking]:
    """Confirmed bookings of this counter and service that have not started yet."""
    return list(
        db.session.scalars(
            select(Booking)
            .where(
                Booking.tenancy_id == tenancy_id,
                Booking.service_id == service_id,
                Booking.status == BookingStatus.CONFIRMED,
                Booking.slot_start > now_utc,
            )
            .order_by(Booking.slot_start, Booking.id)
        )
    )


def save_settings(
    *, tenancy: Tenancy, service: Service, check: SettingsCheck, actor: User, now_utc: dt.datetime | None = None
) -> tuple[QueueSettings, int]:
    """Save the settings; tell every citizen whose upcoming booking no longer fits them. Returns (row, notified)."""
    now_utc = now_utc or utcnow()
    row = db.session.scalar(
        select(QueueSettings).where(QueueSettings.tenancy_id == tenancy.id, QueueSettings.service_id == service.id)
    )
    if row is None:
        row = QueueSettings(tenancy_id=tenancy.id, service_id=service.id)
        db.session.add(row)
    for name, value in check.values.items():
        setattr(row, name, value)
    db.session.flush()
    place = place_of(tenancy, service)
    unfit = no_longer_fitting(
        upcoming_bookings(tenancy.id, service.id, now_utc),
        rules=place.rules,
        hours=place.hours,
        tz=place.tz,
        now_utc=now_utc,
    )
    for booking in unfit:
        notices.tell(booking, kind=KIND_RULES, title=RULES_TITLE, body=RULES_BODY, params=_params(booking))
    audit.record(
        actor=actor,
        action=AuditAction.QUEUE,
        mpp_id=tenancy.mpp_id,
        object_type="queue_settings",
        object_id=row.id,
        reason=f"pengaturan {service.name}: "
        + ", ".join(f"{name}={value}" for name, value in sorted(check.values.items()))
        + f" ({len(unfit)} warga diberi tahu)",
    )
    db.session.commit()
    return row, len(unfit)


def _params(booking: Booking, **extra) -> dict:
    return {
        "day": long_date(booking.local_day),
        "time": visit_window(booking),
        "mpp": booking.mpp.name,
        "code": booking.display_code,
        "service": booking.service.name,
        **extra,
    }


def current_values(tenancy: Tenancy, service: Service) -> dict:
    return _values(rules_for(tenancy.id, service.id))


def _values(rules: Rules) -> dict:
    return {name: getattr(rules, name) for name in (*LIMITS, "enabled")}


def counter_services(mpp_id: int, tenancy: Tenancy) -> list[tuple[Service, dict]]:
    """The services this counter takes bookings for (its agency's, offered at this MPP), by name, each with its
    current settings — two statements whatever the number of services (not two per service)."""
    services = db.session.scalars(
        select(Service)
        .join(ServiceOffering, (ServiceOffering.service_id == Service.id) & (ServiceOffering.mpp_id == mpp_id))
        .where(Service.agency_id == tenancy.agency_id)
        .order_by(Service.name)
    ).all()
    rules = rules_for_services(tenancy.id, [service.id for service in services])
    return [(service, _values(rules[service.id])) for service in services]


def counter_agencies(mpp_id: int) -> dict[int, str]:
    """Each counter of the MPP -> its agency's short name; reading them also puts the agencies in the session, so
    ``tenancy.agency`` of these counters costs no statement afterwards."""
    rows = db.session.execute(
        select(Tenancy.id, Agency).join(Agency, Agency.id == Tenancy.agency_id).where(Tenancy.mpp_id == mpp_id)
    ).all()
    return {tenancy_id: agency.short_name for tenancy_id, agency in rows}


def defaults() -> dict:
    return {name: getattr(DEFAULT_RULES, name) for name in (*LIMITS, "enabled")}


def declare_closure(
    *, mpp_id: int, day: dt.date, reason: str, actor: User, tenancy: Tenancy | None = None
) -> tuple[QueueClosure, int]:
    """Close the MPP (or one counter) on ``day``; notify every citizen booked that day. Returns (closure, notified)."""
    closure = QueueClosure(
        mpp_id=mpp_id, tenancy_id=tenancy.id if tenancy else None, day=day, reason=reason[:200], created_by_id=actor.id
    )
    db.session.add(closure)
    affected = _booked_on(mpp_id, day, tenancy.id if tenancy else None)
    for booking in affected:
        notices.tell(
            booking,
            kind=KIND_CLOSURE,
            title=CLOSURE_TITLE,
            body=CLOSURE_BODY,
            params=_params(booking, reason=reason[:200]),
        )
    db.session.flush()
    audit.record(
        actor=actor,
        action=AuditAction.QUEUE,
        mpp_id=mpp_id,
        object_type="queue_closure",
        object_id=closure.id,
        reason=f"penutupan {day.isoformat()}: {reason[:150]} ({len(affected)} warga diberi tahu)",
    )
    db.session.commit()
    return closure, len(affected)


def closures_of(mpp_id: int, *, from_day: dt.date) -> list[QueueClosure]:
    return list(
        db.session.scalars(
            select(QueueClosure)
            .where(QueueClosure.mpp_id == mpp_id, QueueClosure.day >= from_day)
            .order_by(QueueClosure.day)
        )
    )


def _booked_on(mpp_id: int, day: dt.date, tenancy_id: int | None) -> list[Booking]:
    """Confirmed online bookings at the MPP (or one of its counters) on ``day``."""
    return list(
        db.session.scalars(
            select(Booking).where(
                Booking.mpp_id == mpp_id,
                Booking.local_day == day,
                Booking.status == BookingStatus.CONFIRMED,
                Booking.user_id.is_not(None),
                (Booking.tenancy_id == tenancy_id) if tenancy_id else true(),
            )
        )
    )


def remove_closure(*, mpp_id: int, closure_id: int, actor: User) -> int | None:
    """Lift a closure of this MPP; tell the citizens booked that day (and not kept away by another closure) that
    their visit stands. Returns how many were told, or None when the closure is not one of this MPP's."""
    closure = db.session.get(QueueClosure, closure_id)
    if closure is None or closure.mpp_id != mpp_id:
        return None
    day, tenancy_id, reason = closure.day, closure.tenancy_id, closure.reason
    db.session.execute(delete(QueueClosure).where(QueueClosure.id == closure.id))
    remaining = db.session.scalars(
        select(QueueClosure.tenancy_id).where(QueueClosure.mpp_id == mpp_id, QueueClosure.day == day)
    ).all()
    told = 0
    for booking in _booked_on(mpp_id, day, tenancy_id):
        if None in remaining or booking.tenancy_id in remaining:
            continue  # still closed for this counter: the earlier notice stands
        notices.tell(booking, kind=KIND_REOPEN, title=REOPEN_TITLE, body=REOPEN_BODY, params=_params(booking))
        told += 1
    audit.record(
        actor=actor,
        action=AuditAction.QUEUE,
        mpp_id=mpp_id,
        object_type="queue_closure",
        object_id=closure_id,
        reason=f"penutupan dicabut {day.isoformat()}: {reason[:150]} ({told} warga diberi tahu)",
    )
    db.session.commit()
    return told
