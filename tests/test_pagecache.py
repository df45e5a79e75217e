"""The public page cache: a stored page is shared, a CSRF token in it never is; catalog edits show at once."""

from __future__ import annotations

import re

import pytest
from flask import g
from sqlalchemy import select, update

from app.accounts.models import Role
from app.api.models import ChannelKind, ServiceChannel
from app.catalog.models import Service
from app.extensions import db
from app.pagecache import CACHE_HEADER, PageCache, cache_of, cached_page, expiry
from app.security import OFFLINE_HEADER

from .helpers import PageClient, check_page

SERVICE_PAGE = "/layanan/ktp-el-baru"
SEARCH = "/layanan?q=ktp"


@pytest.fixture
def page_cache(app, monkeypatch):
    """The cache turned on (every other test runs with it off), empty before and after."""
    monkeypatch.setitem(app.config, "PAGE_CACHE_SECONDS", 60)
    cache = cache_of(app)
    cache.invalidate()
    yield cache
    cache.invalidate()


@pytest.fixture
def new_client(app):
    """A fresh browser each call: its own cookie jar, so its own session and CSRF token."""
    return lambda: PageClient(app.test_client())


def csrf_tokens(html: str) -> set[str]:
    return set(re.findall(r'name="csrf_token" value="([^"]+)"', html))


def get(client, url: str, **kwargs):
    response = client.get(url, **kwargs)
    assert response.status_code == 200, f"GET {url}: {response.status_code}"
    return response


def test_a_repeated_visit_is_served_from_the_cache_as_the_same_page(client, demo_data, page_cache):
    first = get(client, SERVICE_PAGE)
    second = get(client, SERVICE_PAGE)

    assert first.headers[CACHE_HEADER] == "miss"
    assert second.headers[CACHE_HEADER] == "hit"
    html = second.get_data(as_text=True)
    check_page(html)
    assert "mpp-csrf-" not in html, "a stand-in leaked into the page"
    assert html == first.get_data(as_text=True), "an anonymous page holds nothing per request"
    assert second.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]
    assert second.headers[OFFLINE_HEADER] == "public"
    assert second.headers["Cache-Control"] == "no-cache"
    assert "Pembuatan KTP-el Baru" in html


def test_a_cached_page_carries_a_csrf_token_for_the_visitor_who_gets_it(
    new_client, demo_data, page_cache, citizen, other_citizen, signed_in
):
    # Anonymous public pages hold no form (browsing creates no session); a signed-in visitor's header has the
    # sign-out form, whose token must be the visitor's own even when the page comes from the cache.
    first, other = new_client(), new_client()
    signed_in(first, citizen)
    signed_in(other, other_citizen)
    first_html = get(first, SERVICE_PAGE).get_data(as_text=True)
    response = get(other, SERVICE_PAGE)

    assert response.headers[CACHE_HEADER] == "hit"
    (token,) = csrf_tokens(response.get_data(as_text=True))
    (foreign,) = csrf_tokens(first_html)
    assert token != foreign, "the first visitor's token is never handed to another"
    refused = other.post("/keluar", data={"csrf_token": foreign})
    assert refused.status_code == 400
    signed_out = other.post("/keluar", data={"csrf_token": token})
    assert signed_out.status_code in (302, 303)


def test_browsing_public_pages_anonymously_creates_no_session(client, demo_data, page_cache):
    for url in ("/", SERVICE_PAGE, SERVICE_PAGE, "/layanan?q=ktp", "/mpp/kota-kendari"):
        response = client.get(url)
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers, url
        assert not csrf_tokens(response.get_data(as_text=True)), url


