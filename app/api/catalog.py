"""The public catalog as JSON: the same queries as the pages (app/catalog/queries.py and search.py), only serialised.

Nothing here reads the database on its own: every object comes from the catalog's query module, so the API and the
pages cannot disagree about what a service requires, costs or where it is offered. Hours are given as stored (local
wall-clock times per weekday, 0 = Senin) with the zone, plus "open now" computed by the pages' own rules.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from ..catalog import queries, search
from ..catalog.models import Agency, Mpp, Service
from ..extensions import db
from . import channels


def _time(value: dt.time) -> str:
    return value.strftime("%H:%M")


def hours_json(rows) -> list[dict]:
    return [{"weekday": row.weekday, "opens": _time(row.opens), "closes": _time(row.closes)} for row in rows]


def status_json(schedule: queries.Schedule) -> dict:
    status = schedule.status
    return {
        "open_now": status.is_open,
        "closes_at": _time(status.closes_at) if status.closes_at else None,
        "next_opening": status.next_opening.isoformat() if status.next_opening else None,
        # to the minute, as the status itself: the same answer (and ETag) all minute long
        "checked_at": status.checked_at.replace(second=0, microsecond=0).isoformat(),
    }


def mpp_json(mpp: Mpp) -> dict:
    return {
        "slug": mpp.slug,
        "name": mpp.name,
        "region": {
            "code": mpp.region.code,
            "name": mpp.region.name,
            "province_code": mpp.region.province_code,
            "province_name": mpp.region.province_name,
        },
        "address": mpp.address,
        "timezone": mpp.timezone,
        "phone": mpp.phone,
    }


def mpp_detail_json(mpp: Mpp, now: dt.datetime) -> dict:
    counters = queries.mpp_counters(mpp, now)
    return {
        **mpp_json(mpp),
        "description": mpp.description,
        "hours": hours_json(mpp.hours),
        "status": status_json(queries.mpp_schedule(mpp, now)),
        "tenants": [
            {
                "agency": counter.tenancy.agency.slug,
                "agency_name": counter.tenancy.agency.name,
                "counter": counter.tenancy.counter,
                "note": counter.tenancy.note,
                "hours": hours_json(counter.tenancy.hours or mpp.hours),
                "status": status_json(counter.schedule),
            }
            for counter in counters
        ],
        "services": [
            service.slug for _agency, services in queries.services_by_agency(mpp_id=mpp.id) for service in services
        ],
    }


def agency_json(agency: Agency) -> dict:
    return {
        "slug": agency.slug,
        "name": agency.name,
        "short_name": agency.short_name,
        "website": agency.website,
    }


def agency_detail_json(agency: Agency, now: dt.datetime) -> dict:
    return {
        **agency_json(agency),
        "description": agency.description,
        "services": [service_json(service) for service in agency.services],
        "counters": [
            {
                "mpp": counter.mpp.slug,
                "mpp_name": counter.mpp.name,
                "counter": counter.tenancy.counter if counter.tenancy else None,
                "timezone": counter.mpp.timezone,
                "hours": hours_json(counter.tenancy.hours or counter.mpp.hours) if counter.tenancy else [],
                "status": status_json(counter.schedule),
            }
            for counter in queries.agency_counters(agency, now)
        ],
    }


def service_json(service: Service) -> dict:
    return {
        "slug": service.slug,
        "name": service.name,
        "agency": service.agency.slug,
        "summary": service.summary,
        "duration_text": service.duration_text,
        "is_free": service.is_free,
        "lowest_fee": queries.lowest_fee(service),
        "channels": channels.channels_json(service),
    }


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def service_detail_json(service: Service, now: dt.datetime) -> dict:
    """The full Standar Pelayanan (UU 25/2009 Pasal 21) and every counter that offers the service, with its hours."""
    return {
        **service_json(service),
        "keywords": service.keywords,
        "requirements": [
            {
                "kind": requirement.kind.value,
                "document_type": requirement.document_type.value if requirement.document_type else None,
                "description": requirement.description,
                "note": requirement.note,
                "required": requirement.required,
            }
            for requirement in service.requirements
        ],
        "procedure": [
            {
                "title": step.title,
                "description": step.description,
                "actor": step.actor,
                "duration_value": step.duration_value,
                "duration_unit": step.duration_unit.value,
            }
            for step in service.steps
        ],
        "duration": {
            "value": service.duration_value,
            "unit": service.duration_unit.value if service.duration_unit else None,
            "text": service.duration_text,
        },
        "fees": [
            {
                "label": fee.label,
                "amount": fee.amount,
                "legal_basis": fee.legal_basis,
                "effective_from": _date(fee.effective_from),
            }
            for fee in service.fees
        ],
        "fee_note": service.fee_note,
        "product": service.product,
        "complaint_handling": service.complaint_handling,
        "legal_basis": queries.legal_basis_lines(service.legal_basis),
        "standard_reference": service.standard_reference,
        "standard_effective_from": _date(service.standard_effective_from),
        "online_application": service.online_application,
        "in_person_note": service.in_person_note,
        "counters": [
            {
                "mpp": counter.mpp.slug,
                "mpp_name": counter.mpp.name,
                "counter": counter.tenancy.counter if counter.tenancy else None,
                "timezone": counter.mpp.timezone,
                "hours": hours_json(counter.tenancy.hours or counter.mpp.hours)
                if counter.tenancy
                else hours_json(counter.mpp.hours),
                "status": status_json(counter.schedule),
            }
            for counter in queries.service_counters(service, now)
        ],
    }


# --- lists ---------------------------------------------------------------------------------------------------------


def all_mpps() -> list[Mpp]:
    return [mpp for _province, mpps in queries.mpps_by_province() for mpp in mpps]


def all_agencies() -> list[Agency]:
    return queries.all_agencies()


def find_services(*, query: str, agency_slug: str | None, mpp_slug: str | None) -> tuple[list[Service], dict]:
    """The catalog, or search results for ``query`` — the same ranking as /layanan?q=. Returns (services, meta)."""
    agency = queries.find_agency(agency_slug)
    mpp = queries.find_mpp(mpp_slug)
    if (agency_slug and agency is None) or (mpp_slug and mpp is None):
        return [], {"query": query, "corrected": None}
    agency_id = agency.id if agency else None
    mpp_id = mpp.id if mpp else None
    cleaned = search.clean_query(query)
    if cleaned:
        result = search.search_services(cleaned, agency_id=agency_id, mpp_id=mpp_id, limit=1000)
        return result.services, {"query": result.query, "corrected": result.corrected}
    services = [s for _agency, group in queries.services_by_agency(agency_id=agency_id, mpp_id=mpp_id) for s in group]
    return services, {"query": "", "corrected": None}


def service_slugs() -> list[str]:
    return list(db.session.scalars(select(Service.slug).order_by(Service.slug)))
