"""Reminders of a booked visit, the day before and an hour before, through the notifications outbox (in-app inbox
and Web Push to every device the citizen opted in on). Run every minute by the job worker (cli.py).

Tied to the booking's version: a reminder is due for the booking's *current* time, and sending it records that
version in the same transaction as the notification (a conditional UPDATE). So:
  * a rescheduled booking (version + 1) gets reminders for its new time only, never for the old one;
  * a cancelled booking gets none (only confirmed bookings are looked at);
  * two workers sweeping at once send it once: only one UPDATE matches.
The time in the message is the MPP's local time with its zone named (WIB/WITA/WIT).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select, update

from ..database import utcnow
from ..extensions import db
from ..formatting import clock, zone_label
from ..notifications.models import Notification, OutboxMessage
from .live import OFF_THE_BOARD  # a reminder only ever marks a confirmed booking
from .models import Booking, BookingStatus

KIND_QUEUE_REMINDER = "queue_reminder"
HOUR_BEFORE = dt.timedelta(hours=1)
DAY_BEFORE = dt.timedelta(days=1)


def N_(msgid: str) -> str:  # noqa: N802 — marks a msgid for extraction; translated when shown, in the reader's language
    return msgid


DAY_TITLE = N_("Reminder: your visit tomorrow at %(time)s")
HOUR_TITLE = N_("Reminder: your visit at %(time)s, in an hour")
BODY = N_("%(service)s at %(mpp)s, %(counter)s. Booking code %(code)s.")


def _due(column, *, before: dt.timedelta, after: dt.timedelta, now_utc: dt.datetime) -> list[tuple[int, int]]:
    """(id, version) of confirmed bookings starting within ``before`` from now (and not within ``after``) whose
    reminder of this kind has not been sent for their current version."""
    rows = db.session.execute(
        select(Booking.id, Booking.version).where(
            Booking.status == BookingStatus.CONFIRMED,
            Booking.user_id.is_not(None),
            Booking.slot_start > now_utc + after,
            Booking.slot_start <= now_utc + before,
            or_(column.is_(None), column != Booking.version),
        )
    ).all()
    return [(row.id, row.version) for row in rows]


def _claim(booking_id: int, version: int, column_name: str) -> bool:
    column = getattr(Booking, column_name)
    result = db.session.execute(
        update(Booking)
        .where(
            Booking.id == booking_id,
            Booking.version == version,
            Booking.status == BookingStatus.CONFIRMED,
            or_(column.is_(None), column != version),
        )
        .values({column_name: version})
        .execution_options(synchronize_session=False, **OFF_THE_BOARD)
    )
    return result.rowcount == 1


def _notify(booking: Booking, title: str) -> None:
    tz = booking.mpp.timezone
    local = booking.slot_start.astimezone(ZoneInfo(tz))
    notification = Notification(
        user_id=booking.user_id,
        kind=KIND_QUEUE_REMINDER,
        title_msgid=title,
        body_msgid=BODY,
        params={
            "time": f"{clock(local.time())} {zone_label(tz)}",
            "service": booking.service.name,
            "mpp": booking.mpp.name,
            "counter": booking.tenancy.counter or booking.service.agency.short_name,
            "code": booking.display_code,
        },
        url=f"/antrean/{booking.code}",
        timezone=tz,
    )
    notification.outbox.append(OutboxMessage())
    db.session.add(notification)


def send_due_reminders(now_utc: dt.datetime | None = None) -> int:
    """Write every reminder that is due now (notification + outbox row, one transaction per booking)."""
    now_utc = now_utc or utcnow()
    sent = 0
    # The hour-before reminder first; a day-before reminder that is only found within the last hour (the worker was
    # down) is dropped, since the hour-before one says the same thing more usefully.
    plans = (
        ("hour_reminder_version", HOUR_TITLE, HOUR_BEFORE, dt.timedelta(0)),
        ("day_reminder_version", DAY_TITLE, DAY_BEFORE, HOUR_BEFORE),
    )
    for column_name, title, before, after in plans:
        for booking_id, version in _due(getattr(Booking, column_name), before=before, after=after, now_utc=now_utc):
            if _claim(booking_id, version, column_name):
                _notify(db.session.get(Booking, booking_id), title)
                sent += 1
            db.session.commit()
    return sent
