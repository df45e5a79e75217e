"""Queue statistics per MPP, agency, service and day (issue 10 point 11), read by the public performance pages.

    daily_stats(first=…, last=…, mpp_id=…, agency_id=…, service_id=…) -> list[QueueDay]
    combine(rows, by=("mpp_id",)) -> list[QueueDay]    (totals over days/services; medians over all visits)

Definitions, so every page states the same numbers:
  booked      online bookings that were confirmed and not cancelled by the citizen (walk-ins excluded)
  walk_ins    numbers issued at the counter
  checked_in  visitors who got a queue number (booked and walk-in)
  served      visits marked served
  no_show     booked visits released or marked "tidak hadir"
  no_show_rate      no_show ÷ booked (None when nothing was booked)
  wait_to_call      median minutes from check-in to the first call
  call_to_served    median minutes from the first call to "served"
Days are the MPP's local dates. Medians are computed in Python, the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select

from ..catalog.models import Service
from ..extensions import db
from .models import Booking, BookingStatus

COUNTED = (
    BookingStatus.CONFIRMED,
    BookingStatus.CHECKED_IN,
    BookingStatus.CALLED,
    BookingStatus.SERVED,
    BookingStatus.NO_SHOW,
)


@dataclass
class QueueDay:
    mpp_id: int | None
    agency_id: int | None
    service_id: int | None
    day: dt.date | None
    booked: int = 0
    walk_ins: int = 0
    checked_in: int = 0
    served: int = 0
    no_show: int = 0
    waits_to_call: list[float] = field(default_factory=list, repr=False)
    calls_to_served: list[float] = field(default_factory=list, repr=False)

    @property
    def no_show_rate(self) -> float | None:
        return self.no_show / self.booked if self.booked else None

    @property
    def wait_to_call(self) -> float | None:
        return statistics.median(self.waits_to_call) if self.waits_to_call else None

    @property
    def call_to_served(self) -> float | None:
        return statistics.median(self.calls_to_served) if self.calls_to_served else None


def _minutes(later: dt.datetime | None, earlier: dt.datetime | None) -> float | None:
    if later is None or earlier is None:
        return None
    return (later - earlier).total_seconds() / 60


def daily_stats(
    *,
    first: dt.date,
    last: dt.date,
    mpp_id: int | None = None,
    agency_id: int | None = None,
    service_id: int | None = None,
) -> list[QueueDay]:
    """One row per MPP × agency × service × day between ``first`` and ``last`` (inclusive) with any visit.

    One query over the columns the figures need (not whole bookings), on the (mpp_id, local_day) or local_day index;
    cancelled and expired visits are left out by the query itself."""
    query = (
        select(
            Booking.mpp_id,
            Service.agency_id,
            Booking.service_id,
            Booking.local_day,
            Booking.status,
            Booking.walk_in,
            Booking.confirmed_at,
            Booking.checked_in_at,
            Booking.called_at,
            Booking.finished_at,
        )
        .join(Service, Service.id == Booking.service_id)
        .where(Booking.local_day.between(first, last), Booking.status.in_(COUNTED))
    )
    if mpp_id is not None:
        query = query.where(Booking.mpp_id == mpp_id)
    if agency_id is not None:
        query = query.where(Service.agency_id == agency_id)
    if service_id is not None:
        query = query.where(Booking.service_id == service_id)
    rows: dict[tuple, QueueDay] = {}
    for visit in db.session.execute(query):
        key = (visit.mpp_id, visit.agency_id, visit.service_id, visit.local_day)
        row = rows.get(key) or rows.setdefault(key, QueueDay(*key))
        _count(row, visit)
    return sorted(rows.values(), key=lambda r: (r.day, r.mpp_id, r.agency_id, r.service_id))


def _count(row: QueueDay, visit) -> None:
    """Add one visit (a row with the columns daily_stats selects) to its day."""
    if visit.walk_in:
        row.walk_ins += 1
    elif visit.confirmed_at is not None:
        row.booked += 1
    if visit.checked_in_at is not None:
        row.checked_in += 1
    if visit.status == BookingStatus.SERVED:
        row.served += 1
    if visit.status == BookingStatus.NO_SHOW and not visit.walk_in:
        row.no_show += 1
    if (wait := _minutes(visit.called_at, visit.checked_in_at)) is not None:
        row.waits_to_call.append(wait)
    if visit.status == BookingStatus.SERVED and (service := _minutes(visit.finished_at, visit.called_at)) is not None:
        row.calls_to_served.append(service)


def combine(rows: list[QueueDay], *, by: tuple[str, ...] = ("mpp_id",)) -> list[QueueDay]:
    """Totals grouped by the named fields (e.g. ("mpp_id",) per MPP over the period, ("mpp_id", "day") per day)."""
    fields_ = ("mpp_id", "agency_id", "service_id", "day")
    groups: dict[tuple, QueueDay] = defaultdict(lambda: None)  # type: ignore[arg-type]
    for row in rows:
        key = tuple(getattr(row, name) if name in by else None for name in fields_)
        total = groups[key] or QueueDay(*key)
        groups[key] = total
        total.booked += row.booked
        total.walk_ins += row.walk_ins
        total.checked_in += row.checked_in
        total.served += row.served
        total.no_show += row.no_show
        total.waits_to_call.extend(row.waits_to_call)
        total.calls_to_served.extend(row.calls_to_served)
    return list(groups.values())