def test_anonymous_and_signed_in_headers_are_never_mixed(
    client, new_client, demo_data, page_cache, citizen, other_citizen, make_user, signed_in
):
    anonymous = get(client, "/").get_data(as_text=True)
    assert 'action="/keluar"' not in anonymous and 'href="/masuk"' in anonymous

    siti = new_client()
    signed_in(siti, citizen)
    siti_page = get(siti, "/")
    assert siti_page.headers[CACHE_HEADER] == "miss", "the signed-in header is a different entry"
    assert 'action="/keluar"' in siti_page.get_data(as_text=True)

    budi = new_client()
    signed_in(budi, other_citizen)
    budi_page = get(budi, "/")
    assert budi_page.headers[CACHE_HEADER] == "hit"
    budi_html = budi_page.get_data(as_text=True)
    assert "Siti" not in budi_html and "siti@contoh.id" not in budi_html
    (token,) = csrf_tokens(budi_html)  # the sign-out form's token and the language form's are both this session's
    assert budi.post("/keluar", data={"csrf_token": token}).status_code == 303

    officer = new_client()
    signed_in(officer, make_user("Petugas Loket", role=Role.OFFICER))
    officer_page = get(officer, "/")
    assert officer_page.headers[CACHE_HEADER] == "miss", "staff see the back-office link: their own entry"
    assert 'href="/petugas"' in officer_page.get_data(as_text=True)
    assert 'href="/petugas"' not in get(siti, "/").get_data(as_text=True)

    again = get(new_client(), "/")
    assert again.headers[CACHE_HEADER] == "hit"
    assert 'action="/keluar"' not in again.get_data(as_text=True)


def test_a_catalog_edit_shows_at_once(client, demo_data, page_cache, app):
    get(client, SERVICE_PAGE)
    assert get(client, SERVICE_PAGE).headers[CACHE_HEADER] == "hit"

    with app.app_context():
        service = db.session.scalars(select(Service).where(Service.slug == "ktp-el-baru")).one()
        service.name = "Penerbitan KTP Elektronik Baru"
        db.session.commit()

    response = get(client, SERVICE_PAGE)
    assert response.headers[CACHE_HEADER] == "miss"
    assert "Penerbitan KTP Elektronik Baru" in response.get_data(as_text=True)
    assert "Penerbitan KTP Elektronik Baru" in get(client, SEARCH).get_data(as_text=True)


def test_a_new_channel_of_a_service_shows_at_once(client, demo_data, page_cache, app):
    # The channels live in another module (app/api/models.py) but are shown on the service page.
    get(client, SERVICE_PAGE)
    assert get(client, SERVICE_PAGE).headers[CACHE_HEADER] == "hit"
    with app.app_context():
        service = db.session.scalars(select(Service).where(Service.slug == "ktp-el-baru")).one()
        db.session.add(
            ServiceChannel(service=service, kind=ChannelKind.NATIONAL, name="M-Contoh", url="https://contoh.go.id/")
        )
        db.session.commit()
    response = get(client, SERVICE_PAGE)
    assert response.headers[CACHE_HEADER] == "miss"
    assert "M-Contoh" in response.get_data(as_text=True)


def test_a_bulk_update_statement_invalidates_too(client, demo_data, page_cache, app):
    get(client, SERVICE_PAGE)
    with app.app_context():
        db.session.execute(
            update(Service).where(Service.slug == "ktp-el-baru").values(summary="Ringkasan yang baru saja diubah.")
        )
        db.session.commit()
    assert "Ringkasan yang baru saja diubah." in get(client, SERVICE_PAGE).get_data(as_text=True)


def test_a_rolled_back_edit_and_a_write_elsewhere_keep_the_cache(client, demo_data, page_cache, app, make_user):
    get(client, SERVICE_PAGE)
    generation = page_cache.generation
    with app.app_context():
        service = db.session.scalars(select(Service).where(Service.slug == "ktp-el-baru")).one()
        service.name = "Tidak jadi"
        db.session.flush()
        db.session.rollback()
    make_user("Warga Baru")  # a committed write, but not to the catalog

    assert page_cache.generation == generation
    response = get(client, SERVICE_PAGE)
    assert response.headers[CACHE_HEADER] == "hit"
    assert "Tidak jadi" not in response.get_data(as_text=True)


def test_the_htmx_fragment_and_the_full_page_are_separate_entries(client, demo_data, page_cache):
    htmx = {"HX-Request": "true"}
    fragment = get(client, SEARCH, headers=htmx)
    full = get(client, SEARCH)
    assert full.headers[CACHE_HEADER] == "miss"
    assert "<html" in full.get_data(as_text=True)
    assert "<html" not in fragment.get_data(as_text=True)

    again = get(client, SEARCH, headers=htmx)
    assert again.headers[CACHE_HEADER] == "hit"
    assert "<html" not in again.get_data(as_text=True)
    boosted = get(client, SEARCH, headers={**htmx, "HX-Boosted": "true"})
    assert boosted.headers[CACHE_HEADER] == "hit" and "<html" in boosted.get_data(as_text=True)


