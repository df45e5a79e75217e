"""The front desk in Chromium: the officer's tablet (800 × 1280) and the citizen's phone (360 px, a second browser
context with its own virtual authenticator). The citizen signs up, shows the code for the officer, the officer fills
in the form, and the citizen confirms the declaration with their passkey while the officer's page waits for it.
Zero axe violations on every page of the journey, errors shown included."""

from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.applications.models import Application
from app.extensions import db
from app.frontdesk.models import AssistedApplication, AssistStatus, ConfirmationMethod
from tests.helpers import assert_no_axe_violations, shot, wait_for_arrival

from ..accounts.test_browser import add_authenticator, sign_up
from ..applications.conftest import VALID, png_bytes
from .conftest import fill_form

TABLET = {"width": 800, "height": 1280}


@pytest.fixture
def desk_page(app, browser, base_url, desk, browser_context_args):
    """The officer's tablet: a browser context carrying the front-desk officer's session."""
    cookie = desk.get_cookie(app.config["SESSION_COOKIE_NAME"])
    context = browser.new_context(**{**browser_context_args, "viewport": TABLET, "device_scale_factor": 1})
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base_url}])
    page = context.new_page()
    yield page
    context.close()


def test_the_officer_fills_in_the_form_at_the_counter_and_the_citizen_confirms_on_their_phone(
    app, page, desk_page, desk, base_url, mailbox
):
    # The citizen's phone: an account with a passkey, then the code for the officer from Akun.
    add_authenticator(page)
    sign_up(page, base_url, mailbox, name="Siti Rahayu", email="siti@contoh.id")
    page.goto(f"{base_url}/akun")
    page.get_by_role("link", name=re.compile("Bantuan di loket informasi MPP")).click()
    page.wait_for_url(f"{base_url}/akun/kode-petugas")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Tampilkan kode").click()
    code = re.sub(r"\D", "", page.locator(".big-code").inner_text())
    shot(page, "desk-01-kode-ponsel-360")
    assert_no_axe_violations(page)

    # The officer's tablet: /petugas is the desk for a front-desk officer.
    desk_page.goto(f"{base_url}/petugas")
    expect(desk_page.get_by_role("heading", level=1)).to_have_text("Loket informasi")
    shot(desk_page, "desk-02-beranda-800")
    assert_no_axe_violations(desk_page)
    desk_page.get_by_role("button", name="Bantu warga baru").click()
    expect(desk_page.get_by_role("heading", level=1)).to_have_text("Temukan akun warga")
    desk_page.get_by_label("Kode di ponsel warga").fill("000000")
    desk_page.get_by_role("button", name="Temukan akun").click()
    expect(desk_page.locator("#f-kode-ponsel-error")).to_be_visible()
    expect(desk_page.get_by_label("Kode di ponsel warga")).to_have_value("000000")
    shot(desk_page, "desk-03-identifikasi-salah-800")
    assert_no_axe_violations(desk_page)
    desk_page.get_by_label("Kode di ponsel warga").fill(code)
    desk_page.get_by_role("button", name="Temukan akun").click()
    expect(desk_page.get_by_role("heading", level=1)).to_have_text("Pilih layanan")
    assert_no_axe_violations(desk_page)
    desk_page.get_by_label("Layanan").select_option("ktp-el-hilang-rusak")
    desk_page.get_by_role("button", name="Mulai mengisi formulir").click()
    desk_page.wait_for_url(re.compile(r".*/langkah/[a-z_-]+$"))
    # The first screen in the browser, with an error shown; then the rest through the same session.
    desk_page.get_by_role("button", name="Simpan dan lanjutkan").click()
    expect(desk_page.locator(".error-summary")).to_be_visible()
    shot(desk_page, "desk-04-langkah-salah-800")
    assert_no_axe_violations(desk_page)
    assistance = re.search(r"(/petugas/layanan-informasi/[0-9a-f-]{36})", desk_page.url).group(1)
    fill_every_screen(desk, assistance)
    desk_page.goto(f"{base_url}{assistance}")
    expect(desk_page.get_by_role("heading", level=1)).to_have_text("Ringkasan permohonan")
    shot(desk_page, "desk-05-ringkasan-800")
    assert_no_axe_violations(desk_page)
    desk_page.get_by_role("button", name="Minta konfirmasi warga").click()
    expect(desk_page.get_by_role("heading", level=1)).to_have_text("Menunggu konfirmasi warga")
    shot(desk_page, "desk-06-menunggu-800")
    assert_no_axe_violations(desk_page)

    # The citizen confirms on their phone with their own passkey.
    page.goto(f"{base_url}/akun")
    page.get_by_role("link", name=re.compile("Bantuan di loket informasi MPP")).click()
    page.wait_for_url(f"{base_url}/akun/bantuan")
    assert_no_axe_violations(page)
    page.get_by_role("link", name=re.compile("KTP-el")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Konfirmasi permohonan Anda")
    expect(page.get_by_text("Dibantu oleh petugas Rina Loket")).to_be_visible()
    shot(page, "desk-07-konfirmasi-360")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Konfirmasi dengan passkey saya").click()
    wait_for_arrival(page, re.compile(r".*/permohonan/[0-9A-Z-]+\?terkirim=1$"))
    expect(page.get_by_text("Dibantu oleh petugas Rina Loket di")).to_be_visible()
    shot(page, "desk-08-permohonan-warga-360")

    # The officer's page learns it by itself (polling) and shows the receipt.
    expect(desk_page.get_by_role("heading", level=1)).to_have_text("Permohonan diajukan", timeout=15000)
    shot(desk_page, "desk-09-selesai-800")
    assert_no_axe_violations(desk_page)
    with app.app_context():
        assisted = db.session.scalar(select(AssistedApplication))
        assert assisted.status == AssistStatus.CONFIRMED and assisted.confirmation == ConfirmationMethod.PASSKEY
        application = db.session.get(Application, assisted.application_id)
        assert application.user_id == assisted.citizen_id
        number = application.tracking_number
    expect(desk_page.get_by_text(number)).to_be_visible()

    # Riwayat akses on the citizen's phone names the officer and the MPP.
    page.goto(f"{base_url}/akun/privasi")
    expect(page.get_by_text("Dibantu oleh petugas Rina Loket di").first).to_be_visible()


def fill_every_screen(desk_client, assistance: str) -> None:
    """Every screen with valid answers and the KK uploaded, as the officer would (the tablet's own session)."""
    response = desk_client.get(assistance)
    steps = list(dict.fromkeys(re.findall(rf"{assistance}/langkah/([a-z_-]+)", response.get_data(as_text=True))))
    for step in steps:
        data = dict(VALID)
        if step == "dokumen":
            data["unggah.kk"] = (io.BytesIO(png_bytes()), "kk.png")
            result = desk_client.post(f"{assistance}/langkah/{step}", data=data, content_type="multipart/form-data")
        else:
            result = desk_client.post(f"{assistance}/langkah/{step}", data=data)
        assert result.status_code == 303, (step, result.status_code)


def test_the_paper_consent_form_shows_its_errors_accessibly(app, desk_page, desk, base_url, citizen, signed_in):
    from ..helpers import PageClient

    phone = PageClient(app.test_client())
    signed_in(phone, citizen)
    code = re.sub(r"\D", "", phone.post_page("/akun/kode-petugas").select_one(".big-code").get_text())
    response = desk.post("/petugas/layanan-informasi/mulai", data={"mpp": "kota-kendari"})
    assistance = response.headers["Location"]
    desk.post(f"{assistance}/kode-ponsel", data={"kode_ponsel": code})
    fill_form(desk, assistance)
    desk.post(f"{assistance}/minta-konfirmasi")
    desk_page.goto(f"{base_url}{assistance}")
    desk_page.get_by_role("button", name="Unggah dan ajukan").click()
    expect(desk_page.locator("#f-ditandatangani-error")).to_be_visible()
    shot(desk_page, "desk-10-kertas-salah-800")
    assert_no_axe_violations(desk_page)


def test_the_desk_and_the_citizens_code_page_fit_360_px(app, page, base_url, desk, citizen, signed_in):
    """The officer's pages on a phone-sized screen, and the citizen's pages with nothing waiting."""
    cookie = desk.get_cookie(app.config["SESSION_COOKIE_NAME"])
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base_url}])
    page.goto(f"{base_url}/petugas/layanan-informasi")
    shot(page, "desk-360-beranda")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Bantu warga baru").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Temukan akun warga")
    shot(page, "desk-360-identifikasi")
    assert_no_axe_violations(page)
