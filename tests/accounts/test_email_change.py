"""Changing the sign-in e-mail (issue 14.13): Data Saya pointed to the account page, which could not do it.

A fresh passkey check, a 6-digit code to the NEW address, the OLD address told afterwards; rate-limited; an address
of another account is never revealed (same answer, its owner is told, no code can confirm it).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.accounts.models import EmailCode, EmailCodePurpose, User
from app.extensions import db
from tests.helpers import assert_no_axe_violations, shot

NEW = "siti.baru@contoh.id"


def _email_of(app, user) -> str:
    with app.app_context():
        return db.session.get(User, user.id).email


def test_the_code_goes_to_the_new_address_and_the_old_one_is_told(app, client, citizen, signed_in, mailbox):
    signed_in(client, citizen)
    old = _email_of(app, citizen)
    page = client.get_page("/akun")
    assert page.find("a", href="/akun/email") is not None
    client.get_page("/akun/email")
    response = client.post("/akun/email", data={"ce-email": " Siti.Baru@Contoh.ID "})
    assert response.status_code == 303 and response.headers["Location"] == "/akun/email/kode"
    page = client.get_page("/akun/email/kode")
    assert NEW in page.get_text()
    assert _email_of(app, citizen) == old  # nothing changes before the code

    response = client.post("/akun/email/kode", data={"cc-code": mailbox.code(NEW)})
    assert response.status_code == 303 and response.headers["Location"] == "/akun"
    assert _email_of(app, citizen) == NEW
    assert NEW in client.get_page("/akun").get_text()
    notice = mailbox.body(mailbox.latest(old))
    assert NEW in notice and "bukan Anda" in notice
    # The code was spent.
    assert client.post("/akun/email/kode", data={"cc-code": mailbox.code(NEW)}).status_code == 303  # back to step 1


def test_a_wrong_code_is_said_next_to_the_field_and_changes_nothing(app, client, citizen, signed_in, mailbox):
    signed_in(client, citizen)
    old = _email_of(app, citizen)
    client.post("/akun/email", data={"ce-email": NEW})
    right = mailbox.code(NEW)
    wrong = "000000" if right != "000000" else "111111"
    page = client.post_page("/akun/email/kode", data={"cc-code": wrong}, expected_status=400)
    assert "salah atau sudah kedaluwarsa" in page.select_one(".field-error").get_text()
    assert page.find("input", id="cc-code")["aria-invalid"] == "true"
    assert _email_of(app, citizen) == old


@pytest.mark.parametrize(
    ("typed", "message"),
    [("", "Tulis alamat e-mail baru Anda."), ("bukan-email", "nama@contoh.id"), ("siti@contoh.id", "sudah alamat")],
)
def test_a_bad_new_address_is_refused_next_to_the_field_and_kept(client, citizen, signed_in, mailbox, typed, message):
    signed_in(client, citizen)
    page = client.post_page("/akun/email", data={"ce-email": typed}, expected_status=400)
    assert message in page.select_one(".field-error").get_text()
    assert page.find("input", id="ce-email").get("value", "") == typed
    assert not mailbox.messages()


def test_an_address_of_another_account_gets_the_same_answer_and_can_never_be_confirmed(
    app, client, citizen, other_citizen, signed_in, mailbox
):
    taken = _email_of(app, other_citizen)
    signed_in(client, citizen)
    response = client.post("/akun/email", data={"ce-email": taken})
    assert response.status_code == 303  # the same answer as for a free address
    notice = mailbox.body(mailbox.latest(taken))
    assert "tidak ada yang diubah" in notice and not any(ch.isdigit() for ch in notice.split("\n\n")[1])
    for code in ("000000", "123456"):
        client.post("/akun/email/kode", data={"cc-code": code})
    assert _email_of(app, citizen) != taken


def test_sending_codes_is_rate_limited_per_account(app, client, citizen, signed_in, mailbox):
    signed_in(client, citizen)
    statuses = [client.post("/akun/email", data={"ce-email": f"baru{n}@contoh.id"}).status_code for n in range(6)]
    assert statuses[:5] == [303] * 5 and statuses[5] == 429
    with app.app_context():
        live = db.session.scalars(
            select(EmailCode).where(EmailCode.purpose == EmailCodePurpose.CHANGE_EMAIL, EmailCode.used_at.is_(None))
        ).all()
    assert [row.email for row in live] == ["baru4@contoh.id"]  # only the latest code works


def test_a_citizen_changes_the_e_mail_on_a_phone(app, page, base_url, client, citizen, signed_in, mailbox, smtp_server):
    """Akun → new address → the code arrives over SMTP at the NEW address; a wrong code is said next to the field
    (nothing typed is lost, nothing changes); the right one changes the address."""
    signed_in(client, citizen)
    old = _email_of(app, citizen)
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base_url}])
    page.goto(f"{base_url}/akun")
    page.locator("a[href='/akun/email']").first.click()
    page.wait_for_url(f"{base_url}/akun/email")
    shot(page, "ganti-email-360")
    assert_no_axe_violations(page)
    page.get_by_label("Alamat e-mail baru").fill(NEW)
    page.get_by_role("button", name="Kirim kode").click()
    page.wait_for_url(f"{base_url}/akun/email/kode")
    expect(page.get_by_text(NEW)).to_be_visible()
    right = mailbox.code(NEW)
    assert [envelope.rcpt_tos for envelope in smtp_server.messages] == [[NEW]]  # only the NEW address got a code

    wrong = "000000" if right != "000000" else "111111"
    code_field = page.get_by_label("Kode dari e-mail")
    code_field.fill(wrong)
    page.get_by_role("button", name="Ganti e-mail saya").click()
    error = page.locator("#cc-code-error")
    expect(error).to_contain_text("salah atau sudah kedaluwarsa")
    expect(code_field).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text(NEW)).to_be_visible()  # still says where the code went
    assert page.url == f"{base_url}/akun/email/kode"
    shot(page, "ganti-email-kode-salah-360")
    assert_no_axe_violations(page)
    assert _email_of(app, citizen) == old

    code_field.fill(right)
    page.get_by_role("button", name="Ganti e-mail saya").click()
    page.wait_for_url(f"{base_url}/akun")
    expect(page.get_by_text(f"Alamat e-mail Anda sekarang {NEW}.")).to_be_visible()
    assert _email_of(app, citizen) == NEW
