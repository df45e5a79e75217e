"""Passkeys in a real Chromium with a virtual authenticator (CDP WebAuthn domain), at 360 px."""

from __future__ import annotations

import os
import re
from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import func, select

from app.accounts.models import Passkey
from app.extensions import db

from ..helpers import assert_no_axe_violations

SHOTS = os.environ.get("MPP_SHOTS")  # a folder: save screenshots of each step for a human to look at


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def add_authenticator(page, *, user_verified: bool = True, autofill: bool = False):
    if not autofill:
        without_autofill(page)
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    authenticator_id = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "ctap2Version": "ctap2_1",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": user_verified,
                "automaticPresenceSimulation": True,
            }
        },
    )["authenticatorId"]
    return cdp, authenticator_id


def without_autofill(page) -> None:
    """Chromium's virtual authenticator answers a conditional (autofill) request at once, which would sign in
    before the button is pressed. Tests of the button hide conditional mediation, as older browsers do."""
    page.add_init_script("delete PublicKeyCredential.isConditionalMediationAvailable")


def sign_up(
    page, base_url, mailbox, *, name="Siti Rahayu", email="siti@contoh.id", from_sign_in: bool = False
) -> list[str]:
    """The citizen's whole sign-up: the form, the code from the e-mail (read from the mail folder), the passkey.

    ``from_sign_in``: start with the "Daftar akun" link of the sign-in page the browser is on (it carries ``next``).
    """
    if from_sign_in:
        page.get_by_role("link", name="Daftar akun").click()
        page.wait_for_url(re.compile(r".*/daftar(\?.*)?$"))
    else:
        page.goto(f"{base_url}/daftar")
    page.get_by_label("Nama Anda").fill(name)
    page.get_by_label("E-mail").fill(email)
    page.get_by_role("button", name="Lanjut").click()
    page.wait_for_url(f"{base_url}/daftar/kode")
    shot(page, "01b-daftar-kode")
    page.get_by_label("Kode dari e-mail").fill(mailbox.code(email))
    page.get_by_role("button", name="Lanjut").click()
    page.wait_for_url(f"{base_url}/daftar/passkey")
    shot(page, "02-daftar-passkey")
    page.get_by_role("button", name="Buat passkey").click()
    page.wait_for_url(f"{base_url}/akun/kode-pemulihan")
    shot(page, "03-kode-pemulihan")
    return [text.strip() for text in page.locator(".recovery-codes li").all_inner_texts()]


def sign_out(page, base_url):
    # On a phone "Keluar" is on the Akun page (the tab bar took the header's place); a recovery session, which has no
    # Akun page, keeps it in the header.
    page.goto(f"{base_url}/akun")
    page.get_by_role("button", name="Keluar", exact=True).filter(visible=True).first.click()
    page.wait_for_url(f"{base_url}/keluar")


def test_sign_up_sign_out_and_sign_in_with_the_discoverable_passkey(app, page, base_url, mailbox):
    cdp, authenticator_id = add_authenticator(page)
    page.goto(f"{base_url}/daftar")
    shot(page, "01-daftar")
    assert_no_axe_violations(page)
    codes = sign_up(page, base_url, mailbox)
    assert len(codes) == 10 and all(re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{2}", c) for c in codes)
    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"]
    assert len(credentials) == 1 and credentials[0]["isResidentCredential"]
    page.get_by_role("button", name="Saya sudah menyimpan kode").click()
    page.wait_for_url(f"{base_url}/akun")
    shot(page, "04-akun")
    assert_no_axe_violations(page)
    page.goto(f"{base_url}/akun/sesi")
    shot(page, "04b-sesi")
    assert_no_axe_violations(page)
    sign_out(page, base_url)
    shot(page, "05-keluar")
    assert page.evaluate("localStorage.length") == 0
    page.goto(f"{base_url}/masuk")
    shot(page, "06-masuk")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Masuk dengan passkey").click()
    page.wait_for_url(f"{base_url}/akun")
    expect(page.get_by_text("Masuk sebagai Siti Rahayu")).to_be_visible()


def test_user_verification_failure_shows_an_indonesian_message(app, page, base_url, mailbox):
    cdp, authenticator_id = add_authenticator(page)
    sign_up(page, base_url, mailbox)
    sign_out(page, base_url)
    cdp.send("WebAuthn.setUserVerified", {"authenticatorId": authenticator_id, "isUserVerified": False})
    page.goto(f"{base_url}/masuk")
    page.get_by_role("button", name="Masuk dengan passkey").click()
    status = page.locator("[data-passkey-status]")
    status.filter(has_text="sidik jari").wait_for()
    shot(page, "07-masuk-uv-gagal")
    assert "Dibatalkan" in status.inner_text()
    assert page.url == f"{base_url}/masuk"
    assert_no_axe_violations(page)


def test_a_second_device_adds_a_passkey_then_the_first_is_removed(app, page, base_url, mailbox, browser):
    cdp, first = add_authenticator(page)
    sign_up(page, base_url, mailbox)
    # The citizen adds a passkey made by a second authenticator (Chromium allows one internal authenticator at a
    # time per page, so the first one steps aside).
    cdp.send("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": first})
    cdp, second_id = add_authenticator(page)
    page.goto(f"{base_url}/akun/passkey")
    page.get_by_role("button", name="Tambah passkey").click()
    page.get_by_text("Passkey baru Anda tersimpan.").wait_for()
    shot(page, "08-passkey-dua")
    assert_no_axe_violations(page)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Passkey)) == 2
    second_credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": second_id})["credentials"]
    # The second device: its own browser context (own cookies) holding only the second passkey.
    other = browser.new_context(viewport={"width": 360, "height": 780}, locale="id-ID")
    try:
        phone = other.new_page()
        cdp2, phone_id = add_authenticator(phone)
        for credential in second_credentials:
            cdp2.send("WebAuthn.addCredential", {"authenticatorId": phone_id, "credential": credential})
        phone.goto(f"{base_url}/masuk")
        phone.get_by_role("button", name="Masuk dengan passkey").click()
        phone.wait_for_url(f"{base_url}/akun")
        phone.goto(f"{base_url}/akun/passkey")
        phone.get_by_role("button", name="Hapus Passkey pertama saya").click()
        phone.get_by_text("Passkey sudah dihapus").wait_for()
        shot(phone, "08b-passkey-dihapus")
    finally:
        other.close()
    with app.app_context():
        names = db.session.scalars(select(Passkey.name)).all()
    assert names == ["Passkey 2"]


