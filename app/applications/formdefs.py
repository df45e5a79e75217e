"""Application forms as data: a JSON Schema (draft 2020-12) that validates the submission, plus a thin UI layer.

The stored definition (``FormDefinition.definition``) is one JSON document::

    {"title": {"id": …, "en": …},
     "schema": {JSON Schema 2020-12 — what agencies' systems can validate against too},
     "steps": [{"key": "pemohon", "title": {"id": …, "en": …}, "fields": ["nik", "nama", …]}, …],
     "fields": {"nik": {"type": "nik", "label": {…}, "help": {…}, "required": true, "prefill": "nik",
                        "person": "pelapor", "show_when": {"field": "alasan", "equals": "hilang"}, "choices": […],
                        "min": …}, …},
     "documents": [{"key": "ktp", "document_type": "ktp", "label": {…}, "help": {…}, "required": true}, …],
     "for_whom": "sendiri" | "keluarga" | "satu_kk" | "orang_tua_atau_satu_kk"}

Applying for a family member (issue 13): a field's ``prefill`` names a Data Saya key of the person the application
is *about* (the subject: the citizen, or the family member chosen at the start), unless ``"person": "pelapor"``
says it describes whoever applies (the reporter — the parent on an akta kelahiran, the phone for updates), which is
always the signed-in citizen, or ``"person": "anggota"`` says it is filled only for a family member (the child's
name on an akta kelahiran is not the parent's own when they apply for themself). ``for_whom`` is the service's
rule of who may apply for whom (on_behalf.py).

``documents`` are never written by hand: they are derived from the service's document persyaratan
(document_slots.py), so the form asks for exactly what the Standar Pelayanan and the officer's checklist require.

The schema is generated from the UI layer by ``build_definition`` (so the two never disagree) and stored whole, so
an admin editor can later change either. ``show_when`` may only look at fields of *earlier* steps: a page that
works without JavaScript cannot show a field depending on an answer on the same screen.

Field names are stable form-field names; an address is a group of sub-fields named ``<field>.<part>``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator

from ..catalog.models import DocumentType
from ..i18n import current_language

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

FIELD_TYPES = ("text", "long_text", "number", "date", "choice", "nik", "kk", "phone", "address", "yes_no")

TEXT_MAX = 200
LONG_TEXT_MAX = 2000

# Parts of an Indonesian address, as written on a KTP-el: down to RT/RW and kelurahan/desa.
ADDRESS_PARTS: tuple[tuple[str, dict, bool], ...] = (
    ("street", {"id": "Jalan, nomor rumah, dusun", "en": "Street, house number, hamlet"}, True),
    ("rt", {"id": "RT", "en": "RT (neighbourhood unit)"}, True),
    ("rw", {"id": "RW", "en": "RW (community unit)"}, True),
    ("village", {"id": "Kelurahan/desa", "en": "Village (kelurahan/desa)"}, True),
    ("district", {"id": "Kecamatan", "en": "District (kecamatan)"}, True),
    ("city", {"id": "Kabupaten/kota", "en": "Regency/city"}, True),
    ("province", {"id": "Provinsi", "en": "Province"}, True),
    ("postal_code", {"id": "Kode pos", "en": "Postal code"}, False),
)

# An address field with ``"prefill": "address"`` takes its parts from these Data Saya keys
# (app/personal/profile.py FIELDS).
ADDRESS_PROFILE_KEYS = {
    "street": "address_street",
    "rt": "rt",
    "rw": "rw",
    "village": "kelurahan",
    "district": "kecamatan",
    "city": "kabupaten_kota",
    "province": "province",
    "postal_code": "postal_code",
}

YES, NO = "ya", "tidak"

# Whose Data Saya a prefilled field takes: the subject's (default), the reporter's (who applies), or a chosen
# family member's only.
SUBJECT, REPORTER, MEMBER_ONLY = "subjek", "pelapor", "anggota"
FOR_WHOM_RULES = ("sendiri", "keluarga", "satu_kk", "orang_tua_atau_satu_kk")  # see on_behalf.py


def text(value: dict | str | None) -> str:
    """A bilingual label in the current language (Indonesian when the English one is missing)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return value.get(current_language()) or value.get("id") or ""


