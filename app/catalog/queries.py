"""Read-side use cases of the public catalog: what each page shows, loaded in a few queries.

Every function returns plain model objects or small dataclasses; routes choose the template. "Open now" is
computed for an explicit ``now`` (aware UTC) so tests and pages agree on the moment.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from ..extensions import db
from . import hours
from .models import (
    Agency,
    DurationUnit,
    Mpp,
    ProcedureStep,
    Region,
    Service,
    ServiceOffering,
    Tenancy,
)

POPULAR_LIMIT = 6


@dataclass(frozen=True, slots=True)
class Schedule:
    """Hours of an MPP or of one tenant counter, with its zone and the status at the moment asked."""

    timezone: str
    groups: list[hours.HoursGroup]
    status: hours.OpeningStatus

    @property
    def has_hours(self) -> bool:
        return any(group.periods for group in self.groups)


@dataclass(frozen=True, slots=True)
class Counter:
    """Where a service (or an agency) is served: one MPP, the tenant's counter there and its own hours."""

    mpp: Mpp
    tenancy: Tenancy | None
    schedule: Schedule
    schedule_rows: Sequence[hours.HoursRow] = ()  # the rows ``schedule`` was made of, to ask again at another moment


def schedule_for(rows: Sequence[hours.HoursRow], timezone: str, now: dt.datetime, locale: str) -> Schedule:
    groups, status = hours.describe(rows, timezone, now, locale=locale)
    return Schedule(timezone=timezone, groups=groups, status=status)


def mpp_schedule(mpp: Mpp, now: dt.datetime, locale: str = "id") -> Schedule:
    return schedule_for(mpp.hours, mpp.timezone, now, locale)


def tenancy_schedule(tenancy: Tenancy, now: dt.datetime, locale: str = "id") -> Schedule:
    return schedule_for(hours.effective_hours(tenancy), tenancy.mpp.timezone, now, locale)


# --- services ---------------------------------------------------------------------------------------------------


def _service_card_options():
    return (joinedload(Service.agency), selectinload(Service.fees))


def popular_services(limit: int = POPULAR_LIMIT) -> list[Service]:
    statement = (
        select(Service).options(*_service_card_options()).order_by(Service.popularity.desc(), Service.name).limit(limit)
    )
    return list(db.session.scalars(statement).unique())


def services_by_agency(
    *, agency_id: int | None = None, mpp_id: int | None = None
) -> list[tuple[Agency, list[Service]]]:
    """The whole catalog (or one agency's / one MPP's part of it), grouped by agency, agencies by name."""
    statement = select(Service).join(Service.agency).options(*_service_card_options())
    if agency_id is not None:
        statement = statement.where(Service.agency_id == agency_id)
    if mpp_id is not None:
        statement = statement.where(Service.offerings.any(ServiceOffering.mpp_id == mpp_id))
    statement = statement.order_by(Agency.short_name, Agency.id, Service.name)
    services = db.session.scalars(statement).unique()
    return [(agency, list(group)) for agency, group in groupby(services, key=lambda service: service.agency)]


def get_service(slug: str) -> Service | None:
    statement = (
        select(Service)
        .where(Service.slug == slug)
        .options(
            joinedload(Service.agency),
            selectinload(Service.requirements),
            selectinload(Service.steps),
            selectinload(Service.fees),
            selectinload(Service.offerings)
            .joinedload(ServiceOffering.mpp)
            .options(joinedload(Mpp.region), selectinload(Mpp.hours)),
        )
    )
    return db.session.scalars(statement).unique().one_or_none()


def service_counters(service: Service, now: dt.datetime, locale: str = "id") -> list[Counter]:
    """Every MPP offering ``service``, with that agency's counter there and when it is open (in the MPP's zone)."""
    mpp_ids = [offering.mpp_id for offering in service.offerings]
    tenancies = {
        tenancy.mpp_id: tenancy
        for tenancy in db.session.scalars(
            select(Tenancy)
            .where(Tenancy.agency_id == service.agency_id, Tenancy.mpp_id.in_(mpp_ids))
            .options(selectinload(Tenancy.hours))
        )
    }
    counters = []
    for offering in sorted(service.offerings, key=lambda offering: offering.mpp.name):
        tenancy = tenancies.get(offering.mpp_id)
        rows = hours.effective_hours(tenancy) if tenancy else offering.mpp.hours
        counters.append(Counter(offering.mpp, tenancy, schedule_for(rows, offering.mpp.timezone, now, locale), rows))
    return counters


def has_unstated_fee(service: Service) -> bool:
    return bool(service.fee_note) and not service.fees


