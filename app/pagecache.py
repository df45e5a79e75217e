"""Public catalog pages, rendered once and served from memory for a short while.

A public catalog page (``@public_page``: no personal data) is the same for every visitor who asks for the same
thing. It differs only by

- the CSP nonce and the CSRF token (footer language form; sign-out form when signed in) — per request and per
  session, so they are taken out of the stored copy and put back fresh on every hit (``security.shareable_html`` /
  ``security.personal_html``: the secrets are handled next to the nonce code, not here);
- what is in the key: path and (sorted) query, host, locale, whether it is the htmx fragment or the full page, and
  who is looking — anonymous, or signed in with a role (the header shows "Keluar", and "Back office" to staff;
  it never shows a name or a count: the unread count is fetched by script);
- time: "Buka sekarang" is decided to the minute, so no entry outlives the minute it was rendered in, whatever
  the TTL.

The cache is a bounded LRU in this process (thread-safe for gunicorn's gthread workers), with a short TTL
(``MPP_PAGE_CACHE_SECONDS``, default 60; 0 turns it off). It never stores a page when the session has flash
messages waiting, an answer other than a 200 HTML page, or anything that is not ``@public_page``.

Invalidation: any committed write to a catalog table — an ORM change to a catalog model, or an INSERT/UPDATE/
DELETE statement on a catalog table run through the session — bumps the cache's generation when the transaction
commits. An admin's edit therefore shows at once in the process that made it. Every other process (the other
gunicorn workers of the node, every other node of the national profile) keeps its own copy; with Redis
configured they share a generation counter and drop their copies before their next cached answer
(app/pagecache_shared.py), otherwise they show the edit within the TTL. Writes the ORM cannot see (raw SQL text, or a connection of its own, as the test suite's table
wipes) are also caught only by the TTL. A page rendered while the commit happened is stored under the generation
read when its request began, so it is never served after the bump.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from functools import cache, wraps
from itertools import chain
from typing import Any

from flask import Flask, current_app, g, make_response, request, session
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from . import pagecache_shared
from .gzip_splice import Spliced, compress_parts, splice
from .hypermedia import wants_fragment
from .i18n import current_language
from .security import personal_html, secret_gaps, secret_values, shareable_html

MAX_ENTRIES = 256  # ~30 pages × 2 languages × a few viewers, plus popular searches; about 8 MB at most
MAX_BODY = 256 * 1024  # a page bigger than this is not worth keeping in memory
CACHE_HEADER = "X-MPP-Page-Cache"  # "hit" or "miss": lets an operator (and the tests) see what happened
CATALOG_MODULE = "app.catalog.models"
_CHANGED = "mpp_catalog_changed"  # Session.info flag: this transaction wrote to the catalog


@dataclass(frozen=True, slots=True)
class _Entry:
    page: Any  # a StoredPage in the app; the cache itself does not look inside
    generation: int
    expires: float  # time.time()


@dataclass(frozen=True, slots=True)
class StoredPage:
    """One shareable page, prepared once for every hit: the HTML with stand-ins for the secrets, its gzip made once
    around them (the secrets are spliced in per hit, gzip_splice.py), and the ETag a browser revalidates with."""

    html: str
    kinds: tuple[str, ...]  # per gap of ``gzip``: "nonce" or "csrf"
    gzip: Spliced
    etag: str | None  # None for a page with a form: see page_etag

    @classmethod
    def of(cls, shared: str) -> StoredPage:
        texts, kinds = secret_gaps(shared)
        etag = page_etag(shared) if "csrf" not in kinds else None
        return cls(shared, tuple(kinds), compress_parts([t.encode() for t in texts]), etag)


class PageCache:
    """A bounded, thread-safe LRU of shareable HTML with a per-entry expiry and a generation for invalidation."""

    def __init__(self, max_entries: int = MAX_ENTRIES):
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple, _Entry] = OrderedDict()
        self._lock = threading.Lock()
        self._generation = 0

    @property
    def generation(self) -> int:
        return self._generation

    def get(self, key: tuple, now: float) -> Any:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry.expires <= now or entry.generation != self._generation:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return entry.page

    def put(self, key: tuple, page: Any, *, generation: int, expires: float) -> bool:
        """Store unless the catalog changed since ``generation`` was read (the page may show the old data)."""
        with self._lock:
            if generation != self._generation:
                return False
            self._entries[key] = _Entry(page, generation, expires)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
            return True

    def invalidate(self) -> None:
        with self._lock:
            self._generation += 1
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


# Every cache in this process (normally one per app); a catalog commit invalidates them all, since the session
# that committed does not say which app it served.
_caches: weakref.WeakSet[PageCache] = weakref.WeakSet()


def cache_of(app: Flask) -> PageCache:
    return app.extensions["mpp_page_cache"]


def expiry(now: float, ttl: float) -> float:
    """The TTL, cut at the end of the current minute: "open now" and "opens at 08.00" change by the minute."""
    end_of_minute = (math.floor(now / 60) + 1) * 60
    return min(now + ttl, end_of_minute)


def _viewer() -> str:
    # The header differs by sign-in state and role; nothing in it names the person (see base.html).
    if not current_user.is_authenticated:
        return "anonymous"
    return f"signed-in:{current_user.role.value}"


def page_key() -> tuple:
    return (
        # The host is in the key although no catalog template prints it, so a forged Host header can never put
        # its links into a page others get, should a template ever build an absolute URL.
        request.host,
        request.path,
        tuple(sorted(request.args.items(multi=True))),
        current_language(),
        _viewer(),
        wants_fragment(),
    )


def _may_use_cache() -> bool:
    return (
        current_app.config.get("PAGE_CACHE_SECONDS", 0) > 0
        and request.method == "GET"
        and bool(g.get("offline_public"))  # only @public_page views hold nothing personal
        # A flash message is shown once to one person: a stored copy would show it to everyone, or lose it.
        and "_flashes" not in session
    )


def page_etag(shared: str) -> str:
    """A weak validator of a shareable page: the same for every response of it, whatever nonce each carries.

    Only for a page without a form: a 304 makes the browser reuse the body it holds, and a CSRF token in it may
    belong to a session that has ended since (signed out, someone else signed in on the phone)."""
    return 'W/"' + hashlib.blake2b(shared.encode(), digest_size=12).hexdigest() + '"'


def _not_modified(etag: str) -> bool:
    """The browser's copy is this page (weak comparison, as If-None-Match uses: RFC 9110, 13.1.2)."""
    return request.if_none_match.contains_weak(etag[3:-1])


