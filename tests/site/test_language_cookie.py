"""Issue 9.11: the ``bahasa`` cookie carries the same flags as the session cookie, Secure in production."""

from __future__ import annotations

from app import create_app


def _production_app(monkeypatch, database_url, tmp_path):
    monkeypatch.setenv("MPP_ENV", "production")
    monkeypatch.setenv("MPP_SECRET_KEY", "s" * 48)
    monkeypatch.setenv("MPP_DATABASE_URL", database_url)
    monkeypatch.setenv("MPP_PUBLIC_ORIGIN", "https://mpp.example.go.id")
    monkeypatch.setenv("MPP_INPROCESS_WORKER", "0")
    monkeypatch.setenv("MPP_INSTANCE_DIR", str(tmp_path))
    return create_app({"PAGE_CACHE_SECONDS": 0})


def test_the_language_cookie_is_secure_httponly_and_lax_in_production(monkeypatch, database_url, tmp_path):
    app = _production_app(monkeypatch, database_url, tmp_path)
    response = app.test_client().get("/bahasa/en?next=/", base_url="https://mpp.example.go.id")
    assert response.status_code == 303
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("bahasa=en;")
    flags = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
    assert {"secure", "httponly", "samesite", "path"} <= flags
    assert "SameSite=Lax" in cookie


def test_the_language_cookie_is_not_secure_on_plain_http_development(client):
    response = client.raw.get("/bahasa/en?next=/")
    cookie = response.headers["Set-Cookie"]
    assert "Secure" not in cookie and "HttpOnly" in cookie  # Secure on http://localhost would lose the choice
