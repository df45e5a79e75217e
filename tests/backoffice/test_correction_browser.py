"""A correction round-trip in Chromium at 360 px: the officer names the missing document, the citizen lands on its
slot with the reason in view on every screen, attaches it and is told "Perbaikan terkirim"; and one event shows one
clock time, with its zone, in the notification inbox, Riwayat akses and the timeline."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.applications.models import ApplicationStatus as S
from tests.helpers import PageClient, look, wait_for_arrival

from ..applications.conftest import png_bytes
from .conftest import load, submit_application

pytestmark = pytest.mark.browser

REASON = "KTP-el yang rusak belum dilampirkan. Unggah fotonya."
WHEN = re.compile(r"\d{1,2} \w{3} \d{4}, (\d\d\.\d\d) (WIB|WITA|WIT)")


def _sign_in(app, context, base_url, user, signed_in) -> None:
    client = PageClient(app.test_client())
    signed_in(client, user)
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base_url}])


@pytest.fixture
def citizen_page(app, browser, base_url, citizen, signed_in, browser_context_args):
    """The applicant's own phone: a second browser context."""
    context = browser.new_context(**browser_context_args)
    _sign_in(app, context, base_url, citizen, signed_in)
    page = context.new_page()
    yield page
    context.close()


def test_the_officer_names_a_missing_document_and_the_citizen_attaches_it_where_the_correction_opens(
    app, page, base_url, citizen, citizen_page, officer, signed_in, demo, tmp_path
):
    number = submit_application(app, citizen)
    _sign_in(app, page.context, base_url, officer, signed_in)
    page.goto(f"{base_url}/petugas/permohonan/{number}")
    page.fill("#f-reason-perbaikan", REASON)
    page.select_option("#f-bagian-perbaikan", label="Dokumen: KTP-el yang rusak")
    look(page, "kb-01-petugas-minta-perbaikan")
    page.get_by_role("button", name="Minta perbaikan kepada pemohon").click()
    expect(page.locator(".notice.success")).to_be_visible()
    assert load(app, number).status == S.NEEDS_CORRECTION

    citizen = citizen_page
    citizen.goto(f"{base_url}/permohonan/{number}")
    citizen.get_by_role("button", name="Perbaiki dan ajukan ulang").click()
    citizen.wait_for_url(re.compile(r".*/permohonan/draf/[0-9a-f-]+/dokumen\?kembali=periksa$"))
    notice = citizen.locator(".correction-request")
    expect(notice).to_contain_text(REASON)
    expect(notice).to_contain_text("KTP-el yang rusak")
    expect(citizen.locator("#f-dokumen-ktp-group legend")).to_contain_text("Diminta petugas")
    expect(citizen.get_by_text(re.compile(r"Langkah 1 dari"))).to_have_count(0)
    look(citizen, "kb-02-warga-slot-dokumen")

    # Saving without it keeps the citizen on the slot with the error; with it, back to the summary.
    citizen.get_by_role("button", name="Simpan dan kembali ke ringkasan").click()
    expect(citizen.locator("#f-dokumen-ktp-error")).to_be_visible()
    expect(notice).to_contain_text(REASON)
    scan = tmp_path / "ktp-rusak.png"
    scan.write_bytes(png_bytes())
    citizen.set_input_files("#f-unggah-ktp", str(scan))
    citizen.get_by_role("button", name="Simpan dan kembali ke ringkasan").click()
    citizen.wait_for_url(re.compile(r".*/periksa$"))
    expect(citizen.locator(".correction-request")).to_contain_text(REASON)
    look(citizen, "kb-03-warga-ringkasan-perbaikan")
    citizen.check("#f-pernyataan")
    citizen.get_by_role("button", name="Ajukan perbaikan").click()
    wait_for_arrival(citizen, re.compile(rf".*/permohonan/{number}\?terkirim=1$"))
    expect(citizen.locator(".confirmation h2")).to_have_text("Perbaikan terkirim")
    look(citizen, "kb-04-perbaikan-terkirim")
    assert load(app, number).status == S.SUBMITTED


def test_one_event_shows_one_clock_time_with_its_zone_everywhere_the_citizen_sees_it(
    app, page, base_url, citizen, citizen_page, officer, signed_in, demo
):
    number = submit_application(app, citizen)  # MPP Kota Kendari: WITA
    _sign_in(app, page.context, base_url, officer, signed_in)
    page.goto(f"{base_url}/petugas/permohonan/{number}")  # opening it writes Riwayat akses
    page.get_by_role("button", name="Verifikasi: data dan dokumen lengkap").click()
    expect(page.locator(".notice.success")).to_be_visible()
    officer_time = WHEN.search(page.locator(".bo-history li").first.inner_text())
    assert officer_time and officer_time[2] == "WITA"

    citizen = citizen_page
    citizen.goto(f"{base_url}/permohonan/{number}")
    timeline = WHEN.search(citizen.locator(".timeline li").first.inner_text())
    citizen.goto(f"{base_url}/notifikasi")
    inbox = WHEN.search(citizen.locator("main time").first.inner_text())
    look(citizen, "kb-05-notifikasi-wita")
    citizen.goto(f"{base_url}/akun/privasi")
    access = WHEN.search(citizen.locator(".access-when").first.inner_text())
    look(citizen, "kb-06-riwayat-akses-wita")
    # The same moment (to the minute, the verification follows the opening at once) in the same zone.
    assert {m[2] for m in (timeline, inbox, access)} == {"WITA"}
    assert timeline[1] == inbox[1] == officer_time[1]
    assert abs(int(access[1].replace(".", "")) - int(inbox[1].replace(".", ""))) <= 1
