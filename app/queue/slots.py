"""Which days and time slots can be booked: pure functions, no database, no request.

Everything is decided in the MPP's own zone, because that is where the counter's hours ("SIM sampai 12.00 WITA"),
the release hour ("dibuka pukul 06.00") and the visit day live; the slots handed back carry their UTC start for
storage. Indonesia has no daylight saving time, but the arithmetic goes through zoneinfo anyway, so a slot is
never shifted by the server's own zone.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from ..catalog.hours import HoursRow


@dataclass(frozen=True, slots=True)
class Rules:
    """The queue settings of one tenant × service (a QueueSettings row, or the defaults)."""

    slot_minutes: int = 30
    capacity: int = 4
    priority_capacity: int = 1
    daily_quota: int = 48
    priority_daily_quota: int = 8
    window_days: int = 7
    release_hour: int = 6
    reschedule_cutoff_hours: int = 24
    no_show_minutes: int = 15
    enabled: bool = True


class Refusal(enum.StrEnum):
    """Why a day or a slot cannot be booked (each has its own Indonesian message in booking.py)."""

    PAST = "past"
    BEYOND_WINDOW = "beyond_window"
    HOLIDAY = "holiday"
    CLOSURE = "closure"
    NOT_SERVING = "not_serving"  # the tenant does not serve that weekday (BPOM: three days a week)
    OUTSIDE_HOURS = "outside_hours"  # no slot starts at that time (after 12.00 at Samarinda's SIM counter)
    UNKNOWN = "unknown"  # not a slot at all (a forged or garbled value)


@dataclass(frozen=True, slots=True)
class Slot:
    start: dt.datetime  # aware UTC
    end: dt.datetime  # aware UTC
    local_start: dt.datetime  # aware, in the MPP's zone

    @property
    def key(self) -> str:
        """The slot as a form value: its local start, "2026-12-08T09:30"."""
        return self.local_start.strftime("%Y-%m-%dT%H:%M")


@dataclass(frozen=True, slots=True)
class Calendar:
    """Days off that apply to every counter: national holidays and cuti bersama, and the MPP admin's closures."""

    holidays: Collection[dt.date] = frozenset()
    closures: Collection[dt.date] = frozenset()


def local_now(now_utc: dt.datetime, tz: str) -> dt.datetime:
    if now_utc.tzinfo is None:
        raise ValueError("now_utc must be timezone-aware")
    return now_utc.astimezone(ZoneInfo(tz))


def last_open_day(rules: Rules, tz: str, now_utc: dt.datetime) -> dt.date:
    """The furthest day that can be booked now: ``window_days`` ahead once today's release hour has passed, one day
    less before it. Everyone gets the new day at the same stated moment (fair release), not at midnight."""
    local = local_now(now_utc, tz)
    ahead = rules.window_days if local.hour >= rules.release_hour else rules.window_days - 1
    return local.date() + dt.timedelta(days=max(ahead, 0))


def next_release(rules: Rules, tz: str, now_utc: dt.datetime) -> tuple[dt.date, dt.datetime]:
    """The next day to open and the moment it opens (local, aware): today at the release hour if that is still to
    come, else tomorrow at it. One stated moment a day for everyone, so nobody gains by booking at midnight."""
    local = local_now(now_utc, tz)
    release_day = local.date() if local.hour < rules.release_hour else local.date() + dt.timedelta(days=1)
    moment = dt.datetime.combine(release_day, dt.time(rules.release_hour), tzinfo=local.tzinfo)
    return last_open_day(rules, tz, now_utc) + dt.timedelta(days=1), moment


def day_refusal(
    day: dt.date, *, rules: Rules, hours: Sequence[HoursRow], tz: str, calendar: Calendar, now_utc: dt.datetime
) -> Refusal | None:
    """None when ``day`` can be booked (it may still have no slot left today), else why not."""
    today = local_now(now_utc, tz).date()
    if day < today:
        return Refusal.PAST
    if day > last_open_day(rules, tz, now_utc):
        return Refusal.BEYOND_WINDOW
    if day in calendar.holidays:
        return Refusal.HOLIDAY
    if day in calendar.closures:
        return Refusal.CLOSURE
    if not any(row.weekday == day.weekday() for row in hours):
        return Refusal.NOT_SERVING
    return None


def slots_of_day(day: dt.date, *, rules: Rules, hours: Sequence[HoursRow], tz: str) -> list[Slot]:
    """Every slot of ``day`` by the tenant's hours: slots start at opening and must end by closing (a counter that
    closes at 12.00 has its last 30-minute slot at 11.30). Periods of a day (a Friday prayer break) each count."""
    zone = ZoneInfo(tz)
    length = dt.timedelta(minutes=rules.slot_minutes)
    slots = []
    periods = sorted((row.opens, row.closes) for row in hours if row.weekday == day.weekday())
    for opens, closes in periods:
        start = dt.datetime.combine(day, opens, tzinfo=zone)
        end_of_period = dt.datetime.combine(day, closes, tzinfo=zone)
        while start + length <= end_of_period:
            slots.append(
                Slot(start=start.astimezone(dt.UTC), end=(start + length).astimezone(dt.UTC), local_start=start)
            )
            start += length
    return slots


def bookable_slots(
    day: dt.date, *, rules: Rules, hours: Sequence[HoursRow], tz: str, calendar: Calendar, now_utc: dt.datetime
) -> list[Slot]:
    """The slots of ``day`` a citizen may still choose now (a slot that has started is gone)."""
    if day_refusal(day, rules=rules, hours=hours, tz=tz, calendar=calendar, now_utc=now_utc) is not None:
        return []
    return [slot for slot in slots_of_day(day, rules=rules, hours=hours, tz=tz) if slot.start > now_utc]


def bookable_days(
    *, rules: Rules, hours: Sequence[HoursRow], tz: str, calendar: Calendar, now_utc: dt.datetime
) -> list[dt.date]:
    """Days from today to the end of the window that have at least one slot left to choose."""
    today = local_now(now_utc, tz).date()
    days = []
    day = today
    while day <= last_open_day(rules, tz, now_utc):
        if bookable_slots(day, rules=rules, hours=hours, tz=tz, calendar=calendar, now_utc=now_utc):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def parse_slot_key(value: str | None) -> dt.datetime | None:
    """A form's slot value back to a naive local datetime, or None when it is not one (never an exception)."""
    if not value or len(value) != 16:
        return None
    try:
        return dt.datetime.strptime(value, "%Y-%m-%dT%H:%M")
    except ValueError:
        return None


def find_slot(
    value: str | None,
    *,
    rules: Rules,
    hours: Sequence[HoursRow],
    tz: str,
    calendar: Calendar,
    now_utc: dt.datetime,
) -> Slot | Refusal:
    """The slot a form names, or the precise reason it cannot be booked."""
    local = parse_slot_key(value)
    if local is None:
        return Refusal.UNKNOWN
    refusal = day_refusal(local.date(), rules=rules, hours=hours, tz=tz, calendar=calendar, now_utc=now_utc)
    if refusal is not None:
        return refusal
    for slot in slots_of_day(local.date(), rules=rules, hours=hours, tz=tz):
        if slot.local_start.replace(tzinfo=None) == local:
            return slot if slot.start > now_utc else Refusal.PAST
    return Refusal.OUTSIDE_HOURS
