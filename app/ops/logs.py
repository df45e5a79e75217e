"""Structured JSON logs, one object per line, each carrying the request id of the request it was written in.

The id is taken from a sane incoming ``X-Request-ID`` (the load balancer's, so one request can be followed across
hops) or made here, and echoed in the response. Personal data stays out: the access line names the endpoint, not
the path (paths carry survey tokens and tracking numbers) nor the query (search words), and any 16-digit number
(a NIK or KK number) that reaches a message is masked before it is written. E-mail bodies are never logged
(accounts/mail.py logs only what was sent to a masked address).
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import re
import time
import uuid

from flask import Flask, g, has_request_context, request

REQUEST_ID_HEADER = "X-Request-ID"
# Long enough to be unique, short and plain enough that a client cannot inject log lines or bloat them.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{8,128}")
SIXTEEN_DIGITS = re.compile(r"(?<!\d)\d{16}(?!\d)")
access_log = logging.getLogger("mpp.access")


def request_id() -> str | None:
    return getattr(g, "request_id", None) if has_request_context() else None


class _RequestIds:
    """New request ids: 32 hex digits like a UUID's, a random half per process and a counter — unique without
    asking the kernel for randomness on every request. A forked process (a gunicorn worker) draws its own half."""

    def __init__(self) -> None:
        self.reset()
        os.register_at_fork(after_in_child=self.reset)

    def reset(self) -> None:
        self.prefix = uuid.uuid4().hex[:16]
        self.counter = itertools.count()

    def new(self) -> str:
        return f"{self.prefix}{next(self.counter) & 0xFFFFFFFFFFFFFFFF:016x}"


_ids = _RequestIds()


def request_id_for(incoming: str | None) -> str:
    """The id of a request: the load balancer's ``X-Request-ID`` when it is sane, else a new one."""
    return incoming if incoming and SANE_REQUEST_ID.fullmatch(incoming) else _ids.new()


def _incoming_or_new() -> str:
    return request_id_for(request.headers.get(REQUEST_ID_HEADER))


def record_request(method: str, endpoint: str, status: int, seconds: float, rid: str | None = None) -> None:
    """One answered request: its latency in the Prometheus histogram and its JSON access line. Called by Flask's
    after-request hook below and by the page cache's front door (a hit answered before Flask: pagecache_front.py)."""
    from .metrics import observe_request

    observe_request(endpoint, method, status, seconds)
    if not access_log.isEnabledFor(logging.INFO):
        return
    extra = {"method": method, "endpoint": endpoint, "status": status, "duration_ms": round(seconds * 1000, 2)}
    if rid is not None:
        extra["request_id"] = rid
    # As access_log.info() would, without looking up the calling line (the JSON line has no place for it): a few
    # microseconds of every request.
    args = (method, endpoint, status)
    record = access_log.makeRecord(access_log.name, logging.INFO, __file__, 0, "%s %s %s", args, None, extra=extra)
    access_log.handle(record)


_ENCODER = json.JSONEncoder(ensure_ascii=False)  # json.dumps(entry, ensure_ascii=False), made once


class JsonFormatter(logging.Formatter):
    _second: tuple[int, str] = (-1, "")  # the last second formatted, and its text (one line per request)

    def _time(self, record: logging.LogRecord) -> str:
        second, text = self._second
        if int(record.created) != second:
            second = int(record.created)
            text = time.strftime("%Y-%m-%dT%H:%M:%S", self.converter(second))
            self._second = (second, text)  # one assignment: another thread sees the old pair or the new one
        return f"{text}.{int(record.msecs):03d}Z"

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self._time(record),
            "level": record.levelname,
            "logger": record.name,
            "message": SIXTEEN_DIGITS.sub("[16 digit]", record.getMessage()),
            "request_id": getattr(record, "request_id", None) or request_id(),
        }
        for key in ("method", "endpoint", "status", "duration_ms"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["error"] = SIXTEEN_DIGITS.sub("[16 digit]", self.formatException(record.exc_info))
        return _ENCODER.encode(entry)


JsonFormatter.converter = time.gmtime


def json_handler(stream=None) -> logging.Handler:
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler._mpp_json = True  # noqa: SLF001 — marks ours, so a second app in the same process adds no second one
    return handler


def install(app: Flask) -> None:
    """Log JSON on the root logger (replacing plain-text stream handlers), and tag every request with its id."""
    root = logging.getLogger()
    access_log.setLevel(logging.INFO)  # one line per request, whatever the root level
    if app.config.get("LOG_JSON", True) and not any(getattr(h, "_mpp_json", False) for h in root.handlers):
        for handler in list(root.handlers):
            if type(handler) is logging.StreamHandler:  # basicConfig's; pytest's capture handlers are left alone
                root.removeHandler(handler)
        root.addHandler(json_handler())

    def _start() -> None:
        g.request_id = _incoming_or_new()
        g.request_started = time.perf_counter()

    # First of all before-request hooks: a page-cache hit or a rate-limit refusal is timed and tagged too.
    app.before_request_funcs.setdefault(None, []).insert(0, _start)

    @app.after_request
    def _finish(response):
        rid = request_id()
        if rid:
            response.headers[REQUEST_ID_HEADER] = rid
        started = getattr(g, "request_started", None)
        if started is not None:
            duration = time.perf_counter() - started
            record_request(request.method, request.endpoint or "unmatched", response.status_code, duration)
        return response
