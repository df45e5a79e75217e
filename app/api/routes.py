"""/api/v1: the versioned JSON API — the public catalog (no token) and the agency endpoints (bearer token).

Thin views: parse and check the input, call one use case (catalog.py, agency.py, webhooks), answer JSON. Every view
documents itself with ``@operation`` (openapi.py builds /api/v1/openapi.json from these). Every error is a problem
document (problems.py), for any input — including unknown paths and wrong methods under /api/v1.
"""

from __future__ import annotations

import hashlib
import re

from flask import Blueprint, current_app, json, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from ..catalog import queries
from ..database import utcnow
from ..downloads import attachment
from ..extensions import db, limiter
from ..personal.documents import open_document
from ..security import public_page, token_api
from . import agency, catalog, channels, hooks, problems, tokens, webhooks
from .changes import CURSOR_PATTERN
from .models import Permission, WebhookEndpoint, WebhookMessage
from .openapi import Param, build_document, operation, query_arg, t
from .problems import Problem

bp = token_api(Blueprint("api", __name__, url_prefix="/api/v1"))

PUBLIC_CACHE_SECONDS = 60  # "Buka sekarang" changes by the minute; the catalog itself changes rarely
MAX_PER_PAGE = 100
DELIVERY_CURSOR_PATTERN = r"^[1-9][0-9]{0,11}$"  # the id of the last message of the previous page
MAX_BODY = 64 * 1024  # a transition request is a few hundred bytes


def _public_limit() -> str:
    return current_app.config.get("API_PUBLIC_RATE_LIMIT", "300 per minute")


def _token_limit() -> str:
    # GOV.UK Notify allows 3,000 a minute per key; an agency system polling a cursor needs far less.
    return current_app.config.get("API_TOKEN_RATE_LIMIT", "600 per minute")


public_limit = limiter.limit(_public_limit, key_func=lambda: f"api-ip:{request.remote_addr}")
token_limit = limiter.limit(_token_limit, key_func=tokens.rate_limit_key)


# --- errors: a problem document for everything under /api/v1 ---------------------------------------------------------


@bp.before_app_request
def _unrouted_api_requests():
    """An unknown path or a wrong method under /api/ never reaches a view of ours, so the app's HTML error pages would
    answer; answer a problem document instead (routing found no blueprint, so the handlers below cannot)."""
    error = request.routing_exception
    if isinstance(error, MethodNotAllowed | NotFound) and (request.path == "/api" or request.path.startswith("/api/")):
        return problems.from_http_exception(error)
    return None


@bp.before_request
def _refuse_unknown_query_parameters():
    """A parameter the operation does not document is refused, not ignored: "?pgae=2" should say so, not quietly
    answer page 1 (and the document stays the whole truth about what a call accepts)."""
    view = current_app.view_functions.get(request.endpoint or "")
    spec = getattr(view, "openapi", None)
    if spec is None:
        return None
    unknown = sorted(set(request.args) - spec.query_names)
    if unknown:
        raise Problem(
            "permintaan-tidak-valid",
            _("Unknown query parameter: %(names)s.", names=", ".join(name[:40] for name in unknown[:5])),
            errors={name[:40]: _("Not a parameter of this operation.") for name in unknown[:5]},
        )
    return None


bp.register_error_handler(Problem, problems.from_problem)
for _status in (400, 401, 403, 404, 405, 406, 409, 413, 415, 422, 428, 429, 500):
    bp.register_error_handler(_status, problems.from_http_exception)
bp.register_error_handler(HTTPException, problems.from_http_exception)
bp.register_error_handler(Exception, problems.from_unexpected)


def _json(data, status: int = 200, *, public: bool = False, ascii: bool = False):
    body = json.dumps(data, ensure_ascii=ascii)
    response = current_app.response_class(body, status=status, mimetype="application/json")
    if public:
        response.set_etag(hashlib.sha256(body.encode()).hexdigest()[:32], weak=True)
        response.headers["Cache-Control"] = f"public, max-age={PUBLIC_CACHE_SECONDS}"
        response = response.make_conditional(request)
    else:
        response.headers["Cache-Control"] = "no-store"
    return response


