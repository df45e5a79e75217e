"""Public catalog pages, rendered once and served from memory for a short while.

A public catalog page (``@public_page``: no personal data) is the same for every visitor who asks for the same
thing. It differs only by

- the CSRF token of a form — only a signed-in visitor's header has one (the sign-out form); it is per session, so it
  is taken out of the stored copy and put back on every hit (``security.shareable_html`` / ``personal_html``). An
  anonymous visitor's page has no form and no CSP nonce (security.content_security_policy): its bytes are the same
  for everyone, so it is compressed once, never per hit: brotli quickly when it is stored, then at its best level
  in the background once a second visitor asks; gzip the first time a client that does not take brotli asks;
- what is in the key: path and (sorted) query, host, locale, whether it is the htmx fragment or the full page, and
  who is looking — anonymous, or signed in with a role (the header shows "Keluar", and "Back office" to staff;
  it never shows a name or a count: the unread count is fetched by script);
- time: "Buka sekarang" is decided to the minute, so no entry outlives the minute it was rendered in, whatever
  the TTL.

An anonymous visitor's hit is answered before Flask's request cycle even starts (pagecache_front.py), with the
headers Flask's own answer of that page carried; everything else (misses, signed-in visitors) goes through the view
wrapper ``cached_page`` below.

The cache is a bounded LRU in this process (thread-safe for gunicorn's gthread workers), with a short TTL
(``MPP_PAGE_CACHE_SECONDS``, default 60; 0 turns it off). It never stores a page when the session has flash
messages waiting, an answer other than a 200 HTML page, or anything that is not ``@public_page``.

Invalidation: any committed write to a catalog table (or another table a catalog page shows, ``ALSO_SHOWN``) — an
ORM change to such a model, or an INSERT/UPDATE/DELETE statement on such a table run through the session — bumps
the cache's generation when the transaction commits. An admin's edit therefore shows at once in the process that
made it. Every other process (the other gunicorn workers of the node, every other node of the national profile)
keeps its own copy; with Redis configured they share a generation counter and drop their copies before their next
cached answer, the front door's included (app/pagecache_shared.py), otherwise they show the edit within the TTL.
Writes the ORM cannot see (raw SQL text, or a connection of its own, as the test suite's table wipes) are also
caught only by the TTL. A page rendered while the commit happened is stored under the generation read when its
request began, so it is never served after the bump.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import math
import os
import queue
import threading
import time
import weakref
import zlib
from collections import OrderedDict
from dataclasses import dataclass
from functools import cache, lru_cache, wraps
from itertools import chain
from typing import Any

import brotli
from flask import Flask, current_app, g, make_response, request, session
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session
from werkzeug.http import parse_accept_header

from . import pagecache_shared
from .gzip_splice import Spliced, compress_parts, splice
from .hypermedia import fragment_requested
from .i18n import current_language
from .security import csrf_for_gaps, personal_html, secret_gaps, shareable_html

MAX_ENTRIES = 256  # ~30 pages × 2 languages × a few viewers, plus popular searches; about 8 MB at most
MAX_BODY = 256 * 1024  # a page bigger than this is not worth keeping in memory
CACHE_HEADER = "X-MPP-Page-Cache"  # "hit" or "miss": lets an operator (and the tests) see what happened
CATALOG_MODULE = "app.catalog.models"
# Tables of other modules that catalog pages show: a write to one is a catalog change too.
ALSO_SHOWN = frozenset({"service_channel"})  # where a service is applied for (app/api/models.py)
_CHANGED = "mpp_catalog_changed"  # Session.info flag: this transaction wrote to the catalog
SERVED = "mpp.page_cache.served"  # WSGI environ: the StoredPage a 200 answer of the Flask path was made from
ANONYMOUS = "anonymous"
GZIP_LEVEL = 9  # the best, and cheap: ~0.2 ms for a catalog page
# Brotli's best quality costs ~12 ms of CPU for a 14 KB catalog page, 40× its quality 5 (~0.3 ms, ~8 % larger):
# too much for every miss (each new search is one), so a page is stored with quality 5 and made again at the best
# quality, off the request path, once a second visitor asks for it (``StoredPage.on_hit``).
BROTLI_QUICK = 5
BROTLI_BEST = 11


@dataclass(frozen=True, slots=True)
class _Entry:
    page: Any  # a StoredPage in the app; the cache itself does not look inside
    generation: int
    expires: float  # clock()


_bodies_lock = threading.Lock()


class StoredPage:
    """One shareable page, prepared once for every hit.

    Without a form (every anonymous page): its bytes and its brotli, made at store time (brotli made again at the
    best quality once the page is asked for again); its gzip when a client that does not take brotli first asks for
    it (nearly every browser takes brotli: a miss need not pay for a gzip no one may ask for). With a form (a
    signed-in header): the HTML with a stand-in for the CSRF token and its gzip made once around it (the token is
    spliced in per hit, gzip_splice.py). ``replay`` is set by the front door from the first 200 answer Flask made of
    the page (the headers it carried); until then, and for a page with a form, hits take the Flask path.
    """

    __slots__ = ("html", "gaps", "spliced", "bodies", "etag", "replay", "_best_asked")

    def __init__(self, shared: str) -> None:
        texts = secret_gaps(shared)
        self.gaps = len(texts) - 1
        self.html = shared if self.gaps else None  # the text a token goes into; else the identity body is the page
        self.etag = page_etag(shared) if not self.gaps else None  # see page_etag
        self.replay = None  # pagecache_front.Replay, set once by pagecache_front.record
        self._best_asked = bool(self.gaps)
        if self.gaps:
            self.spliced: Spliced | None = compress_parts([t.encode() for t in texts])
            self.bodies: dict[str, bytes] = {}
        else:
            raw = shared.encode()
            self.spliced = None
            # Replaced as a whole, never changed in place: a reader takes one body and its length from one dict.
            self.bodies = {"identity": raw, "br": brotli_of(raw, BROTLI_QUICK)}

    @classmethod
    def of(cls, shared: str) -> StoredPage:
        return cls(shared)

    def on_hit(self) -> None:
        """A second visitor wants this page: have its brotli made at the best quality, once, in the background."""
        if not self._best_asked:
            self._best_asked = True
            _best_brotli.ask(self)

    def body(self, encoding: str) -> bytes:
        """The page in ``encoding`` (identity, br or gzip; a page without a form), its gzip made on the first ask."""
        found = self.bodies.get(encoding)
        if found is None:
            found = gzip_best(self.bodies["identity"])  # the same bytes whichever thread makes it
            self._add_body(encoding, found)
        return found

    def compress_best(self) -> None:
        best = brotli_of(self.bodies["identity"], BROTLI_BEST)
        if len(best) < len(self.bodies["br"]):
            self._add_body("br", best)

    def _add_body(self, encoding: str, data: bytes) -> None:
        with _bodies_lock:  # the background brotli and a gzip asked for at once: neither undoes the other
            self.bodies = {**self.bodies, encoding: data}


def brotli_of(raw: bytes, quality: int) -> bytes:
    return brotli.compress(raw, quality=quality, mode=brotli.MODE_TEXT)


class _BestBrotli:
    """One daemon thread per process that compresses asked-for pages at brotli's best quality (brotli releases the
    GIL while it works, so request threads keep running). Bounded: when it is behind, a page keeps its quick brotli."""

    def __init__(self, size: int = MAX_ENTRIES) -> None:
        self.size = size
        self.lock = threading.Lock()
        self.queue: queue.Queue[StoredPage] | None = None
        self.pid = 0

    def ask(self, page: StoredPage) -> None:
        with self.lock:
            if self.queue is None or self.pid != os.getpid():  # first use, or a forked worker: its own thread
                self.queue, self.pid = queue.Queue(self.size), os.getpid()
                threading.Thread(target=self._run, args=(self.queue,), name="page-cache-brotli", daemon=True).start()
            jobs = self.queue
        with contextlib.suppress(queue.Full):
            jobs.put_nowait(page)

    @staticmethod
    def _run(jobs: queue.Queue[StoredPage]) -> None:
        while True:
            page = jobs.get()
            try:
                page.compress_best()
            except Exception:  # noqa: BLE001 — a page that cannot be compressed better keeps its quick brotli
                logging.getLogger(__name__).exception("page cache: brotli at the best quality failed")
            finally:
                jobs.task_done()

    def wait(self) -> None:
        """Until every page asked for so far is compressed (for tests)."""
        if self.queue is not None:
            self.queue.join()


_best_brotli = _BestBrotli()
wait_for_best_compression = _best_brotli.wait


def gzip_best(raw: bytes) -> bytes:
    """A gzip member of ``raw`` at the best level, with no name and no time in its header: the same bytes every
    time, so every process of the national profile sends one page identically."""
    compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 16 + zlib.MAX_WBITS, 9)
    return compressor.compress(raw) + compressor.flush()


@lru_cache(maxsize=256)  # browsers send a handful of distinct Accept-Encoding values
def chosen_encoding(accept_encoding: str) -> str:
    """br when the client takes it at least as gladly as gzip, else gzip, else the page as it is."""
    accepted = parse_accept_header(accept_encoding)
    br, gz = accepted["br"], accepted["gzip"]
    if br > 0 and br >= gz:
        return "br"
    return "gzip" if gz > 0 else "identity"


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


def clock() -> float:
    """Now, for the entries' expiry (one place, so a test can hold the minute still)."""
    return time.time()


