"""Statistics per MPP, agency, service and day: booked, checked in, served, no-show rate and median waits."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from app.accounts.models import User
from app.catalog.models import Service
from app.extensions import db
from app.queue import booking, counter, stats
from app.queue.models import Booking

from .test_counter import BOOKED_AT, VISIT_DAY, _booked, _scope, _tenancy, sim_officer  # noqa: F401

DAY = dt.date(2026, 12, 8)


def test_a_day_at_the_counter_adds_up(app, sim_officer):  # noqa: F811
    with app.app_context():
        officer = db.session.get(User, sim_officer.id)
        tenancy = _tenancy()
        service = db.session.scalar(select(Service).where(Service.slug == "sim-a-baru"))
        served_code = _booked()
        _missed = _booked(slot="2026-12-08T09:30", nik="3510015708900002")
        cancelled = _booked(slot="2026-12-08T10:00", nik="3510011708900003")
        booking.cancel(booking=db.session.scalar(select(Booking).where(Booking.code == cancelled)), now_utc=BOOKED_AT)
        counter.check_in(scope=_scope(officer), tenancy=tenancy, code=served_code, actor=officer, now_utc=VISIT_DAY)
        counter.issue_walk_in(tenancy=tenancy, service=service, actor=officer, now_utc=VISIT_DAY)
        first = counter.call_next(
            tenancy=tenancy, counter_label="Loket 12", actor=officer, now_utc=VISIT_DAY + dt.timedelta(minutes=10)
        )
        counter.mark_served(
            tenancy=tenancy, booking_id=first.id, actor=officer, now_utc=VISIT_DAY + dt.timedelta(minutes=16)
        )
        counter.release_no_shows(tenancy=tenancy, now_utc=dt.datetime(2026, 12, 8, 3, 0, tzinfo=dt.UTC))

        (row,) = stats.daily_stats(first=DAY, last=DAY)  # the cancelled booking counts nowhere
        assert (row.booked, row.walk_ins, row.checked_in, row.served, row.no_show) == (2, 1, 2, 1, 1)
        assert row.no_show_rate == 0.5
        assert row.wait_to_call == 10 and row.call_to_served == 6
        assert row.service_id == service.id and row.agency_id == service.agency_id and row.mpp_id == tenancy.mpp_id

        (per_mpp,) = stats.combine(stats.daily_stats(first=DAY - dt.timedelta(days=7), last=DAY), by=("mpp_id",))
        assert per_mpp.served == 1 and per_mpp.day is None
        assert stats.daily_stats(first=DAY, last=DAY, agency_id=-1) == []
