"""Use cases of the catalog admin: each checks the submitted values, changes the catalog and writes the history
in ONE transaction, or raises ``Invalid`` with a message per field (and changes nothing).

Forms arrive as plain dicts of strings (what the browser sent). Checks here are the rules a citizen relies on:
hours that open before they close, fees that are whole non-negative rupiah with a legal basis (UU 25/2009
Pasal 21 huruf d and PermenPANRB 15/2014 require a published tariff and its basis), step limits as numbers, a
region code of 4 digits whose first two are the province (Kemendagri code; 01–69 kabupaten, 71–99 kota).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..accounts.models import Role, User
from ..applications.document_slots import follow_catalog
from ..catalog.models import (
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
from ..extensions import db
from ..formatting import ZONES as INDONESIAN_ZONES
from ..pagination import Page, paginate
from .models import CatalogChange, ChangeKind

ZONES = tuple(INDONESIAN_ZONES)
SLOTS_PER_DAY = 2  # split days (Friday prayer break) need two periods
MAX_ROWS = 40
HISTORY_PAGE_SIZE = 50  # catalog changes per page of /admin/riwayat
MPP_PAGE_SIZE = 50  # MPPs per page of /admin (a national admin keeps every MPP of the country)

MSG_REQUIRED = _l("Fill this in.")
MSG_TOO_LONG = _l("Too long (at most %(max)d characters).")
MSG_TIME = _l("Write the time as HH.MM, for example 08.00.")
MSG_TIME_ORDER = _l("The closing time must be after the opening time.")
MSG_TIME_PAIR = _l("Fill in both the opening and the closing time, or neither.")
MSG_TIME_OVERLAP = _l("The second period must start after the first one ends.")
MSG_NUMBER = _l("Write a whole number (0 or more), without dots or letters.")
MSG_AMOUNT = _l("Write the amount in whole rupiah, for example 350000.")
MSG_DATE = _l("Write a valid date.")
MSG_CHOICE = _l("Choose one of the options.")
MSG_REGION_CODE = _l("A region code has 4 digits, e.g. 3471: province (2) and kabupaten/kota (2).")
MSG_REGION_KIND = _l("Codes 01–69 are kabupaten and 71–99 are kota; the kind does not match the code.")
MSG_REGION_TAKEN = _l("Another region already has this code.")
MSG_SLUG = _l("Use lower-case letters, digits and dashes only, e.g. kota-kendari.")
MSG_SLUG_TAKEN = _l("Another MPP already uses this address.")
MSG_TENANT_TAKEN = _l("This agency already serves at this MPP.")
MSG_FEE_BASIS = _l("Give the legal basis of the fee (e.g. PP 45/2024).")


class Invalid(ValueError):
    """The values were not accepted. ``errors`` maps a field name to its message; nothing was changed."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(errors))
        self.errors = errors


# --- reading form values -----------------------------------------------------------------------------------------


