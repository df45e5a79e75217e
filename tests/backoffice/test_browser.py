"""The back office in a real Chromium: an officer enrols through an invitation with a virtual authenticator, signs
in, and works an application while the applicant watches its timeline in a second browser context; a correction
round-trip; zero axe violations on the inbox and the work page at 360 px and at desktop width."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from app.accounts.models import Role
from app.applications.models import ApplicationStatus as S
from app.backoffice.invitations import InvitationRequest, create_invitation
from app.catalog.models import Agency, Mpp
from app.extensions import db
from tests.helpers import assert_no_axe_violations, shot, wait_for_arrival

from ..accounts.test_browser import add_authenticator, sign_out
from .conftest import load, pdf_bytes, submit_application

DESKTOP = {"width": 1280, "height": 900}


def _invitation_link(app, base_url) -> str:
    from sqlalchemy import select

    with app.app_context():
        _invitation, token = create_invitation(
            None,
            InvitationRequest(
                email="andi@dukcapil.kendarikota.go.id",
                display_name="Andi Petugas",
                role=Role.OFFICER.value,
                mpp_id=db.session.scalar(select(Mpp.id).where(Mpp.slug == "kota-kendari")),
                agency_id=db.session.scalar(select(Agency.id).where(Agency.slug == "disdukcapil")),
            ),
        )
    return f"{base_url}/petugas/undangan/{token}"


@pytest.fixture
def citizen_page(app, browser, base_url, client, citizen, signed_in, browser_context_args):
    """The applicant on their own phone: a second browser context carrying the citizen's session."""
    signed_in(client, citizen)
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    context = browser.new_context(**browser_context_args)
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base_url}])
    page = context.new_page()
    yield page
    context.close()


def _timeline(page, base_url, number) -> str:
    page.goto(f"{base_url}/permohonan/{number}")
    return page.locator(".timeline").inner_text()


def test_an_officer_enrols_signs_in_and_completes_an_application_the_citizen_watches(
    app, page, base_url, citizen, citizen_page, demo, tmp_path
):
    number = submit_application(app, citizen)
    assert "Diajukan" in _timeline(citizen_page, base_url, number)

    add_authenticator(page)
    page.goto(_invitation_link(app, base_url))
    shot(page, "01-undangan")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Buat passkey dan terima undangan").click()
    page.wait_for_url(f"{base_url}/petugas")

    # Sign out and back in at /masuk like everyone: staff land on the inbox.
    sign_out(page, base_url)
    page.goto(f"{base_url}/masuk")
    page.get_by_role("button", name="Masuk dengan passkey").click()
    page.wait_for_url(f"{base_url}/petugas")
    shot(page, "02-kotak-masuk")
    assert_no_axe_violations(page)

    page.get_by_role("link", name=number).click()
    page.wait_for_url(f"{base_url}/petugas/permohonan/{number}")
    shot(page, "03-permohonan-diajukan")
    assert_no_axe_violations(page)

    page.get_by_role("button", name="Verifikasi: data dan dokumen lengkap").click()
    page.wait_for_selector(".notice.success")
    assert "Diverifikasi" in _timeline(citizen_page, base_url, number)

    page.get_by_role("button", name="Mulai proses").click()
    page.wait_for_selector("text=Selesaikan dan lampirkan hasil")
    assert "Sedang diproses" in _timeline(citizen_page, base_url, number) or "Diproses" in _timeline(
        citizen_page, base_url, number
    )

    result = tmp_path / "hasil.pdf"
    result.write_bytes(pdf_bytes())
    page.get_by_label("Unggah dokumen dari instansi").check()
    page.set_input_files("#f-result-selesai", str(result))
    page.fill("#f-reason-selesai", "Ambil KTP-el di loket Disdukcapil.")
    shot(page, "04-permohonan-diproses")
    page.get_by_role("button", name="Selesaikan dan lampirkan hasil").click()
    page.wait_for_selector(".notice.success")
    shot(page, "05-permohonan-selesai")
    assert load(app, number).status == S.COMPLETED
    timeline = _timeline(citizen_page, base_url, number)
    assert "Selesai" in timeline and "Ambil KTP-el di loket Disdukcapil." in timeline
    shot(citizen_page, "06-warga-linimasa")


def test_a_correction_round_trip_between_citizen_and_officer(
    app, page, base_url, citizen, citizen_page, officer, signed_in, demo
):
    from tests.helpers import PageClient

    number = submit_application(app, citizen)
    officer_client = PageClient(app.test_client())
    signed_in(officer_client, officer)
    cookie = officer_client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base_url}])

    page.goto(f"{base_url}/petugas/permohonan/{number}")
    page.get_by_role("button", name="Minta perbaikan kepada pemohon").click()  # no reason yet
    page.wait_for_selector("#f-reason-perbaikan-error")
    shot(page, "07-alasan-kosong")
    assert_no_axe_violations(page)
    page.fill("#f-reason-perbaikan", "Nomor laporan polisi tidak terbaca, tulis ulang.")
    page.get_by_role("button", name="Minta perbaikan kepada pemohon").click()
    page.wait_for_selector(".notice.success")
    assert load(app, number).status == S.NEEDS_CORRECTION

    citizen_page.goto(f"{base_url}/permohonan/{number}")
    assert "Nomor laporan polisi tidak terbaca" in citizen_page.inner_text("main")
    citizen_page.get_by_role("button", name="Perbaiki dan ajukan ulang").click()
    citizen_page.wait_for_url(re.compile(r".*/permohonan/draf/.*"))
    check_url = re.sub(r"/[^/?]+(\?.*)?$", "/periksa", citizen_page.url)
    citizen_page.goto(check_url)
    citizen_page.check("#f-pernyataan")
    citizen_page.get_by_role("button", name="Ajukan perbaikan").click()
    # The kit worker this check page registered may activate and claim while the application page loads.
    wait_for_arrival(citizen_page, re.compile(rf".*/permohonan/{number}.*"))
    expect(citizen_page.locator("main")).to_contain_text(number)
    assert load(app, number).status == S.SUBMITTED

    page.goto(f"{base_url}/petugas/permohonan/{number}")
    assert "revisi 2" in page.inner_text("main").lower()
    page.get_by_role("button", name="Verifikasi: data dan dokumen lengkap").click()
    page.wait_for_selector(".notice.success")
    assert load(app, number).status == S.VERIFIED


