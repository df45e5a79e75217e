"""Opening hours as pure functions: is it open now, when does it open next, and how to say it in Indonesian.

Hours are stored as local wall-clock times per weekday (0 = Senin … 6 = Minggu) of the MPP's own zone, because
that is how an MPP publishes them ("Senin–Kamis 08.00–15.30 WITA"). The current moment is always passed in as
aware UTC and converted to that zone here, so the answer is right wherever the server or the citizen is.
Nothing here touches the database or the request; callers pass rows and ``now``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Protocol
from zoneinfo import ZoneInfo

from babel.dates import get_day_names


class HoursRow(Protocol):
    """MppHours, TenancyHours or any object with the same three fields."""

    weekday: int
    opens: dt.time
    closes: dt.time


@dataclass(frozen=True, slots=True)
class OpeningStatus:
    is_open: bool
    closes_at: dt.time | None  # when open: the end of the current period (local time)
    next_opening: dt.datetime | None  # when closed: the next start (aware, in the zone); None if never opens
    checked_at: dt.datetime  # the local moment the status was computed for (shown, since pages are cached)


@dataclass(frozen=True, slots=True)
class HoursGroup:
    """Consecutive days with the same periods: ("Senin–Kamis", "08.00–15.30"); periods empty means closed."""

    days: str
    periods: tuple[tuple[dt.time, dt.time], ...]


def effective_hours(tenancy) -> Sequence[HoursRow]:
    """A tenant's own days and hours; a tenancy without rows keeps the MPP building's hours."""
    return tenancy.hours if tenancy.hours else tenancy.mpp.hours


def _local(now_utc: dt.datetime, tz: str) -> dt.datetime:
    if now_utc.tzinfo is None:
        raise ValueError("now_utc must be timezone-aware")
    return now_utc.astimezone(ZoneInfo(tz))


# Periods per weekday, sorted: what every question below is answered from. Built once per schedule (a service
# page lists up to eleven counters, and the ORM attribute reads are what made that page slow).
Week = dict[int, list[tuple[dt.time, dt.time]]]


def _periods_by_day(rows: Sequence[HoursRow]) -> Week:
    days: Week = {}
    for row in rows:
        days.setdefault(row.weekday, []).append((row.opens, row.closes))
    for periods in days.values():
        periods.sort()
    return days


def is_open(rows: Sequence[HoursRow], tz: str, now_utc: dt.datetime) -> bool:
    """Open at ``now_utc``? The closing minute itself counts as closed (a counter closing at 12.00 is shut at 12.00)."""
    return opening_status(rows, tz, now_utc).is_open


def next_opening(rows: Sequence[HoursRow], tz: str, now_utc: dt.datetime) -> dt.datetime | None:
    """The next moment (aware, in ``tz``) at which a period starts, strictly after ``now_utc``; None if never."""
    return _next_opening(_periods_by_day(rows), _local(now_utc, tz))


def _next_opening(days: Week, local: dt.datetime) -> dt.datetime | None:
    if not days:
        return None
    for offset in range(8):  # today … the same weekday next week
        date = local.date() + dt.timedelta(days=offset)
        for opens, _closes in days.get(date.weekday(), []):
            start = dt.datetime.combine(date, opens, tzinfo=local.tzinfo)
            if start > local:
                return start
    return None


def opening_status(rows: Sequence[HoursRow], tz: str, now_utc: dt.datetime) -> OpeningStatus:
    return _opening_status(_periods_by_day(rows), _local(now_utc, tz))


def week(rows: Sequence[HoursRow]) -> Week:
    """The rows as periods per weekday, to keep (catalog/pages.py) and ask ``week_status`` of at every request."""
    return _periods_by_day(rows)


def week_status(days: Week, tz: str, now_utc: dt.datetime) -> OpeningStatus:
    return _opening_status(days, _local(now_utc, tz))


def zone(tz: str) -> ZoneInfo:
    return ZoneInfo(tz)


def _opening_status(days: Week, local: dt.datetime) -> OpeningStatus:
    now_time = local.time().replace(tzinfo=None)
    for opens, closes in days.get(local.weekday(), []):
        if opens <= now_time < closes:
            return OpeningStatus(True, closes, None, local)
    return OpeningStatus(False, None, _next_opening(days, local), local)


def describe(
    rows: Sequence[HoursRow], tz: str, now_utc: dt.datetime, *, locale: str = "id"
) -> tuple[list[HoursGroup], OpeningStatus]:
    """``group_hours`` and ``opening_status`` of the same rows, reading them once."""
    days = _periods_by_day(rows)
    return _group_days(days, locale=locale, include_closed=True), _opening_status(days, _local(now_utc, tz))


@cache
def _day_names(locale: str) -> tuple[str, ...]:
    # CLDR data never changes while the process runs; Babel's lookup costs more than the rest of a schedule.
    names = get_day_names("wide", locale=locale)
    return tuple(str(names[index]) for index in range(7))


def day_names(locale: str = "id") -> dict[int, str]:
    """0 → "Senin" … 6 → "Minggu" (CLDR names; Monday is 0 in both Babel and our weekday columns)."""
    return dict(enumerate(_day_names(locale)))


def group_hours(rows: Sequence[HoursRow], *, locale: str = "id", include_closed: bool = True) -> list[HoursGroup]:
    """Group consecutive weekdays with identical periods: "Senin–Kamis 08.00–15.30", "Jumat 08.00–11.00".

    Closed days (no rows) become groups with no periods when ``include_closed`` so a citizen sees "Sabtu–Minggu
    Tutup" rather than wondering. Runs never wrap from Minggu back to Senin: a week reads Monday first.
    """
    return _group_days(_periods_by_day(rows), locale=locale, include_closed=include_closed)


def _group_days(days: Week, *, locale: str, include_closed: bool) -> list[HoursGroup]:
    names = _day_names(locale)
    groups: list[HoursGroup] = []
    start = 0
    while start < 7:
        periods = tuple(days.get(start, []))
        end = start
        while end + 1 < 7 and tuple(days.get(end + 1, [])) == periods:
            end += 1
        if periods or include_closed:
            label = names[start] if start == end else f"{names[start]}–{names[end]}"
            groups.append(HoursGroup(label, periods))
        start = end + 1
    return groups


def format_period(opens: dt.time, closes: dt.time) -> str:
    """ "08.00–15.30": Indonesian writes hours with a dot and ranges with an en dash."""
    return f"{opens:%H.%M}–{closes:%H.%M}"


def format_periods(periods: Sequence[tuple[dt.time, dt.time]]) -> str:
    return ", ".join(format_period(opens, closes) for opens, closes in periods)