class Reader:
    """Collects typed values and the first error per field."""

    def __init__(self, form) -> None:
        self.form = form
        self.errors: dict[str, str] = {}

    def raw(self, name: str) -> str:
        return (self.form.get(name) or "").strip()

    def text(self, name: str, max_length: int, *, required: bool = True) -> str | None:
        value = " ".join(self.raw(name).split()) if max_length <= 300 else self.raw(name).replace("\r\n", "\n")
        if not value:
            if required:
                self.errors[name] = str(MSG_REQUIRED)
            return None
        if len(value) > max_length:
            self.errors[name] = str(_l("Too long (at most %(max)d characters).", max=max_length))
            return None
        return value

    def number(self, name: str, *, required: bool = True, maximum: int = 10**9, message=MSG_NUMBER) -> int | None:
        value = self.raw(name).replace(" ", "")
        if not value:
            if required:
                self.errors[name] = str(MSG_REQUIRED)
            return None
        if not value.isdigit() or len(value) > 12 or int(value) > maximum:
            self.errors[name] = str(message)
            return None
        return int(value)

    def time(self, name: str) -> dt.time | None:
        value = self.raw(name).replace(":", ".")
        if not value:
            return None
        match = re.fullmatch(r"(\d{1,2})\.(\d{2})", value)
        if not match or int(match[1]) > 23 or int(match[2]) > 59:
            self.errors[name] = str(MSG_TIME)
            return None
        return dt.time(int(match[1]), int(match[2]))

    def date(self, name: str) -> dt.date | None:
        value = self.raw(name)
        if not value:
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.errors[name] = str(MSG_DATE)
            return None

    def choice(self, name: str, choices, *, required: bool = True) -> str | None:
        value = self.raw(name)
        if not value and not required:
            return None
        if value not in choices:
            self.errors[name] = str(MSG_CHOICE)
            return None
        return value

    def flag(self, name: str) -> bool:
        return self.raw(name) in ("1", "on", "ya", "true")

    def done(self) -> None:
        if self.errors:
            raise Invalid(self.errors)


# --- history -------------------------------------------------------------------------------------------------------


def _plain(value):
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    return value


def snapshot(obj, fields: tuple[str, ...]) -> dict:
    return {name: _plain(getattr(obj, name)) for name in fields}


def record_change(
    *, actor: User, mpp_id: int | None, entity: str, entity_id: int | None, label: str, kind: ChangeKind,
    before: dict | None, after: dict | None,
) -> CatalogChange | None:  # fmt: skip
    """Add one history row to the current transaction; an "update" that changed nothing is not recorded."""
    if kind == ChangeKind.UPDATE and before == after:
        return None
    change = CatalogChange(
        actor_id=actor.id,
        actor_name=actor.display_name[:120],
        actor_role=Role(actor.role).value,
        mpp_id=mpp_id,
        entity=entity,
        entity_id=entity_id,
        label=label[:200],
        kind=kind,
        before=before,
        after=after,
    )
    db.session.add(change)
    return change


# --- opening hours -------------------------------------------------------------------------------------------------


def hours_snapshot(rows) -> dict:
    days: dict[str, list[str]] = {}
    for row in rows:
        days.setdefault(str(row.weekday), []).append(f"{row.opens:%H.%M}-{row.closes:%H.%M}")
    return {"jam": days}


def hours_form_values(rows) -> dict[str, str]:
    values: dict[str, str] = {}
    slots: dict[int, int] = {}
    for row in rows:
        slot = slots.get(row.weekday, 0) + 1
        slots[row.weekday] = slot
        if slot <= SLOTS_PER_DAY:
            values[f"jam-{row.weekday}-{slot}-buka"] = f"{row.opens:%H.%M}"
            values[f"jam-{row.weekday}-{slot}-tutup"] = f"{row.closes:%H.%M}"
    return values


def read_hours(reader: Reader) -> list[tuple[int, dt.time, dt.time]]:
    """Up to two periods per weekday from fields ``jam-<weekday>-<slot>-buka`` / ``-tutup``; empty = closed."""
    periods = []
    for weekday in range(7):
        previous_close = None
        for slot in range(1, SLOTS_PER_DAY + 1):
            opens_name, closes_name = f"jam-{weekday}-{slot}-buka", f"jam-{weekday}-{slot}-tutup"
            opens, closes = reader.time(opens_name), reader.time(closes_name)
            if opens_name in reader.errors or closes_name in reader.errors:
                continue
            if (opens is None) != (closes is None):
                reader.errors[closes_name if opens else opens_name] = str(MSG_TIME_PAIR)
                continue
            if opens is None:
                continue
            if opens >= closes:
                reader.errors[closes_name] = str(MSG_TIME_ORDER)
                continue
            if previous_close is not None and opens <= previous_close:
                reader.errors[opens_name] = str(MSG_TIME_OVERLAP)
                continue
            previous_close = closes
            periods.append((weekday, opens, closes))
    return periods


