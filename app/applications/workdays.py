"""Working days (hari kerja) for service time limits.

Jangka waktu in a Standar Pelayanan is counted in working days (PermenPANRB 15/2014): Monday to Friday, minus
national holidays (Keppres, from the ``holidays`` package) and cuti bersama (SKB of three ministers, kept as data
in ``CollectiveLeave`` because it is set anew every year). Holidays are national, but "today" is not: 00.30 WITA
on a Saturday is still Friday in WIB and in UTC, so the day a time limit starts is the MPP's local date, never
the server's.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from sqlalchemy import select

from ..catalog.models import DurationUnit, Service
from ..extensions import db
from .models import CollectiveLeave

DEFAULT_TIMEZONE = "Asia/Jakarta"


@lru_cache(maxsize=32)
def _national_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("ID", years=year).keys())


class WorkingCalendar:
    """Weekends, national holidays and the given cuti bersama days are not working days."""

    def __init__(self, collective_leave: Iterable[dt.date] = ()) -> None:
        self.collective_leave = frozenset(collective_leave)

    @classmethod
    def from_database(cls) -> WorkingCalendar:
        return cls(db.session.scalars(select(CollectiveLeave.day)).all())

    def is_working_day(self, day: dt.date) -> bool:
        return day.weekday() < 5 and day not in _national_holidays(day.year) and day not in self.collective_leave

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The date ``n`` working days after ``start`` (the start day itself is day 0 and never counts).

        ``n == 0`` (same-day services) gives ``start`` when it is a working day, else the next working day.
        """
        day = start
        if n <= 0:
            while not self.is_working_day(day):
                day += dt.timedelta(days=1)
            return day
        counted = 0
        while counted < n:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return day


def add_working_days(start_local_date: dt.date, n: int, *, calendar: WorkingCalendar | None = None) -> dt.date:
    return (calendar or WorkingCalendar.from_database()).add_working_days(start_local_date, n)


def local_date(moment: dt.datetime, tz_name: str | None) -> dt.date:
    return moment.astimezone(ZoneInfo(tz_name or DEFAULT_TIMEZONE)).date()


def service_working_days(service: Service) -> int | None:
    """The service standard's time limit in working days, or None when it is not stated as a number.

    Hours and minutes become whole working days (1×24 jam → 1); calendar days are counted as working days
    (the stricter reading would promise a date the agency cannot keep).
    """
    if service.duration_value is None or service.duration_unit is None:
        return None
    value = service.duration_value
    if service.duration_unit in (DurationUnit.WORKING_DAYS, DurationUnit.DAYS):
        return value
    if service.duration_unit == DurationUnit.HOURS:
        return math.ceil(value / 24)
    return 0  # minutes: the same working day


def expected_completion(
    service: Service, submitted_at: dt.datetime, tz_name: str | None, *, calendar: WorkingCalendar | None = None
) -> dt.date | None:
    """Expected completion date in the MPP's zone, counted from the day of (re)submission."""
    days = service_working_days(service)
    if days is None:
        return None
    return add_working_days(local_date(submitted_at, tz_name), days, calendar=calendar)
