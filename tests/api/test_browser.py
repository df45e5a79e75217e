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


def test_an_admin_registers_a_webhook_in_the_browser(app, page, base_url, signed_in, admin_user, make_token):  # noqa: F811
    make_token()
    _sign_in_page(app, page, base_url, admin_user(), signed_in)
    page.goto(f"{base_url}{URL}")
    page.locator("details.integration-new-webhook summary").click()  # opens the <details>
    address = page.get_by_label("Alamat penerima di sistem instansi")
    address.fill("https://10.0.0.5/webhook")
    page.get_by_label("Permohonan diajukan", exact=True).check()
    page.get_by_role("button", name="Daftarkan webhook").click()
    error = page.locator(".integration-new-webhook .field-error")
    expect(error).to_contain_text("https")
    expect(page.get_by_label("Alamat penerima di sistem instansi")).to_have_value("https://10.0.0.5/webhook")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "integrasi-webhook-galat")
    assert_no_axe_violations(page)
    page.get_by_label("Alamat penerima di sistem instansi").fill("http://127.0.0.1:9/webhook")  # this machine, in tests
    page.get_by_role("button", name="Daftarkan webhook").click()
    expect(page.locator(".integration-token")).to_contain_text("whsec_")
    shot(page, "integrasi-webhook-rahasia")
    assert_no_axe_violations(page)


def test_a_catalog_preview_reads_on_a_phone(app, page, base_url, signed_in, make_user, demo_data, tmp_path):
    import json

    from app.accounts.models import Role
    from app.catalog import catalog_io
    from app.extensions import db

    with app.app_context():
        document = catalog_io.export_catalog()
        db.session.remove()
    document["services"][0]["name"] = "Nama Baru Layanan"
    document["services"][1]["channels"] = [{"kind": "nasional", "name": "Contoh", "url": "http://contoh.go.id/"}]
    path = tmp_path / "katalog.json"
    path.write_text(json.dumps(document))
    _sign_in_page(app, page, base_url, make_user("Admin Nasional", role=Role.NATIONAL_ADMIN), signed_in)
    page.goto(f"{base_url}/admin/integrasi/katalog")
    page.set_input_files("#f-berkas", str(path))
    page.get_by_role("button", name="Impor").click()
    expect(page.get_by_role("heading", name="Pratinjau: belum ada yang disimpan")).to_be_visible()
    expect(page.locator("main")).to_contain_text("tidak sesuai salah satu bentuk")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "katalog-pratinjau")
    assert_no_axe_violations(page)
