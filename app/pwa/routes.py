"""Routes of the installable shell: /manifest.webmanifest, /sw.js and /offline."""

from __future__ import annotations

import gzip
from functools import lru_cache

import brotli
from flask import Blueprint, Response, abort, jsonify, render_template, request

from ..security import public_page
from .shell import DRAFTS_KIT, PAGES_CACHE, service_worker_script, web_app_manifest

bp = Blueprint("pwa", __name__)


@bp.get("/manifest.webmanifest")
def manifest():
    response = jsonify(web_app_manifest())
    response.mimetype = "application/manifest+json"
    # Revalidate so a new icon or colour reaches installed apps, but let the browser reuse it when unchanged.
    response.cache_control.no_cache = True
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/sw.js")
def service_worker():
    # ?kit=drafts: the variant that also holds the offline-drafts kit (see app/pwa/shell.py); nothing else exists.
    kit = request.args.get("kit")
    if kit not in (None, DRAFTS_KIT) or set(request.args) - {"kit"}:
        abort(404)
    script, version = service_worker_script(kit)
    encoding = next((name for name in ("br", "gzip") if request.accept_encodings[name]), None)
    response = Response(compressed_once(script, encoding), mimetype="text/javascript")
    response.vary.add("Accept-Encoding")
    if encoding:
        response.headers["Content-Encoding"] = encoding
    # The browser must always ask for a new worker (the version inside changes per deploy); the ETag keeps that
    # check to a 304 on a slow link. Root scope although the file could be moved: say so explicitly.
    response.cache_control.no_cache = True
    response.headers["Service-Worker-Allowed"] = "/"
    response.set_etag(f"{version}-{encoding or 'identity'}")
    return response.make_conditional(request)


@lru_cache(maxsize=8)
def compressed_once(script: str, encoding: str | None) -> bytes:
    """The worker compressed at the best level, once per deploy and variant (it is the same for every visitor)
    rather than per request at the fast level: ~1 KB less on every first visit."""
    data = script.encode()
    if encoding == "br":
        return brotli.compress(data, quality=11, mode=brotli.MODE_TEXT)
    if encoding == "gzip":
        return gzip.compress(data, 9, mtime=0)
    return data


@bp.get("/offline")
@public_page
def offline():
    """Shown by the service worker for a page that was never opened while online. No personal data."""
    return render_template("pwa/offline.html", pages_cache=PAGES_CACHE)
