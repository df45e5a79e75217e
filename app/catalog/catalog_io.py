"""The catalog as ONE exchange document: export it, and import one with a preview of what changes and the rejected rows.

This is how hundreds of MPPs with 80–400 services each get in without typing. The format (JSON, described by
``CATALOG_SCHEMA``, JSON Schema 2020-12) is the demo data's own shape, and the demo data loads through
``import_catalog`` too (demo_data.load_demo_data), so the documented format is exercised on every test run:

    {"format": "mpp-digital-katalog", "version": 1,
     "regions":  [{"code": "7471", "name": "Kota Kendari", "kind": "kota", "province_code": "74", ...}],
     "agencies": [{"slug": "disdukcapil", "name": "...", "short_name": "Disdukcapil", ...}],
     "mpps":     [{"slug": "kota-kendari", "region": "7471", "timezone": "Asia/Makassar",
                   "hours": [[0, "08:00", "15:30"], ...], "tenants": ["disdukcapil", {"agency": "...", "hours": [...]}]}],
     "services": [{"slug": "ktp-el-baru", "agency": "disdukcapil", "requirements": [...], "steps": [...],
                   "fees": [...], "offered_at": ["kota-kendari"]}]}

Rows that break the schema are rejected one by one (named by their path, with the reason) and the rest is
imported; ``apply=False`` runs the whole import and rolls it back, which is the preview. CSV is offered for the
tabular part people edit in a spreadsheet (the service list), export only.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import json
from dataclasses import dataclass, field

import jsonschema
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from .models import Agency, Mpp, Region, Service, Tenancy

FORMAT = "mpp-digital-katalog"
VERSION = 1

_S = {"type": "string"}
_NS = {"type": ["string", "null"]}
_DATE = {"type": ["string", "null"], "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
_HOURS = {
    "type": "array",
    "items": {
        "type": "array",
        "prefixItems": [
            {"type": "integer", "minimum": 0, "maximum": 6},
            {"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$"},
            {"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$"},
        ],
        "minItems": 3,
        "maxItems": 3,
    },
}
_SLUG = {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$", "maxLength": 120}
_UNIT = {"enum": ["menit", "jam", "hari_kerja", "hari"]}


def _closed(properties: dict, required: list[str]) -> dict:
    return {"type": "object", "properties": properties, "required": required, "additionalProperties": False}


CATALOG_SCHEMA: dict = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "/admin/integrasi/katalog/skema.json",
    "title": "Katalog MPP Digital",
    "type": "object",
    "properties": {
        "format": {"const": FORMAT},
        "version": {"const": VERSION},
        "regions": {
            "type": "array",
            "items": _closed(
                {
                    "code": {"type": "string", "pattern": "^[0-9]{4}$"},
                    "name": _S,
                    "kind": {"enum": ["kabupaten", "kota"]},
                    "province_code": {"type": "string", "pattern": "^[0-9]{2}$"},
                    "province_name": _S,
                },
                ["code", "name", "kind", "province_code", "province_name"],
            ),
        },
        "agencies": {
            "type": "array",
            "items": _closed(
                {"slug": _SLUG, "name": _S, "short_name": _S, "description": _NS, "website": _NS},
                ["slug", "name", "short_name"],
            ),
        },
        "mpps": {
            "type": "array",
            "items": _closed(
                {
                    "slug": _SLUG,
                    "name": _S,
                    "region": {"type": "string", "pattern": "^[0-9]{4}$"},
                    "address": _S,
                    "timezone": {"enum": ["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"]},
                    "description": _NS,
                    "opened_on": _DATE,
                    "hours": _HOURS,
                    "tenants": {
                        "type": "array",
                        "items": {
                            "oneOf": [
                                _SLUG,
                                _closed({"agency": _SLUG, "counter": _NS, "note": _NS, "hours": _HOURS}, ["agency"]),
                            ]
                        },
                    },
                },
                ["slug", "name", "region", "address", "timezone", "hours", "tenants"],
            ),
        },
        "services": {
            "type": "array",
            "items": _closed(
                {
                    "slug": _SLUG,
                    "name": _S,
                    "agency": _SLUG,
                    "summary": _S,
                    "keywords": _S,
                    "popularity": {"type": "integer", "minimum": 0},
                    "duration_value": {"type": ["integer", "null"], "minimum": 0},
                    "duration_unit": {"enum": ["menit", "jam", "hari_kerja", "hari", None]},
                    "duration_text": _S,
                    "fee_note": _NS,
                    "product": _S,
                    "complaint_handling": _S,
                    "legal_basis": _S,
                    "standard_reference": _NS,
                    "standard_effective_from": _DATE,
                    "online_application": {"type": "boolean"},
                    "in_person_note": _NS,
                    "offered_at": {"type": "array", "items": _SLUG},
                    "requirements": {
                        "type": "array",
                        "items": _closed(
                            {
                                "kind": {"enum": ["dokumen", "syarat", "hadir"]},
                                "document_type": _NS,
                                "description": _S,
                                "note": _NS,
                                "required": {"type": "boolean"},
                            },
                            ["kind", "document_type", "description"],
                        ),
                    },
                    "steps": {
                        "type": "array",
                        "items": _closed(
                            {
                                "title": _S,
                                "description": _NS,
                                "actor": _S,
                                "duration_value": {"type": "integer", "minimum": 0},
                                "duration_unit": _UNIT,
                            },
                            ["title", "actor", "duration_value", "duration_unit"],
                        ),
                    },
                    "fees": {
                        "type": "array",
                        "items": _closed(
                            {
                                "label": _S,
                                "amount": {"type": "integer", "minimum": 0},
                                "legal_basis": _S,
                                "effective_from": _DATE,
                            },
                            ["label", "amount", "legal_basis"],
                        ),
                    },
                },
                [
                    "slug",
                    "name",
                    "agency",
                    "summary",
                    "duration_unit",
                    "duration_value",
                    "duration_text",
                    "product",
                    "complaint_handling",
                    "legal_basis",
                    "requirements",
                    "steps",
                    "fees",
                ],
            ),
        },
    },
    "required": ["format", "version", "regions", "agencies", "mpps", "services"],
}


@dataclass(frozen=True)
class Rejected:
    where: str  # "services[3] (paspor-biasa)"
    reason: str


@dataclass
class Report:
    counts: dict[str, int] = field(default_factory=dict)
    rejected: list[Rejected] = field(default_factory=list)
    applied: bool = False


class NotACatalog(ValueError):
    """The file is not JSON, or not a catalog document at all (wrong format/version, a section missing)."""


def parse(raw: bytes) -> dict:
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise NotACatalog("not JSON") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("version") != VERSION:
        raise NotACatalog("not a catalog document")
    for section in ("regions", "agencies", "mpps", "services"):
        if not isinstance(data.get(section), list):
            raise NotACatalog(f"no {section} list")
    return data


def _row_label(section: str, index: int, row) -> str:
    key = row.get("slug") or row.get("code") if isinstance(row, dict) else None
    return f"{section}[{index}]" + (f" ({key})" if key else "")


def _valid_rows(data: dict) -> tuple[dict, list[Rejected]]:
    """Each row checked against its section's schema; a bad row is set aside with its first error."""
    kept: dict[str, list] = {}
    rejected: list[Rejected] = []
    for section in ("regions", "agencies", "mpps", "services"):
        schema = CATALOG_SCHEMA["properties"][section]["items"]
        validator = jsonschema.Draft202012Validator(schema)
        kept[section] = []
        for index, row in enumerate(data[section]):
            error = next(iter(sorted(validator.iter_errors(row), key=lambda e: list(e.absolute_path))), None)
            if error is None:
                kept[section].append(row)
            else:
                path = "/".join(str(part) for part in error.absolute_path)
                reason = f"{path}: {error.message}" if path else error.message
                rejected.append(Rejected(_row_label(section, index, row), reason[:300]))
    return kept, rejected