def update_mpp_hours(mpp: Mpp, form, *, actor: User) -> None:
    reader = Reader(form)
    periods = read_hours(reader)
    reader.done()
    before = hours_snapshot(mpp.hours)
    mpp.hours.clear()
    db.session.flush()
    mpp.hours.extend(MppHours(weekday=w, opens=o, closes=c) for w, o, c in periods)
    db.session.flush()
    record_change(
        actor=actor, mpp_id=mpp.id, entity="mpp_hours", entity_id=mpp.id, label=mpp.name,
        kind=ChangeKind.UPDATE, before=before, after=hours_snapshot(mpp.hours),
    )  # fmt: skip
    db.session.commit()


# --- tenancies -----------------------------------------------------------------------------------------------------

TENANCY_FIELDS = ("agency_id", "counter", "note")


def _tenancy_snapshot(tenancy: Tenancy) -> dict:
    return {**snapshot(tenancy, TENANCY_FIELDS), **hours_snapshot(tenancy.hours)}


def update_tenancy(tenancy: Tenancy, form, *, actor: User) -> None:
    """Counter, note and the agency's own hours (none = the MPP's hours)."""
    reader = Reader(form)
    counter = reader.text("loket", 60, required=False)
    note = reader.text("catatan", 1000, required=False)
    own_hours = reader.flag("jam_sendiri")
    periods = read_hours(reader) if own_hours else []
    if own_hours and not periods and not reader.errors:
        reader.errors["jam-0-1-buka"] = str(_l("Give at least one period, or let the agency keep the MPP's hours."))
    reader.done()
    before = _tenancy_snapshot(tenancy)
    tenancy.counter, tenancy.note = counter, note
    tenancy.hours.clear()
    db.session.flush()
    tenancy.hours.extend(TenancyHours(weekday=w, opens=o, closes=c) for w, o, c in periods)
    db.session.flush()
    record_change(
        actor=actor, mpp_id=tenancy.mpp_id, entity="tenancy", entity_id=tenancy.id, label=tenancy.agency.name,
        kind=ChangeKind.UPDATE, before=before, after=_tenancy_snapshot(tenancy),
    )  # fmt: skip
    db.session.commit()


def add_tenancy(mpp: Mpp, form, *, actor: User) -> Tenancy:
    reader = Reader(form)
    agencies = {str(a.id): a for a in db.session.scalars(select(Agency))}
    agency_id = reader.choice("instansi", agencies)
    counter = reader.text("loket", 60, required=False)
    if agency_id and any(t.agency_id == int(agency_id) for t in mpp.tenancies):
        reader.errors["instansi"] = str(MSG_TENANT_TAKEN)
    reader.done()
    tenancy = Tenancy(mpp=mpp, agency=agencies[agency_id], counter=counter)
    db.session.add(tenancy)
    db.session.flush()
    record_change(
        actor=actor, mpp_id=mpp.id, entity="tenancy", entity_id=tenancy.id, label=tenancy.agency.name,
        kind=ChangeKind.CREATE, before=None, after=_tenancy_snapshot(tenancy),
    )  # fmt: skip
    db.session.commit()
    return tenancy


def remove_tenancy(tenancy: Tenancy, *, actor: User) -> None:
    """The agency leaves the MPP: its services stop being offered there too."""
    mpp = tenancy.mpp
    before = _tenancy_snapshot(tenancy)
    for offering in [o for o in mpp.offerings if o.service.agency_id == tenancy.agency_id]:
        db.session.delete(offering)
    record_change(
        actor=actor, mpp_id=mpp.id, entity="tenancy", entity_id=tenancy.id, label=tenancy.agency.name,
        kind=ChangeKind.DELETE, before=before, after=None,
    )  # fmt: skip
    db.session.delete(tenancy)
    db.session.commit()


