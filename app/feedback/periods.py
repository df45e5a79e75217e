"""Reporting periods: a month ("2026-11") or a quarter ("2026-T4", triwulan), the units SKM and performance reports
use. Boundaries are local midnights in WIB: one national calendar keeps the numbers of MPPs in different zones
comparable (an MPP in WIT closes its month two hours before WIB; the difference is a few late-night records).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from flask_babel import format_date
from flask_babel import lazy_gettext as _l

from ..database import utcnow

ZONE = ZoneInfo("Asia/Jakarta")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-[Tt]([1-4])$")


@dataclass(frozen=True)
class Period:
    year: int
    month: int | None = None  # 1–12 for a month
    quarter: int | None = None  # 1–4 for a quarter

    @property
    def code(self) -> str:
        return f"{self.year}-{self.month:02d}" if self.month else f"{self.year}-T{self.quarter}"

    @property
    def first_month(self) -> int:
        return self.month or (self.quarter - 1) * 3 + 1

    @property
    def months(self) -> int:
        return 1 if self.month else 3

    @property
    def start_date(self) -> dt.date:
        return dt.date(self.year, self.first_month, 1)

    @property
    def end_date(self) -> dt.date:
        """The first day after the period."""
        month = self.first_month + self.months
        return dt.date(self.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """[start, end) as aware UTC datetimes."""
        start = dt.datetime.combine(self.start_date, dt.time(), ZONE).astimezone(dt.UTC)
        end = dt.datetime.combine(self.end_date, dt.time(), ZONE).astimezone(dt.UTC)
        return start, end

    @property
    def label(self) -> str:
        if self.month:
            return format_date(self.start_date, "MMMM yyyy")
        return str(_l("Quarter %(n)s %(year)s", n=self.quarter, year=self.year))

    def previous(self) -> Period:
        if self.month:
            return Period(self.year - (self.month == 1), month=12 if self.month == 1 else self.month - 1)
        return Period(self.year - (self.quarter == 1), quarter=4 if self.quarter == 1 else self.quarter - 1)


def today_local(now: dt.datetime | None = None) -> dt.date:
    return (now or utcnow()).astimezone(ZONE).date()


def current_quarter(now: dt.datetime | None = None) -> Period:
    today = today_local(now)
    return Period(today.year, quarter=(today.month - 1) // 3 + 1)


def current_month(now: dt.datetime | None = None) -> Period:
    today = today_local(now)
    return Period(today.year, month=today.month)


def parse(raw: str | None, *, default: Period | None = None) -> Period:
    """A period from the query string; anything unreadable is the default (the current quarter), never an error."""
    raw = (raw or "").strip()
    if match := _MONTH.match(raw):
        year, month = int(match[1]), int(match[2])
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            return Period(year, month=month)
    if match := _QUARTER.match(raw):
        year = int(match[1])
        if 2000 <= year <= 2100:
            return Period(year, quarter=int(match[2]))
    return default or current_quarter()


def recent_choices(now: dt.datetime | None = None, *, months: int = 6, quarters: int = 4) -> list[Period]:
    """The choices offered in period pickers: the last few quarters, then the last few months."""
    out: list[Period] = []
    q = current_quarter(now)
    for _ in range(quarters):
        out.append(q)
        q = q.previous()
    m = current_month(now)
    for _ in range(months):
        out.append(m)
        m = m.previous()
    return out
