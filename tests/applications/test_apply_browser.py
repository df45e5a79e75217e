"""The apply pages in Chromium at 360 px: zero axe violations on every step, in the error state too."""

from __future__ import annotations

import pytest

from tests.accounts.fixtures import sign_in_test_client
from tests.helpers import assert_no_axe_violations, shot, wait_for_arrival

from .conftest import PERSON, SERVICE, add_document, applications


@pytest.fixture
def citizen_page(app, page, base_url, citizen, demo_forms):
    client = app.test_client()
    sign_in_test_client(app, client, citizen)
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base_url}])
    return page


def test_every_step_of_applying_has_no_axe_violations(app, citizen_page, base_url, citizen):
    page = citizen_page
    add_document(app, citizen)
    page.goto(f"{base_url}/layanan/{SERVICE}/ajukan")
    assert_no_axe_violations(page)
    shot(page, "01-start")
    page.get_by_role("button", name="Mulai permohonan").click()
    page.wait_for_url("**/pemohon")
    # Error state first: an impossible NIK and an empty name.
    page.fill("#f-nik", "12345")
    page.get_by_role("button", name="Simpan dan lanjutkan").click()
    page.wait_for_selector(".error-summary")
    assert page.input_value("#f-nik") == "12345"
    assert_no_axe_violations(page)
    shot(page, "02-step-errors")
    for name, value in PERSON.items():
        if name != "jenis_kelamin":
            page.fill(f"#f-{name}", value)
    page.check("#f-jenis_kelamin-2")
    page.get_by_role("button", name="Simpan dan lanjutkan").click()
    page.wait_for_url("**/alamat")
    assert_no_axe_violations(page)
    shot(page, "03-address")
    page.fill("#f-alamat-street", "Jl. Ahmad Yani No. 12")
    for part, value in (("rt", "003"), ("rw", "004"), ("village", "Bende"), ("district", "Kadia")):
        page.fill(f"#f-alamat-{part}", value)
    page.fill("#f-alamat-city", "Kota Kendari")
    page.fill("#f-alamat-province", "Sulawesi Tenggara")
    page.fill("#f-no_hp", "081234567890")
    page.get_by_role("button", name="Simpan dan lanjutkan").click()
    page.wait_for_url("**/kejadian")
    page.check("#f-alasan")
    page.fill("#f-tanggal_kejadian", "2026-01-05")
    page.get_by_role("button", name="Simpan dan lanjutkan").click()
    page.wait_for_url("**/keterangan")
    page.fill("#f-nomor_laporan", "SKTLK/123/I/2026")
    page.get_by_role("button", name="Simpan dan lanjutkan").click()
    page.wait_for_url(lambda url: not url.endswith("/keterangan"))
    while not page.url.endswith("/periksa"):  # where (when several MPPs offer it), then documents
        current = page.url
        page.wait_for_selector("form[data-draft-id] input[type=radio]")
        assert_no_axe_violations(page)
        shot(page, "04-" + current.rsplit("/", 1)[1])
        page.locator("form[data-draft-id] input[type=radio]").first.check()
        page.get_by_role("button", name="Simpan dan lanjutkan").click()
        page.wait_for_url(lambda url, current=current: url != current)
    page.wait_for_selector("#f-pernyataan")
    page.get_by_role("button", name="Ajukan permohonan").click()
    page.wait_for_selector("#f-pernyataan-error")
    assert_no_axe_violations(page)
    shot(page, "05-check-error")
    page.check("#f-pernyataan")
    page.get_by_role("button", name="Ajukan permohonan").click()
    wait_for_arrival(page, "**/permohonan/*?terkirim=1")
    assert len(applications(app)) == 1
    assert_no_axe_violations(page)
    shot(page, "06-submitted")
    page.goto(f"{base_url}/permohonan")
    assert_no_axe_violations(page)
    shot(page, "07-list")