def _int_arg(name: str, *, default: int, low: int, high: int) -> int:
    raw = query_arg(name)
    if raw is None:
        return default
    if not raw.isdigit() or len(raw) > 6 or not low <= int(raw) <= high:
        raise Problem(
            "permintaan-tidak-valid",
            _("%(name)s must be a whole number from %(low)d to %(high)d.", name=name, low=low, high=high),
            errors={name: _("A whole number from %(low)d to %(high)d.", low=low, high=high)},
        )
    return int(raw)


def _text_arg(name: str, *, max_length: int = 120) -> str | None:
    raw = query_arg(name)
    if raw is not None and len(raw) > max_length:
        raise Problem("permintaan-tidak-valid", errors={name: _("At most %(max)d characters.", max=max_length)})
    return raw


def _paginate(items: list, endpoint: str, **extra) -> tuple[list, dict]:
    page = _int_arg("page", default=1, low=1, high=100000)
    per_page = _int_arg("per_page", default=20, low=1, high=MAX_PER_PAGE)
    start = (page - 1) * per_page
    chunk = items[start : start + per_page]
    next_url = None
    if start + per_page < len(items):
        args = {key: value for key, value in extra.items() if value}
        query = "&".join(f"{key}={value}" for key, value in [*args.items(), ("page", page + 1), ("per_page", per_page)])
        next_url = f"{request.path}?{query}"
    return chunk, {"page": page, "per_page": per_page, "total": len(items), "next": next_url}


PAGE_PARAMS = (
    Param("page", t("integer", minimum=1, maximum=100000), "Halaman, mulai 1"),
    Param("per_page", t("integer", minimum=1, maximum=MAX_PER_PAGE), "Banyaknya per halaman (1–100, bawaan 20)"),
)

# --- the public catalog --------------------------------------------------------------------------------------------


@bp.get("/mpps")
@public_limit
@operation(
    operation_id="listMpps",
    summary="Daftar MPP",
    tag="Katalog",
    query=PAGE_PARAMS,
    responses={200: "MppList", 304: None},
)
def mpps():
    items, meta = _paginate(catalog.all_mpps(), "api.mpps")
    return _json({"data": [catalog.mpp_json(mpp) for mpp in items], "meta": meta}, public=True)


@bp.get("/mpps/<slug>")
@public_limit
@operation(
    operation_id="getMpp",
    summary="Satu MPP: jam buka, instansi (tenant) beserta jam loketnya, dan layanannya",
    tag="Katalog",
    responses={200: "MppDetail", 304: None, 404: None},
    path_descriptions={"slug": "Slug MPP, mis. kota-kendari"},
)
def mpp(slug: str):
    found = queries.get_mpp(slug[:120])
    if found is None:
        raise Problem("tidak-ditemukan")
    return _json(catalog.mpp_detail_json(found, utcnow()), public=True)


@bp.get("/agencies")
@public_limit
@operation(
    operation_id="listAgencies",
    summary="Daftar instansi",
    tag="Katalog",
    query=PAGE_PARAMS,
    responses={200: "AgencyList", 304: None},
)
def agencies():
    items, meta = _paginate(catalog.all_agencies(), "api.agencies")
    return _json({"data": [catalog.agency_json(item) for item in items], "meta": meta}, public=True)


@bp.get("/agencies/<slug>")
@public_limit
@operation(
    operation_id="getAgency",
    summary="Satu instansi, layanannya dan loketnya di setiap MPP",
    tag="Katalog",
    responses={200: "AgencyDetail", 304: None, 404: None},
    path_descriptions={"slug": "Slug instansi, mis. disdukcapil"},
)
def agency_detail(slug: str):
    found = queries.get_agency(slug[:120])
    if found is None:
        raise Problem("tidak-ditemukan")
    return _json(catalog.agency_detail_json(found, utcnow()), public=True)