def _answer(page: StoredPage):
    """A response for this request from a stored page: 304 when the browser holds it already, else the page with
    this request's secrets — spliced into the gzip made once when the client takes gzip, else as text."""
    if page.etag is not None and _not_modified(page.etag):
        response = make_response("", 304)
    elif request.accept_encodings["gzip"]:
        values = [value.encode() for value in secret_values(list(page.kinds))]
        response = make_response(splice(page.gzip, values))
        response.mimetype = "text/html"
        response.headers["Content-Encoding"] = "gzip"
    else:
        response = make_response(personal_html(page.html))
    if page.etag is not None:
        response.headers["ETag"] = page.etag
    return response


def cached_page(view):
    """Serve the view's page from the cache when a fresh copy exists; else render it and keep it.

    Put it under ``@public_page``. The wrapped view must render the same HTML for the same key (path, query,
    host, locale, fragment or page, viewer's role) and the same catalog, within the minute. Every such page carries
    an ETag (of its shareable HTML, so the same whatever the nonce); a browser that holds it gets a 304.
    """

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not _may_use_cache():
            response = make_response(view(*args, **kwargs))
            if request.method == "GET" and _cacheable(response):
                shared = shareable_html(response.get_data(as_text=True))
                if "csrf" not in secret_gaps(shared)[1]:
                    etag = page_etag(shared)
                    if _not_modified(etag):
                        response = make_response("", 304)
                    response.headers["ETag"] = etag
            return response
        page_cache = cache_of(current_app)
        if not pagecache_shared.in_sync(current_app, page_cache):
            return view(*args, **kwargs)  # the other processes' generation cannot be read: render fresh, never stale
        key = page_key()
        now = time.time()
        if (stored := page_cache.get(key, now)) is not None:
            response = _answer(stored)
            response.headers[CACHE_HEADER] = "hit"
            return response
        generation = g.get("page_cache_generation", page_cache.generation)
        response = make_response(view(*args, **kwargs))
        if _cacheable(response) and "_flashes" not in session:
            stored = StoredPage.of(shareable_html(response.get_data(as_text=True)))
            ttl = current_app.config["PAGE_CACHE_SECONDS"]
            page_cache.put(key, stored, generation=generation, expires=expiry(now, ttl))
            response.headers[CACHE_HEADER] = "miss"
            if stored.etag is not None:
                response.headers["ETag"] = stored.etag
                if _not_modified(stored.etag):
                    response = make_response("", 304)
                    response.headers["ETag"] = stored.etag
                    response.headers[CACHE_HEADER] = "miss"
        return response

    return wrapper


def _cacheable(response) -> bool:
    return (
        response.status_code == 200
        and response.mimetype == "text/html"
        and not response.is_streamed
        and (response.content_length or 0) <= MAX_BODY
    )


# --- invalidation ---------------------------------------------------------------------------------------------


def _is_catalog_object(obj) -> bool:
    return type(obj).__module__ == CATALOG_MODULE


@cache
def _catalog_tables() -> frozenset[str]:
    from . import models  # noqa: F401  (every mapper is registered before the first statement runs)
    from .extensions import db

    return frozenset(
        mapper.local_table.name for mapper in db.Model.registry.mappers if mapper.class_.__module__ == CATALOG_MODULE
    )


@event.listens_for(Session, "after_flush")
def _note_catalog_flush(session: Session, flush_context) -> None:
    # after_flush still sees the pre-flush new/dirty/deleted collections.
    if any(_is_catalog_object(obj) for obj in chain(session.new, session.dirty, session.deleted)):
        session.info[_CHANGED] = True


@event.listens_for(Session, "do_orm_execute")
def _note_catalog_statement(state: ORMExecuteState) -> None:
    """Bulk UPDATE/DELETE/INSERT statements skip the flush; look at the table they write instead."""
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    table = getattr(state.statement, "table", None)
    if table is not None and getattr(table, "name", None) in _catalog_tables():
        state.session.info[_CHANGED] = True


@event.listens_for(Session, "after_commit")
def _invalidate_after_catalog_commit(session: Session) -> None:
    if session.info.pop(_CHANGED, False):
        for page_cache in list(_caches):
            page_cache.invalidate()
        pagecache_shared.announce_change()  # every other process (gunicorn workers, web nodes) drops its copies


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back_changes(session: Session) -> None:
    session.info.pop(_CHANGED, None)


def _remember_generation() -> None:
    # Read before the request touches the database: a page stored under this generation was rendered from data
    # at least as new as the last catalog commit that this process saw.
    if current_app.config.get("PAGE_CACHE_SECONDS", 0) > 0:
        g.page_cache_generation = cache_of(current_app).generation


def init_app(app: Flask) -> None:
    page_cache = PageCache()
    _caches.add(page_cache)
    app.extensions["mpp_page_cache"] = page_cache
    pagecache_shared.init_app(app)
    app.before_request(_remember_generation)
