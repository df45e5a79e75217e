"""The page cache's front door (app/pagecache_front.py): an anonymous hit is answered before Flask's request cycle,
with every header Flask's own answer of the page carries, in the encoding the client takes best, with a 304 for a
browser that holds the page, a request id, an access line and a metric — and anyone who might be signed in, a catalog
edit, another language, a fragment or another query is never given the wrong copy."""

from __future__ import annotations

import gzip
import logging

import brotli
import pytest
from prometheus_client import REGISTRY
from sqlalchemy import select

from app import pagecache, pagecache_front
from app.catalog.models import Service
from app.extensions import db
from app.pagecache import CACHE_HEADER, cache_of
from app.security import replayable_headers

from .helpers import PageClient, check_page

SERVICE_PAGE = "/layanan/ktp-el-baru"
MPP_PAGE = "/mpp/kota-kendari"
SEARCH = "/layanan?q=ktp"
PAGES = [SERVICE_PAGE, MPP_PAGE, SEARCH]
# What protects a page or says how it may be kept: a hit without any of these would be a weaker page than a miss.
SAFETY_HEADERS = [
    "Content-Security-Policy",
    "X-Content-Type-Options",
    "X-Frame-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
    "Cross-Origin-Resource-Policy",
    "Permissions-Policy",
    "Cache-Control",
    "X-MPP-Offline",
    "Vary",
    "Content-Type",
    "ETag",
]
PER_RESPONSE = {"X-Request-ID", CACHE_HEADER, "Date", "Content-Length"}  # the length: checked against the body


@pytest.fixture
def page_cache(app, monkeypatch):
    # The minute held still: an entry lives until the end of the minute it was made in, and a test that crossed
    # into the next one would see a miss where it expects a hit.
    moment = pagecache.clock()
    monkeypatch.setattr(pagecache, "clock", lambda: moment)
    monkeypatch.setitem(app.config, "PAGE_CACHE_SECONDS", 60)
    cache_of(app).invalidate()
    yield cache_of(app)
    cache_of(app).invalidate()


@pytest.fixture
def flask_requests(app, monkeypatch):
    """How many requests went through Flask's request cycle (a before-request hook that counts)."""
    seen: list[str] = []
    hooks = [*app.before_request_funcs.get(None, []), lambda: seen.append("flask")]
    monkeypatch.setitem(app.before_request_funcs, None, hooks)
    return seen


@pytest.fixture
def new_client(app):
    return lambda: PageClient(app.test_client())


def decoded(response) -> bytes:
    decode = {"br": brotli.decompress, "gzip": gzip.decompress}.get(response.headers.get("Content-Encoding"), bytes)
    return decode(response.get_data())


def comparable(response) -> dict[str, str]:
    return {name: value for name, value in response.headers.items() if name not in PER_RESPONSE}


def test_an_anonymous_hit_never_enters_flask(client, demo_data, page_cache, flask_requests):
    for page in PAGES:
        miss = client.get(page)
        before = len(flask_requests)
        hits = [client.get(page) for _ in range(3)]
        assert miss.headers[CACHE_HEADER] == "miss"
        assert len(flask_requests) == before, f"{page}: a hit went through Flask"
        for hit in hits:
            assert hit.status_code == 200 and hit.headers[CACHE_HEADER] == "hit"
            assert hit.get_data() == miss.get_data()
            check_page(hit.get_data(as_text=True))
        assert len({hit.headers["X-Request-ID"] for hit in [miss, *hits]}) == 4, "every answer has its own id"


@pytest.mark.parametrize("secure", [False, True])
@pytest.mark.parametrize("encoding", ["br", "gzip", "identity", "gzip, deflate, br, zstd"])
def test_a_fast_hit_carries_every_header_of_flasks_answer(
    client, demo_data, page_cache, flask_requests, app, monkeypatch, encoding, secure
):
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", secure)  # production: HSTS too
    headers = {"Accept-Encoding": encoding}
    for page in PAGES:
        page_cache.invalidate()
        miss = client.get(page, headers=headers)
        through_flask = len(flask_requests)
        hit = client.get(page, headers=headers)
        assert len(flask_requests) == through_flask, "the hit was answered in front of Flask"
        for name in SAFETY_HEADERS + (["Strict-Transport-Security"] if secure else []):
            assert hit.headers.get(name), f"{page} ({encoding}): the hit lacks {name}"
        assert comparable(hit) == comparable(miss), f"{page} ({encoding}): the hit's headers differ from Flask's"
        assert decoded(hit) == decoded(miss)
        assert int(hit.headers["Content-Length"]) == len(hit.get_data())

        # …and the same as the page's answer with the cache off (Flask-Compress compressing), but for the length.
        monkeypatch.setitem(app.config, "PAGE_CACHE_SECONDS", 0)
        uncached = client.get(page, headers=headers)
        monkeypatch.setitem(app.config, "PAGE_CACHE_SECONDS", 60)
        differ = {"Content-Length", "Vary"}
        assert {k: v for k, v in comparable(uncached).items() if k not in differ} == {
            k: v for k, v in comparable(hit).items() if k not in differ
        }
        assert set(uncached.headers["Vary"].split(", ")) == set(hit.headers["Vary"].split(", "))