# --- services offered ----------------------------------------------------------------------------------------------


def offerable_services(mpp: Mpp) -> list[Service]:
    """Services of the agencies that serve at this MPP: only those can be offered there."""
    agency_ids = [t.agency_id for t in mpp.tenancies]
    if not agency_ids:
        return []
    return list(db.session.scalars(select(Service).where(Service.agency_id.in_(agency_ids)).order_by(Service.name)))


def update_offerings(mpp: Mpp, chosen_ids: list[str], *, actor: User) -> None:
    allowed = {s.id: s for s in offerable_services(mpp)}
    wanted = {int(v) for v in chosen_ids if v.isdigit() and len(v) < 10 and int(v) in allowed}
    current = {o.service_id: o for o in mpp.offerings}
    before = sorted(current)
    for service_id, offering in current.items():
        if service_id not in wanted and service_id in allowed:
            db.session.delete(offering)
    for service_id in wanted - set(current):
        db.session.add(ServiceOffering(service_id=service_id, mpp_id=mpp.id))
    db.session.flush()
    after = sorted(db.session.scalars(select(ServiceOffering.service_id).where(ServiceOffering.mpp_id == mpp.id)))
    record_change(
        actor=actor, mpp_id=mpp.id, entity="service_offering", entity_id=mpp.id, label=mpp.name,
        kind=ChangeKind.UPDATE, before={"layanan": before}, after={"layanan": after},
    )  # fmt: skip
    db.session.commit()


# --- service standards ---------------------------------------------------------------------------------------------

SERVICE_FIELDS = (
    "name", "summary", "duration_value", "duration_unit", "duration_text", "fee_note", "product",
    "complaint_handling", "legal_basis", "standard_reference", "standard_effective_from", "online_application",
    "in_person_note",
)  # fmt: skip
REQUIREMENT_FIELDS = ("kind", "document_type", "description", "note", "required")
STEP_FIELDS = ("title", "actor", "duration_value", "duration_unit", "description")
FEE_FIELDS = ("label", "amount", "legal_basis", "effective_from")
UNITS = tuple(unit.value for unit in DurationUnit)


def service_snapshot(service: Service) -> dict:
    return {
        **snapshot(service, SERVICE_FIELDS),
        "persyaratan": [snapshot(r, REQUIREMENT_FIELDS) for r in service.requirements],
        "prosedur": [snapshot(s, STEP_FIELDS) for s in service.steps],
        "biaya": [snapshot(f, FEE_FIELDS) for f in service.fees],
    }


def service_form_values(service: Service) -> dict[str, str]:
    """The form's initial values, named like the fields (rows as ``syarat-<i>-…``, ``langkah-<i>-…``, ``biaya-<i>-…``)."""
    values = {
        "nama": service.name, "ringkasan": service.summary,
        "waktu_nilai": "" if service.duration_value is None else str(service.duration_value),
        "waktu_satuan": service.duration_unit.value if service.duration_unit else "",
        "waktu_teks": service.duration_text, "catatan_biaya": service.fee_note or "", "produk": service.product,
        "pengaduan": service.complaint_handling, "dasar_hukum": service.legal_basis,
        "sk": service.standard_reference or "",
        "berlaku_sejak": service.standard_effective_from.isoformat() if service.standard_effective_from else "",
        "online": "1" if service.online_application else "", "catatan_hadir": service.in_person_note or "",
    }  # fmt: skip
    for i, r in enumerate(service.requirements):
        values |= {f"syarat-{i}-jenis": r.kind.value, f"syarat-{i}-dokumen": r.document_type.value if r.document_type
                   else "", f"syarat-{i}-uraian": r.description, f"syarat-{i}-catatan": r.note or "",
                   f"syarat-{i}-wajib": "1" if r.required else ""}  # fmt: skip
    for i, s in enumerate(service.steps):
        values |= {f"langkah-{i}-judul": s.title, f"langkah-{i}-pelaksana": s.actor,
                   f"langkah-{i}-nilai": str(s.duration_value), f"langkah-{i}-satuan": s.duration_unit.value,
                   f"langkah-{i}-uraian": s.description or ""}  # fmt: skip
    for i, f in enumerate(service.fees):
        values |= {f"biaya-{i}-uraian": f.label, f"biaya-{i}-jumlah": str(f.amount),
                   f"biaya-{i}-dasar": f.legal_basis,
                   f"biaya-{i}-sejak": f.effective_from.isoformat() if f.effective_from else ""}  # fmt: skip
    return values