def _dates(data: dict) -> dict:
    """ISO dates in the document → date values for the columns."""
    data = copy.deepcopy(data)

    def day(value):
        return dt.date.fromisoformat(value) if isinstance(value, str) else value

    for mpp in data["mpps"]:
        mpp.setdefault("description", None)
        mpp["opened_on"] = day(mpp.get("opened_on"))
    for service in data["services"]:
        if "standard_effective_from" in service:
            service["standard_effective_from"] = day(service["standard_effective_from"])
        for fee in service["fees"]:
            fee["effective_from"] = day(fee.get("effective_from"))
    for agency in data["agencies"]:
        agency.setdefault("description", None)
        agency.setdefault("website", None)
    return data


def _drop_dangling(data: dict, rejected: list[Rejected]) -> dict:
    """Rows that name something this import does not bring and the database does not hold are rejected too."""
    regions = {row["code"] for row in data["regions"]} | set(db.session.scalars(select(Region.code)))
    agencies = {row["slug"] for row in data["agencies"]} | set(db.session.scalars(select(Agency.slug)))
    mpps = []
    for index, row in enumerate(data["mpps"]):
        unknown = [
            (t if isinstance(t, str) else t["agency"])
            for t in row["tenants"]
            if (t if isinstance(t, str) else t["agency"]) not in agencies
        ]
        if row["region"] not in regions:
            rejected.append(Rejected(_row_label("mpps", index, row), f"kode wilayah {row['region']} tidak dikenal"))
        elif unknown:
            rejected.append(Rejected(_row_label("mpps", index, row), f"instansi tidak dikenal: {', '.join(unknown)}"))
        else:
            mpps.append(row)
    tenants: dict[str, set[str]] = {}
    for row in mpps:
        tenants[row["slug"]] = {t if isinstance(t, str) else t["agency"] for t in row["tenants"]}
    for tenancy in db.session.scalars(select(Tenancy).options(selectinload(Tenancy.mpp), selectinload(Tenancy.agency))):
        tenants.setdefault(tenancy.mpp.slug, set()).add(tenancy.agency.slug)
    services = []
    for index, row in enumerate(data["services"]):
        where = row.get("offered_at") or [slug for slug, names in tenants.items() if row["agency"] in names]
        if row["agency"] not in agencies:
            rejected.append(Rejected(_row_label("services", index, row), f"instansi {row['agency']} tidak dikenal"))
        elif not where or any(row["agency"] not in tenants.get(slug, set()) for slug in where):
            rejected.append(
                Rejected(
                    _row_label("services", index, row), f"{row['agency']} tidak memiliki loket di MPP yang disebut"
                )
            )
        else:
            services.append(row)
    return {**data, "mpps": mpps, "services": services}