def test_a_304_in_front_of_flask_carries_the_headers_of_flasks_304(client, demo_data, page_cache, flask_requests):
    etag = client.get(SERVICE_PAGE).headers["ETag"]
    page_cache.invalidate()
    flask_304 = client.get(SERVICE_PAGE, headers={"If-None-Match": etag})  # a miss: Flask answers
    assert flask_304.status_code == 304 and flask_304.headers[CACHE_HEADER] == "miss"
    client.get(SERVICE_PAGE)  # Flask's first 200 of the stored page: from now on the front door answers
    through_flask = len(flask_requests)
    fast_304 = client.get(SERVICE_PAGE, headers={"If-None-Match": f'"x", {etag}'})
    assert len(flask_requests) == through_flask
    assert fast_304.status_code == 304 and fast_304.get_data() == b""
    assert comparable(fast_304) == comparable(flask_304)
    stale = client.get(SERVICE_PAGE, headers={"If-None-Match": 'W/"lama"'})
    assert stale.status_code == 200 and stale.headers[CACHE_HEADER] == "hit"


def test_the_encoding_is_the_one_the_client_takes_best(client, demo_data, page_cache):
    plain = client.get(SERVICE_PAGE, headers={"Accept-Encoding": "identity"}).get_data()
    cases = {
        "gzip, deflate, br": "br",
        "br;q=0.5, gzip": "gzip",
        "gzip": "gzip",
        "br;q=0, gzip": "gzip",
        "": None,
        "identity": None,
        "*": "br",
    }
    for accept, expected in cases.items():
        hit = client.get(SERVICE_PAGE, headers={"Accept-Encoding": accept})
        assert hit.headers[CACHE_HEADER] == "hit"
        assert hit.headers.get("Content-Encoding") == expected, accept
        assert decoded(hit) == plain
        assert int(hit.headers["Content-Length"]) == len(hit.get_data())
        assert "Accept-Encoding" in hit.headers["Vary"]


def test_anyone_who_might_be_signed_in_goes_through_flask(
    app, new_client, demo_data, page_cache, flask_requests, citizen, signed_in
):
    anonymous = new_client()
    anonymous.get(SERVICE_PAGE)
    assert anonymous.get(SERVICE_PAGE).headers[CACHE_HEADER] == "hit"
    for name in (app.config["SESSION_COOKIE_NAME"], "remember_token"):
        browser = new_client()
        browser.set_cookie(name, "x")  # not even a valid one: it is Flask's to decide
        before = len(flask_requests)
        browser.get(SERVICE_PAGE)
        assert len(flask_requests) == before + 1, name

    siti = new_client()
    signed_in(siti, citizen)
    before = len(flask_requests)
    html = siti.get(SERVICE_PAGE).get_data(as_text=True)
    assert len(flask_requests) == before + 1
    assert 'action="/keluar"' in html, "the signed-in header, never the anonymous copy"


