"""The OpenAPI 3.1 document, built from the routes themselves so it cannot drift from the code.

Every view of the API blueprint carries its operation (``@operation``): summary, query parameters, request body and
responses. ``build_document`` walks the app's URL map: a route under /api/v1 without an operation, or whose path
parameters differ from the documented ones, makes building the document fail — so the test that fetches
/api/v1/openapi.json fails too. Views read query parameters only through ``query_arg``, which refuses a name the
operation does not document. Response shapes are JSON Schemas with ``additionalProperties: false``; the tests
validate real responses against them (and schemathesis does, for every operation), so a field added to a response
without documenting it fails the suite.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app, request
from werkzeug.routing import IntegerConverter

from .models import WebhookEvent
from .problems import PROBLEMS

VERSION = "1.0.0"
BEARER = "bearerAuth"


# --- schema helpers -------------------------------------------------------------------------------------------------


def t(kind: str, *, nullable: bool = False, **extra) -> dict:
    return {"type": [kind, "null"] if nullable else kind, **extra}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def array(items: dict) -> dict:
    return {"type": "array", "items": items}


def obj(properties: dict, *, optional: tuple[str, ...] = ()) -> dict:
    """A closed object: every property listed is present (nullable where it says so), nothing else may appear."""
    return {
        "type": "object",
        "properties": properties,
        "required": [name for name in properties if name not in optional],
        "additionalProperties": False,
    }


STR = t("string")
# Text the app accepts anywhere: no NUL (security.refuse_unsafe_input answers 400 for it, and for a lone surrogate,
# which JSON text from a conforming client never holds).
SAFE_TEXT = "^[^\x00]*$"  # the character itself: generators read ECMA escapes unevenly
# Only JSON bodies carry it: a NUL there is refused (400) at the edge, while in a query string the edge drops it
# (security.refuse_unsafe_input), so query parameters document no such pattern — the request is accepted as sent.
NSTR = t("string", nullable=True)
INT = t("integer")
BOOL = t("boolean")
TIME = t("string", pattern="^[0-2][0-9]:[0-5][0-9]$")
DATETIME = t("string", format="date-time")

SCHEMAS: dict[str, dict] = {
    "Problem": {
        "type": "object",
        "description": "RFC 9457 problem details. `title` is Indonesian, `title_en` English; `code` is stable.",
        "properties": {
            "type": STR,
            "title": STR,
            "title_en": STR,
            "status": INT,
            "code": {"type": "string", "enum": sorted(PROBLEMS)},
            "detail": STR,
            "instance": STR,
            "errors": {"type": "object", "additionalProperties": STR},
        },
        "required": ["type", "title", "title_en", "status", "code", "instance"],
        "additionalProperties": False,
    },
    "Hours": array(obj({"weekday": t("integer", minimum=0, maximum=6), "opens": TIME, "closes": TIME})),
    "OpeningStatus": obj(
        {"open_now": BOOL, "closes_at": t("string", nullable=True), "next_opening": NSTR, "checked_at": STR}
    ),
    "Region": obj({"code": STR, "name": STR, "province_code": STR, "province_name": STR}),
    "Mpp": obj({"slug": STR, "name": STR, "region": ref("Region"), "address": STR, "timezone": STR, "phone": NSTR}),
    "Channel": obj(
        {
            "kind": {"type": "string", "enum": ["aplikasi", "nasional", "loket"]},
            "name": NSTR,
            "url": NSTR,
        }
    ),
    "Agency": obj({"slug": STR, "name": STR, "short_name": STR, "website": NSTR}),
    "Service": obj(
        {
            "slug": STR,
            "name": STR,
            "agency": STR,
            "summary": STR,
            "duration_text": STR,
            "is_free": BOOL,
            "lowest_fee": t("integer", nullable=True),
            "channels": array(ref("Channel")),
        }
    ),
    "Page": obj(
        {"page": INT, "per_page": INT, "total": INT, "next": NSTR},
    ),
}

_MPP_PROPS = SCHEMAS["Mpp"]["properties"]
_SERVICE_PROPS = SCHEMAS["Service"]["properties"]
_AGENCY_PROPS = SCHEMAS["Agency"]["properties"]
_COUNTER = obj(
    {
        "mpp": STR,
        "mpp_name": STR,
        "counter": NSTR,
        "timezone": STR,
        "hours": ref("Hours"),
        "status": ref("OpeningStatus"),
    }
)

SCHEMAS.update(
    {
        "MppDetail": obj(
            {
                **_MPP_PROPS,
                "description": NSTR,
                "hours": ref("Hours"),
                "status": ref("OpeningStatus"),
                "tenants": array(
                    obj(
                        {
                            "agency": STR,
                            "agency_name": STR,
                            "counter": NSTR,
                            "note": NSTR,
                            "hours": ref("Hours"),
                            "status": ref("OpeningStatus"),
                        }
                    )
                ),
                "services": array(STR),
            }
        ),
        "AgencyDetail": obj(
            {**_AGENCY_PROPS, "description": NSTR, "services": array(ref("Service")), "counters": array(_COUNTER)}
        ),
        "ServiceDetail": obj(
            {
                **_SERVICE_PROPS,
                "keywords": STR,
                "requirements": array(
                    obj(
                        {
                            "kind": STR,
                            "document_type": NSTR,
                            "description": STR,
                            "note": NSTR,
                            "required": BOOL,
                        }
                    )
                ),
                "procedure": array(
                    obj(
                        {
                            "title": STR,
                            "description": NSTR,
                            "actor": STR,
                            "duration_value": INT,
                            "duration_unit": STR,
                        }
                    )
                ),
                "duration": obj({"value": t("integer", nullable=True), "unit": NSTR, "text": STR}),
                "fees": array(obj({"label": STR, "amount": INT, "legal_basis": STR, "effective_from": NSTR})),
                "fee_note": NSTR,
                "product": STR,
                "complaint_handling": STR,
                "legal_basis": array(STR),
                "standard_reference": NSTR,
                "standard_effective_from": NSTR,
                "online_application": BOOL,
                "in_person_note": NSTR,
                "counters": array(_COUNTER),
            }
        ),
        "MppList": obj({"data": array(ref("Mpp")), "meta": ref("Page")}),
        "AgencyList": obj({"data": array(ref("Agency")), "meta": ref("Page")}),
        "ServiceList": obj(
            {
                "data": array(ref("Service")),
                "meta": obj(
                    {
                        "page": INT,
                        "per_page": INT,
                        "total": INT,
                        "next": NSTR,
                        "query": STR,
                        "corrected": NSTR,
                    }
                ),
            }
        ),
    }
)


_SUMMARY_PROPS = {
    "number": STR,
    "status": {
        "type": "string",
        "enum": ["diajukan", "diverifikasi", "diproses", "selesai", "perlu_perbaikan", "ditolak", "dibatalkan"],
    },
    "version": INT,
    "service": STR,
    "mpp": NSTR,
    "submitted_at": STR,
    "due_date": NSTR,
    "updated_at": STR,
    "change_cursor": NSTR,
}
_RESULT = {
    "anyOf": [obj({"verification_code": NSTR, "revoked": BOOL}), {"type": "null"}],
}
SCHEMAS.update(
    {
        "ApplicationSummary": obj({**_SUMMARY_PROPS, "result": _RESULT}, optional=("result",)),
        "ApplicationChanges": obj({"data": array(obj(_SUMMARY_PROPS)), "next_cursor": STR, "has_more": BOOL}),
        "ApplicationDetail": obj(
            {
                **_SUMMARY_PROPS,
                "service_name": STR,
                "revision": INT,
                "answers": {"type": "object", "description": "Jawaban formulir yang sudah divalidasi (skema layanan)"},
                "documents": array(
                    obj(
                        {
                            "key": STR,
                            "label": STR,
                            "document_type": NSTR,
                            "content_type": NSTR,
                            "size": t("integer", nullable=True),
                            "sha256": NSTR,
                            "url": NSTR,
                            "url_expires_in": t("integer", nullable=True),
                        }
                    )
                ),
                "events": array(obj({"from": STR, "to": STR, "by": STR, "reason": NSTR, "at": STR})),
                "result": _RESULT,
            }
        ),
        "TransitionRequest": {
            "type": "object",
            "properties": {
                "to": {"type": "string", "enum": ["diverifikasi", "diproses", "perlu_perbaikan", "ditolak"]},
                "reason": {"type": "string", "maxLength": 2000, "pattern": SAFE_TEXT},
                "expected_version": {"type": "integer", "minimum": 0},
            },
            "required": ["to", "expected_version"],
            "additionalProperties": False,
        },
    }
)

_EVENTS = {"type": "string", "enum": [event.value for event in WebhookEvent]}
_ENDPOINT_PROPS = {
    "id": INT,
    "url": STR,
    "events": array(_EVENTS),
    "created_at": STR,
    "disabled_at": NSTR,
    "disabled_reason": NSTR,
    "secret_rotates_until": NSTR,
}
SCHEMAS.update(
    {
        "WebhookRequest": {
            "type": "object",
            "properties": {
                "url": {"type": "string", "maxLength": 1024, "pattern": SAFE_TEXT},
                "events": {"type": "array", "items": _EVENTS, "minItems": 1, "uniqueItems": True},
            },
            "required": ["url", "events"],
            "additionalProperties": False,
        },
        "WebhookEndpoint": obj(_ENDPOINT_PROPS),
        "WebhookEndpointWithSecret": obj(
            {**_ENDPOINT_PROPS, "secret": t("string", description="whsec_…; ditampilkan sekali ini saja")}
        ),
        "WebhookEndpointList": obj({"data": array(ref("WebhookEndpoint"))}),
        "WebhookDeliveries": obj(
            {
                "data": array(
                    obj(
                        {
                            "id": INT,
                            "webhook_id": STR,
                            "event": STR,
                            "status": {"type": "string", "enum": ["pending", "sent", "failed"]},
                            "attempts": INT,
                            "next_attempt_at": NSTR,
                            "last_error": NSTR,
                            "created_at": STR,
                            "delivered_at": NSTR,
                            "log": array(obj({"at": STR, "status_code": t("integer", nullable=True), "error": NSTR})),
                        }
                    )
                ),
                "has_more": t("boolean"),
                "next_cursor": NSTR,
            }
        ),
    }
)

# --- operations -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    name: str
    schema: dict
    description: str
    required: bool = False
    location: str = "query"


@dataclass(frozen=True)
class Operation:
    operation_id: str
    summary: str
    tag: str
    responses: dict[int, Any]  # status → schema name (JSON), a (media type, schema) pair, or None (problem)
    description: str = ""
    query: tuple[Param, ...] = ()
    headers: tuple[Param, ...] = ()
    body: dict | None = None  # {"media type": schema}
    permission: str | None = None  # a token permission; None: public, no token
    path_descriptions: dict[str, str] = field(default_factory=dict)

    @property
    def query_names(self) -> frozenset[str]:
        return frozenset(param.name for param in self.query)


def operation(**kwargs):
    """Attach the OpenAPI operation to a view (see the module docstring)."""
    spec = Operation(**kwargs)

    def decorator(view):
        view.openapi = spec
        return view

    return decorator


class UndocumentedRoute(RuntimeError):
    pass


def query_arg(name: str) -> str | None:
    """A query parameter of this request, only if the view's operation documents it (else a bug, loudly)."""
    view = current_app.view_functions.get(request.endpoint or "")
    spec: Operation | None = getattr(view, "openapi", None)
    if spec is None or name not in spec.query_names:
        raise UndocumentedRoute(f"{request.endpoint} reads the undocumented query parameter {name!r}")
    values = request.args.getlist(name)
    if len(values) > 1:  # ?page=1&page=2: which one was meant? Say so rather than guess.
        from flask_babel import gettext as _

        from .problems import Problem

        raise Problem("permintaan-tidak-valid", errors={name: _("Send this parameter only once.")})
    return values[0] if values else None


