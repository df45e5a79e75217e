"""The service worker in a real Chromium: installable, offline reading of public pages, nothing personal kept."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ..helpers import wait_until
from .worker import (
    MAIN_HEADING,
    cache_names,
    cached_paths,
    goto_controlled,
    stored_pages,
    visit_and_store,
)

OFFLINE_HEADING = "Tidak ada koneksi internet"


@pytest.fixture
def worker_page(page):
    """A page controlled by the installed service worker, with its shell precached."""
    goto_controlled(page, "/")
    return page


def static_cache(page) -> str:
    [name] = [name for name in cache_names(page) if name.startswith("mpp-static-")]
    return name


def test_the_worker_takes_control_and_precaches_the_shell_with_the_offline_page(worker_page):
    paths = cached_paths(worker_page, static_cache(worker_page))
    assert "/offline" in paths
    for name in ("css/app.css", "js/app.js", "vendor/htmx-2.0.11.min.js", "icons/icon.svg"):
        assert any(path.startswith(f"/static/{name}?v=") for path in paths), name
    # The offline-drafts kit is not in it: the first apply page brings it (tests/applications/test_offline_browser.py).
    assert not [path for path in paths if path.startswith(("/static/js/drafts.js", "/luring/formulir"))]
    assert not [name for name in cache_names(worker_page) if name.startswith("mpp-drafts-kit-")]


def test_a_public_page_visited_online_can_be_read_offline(worker_page):
    visit_and_store(worker_page, "/")
    heading = worker_page.locator(MAIN_HEADING).inner_text()

    worker_page.context.set_offline(True)
    worker_page.reload()

    assert worker_page.locator(MAIN_HEADING).inner_text() == heading
    expect(worker_page.locator("#offline-banner")).to_be_visible()
    # The stylesheet came from the worker's cache: the header is painted in the brand colour, not unstyled.
    header_colour = worker_page.locator(".site-header").evaluate("el => getComputedStyle(el).backgroundColor")
    assert header_colour == "rgb(11, 83, 148)"


CATALOG_PAGES = ["/layanan/ktp-el-baru", "/layanan?q=paspor", "/mpp/kota-kendari", "/instansi/disdukcapil"]


def test_catalog_pages_visited_online_can_be_read_offline(demo_data, worker_page):
    headings = {}
    for path in CATALOG_PAGES:
        visit_and_store(worker_page, path)
        headings[path] = worker_page.locator(MAIN_HEADING).inner_text()

    worker_page.context.set_offline(True)
    for path in CATALOG_PAGES:
        worker_page.goto(path)
        assert worker_page.locator(MAIN_HEADING).inner_text() == headings[path], path
    # A search never made online is not invented from another one.
    worker_page.goto("/layanan?q=skck")
    assert worker_page.locator(MAIN_HEADING).inner_text() == OFFLINE_HEADING


def test_a_page_never_visited_shows_the_offline_page_at_the_address_asked_for(worker_page):
    worker_page.context.set_offline(True)
    worker_page.goto("/layanan/belum-pernah-dibuka")

    assert worker_page.locator(MAIN_HEADING).inner_text() == OFFLINE_HEADING
    assert worker_page.url.endswith("/layanan/belum-pernah-dibuka")  # "Coba lagi" reloads the page asked for
    expect(worker_page.locator("#offline-banner")).to_be_visible()


def test_a_page_without_the_public_marker_is_never_stored(worker_page):
    visit_and_store(worker_page, "/offline")
    worker_page.goto("/halaman-yang-tidak-ada")  # an HTML page served `no-store` without X-MPP-Offline
    worker_page.goto("/healthz")
    worker_page.goto("/")  # something public after them, so the worker has had time to store anything it wanted
    visit_and_store(worker_page, "/")

    every_cached_path = [path for name in cache_names(worker_page) for path in cached_paths(worker_page, name)]
    assert "/halaman-yang-tidak-ada" not in every_cached_path
    assert "/healthz" not in every_cached_path
    assert set(stored_pages(worker_page)) == {"/offline", "/"}

    worker_page.context.set_offline(True)
    worker_page.goto("/halaman-yang-tidak-ada")
    assert worker_page.locator(MAIN_HEADING).inner_text() == OFFLINE_HEADING


def test_the_offline_page_lists_the_pages_saved_on_this_device(worker_page):
    visit_and_store(worker_page, "/")
    home_title = worker_page.title().removesuffix(" · MPP Digital")

    worker_page.context.set_offline(True)
    worker_page.goto("/mpp/belum-pernah-dibuka")

    saved = worker_page.get_by_role("region", name="Halaman yang tersimpan di perangkat ini")
    link = saved.get_by_role("link", name=home_title)
    link.wait_for()
    assert link.get_attribute("href") == "/"
    link.click()
    assert worker_page.locator(MAIN_HEADING).inner_text() == home_title


def test_when_the_server_cannot_be_reached_the_stored_page_is_shown_with_the_offline_banner(worker_page):
    # A real outage: the phone believes it is online (no `offline` event) but requests fail.
    visit_and_store(worker_page, "/")
    worker_page.context.route("**/*", lambda route: route.abort("connectionrefused"))
    worker_page.reload()

    assert worker_page.evaluate("navigator.onLine") is True
    expect(worker_page.locator(MAIN_HEADING)).to_be_visible()
    worker_page.locator("#offline-banner").wait_for(state="visible")


def test_the_offline_banner_appears_and_disappears_with_the_connection(worker_page):
    banner = worker_page.locator("#offline-banner")
    expect(banner).to_be_hidden()
    worker_page.context.set_offline(True)
    banner.wait_for(state="visible")
    assert banner.locator("xpath=..").get_attribute("role") == "status"
    worker_page.context.set_offline(False)
    banner.wait_for(state="hidden")


def test_a_repeat_visit_loads_static_assets_from_the_worker_cache(worker_page):
    responses = []
    worker_page.on("response", lambda response: responses.append(response))
    worker_page.reload()
    worker_page.wait_for_load_state("load")

    static = [response for response in responses if "/static/" in response.url]
    assert static, "the page loaded no static assets"
    assert all(response.from_service_worker for response in static), [
        response.url for response in static if not response.from_service_worker
    ]


def test_the_app_is_installable_with_a_valid_manifest(worker_page):
    cdp = worker_page.context.new_cdp_session(worker_page)
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["url"].endswith("/manifest.webmanifest")
    assert manifest["errors"] == []
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    # Every Playwright context is incognito; that is the only reason Chromium may give.
    assert [error["errorId"] for error in errors if error["errorId"] != "in-incognito"] == []


def test_forgetting_the_account_deletes_every_cache_except_the_shell_and_the_public_pages(worker_page):
    visit_and_store(worker_page, "/")
    worker_page.evaluate("caches.open('mpp-drafts-test').then((c) => c.put('/permohonan/x', new Response('NIK')))")
    assert "mpp-drafts-test" in cache_names(worker_page)

    worker_page.evaluate(
        """() => new Promise((resolve) => {
            navigator.serviceWorker.addEventListener("message", (event) => {
                if (event.data.type === "account-forgotten") resolve();
            });
            navigator.serviceWorker.controller.postMessage({ type: "forget-account" });
        })"""
    )

    names = cache_names(worker_page)
    assert "mpp-drafts-test" not in names
    assert static_cache(worker_page) in names
    assert "/" in stored_pages(worker_page)


def test_a_signed_out_page_asks_the_worker_to_forget_the_account(worker_page):
    worker_page.evaluate("caches.open('mpp-drafts-test').then((c) => c.put('/permohonan/x', new Response('NIK')))")
    app_js = worker_page.locator("script[type=module]").first.get_attribute("src")
    # The page the accounts capability shows after /keluar carries this marker (see static/js/app.js).
    signed_out = (
        '<!doctype html><html lang="id"><head><title>Keluar</title><meta name="mpp-forget-account" content="1">'
        f'<script type="module" src="{app_js}"></script></head><body><h1>Keluar</h1></body></html>'
    )
    worker_page.context.route("**/sudah-keluar", lambda route: route.fulfill(content_type="text/html", body=signed_out))
    worker_page.goto("/sudah-keluar")
    wait_until(worker_page, "async () => !(await caches.keys()).includes('mpp-drafts-test')")
    assert static_cache(worker_page) in cache_names(worker_page)


def test_after_switching_language_the_offline_page_is_saved_again_in_that_language(worker_page):
    worker_page.get_by_role("link", name="English").click()
    worker_page.wait_for_url("**/")
    assert worker_page.locator("html").get_attribute("lang") == "en"
    wait_until(
        worker_page,
        """async () => {
            const offline = await caches.match("/offline", { ignoreVary: true });
            return offline !== undefined && (await offline.text()).includes('<html lang="en">');
        }""",
    )

    worker_page.context.set_offline(True)
    worker_page.goto("/layanan/belum-pernah-dibuka")
    assert worker_page.locator(MAIN_HEADING).inner_text() == "No internet connection"
