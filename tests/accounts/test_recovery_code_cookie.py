"""Issue 9.11: new recovery codes never travel in the session cookie (signed, not encrypted: anyone who sees the
cookie can base64-decode it). They are sealed server-side; the cookie only holds the key that opens them."""

from __future__ import annotations

import base64
import json
import zlib

from sqlalchemy import select

from app.accounts.models import RecoveryCodeReveal
from app.extensions import db


def _cookie_as_an_attacker_reads_it(client, app) -> str:
    """The session cookie's payload, decoded WITHOUT the secret key, as anyone holding the cookie can."""
    cookie = client.raw.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    value = cookie.value
    compressed = value.startswith(".")
    payload = value.lstrip(".").split(".", 1)[0]
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    return (zlib.decompress(raw) if compressed else raw).decode()


def _bare(code: str) -> str:
    return code.replace("-", "")


def _shown(client) -> list[str]:
    return [li.get_text(strip=True) for li in client.get_page("/akun/kode-pemulihan").select(".recovery-codes li")]


def _assert_no_code_in_cookie(client, app, codes: list[str]) -> None:
    text = _cookie_as_an_attacker_reads_it(client, app)
    json.loads(text)  # really the decoded session, not noise
    for code in codes:
        assert code not in text and _bare(code) not in text
    with client.raw.session_transaction() as flask_session:  # and with the key: the session holds no code either
        assert not any(code in json.dumps(dict(flask_session), default=str) for code in codes)


def test_the_codes_made_at_sign_up_are_not_in_the_session_cookie(app, client, flows, authenticator):
    flows.sign_up(authenticator)
    codes = _shown(client)
    assert len(codes) == 10
    _assert_no_code_in_cookie(client, app, codes)
    with app.app_context():  # nor in clear in the database: only sealed bytes
        sealed = db.session.scalar(select(RecoveryCodeReveal.sealed))
        assert not any(_bare(code).encode() in sealed or code.encode() in sealed for code in codes)


def test_new_codes_are_not_in_the_session_cookie_and_a_reload_does_not_lose_them(app, client, flows, authenticator):
    flows.sign_up(authenticator)
    client.post("/akun/kode-pemulihan/tersimpan")
    response = client.post("/akun/kode-pemulihan")
    assert response.status_code == 303 and response.headers["Location"] == "/akun/kode-pemulihan"
    codes = _shown(client)
    assert len(codes) == 10
    _assert_no_code_in_cookie(client, app, codes)
    assert _shown(client) == codes  # a reload before they are written down shows the same codes
    client.post("/akun/kode-pemulihan/tersimpan")
    assert _shown(client) == []
    with app.app_context():
        assert db.session.scalar(select(RecoveryCodeReveal)) is None


def test_another_browser_session_of_the_same_account_cannot_open_the_codes(
    app, client, flows, authenticator, signed_in
):
    user = flows.sign_up(authenticator)
    codes = _shown(client)
    from tests.helpers import PageClient

    other = PageClient(app.test_client())
    signed_in(other, user)
    with client.raw.session_transaction() as flask_session:
        key = flask_session["recovery_codes_key"]
    with other.raw.session_transaction() as flask_session:
        flask_session["recovery_codes_key"] = key  # even with the key copied over: sealed for the other session
    assert _shown(other) == []
    assert _shown(client) == codes
