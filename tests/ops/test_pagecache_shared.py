"""The page cache's shared generation (app/pagecache_shared.py): a catalog change announced by ANY process empties
this process's cache before its next cached answer; Redis unreachable means no cache, never a stale page."""

from __future__ import annotations

import redis

from app import pagecache_shared
from app.pagecache import CACHE_HEADER, PageCache, cache_of


def _entry(cache: PageCache) -> None:
    cache.put(("k",), "<p>lama</p>", generation=cache.generation, expires=9e12)


def test_a_change_announced_elsewhere_empties_this_cache_before_the_next_answer(app, redis_url, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", redis_url)
    monkeypatch.setitem(app.extensions, pagecache_shared.EXTENSION, None)
    pagecache_shared.init_app(app)
    cache = PageCache()
    assert pagecache_shared.in_sync(app, cache)
    _entry(cache)
    assert pagecache_shared.in_sync(app, cache) and len(cache) == 1  # nothing changed: the copy stays

    other_process = pagecache_shared.SharedGeneration(redis_url)
    other_process.bump()  # another gunicorn worker committed a catalog edit
    assert pagecache_shared.in_sync(app, cache)
    assert len(cache) == 0 and cache.get(("k",), 0) is None
    assert redis.Redis.from_url(redis_url).get(pagecache_shared.KEY) == b"1"

    with app.app_context():
        pagecache_shared.announce_change()  # this process's own commit tells the others
    assert other_process.read() == b"2"


def test_without_redis_answering_the_cache_is_not_used(app, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/13")  # nothing listens there
    monkeypatch.setitem(app.extensions, pagecache_shared.EXTENSION, None)
    pagecache_shared.init_app(app)
    assert pagecache_shared.in_sync(app, PageCache()) is False
    with app.app_context():
        pagecache_shared.announce_change()  # logged, never raised into the commit


def test_the_embedded_profile_has_no_shared_generation(app):
    assert app.config["REDIS_URL"] is None
    assert app.extensions.get(pagecache_shared.EXTENSION) is None
    assert pagecache_shared.in_sync(app, PageCache())


def test_the_front_door_checks_the_shared_generation_before_every_anonymous_hit(
    app, client, demo_data, redis_url, monkeypatch
):
    """A hit answered in front of Flask (app/pagecache_front.py) is held to the same rule: another process's catalog
    commit empties this cache before the next answer; Redis unreachable means the page is rendered fresh."""
    monkeypatch.setitem(app.config, "REDIS_URL", redis_url)
    monkeypatch.setitem(app.config, "PAGE_CACHE_SECONDS", 600)
    monkeypatch.setitem(app.extensions, pagecache_shared.EXTENSION, None)
    pagecache_shared.init_app(app)
    cache_of(app).invalidate()
    through_flask: list[int] = []
    hooks = [*app.before_request_funcs.get(None, []), lambda: through_flask.append(1)]
    monkeypatch.setitem(app.before_request_funcs, None, hooks)
    shared = app.extensions[pagecache_shared.EXTENSION]
    reads: list[bytes | None] = []
    monkeypatch.setattr(shared, "read", lambda real=shared.read: reads.append(real()) or reads[-1])
    page = "/mpp/kota-kendari"
    assert client.get(page).headers[CACHE_HEADER] == "miss"
    reads.clear()
    assert client.get(page).headers[CACHE_HEADER] == "hit"
    assert len(through_flask) == 1, "the hit was answered in front of Flask"
    assert len(reads) == 1, "the hit read the shared generation before it was answered"
    for other in ("/healthz", "/manifest.webmanifest", "/static/css/app.css"):
        client.get(other)
    assert len(reads) == 1, "no read for a request the cache never answers"

    pagecache_shared.SharedGeneration(redis_url).bump()  # another worker committed a catalog edit
    assert client.get(page).headers[CACHE_HEADER] == "miss"
    assert client.get(page).headers[CACHE_HEADER] == "hit"

    monkeypatch.setitem(app.extensions, pagecache_shared.EXTENSION, None)
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/13")  # nothing listens there
    pagecache_shared.init_app(app)
    fresh = client.get(page)
    assert fresh.status_code == 200 and CACHE_HEADER not in fresh.headers, "rendered, not served from the cache"
    cache_of(app).invalidate()