def test_inbox_and_work_page_have_no_axe_violations_on_a_phone_and_a_desktop(
    app, page, base_url, citizen, other_citizen, officer, signed_in, demo
):
    from tests.helpers import PageClient

    numbers = [submit_application(app, citizen), submit_application(app, other_citizen)]
    client = PageClient(app.test_client())
    signed_in(client, officer)
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base_url}])
    for width, viewport in (("360", None), ("desktop", DESKTOP)):
        if viewport:
            page.set_viewport_size(viewport)
        page.goto(f"{base_url}/petugas")
        assert_no_axe_violations(page)
        shot(page, f"10-kotak-masuk-{width}")
        # htmx swaps the results when a filter changes; the URL follows so the view can be bookmarked.
        page.select_option("#f-status", "semua")
        page.wait_for_url(re.compile(r".*status=semua.*"))
        assert page.locator(".bo-item").count() == 2
        assert_no_axe_violations(page)
        page.goto(f"{base_url}/petugas/permohonan/{numbers[0]}")
        assert_no_axe_violations(page)
        shot(page, f"11-permohonan-{width}")


def _signed_in_as(app, page, base_url, user, signed_in) -> None:
    from tests.helpers import PageClient

    client = PageClient(app.test_client())
    signed_in(client, user)
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base_url}])


def _no_sideways_scroll(page) -> None:
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_an_officer_generates_the_result_and_the_citizen_downloads_and_verifies_it(
    app, page, base_url, citizen, citizen_page, officer, signed_in, demo
):
    from app.results.models import ResultVerification

    number = submit_application(app, citizen)
    _signed_in_as(app, page, base_url, officer, signed_in)
    page.goto(f"{base_url}/petugas/permohonan/{number}")
    for button in ("Verifikasi: data dan dokumen lengkap", "Mulai proses"):
        page.get_by_role("button", name=button).click()
        page.wait_for_selector(".notice.success")

    # Uploading without a file: the message sits next to the file field, the choice and the note are kept.
    page.get_by_label("Unggah dokumen dari instansi").check()
    page.fill("#f-reason-selesai", "Ambil di loket 3.")
    page.get_by_role("button", name="Selesaikan dan lampirkan hasil").click()
    page.wait_for_selector("#f-result-selesai-error")
    expect(page.get_by_label("Unggah dokumen dari instansi")).to_be_checked()
    assert page.input_value("#f-reason-selesai") == "Ambil di loket 3."
    _no_sideways_scroll(page)
    assert_no_axe_violations(page)
    shot(page, "20-selesai-tanpa-berkas")

    # Generating needs no file: the file field steps aside (CSS only) once that choice is made.
    page.get_by_label("Buat dokumen hasil otomatis").check()
    expect(page.locator("#f-result-selesai")).to_be_hidden()
    shot(page, "21-selesai-buat-otomatis")
    page.get_by_role("button", name="Selesaikan dan lampirkan hasil").click()
    page.wait_for_selector(".notice.success")
    assert load(app, number).status == S.COMPLETED
    expect(page.locator(".bo-result .code")).to_be_visible()
    shot(page, "22-petugas-hasil")

    with app.app_context():
        from sqlalchemy import select

        from app.results import codes

        code = codes.display(db.session.scalar(select(ResultVerification.code)))
    citizen_page.goto(f"{base_url}/permohonan/{number}")
    box = citizen_page.locator(".applicant-result")
    assert code in box.inner_text()
    _no_sideways_scroll(citizen_page)
    assert_no_axe_violations(citizen_page)
    shot(citizen_page, "23-warga-hasil")
    with citizen_page.expect_download() as download_info:
        box.get_by_role("link", name="Unduh hasil (PDF)").click()
    download = download_info.value
    assert download.suggested_filename == f"hasil-{number}.pdf"
    assert Path(download.path()).read_bytes().startswith(b"%PDF")
    box.get_by_role("link", name="Periksa kode ini sekarang").click()
    citizen_page.wait_for_url(f"{base_url}/verifikasi/{code}")
    assert citizen_page.locator("h1").inner_text() == "Dokumen asli"


def test_the_sla_steps_are_cards_on_a_phone_and_a_table_on_a_desktop(
    app, page, base_url, citizen, officer, signed_in, demo
):
    number = submit_application(app, citizen)
    _signed_in_as(app, page, base_url, officer, signed_in)
    for width, viewport in (("360", None), ("320", {"width": 320, "height": 780}), ("1280", DESKTOP)):
        if viewport:
            page.set_viewport_size(viewport)
        page.goto(f"{base_url}/petugas/permohonan/{number}")
        phone = width != "1280"
        cards, table = page.locator("#sla .sla-steps"), page.locator("#sla table")
        shown, hidden = (cards, table) if phone else (table, cards)
        expect(shown).to_be_visible()
        expect(hidden).to_be_hidden()
        assert page.locator("#sla .sla-step").count() == page.locator("#sla tbody tr").count() > 0
        _no_sideways_scroll(page)
        assert_no_axe_violations(page)
        shot(page, f"30-permohonan-sla-{width}")