def test_query_order_does_not_matter_but_every_parameter_and_the_language_do(client, demo_data, page_cache):
    get(client, "/layanan?q=ktp&instansi=disdukcapil")
    assert get(client, "/layanan?instansi=disdukcapil&q=ktp").headers[CACHE_HEADER] == "hit"
    assert get(client, "/layanan?q=ktp&instansi=polres").headers[CACHE_HEADER] == "miss"

    client.set_cookie("bahasa", "en")
    english = get(client, SERVICE_PAGE)
    assert english.headers[CACHE_HEADER] == "miss"
    check_page(english.get_data(as_text=True), lang="en")
    assert get(client, SERVICE_PAGE).headers[CACHE_HEADER] == "hit"


def test_pending_flash_messages_bypass_the_cache(client, demo_data, page_cache):
    get(client, SERVICE_PAGE)
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Pesan untuk satu orang saja.")]
    assert CACHE_HEADER not in get(client, SERVICE_PAGE).headers
    assert CACHE_HEADER not in get(client, "/mpp").headers
    with client.session_transaction() as session:
        session.pop("_flashes")
    assert get(client, "/mpp").headers[CACHE_HEADER] == "miss", "nothing was stored while the flash was pending"


def test_errors_are_never_stored(client, demo_data, page_cache):
    for _ in range(2):
        response = client.get("/layanan/tidak-ada")
        assert response.status_code == 404
        assert CACHE_HEADER not in response.headers
    assert len(page_cache) == 0


def test_a_ttl_of_zero_turns_the_cache_off(client, demo_data, page_cache, monkeypatch, app):
    monkeypatch.setitem(app.config, "PAGE_CACHE_SECONDS", 0)
    for _ in range(2):
        assert CACHE_HEADER not in get(client, SERVICE_PAGE).headers
    assert len(page_cache) == 0


def test_only_public_pages_are_ever_stored(app, page_cache):
    calls = []

    @cached_page
    def private_view():
        calls.append(1)
        return "<p>Data Saya</p>"

    for _ in range(2):
        with app.test_request_context("/akun/data"):
            app.preprocess_request()
            private_view()
    assert len(calls) == 2 and len(page_cache) == 0

    for _ in range(2):
        with app.test_request_context("/publik"):
            app.preprocess_request()
            g.offline_public = True
            private_view()
    assert len(calls) == 3 and len(page_cache) == 1


def test_no_entry_outlives_the_minute_it_was_rendered_in():
    # "Buka sekarang … sampai 15.30" must turn into "Tutup" at 15.30, not up to a TTL later.
    minute = 60.0 * 29_000_000
    assert expiry(minute + 20, 60) == minute + 60  # 20 s into the minute → 40 s left, not 60
    assert expiry(minute + 20, 300) == minute + 60
    assert expiry(minute + 20, 10) == minute + 30  # a shorter TTL still wins
    cache = PageCache()
    cache.put(("k",), "<p>x</p>", generation=cache.generation, expires=100.0)
    assert cache.get(("k",), 99.9) == "<p>x</p>"
    assert cache.get(("k",), 100.0) is None


def test_a_page_rendered_before_an_edit_is_never_stored_after_it():
    cache = PageCache()
    started_at = cache.generation
    cache.invalidate()  # an admin's commit lands while the page was rendering from the old rows
    assert cache.put(("k",), "<p>lama</p>", generation=started_at, expires=1e12) is False
    assert cache.get(("k",), 0) is None


def test_the_cache_is_bounded_and_drops_the_least_recently_used_page():
    cache = PageCache(max_entries=2)
    for name in ("a", "b"):
        cache.put((name,), name, generation=0, expires=1e12)
    cache.get(("a",), 0)
    cache.put(("c",), "c", generation=0, expires=1e12)
    assert cache.get(("b",), 0) is None
    assert cache.get(("a",), 0) == "a" and cache.get(("c",), 0) == "c"
