"""Recovery: one-time recovery codes and e-mail codes (through a real local SMTP server), rate limits, and the
restricted session that can only register a new passkey."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.accounts import recovery
from app.accounts.models import AuthSession, EmailCode, RecoveryCode, User
from app.extensions import db

from .authenticator import SoftAuthenticator
from .flows import deliver_queued_mail


@pytest.fixture
def account_with_codes(app, flows, authenticator, client):
    """A citizen who signed up with a passkey and kept the recovery codes shown once."""
    flows.sign_up(authenticator)
    page = client.get_page("/akun/kode-pemulihan")
    codes = [li.get_text(strip=True) for li in page.select(".recovery-codes li")]
    flows.sign_out()
    return codes


def _recover_with_code(client, code, email="siti@contoh.id"):
    return client.post("/masuk/pemulihan/kode-pemulihan", data={"rc-email": email, "rc-code": code})


def test_recovery_codes_are_stored_hashed_and_work_once(app, client, account_with_codes):
    code = account_with_codes[0]
    with app.app_context():
        hashes = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert all(h.startswith("$argon2id$") and code not in h for h in hashes)
    response = _recover_with_code(client, code.lower().replace("-", " "))  # typed sloppily still works
    assert response.status_code == 303 and response.headers["Location"] == "/akun/passkey"
    page = client.get_page("/akun/passkey")
    assert "kode pemulihan" in page.select_one(".notice").get_text()
    client.post("/keluar")
    again = _recover_with_code(client, code)
    assert again.status_code == 400


def test_a_wrong_code_and_an_unknown_address_get_the_same_answer(client, account_with_codes):
    wrong = client.post_page(
        "/masuk/pemulihan/kode-pemulihan",
        data={"rc-email": "siti@contoh.id", "rc-code": "AAAA-BBBB-CC"},
        expected_status=400,
    )
    unknown = client.post_page(
        "/masuk/pemulihan/kode-pemulihan",
        data={"rc-email": "tidak-ada@contoh.id", "rc-code": account_with_codes[0]},
        expected_status=400,
    )
    assert wrong.find(id="rc-code-error").get_text() == unknown.find(id="rc-code-error").get_text()
    assert unknown.find("input", {"name": "rc-email"})["value"] == "tidak-ada@contoh.id"


def test_a_recovery_session_can_only_register_a_new_passkey(app, client, flows, account_with_codes):
    assert _recover_with_code(client, account_with_codes[1]).status_code == 303
    assert client.get("/akun").status_code == 302  # everything else stays closed
    assert client.get("/akun/sesi").status_code == 302
    with app.app_context():
        row = db.session.scalar(select(AuthSession).where(AuthSession.revoked_at.is_(None)))
        assert row.restricted and row.method == "recovery_code"
    new_phone = SoftAuthenticator(origin=app.config["PUBLIC_ORIGIN"])
    options = flows.post_json("/akun/passkey/opsi")
    assert options.status_code == 200
    response = flows.post_json("/akun/passkey/tambah", new_phone.create(options.get_json()))
    assert response.status_code == 200 and response.get_json()["redirect"] == "/masuk"
    # the recovery session has ended; the new passkey signs in
    assert client.get("/akun/passkey").status_code == 302
    assert flows.sign_in(new_phone).status_code == 200
    assert client.get("/akun").status_code == 200


def test_the_header_account_link_of_a_recovery_session_leads_to_the_passkey_page(client, account_with_codes):
    assert _recover_with_code(client, account_with_codes[2]).status_code == 303
    page = client.get_page("/akun/passkey")
    link = page.select_one(".site-nav").find("a", string="Akun")
    assert link["href"] == "/akun/passkey"  # /akun would bounce a recovery session to the sign-in page


def test_the_header_account_link_of_a_normal_session_leads_to_the_account(client, citizen, signed_in):
    signed_in(client, citizen)
    page = client.get_page("/akun/passkey")
    assert page.select_one(".site-nav").find("a", string="Akun")["href"] == "/akun"


def test_the_last_passkey_cannot_be_removed_without_unused_recovery_codes(app, client, flows, authenticator):
    flows.sign_up(authenticator)
    with app.app_context():
        passkey_id = db.session.scalar(select(User)).id and db.session.scalar(select(RecoveryCode.user_id))
        from app.accounts.models import Passkey

        passkey_id = db.session.scalar(select(Passkey.id))
        db.session.execute(RecoveryCode.__table__.update().values(used_at=db.func.now()))
        db.session.commit()
    response = client.post(f"/akun/passkey/{passkey_id}/hapus")
    assert response.status_code == 303
    page = client.get_page("/akun/passkey")
    assert "terakhir" in page.get_text()
    with app.app_context():
        assert db.session.get(Passkey, passkey_id) is not None


def test_an_email_code_arrives_by_smtp_and_signs_in_once(app, client, flows, authenticator, smtp_server, caplog):
    flows.sign_up(authenticator)  # its sign-up code arrived over SMTP too
    flows.sign_out()
    caplog.set_level("INFO")
    before = len(smtp_server.messages)
    response = client.post("/masuk/pemulihan/email", data={"em-email": "siti@contoh.id"})
    assert response.status_code == 303
    assert len(smtp_server.messages) == before + 1
    envelope = smtp_server.messages[-1]
    assert envelope.rcpt_tos == ["siti@contoh.id"]
    code = re.search(rb"\b(\d{6})\b", envelope.content).group(1).decode()
    assert not any(code in record.getMessage() for record in caplog.records), "the code must never be logged"
    page = client.get_page("/masuk/pemulihan/kode-email")
    assert "siti@contoh.id" in page.get_text()  # the address the code went to: shown, not a field to change
    assert page.find("input", {"name": "ec-email"}) is None
    response = client.post("/masuk/pemulihan/kode-email", data={"ec-code": code})
    assert response.status_code == 303 and response.headers["Location"] == "/akun/passkey"
    client.post("/keluar")
    client.post("/masuk/pemulihan/email", data={"em-email": "siti@contoh.id"})  # a new code replaces the used one
    again = client.post("/masuk/pemulihan/kode-email", data={"ec-code": code})
    assert again.status_code == 400


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, smtp_server):
    response = client.post("/masuk/pemulihan/email", data={"em-email": "siapa@contoh.id"})
    assert response.status_code == 303 and response.headers["Location"] == "/masuk/pemulihan/kode-email"
    assert smtp_server.messages == []


def test_without_smtp_the_mail_is_written_to_the_local_folder(app, client, flows, authenticator):
    from pathlib import Path

    flows.sign_up(authenticator)
    flows.sign_out()
    client.post("/masuk/pemulihan/email", data={"em-email": "siti@contoh.id"})
    deliver_queued_mail(app)  # the job worker's part
    files = list(Path(app.config["MAIL_DIR"]).glob("*recovery-code.eml"))
    assert files and re.search(rb"\b\d{6}\b", files[-1].read_bytes())
    for file in files:
        file.unlink()


def test_an_email_code_dies_after_five_wrong_tries(app, make_user):
    user = make_user(email="rani@contoh.id")
    with app.test_request_context():
        recovery.send_email_code("rani@contoh.id")
        for _ in range(recovery.EMAIL_CODE_MAX_ATTEMPTS):
            recovery.use_email_code("rani@contoh.id", "0000000")  # 7 digits: never the real code
        row = db.session.scalar(select(EmailCode).where(EmailCode.user_id == user.id))
        assert row.used_at is not None


def test_recovery_attempts_are_rate_limited_with_a_clear_page(client, account_with_codes):
    for _ in range(5):
        assert _recover_with_code(client, "AAAA-BBBB-CC").status_code == 400
    page = client.post_page(
        "/masuk/pemulihan/kode-pemulihan",
        data={"rc-email": "siti@contoh.id", "rc-code": account_with_codes[0]},
        expected_status=429,
    )
    assert "Terlalu banyak percobaan" in page.get_text()
