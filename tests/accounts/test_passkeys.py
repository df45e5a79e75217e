"""Passkey sign-up and sign-in through HTTP with a software authenticator: the happy path and every refusal."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select

from app.accounts.models import AuthSession, Passkey, RecoveryCode, User, WebAuthnChallenge
from app.extensions import db

from .authenticator import SoftAuthenticator


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_sign_up_creates_the_account_only_after_the_passkey_is_verified(app, client, flows, authenticator):
    options = flows.start_sign_up(email="Siti@Contoh.ID")
    assert _count(app, User) == 0
    assert options["authenticatorSelection"] == {
        "residentKey": "required",
        "requireResidentKey": True,
        "userVerification": "required",
    }
    assert options["attestation"] == "none"
    response = flows.post_json("/daftar/passkey/verifikasi", authenticator.create(options))
    assert response.status_code == 200
    with app.app_context():
        user = db.session.scalar(select(User))
        assert user.email == "siti@contoh.id"
        # the WebAuthn user handle is random, not the e-mail
        assert user.webauthn_handle == authenticator.credentials[0].user_handle
        assert b"siti" not in user.webauthn_handle and len(user.webauthn_handle) == 32
        assert db.session.scalar(select(func.count()).select_from(Passkey)) == 1
        assert db.session.scalar(select(func.count()).select_from(RecoveryCode)) == 10
        assert db.session.scalar(select(func.count()).select_from(AuthSession)) == 1
    page = client.get_page("/akun/kode-pemulihan")
    codes = [li.get_text(strip=True) for li in page.select(".recovery-codes li")]
    assert len(codes) == 10 and all(len(code) == 12 and code[4] == "-" and code[9] == "-" for code in codes)
    # shown again on a reload (a failed load on a weak signal must not lose them), until confirmed saved
    assert [
        li.get_text(strip=True) for li in client.get_page("/akun/kode-pemulihan").select(".recovery-codes li")
    ] == codes
    assert client.post("/akun/kode-pemulihan/tersimpan").status_code == 303
    again = client.get_page("/akun/kode-pemulihan")
    assert not again.select(".recovery-codes li")


def test_sign_up_form_keeps_what_was_typed_and_says_what_is_wrong(client):
    page = client.post_page(
        "/daftar",
        data={"display_name": "<b>", "email": "bukan-email", "phone": "12345"},
        expected_status=400,
    )
    email = page.find("input", {"name": "email"})
    assert email["value"] == "bukan-email" and email["aria-invalid"] == "true"
    assert page.find(id="email-error").get_text(strip=True)
    assert page.find("input", {"name": "phone"})["aria-invalid"] == "true"
    assert page.find(id="display_name-error")


def test_sign_up_records_the_chosen_consents(app, flows, authenticator):
    pytest.importorskip("app.personal.privacy")
    from app.personal.models import Consent

    flows.sign_up(authenticator, purposes=["notifikasi", "tidak-ada"])
    with app.app_context():
        purposes = set(db.session.scalars(select(Consent.purpose)))
    assert "layanan" in purposes
    assert "tidak-ada" not in purposes


def test_discoverable_sign_in_after_sign_out(app, client, flows, authenticator):
    user = flows.sign_up(authenticator)
    signed_out = flows.sign_out()
    assert signed_out.status_code == 303
    assert signed_out.headers["Clear-Site-Data"] == '"cache", "storage"'
    assert client.get("/akun").status_code == 302
    options = flows.sign_in_options()
    assert options["allowCredentials"] == [] and options["userVerification"] == "required"
    response = flows.post_json("/masuk/verifikasi", authenticator.get(options))
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["redirect"] == "/akun"
    page = client.get_page("/akun")
    assert user.display_name in page.get_text()
    with app.app_context():
        passkey = db.session.scalar(select(Passkey))
        assert passkey.sign_count == 1 and passkey.last_used_at is not None and passkey.flagged_at is None


def test_sign_in_rotates_the_session(app, client, flows, authenticator):
    flows.sign_up(authenticator)
    flows.sign_out()
    with client.session_transaction() as flask_session:
        flask_session["planted"] = "by an attacker"
    assert flows.sign_in(authenticator).status_code == 200
    with client.session_transaction() as flask_session:
        assert "planted" not in flask_session


def _refused(response, caplog, reason: str) -> str:
    assert response.status_code == 400
    message = response.get_json()["error"]
    assert message
    assert any(reason in record.getMessage() for record in caplog.records), [r.getMessage() for r in caplog.records]
    return message


@pytest.fixture
def registered(flows, authenticator):
    user = flows.sign_up(authenticator)
    flows.sign_out()
    return user


def test_a_replayed_assertion_is_refused(app, flows, authenticator, registered, caplog):
    caplog.set_level(logging.INFO)
    assertion = authenticator.get(flows.sign_in_options())
    assert flows.post_json("/masuk/verifikasi", assertion).status_code == 200
    flows.sign_out()
    _refused(flows.post_json("/masuk/verifikasi", assertion), caplog, "already used (replay)")


def test_a_challenge_is_gone_after_a_failed_attempt(app, flows, authenticator, registered, caplog):
    caplog.set_level(logging.INFO)
    options = flows.sign_in_options()
    bad = authenticator.get(options, origin="http://evil.example")
    _refused(flows.post_json("/masuk/verifikasi", bad), caplog, "Unexpected client data origin")
    good = authenticator.get(options)
    _refused(flows.post_json("/masuk/verifikasi", good), caplog, "already used (replay)")
    assert _count(app, WebAuthnChallenge) == 0


def test_wrong_rp_id_is_refused(flows, authenticator, registered, caplog):
    caplog.set_level(logging.INFO)
    assertion = authenticator.get(flows.sign_in_options(), rp_id="evil.example")
    _refused(flows.post_json("/masuk/verifikasi", assertion), caplog, "Unexpected RP ID hash")


def test_user_verification_false_is_refused(flows, authenticator, registered, caplog):
    caplog.set_level(logging.INFO)
    authenticator.user_verified = False
    message = _refused(flows.sign_in(authenticator), caplog, "without user verification")
    assert "kunci layar" in message


def test_registration_without_user_verification_is_refused(app, flows, authenticator, caplog):
    caplog.set_level(logging.INFO)
    options = flows.start_sign_up()
    authenticator.user_verified = False
    _refused(
        flows.post_json("/daftar/passkey/verifikasi", authenticator.create(options)),
        caplog,
        "without user verification",
    )
    assert _count(app, User) == 0


def test_an_expired_challenge_is_refused(app, flows, authenticator, registered, caplog):
    import datetime as dt

    from sqlalchemy import update

    from app.database import utcnow

    caplog.set_level(logging.INFO)
    options = flows.sign_in_options()
    with app.app_context():
        db.session.execute(update(WebAuthnChallenge).values(expires_at=utcnow() - dt.timedelta(seconds=1)))
        db.session.commit()
    _refused(flows.post_json("/masuk/verifikasi", authenticator.get(options)), caplog, "challenge expired")


def test_a_challenge_from_another_browser_session_is_refused(app, client, flows, authenticator, registered, caplog):
    caplog.set_level(logging.INFO)
    options = flows.sign_in_options()
    other = app.test_client()
    from ..helpers import PageClient
    from .flows import Flows

    stranger = Flows(app, PageClient(other))
    _refused(stranger.post_json("/masuk/verifikasi", authenticator.get(options)), caplog, "from another session")


def test_an_assertion_carrying_another_users_handle_is_refused(app, flows, authenticator, registered, caplog):
    caplog.set_level(logging.INFO)
    other = SoftAuthenticator(origin=authenticator.origin)
    flows.sign_up(other, name="Budi", email="budi@contoh.id")
    flows.sign_out()
    budi = other.credentials[0]
    # Siti's credential, but the userHandle claims to be Budi
    assertion = authenticator.get(flows.sign_in_options(), user_handle=budi.user_handle)
    _refused(flows.post_json("/masuk/verifikasi", assertion), caplog, "userHandle does not match")


def test_an_unknown_credential_is_refused(flows, authenticator, caplog):
    caplog.set_level(logging.INFO)
    stranger = SoftAuthenticator(origin=authenticator.origin)
    stranger.create({"rp": {"id": "localhost"}, "user": {"id": "AAAA"}, "challenge": "AAAA"})
    message = _refused(flows.sign_in(stranger), caplog, "unknown credential id")
    assert "tidak terdaftar" in message


def test_registering_an_existing_credential_id_is_refused(app, client, flows, authenticator, caplog):
    caplog.set_level(logging.INFO)
    flows.sign_up(authenticator)
    flows.sign_out()
    options = flows.start_sign_up(name="Penipu", email="lain@contoh.id")
    reused = authenticator.create(options, reuse=authenticator.credentials[0])
    _refused(flows.post_json("/daftar/passkey/verifikasi", reused), caplog, "credential id already registered")
    assert _count(app, User) == 1


def test_a_sign_count_regression_flags_the_passkey_and_warns_the_user(app, client, flows, authenticator, registered):
    assert flows.sign_in(authenticator).status_code == 200  # count 1
    assert flows.sign_in(authenticator, sign_count=5).status_code == 200
    flows.sign_out()
    assert flows.sign_in(authenticator, sign_count=3).status_code == 200  # went backwards: a clone?
    with app.app_context():
        passkey = db.session.scalar(select(Passkey))
        assert passkey.flagged_at is not None and passkey.sign_count == 5
    page = client.get_page("/akun/passkey")
    assert "salinan" in page.select_one(".passkey .notice").get_text()


def test_synced_passkeys_with_a_zero_counter_are_not_flagged(app, client, flows):
    synced = SoftAuthenticator(origin=app.config["PUBLIC_ORIGIN"], synced=True, counter_step=0)
    flows.sign_up(synced)
    flows.sign_out()
    assert flows.sign_in(synced).status_code == 200
    assert flows.sign_in(synced).status_code == 200
    with app.app_context():
        passkey = db.session.scalar(select(Passkey))
        assert passkey.flagged_at is None and passkey.synced and passkey.backed_up


def test_malformed_json_gets_a_message_not_a_500(flows, registered):
    for body in ({}, {"rawId": "!!", "response": {"clientDataJSON": "???"}}, {"response": "x"}):
        response = flows.post_json("/masuk/verifikasi", body)
        assert response.status_code == 400 and response.get_json()["error"]
    response = flows.client.raw.post(
        "/masuk/verifikasi",
        data="not json",
        headers={
            "X-CSRFToken": flows.client.csrf_token(),
            "Origin": "http://localhost",
            "Content-Type": "application/json",
        },
    )
    assert response.status_code == 400


def test_another_users_passkey_cannot_be_renamed_or_removed(app, client, flows, authenticator, make_user, signed_in):
    flows.sign_up(authenticator)
    flows.sign_out()
    with app.app_context():
        passkey_id = db.session.scalar(select(Passkey.id))
    intruder = make_user("Penyusup", email="penyusup@contoh.id")
    signed_in(client, intruder)
    assert client.post(f"/akun/passkey/{passkey_id}/nama", data={f"pk{passkey_id}-name": "punyaku"}).status_code == 404
    assert client.post(f"/akun/passkey/{passkey_id}/hapus").status_code == 404
    with app.app_context():
        assert db.session.get(Passkey, passkey_id).name == "Passkey pertama saya"


def test_renaming_keeps_what_was_typed_when_it_is_too_long(app, client, flows, authenticator):
    flows.sign_up(authenticator)
    with app.app_context():
        passkey_id = db.session.scalar(select(Passkey.id))
    long_name = "x" * 61
    page = client.post_page(
        f"/akun/passkey/{passkey_id}/nama", data={f"pk{passkey_id}-name": long_name}, expected_status=400
    )
    field = page.find(id=f"pk{passkey_id}-name")
    assert field["value"] == long_name and field["aria-invalid"] == "true"
    assert page.find(id=f"pk{passkey_id}-name-error").get_text(strip=True) == "Paling banyak 60 karakter."
    response = client.post(f"/akun/passkey/{passkey_id}/nama", data={f"pk{passkey_id}-name": "HP Siti"})
    assert response.status_code == 303


def test_adding_or_removing_a_passkey_needs_a_fresh_confirmation(app, client, flows, authenticator):
    import datetime as dt

    from app.accounts.models import AuthSession
    from app.database import utcnow

    flows.sign_up(authenticator)
    with app.app_context():
        db.session.execute(AuthSession.__table__.update().values(reauthenticated_at=utcnow() - dt.timedelta(minutes=6)))
        db.session.commit()
        passkey_id = db.session.scalar(select(Passkey.id))
    refused = flows.post_json("/akun/passkey/opsi")
    assert refused.status_code == 403 and refused.get_json()["reauthenticate"] is True
    response = client.post(f"/akun/passkey/{passkey_id}/hapus")
    assert response.status_code == 303
    assert "Konfirmasi dulu" in client.get_page("/akun/passkey").get_text()
    # confirm with the passkey, then adding works
    options = flows.post_json("/akun/passkey/konfirmasi/opsi").get_json()
    assert [c["id"] for c in options["allowCredentials"]]
    assert flows.post_json("/akun/passkey/konfirmasi", authenticator.get(options)).status_code == 200
    add = flows.post_json("/akun/passkey/opsi")
    assert add.status_code == 200
    assert len(add.get_json()["excludeCredentials"]) == 1


def test_confirming_with_someone_elses_passkey_is_refused(app, client, flows, authenticator, caplog):
    caplog.set_level(logging.INFO)
    other = SoftAuthenticator(origin=authenticator.origin)
    flows.sign_up(other, name="Budi", email="budi@contoh.id")
    flows.sign_out()
    flows.sign_up(authenticator)
    options = flows.post_json("/akun/passkey/konfirmasi/opsi").get_json()
    response = flows.post_json("/akun/passkey/konfirmasi", other.get(options))
    _refused(response, caplog, "used by user")
