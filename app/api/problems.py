"""Errors of the API as RFC 9457 problem details (``application/problem+json``), in Indonesian and English.

Every error under /api/v1 — refused input, a missing token, an unknown route, a wrong method, a rate limit, a bug —
leaves as one JSON shape, never an HTML error page and never a bare 500:

    {"type": "/api/v1/docs#token-kedaluwarsa", "title": "Token sudah kedaluwarsa", "title_en": "Token expired",
     "status": 401, "detail": "…", "code": "token-kedaluwarsa", "instance": "/api/v1/applications"}

``title`` is Indonesian (the product's language), ``title_en`` English; ``code`` is the stable machine key (also
the fragment of ``type``, which the docs page explains). ``detail`` is the specific reason in the request's language.
"""

from __future__ import annotations

import logging

from flask import Response, current_app, json, request
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

MEDIA_TYPE = "application/problem+json"

# code → (status, Indonesian title, English title). The codes are part of the API contract (documented).
PROBLEMS: dict[str, tuple[int, str, str]] = {
    "permintaan-tidak-valid": (400, "Permintaan tidak valid", "Bad request"),
    "kursor-tidak-valid": (400, "Kursor tidak valid", "Invalid cursor"),
    "token-tidak-ada": (401, "Token tidak ada", "Missing token"),
    "token-tidak-valid": (401, "Token tidak valid", "Invalid token"),
    "token-kedaluwarsa": (401, "Token sudah kedaluwarsa", "Token expired"),
    "token-dicabut": (401, "Token sudah dicabut", "Token revoked"),
    "izin-kurang": (403, "Token tidak memiliki izin ini", "Token lacks this permission"),
    "tidak-ditemukan": (404, "Tidak ditemukan", "Not found"),
    "metode-tidak-diizinkan": (405, "Metode tidak diizinkan", "Method not allowed"),
    "tidak-dapat-diterima": (406, "Format jawaban tidak tersedia", "Not acceptable"),
    "konflik-versi": (409, "Data sudah diubah pihak lain", "Version conflict"),
    "kunci-idempotensi-dipakai": (409, "Idempotency-Key sudah dipakai untuk permintaan lain", "Idempotency key reused"),
    "terlalu-besar": (413, "Data terlalu besar", "Content too large"),
    "jenis-konten-salah": (415, "Jenis konten tidak didukung", "Unsupported media type"),
    "tidak-dapat-diproses": (422, "Permintaan tidak dapat diproses", "Unprocessable content"),
    "transisi-ditolak": (422, "Perubahan status tidak diizinkan", "Transition refused"),
    "kunci-idempotensi-wajib": (428, "Header Idempotency-Key wajib diisi", "Idempotency-Key header required"),
    "terlalu-banyak-permintaan": (429, "Terlalu banyak permintaan", "Too many requests"),
    "kesalahan-server": (500, "Terjadi kesalahan pada server", "Internal server error"),
}

# What a plain HTTP error of werkzeug (raised by routing, Flask or an extension) becomes.
BY_STATUS = {status: code for code, (status, _id, _en) in reversed(PROBLEMS.items())}


class Problem(Exception):
    """Raise anywhere under /api/v1 to answer with this problem. ``extra`` adds members (e.g. ``errors``)."""

    def __init__(self, code: str, detail=None, *, headers: dict | None = None, **extra) -> None:
        super().__init__(code)
        if code not in PROBLEMS:
            raise KeyError(code)
        self.code = code
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra

    @property
    def status(self) -> int:
        return PROBLEMS[self.code][0]


def problem_body(code: str, detail=None, **extra) -> dict:
    status, title_id, title_en = PROBLEMS[code]
    body = {
        "type": f"/api/v1/docs#{code}",
        "title": title_id,
        "title_en": title_en,
        "status": status,
        "code": code,
        "instance": request.path,
    }
    if detail is not None:
        body["detail"] = str(detail)
    body.update(extra)
    return body


def problem_response(code: str, detail=None, *, headers: dict | None = None, **extra) -> Response:
    body = problem_body(code, detail, **extra)
    response = current_app.response_class(
        json.dumps(body, ensure_ascii=False), status=body["status"], mimetype=MEDIA_TYPE
    )
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def from_problem(error: Problem) -> Response:
    return problem_response(error.code, error.detail, headers=error.headers, **error.extra)


def from_http_exception(error: HTTPException) -> Response:
    from ..security import MSG_JSON_TOO_LARGE

    status = error.code or 500
    code = BY_STATUS.get(status) or ("permintaan-tidak-valid" if status < 500 else "kesalahan-server")
    if getattr(error, "message", None) is MSG_JSON_TOO_LARGE:  # the edge's size bound: 413, as the API documents
        code = "terlalu-besar"
    headers = {}
    if status == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(sorted(error.valid_methods))
    if status == 429:
        limit = getattr(error, "limit", None)
        headers["Retry-After"] = str(int(getattr(getattr(limit, "limit", None), "get_expiry", lambda: 60)()))
    detail = getattr(error, "message", None) or (error.description if status != 404 else None)
    return problem_response(code, detail, headers=headers)


def from_unexpected(error: Exception) -> Response:
    """A bug is still a problem document (logged with its traceback), never an HTML 500 page."""
    if isinstance(error, HTTPException):
        return from_http_exception(error)
    log.exception("unexpected error on %s %s", request.method, request.path)
    return problem_response("kesalahan-server")
