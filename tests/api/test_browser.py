"""In a real browser at 360 px: the admin makes a token (shown once) with an error first, and the API docs page;
both without axe violations."""

from __future__ import annotations

import os

from playwright.sync_api import expect

from tests.helpers import PageClient, assert_no_axe_violations, shot

from .test_admin import URL, admin_user  # noqa: F401


def _sign_in_page(app, page, base_url, user, signed_in) -> None:
    client = PageClient(app.test_client())
    signed_in(client, user)
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base_url}])


def test_an_admin_makes_a_token_in_the_browser(app, page, base_url, signed_in, admin_user):  # noqa: F811
    _sign_in_page(app, page, base_url, admin_user(), signed_in)
    page.goto(f"{base_url}{URL}")
    page.get_by_label("Nama sistem instansi").fill("SIAK Disdukcapil")
    page.get_by_role("button", name="Buat token").click()
    expect(page.locator("#f-instansi-error")).to_be_visible()
    expect(page.get_by_label("Nama sistem instansi")).to_have_value("SIAK Disdukcapil")
    shot(page, "integrasi-galat")
    assert_no_axe_violations(page)
    page.get_by_label("Instansi", exact=True).select_option(label="Dinas Kependudukan dan Pencatatan Sipil")
    page.locator("input[name='izin-applications:read']").check()
    page.get_by_role("button", name="Buat token").click()
    token = page.locator(".integration-token")
    expect(token).to_contain_text("mppd_")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "integrasi-token-baru")
    assert_no_axe_violations(page)
    if os.environ.get("MPP_SHOTS"):
        page.screenshot(path=os.path.join(os.environ["MPP_SHOTS"], "integrasi-full.png"), full_page=True)


def test_the_api_docs_page_reads_on_a_phone(page, base_url, demo_data):
    page.goto(f"{base_url}/api/v1/docs")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "api-docs")
    assert_no_axe_violations(page)
    if os.environ.get("MPP_SHOTS"):
        page.screenshot(path=os.path.join(os.environ["MPP_SHOTS"], "api-docs-full.png"), full_page=True)


def test_a_service_run_by_a_national_e_service_shows_its_link_on_a_phone(page, base_url, demo_data):
    page.goto(f"{base_url}/layanan/paspor-biasa")
    expect(page.get_by_role("link", name="Ajukan di M-Paspor")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "layanan-m-paspor")
    assert_no_axe_violations(page)
    if os.environ.get("MPP_SHOTS"):
        page.screenshot(path=os.path.join(os.environ["MPP_SHOTS"], "layanan-paspor.png"))
