"""/readyz and /metrics: for the load balancer and the monitoring system, not for people."""

from __future__ import annotations

import hmac
import ipaddress

from flask import Blueprint, abort, current_app, jsonify, request

from . import logs, metrics, readiness

bp = Blueprint("ops", __name__)

RETRY_AFTER_SECONDS = 5


@bp.record_once
def _install(state) -> None:
    logs.install(state.app)


@bp.get("/readyz")
def readyz():
    parts = readiness.check()
    ready = all(value == "ok" for value in parts.values())
    response = jsonify(status="ready" if ready else "unavailable", **parts)
    response.headers["Cache-Control"] = "no-store"
    if not ready:
        response.status_code = 503
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _may_scrape() -> bool:
    """A bearer token from MPP_METRICS_TOKEN when set (a scraper on another machine of the national profile), else
    only from this machine's loopback (the embedded profile, or a scraper beside the node). The metrics name every
    endpoint and the outbox backlog: useful to an attacker probing load, so never public."""
    token = current_app.config.get("METRICS_TOKEN")
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        return hmac.compare_digest(given.encode(), token.encode())
    try:  # remote_addr is the client's own address, also behind ProxyFix (it trusts only the configured hops)
        return ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False


@bp.get("/metrics")
def prometheus_metrics():
    if not _may_scrape():
        abort(404)  # not even its existence is told
    response = current_app.response_class(metrics.exposition(), mimetype="text/plain")
    response.headers["Content-Type"] = "text/plain; version=0.0.4; charset=utf-8"
    response.headers["Cache-Control"] = "no-store"
    return response
