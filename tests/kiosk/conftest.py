"""Kiosk fixtures: the demo catalog, a booking for today at Kota Kendari, a submitted application."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.catalog.models import Agency, Mpp, Service, Tenancy
from app.database import utcnow
from app.extensions import db
from app.queue.models import Booking, BookingStatus

KIOSK = "/kios/kota-kendari"


@pytest.fixture
def demo(demo_data):
    """The demo catalog and forms."""


def make_booking(app, *, mpp: str = "kota-kendari", code: str = "KDRABCDE", days_ahead: int = 0) -> str:
    """A confirmed booking at the MPP's Disdukcapil counter, for today (or later) in the MPP's zone."""
    with app.app_context():
        place = db.session.scalar(select(Mpp).where(Mpp.slug == mpp))
        agency = db.session.scalar(select(Agency).where(Agency.slug == "disdukcapil"))
        tenancy = db.session.scalar(select(Tenancy).where(Tenancy.mpp_id == place.id, Tenancy.agency_id == agency.id))
        service = db.session.scalar(select(Service).where(Service.agency_id == agency.id).order_by(Service.id))
        day = utcnow().astimezone(ZoneInfo(place.timezone)).date() + dt.timedelta(days=days_ahead)
        start = dt.datetime.combine(day, dt.time(9, 0), tzinfo=ZoneInfo(place.timezone))
        db.session.add(
            Booking(
                code=code,
                mpp_id=place.id,
                tenancy_id=tenancy.id,
                service_id=service.id,
                status=BookingStatus.CONFIRMED,
                walk_in=False,
                slot_start=start,
                slot_end=start + dt.timedelta(minutes=30),
                local_day=day,
            )
        )
        db.session.commit()
    return f"{code[:4]}-{code[4:]}"