def import_catalog(data: dict, *, apply: bool) -> Report:
    """Validate, load what is valid, report. ``apply=False`` is the preview: everything is rolled back."""
    from .demo_data import DemoDataError, load_catalog

    kept, rejected = _valid_rows(data)
    usable = _drop_dangling(_dates(kept), rejected)
    report = Report(rejected=rejected)
    try:
        with db.session.no_autoflush:
            report.counts = load_catalog(usable)
        db.session.flush()
    except DemoDataError as error:
        db.session.rollback()
        report.rejected.append(Rejected("katalog", str(error)))
        report.counts = {}
        return report
    if apply:
        report.applied = True  # the caller commits (the admin's page, or the demo loader)
    else:
        db.session.rollback()
    return report


def demo_document() -> dict:
    """The demo catalog (app/catalog/demo) as an exchange document, through JSON like any uploaded file."""
    from .demo.agencies import AGENCIES
    from .demo.mpps import MPPS
    from .demo.regions import REGIONS
    from .demo.services import SERVICES

    document = {
        "format": FORMAT,
        "version": VERSION,
        "regions": REGIONS,
        "agencies": AGENCIES,
        "mpps": MPPS,
        "services": SERVICES,
    }
    return json.loads(json.dumps(document, default=lambda value: value.isoformat()))


# --- export ----------------------------------------------------------------------------------------------------------


