"""Where a signed-in citizen goes next: a tab bar at the bottom of a phone (Beranda · Permohonan · Notifikasi · Akun)
with the unread count, the header on one line, and "Keluar" on the Akun page — in Chromium at 360 px, and without
JavaScript. Public pages carrying the bar stay shareable: no count and nothing personal is rendered into them.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.navigation import tab_section
from tests.helpers import assert_no_axe_violations, shot

from .notifications.test_pages import notify

TABS = ["Beranda", "Permohonan", "Notifikasi", "Akun"]


def _sign_in(app, context, base_url, client, user, signed_in) -> None:
    signed_in(client, user)
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base_url}])


@pytest.mark.parametrize(
    ("path", "tab"),
    [
        ("/", "beranda"),
        ("/layanan", None),
        ("/permohonan", "permohonan"),
        ("/permohonan/7471-26-AAAA-AAA", "permohonan"),
        ("/notifikasi", "notifikasi"),
        ("/akun/data", "akun"),
        ("/akunx", None),
        ("/petugas/permohonan/1", "petugas"),
    ],
)
def test_the_current_tab_follows_the_path_alone(path, tab):
    assert tab_section(path) == tab


def test_a_phone_shows_the_tab_bar_with_the_unread_count_and_the_header_on_one_line(
    app, page, base_url, client, citizen, signed_in, demo_data
):
    notify(app, citizen)
    _sign_in(app, page.context, base_url, client, citizen, signed_in)
    page.goto(f"{base_url}/layanan")
    bar = page.get_by_role("navigation", name="Menu akun")
    expect(bar).to_be_visible()
    links = bar.get_by_role("link")
    expect(links).to_have_count(4)
    for index, name in enumerate(TABS):
        expect(links.nth(index)).to_contain_text(name)
        box = links.nth(index).bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, f"{name}: {box}"
    # The count is fetched by push.js, not rendered: it appears once the page asked for it.
    expect(bar.locator("[data-unread-number]")).to_have_text("1")
    # The header holds brand and the public places on one row; "Keluar" is not left alone on a second line.
    header = page.locator(".site-header .header-row").bounding_box()
    assert header["height"] < 60, header
    expect(page.locator(".site-header").get_by_role("button", name="Keluar")).to_be_hidden()
    shot(page, "nav-360-layanan")
    assert_no_axe_violations(page)

    # The tabs lead where they say, and the current one is marked for screen readers.
    links.nth(1).click()
    page.wait_for_url(f"{base_url}/permohonan")
    expect(bar.get_by_role("link", name="Permohonan")).to_have_attribute("aria-current", "page")
    expect(bar.locator("[aria-current]")).to_have_count(1)
    bar.get_by_role("link", name="Akun").click()
    page.wait_for_url(f"{base_url}/akun")
    expect(bar.get_by_role("link", name="Akun")).to_have_attribute("aria-current", "page")
    # Akun lists Permohonan Saya and holds "Keluar".
    expect(page.locator("main").get_by_role("link", name="Permohonan Saya")).to_be_visible()
    shot(page, "nav-360-akun")
    page.locator("main").get_by_role("button", name="Keluar", exact=True).click()
    page.wait_for_url(f"{base_url}/keluar")
    # Signed out: no tab bar, the header offers "Masuk".
    page.goto(f"{base_url}/")
    expect(page.get_by_role("navigation", name="Menu akun")).to_have_count(0)
    expect(page.locator(".site-header").get_by_role("link", name="Masuk")).to_be_visible()


def test_the_tab_bar_works_without_javascript(app, browser, base_url, client, citizen, signed_in, demo_data):
    context = browser.new_context(
        viewport={"width": 360, "height": 780}, java_script_enabled=False, locale="id-ID", is_mobile=True
    )
    try:
        _sign_in(app, context, base_url, client, citizen, signed_in)
        page = context.new_page()
        page.goto(f"{base_url}/")
        bar = page.get_by_role("navigation", name="Menu akun")
        expect(bar.get_by_role("link", name="Beranda")).to_have_attribute("aria-current", "page")
        bar.get_by_role("link", name="Notifikasi").click()
        page.wait_for_url(f"{base_url}/notifikasi")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        bar.get_by_role("link", name="Akun").click()
        page.wait_for_url(f"{base_url}/akun")
    finally:
        context.close()


def test_a_wide_screen_keeps_the_header_menu_and_no_tab_bar(app, page, base_url, client, citizen, signed_in, demo_data):
    page.set_viewport_size({"width": 1280, "height": 800})
    _sign_in(app, page.context, base_url, client, citizen, signed_in)
    page.goto(f"{base_url}/permohonan")
    expect(page.get_by_role("navigation", name="Menu akun")).to_be_hidden()
    nav = page.locator(".site-nav")
    expect(nav.get_by_role("link", name="Permohonan Saya")).to_have_attribute("aria-current", "page")
    expect(nav.get_by_role("button", name="Keluar")).to_be_visible()
    shot(page, "nav-1280-permohonan")


def test_public_pages_with_the_tab_bar_render_nothing_personal(
    app, client, citizen, other_citizen, signed_in, demo_data
):
    notify(app, citizen)
    notify(app, citizen)
    pages = []
    for user in (citizen, other_citizen):
        signed_in(client, user)
        page = client.get_page("/layanan")
        bar = page.select_one("nav.tab-bar")
        assert bar is not None
        assert bar.select_one("[data-unread-number]").text == ""
        pages.append(str(bar))
        client.post("/keluar")
    # Two citizens, one with unread notices, get the same bar: it can be cached and shared by role.
    assert pages[0] == pages[1]
    assert client.get_page("/layanan").select_one("nav.tab-bar") is None
