"""The MPP admin's queue settings (issue 10 point 10): per counter and service, and closures of the MPP.

A change never cancels a booking by itself. Smaller capacity or shorter hours apply to places not yet taken (the
claims already made stay valid); a closure declared on a day that has bookings keeps them and tells each citizen,
through the notifications outbox, to choose another time (they can reschedule or cancel from their ticket).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, true

from ..accounts.models import User
from ..backoffice import audit
from ..backoffice.models import AuditAction
from ..catalog.models import Service, Tenancy
from ..extensions import db
from ..formatting import long_date
from ..notifications.models import Notification, OutboxMessage
from .models import Booking, BookingStatus, QueueClosure, QueueSettings
from .settings import DEFAULT_RULES, rules_for

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


def save_settings(*, tenancy: Tenancy, service: Service, check: SettingsCheck, actor: User) -> QueueSettings:
    row = db.session.scalar(
        select(QueueSettings).where(QueueSettings.tenancy_id == tenancy.id, QueueSettings.service_id == service.id)
    )
    if row is None:
        row = QueueSettings(tenancy_id=tenancy.id, service_id=service.id)
        db.session.add(row)
    for name, value in check.values.items():
        setattr(row, name, value)
    db.session.flush()
    audit.record(
        actor=actor,
        action=AuditAction.QUEUE,
        mpp_id=tenancy.mpp_id,
        object_type="queue_settings",
        object_id=row.id,
        reason=f"pengaturan {service.name}: "
        + ", ".join(f"{name}={value}" for name, value in sorted(check.values.items())),
    )
    db.session.commit()
    return row


def current_values(tenancy: Tenancy, service: Service) -> dict:
    rules = rules_for(tenancy.id, service.id)
    return {name: getattr(rules, name) for name in (*LIMITS, "enabled")}


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
    affected = db.session.scalars(
        select(Booking).where(
            Booking.mpp_id == mpp_id,
            Booking.local_day == day,
            Booking.status == BookingStatus.CONFIRMED,
            Booking.user_id.is_not(None),
            (Booking.tenancy_id == tenancy.id) if tenancy else true(),
        )
    ).all()
    for booking in affected:
        notification = Notification(
            user_id=booking.user_id,
            kind="queue_closure",
            title_msgid=CLOSURE_TITLE,
            body_msgid=CLOSURE_BODY,
            params={
                "day": long_date(day),
                "mpp": booking.mpp.name,
                "reason": reason[:200],
                "code": booking.display_code,
                "service": booking.service.name,
            },
            url=f"/antrean/{booking.code}",
            timezone=booking.mpp.timezone,
        )
        notification.outbox.append(OutboxMessage())
        db.session.add(notification)
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