def _hours(rows) -> list:
    return [[row.weekday, row.opens.strftime("%H:%M"), row.closes.strftime("%H:%M")] for row in rows]


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def export_catalog() -> dict:
    """The whole catalog in the exchange format: importing it again changes nothing."""
    regions = db.session.scalars(select(Region).order_by(Region.code)).all()
    agencies = db.session.scalars(select(Agency).order_by(Agency.slug)).all()
    mpps = db.session.scalars(
        select(Mpp)
        .order_by(Mpp.slug)
        .options(
            selectinload(Mpp.region),
            selectinload(Mpp.hours),
            selectinload(Mpp.tenancies).options(selectinload(Tenancy.agency), selectinload(Tenancy.hours)),
        )
    ).all()
    services = db.session.scalars(
        select(Service)
        .order_by(Service.slug)
        .options(
            selectinload(Service.agency),
            selectinload(Service.requirements),
            selectinload(Service.steps),
            selectinload(Service.fees),
            selectinload(Service.offerings).selectinload(Service.offerings.property.mapper.class_.mpp),
        )
    ).all()
    return {
        "format": FORMAT,
        "version": VERSION,
        "regions": [
            {
                "code": r.code,
                "name": r.name,
                "kind": r.kind.value,
                "province_code": r.province_code,
                "province_name": r.province_name,
            }
            for r in regions
        ],
        "agencies": [
            {
                "slug": a.slug,
                "name": a.name,
                "short_name": a.short_name,
                "description": a.description,
                "website": a.website,
            }
            for a in agencies
        ],
        "mpps": [
            {
                "slug": m.slug,
                "name": m.name,
                "region": m.region.code,
                "address": m.address,
                "timezone": m.timezone,
                "description": m.description,
                "opened_on": _iso(m.opened_on),
                "hours": _hours(m.hours),
                "tenants": [
                    {"agency": t.agency.slug, "counter": t.counter, "note": t.note, "hours": _hours(t.hours)}
                    for t in sorted(m.tenancies, key=lambda t: t.id)
                ],
            }
            for m in mpps
        ],
        "services": [
            {
                "slug": s.slug,
                "name": s.name,
                "agency": s.agency.slug,
                "summary": s.summary,
                "keywords": s.keywords,
                "popularity": s.popularity,
                "duration_value": s.duration_value,
                "duration_unit": s.duration_unit.value if s.duration_unit else None,
                "duration_text": s.duration_text,
                "fee_note": s.fee_note,
                "product": s.product,
                "complaint_handling": s.complaint_handling,
                "legal_basis": s.legal_basis,
                "standard_reference": s.standard_reference,
                "standard_effective_from": _iso(s.standard_effective_from),
                "online_application": s.online_application,
                "in_person_note": s.in_person_note,
                "offered_at": sorted(o.mpp.slug for o in s.offerings),
                "requirements": [
                    {
                        "kind": r.kind.value,
                        "document_type": r.document_type.value if r.document_type else None,
                        "description": r.description,
                        "note": r.note,
                        "required": r.required,
                    }
                    for r in s.requirements
                ],
                "steps": [
                    {
                        "title": p.title,
                        "description": p.description,
                        "actor": p.actor,
                        "duration_value": p.duration_value,
                        "duration_unit": p.duration_unit.value,
                    }
                    for p in s.steps
                ],
                "fees": [
                    {
                        "label": f.label,
                        "amount": f.amount,
                        "legal_basis": f.legal_basis,
                        "effective_from": _iso(f.effective_from),
                    }
                    for f in s.fees
                ],
            }
            for s in services
        ],
    }


SERVICE_COLUMNS = ("slug", "name", "agency", "duration_text", "product", "online_application", "offered_at", "fees")


def services_csv(document: dict) -> str:
    """The service list as CSV for a spreadsheet (one row per service; fees as "label: amount" joined by "; ")."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(SERVICE_COLUMNS)
    for s in document["services"]:
        writer.writerow(
            [
                s["slug"],
                s["name"],
                s["agency"],
                s["duration_text"],
                s["product"],
                "ya" if s["online_application"] else "tidak",
                " ".join(s["offered_at"]),
                "; ".join(f"{f['label']}: {f['amount']}" for f in s["fees"]),
            ]
        )
    return out.getvalue()