def row_count(form, prefix: str, existing: int) -> int:
    """How many rows the form had: the existing ones plus the blank rows the page offered (bounded)."""
    indexes = [int(m[1]) for key in form for m in [re.fullmatch(rf"{prefix}-(\d{{1,2}})-.+", key)] if m]
    return min(max([existing - 1, *indexes], default=-1) + 1, MAX_ROWS)


def _blank(reader: Reader, prefix: str, index: int, names: tuple[str, ...]) -> bool:
    return not any(reader.raw(f"{prefix}-{index}-{name}") for name in names)


@dataclass
class _Rows:
    requirements: list[dict]
    steps: list[dict]
    fees: list[dict]


def _read_rows(reader: Reader, form, service: Service) -> _Rows:
    requirements, steps, fees = [], [], []
    kinds = tuple(k.value for k in RequirementKind)
    documents = tuple(d.value for d in DocumentType)
    for i in range(row_count(form, "syarat", len(service.requirements))):
        p = f"syarat-{i}"
        if reader.flag(f"{p}-hapus") or _blank(reader, "syarat", i, ("uraian", "catatan")):
            continue
        kind = reader.choice(f"{p}-jenis", kinds)
        document = reader.choice(f"{p}-dokumen", documents, required=kind == RequirementKind.DOCUMENT.value)
        requirements.append({
            "kind": kind, "document_type": document if kind == RequirementKind.DOCUMENT.value else None,
            "description": reader.text(f"{p}-uraian", 500), "note": reader.text(f"{p}-catatan", 500, required=False),
            "required": reader.flag(f"{p}-wajib"),
        })  # fmt: skip
    for i in range(row_count(form, "langkah", len(service.steps))):
        p = f"langkah-{i}"
        if reader.flag(f"{p}-hapus") or _blank(reader, "langkah", i, ("judul", "pelaksana", "nilai", "uraian")):
            continue
        steps.append({
            "title": reader.text(f"{p}-judul", 200), "actor": reader.text(f"{p}-pelaksana", 120),
            "duration_value": reader.number(f"{p}-nilai", maximum=10000), "duration_unit": reader.choice(f"{p}-satuan", UNITS),
            "description": reader.text(f"{p}-uraian", 1000, required=False),
        })  # fmt: skip
    for i in range(row_count(form, "biaya", len(service.fees))):
        p = f"biaya-{i}"
        if reader.flag(f"{p}-hapus") or _blank(reader, "biaya", i, ("uraian", "jumlah", "dasar", "sejak")):
            continue
        basis = reader.text(f"{p}-dasar", 300, required=False)
        if basis is None and f"{p}-dasar" not in reader.errors:
            reader.errors[f"{p}-dasar"] = str(MSG_FEE_BASIS)
        fees.append({
            "label": reader.text(f"{p}-uraian", 200), "amount": reader.number(f"{p}-jumlah", maximum=10**11, message=MSG_AMOUNT),
            "legal_basis": basis, "effective_from": reader.date(f"{p}-sejak"),
        })  # fmt: skip
    return _Rows(requirements, steps, fees)