@bp.get("/services")
@public_limit
@operation(
    operation_id="listServices",
    summary="Katalog layanan, atau pencarian seperti /layanan?q=",
    description="Dengan `q`, hasil diurutkan seperti pencarian di aplikasi (singkatan, salah ketik, bentuk kata).",
    tag="Katalog",
    query=(
        Param("q", t("string", maxLength=400), "Kata pencarian, mis. ktp, akte lahir, perpanjang sim"),
        Param("agency", t("string", maxLength=120), "Hanya layanan instansi ini (slug)"),
        Param("mpp", t("string", maxLength=120), "Hanya layanan yang tersedia di MPP ini (slug)"),
        *PAGE_PARAMS,
    ),
    responses={200: "ServiceList", 304: None},
)
def services():
    query = _text_arg("q", max_length=400) or ""
    agency_slug = _text_arg("agency")
    mpp_slug = _text_arg("mpp")
    found, meta = catalog.find_services(query=query, agency_slug=agency_slug, mpp_slug=mpp_slug)
    items, page = _paginate(found, "api.services", q=meta["query"], agency=agency_slug, mpp=mpp_slug)
    from .channels import channels_by_service

    known = channels_by_service(items)
    data = [
        {**catalog.service_json(service), "channels": catalog.channels.channels_json(service, known)}
        for service in items
    ]
    return _json({"data": data, "meta": {**page, **meta}}, public=True)


@bp.get("/services/<slug>")
@public_limit
@operation(
    operation_id="getService",
    summary="Satu layanan dengan Standar Pelayanan lengkap dan loket yang melayaninya",
    tag="Katalog",
    responses={200: "ServiceDetail", 304: None, 404: None},
    path_descriptions={"slug": "Slug layanan, mis. ktp-el-baru"},
)
def service(slug: str):
    found = queries.get_service(slug[:120])
    if found is None:
        raise Problem("tidak-ditemukan")
    return _json(catalog.service_detail_json(found, utcnow()), public=True)


# --- the document and its page -------------------------------------------------------------------------------------


@bp.get("/openapi.json")
@operation(
    operation_id="getOpenApi",
    summary="Dokumen OpenAPI 3.1 ini",
    tag="Dokumentasi",
    responses={200: ("application/json", {"type": "object"})},
)
def openapi_document():
    return _json(build_document(), public=True, ascii=True)


@bp.get("/docs")
@public_page
@operation(
    operation_id="getDocs",
    summary="Dokumentasi API yang dapat dibaca (HTML)",
    tag="Dokumentasi",
    responses={200: ("text/html", {"type": "string"})},
)
def docs():
    document = build_document()
    return render_template(
        "api/docs.html",
        document=document,
        problems=problems.PROBLEMS,
        permissions=[permission.value for permission in Permission],
        webhook_events=[(event.value, label) for event, label in hooks.EVENT_LABELS.items()],
    )


# --- agency endpoints ------------------------------------------------------------------------------------------------

NUMBER = {"number": "Nomor permohonan, mis. 7471-2026-0X4K9P"}


@bp.get("/applications")
@token_limit
@operation(
    operation_id="listApplications",
    summary="Permohonan yang berubah sejak kursor (tanpa celah)",
    description=(
        "Mulai tanpa `cursor`, lalu kirim `next_cursor` jawaban sebelumnya. Permohonan yang berubah selama Anda "
        "membaca halaman muncul lagi kemudian; tidak ada yang terlewat. Simpan `next_cursor` setelah memproses "
        "halaman. Satu halaman bisa berisi kurang dari `limit` (bahkan kosong) selama `has_more` bernilai true: "
        "lanjutkan dengan `next_cursor` sampai `has_more` false."
    ),
    tag="Permohonan",
    query=(
        Param("cursor", t("string", pattern=CURSOR_PATTERN), "next_cursor dari jawaban sebelumnya"),
        Param("limit", t("integer", minimum=1, maximum=MAX_PER_PAGE), "Banyaknya per halaman (1–100, bawaan 50)"),
    ),
    responses={200: "ApplicationChanges"},
    permission=Permission.READ_APPLICATIONS.value,
)
def applications():
    token = tokens.authenticate(Permission.READ_APPLICATIONS)
    limit = _int_arg("limit", default=50, low=1, high=MAX_PER_PAGE)
    cursor = _text_arg("cursor", max_length=64)
    return _json(agency.list_changed(tokens.scope_of_token(token), cursor=cursor, limit=limit))


