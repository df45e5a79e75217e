"""Admin pages and the SLA table in a real Chromium at 360 px: zero axe violations, errors shown included."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.accounts.models import Role

from ..backoffice.conftest import officer, submit_application  # noqa: F401
from ..helpers import look  # a 360 px phone never scrolls sideways: wide tables scroll in their own region


@pytest.fixture
def as_user(app, page, base_url, client, signed_in):
    def sign(user):
        signed_in(client, user)
        cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
        page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base_url}])
        return page

    return sign


def test_mpp_admin_pages_have_no_axe_violations(as_user, make_staff, base_url):
    page = as_user(make_staff(Role.MPP_ADMIN, agency=None, name="Admin Kendari"))
    for path, name in [("/admin", "home"), ("/admin/mpp/kota-kendari", "mpp"), ("/admin/riwayat", "history"),
                       ("/admin/ringkasan", "summary"), ("/admin/mpp/kota-kendari/profil", "profile")]:  # fmt: skip
        page.goto(base_url + path)
        look(page, f"admin-{name}")
    page.goto(base_url + "/admin/mpp/kota-kendari/jam")
    page.fill("#f-jam-0-1-tutup", "07.00")
    page.click("form.admin-form .form-actions button")
    expect(page.locator("#f-jam-0-1-tutup-error")).to_be_visible()
    look(page, "admin-hours-error")
    page.goto(base_url + "/admin/mpp/kota-kendari/layanan/ktp-el-hilang-rusak")
    page.fill("#f-biaya-0-jumlah", "Rp 30.000")
    page.fill("#f-nama", "")
    page.click("form.admin-form .form-actions button")
    assert page.locator("#f-biaya-0-jumlah").input_value() == "Rp 30.000"
    look(page, "admin-service-error")
    page.goto(base_url + "/admin/riwayat")
    look(page, "admin-history-after")


def test_national_admin_region_form_with_errors(as_user, make_staff, base_url):
    page = as_user(make_staff(Role.NATIONAL_ADMIN, mpp=None, agency=None, name="Admin Nasional"))
    page.goto(base_url + "/admin/wilayah")
    page.fill("#f-kode", "12")
    page.click("form.admin-form .form-actions button")
    expect(page.locator("#f-kode-error")).to_be_visible()
    look(page, "admin-regions-error")
    page.goto(base_url + "/admin/mpp/baru")
    look(page, "admin-mpp-new")


def test_the_sla_table_on_the_work_page(app, as_user, citizen, officer, base_url):  # noqa: F811
    number = submit_application(app, citizen)
    page = as_user(officer)
    page.goto(f"{base_url}/petugas/permohonan/{number}")
    expect(page.locator("#sla .sla-steps")).to_be_visible()  # a card per step at 360 px; the table from 40rem
    look(page, "sla-work-page")