def test_recovery_code_lets_the_citizen_register_a_new_passkey(app, page, base_url, mailbox):
    cdp, first = add_authenticator(page)
    codes = sign_up(page, base_url, mailbox)
    sign_out(page, base_url)
    cdp.send("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": first})  # the phone is lost
    add_authenticator(page)  # the new phone
    page.goto(f"{base_url}/masuk/pemulihan")
    shot(page, "09-pemulihan")
    assert_no_axe_violations(page)
    page.locator("#rc-email").fill("siti@contoh.id")
    page.locator("#rc-code").fill(codes[3])
    page.get_by_role("button", name="Lanjut").click()
    page.wait_for_url(f"{base_url}/akun/passkey")
    expect(page.get_by_text("Anda masuk dengan kode pemulihan.")).to_be_visible()
    # The header's "Akun" leads to the one page a recovery session may use, not back to the sign-in page.
    assert page.locator(".site-nav").get_by_role("link", name="Akun").get_attribute("href") == "/akun/passkey"
    shot(page, "10-pemulihan-passkey")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Tambah passkey").click()
    page.wait_for_url(f"{base_url}/masuk")
    page.get_by_role("button", name="Masuk dengan passkey").click()
    page.wait_for_url(f"{base_url}/akun")


def test_autofill_path_signs_in_through_conditional_mediation(app, page, base_url, mailbox):
    add_authenticator(page, autofill=True)
    sign_up(page, base_url, mailbox)
    sign_out(page, base_url)
    # The virtual authenticator answers a conditional request at once: this proves the code path, not the UI.
    page.goto(f"{base_url}/masuk")
    page.wait_for_url(f"{base_url}/akun")


def test_recovery_and_email_code_pages_have_no_axe_violations_with_errors_shown(page, base_url):
    page.goto(f"{base_url}/masuk/pemulihan")
    page.get_by_role("button", name="Lanjut").click()
    page.locator("#rc-email-error").wait_for()
    shot(page, "11-pemulihan-galat")
    assert_no_axe_violations(page)
    page.goto(f"{base_url}/masuk/pemulihan/kode-email")
    shot(page, "12-kode-email")
    assert_no_axe_violations(page)


def test_sign_up_code_step_keeps_what_was_typed_and_has_no_axe_violations(page, base_url, mailbox):
    page.goto(f"{base_url}/daftar")
    page.get_by_label("Nama Anda").fill("Rani Wulandari")
    page.get_by_label("E-mail").fill("rani.wulandari.panjang.sekali@kabupaten-contoh.go.id")
    page.get_by_role("button", name="Lanjut").click()
    page.wait_for_url(f"{base_url}/daftar/kode")
    expect(page.get_by_text("Kami telah mengirim kode 6 angka ke")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_label("Kode dari e-mail").fill("12345")
    page.get_by_role("button", name="Lanjut").click()
    page.locator("#code-error").wait_for()
    assert page.get_by_label("Kode dari e-mail").input_value() == "12345"
    shot(page, "01c-daftar-kode-galat")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Kirim kode baru").click()
    page.get_by_text("Kami telah mengirim kode baru.").wait_for()
    shot(page, "01d-daftar-kode-baru")
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Ubah nama atau e-mail").click()
    page.wait_for_url(f"{base_url}/daftar")
    assert page.get_by_label("E-mail").input_value() == "rani.wulandari.panjang.sekali@kabupaten-contoh.go.id"