@bp.get("/applications/<number>")
@token_limit
@operation(
    operation_id="getApplication",
    summary="Satu permohonan: jawaban formulir dan dokumen (tautan bertanda tangan, berlaku 5 menit)",
    description="Setiap panggilan tercatat di Riwayat akses warga atas nama sistem instansi.",
    tag="Permohonan",
    responses={200: "ApplicationDetail", 404: None},
    permission=Permission.READ_APPLICATIONS.value,
    path_descriptions=NUMBER,
)
def application(number: str):
    token = tokens.authenticate(Permission.READ_APPLICATIONS)
    scope = tokens.scope_of_token(token)
    found = agency.find_application(scope, number)
    return _json(agency.application_detail(scope, token, found))


@bp.get("/documents/<signed>")
@token_limit
@operation(
    operation_id="downloadDocument",
    summary="Unduh dokumen lampiran lewat tautan bertanda tangan dari getApplication",
    description="Byte persis seperti yang diunggah warga; cocokkan dengan sha256 pada getApplication.",
    tag="Permohonan",
    responses={
        200: ("application/octet-stream", {"type": "string", "contentMediaType": "application/octet-stream"}),
        404: None,
    },
    path_descriptions={"signed": "Tautan bertanda tangan (dari getApplication)"},
)
def document_download(signed: str):
    document, _token = agency.open_signed_document(signed[:500], tokens.scope_of_token)
    response = attachment(
        lambda: open_document(document), mimetype=document.content_type, filename=document.download_name
    )
    response.headers["Digest"] = f"sha-256={document.sha256}"
    return response


def _idempotency_key() -> str:
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        raise Problem(
            "kunci-idempotensi-wajib", _("Send an Idempotency-Key header (a random value per intended change).")
        )
    if len(key) > agency.MAX_IDEMPOTENCY_KEY or not key.isascii() or not key.isprintable():
        raise Problem(
            "permintaan-tidak-valid", errors={"Idempotency-Key": _("At most 128 printable ASCII characters.")}
        )
    return key


def _idempotent(token, run):
    """Run the change once per Idempotency-Key: a retry (a timeout, a crash of the agency system) gets the stored
    answer; the same key with another body is a 409."""
    key = _idempotency_key()
    print_ = agency.fingerprint(request.method, request.path, request.get_data(cache=True))
    record = agency.replayed(token, key, print_)
    if record is not None:
        response = _json(record.body, record.status_code)
        response.headers["Idempotent-Replayed"] = "true"
        return response
    body = run()
    agency.remember(token, key, print_, 200, body)
    return _json(body, 200)


IDEMPOTENCY = (
    Param(
        "Idempotency-Key",
        t("string", pattern="^[!-~]([ -~]{0,126}[!-~])?$"),
        "Nilai acak per perubahan; kirim ulang dengan kunci yang sama bila tidak yakin permintaan sampai",
        required=True,
        location="header",
    ),
)


@bp.post("/applications/<number>/transitions")
@token_limit
@operation(
    operation_id="transitionApplication",
    summary="Ubah status permohonan lewat alur kerja yang sama dengan layar petugas",
    description=(
        "Aturan, alasan wajib (perbaikan, tolak), versi optimistis, catatan audit dan notifikasi ke warga sama persis "
        "dengan layar petugas. Untuk `selesai` kirim dokumen hasil ke …/result."
    ),
    tag="Permohonan",
    headers=IDEMPOTENCY,
    body={"application/json": "TransitionRequest"},
    responses={200: "ApplicationSummary", 404: None, 409: None, 415: None, 422: None, 428: None},
    permission=Permission.TRANSITION.value,
    path_descriptions=NUMBER,
)
def transition(number: str):
    token = tokens.authenticate(Permission.TRANSITION)
    scope = tokens.scope_of_token(token)
    found = agency.find_application(scope, number)
    data = _json_body()
    to, reason, version = data.get("to"), data.get("reason"), data.get("expected_version")
    errors = {}
    if not isinstance(to, str) or not to:
        errors["to"] = _("Required: the target status.")
    if reason is not None and not isinstance(reason, str):
        errors["reason"] = _("Must be text.")
    if isinstance(version, float) and version.is_integer():  # JSON has one number type: 3.0 is the integer 3
        version = int(version)
    if not isinstance(version, int) or isinstance(version, bool) or not 0 <= version < 2**31:
        errors["expected_version"] = _("Required: the version you read (a whole number).")
    if errors:
        raise Problem("tidak-dapat-diproses", _("Check the fields listed."), errors=errors)
    return _idempotent(token, lambda: agency.transition(scope, found, to=to, reason=reason, expected_version=version))