def expiry(now: float, ttl: float) -> float:
    """The TTL, cut at the end of the current minute: "open now" and "opens at 08.00" change by the minute."""
    end_of_minute = (math.floor(now / 60) + 1) * 60
    return min(now + ttl, end_of_minute)


def _viewer() -> str:
    # The header differs by sign-in state and role; nothing in it names the person (see base.html).
    if not current_user.is_authenticated:
        return ANONYMOUS
    return f"signed-in:{current_user.role.value}"


def key_of(req, language: str, viewer: str) -> tuple:
    """The key of the page ``req`` asks for: built by this one function on both paths (Flask's and the front
    door's), from the same request object type, so both find the same entry."""
    return (
        # The host is in the key although no catalog template prints it, so a forged Host header can never put
        # its links into a page others get, should a template ever build an absolute URL.
        req.host,
        req.path,
        tuple(sorted(req.args.items(multi=True))),
        language,
        viewer,
        fragment_requested(req.headers),
    )


def page_key() -> tuple:
    return key_of(request, current_language(), _viewer())


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
    """A response for this request from a stored page: 304 when the browser holds it already, else the page in the
    encoding the client takes best, made when it was stored (with this session's CSRF token spliced into the gzip
    made once, or put into the text, for a page with a form)."""
    if page.etag is not None and _not_modified(page.etag):
        response = make_response("", 304)
    elif not page.gaps:
        encoding = chosen_encoding(request.headers.get("Accept-Encoding", ""))
        response = make_response(page.body(encoding))
        response.mimetype = "text/html"
        if encoding != "identity":
            response.headers["Content-Encoding"] = encoding
        request.environ[SERVED] = (page, request.endpoint)  # its headers are kept for the front door's hits
    elif request.accept_encodings["gzip"]:
        token = csrf_for_gaps().encode()
        response = make_response(splice(page.spliced, [token] * page.gaps))
        response.mimetype = "text/html"
        response.headers["Content-Encoding"] = "gzip"
    else:
        response = make_response(personal_html(page.html))
    response.vary.add("Accept-Encoding")
    if page.etag is not None:
        response.headers["ETag"] = page.etag
    return response