def update_service(service: Service, form, *, actor: User, mpp_id: int | None) -> None:
    """The whole published standard at once: general fields, persyaratan, prosedur and biaya rows."""
    reader = Reader(form)
    values = {
        "name": reader.text("nama", 200), "summary": reader.text("ringkasan", 2000),
        "duration_value": reader.number("waktu_nilai", required=False, maximum=10000),
        "duration_unit": reader.choice("waktu_satuan", UNITS, required=False),
        "duration_text": reader.text("waktu_teks", 200), "fee_note": reader.text("catatan_biaya", 2000, required=False),
        "product": reader.text("produk", 2000), "complaint_handling": reader.text("pengaduan", 4000),
        "legal_basis": reader.text("dasar_hukum", 4000), "standard_reference": reader.text("sk", 200, required=False),
        "standard_effective_from": reader.date("berlaku_sejak"), "online_application": reader.flag("online"),
        "in_person_note": reader.text("catatan_hadir", 2000, required=False),
    }  # fmt: skip
    if (values["duration_value"] is None) != (values["duration_unit"] is None):
        name = "waktu_satuan" if values["duration_unit"] is None else "waktu_nilai"
        reader.errors.setdefault(name, str(_l("Give both the number and the unit of the time limit, or neither.")))
    rows = _read_rows(reader, form, service)
    reader.done()
    before = service_snapshot(service)
    for name, value in values.items():
        setattr(service, name, DurationUnit(value) if name == "duration_unit" and value else value)
    service.requirements.clear()
    service.steps.clear()
    service.fees.clear()
    db.session.flush()
    for position, row in enumerate(rows.requirements):
        row = {**row, "kind": RequirementKind(row["kind"])}
        if row["document_type"]:
            row["document_type"] = DocumentType(row["document_type"])
        service.requirements.append(Requirement(position=position, **row))
    for position, row in enumerate(rows.steps):
        service.steps.append(
            ProcedureStep(position=position, **{**row, "duration_unit": DurationUnit(row["duration_unit"])})
        )
    for position, row in enumerate(rows.fees):
        service.fees.append(ServiceFee(position=position, **row))
    db.session.flush()
    follow_catalog(service)  # the online form's upload slots are these persyaratan (issue 14.3)
    record_change(
        actor=actor, mpp_id=mpp_id, entity="service", entity_id=service.id, label=service.name,
        kind=ChangeKind.UPDATE, before=before, after=service_snapshot(service),
    )  # fmt: skip
    db.session.commit()


# --- regions and MPPs (national admins) ----------------------------------------------------------------------------

REGION_FIELDS = ("code", "name", "kind", "province_code", "province_name")
MPP_FIELDS = ("slug", "name", "region_id", "address", "timezone", "phone", "description", "opened_on")


def save_region(region: Region | None, form, *, actor: User) -> Region:
    reader = Reader(form)
    code = reader.raw("kode")
    if not re.fullmatch(r"\d{4}", code) or code[:2] < "11" or code[2:] == "00":
        reader.errors["kode"] = str(MSG_REGION_CODE)
    kind = reader.choice("jenis", tuple(k.value for k in RegionKind))
    if kind and "kode" not in reader.errors:
        expected = RegionKind.KOTA.value if int(code[2:]) >= 71 else RegionKind.KABUPATEN.value
        if kind != expected:
            reader.errors["jenis"] = str(MSG_REGION_KIND)
    name = reader.text("nama", 120)
    province = reader.text("provinsi", 120)
    if "kode" not in reader.errors:
        other = db.session.scalar(select(Region).where(Region.code == code))
        if other is not None and other is not region:
            reader.errors["kode"] = str(MSG_REGION_TAKEN)
    reader.done()
    before = snapshot(region, REGION_FIELDS) if region else None
    region = region or Region()
    region.code, region.name, region.kind = code, name, RegionKind(kind)
    region.province_code, region.province_name = code[:2], province
    db.session.add(region)
    db.session.flush()
    record_change(
        actor=actor, mpp_id=None, entity="region", entity_id=region.id, label=region.name,
        kind=ChangeKind.UPDATE if before else ChangeKind.CREATE, before=before, after=snapshot(region, REGION_FIELDS),
    )  # fmt: skip
    db.session.commit()
    return region


