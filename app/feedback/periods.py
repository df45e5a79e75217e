"""Reporting periods: a month ("2026-11") or a quarter ("2026-T4", triwulan), the units SKM and performance reports
use. Each MPP's period runs from local midnight to local midnight in the MPP's own zone (WIB, WITA or WIT): an
application submitted at 23.30 WIT on 31 October belongs to October in Jayapura, as the MPP's own books say, even
though it is already 21.30 WIB. Tables that put several MPPs side by side count each of them in its own zone
(``within``); the few pages with no MPP of their own (a national officer's pooled view) use WIB and say so.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, false, or_, select

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

    def bounds(self, zone: str | ZoneInfo | None = None) -> tuple[dt.datetime, dt.datetime]:
        """[start, end) as aware UTC datetimes, between local midnights in ``zone`` (WIB when not given)."""
        tz = _zone(zone)
        start = dt.datetime.combine(self.start_date, dt.time(), tz).astimezone(dt.UTC)
        end = dt.datetime.combine(self.end_date, dt.time(), tz).astimezone(dt.UTC)
        return start, end

    @property
    def last_date(self) -> dt.date:
        return self.end_date - dt.timedelta(days=1)

    @property
    def label(self) -> str:
        if self.month:
            return format_date(self.start_date, "MMMM yyyy")
        return str(_l("Quarter %(n)s %(year)s", n=self.quarter, year=self.year))

    def previous(self) -> Period:
        if self.month:
            return Period(self.year - (self.month == 1), month=12 if self.month == 1 else self.month - 1)
        return Period(self.year - (self.quarter == 1), quarter=4 if self.quarter == 1 else self.quarter - 1)


def _zone(zone: str | ZoneInfo | None) -> ZoneInfo:
    if zone is None:
        return ZONE
    return zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)


def mpp_zones(mpp_ids=None) -> dict[str, list[int]]:
    """Zone name → the ids of the MPPs in it (all MPPs, or those listed)."""
    from ..catalog.models import Mpp
    from ..extensions import db

    query = select(Mpp.id, Mpp.timezone)
    if mpp_ids is not None:
        query = query.where(Mpp.id.in_(sorted(mpp_ids)))
    zones: dict[str, list[int]] = {}
    for mpp_id, tz in db.session.execute(query):
        zones.setdefault(tz or ZONE.key, []).append(mpp_id)
    return zones


def within(period: Period, moment, mpp_column, zones: dict[str, list[int]]):
    """WHERE clause: ``moment`` falls in ``period`` counted in the zone of the row's MPP (``mpp_column``)."""
    clauses = []
    edges = []
    for zone, ids in sorted(zones.items()):
        start, end = period.bounds(zone)
        edges.append((start, end))
        clauses.append(and_(mpp_column.in_(sorted(ids)), moment >= start, moment < end))
    if not clauses:
        return false()
    # A plain range over the widest window first: cheap for every row (and usable by an index on ``moment``);
    # the per-zone test then only decides the few hours at the edges.
    widest = and_(moment >= min(s for s, _e in edges), moment < max(e for _s, e in edges))
    return and_(widest, or_(*clauses)) if len(clauses) > 1 else and_(widest, clauses[0])


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