def cached_page(view):
    """Serve the view's page from the cache when a fresh copy exists; else render it and keep it.

    Put it under ``@public_page``. The wrapped view must render the same HTML for the same key (path, query,
    host, locale, fragment or page, viewer's role) and the same catalog, within the minute. Every such page without a
    form carries an ETag (of its shareable HTML); a browser that holds it gets a 304.
    """

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not _may_use_cache():
            response = make_response(view(*args, **kwargs))
            if request.method == "GET" and _cacheable(response):
                shared = shareable_html(response.get_data(as_text=True))
                if len(secret_gaps(shared)) == 1:
                    etag = page_etag(shared)
                    if _not_modified(etag):
                        response = make_response("", 304)
                    response.headers["ETag"] = etag
            return response
        page_cache = cache_of(current_app)
        if not pagecache_shared.in_sync(current_app, page_cache):
            return view(*args, **kwargs)  # the other processes' generation cannot be read: render fresh, never stale
        key = page_key()
        now = clock()
        if (stored := page_cache.get(key, now)) is not None:
            stored.on_hit()
            response = _answer(stored)
            response.headers[CACHE_HEADER] = "hit"
            return response
        generation = g.get("page_cache_generation", page_cache.generation)
        response = make_response(view(*args, **kwargs))
        if _cacheable(response) and "_flashes" not in session:
            stored = StoredPage.of(shareable_html(response.get_data(as_text=True)))
            ttl = current_app.config["PAGE_CACHE_SECONDS"]
            page_cache.put(key, stored, generation=generation, expires=expiry(now, ttl))
            response = _answer(stored)  # the bytes compressed once, as every hit gets them
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
    return type(obj).__module__ == CATALOG_MODULE or getattr(type(obj), "__tablename__", None) in ALSO_SHOWN


@cache
def _catalog_tables() -> frozenset[str]:
    from . import models  # noqa: F401  (every mapper is registered before the first statement runs)
    from .extensions import db

    return frozenset(
        mapper.local_table.name
        for mapper in db.Model.registry.mappers
        if mapper.class_.__module__ == CATALOG_MODULE or mapper.local_table.name in ALSO_SHOWN
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
    from . import pagecache_front

    pagecache_front.install(app)  # anonymous hits answered in front of Flask (inside ProxyFix: see create_app)