@bp.post("/applications/<number>/result")
@token_limit
@operation(
    operation_id="uploadResult",
    summary="Selesaikan permohonan dengan dokumen hasil instansi (PDF)",
    description=(
        "Halaman verifikasi dengan kode dan QR ditambahkan seperti unggahan petugas; warga diberi tahu. Permohonan "
        "harus berstatus `diproses`."
    ),
    tag="Permohonan",
    query=(
        Param("expected_version", t("integer", minimum=0), "Versi permohonan yang Anda baca", required=True),
        Param("note", t("string", maxLength=2000), "Catatan untuk warga (cara mengambil hasil)"),
    ),
    headers=IDEMPOTENCY,
    body={"application/pdf": {"type": "string", "contentMediaType": "application/pdf"}},
    responses={200: "ApplicationSummary", 404: None, 409: None, 413: None, 415: None, 422: None, 428: None},
    permission=Permission.UPLOAD_RESULT.value,
    path_descriptions=NUMBER,
)
def result(number: str):
    token = tokens.authenticate(Permission.UPLOAD_RESULT)
    scope = tokens.scope_of_token(token)
    found = agency.find_application(scope, number)
    version = _int_arg("expected_version", default=-1, low=0, high=2**31 - 1)
    if version < 0:
        raise Problem("tidak-dapat-diproses", errors={"expected_version": _("Required: the version you read.")})
    note = _text_arg("note", max_length=2000)
    if request.mimetype != "application/pdf":
        raise Problem("jenis-konten-salah", _("Send the PDF as the request body with Content-Type: application/pdf."))
    data = request.get_data(cache=True)
    if not data:
        raise Problem("tidak-dapat-diproses", errors={"file": _("The body is empty.")})
    return _idempotent(
        token, lambda: agency.complete_with_result(scope, found, data=data, expected_version=version, note=note)
    )


def _json_body() -> dict:
    if request.mimetype != "application/json":
        raise Problem("jenis-konten-salah", _("Send JSON with Content-Type: application/json."))
    if (request.content_length or 0) > MAX_BODY:
        raise Problem("terlalu-besar")
    from ..security import read_json

    data = read_json(max_bytes=MAX_BODY)
    if not isinstance(data, dict):
        raise Problem("permintaan-tidak-valid", _("The body must be a JSON object."))
    return data


# --- webhooks ------------------------------------------------------------------------------------------------------


@bp.record_once
def _register_webhook_jobs(state) -> None:
    webhooks.register_jobs(state.app)
    # Where each service is applied for, for the catalog's service page and cards (issue 12 point 7).
    state.app.jinja_env.globals["service_channels"] = channels.channels_for_page


ENDPOINT_ID = {"endpoint_id": "Id endpoint webhook"}


def _endpoint_or_404(token, endpoint_id: int) -> WebhookEndpoint:
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.token_id != token.id:  # another system's endpoint does not exist for this one
        raise Problem("tidak-ditemukan")
    return endpoint


@bp.get("/webhooks")
@token_limit
@operation(
    operation_id="listWebhooks",
    summary="Endpoint webhook milik token ini",
    tag="Webhook",
    responses={200: "WebhookEndpointList"},
    permission=Permission.WEBHOOKS.value,
)
def webhook_list():
    token = tokens.authenticate(Permission.WEBHOOKS)
    return _json({"data": [hooks.endpoint_json(endpoint) for endpoint in hooks.endpoints_of(token)]})


@bp.post("/webhooks")
@token_limit
@operation(
    operation_id="createWebhook",
    summary="Daftarkan endpoint webhook untuk peristiwa tertentu",
    description="Rahasia penanda tangan (whsec_…) hanya ditampilkan dalam jawaban ini.",
    tag="Webhook",
    body={"application/json": "WebhookRequest"},
    responses={201: "WebhookEndpointWithSecret", 415: None, 422: None},
    permission=Permission.WEBHOOKS.value,
)
def webhook_create():
    token = tokens.authenticate(Permission.WEBHOOKS)
    data = _json_body()
    endpoint = hooks.create_endpoint(token, url=data.get("url"), events=data.get("events"))
    return _json({**hooks.endpoint_json(endpoint), "secret": endpoint.secret}, 201)