# --- building definitions (used by demo_forms.py and, later, the admin editor) ------------------------------------


def field(
    key: str,
    type: str,
    label: tuple[str, str],
    *,
    required: bool = True,
    help: tuple[str, str] | None = None,
    prefill: str | None = None,
    person: str | None = None,
    choices: list[tuple[str, str, str]] | None = None,
    show_when: tuple[str, str] | None = None,
    min: int | None = None,
    max: int | None = None,
    past: bool = False,
    future: bool = False,
    max_length: int | None = None,
    message: tuple[str, str] | None = None,
) -> dict:
    """One question. ``message`` replaces the generated error for a missing or unusable answer where a label
    cannot carry it ("Anak ke berapa? wajib diisi" → "Tulis urutan kelahiran dengan angka, misalnya 1.")."""
    if type not in FIELD_TYPES:
        raise ValueError(f"unknown field type {type!r}")
    spec: dict[str, Any] = {"key": key, "type": type, "label": {"id": label[0], "en": label[1]}, "required": required}
    if help:
        spec["help"] = {"id": help[0], "en": help[1]}
    if message:
        spec["message"] = {"id": message[0], "en": message[1]}
    if prefill:
        spec["prefill"] = prefill
    if person:
        spec["person"] = person
    if choices:
        spec["choices"] = [{"value": v, "label": {"id": i, "en": e}} for v, i, e in choices]
    if show_when:
        spec["show_when"] = {"field": show_when[0], "equals": show_when[1]}
    for name, value in (("min", min), ("max", max), ("max_length", max_length)):
        if value is not None:
            spec[name] = value
    if past:
        spec["past"] = True
    if future:
        spec["future"] = True
    return spec


def step(key: str, title: tuple[str, str], *fields: dict) -> dict:
    return {"key": key, "title": {"id": title[0], "en": title[1]}, "fields": list(fields)}


def _property_schema(spec: dict) -> dict:
    kind = spec["type"]
    if kind == "text":
        return {"type": "string", "minLength": 1, "maxLength": spec.get("max_length", TEXT_MAX)}
    if kind == "long_text":
        return {"type": "string", "minLength": 1, "maxLength": spec.get("max_length", LONG_TEXT_MAX)}
    if kind == "number":
        schema: dict[str, Any] = {"type": "integer"}
        if "min" in spec:
            schema["minimum"] = spec["min"]
        if "max" in spec:
            schema["maximum"] = spec["max"]
        return schema
    if kind == "date":
        return {"type": "string", "format": "date"}
    if kind == "choice":
        return {"enum": [choice["value"] for choice in spec["choices"]]}
    if kind in ("nik", "kk"):  # NIK and nomor KK: 16 digits (UU 24/2013); structure checked in validation.py
        return {"type": "string", "pattern": "^[0-9]{16}$"}
    if kind == "phone":
        # Indonesian mobile numbers: 08xx / 628xx / +628xx, 10–13 digits after the leading 0.
        return {"type": "string", "pattern": r"^(\+62|62|0)8[1-9][0-9]{6,11}$"}
    if kind == "yes_no":
        return {"type": "boolean"}
    if kind == "address":
        return {
            "type": "object",
            "properties": {
                "street": {"type": "string", "minLength": 1, "maxLength": TEXT_MAX},
                "rt": {"type": "string", "pattern": "^[0-9]{1,3}$"},
                "rw": {"type": "string", "pattern": "^[0-9]{1,3}$"},
                "village": {"type": "string", "minLength": 1, "maxLength": 100},
                "district": {"type": "string", "minLength": 1, "maxLength": 100},
                "city": {"type": "string", "minLength": 1, "maxLength": 100},
                "province": {"type": "string", "minLength": 1, "maxLength": 100},
                "postal_code": {"type": "string", "pattern": "^[0-9]{5}$"},
            },
            "required": [part for part, _label, required in ADDRESS_PARTS if required],
            "additionalProperties": False,
        }
    raise ValueError(kind)  # pragma: no cover


