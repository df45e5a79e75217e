"""The request cycle's shortcuts (app/request_cycle.py; security.anonymous_without_cookies and the rate-limit gate):
the same answers as Flask's whole cycle gives, without the work that does not apply."""

from __future__ import annotations

from flask import Flask, request, session
from flask_limiter import Limiter
from flask_login import current_user
from werkzeug.datastructures import Headers

from app.security import add_vary

from .accounts.fixtures import sign_in_test_client


def test_a_functions_sync_answer_is_asked_once(app, monkeypatch):
    asked = []

    def counting(self, func):
        asked.append(func)
        return func

    monkeypatch.setattr(Flask, "ensure_sync", counting)

    def hook():
        return None

    assert app.ensure_sync(hook) is hook
    assert app.ensure_sync(hook) is hook
    assert asked == [hook]
    app._sync_of.pop(hook)


def test_a_request_without_a_session_cookie_gets_an_empty_session_without_the_serializer(app, monkeypatch):
    interface = app.session_interface
    serializer = interface.get_signing_serializer(app)
    assert interface.get_signing_serializer(app) is serializer  # made once per key, not per request

    made = []
    original = type(interface).get_signing_serializer
    monkeypatch.setattr(type(interface), "get_signing_serializer", lambda self, a: made.append(1) or original(self, a))
    with app.test_request_context("/layanan"):
        opened = interface.open_session(app, request)
    assert dict(opened) == {} and not opened.modified and made == []

    cookie = serializer.dumps({"bahasa_dipilih": "id"})
    name = app.config["SESSION_COOKIE_NAME"]
    with app.test_request_context("/layanan", headers={"Cookie": f"{name}={cookie}"}):
        assert dict(interface.open_session(app, request)) == {"bahasa_dipilih": "id"}
    with app.test_request_context("/layanan", headers={"Cookie": f"{name}=forged.value.sig"}):
        assert dict(interface.open_session(app, request)) == {}
    assert made  # a cookie is read with the serializer, as Flask does


def test_a_new_secret_key_gets_a_new_serializer(app):
    interface = app.session_interface
    before = interface.get_signing_serializer(app)
    key = app.secret_key
    try:
        app.secret_key = key + "-rotated"
        after = interface.get_signing_serializer(app)
        assert after is not before
        assert after.loads(after.dumps({"a": 1})) == {"a": 1}
    finally:
        app.secret_key = key
    assert interface.get_signing_serializer(app).loads(before.dumps({"b": 2})) == {"b": 2}


def test_a_request_without_cookies_is_anonymous_without_asking_flask_login(app, monkeypatch, citizen):
    def no_lookup():
        raise AssertionError("Flask-Login looked for a user in a request without cookies")

    monkeypatch.setattr(app.login_manager, "_load_user", no_lookup)
    response = app.test_client().get("/layanan")
    assert response.status_code == 200
    assert "/masuk" in response.get_data(as_text=True)  # the anonymous header: "Masuk"
    monkeypatch.undo()

    signed = app.test_client()
    sign_in_test_client(app, signed, citizen)
    with signed:
        signed.get("/layanan")
        assert current_user.is_authenticated and current_user.id == citizen.id
        assert session.get("_user_id")


def test_public_reads_skip_the_limiters_bookkeeping_and_every_other_request_keeps_it(app, monkeypatch):
    looked_at = []
    original = Limiter._Limiter__filter_limits

    def spy(self, endpoint, *args, **kwargs):
        looked_at.append(endpoint)
        return original(self, endpoint, *args, **kwargs)

    monkeypatch.setattr(Limiter, "_Limiter__filter_limits", spy)
    client = app.test_client()
    assert client.get("/layanan").status_code == 200
    assert looked_at == []
    client.get("/healthz")  # not a public page: the limiter looks, as before
    client.post("/masuk", data={})
    assert "site.healthz" in looked_at and len(looked_at) >= 2


def test_vary_names_are_added_once_each():
    headers = Headers([("Vary", "Accept-Encoding")])
    add_vary(headers, "HX-Request", "Cookie", "accept-encoding")
    assert headers["Vary"] == "Accept-Encoding, HX-Request, Cookie"
    add_vary(headers, "Cookie", "HX-Request")
    assert headers["Vary"] == "Accept-Encoding, HX-Request, Cookie"
    empty = Headers()
    add_vary(empty, "Cookie", "cookie")
    assert empty.getlist("Vary") == ["Cookie"]