def lowest_fee(service: Service) -> int | None:
    """What a card shows at a glance: the lowest tariff ("mulai Rp350.000"), 0 when free, None if it depends."""
    if service.is_free:
        return 0
    amounts = [fee.amount for fee in service.fees]
    return min(amounts) if amounts else None


# Minutes per unit, to add up the procedure's steps. Working days stay apart: their length in hours is not a
# constant (a counter closing at 12.00), and the standard states them as days anyway.
_MINUTES = {DurationUnit.MINUTES: 1, DurationUnit.HOURS: 60, DurationUnit.DAYS: 24 * 60}


@dataclass(frozen=True, slots=True)
class Duration:
    working_days: int = 0
    days: int = 0
    minutes: int = 0

    @property
    def is_zero(self) -> bool:
        return not (self.working_days or self.days or self.minutes)


def total_step_time(steps: Sequence[ProcedureStep]) -> Duration:
    """Sum of the per-step time limits: working days, calendar days, and hours/minutes kept apart."""
    working_days = sum(step.duration_value for step in steps if step.duration_unit == DurationUnit.WORKING_DAYS)
    minutes = sum(
        step.duration_value * _MINUTES[step.duration_unit]
        for step in steps
        if step.duration_unit in (DurationUnit.MINUTES, DurationUnit.HOURS)
    )
    days = sum(step.duration_value for step in steps if step.duration_unit == DurationUnit.DAYS)
    return Duration(working_days=working_days, days=days, minutes=minutes)


def legal_basis_lines(text: str) -> list[str]:
    """Dasar hukum is published as a list of regulations, one per line or separated by semicolons."""
    return [line.strip() for line in re.split(r"[\n;]+", text or "") if line.strip()]


# --- MPPs and agencies ------------------------------------------------------------------------------------------


def mpps_by_province() -> list[tuple[str, list[Mpp]]]:
    statement = (
        select(Mpp)
        .join(Mpp.region)
        .options(joinedload(Mpp.region), selectinload(Mpp.hours))
        .order_by(Region.province_name, Mpp.name)
    )
    mpps = db.session.scalars(statement).unique()
    return [(province, list(group)) for province, group in groupby(mpps, key=lambda mpp: mpp.region.province_name)]


def all_mpps() -> list[Mpp]:
    return list(db.session.scalars(select(Mpp).order_by(Mpp.name)))


def all_agencies() -> list[Agency]:
    return list(db.session.scalars(select(Agency).where(Agency.services.any()).order_by(Agency.short_name)))


def find_mpp(slug: str | None) -> Mpp | None:
    return db.session.scalars(select(Mpp).where(Mpp.slug == slug)).one_or_none() if slug else None


def find_agency(slug: str | None) -> Agency | None:
    return db.session.scalars(select(Agency).where(Agency.slug == slug)).one_or_none() if slug else None


def get_mpp(slug: str) -> Mpp | None:
    statement = (
        select(Mpp)
        .where(Mpp.slug == slug)
        .options(
            joinedload(Mpp.region),
            selectinload(Mpp.hours),
            selectinload(Mpp.tenancies).options(joinedload(Tenancy.agency), selectinload(Tenancy.hours)),
        )
    )
    return db.session.scalars(statement).unique().one_or_none()


def mpp_counters(mpp: Mpp, now: dt.datetime, locale: str = "id") -> list[Counter]:
    """The MPP's tenants, by agency name, each with its own days and hours."""
    tenancies = sorted(mpp.tenancies, key=lambda tenancy: tenancy.agency.short_name.lower())
    return [
        Counter(mpp, tenancy, tenancy_schedule(tenancy, now, locale), hours.effective_hours(tenancy))
        for tenancy in tenancies
    ]


def service_count(*, mpp_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(ServiceOffering).where(ServiceOffering.mpp_id == mpp_id))


def get_agency(slug: str) -> Agency | None:
    statement = (
        select(Agency)
        .where(Agency.slug == slug)
        .options(
            selectinload(Agency.services).selectinload(Service.fees),
            selectinload(Agency.tenancies).options(
                joinedload(Tenancy.mpp).options(joinedload(Mpp.region), selectinload(Mpp.hours)),
                selectinload(Tenancy.hours),
            ),
        )
    )
    return db.session.scalars(statement).unique().one_or_none()


def agency_counters(agency: Agency, now: dt.datetime, locale: str = "id") -> list[Counter]:
    tenancies = sorted(agency.tenancies, key=lambda tenancy: tenancy.mpp.name)
    return [Counter(tenancy.mpp, tenancy, tenancy_schedule(tenancy, now, locale)) for tenancy in tenancies]