def _condition_value(spec: dict, raw: str) -> Any:
    return {YES: True, NO: False}[raw] if spec["type"] == "yes_no" else raw


def build_definition(
    title: tuple[str, str], steps: list[dict], documents: list[dict] = (), *, for_whom: str | None = None
) -> dict:
    """UI layer in, full stored definition out: the schema is derived from the fields, never written twice."""
    fields: dict[str, dict] = {}
    ui_steps = []
    for s in steps:
        ui_steps.append({"key": s["key"], "title": s["title"], "fields": [f["key"] for f in s["fields"]]})
        for f in s["fields"]:
            fields[f["key"]] = {k: v for k, v in f.items() if k != "key"}
    properties = {key: _property_schema(spec) for key, spec in fields.items()}
    required = [key for key, spec in fields.items() if spec["required"] and "show_when" not in spec]
    conditions = []
    for key, spec in fields.items():
        when = spec.get("show_when")
        if when and spec["required"]:
            trigger = fields[when["field"]]
            conditions.append(
                {
                    "if": {
                        "properties": {when["field"]: {"const": _condition_value(trigger, when["equals"])}},
                        "required": [when["field"]],
                    },
                    "then": {"required": [key]},
                }
            )
    schema: dict[str, Any] = {
        "$schema": SCHEMA_DIALECT,
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }
    if conditions:
        schema["allOf"] = conditions
    definition = {
        "title": {"id": title[0], "en": title[1]},
        "schema": schema,
        "steps": ui_steps,
        "fields": fields,
        "documents": list(documents),
    }
    if for_whom:
        definition["for_whom"] = for_whom
    check_definition(definition)
    return definition


class DefinitionError(ValueError):
    pass


STEP_KEY = re.compile(r"^[a-z][a-z0-9-]{0,39}$")
FIELD_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
RESERVED_STEPS = {"lokasi", "dokumen", "periksa"}


def check_definition(definition: dict) -> None:
    """Refuse a definition the pages could not render or the schema could not validate."""
    Draft202012Validator.check_schema(definition["schema"])
    seen: set[str] = set()
    step_keys: set[str] = set()
    for s in definition["steps"]:
        if not STEP_KEY.match(s["key"]) or s["key"] in RESERVED_STEPS or s["key"] in step_keys:
            raise DefinitionError(f"bad or duplicate step key {s['key']!r}")
        step_keys.add(s["key"])
        if not s["fields"]:
            raise DefinitionError(f"step {s['key']!r} has no fields")
        for key in s["fields"]:
            spec = definition["fields"][key]
            if not FIELD_KEY.match(key) or key in seen:
                raise DefinitionError(f"bad or duplicate field key {key!r}")
            when = spec.get("show_when")
            if when and when["field"] not in seen:
                raise DefinitionError(f"{key!r}: show_when must refer to a field of an earlier step")
            if spec["type"] == "choice" and not spec.get("choices"):
                raise DefinitionError(f"{key!r}: a choice needs choices")
            if spec.get("person", SUBJECT) not in (SUBJECT, REPORTER, MEMBER_ONLY):
                raise DefinitionError(f"{key!r}: person must be {SUBJECT!r}, {REPORTER!r} or {MEMBER_ONLY!r}")
        seen.update(s["fields"])
    if set(definition["fields"]) != seen:
        raise DefinitionError("every field must be on exactly one step")
    if definition.get("for_whom", "sendiri") not in FOR_WHOM_RULES:
        raise DefinitionError(f"unknown for_whom rule {definition['for_whom']!r}")
    document_keys: set[str] = set()
    for doc in definition.get("documents", []):
        DocumentType(doc["document_type"])
        if not FIELD_KEY.match(doc["key"]) or doc["key"] in document_keys:
            raise DefinitionError(f"bad or duplicate document key {doc['key']!r}")
        document_keys.add(doc["key"])


