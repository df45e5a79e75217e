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
imported; ``apply=False`` runs the whole import and rolls it back, which is the preview (with the list of records
it would add or change). A service row may carry its channels (where it is applied for) and its online form (the
form definition's JSON Schema and steps). The tabular part people edit in a spreadsheet — the service list — is also
CSV, both ways: a CSV import updates existing services (``csv_document``) and goes through the same import.
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
                    # Where the service is applied for (issue 12 point 7); absent = leave as is, [] = the defaults.
                    "channels": {
                        "type": "array",
                        "items": {
                            "oneOf": [
                                _closed({"kind": {"enum": ["aplikasi", "loket"]}}, ["kind"]),
                                _closed(
                                    {
                                        "kind": {"const": "nasional"},
                                        "name": {"type": "string", "minLength": 1, "maxLength": 80},
                                        "url": {"type": "string", "pattern": "^https://[^/@]+\\.[^/@]+(/.*)?$"},
                                    },
                                    ["kind", "name", "url"],
                                ),
                            ]
                        },
                    },
                    # The online application form (app/applications/formdefs.py): a JSON Schema 2020-12 with its
                    # steps and fields. Its "documents" are always derived from the requirements; absent = as is.
                    "form": {
                        "type": "object",
                        "properties": {
                            "title": {"type": "object"},
                            "schema": {"type": "object"},
                            "steps": {"type": "array", "minItems": 1},
                            "fields": {"type": "object"},
                        },
                        "required": ["title", "schema", "steps", "fields"],
                    },
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


EXTRAS = ("channels", "form")  # service members loaded after the catalog itself (_load_channels_and_forms)


@dataclass(frozen=True)
class Rejected:
    where: str  # "services[3] (paspor-biasa)"
    reason: str


@dataclass(frozen=True)
class Change:
    section: str  # "services"
    key: str  # its slug or code
    new: bool  # a new record, or an existing one that changes
    fields: tuple[str, ...] = ()  # which of its fields change (empty for a new record)


@dataclass
class Report:
    counts: dict[str, int] = field(default_factory=dict)
    rejected: list[Rejected] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
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


def _reason(error: jsonschema.ValidationError) -> str:
    """A schema error in words an admin reads: which column, and what it must be (Indonesian, as the page)."""
    column = "/".join(str(part) for part in error.absolute_path) or None
    where = f"kolom {column}" if column else "baris ini"
    kind, value = error.validator, error.validator_value
    if kind == "required":
        missing = [name for name in value if isinstance(error.instance, dict) and name not in error.instance]
        inside = f" di {where}" if column else ""
        return f"kolom wajib {', '.join(missing) or value} tidak ada{inside}"
    if kind == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        return f"kolom tidak dikenal: {', '.join(extra)}" + (f" (di {where})" if column else "")
    if kind == "type":
        names = {
            "string": "teks",
            "integer": "bilangan bulat",
            "boolean": "true atau false",
            "array": "daftar",
            "object": "objek",
            "null": "kosong (null)",
            "number": "angka",
        }
        wanted = value if isinstance(value, list) else [value]
        return f"{where} harus berupa {' atau '.join(names.get(t, t) for t in wanted)}"
    if kind in ("enum", "const"):
        allowed = value if kind == "enum" else [value]
        return f"{where} harus salah satu dari: {', '.join(str(v) for v in allowed)}"
    if kind == "pattern":
        return f"{where} tidak sesuai format yang diminta"
    if kind in ("minimum", "maximum"):
        return f"{where} harus {'minimal' if kind == 'minimum' else 'maksimal'} {value}"
    if kind in ("minItems", "minLength"):
        return f"{where} tidak boleh kosong"
    if kind == "maxLength":
        return f"{where} terlalu panjang (maksimal {value} karakter)"
    if kind in ("oneOf", "anyOf"):
        return f"{where} tidak sesuai salah satu bentuk yang diizinkan"
    return f"{where} tidak valid"


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
            if error is None and section == "services" and "form" in row:
                form_error = _form_error(row["form"])
                if form_error:
                    rejected.append(Rejected(_row_label(section, index, row), form_error))
                    continue
            if error is None:
                kept[section].append(row)
            else:
                rejected.append(Rejected(_row_label(section, index, row), _reason(error)[:300]))
    return kept, rejected


def _form_error(form: dict) -> str | None:
    """A form the application pages could not render is refused with its service row (before anything is loaded)."""
    from ..applications.formdefs import DefinitionError, check_definition

    try:
        check_definition({**form, "documents": []})
    except (DefinitionError, jsonschema.SchemaError, KeyError, TypeError, ValueError) as error:
        return f"formulir tidak valid: {str(error)[:200]}"
    return None


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
    before = _keyed(export_catalog()) if not apply else None
    try:
        with db.session.no_autoflush:
            plain = [{k: v for k, v in row.items() if k not in EXTRAS} for row in usable["services"]]
            report.counts = load_catalog({**usable, "services": plain})
        db.session.flush()
        _load_channels_and_forms(usable["services"], report)
        db.session.flush()
    except DemoDataError as error:
        db.session.rollback()
        report.rejected.append(Rejected("katalog", str(error)))
        report.counts = {}
        return report
    if apply:
        report.applied = True  # the caller commits (the admin's page, or the demo loader)
    else:
        report.changes = _changes(before, _keyed(export_catalog()))
        db.session.rollback()
    return report


def _load_channels_and_forms(services: list[dict], report: Report) -> None:
    """A service row's "channels" replace its channel rows; its "form" becomes a new form version when it differs
    from the latest. A row without a form still gets one that follows changed requirements (document_slots)."""
    from sqlalchemy import delete

    from ..api.models import ChannelKind, ServiceChannel
    from ..applications.document_slots import follow_catalog, with_documents_of
    from ..applications.models import FormDefinition

    if not services:
        return
    by_slug = {
        service.slug: service
        for service in db.session.scalars(
            select(Service)
            .where(Service.slug.in_([row["slug"] for row in services]))
            .options(selectinload(Service.requirements))
        )
    }
    created = updated = 0
    for row in services:
        service = by_slug.get(row["slug"])
        if service is None:
            continue
        if "channels" in row:
            existing = [
                (c.kind.value, c.name, c.url)
                for c in db.session.scalars(
                    select(ServiceChannel)
                    .where(ServiceChannel.service_id == service.id)
                    .order_by(ServiceChannel.position)
                )
            ]
            wanted = [(c["kind"], c.get("name"), c.get("url")) for c in row["channels"]]
            if existing != wanted:
                db.session.execute(delete(ServiceChannel).where(ServiceChannel.service_id == service.id))
                for position, (kind, name, url) in enumerate(wanted):
                    db.session.add(
                        ServiceChannel(
                            service_id=service.id, position=position, kind=ChannelKind(kind), name=name, url=url
                        )
                    )
                created += 0 if existing else len(wanted)
                updated += 1 if existing else 0
        if "form" in row:
            definition = with_documents_of(row["form"], service)
            latest = db.session.scalar(
                select(FormDefinition)
                .where(FormDefinition.service_id == service.id)
                .order_by(FormDefinition.version.desc())
                .limit(1)
            )
            if latest is None or latest.definition != definition:
                version = (latest.version if latest else 0) + 1
                db.session.add(FormDefinition(service_id=service.id, version=version, definition=definition))
                created += 1 if latest is None else 0
                updated += 0 if latest is None else 1  # a new version of a form that existed
        elif follow_catalog(service) is not None:
            updated += 1
    # Like the other counts: how many the file holds (what changed is in "created" and "updated").
    report.counts["channels"] = sum(len(row.get("channels", [])) for row in services)
    report.counts["forms"] = sum("form" in row for row in services)
    report.counts["created"] = report.counts.get("created", 0) + created
    report.counts["updated"] = report.counts.get("updated", 0) + updated


def _keyed(document: dict) -> dict[tuple[str, str], dict]:
    keyed = {}
    for section in ("regions", "agencies", "mpps", "services"):
        for row in document[section]:
            keyed[(section, row.get("slug") or row.get("code"))] = row
    return keyed


def _changes(before: dict, after: dict) -> list[Change]:
    """What the import would add or change, record by record, from the catalog exported before and after it."""
    changes = []
    for key, row in after.items():
        old = before.get(key)
        if old is None:
            changes.append(Change(key[0], key[1], new=True))
        elif old != row:
            changes.append(Change(key[0], key[1], new=False, fields=tuple(k for k in row if row[k] != old.get(k))))
    return changes


def demo_document() -> dict:
    """The demo catalog (app/catalog/demo) as an exchange document, through JSON like any uploaded file."""
    from ..api.channels import DEMO_CHANNELS
    from .demo.agencies import AGENCIES
    from .demo.mpps import MPPS
    from .demo.regions import REGIONS
    from .demo.services import SERVICES

    services = [
        {
            **service,
            **(
                {"channels": [_demo_channel(*channel) for channel in DEMO_CHANNELS[service["slug"]]]}
                if service["slug"] in DEMO_CHANNELS
                else {}
            ),
        }
        for service in SERVICES
    ]
    document = {
        "format": FORMAT,
        "version": VERSION,
        "regions": REGIONS,
        "agencies": AGENCIES,
        "mpps": MPPS,
        "services": services,
    }
    return json.loads(json.dumps(document, default=lambda value: value.isoformat()))


def _demo_channel(kind, name, url) -> dict:
    return {"kind": kind.value, "name": name, "url": url} if kind.value == "nasional" else {"kind": kind.value}


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
    from ..api.models import ServiceChannel
    from ..applications.models import FormDefinition

    channel_rows: dict[int, list] = {}
    for row in db.session.scalars(select(ServiceChannel).order_by(ServiceChannel.service_id, ServiceChannel.position)):
        channel_rows.setdefault(row.service_id, []).append(row)
    forms: dict[int, dict] = {}
    for row in db.session.scalars(select(FormDefinition).order_by(FormDefinition.service_id, FormDefinition.version)):
        forms[row.service_id] = row.definition  # the latest version wins
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
                "channels": [_channel_json(c) for c in channel_rows.get(s.id, [])],
                **({"form": forms[s.id]} if s.id in forms else {}),
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


def _channel_json(row) -> dict:
    if row.kind.value == "nasional":
        return {"kind": "nasional", "name": row.name, "url": row.url}
    return {"kind": row.kind.value}


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


# --- CSV import: the service list edited in a spreadsheet -----------------------------------------------------------

MAX_CSV_ROWS = 5000


def _amount(text: str) -> int | None:
    digits = text.strip().removeprefix("Rp").strip().replace(".", "")
    return int(digits) if digits.isdigit() and len(digits) <= 12 else None


def _csv_row(row: dict, service: dict) -> tuple[dict | None, str | None]:
    """The service's current record with the CSV row's columns applied, or the reason the row is refused."""
    patched = copy.deepcopy(service)
    for column in ("name", "duration_text", "product"):
        if column in row:
            value = " ".join((row[column] or "").split())
            if not value:
                return None, f"kolom {column} wajib diisi"
            patched[column] = value
    if "agency" in row:
        patched["agency"] = (row["agency"] or "").strip()
    if "online_application" in row:
        value = (row["online_application"] or "").strip().lower()
        if value not in ("ya", "tidak"):
            return None, "kolom online_application harus ya atau tidak"
        patched["online_application"] = value == "ya"
    if "offered_at" in row:
        patched["offered_at"] = sorted(set((row["offered_at"] or "").split()))
        if not patched["offered_at"]:
            return None, "kolom offered_at wajib berisi minimal satu MPP (slug, dipisah spasi)"
    if "fees" in row:
        known = {fee["label"]: fee for fee in service["fees"]}
        fees = []
        for part in filter(None, (p.strip() for p in (row["fees"] or "").split(";"))):
            label, colon, amount_text = part.rpartition(":")
            amount = _amount(amount_text) if colon else None
            if not colon or not label.strip() or amount is None:
                return None, f"biaya “{part[:60]}” harus ditulis “nama: jumlah”, misalnya “Paspor 48 halaman: 350000”"
            label = label.strip()
            if label not in known:
                return None, f"biaya baru “{label[:60]}” perlu dasar hukum: tambahkan lewat berkas JSON"
            fees.append({**known[label], "amount": amount})
        patched["fees"] = fees
    return patched, None


def csv_document(raw: bytes) -> tuple[dict, list[Rejected], dict[int, int]]:
    """A CSV of services (the columns of ``services_csv``, ``slug`` required, others optional) → a catalog document
    holding the changed services, the rows refused already, and which CSV line each document row came from.
    Only services that exist can be changed this way: a new one needs its whole Standar Pelayanan (JSON)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise NotACatalog("not UTF-8") from None
    if "\x00" in text:
        raise NotACatalog("NUL")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = reader.fieldnames or []
    except csv.Error:
        raise NotACatalog("not CSV") from None
    if "slug" not in header or not set(header) <= set(SERVICE_COLUMNS):
        raise NotACatalog("not the service list")
    exported = export_catalog()
    current = {service["slug"]: service for service in exported["services"]}
    services: list[dict] = []
    lines: dict[int, int] = {}
    rejected: list[Rejected] = []
    try:
        for row in reader:
            line = reader.line_num
            if len(services) + len(rejected) >= MAX_CSV_ROWS:
                rejected.append(Rejected(f"baris {line}", f"lebih dari {MAX_CSV_ROWS} baris; bagi berkasnya"))
                break
            if None in row:  # more cells than columns
                rejected.append(Rejected(f"baris {line}", "jumlah sel lebih banyak daripada kolom"))
                continue
            slug = (row.get("slug") or "").strip()
            where = f"baris {line}" + (f" ({slug[:60]})" if slug else "")
            if slug not in current:
                reason = (
                    "kolom slug kosong" if not slug else "layanan ini belum ada di katalog: tambahkan lewat berkas JSON"
                )
                rejected.append(Rejected(where, reason))
                continue
            patched, reason = _csv_row(row, current[slug])
            if reason:
                rejected.append(Rejected(where, reason))
                continue
            lines[len(services)] = line
            services.append(patched)
    except csv.Error as error:
        rejected.append(Rejected(f"baris {reader.line_num}", f"CSV tidak dapat dibaca: {str(error)[:100]}"))
    # The rest of the catalog as it is (the loader resolves agencies and MPPs from the document): it changes nothing.
    document = {**exported, "services": services}
    return document, rejected, lines


def import_csv(raw: bytes, *, apply: bool) -> Report:
    """Import a service-list CSV through ``import_catalog``; a rejected row is named by its line in the file."""
    document, rejected, lines = csv_document(raw)
    report = import_catalog(document, apply=apply)
    renamed = []
    for row in report.rejected:
        label = row.where
        if label.startswith("services["):
            index = int(label[len("services[") : label.index("]")])
            slug = document["services"][index]["slug"]
            label = f"baris {lines.get(index, '?')} ({slug})"
        renamed.append(Rejected(label, row.reason))
    report.rejected = sorted(rejected + renamed, key=lambda r: _line_of(r.where))
    return report


def _line_of(where: str) -> int:
    parts = where.split()
    return int(parts[1]) if len(parts) > 1 and parts[0] == "baris" and parts[1].isdigit() else 0
