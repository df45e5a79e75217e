"""Load the demo catalog (app/catalog/demo/) into the database, safely and repeatably.

Every record is upserted by its natural key (region code, MPP/agency/service slug, the MPP–agency pair of a
tenancy, the service–MPP pair of an offering) and updated in place, so re-running changes nothing and a
database that already has other rows — applications pointing at services, an offering an admin added — keeps
them. A service's own ordered lists (requirements, steps, fees) and the hours lists are matched by position
and updated in place; only rows beyond the end of a shortened list are removed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from .demo.agencies import AGENCIES
from .demo.mpps import MPPS
from .demo.regions import REGIONS
from .demo.services import SERVICES
from .models import (
    Agency,
    DocumentType,
    DurationUnit,
    Mpp,
    MppHours,
    ProcedureStep,
    Region,
    RegionKind,
    Requirement,
    RequirementKind,
    Service,
    ServiceFee,
    ServiceOffering,
    Tenancy,
    TenancyHours,
)


class DemoDataError(ValueError):
    """The demo data contradicts itself (an unknown slug, a service offered where its agency has no counter)."""


def load_demo_data() -> dict[str, int]:
    """Upsert the demo catalog and commit. Returns how many of each record the data holds, and what changed.

    Call inside an app context. The result has one count per kind of record ("regions", "mpps", "agencies",
    "tenancies", "services", "requirements", "steps", "fees", "offerings") plus "created" and "updated": the
    number of rows inserted and the number of existing rows whose values changed (both 0 on a repeat run).
    """
    from .catalog_io import demo_document, import_catalog  # the demo goes through the admin's importer

    report = import_catalog(demo_document(), apply=True)
    if report.rejected:
        db.session.rollback()  # all or nothing: a contradicting row leaves no half-loaded catalog behind
        raise DemoDataError("; ".join(f"{row.where}: {row.reason}" for row in report.rejected))
    db.session.commit()  # channels (M-Paspor, OSS, SIGNAL, JKN) came with the document, through the importer
    return report.counts


def load_catalog(data: dict) -> dict[str, int]:
    """Upsert a whole catalog document (catalog_io.py format, dates already parsed); no commit. Raises
    DemoDataError for a row that contradicts the rest (an unknown slug, a service where its agency has no counter)."""
    loader = _Loader(data)
    loader.run()
    return loader.counts()


def catalog_is_empty() -> bool:
    """True when no MPP exists yet — `flask demo-data --if-empty` then loads, otherwise leaves the catalog alone."""
    return not db.session.scalar(select(func.count()).select_from(Mpp))


class _Loader:
    def __init__(self, data: dict | None = None) -> None:
        self.data = data or {"regions": REGIONS, "agencies": AGENCIES, "mpps": MPPS, "services": SERVICES}
        self.created = 0
        self.updated = 0
        self.totals: dict[str, int] = {}
        # What the database holds now, by natural key, with the child lists preloaded: one query per table instead
        # of one per row, and nothing flushed until the commit.
        self.existing: dict[type, dict[Any, Any]] = {
            Region: {row.code: row for row in db.session.scalars(select(Region))},
            Agency: {row.slug: row for row in db.session.scalars(select(Agency))},
            Mpp: {row.slug: row for row in db.session.scalars(select(Mpp).options(selectinload(Mpp.hours)))},
            Tenancy: {
                (row.mpp.slug, row.agency.slug): row
                for row in db.session.scalars(select(Tenancy).options(selectinload(Tenancy.hours)))
            },
            Service: {
                row.slug: row
                for row in db.session.scalars(
                    select(Service).options(
                        selectinload(Service.requirements), selectinload(Service.steps), selectinload(Service.fees)
                    )
                )
            },
            ServiceOffering: {
                (row.service.slug, row.mpp.slug): row for row in db.session.scalars(select(ServiceOffering))
            },
        }

    def counts(self) -> dict[str, int]:
        return {**self.totals, "created": self.created, "updated": self.updated}

    def run(self) -> None:
        regions = {row["code"]: self._region(row) for row in self.data["regions"]}
        agencies = {row["slug"]: self._agency(row) for row in self.data["agencies"]}
        tenants: dict[str, set[str]] = {}  # MPP slug → agency slugs with a counter there
        mpps: dict[str, Mpp] = {}
        tenancy_count = 0
        for row in self.data["mpps"]:
            mpp = mpps[row["slug"]] = self._mpp(row, regions)
            tenants[row["slug"]] = set()
            for number, entry in enumerate(row["tenants"], start=1):
                tenant = {"agency": entry} if isinstance(entry, str) else entry
                self._tenancy(mpp, tenant, number, agencies)
                tenants[row["slug"]].add(tenant["agency"])
                tenancy_count += 1

        services = {row["slug"]: self._service(row, agencies) for row in self.data["services"]}
        offering_count = 0
        for row in self.data["services"]:
            for mpp_slug in self._offered_at(row, tenants):
                self._offering(services[row["slug"]], mpps[mpp_slug])
                offering_count += 1

        self.totals = {
            "regions": len(regions),
            "mpps": len(mpps),
            "agencies": len(agencies),
            "tenancies": tenancy_count,
            "services": len(services),
            "requirements": sum(len(row["requirements"]) for row in self.data["services"]),
            "steps": sum(len(row["steps"]) for row in self.data["services"]),
            "fees": sum(len(row["fees"]) for row in self.data["services"]),
            "offerings": offering_count,
        }

    # --- one record kind each ---------------------------------------------------------------------------------

    def _region(self, row: dict) -> Region:
        values = {**row, "kind": RegionKind(row["kind"])}
        return self._upsert(Region, row["code"], values)

    def _agency(self, row: dict) -> Agency:
        return self._upsert(Agency, row["slug"], row)

    def _mpp(self, row: dict, regions: dict[str, Region]) -> Mpp:
        if row["region"] not in regions:
            raise DemoDataError(f"MPP {row['slug']}: unknown region code {row['region']}")
        values = {
            "slug": row["slug"],
            "name": row["name"],
            "region": regions[row["region"]],
            "address": row["address"],
            "timezone": row["timezone"],
            "description": row["description"],
            "opened_on": row["opened_on"],
        }
        mpp = self._upsert(Mpp, row["slug"], values)
        self._sync(mpp.hours, MppHours, _hours(row["hours"]))
        return mpp

    def _tenancy(self, mpp: Mpp, tenant: dict, number: int, agencies: dict[str, Agency]) -> Tenancy:
        agency = agencies.get(tenant["agency"])
        if agency is None:
            raise DemoDataError(f"MPP {mpp.slug}: unknown agency {tenant['agency']}")
        values = {
            "mpp": mpp,
            "agency": agency,
            "counter": tenant.get("counter", f"Loket {number}"),
            "note": tenant.get("note"),
        }
        tenancy = self._upsert(Tenancy, (mpp.slug, agency.slug), values)
        # No hours rows means "whenever the MPP is open" (see Tenancy), so a tenant without its own hours gets none.
        self._sync(tenancy.hours, TenancyHours, _hours(tenant.get("hours", [])))
        return tenancy

    def _service(self, row: dict, agencies: dict[str, Agency]) -> Service:
        agency = agencies.get(row["agency"])
        if agency is None:
            raise DemoDataError(f"service {row['slug']}: unknown agency {row['agency']}")
        nested = {"agency", "requirements", "steps", "fees", "offered_at"}
        values = {key: value for key, value in row.items() if key not in nested}
        values["agency"] = agency
        values["duration_unit"] = DurationUnit(row["duration_unit"]) if row["duration_unit"] else None
        values.setdefault("standard_reference", None)
        values.setdefault("standard_effective_from", None)
        service = self._upsert(Service, row["slug"], values)

        requirements = [
            {
                **item,
                "position": position,
                "kind": RequirementKind(item["kind"]),
                "document_type": DocumentType(item["document_type"]) if item["document_type"] else None,
            }
            for position, item in enumerate(row["requirements"], start=1)
        ]
        steps = [
            {**item, "position": position, "duration_unit": DurationUnit(item["duration_unit"])}
            for position, item in enumerate(row["steps"], start=1)
        ]
        fees = [{**item, "position": position} for position, item in enumerate(row["fees"], start=1)]
        self._sync(service.requirements, Requirement, requirements)
        self._sync(service.steps, ProcedureStep, steps)
        self._sync(service.fees, ServiceFee, fees)
        return service

    def _offered_at(self, row: dict, tenants: dict[str, set[str]]) -> list[str]:
        """Where a service is offered: the listed MPPs, or every MPP where its agency has a counter.

        The counter and its hours come from the agency's tenancy, so an offering without one would be a page
        promising a service nobody can deliver: that is a data error, not something to load.
        """
        where = row.get("offered_at") or [slug for slug, agencies in tenants.items() if row["agency"] in agencies]
        for mpp_slug in where:
            if row["agency"] not in tenants.get(mpp_slug, set()):
                raise DemoDataError(f"service {row['slug']}: {row['agency']} has no counter at {mpp_slug}")
        if not where:
            raise DemoDataError(f"service {row['slug']}: offered at no MPP")
        return where

    def _offering(self, service: Service, mpp: Mpp) -> ServiceOffering:
        return self._upsert(ServiceOffering, (service.slug, mpp.slug), {"service": service, "mpp": mpp})

    # --- the mechanics --------------------------------------------------------------------------------------------

    def _upsert(self, model: type, key: Any, values: dict[str, Any]):
        """Update the row with this natural key in place, or insert it. `values` include the key's own columns."""
        row = self.existing[model].get(key)
        if row is None:
            # Flushed with everything else at the commit, so insert-time hooks (the search index) see the whole
            # service with its requirements, steps and fees attached.
            row = self.existing[model][key] = model(**values)
            db.session.add(row)
            self.created += 1
        elif self._assign(row, values):
            self.updated += 1
        return row

    def _sync(self, collection: list, model: type, rows: list[dict[str, Any]]) -> None:
        """Make an ordered child collection match `rows`: update by position, append, drop the surplus."""
        existing = list(collection)
        for index, values in enumerate(rows):
            if index < len(existing):
                if self._assign(existing[index], values):
                    self.updated += 1
            else:
                collection.append(model(**values))
                self.created += 1
        for surplus in existing[len(rows) :]:
            collection.remove(surplus)  # delete-orphan cascade removes the row

    @staticmethod
    def _assign(row: Any, values: dict[str, Any]) -> bool:
        """Set only the values that differ, so an unchanged row is never marked dirty (no UPDATE, no event)."""
        changed = False
        for name, value in values.items():
            current = getattr(row, name)
            same = current is value if isinstance(value, db.Model) else current == value
            if not same:
                setattr(row, name, value)
                changed = True
        return changed


def _hours(rows: Iterable[tuple[int, str, str]]) -> list[dict[str, Any]]:
    """(weekday, "08:00", "15:30") tuples → column values, sorted as the relationship orders them."""
    parsed = [
        {"weekday": weekday, "opens": dt.time.fromisoformat(opens), "closes": dt.time.fromisoformat(closes)}
        for weekday, opens, closes in rows
    ]
    return sorted(parsed, key=lambda values: (values["weekday"], values["opens"]))