# --- reading definitions ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Input:
    """One HTML control: ``name`` is the form-field name (``alamat.rt`` for an address part)."""

    name: str
    field: str
    label: str
    kind: str
    required: bool


class Form:
    """Read-only helpers over a stored definition: steps, visibility, and typed data from what was typed."""

    def __init__(self, definition: dict) -> None:
        self.definition = definition
        self.fields: dict[str, dict] = definition["fields"]
        self.steps: list[dict] = definition["steps"]
        self.documents: list[dict] = definition.get("documents", [])
        self.schema: dict = definition["schema"]

    def title(self) -> str:
        return text(self.definition["title"])

    def label(self, key: str) -> str:
        return text(self.fields[key]["label"])

    def step(self, key: str) -> dict | None:
        return next((s for s in self.steps if s["key"] == key), None)

    def step_of(self, field_key: str) -> str:
        return next(s["key"] for s in self.steps if field_key in s["fields"])

    def is_visible(self, key: str, answers: dict) -> bool:
        when = self.fields[key].get("show_when")
        if not when:
            return True
        return self.is_visible(when["field"], answers) and answers.get(when["field"], "") == when["equals"]

    def visible_fields(self, step_key: str, answers: dict) -> list[str]:
        step = self.step(step_key)
        return [key for key in step["fields"] if self.is_visible(key, answers)] if step else []

    def all_visible_fields(self, answers: dict) -> list[str]:
        return [key for s in self.steps for key in s["fields"] if self.is_visible(key, answers)]

    def input_names(self, key: str) -> list[str]:
        if self.fields[key]["type"] == "address":
            return [f"{key}.{part}" for part, _label, _required in ADDRESS_PARTS]
        return [key]

    def all_input_names(self) -> set[str]:
        names = {name for key in self.fields for name in self.input_names(key)}
        names.update(f"dokumen.{doc['key']}" for doc in self.documents)
        return names

    def prefill_names(self, key: str) -> dict[str, str]:
        """Form-field name → Data Saya key, for a field with ``prefill`` (an address maps part by part)."""
        spec = self.fields[key]
        source = spec.get("prefill")
        if not source:
            return {}
        if spec["type"] == "address":
            return {f"{key}.{part}": profile_key for part, profile_key in ADDRESS_PROFILE_KEYS.items()}
        return {key: source}

    def prefill_person(self, key: str) -> str:
        """Whose data fills ``key``: the subject's (the person the application is about) or the reporter's."""
        return self.fields[key].get("person", SUBJECT)

    def coerce(self, answers: dict) -> dict:
        """What was typed (strings) → the JSON instance the schema validates. Hidden and empty fields are left out;
        values that cannot be converted stay strings so the schema reports them on the right field."""
        data: dict[str, Any] = {}
        for key in self.all_visible_fields(answers):
            spec = self.fields[key]
            if spec["type"] == "address":
                parts = {
                    part: _clean(answers.get(f"{key}.{part}"))
                    for part, _label, _required in ADDRESS_PARTS
                    if _clean(answers.get(f"{key}.{part}"))
                }
                if parts:
                    data[key] = parts
                continue
            raw = _clean(answers.get(key))
            if raw == "":
                continue
            data[key] = _convert(spec["type"], raw)
        return data


def _clean(value: Any) -> str:
    return str(value).strip() if value is not None else ""


def _convert(kind: str, raw: str) -> Any:
    if kind == "number":
        compact = raw.replace(".", "").replace(" ", "")
        return int(compact) if re.fullmatch(r"-?\d{1,15}", compact) else raw
    if kind == "yes_no":
        return {YES: True, NO: False}.get(raw, raw)
    if kind in ("nik", "kk", "phone"):
        return re.sub(r"[\s.\-()]", "", raw)
    if kind == "date":
        # Browsers without a date picker send what was typed; accept the Indonesian day-month-year too.
        match = re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", raw)
        if match:
            return f"{match[3]}-{int(match[2]):02d}-{int(match[1]):02d}"
    return raw
