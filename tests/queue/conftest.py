"""Queue fixtures: the demo catalog, a bookable counter with small numbers, and a clock the test controls.

The counter is Samarinda's SIM counter (Polres, mornings only until 12.00 WITA). "Now" is Monday 7 December 2026,
07.00 WITA, so Tuesday 8 December is open for booking and its 09.00 WITA slot is in the future.
"""

from __future__ import annotations

import datetime as dt
import secrets

import pytest
from sqlalchemy import select

from app.accounts.models import Role, User
from app.catalog.models import Mpp, Service, Tenancy
from app.extensions import db
from app.queue import settings as queue_settings
from app.queue.models import QueueSettings

from ..notifications.conftest import _fresh_push_service, push_device, push_service, queue  # noqa: F401

NOW = dt.datetime(2026, 12, 6, 23, 0, tzinfo=dt.UTC)  # Monday 7 Dec 2026, 07.00 WITA
SLOT = "2026-12-08T09:00"  # Tuesday, 09.00 WITA
OTHER_SLOT = "2026-12-08T10:00"
NEXT_DAY_SLOT = "2026-12-09T09:00"
NIK = "3510011708900001"
OTHER_NIK = "3510015708900002"


def make_settings(**values) -> None:
    """Queue settings for the SIM counter at Samarinda (committed)."""
    service = db.session.scalar(select(Service).where(Service.slug == "sim-a-baru"))
    mpp = db.session.scalar(select(Mpp).where(Mpp.slug == "kota-samarinda"))
    tenancy = db.session.scalar(select(Tenancy).where(Tenancy.mpp_id == mpp.id, Tenancy.agency_id == service.agency_id))
    defaults = dict(
        enabled=True,
        slot_minutes=30,
        capacity=3,
        priority_capacity=1,
        daily_quota=40,
        priority_daily_quota=8,
        window_days=7,
        release_hour=6,
        reschedule_cutoff_hours=24,
        no_show_minutes=15,
    )
    defaults.update(values)
    row = db.session.scalar(
        select(QueueSettings).where(QueueSettings.tenancy_id == tenancy.id, QueueSettings.service_id == service.id)
    )
    if row is None:
        row = QueueSettings(tenancy_id=tenancy.id, service_id=service.id, **defaults)
        db.session.add(row)
    else:
        for key, value in defaults.items():
            setattr(row, key, value)
    db.session.commit()


def sim_place():
    service = db.session.scalar(select(Service).where(Service.slug == "sim-a-baru"))
    return queue_settings.place_at(service, "kota-samarinda")


@pytest.fixture
def queue_ctx(app, demo_data):
    """An app context with the demo catalog and small queue settings at Samarinda's SIM counter."""
    with app.app_context():
        make_settings()
        yield
        db.session.remove()


def make_users(count: int) -> list[int]:
    users = [
        User(
            webauthn_handle=secrets.token_bytes(32),
            display_name=f"Warga {i}",
            email=f"w{i}-{secrets.token_hex(3)}@contoh.id",
            role=Role.CITIZEN,
        )
        for i in range(count)
    ]
    db.session.add_all(users)
    db.session.commit()
    return [user.id for user in users]
