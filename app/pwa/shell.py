"""What the browser needs to install MPP Digital and keep reading it offline.

The service worker source (``service-worker/sw.js``) is a template with two placeholders that are filled in per
deploy: the list of versioned shell URLs to precache and a version derived from everything the shell is made of.
Any change to an asset, the worker, the offline page or the translations yields a new version, which makes the
browser install the new worker and delete the old caches on activate — a deploy never leaves a stale shell behind.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from ..assets import _digest as file_digest
from ..assets import asset_url, asset_version
from ..config import PROJECT_ROOT

SERVICE_WORKER_SOURCE = PROJECT_ROOT / "service-worker" / "sw.js"

# Cache names shared by the worker and the offline page (which lists what can be read offline). Bump the
# suffix only when the *format* of the pages cache changes; the static cache is versioned per deploy.
PAGES_CACHE = "mpp-pages-v1"
STATIC_CACHE_PREFIX = "mpp-static-"

# The shell: what every page needs to paint, plus the offline fallback page. Keep it small — a first visit on a
# 3G phone downloads all of it. Other scripts (passkeys, drafts, push) are cached on first use (cache-first).
SHELL_ASSETS = (
    "css/app.css",
    "js/app.js",
    "js/offline-pages.js",
    "vendor/htmx-2.0.11.min.js",
    "icons/icon.svg",
    "icons/icon-192.png",
    # Offline drafts: the offline form page needs these after a deploy has emptied the old static cache.
    "js/offline-queue.js",
    "js/drafts.js",
)
OFFLINE_PATH = "/offline"
# Served by the worker in place of an apply page that cannot be loaded (app/device_drafts; no personal data).
OFFLINE_FORM_PATH = "/luring/formulir"

# Files that shape the precached /offline page; a change in any of them must reach devices on the next deploy.
_OFFLINE_PAGE_SOURCES = (
    "templates/base.html",
    "templates/pwa/offline.html",
    "templates/device_drafts/offline_form.html",
)

THEME_COLOUR = "#0b5394"
BACKGROUND_COLOUR = "#f5f7fa"

_VERSION_PLACEHOLDER = '"__MPP_VERSION__"'
_PRECACHE_PLACEHOLDER = "[] /* __MPP_PRECACHE__ */"
_PAGES_CACHE_PLACEHOLDER = '"__MPP_PAGES_CACHE__"'


def precache_urls() -> list[str]:
    """Versioned URLs of the shell assets, and the offline page."""
    return [asset_url(name) for name in SHELL_ASSETS] + [OFFLINE_PATH, OFFLINE_FORM_PATH]


def _translation_catalogs() -> list[Path]:
    directory = Path(current_app.config["BABEL_TRANSLATION_DIRECTORIES"])
    return sorted(directory.glob("*/LC_MESSAGES/messages.mo"))


def shell_version(worker_source: str) -> str:
    """A short hash of the worker source, every shell asset, the offline page's templates and the catalogs."""
    digest = hashlib.sha256(worker_source.encode())
    for name in SHELL_ASSETS:
        digest.update(f"{name}={asset_version(name)}".encode())
    for path in [PROJECT_ROOT / source for source in _OFFLINE_PAGE_SOURCES] + _translation_catalogs():
        if path.exists():
            # The content hash the asset URLs use, cached per (file, mtime): /sw.js is fetched on navigations,
            # and re-reading ~100 KB of templates and catalogs for each one is wasted work.
            digest.update(file_digest(str(path), path.stat().st_mtime).encode())
    return digest.hexdigest()[:16]


def service_worker_script() -> tuple[str, str]:
    """The worker source with this deploy's version and precache list filled in; returns (script, version)."""
    source = SERVICE_WORKER_SOURCE.read_text(encoding="utf-8")
    for placeholder in (_VERSION_PLACEHOLDER, _PRECACHE_PLACEHOLDER, _PAGES_CACHE_PLACEHOLDER):
        if placeholder not in source:
            raise RuntimeError(f"service-worker/sw.js lost its placeholder {placeholder}")
    version = shell_version(source)
    script = (
        source.replace(_VERSION_PLACEHOLDER, json.dumps(version))
        .replace(_PRECACHE_PLACEHOLDER, json.dumps(precache_urls()))
        .replace(_PAGES_CACHE_PLACEHOLDER, json.dumps(PAGES_CACHE))
    )
    return script, version


def web_app_manifest() -> dict:
    """The Web App Manifest. Always in Indonesian (``lang: id``): it is what the phone's launcher shows."""
    with force_locale("id"):
        description = _("Find, apply for and track public services at every Mal Pelayanan Publik.")
        search_name = _("Find a service")
        mpp_name = _("MPP locations")
    icons = [
        {"src": asset_url(f"icons/icon-{size}.png"), "sizes": f"{size}x{size}", "type": "image/png", "purpose": "any"}
        for size in (192, 512)
    ] + [
        {
            "src": asset_url(f"icons/icon-maskable-{size}.png"),
            "sizes": f"{size}x{size}",
            "type": "image/png",
            "purpose": "maskable",
        }
        for size in (192, 512)
    ]
    shortcut_icon = [{"src": asset_url("icons/icon-192.png"), "sizes": "192x192", "type": "image/png"}]
    return {
        "id": "/",
        "name": "MPP Digital",
        "short_name": "MPP Digital",
        "description": description,
        "lang": "id",
        "dir": "ltr",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "categories": ["government", "utilities"],
        "prefer_related_applications": False,
        "icons": icons,
        # The two things a citizen opens the app for most; both work offline once visited.
        "shortcuts": [
            {"name": search_name, "url": "/layanan", "icons": shortcut_icon},
            {"name": mpp_name, "url": "/mpp", "icons": shortcut_icon},
        ],
    }