_PARAMETER = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def _openapi_path(rule) -> tuple[str, list[dict]]:
    """/api/v1/services/<slug> → /api/v1/services/{slug} and its path parameters, typed from the converters."""
    params = []
    for name in rule.arguments:
        converter = rule._converters[name]
        schema = {"type": "integer", "minimum": 0} if isinstance(converter, IntegerConverter) else {"type": "string"}
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
    return _PARAMETER.sub(r"{\1}", rule.rule), params


STATUS_TEXT = {
    200: "OK",
    201: "Dibuat",
    204: "Dihapus",
    304: "Tidak berubah (ETag sama)",
    400: "Permintaan tidak valid",
    401: "Token tidak ada, tidak valid, kedaluwarsa atau dicabut",
    403: "Izin token tidak mencukupi",
    404: "Tidak ditemukan",
    405: "Metode tidak diizinkan",
    409: "Konflik",
    413: "Terlalu besar",
    415: "Jenis konten tidak didukung",
    422: "Tidak dapat diproses",
    428: "Idempotency-Key wajib",
    429: "Terlalu banyak permintaan",
}


def _responses(spec: Operation) -> dict:
    responses: dict[str, dict] = {}
    statuses = dict(spec.responses)
    statuses.setdefault(400, None)
    statuses.setdefault(405, None)
    statuses.setdefault(429, None)
    if spec.body:  # the edge bounds every body's size and media type before the view runs
        statuses.setdefault(413, None)
        statuses.setdefault(415, None)
    if spec.permission:
        statuses.setdefault(401, None)
        statuses.setdefault(403, None)
    for status, schema in sorted(statuses.items()):
        entry: dict[str, Any] = {"description": STATUS_TEXT.get(status, str(status))}
        if status in (204, 304):
            pass
        elif schema is None:
            entry["content"] = {"application/problem+json": {"schema": ref("Problem")}}
        elif isinstance(schema, tuple):
            entry["content"] = {schema[0]: {"schema": schema[1]}}
        else:
            entry["content"] = {"application/json": {"schema": ref(schema)}}
        if status == 405:
            entry["headers"] = {"Allow": {"schema": STR}}
        if status == 429:
            entry["headers"] = {"Retry-After": {"schema": STR}}
        responses[str(status)] = entry
    return responses


