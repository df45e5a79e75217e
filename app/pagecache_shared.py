"""The page cache's generation shared by every process of the national profile (app/pagecache.py keeps the pages).

Each web process keeps its own copy of public pages. A catalog commit clears the copies of the process that made
it at once (pagecache.py); with Redis configured (``MPP_REDIS_URL``) it also increments one counter in Redis, and
every cacheable request in every process (all gunicorn workers, all web nodes) reads that counter before it answers
from its cache: a different value than the one it last saw clears its copies first. An admin's edit is therefore
never served stale by another worker, not even for the TTL. (The front door for anonymous hits, pagecache_front.py,
reads it only when it holds a page to serve, and looks again after the read.)

The cost is one GET of one small key per cacheable request (tens of microseconds on the same machine or rack), and
nothing at all in the embedded profile (no Redis: one process, its own invalidation is enough). When Redis cannot be
read, the cache is bypassed for that request (the page is rendered fresh): never a stale page, never an error.
"""

from __future__ import annotations

import logging
import threading
import time

import redis
from flask import Flask, current_app, g, has_app_context, has_request_context

log = logging.getLogger(__name__)

EXTENSION = "mpp_page_cache_shared"
KEY = "mpp:pagecache:generation"
TIMEOUT = 0.2  # seconds: a Redis that does not answer at once is treated as down (render fresh instead)
LOG_EVERY = 60.0  # seconds between two "Redis unreachable" lines of one process


class SharedGeneration:
    def __init__(self, url: str) -> None:
        self.client = redis.Redis.from_url(url, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT)
        self.seen: bytes | None = None  # the value this process last adopted
        self.lock = threading.Lock()
        self._last_complaint = 0.0

    def _complain(self, what: str, error: Exception) -> None:
        now = time.monotonic()
        if now - self._last_complaint >= LOG_EVERY:
            self._last_complaint = now
            log.warning("page cache: cannot %s the shared generation in Redis (%s)", what, error.__class__.__name__)

    def read(self) -> bytes | None:
        """The shared value (``b""`` before the first catalog change); None when Redis cannot be read."""
        try:
            return self.client.get(KEY) or b""
        except redis.RedisError as error:
            self._complain("read", error)
            return None

    def bump(self) -> None:
        try:
            self.client.incr(KEY)
        except redis.RedisError as error:  # the other processes still drop their copies within the TTL
            self._complain("increment", error)


def init_app(app: Flask) -> None:
    if app.config.get("REDIS_URL"):
        app.extensions[EXTENSION] = SharedGeneration(app.config["REDIS_URL"])


def in_sync(app: Flask, page_cache) -> bool:
    """Call before looking in ``page_cache``: clears it when another process changed the catalog since this one
    last looked. False when the shared generation cannot be read: do not use the cache for this request."""
    shared: SharedGeneration | None = app.extensions.get(EXTENSION)
    if shared is None:
        return True
    value = shared.read()
    if value is None:
        return False
    if value != shared.seen:
        with shared.lock:
            if value != shared.seen:
                page_cache.invalidate()
                shared.seen = value
        if has_request_context() and "page_cache_generation" in g:
            # The view has not run yet: what it renders now is at least as new as the change just adopted, so it
            # may be stored under the new generation (else the first page after every change would not be kept).
            g.page_cache_generation = page_cache.generation
    return True


def announce_change() -> None:
    """After a catalog commit: tell every other process (called by pagecache's after-commit hook)."""
    if has_app_context() and (shared := current_app.extensions.get(EXTENSION)) is not None:
        shared.bump()
