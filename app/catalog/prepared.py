"""Catalog pieces prepared once per catalog version and reused by every render, cached page or not.

The catalog (services, MPPs, agencies, requirements, hours) is small and changes rarely, yet an uncached page read
it through the ORM and rendered all of it through Jinja on every request: ~8 ms of CPU for a service page, 25× a
bare route. Here the parts of a page that only depend on the catalog and the language — a service's standard, a
search result card, the list of agencies — are built once and kept, keyed by the *catalog version*:

- the page cache's generation (app/pagecache.py), bumped when a transaction that wrote a catalog row through the
  session commits, and shared by every process and node through Redis (app/pagecache_shared.py) — the guarantee the
  page cache gives: an admin's edit is seen at once by every worker;
- plus a count of catalog writes this process made *outside* the session (a statement on a connection of its own:
  the test suite's table wipes, a loader's bulk INSERT, raw SQL), counted when the connection goes back to the pool,
  i.e. after its commit;
- and an age limit (MAX_AGE, the page cache's default TTL): a write no hook can see — another process of the
  embedded profile, which has no Redis — is picked up within that time, as the page cache picks it up.

The version is read before a piece is built, so a piece built while a commit lands is stored under the old version
and never served after the bump. What is live is never kept here: "open now" is computed for every request from the
hours kept here; searches run their query on every request and only the cards of the services found come from here.
When the shared version cannot be read (Redis down), pieces are built fresh for that request and not kept: slower,
never stale.
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.pool import Pool

from .. import pagecache, pagecache_shared
from ..i18n import current_language

MAX_ENTRIES = 4096  # pieces: ~20 services × 2 languages × (page + card) and the filter forms; a national catalog
# of a few thousand services keeps its popular ones
MAX_AGE = 60.0  # seconds: the page cache's default TTL
T = TypeVar("T")

_lock = threading.Lock()
_entries: OrderedDict[tuple, tuple[tuple, float, Any]] = OrderedDict()
_outside_writes = 0  # catalog writes made on a connection outside the session's hooks (see the module docstring)


def version(app: Flask) -> tuple | None:
    """The catalog version this process sees now; None when the shared one cannot be read (do not keep pieces)."""
    page_cache = pagecache.cache_of(app)
    if not pagecache_shared.in_sync(app, page_cache):
        return None
    return (id(page_cache), page_cache.generation, _outside_writes)


def piece(
    kind: str, key: tuple, build: Callable[[], T], *, per_language: bool = True, language: str | None = None
) -> T:
    """The prepared piece ``kind``/``key`` of the current catalog version (and language: the request's, or
    ``language`` when the caller already knows it), built when missing."""
    current = version(current_app)
    if current is None:
        return build()
    full_key = (kind, (language or current_language()) if per_language else "", *key)
    now = time.monotonic()
    entry = _entries.get(full_key)
    if entry is not None and entry[0] == current and now - entry[1] < MAX_AGE:
        return entry[2]
    _fresh_reads()
    value = build()
    with _lock:
        _entries[full_key] = (current, now, value)
        _entries.move_to_end(full_key)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return value


def _fresh_reads() -> None:
    """A piece is kept for a whole version: build it from the database as it is now, never from objects or a
    read snapshot this session may already hold from before the change (a session that reads only is ended)."""
    from ..extensions import db

    session = db.session()
    if session.in_transaction() and not (session.new or session.dirty or session.deleted):
        session.rollback()


def clear() -> None:
    with _lock:
        _entries.clear()


# --- writes outside the session -----------------------------------------------------------------------------

_FLAG = "mpp_catalog_written"
_DML = re.compile(r"^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)", re.IGNORECASE)


def _catalog_tables() -> frozenset[str]:
    from ..api.models import ServiceChannel  # where a service is applied for: shown on its page and cards

    return pagecache._catalog_tables() | {ServiceChannel.__tablename__}


@event.listens_for(Pool, "checkin")
def _count_after_commit(dbapi_connection, record) -> None:
    global _outside_writes
    if record is not None and record.info.pop(_FLAG, False):
        with _lock:
            _outside_writes += 1


def _note_write(conn, cursor, statement: str, parameters, context, executemany) -> None:
    head = statement[:7].upper().lstrip()
    if not head.startswith(("INSERT", "UPDATE", "DELETE")):
        return
    match = _DML.match(statement)
    if match and match.group(1).lower() in _catalog_tables():
        conn.info[_FLAG] = True


def init_app(app: Flask) -> None:
    from ..extensions import db

    with app.app_context():
        engine = db.engine
    if not event.contains(engine, "after_cursor_execute", _note_write):
        event.listen(engine, "after_cursor_execute", _note_write)