def _operation(spec: Operation, path_params: list[dict]) -> dict:
    document: dict[str, Any] = {
        "operationId": spec.operation_id,
        "summary": spec.summary,
        "tags": [spec.tag],
        "parameters": [
            {**param, "description": spec.path_descriptions.get(param["name"], param["name"])} for param in path_params
        ]
        + [
            {
                "name": param.name,
                "in": param.location,
                "required": param.required,
                "schema": param.schema,
                "description": param.description,
            }
            for param in (*spec.query, *spec.headers)
        ],
        "responses": _responses(spec),
    }
    if spec.description:
        document["description"] = spec.description
    if spec.body:
        document["requestBody"] = {
            "required": True,
            "content": {
                media: {"schema": ref(schema) if isinstance(schema, str) else schema}
                for media, schema in spec.body.items()
            },
        }
    document["security"] = [{BEARER: []}] if spec.permission else []
    if spec.permission:
        document["x-permission"] = spec.permission
    return document


def build_document(app: Flask | None = None) -> dict:
    """The whole document. Raises ``UndocumentedRoute`` for a route of the API without its operation."""
    app = app or current_app
    paths: dict[str, dict] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if not rule.endpoint.startswith("api."):
            continue
        view = app.view_functions[rule.endpoint]
        spec: Operation | None = getattr(view, "openapi", None)
        if spec is None:
            raise UndocumentedRoute(f"{rule.rule} ({rule.endpoint}) has no @operation")
        path, path_params = _openapi_path(rule)
        undocumented = set(spec.path_descriptions) - set(rule.arguments)
        if undocumented:
            raise UndocumentedRoute(f"{rule.rule}: documents path parameters it does not have: {undocumented}")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(spec, path_params)
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "info": {
            "title": "MPP Digital API",
            "version": VERSION,
            "description": (
                "API interoperabilitas MPP Digital: katalog layanan publik (tanpa token) dan permohonan untuk sistem "
                "instansi (token per sistem). Semua galat berbentuk application/problem+json (RFC 9457)."
            ),
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                BEARER: {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Token sistem instansi, dibuat oleh admin MPP: `Authorization: Bearer mppd_…`.",
                }
            },
        },
    }