@bp.delete("/webhooks/<int:endpoint_id>")
@token_limit
@operation(
    operation_id="deleteWebhook",
    summary="Hapus endpoint webhook",
    tag="Webhook",
    responses={204: None, 404: None},
    permission=Permission.WEBHOOKS.value,
    path_descriptions=ENDPOINT_ID,
)
def webhook_delete(endpoint_id: int):
    token = tokens.authenticate(Permission.WEBHOOKS)
    db.session.delete(_endpoint_or_404(token, endpoint_id))
    db.session.commit()
    return current_app.response_class(status=204)


@bp.post("/webhooks/<int:endpoint_id>/rotate-secret")
@token_limit
@operation(
    operation_id="rotateWebhookSecret",
    summary="Ganti rahasia penanda tangan; rahasia lama tetap ikut menandatangani 24 jam",
    tag="Webhook",
    responses={200: "WebhookEndpointWithSecret", 404: None},
    permission=Permission.WEBHOOKS.value,
    path_descriptions=ENDPOINT_ID,
)
def webhook_rotate(endpoint_id: int):
    token = tokens.authenticate(Permission.WEBHOOKS)
    endpoint = _endpoint_or_404(token, endpoint_id)
    secret = webhooks.rotate_secret(endpoint)
    return _json({**hooks.endpoint_json(endpoint), "secret": secret})


@bp.get("/webhooks/<int:endpoint_id>/deliveries")
@token_limit
@operation(
    operation_id="listWebhookDeliveries",
    summary="Log pengiriman endpoint ini (terbaru dahulu), dengan setiap percobaan",
    description=(
        "Per halaman, terbaru dahulu. Selama `has_more` bernilai true, kirim `next_cursor` sebagai `cursor` untuk "
        "halaman berikutnya (pesan yang lebih lama)."
    ),
    tag="Webhook",
    query=(
        Param("cursor", t("string", pattern=DELIVERY_CURSOR_PATTERN), "next_cursor dari jawaban sebelumnya"),
        Param("limit", t("integer", minimum=1, maximum=MAX_PER_PAGE), "Banyaknya pesan (1–100, bawaan 50)"),
    ),
    responses={200: "WebhookDeliveries", 404: None},
    permission=Permission.WEBHOOKS.value,
    path_descriptions=ENDPOINT_ID,
)
def webhook_deliveries(endpoint_id: int):
    token = tokens.authenticate(Permission.WEBHOOKS)
    endpoint = _endpoint_or_404(token, endpoint_id)
    limit = _int_arg("limit", default=50, low=1, high=MAX_PER_PAGE)
    cursor = _text_arg("cursor", max_length=12)
    if cursor is not None and not re.fullmatch(DELIVERY_CURSOR_PATTERN, cursor):
        raise Problem("permintaan-tidak-valid", errors={"cursor": _("Send the next_cursor of the previous answer.")})
    return _json(hooks.deliveries_json(endpoint, limit=limit, cursor=int(cursor) if cursor else None))


@bp.post("/webhooks/<int:endpoint_id>/deliveries/<int:message_id>/resend")
@token_limit
@operation(
    operation_id="resendWebhookDelivery",
    summary="Kirim ulang satu pesan: hitungan percobaan mulai dari nol, endpoint aktif kembali",
    tag="Webhook",
    responses={200: "WebhookEndpoint", 404: None},
    permission=Permission.WEBHOOKS.value,
    path_descriptions={**ENDPOINT_ID, "message_id": "Id pesan dari log pengiriman"},
)
def webhook_resend(endpoint_id: int, message_id: int):
    token = tokens.authenticate(Permission.WEBHOOKS)
    endpoint = _endpoint_or_404(token, endpoint_id)
    message = db.session.get(WebhookMessage, message_id)
    if message is None or message.endpoint_id != endpoint.id:
        raise Problem("tidak-ditemukan")
    webhooks.resend(message)
    return _json(hooks.endpoint_json(endpoint))
