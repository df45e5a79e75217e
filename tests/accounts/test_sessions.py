"""Server-side sessions: the Flask-Login id is a revocable session row with idle and absolute timeouts."""

from __future__ import annotations

import datetime as dt

from flask_login import current_user
from sqlalchemy import select

from app.accounts.models import AuthSession, User
from app.accounts.sessions import (
    ABSOLUTE_TIMEOUT,
    IDLE_TIMEOUT,
    delete_account_credentials,
    end_all_sessions,
    load_session,
    start_session,
)
from app.database import utcnow
from app.extensions import db


def _session_row(session_id: int) -> AuthSession:
    return db.session.get(AuthSession, session_id)


def test_get_id_is_the_session_token_not_the_user_id(app_ctx, citizen):
    user = db.session.get(User, citizen.id)
    auth_session = start_session(user, user_agent="ua", ip="10.0.0.1")
    db.session.commit()
    token = user.get_id()
    assert token and token != str(user.id)
    assert auth_session.token_hash != token  # only the hash is stored
    loaded = load_session(token)
    assert loaded.id == user.id and loaded.auth_session.id == auth_session.id


def test_a_signed_in_client_is_the_user_with_its_session(app, client, citizen, signed_in):
    session_id = signed_in(client, citizen)
    assert client.get("/").status_code == 200
    with app.app_context():
        row = _session_row(session_id)
        assert row.user_id == citizen.id and row.revoked_at is None


def test_revoked_idle_and_expired_sessions_load_no_user(app_ctx, citizen):
    user = db.session.get(User, citizen.id)
    tokens = {}
    for name in ("revoked", "idle", "expired", "live"):
        start_session(user, user_agent=None, ip=None)
        tokens[name] = (user.get_id(), user.auth_session)
    now = utcnow()
    tokens["revoked"][1].revoked_at = now
    tokens["idle"][1].last_seen_at = now - IDLE_TIMEOUT - dt.timedelta(seconds=1)
    tokens["expired"][1].expires_at = now - dt.timedelta(seconds=1)
    db.session.commit()
    assert load_session(tokens["revoked"][0]) is None
    assert load_session(tokens["idle"][0]) is None
    assert load_session(tokens["expired"][0]) is None
    assert load_session(tokens["live"][0]) is not None
    assert load_session("not-a-token") is None
    assert tokens["live"][1].expires_at - tokens["live"][1].created_at == ABSOLUTE_TIMEOUT


def test_a_deleted_account_has_no_session(app_ctx, citizen):
    user = db.session.get(User, citizen.id)
    start_session(user, user_agent=None, ip=None)
    token = user.get_id()
    user.deleted_at = utcnow()
    db.session.commit()
    assert load_session(token) is None


def test_end_all_sessions_can_keep_the_current_one(app_ctx, citizen):
    user = db.session.get(User, citizen.id)
    first = start_session(user, user_agent=None, ip=None)
    start_session(user, user_agent=None, ip=None)
    keep = start_session(user, user_agent=None, ip=None)
    db.session.commit()
    assert end_all_sessions(user, except_session=keep) == 2
    live = db.session.scalars(select(AuthSession).where(AuthSession.revoked_at.is_(None))).all()
    assert [row.id for row in live] == [keep.id]
    assert first.revoked_at is not None


def test_delete_account_credentials_removes_every_session_row(app_ctx, citizen, other_citizen):
    user = db.session.get(User, citizen.id)
    other = db.session.get(User, other_citizen.id)
    start_session(user, user_agent=None, ip=None)
    start_session(other, user_agent=None, ip=None)
    db.session.commit()
    delete_account_credentials(user)
    db.session.commit()
    owners = db.session.scalars(select(AuthSession.user_id)).all()
    assert owners == [other.id]


def test_current_user_in_a_request_is_the_user_of_the_session(app, client, citizen, signed_in):
    signed_in(client, citizen)
    with client.raw:
        client.get("/")
        assert current_user.is_authenticated
        assert current_user.id == citizen.id
        assert current_user.auth_session is not None


def test_the_sessions_page_lists_only_my_live_sessions(client, citizen, other_citizen, signed_in, make_user):
    other_client = client.raw.application.test_client()
    signed_in(client, citizen)
    from ..helpers import PageClient

    signed_in(PageClient(other_client), citizen)
    signed_in(PageClient(client.raw.application.test_client()), other_citizen)
    page = client.get_page("/akun/sesi")
    assert len(page.select(".session-list li")) == 2
    assert page.select_one(".badge").get_text(strip=True) == "Perangkat ini"


def test_signing_out_another_device_ends_only_that_session(app, client, citizen, signed_in):
    from ..helpers import PageClient

    phone = PageClient(app.test_client())
    phone_session = signed_in(phone, citizen)
    signed_in(client, citizen)
    response = client.post(f"/akun/sesi/{phone_session}/keluar")
    assert response.status_code == 303 and response.headers["Location"] == "/akun/sesi"
    assert phone.get("/akun").status_code == 302
    assert client.get("/akun").status_code == 200


def test_another_users_session_cannot_be_ended(app, client, citizen, other_citizen, signed_in):
    from ..helpers import PageClient

    theirs = signed_in(PageClient(app.test_client()), other_citizen)
    signed_in(client, citizen)
    assert client.post(f"/akun/sesi/{theirs}/keluar").status_code == 404
    with app.app_context():
        assert _session_row(theirs).revoked_at is None


def test_sign_out_everywhere_ends_every_session_and_clears_this_browser(app, client, citizen, signed_in):
    from ..helpers import PageClient

    phone = PageClient(app.test_client())
    signed_in(phone, citizen)
    signed_in(client, citizen)
    response = client.post("/akun/sesi/keluar-semua")
    assert response.status_code == 303 and response.headers["Location"] == "/keluar"
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'
    assert client.get("/akun").status_code == 302
    assert phone.get("/akun").status_code == 302


def test_sign_out_needs_the_csrf_token(client, citizen, signed_in):
    signed_in(client, citizen)
    assert client.post("/keluar", with_csrf=False).status_code == 400
    assert client.get("/akun").status_code == 200


def test_an_idle_session_is_signed_out_on_the_next_request(app, client, citizen, signed_in):
    session_id = signed_in(client, citizen)
    with app.app_context():
        row = _session_row(session_id)
        row.last_seen_at = utcnow() - IDLE_TIMEOUT - dt.timedelta(minutes=1)
        db.session.commit()
    response = client.get("/akun")
    assert response.status_code == 302 and response.headers["Location"].startswith("/masuk")


def test_account_pages_are_never_cached(client, citizen, signed_in):
    signed_in(client, citizen)
    for url in ("/akun", "/akun/sesi", "/akun/passkey", "/akun/kode-pemulihan"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store", url


def test_the_header_shows_account_and_sign_out_but_never_the_name(client, citizen, signed_in):
    signed_in(client, citizen)
    page = client.get_page("/akun")
    header = page.select_one(".site-header")
    assert header.find("a", href="/akun") and header.find("form", action="/keluar")
    assert citizen.display_name not in header.get_text()
