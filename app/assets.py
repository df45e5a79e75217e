"""Versioned static asset URLs: ``/static/css/app.css?v=<content hash>``.

The hash changes whenever the file does, so browsers and the service worker may keep an asset forever
(cache-first) and still never serve a stale one after a deploy.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from flask import current_app, url_for


@cache
def _digest(path: str, mtime: float) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def asset_version(filename: str) -> str:
    path = Path(current_app.static_folder) / filename
    return _digest(str(path), path.stat().st_mtime)


def asset_url(filename: str) -> str:
    return url_for("static", filename=filename, v=asset_version(filename))


def init_app(app) -> None:
    app.jinja_env.globals["asset"] = asset_url

    @app.after_request
    def _long_cache_for_versioned_assets(response):
        from flask import request

        if request.path.startswith("/static/") and request.args.get("v") and response.status_code == 200:
            response.cache_control.public = True
            response.cache_control.max_age = 365 * 24 * 3600
            response.cache_control.immutable = True
        return response
