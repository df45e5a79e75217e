"""What the browser needs to install MPP Digital and keep reading it offline.

The service worker source (``service-worker/sw.js``) is a template whose placeholders are filled in per deploy: the
versioned shell URLs to precache, the cache names and a version derived from everything the shell is made of. Any
change to an asset, the worker, the offline page or the translations yields a new version, which makes the browser
install the new worker and delete the old caches on activate — a deploy never leaves a stale shell behind. The
worker comes in two variants: the shell (``/sw.js``, every visitor) and the shell with the offline-drafts kit
(``/sw.js?kit=drafts``, once a citizen has opened a page that keeps drafts on the device).
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
# 3G phone downloads all of it (the assets the page loaded come from the HTTP cache; /offline, offline-pages.js and
# /sw.js itself are the worker's own bytes). Other scripts (passkeys, push) are cached on first use (cache-first).
SHELL_ASSETS = (
    "css/app.css",
    "js/app.js",
    "js/offline-pages.js",
    "vendor/htmx-2.0.11.min.js",
    "icons/icon.svg",
)
OFFLINE_PATH = "/offline"

# The offline-drafts kit (app/device_drafts): the sync core the worker imports for Background Sync, the page script,
# and the offline form page served in place of an apply page that cannot be loaded (no personal data). Most visitors
# never apply, so the first visit does not fetch it: a page that keeps drafts or queued submissions on the device
# registers the worker variant that holds it (`/sw.js?kit=drafts`, static/js/app.js). It must be a worker update,
# not a message to the running worker: a worker can import a script only while it is being installed.
DRAFTS_KIT = "drafts"
DRAFTS_KIT_ASSETS = ("js/offline-queue.js", "js/drafts.js")
OFFLINE_FORM_PATH = "/luring/formulir"
DRAFTS_KIT_CACHE_PREFIX = "mpp-drafts-kit-"

# Files that shape the precached pages; a change in any of them must reach devices on the next deploy.
_OFFLINE_PAGE_SOURCES = ("templates/base.html", "templates/pwa/offline.html")
_OFFLINE_FORM_SOURCES = ("templates/device_drafts/offline_form.html",)

THEME_COLOUR = "#0b5394"
BACKGROUND_COLOUR = "#f5f7fa"

_PLACEHOLDERS = (
    '"__MPP_VERSION__"',
    "[] /* __MPP_PRECACHE__ */",
    '"__MPP_STATIC_CACHE__"',
    "[] /* __MPP_DRAFTS_KIT__ */",
    '"__MPP_DRAFTS_KIT_CACHE__"',
    '"__MPP_PAGES_CACHE__"',
)


def precache_urls() -> list[str]:
    """Versioned URLs of the shell assets, and the offline page."""
    return [asset_url(name) for name in SHELL_ASSETS] + [OFFLINE_PATH]


def drafts_kit_urls() -> list[str]:
    """Versioned URLs of the offline-drafts kit; the sync core first (the worker imports it)."""
    return [asset_url(name) for name in DRAFTS_KIT_ASSETS] + [OFFLINE_FORM_PATH]


def _translation_catalogs() -> list[Path]:
    directory = Path(current_app.config["BABEL_TRANSLATION_DIRECTORIES"])
    return sorted(directory.glob("*/LC_MESSAGES/messages.mo"))


def _hash_sources(digest, sources) -> None:
    for path in sources:
        if path.exists():
            # The content hash the asset URLs use, cached per (file, mtime): /sw.js is fetched on navigations,
            # and re-reading ~100 KB of templates and catalogs for each one is wasted work.
            digest.update(file_digest(str(path), path.stat().st_mtime).encode())


def shell_version() -> str:
    """A short hash of every shell asset, the offline page's templates and the catalogs: it names the shell's cache,
    so the same deploy's shell is never fetched twice (e.g. when the kit worker replaces the plain one)."""
    digest = hashlib.sha256()
    for name in SHELL_ASSETS:
        digest.update(f"{name}={asset_version(name)}".encode())
    _hash_sources(digest, [PROJECT_ROOT / source for source in _OFFLINE_PAGE_SOURCES] + _translation_catalogs())
    return digest.hexdigest()[:16]


def drafts_kit_version() -> str:
    """A short hash of the kit's scripts and of what the offline form page is made of (the shell's page frame and
    assets included: the stored form page names their versions)."""
    digest = hashlib.sha256(shell_version().encode())
    for name in DRAFTS_KIT_ASSETS:
        digest.update(f"{name}={asset_version(name)}".encode())
    _hash_sources(digest, [PROJECT_ROOT / source for source in _OFFLINE_FORM_SOURCES])
    return digest.hexdigest()[:16]


def worker_version(worker_source: str, kit: str | None = None) -> str:
    """The version of one worker script: its source, its shell and, for the kit variant, its kit. Any change yields
    a new script, which makes the browser install it (and the new worker drop the caches of the old)."""
    digest = hashlib.sha256(worker_source.encode())
    digest.update(shell_version().encode())
    if kit == DRAFTS_KIT:
        digest.update(f"{DRAFTS_KIT}={drafts_kit_version()}".encode())
    return digest.hexdigest()[:16]


def served_source(source: str) -> str:
    """The worker as phones get it: without its whole-line comments and blank lines, which are for the people
    reading service-worker/sw.js and are half its compressed bytes. A comment after code stays (a `//` there may be
    inside a string); the source has no multi-line string for a comment-looking line to be part of."""
    lines = [line for line in source.splitlines() if line.strip() and not line.lstrip().startswith("//")]
    return "\n".join(lines) + "\n"


def service_worker_script(kit: str | None = None) -> tuple[str, str]:
    """The worker source with this deploy's version, caches and precache lists filled in; returns (script, version).
    ``kit="drafts"`` is the variant that also holds the offline-drafts kit."""
    source = served_source(SERVICE_WORKER_SOURCE.read_text(encoding="utf-8"))
    for placeholder in _PLACEHOLDERS:
        if placeholder not in source:
            raise RuntimeError(f"service-worker/sw.js lost its placeholder {placeholder}")
    version = worker_version(source, kit)
    with_kit = kit == DRAFTS_KIT
    values = (
        version,
        precache_urls(),
        STATIC_CACHE_PREFIX + shell_version(),
        drafts_kit_urls() if with_kit else [],
        DRAFTS_KIT_CACHE_PREFIX + drafts_kit_version() if with_kit else "",
        PAGES_CACHE,
    )
    script = source
    for placeholder, value in zip(_PLACEHOLDERS, values, strict=True):
        script = script.replace(placeholder, json.dumps(value))
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
