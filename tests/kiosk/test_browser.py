"""The kiosk on a tablet (800 × 1280) in Chromium: a visitor reads a service, checks in, checks a status, presses
"Selesai" — and no cookie, Cache Storage entry or IndexedDB database is left on the tablet. Inactivity ends the visit
the same way. Zero axe violations on every kiosk page, errors shown included."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.applications.models import Application
from app.extensions import db
from app.kiosk.status import status_code
from tests.helpers import assert_no_axe_violations, shot, wait_for_js

from ..backoffice.conftest import submit_application
from .conftest import KIOSK, make_booking

TABLET = {"width": 800, "height": 1280}
NOTHING_LEFT = "async () => (await caches.keys()).length === 0 && (await indexedDB.databases()).length === 0"
LEAVE_SOMETHING = """async () => {
  const cache = await caches.open('sisa-pengunjung');
  await cache.put('/sisa', new Response('data pengunjung sebelumnya'));
  await new Promise((resolve, reject) => {
    const request = indexedDB.open('sisa-pengunjung');
    request.onsuccess = () => { request.result.close(); resolve(); };
    request.onerror = () => reject(request.error);
  });
  return (await caches.keys()).length + (await indexedDB.databases()).length;
}"""


@pytest.fixture
def kiosk(browser, browser_context_args):
    context = browser.new_context(**{**browser_context_args, "viewport": TABLET, "device_scale_factor": 1})
    page = context.new_page()
    yield page
    context.close()


def test_a_visitor_uses_the_kiosk_and_selesai_leaves_nothing_on_the_tablet(app, kiosk, base_url, citizen, demo):
    booking = make_booking(app)
    number = submit_application(app, citizen)
    with app.app_context():
        code = status_code(db.session.scalar(select(Application).where(Application.tracking_number == number)))

    kiosk.goto(f"{base_url}{KIOSK}")
    expect(kiosk.get_by_role("heading", level=1)).to_have_text("Selamat datang")
    shot(kiosk, "kios-01-beranda-800")
    assert_no_axe_violations(kiosk)

    kiosk.get_by_role("link", name="Layanan dan persyaratan").click()
    kiosk.get_by_label("Cari layanan").fill("ktp")
    kiosk.get_by_role("button", name="Cari").click()
    assert_no_axe_violations(kiosk)
    kiosk.locator(".kiosk-list a").first.click()
    expect(kiosk.get_by_role("heading", name="Persyaratan")).to_be_visible()
    shot(kiosk, "kios-02-layanan-800")
    assert_no_axe_violations(kiosk)

    kiosk.goto(f"{base_url}{KIOSK}")
    kiosk.get_by_role("link", name="Check-in antrean saya").click()
    kiosk.get_by_label("Kode antrean pada tiket Anda").fill("ZZZZ-ZZZZ")
    kiosk.get_by_role("button", name="Check-in").click()
    expect(kiosk.locator("#f-kode-error")).to_be_visible()
    expect(kiosk.get_by_label("Kode antrean pada tiket Anda")).to_have_value("ZZZZ-ZZZZ")
    shot(kiosk, "kios-03-antrean-salah-800")
    assert_no_axe_violations(kiosk)
    kiosk.get_by_label("Kode antrean pada tiket Anda").fill(booking)
    kiosk.get_by_role("button", name="Check-in").click()
    expect(kiosk.locator(".big-code")).to_have_text("A001")
    shot(kiosk, "kios-04-nomor-antrean-800")
    assert_no_axe_violations(kiosk)

    kiosk.goto(f"{base_url}{KIOSK}/status")
    kiosk.get_by_label("Nomor permohonan").fill(number)
    kiosk.get_by_label("Kode cek status").fill("AAAAAA")
    kiosk.get_by_role("button", name="Periksa", exact=True).click()
    expect(kiosk.locator("#f-nomor-error")).to_be_visible()
    assert_no_axe_violations(kiosk)
    kiosk.get_by_label("Kode cek status").fill(code)
    kiosk.get_by_role("button", name="Periksa", exact=True).click()
    expect(kiosk.get_by_role("heading", level=1)).to_have_text("Status permohonan")
    expect(kiosk.locator("dd strong")).to_have_text("Diajukan")
    shot(kiosk, "kios-05-status-800")
    assert_no_axe_violations(kiosk)

    # The forms left a session cookie; say a script had also kept something in Cache Storage and IndexedDB.
    assert kiosk.context.cookies()
    assert kiosk.evaluate(LEAVE_SOMETHING) == 2
    kiosk.locator("header").get_by_role("link", name="Selesai").click()
    expect(kiosk.get_by_role("heading", level=1)).to_have_text("Terima kasih")
    assert kiosk.context.cookies() == []
    wait_for_js(kiosk, NOTHING_LEFT)
    shot(kiosk, "kios-06-selesai-800")
    assert_no_axe_violations(kiosk)
    # By itself, back to the welcome screen for the next visitor — still with nothing kept.
    kiosk.wait_for_url(f"{base_url}{KIOSK}", timeout=20000)
    assert kiosk.context.cookies() == []
    wait_for_js(kiosk, NOTHING_LEFT)


def test_inactivity_ends_the_visit_like_selesai(app, kiosk, base_url, demo):
    app.config["KIOSK_IDLE_SECONDS"] = 2
    try:
        kiosk.goto(f"{base_url}{KIOSK}/status")
        kiosk.get_by_label("Nomor permohonan").fill("7471-26-")
        assert kiosk.context.cookies()
        kiosk.wait_for_url(f"{base_url}{KIOSK}/selesai", timeout=15000)
        expect(kiosk.get_by_role("heading", level=1)).to_have_text("Terima kasih")
        assert kiosk.context.cookies() == []
        wait_for_js(kiosk, NOTHING_LEFT)
    finally:
        app.config.pop("KIOSK_IDLE_SECONDS")


def test_the_kiosk_pages_also_fit_a_small_screen(page, base_url, demo):
    """Some MPPs mount a phone-sized device: the same pages at 360 px, without axe violations."""
    for path, name in (("", "beranda"), ("/layanan", "layanan"), ("/antrean", "antrean"), ("/status", "status")):
        page.goto(f"{base_url}{KIOSK}{path}")
        shot(page, f"kios-360-{name}")
        assert_no_axe_violations(page)