def test_the_language_fragment_and_query_are_decided_as_flask_decides_them(
    new_client, demo_data, page_cache, flask_requests
):
    english = new_client()
    english.set_cookie("bahasa", "en")
    assert english.get(SERVICE_PAGE).headers[CACHE_HEADER] == "miss"
    before = len(flask_requests)
    hit = english.get(SERVICE_PAGE)
    assert len(flask_requests) == before and hit.headers[CACHE_HEADER] == "hit"
    check_page(hit.get_data(as_text=True), lang="en")

    indonesian = new_client()
    assert indonesian.get(SERVICE_PAGE).headers[CACHE_HEADER] == "miss", "another language, another entry"
    unknown = new_client()
    unknown.set_cookie("bahasa", "xx")  # Flask shows Indonesian for an unknown choice: the same entry
    before = len(flask_requests)
    answer = unknown.get(SERVICE_PAGE)
    assert len(flask_requests) == before and answer.headers[CACHE_HEADER] == "hit"
    check_page(answer.get_data(as_text=True), lang="id")

    browser = new_client()
    htmx = {"HX-Request": "true"}
    browser.get(SEARCH)
    fragment = browser.get(SEARCH, headers=htmx)
    assert fragment.headers[CACHE_HEADER] == "miss" and "<html" not in fragment.get_data(as_text=True)
    assert "<html" not in browser.get(SEARCH, headers=htmx).get_data(as_text=True)
    for full_page in ({**htmx, "HX-Boosted": "true"}, {**htmx, "HX-History-Restore-Request": "true"}, {}):
        answer = browser.get(SEARCH, headers=full_page)
        assert answer.headers[CACHE_HEADER] == "hit" and "<html" in answer.get_data(as_text=True), full_page

    browser.get("/layanan?q=ktp&instansi=disdukcapil")
    before = len(flask_requests)
    assert browser.get("/layanan?instansi=disdukcapil&q=ktp").headers[CACHE_HEADER] == "hit"
    assert len(flask_requests) == before
    assert browser.get("/layanan?q=ktp&instansi=polres").headers[CACHE_HEADER] == "miss"
    assert browser.get(SEARCH, headers={"Host": "other.example"}).headers[CACHE_HEADER] == "miss"


def test_a_catalog_edit_is_never_served_stale_by_the_front_door(client, demo_data, page_cache, app):
    client.get(SERVICE_PAGE)
    assert client.get(SERVICE_PAGE).headers[CACHE_HEADER] == "hit"
    with app.app_context():
        service = db.session.scalars(select(Service).where(Service.slug == "ktp-el-baru")).one()
        service.name = "Penerbitan KTP Elektronik Baru"
        db.session.commit()
    response = client.get(SERVICE_PAGE)
    assert response.headers[CACHE_HEADER] == "miss"
    assert "Penerbitan KTP Elektronik Baru" in response.get_data(as_text=True)


def test_a_fast_hit_is_logged_with_its_request_id_and_counted(client, demo_data, page_cache, caplog):
    labels = {"endpoint": "catalog.service", "method": "GET", "status_class": "2xx"}
    client.get(SERVICE_PAGE)
    counted = REGISTRY.get_sample_value("mpp_request_duration_seconds_count", labels) or 0
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="mpp.access"):
        hit = client.get(SERVICE_PAGE, headers={"X-Request-ID": "lb-0123456789abcdef"})
    assert hit.headers[CACHE_HEADER] == "hit"
    assert hit.headers["X-Request-ID"] == "lb-0123456789abcdef", "the load balancer's id is kept"
    (line,) = [record for record in caplog.records if record.name == "mpp.access"]
    assert (line.request_id, line.endpoint, line.status, line.method) == (
        "lb-0123456789abcdef",
        "catalog.service",
        200,
        "GET",
    )
    assert REGISTRY.get_sample_value("mpp_request_duration_seconds_count", labels) == counted + 1
    forged = client.get(SERVICE_PAGE, headers={"X-Request-ID": "<script>" + "x" * 200})
    assert forged.headers[CACHE_HEADER] == "hit"
    assert forged.headers["X-Request-ID"] != "<script>" + "x" * 200, "an insane id is replaced"


def test_head_and_other_methods_go_through_flask(client, demo_data, page_cache, flask_requests):
    client.get(SERVICE_PAGE)
    before = len(flask_requests)
    head = client.head(SERVICE_PAGE)
    assert head.status_code == 200 and head.get_data() == b""
    assert len(flask_requests) == before + 1


def test_an_answer_that_set_a_cookie_is_never_replayed():
    headers = [("Content-Type", "text/html"), ("Set-Cookie", "mpp_session=abc; HttpOnly"), ("X-Frame-Options", "DENY")]
    assert replayable_headers(headers) is None
    kept = replayable_headers([("Content-Type", "text/html"), ("X-Request-ID", "abc"), ("Content-Length", "9")])
    assert kept == [("Content-Type", "text/html")]


def test_a_fault_in_the_front_door_costs_no_page(client, demo_data, page_cache, monkeypatch):
    client.get(SERVICE_PAGE)

    def broken(*args, **kwargs):
        raise RuntimeError("a bug in the front door")

    monkeypatch.setattr(pagecache_front, "language_of", broken)  # only the front door decides with this name
    answer = client.get(SERVICE_PAGE)
    assert answer.status_code == 200 and "Pembuatan KTP-el Baru" in answer.get_data(as_text=True)