def save_mpp(mpp: Mpp | None, form, *, actor: User, national: bool) -> Mpp:
    """National admins set everything; an MPP admin only the public contact details of their own MPP."""
    reader = Reader(form)
    values = {
        "address": reader.text("alamat", 500), "phone": reader.text("telepon", 40, required=False),
        "description": reader.text("deskripsi", 4000, required=False),
    }  # fmt: skip
    if national:
        slug = reader.raw("slug").lower()
        if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", slug) or len(slug) > 120:
            reader.errors["slug"] = str(MSG_SLUG)
        elif db.session.scalar(
            select(func.count()).select_from(Mpp).where(Mpp.slug == slug, Mpp.id != (mpp.id if mpp else -1))
        ):
            reader.errors["slug"] = str(MSG_SLUG_TAKEN)
        regions = {str(r.id): r for r in db.session.scalars(select(Region))}
        region_id = reader.choice("wilayah", regions)
        values |= {
            "slug": slug, "name": reader.text("nama", 160), "region_id": int(region_id) if region_id else None,
            "timezone": reader.choice("zona", ZONES), "opened_on": reader.date("dibuka"),
        }  # fmt: skip
    reader.done()
    before = snapshot(mpp, MPP_FIELDS) if mpp else None
    mpp = mpp or Mpp()
    for name, value in values.items():
        setattr(mpp, name, value)
    db.session.add(mpp)
    db.session.flush()
    record_change(
        actor=actor, mpp_id=mpp.id, entity="mpp", entity_id=mpp.id, label=mpp.name,
        kind=ChangeKind.UPDATE if before else ChangeKind.CREATE, before=before, after=snapshot(mpp, MPP_FIELDS),
    )  # fmt: skip
    db.session.commit()
    return mpp


@dataclass(frozen=True)
class MppRow:
    mpp: Mpp
    agencies: int
    services: int


def mpp_rows(*, mpp_ids: list[int] | None, page: int = 1) -> Page[MppRow]:
    """One page of the MPPs an admin keeps (``mpp_ids`` None: every MPP), by name, with their region and how many
    agencies and services each has — counted in the same statement instead of loading both lists of every MPP."""
    agencies = select(func.count(Tenancy.id)).where(Tenancy.mpp_id == Mpp.id).correlate(Mpp).scalar_subquery()
    services = (
        select(func.count(ServiceOffering.id)).where(ServiceOffering.mpp_id == Mpp.id).correlate(Mpp).scalar_subquery()
    )
    query = select(Mpp, agencies, services).options(joinedload(Mpp.region)).order_by(Mpp.name, Mpp.id)
    if mpp_ids is not None:
        query = query.where(Mpp.id.in_(mpp_ids))
    found = paginate(query, number=page, size=MPP_PAGE_SIZE, scalars=False)
    return Page(
        items=[MppRow(mpp=mpp, agencies=a, services=s) for mpp, a, s in found.items],
        number=found.number,
        has_next=found.has_next,
    )


def history(
    *, mpp_ids: list[int] | None, entity: str | None = None, entity_id: int | None = None, page: int = 1
) -> Page[CatalogChange]:
    """One page of changes, newest first. ``mpp_ids`` None = every MPP plus national entries (national admins)."""
    query = select(CatalogChange)
    if mpp_ids is not None:
        query = query.where(CatalogChange.mpp_id.in_(mpp_ids))
    if entity:
        query = query.where(CatalogChange.entity == entity)
    if entity_id is not None:
        query = query.where(CatalogChange.entity_id == entity_id)
    query = query.order_by(CatalogChange.created_at.desc(), CatalogChange.id.desc())
    return paginate(query, number=page, size=HISTORY_PAGE_SIZE)
