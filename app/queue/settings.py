"""Where a service can be booked and under which rules: the database side of slots.py.

A service is bookable at every MPP that offers it, at the counter of its agency's tenancy there, on that tenancy's
own days and hours (``catalog.hours.effective_hours``). Without a QueueSettings row the demo defaults apply: 30-minute
slots of 4 places plus 1 priority place, 48 + 8 a day, opening 7 days ahead at 06.00 local time, changes until 24
hours before, a no-show released 15 minutes after the slot.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass, fields

from flask import current_app
from sqlalchemy import or_, select

from ..applications.models import CollectiveLeave
from ..applications.workdays import _national_holidays
from ..catalog.hours import effective_hours
from ..catalog.models import Mpp, Service, ServiceOffering, Tenancy
from ..extensions import db
from .models import QueueClosure, QueueSettings
from .slots import Calendar, Rules

DEFAULT_RULES = Rules()
RULE_FIELDS = tuple(field.name for field in fields(Rules))


@dataclass(frozen=True)
class Place:
    """One counter where a service can be booked: the MPP, the agency's tenancy there, and its rules."""

    mpp: Mpp
    tenancy: Tenancy
    service: Service
    rules: Rules

    @property
    def hours(self):
        return effective_hours(self.tenancy)

    @property
    def tz(self) -> str:
        return self.mpp.timezone


def rules_for(tenancy_id: int, service_id: int) -> Rules:
    row = db.session.scalar(
        select(QueueSettings).where(QueueSettings.tenancy_id == tenancy_id, QueueSettings.service_id == service_id)
    )
    return _rules(row)


def rules_for_services(tenancy_id: int, service_ids: list[int]) -> dict[int, Rules]:
    """rules_for of several services of one counter, in one statement."""
    rows = (
        db.session.scalars(
            select(QueueSettings).where(
                QueueSettings.tenancy_id == tenancy_id, QueueSettings.service_id.in_(service_ids)
            )
        ).all()
        if service_ids
        else []
    )
    found = {row.service_id: row for row in rows}
    return {service_id: _rules(found.get(service_id)) for service_id in service_ids}


def _rules(row: QueueSettings | None) -> Rules:
    if row is None:
        return DEFAULT_RULES
    return Rules(**{name: getattr(row, name) for name in RULE_FIELDS})


def places_for(service: Service) -> list[Place]:
    """Every MPP counter where ``service`` can be booked (the tenancy of its agency at an MPP that offers it)."""
    rows = db.session.execute(
        select(Mpp, Tenancy)
        .join(ServiceOffering, ServiceOffering.mpp_id == Mpp.id)
        .join(Tenancy, (Tenancy.mpp_id == Mpp.id) & (Tenancy.agency_id == service.agency_id))
        .where(ServiceOffering.service_id == service.id)
        .order_by(Mpp.name)
    ).all()
    places = [
        Place(mpp=mpp, tenancy=tenancy, service=service, rules=rules_for(tenancy.id, service.id))
        for mpp, tenancy in rows
    ]
    return [place for place in places if place.rules.enabled]


def place_at(service: Service, mpp_slug: str | None) -> Place | None:
    return next((place for place in places_for(service) if place.mpp.slug == mpp_slug), None)


def place_of(tenancy: Tenancy, service: Service) -> Place:
    return Place(mpp=tenancy.mpp, tenancy=tenancy, service=service, rules=rules_for(tenancy.id, service.id))


def nearest_first(places: list[Place], home_region: str | None) -> list[Place]:
    """The MPP in the citizen's own kabupaten/kota (from Data Saya) first, then the rest by name."""
    home = (home_region or "").strip().lower()

    def distance(place: Place) -> tuple[int, str]:
        region = place.mpp.region.name.lower()
        same = bool(home) and (home == region or home in region or region.endswith(home))
        return (0 if same else 1, place.mpp.name)

    return sorted(places, key=distance)


def calendar_for(place: Place, first: dt.date, last: dt.date) -> Calendar:
    """National holidays, cuti bersama and this MPP's (or this counter's) closures between ``first`` and ``last``."""
    days_off = set(db.session.scalars(select(CollectiveLeave.day).where(CollectiveLeave.day.between(first, last))))
    for year in range(first.year, last.year + 1):
        days_off |= {day for day in _national_holidays(year) if first <= day <= last}
    closures = set(
        db.session.scalars(
            select(QueueClosure.day).where(
                QueueClosure.mpp_id == place.mpp.id,
                QueueClosure.day.between(first, last),
                or_(QueueClosure.tenancy_id.is_(None), QueueClosure.tenancy_id == place.tenancy.id),
            )
        )
    )
    return Calendar(holidays=frozenset(days_off), closures=frozenset(closures))


def nik_hash(nik: str) -> str:
    """A keyed hash of the NIK: enough to refuse a second booking by the same NIK, useless to anyone who copies the
    table without the key (a bare SHA-256 of a 16-digit NIK is easily reversed by trying them all)."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, b"mpp-queue-nik:" + nik.encode(), hashlib.sha256).hexdigest()
