import pytest

from app import create_app
from app.config import ConfigurationError


def test_healthz_reports_a_reachable_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_healthz_reports_an_unreachable_database_with_503(tmp_path):
    broken = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none",
            "INSTANCE_DIR": str(tmp_path),
        }
    )
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "unreachable"


def test_unknown_page_is_an_indonesian_404(client):
    soup = client.get_page("/tidak-ada-halaman-ini", expected_status=404)
    assert soup.h1.get_text(strip=True) == "Halaman tidak ditemukan"


def test_every_response_carries_the_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'", "scripts only from our own origin: no inline, eval, host or scheme"
    assert directives["default-src"] == "'self'" and directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "HX-Request" in response.headers["Vary"]


def test_an_anonymous_public_page_is_the_same_bytes_for_every_request(client):
    # Nothing per request (no CSP nonce, no CSRF token) in what every anonymous visitor gets: the page cache can
    # compress it once and serve those bytes to all (app/pagecache.py).
    first = client.get("/", headers={"Accept-Encoding": "identity"})
    second = client.get("/", headers={"Accept-Encoding": "identity"})
    assert first.get_data() == second.get_data()
    assert first.headers["Content-Security-Policy"] == second.headers["Content-Security-Policy"]


def test_language_switch_is_remembered_and_only_redirects_inside_the_site(client):
    response = client.get("/bahasa/en?next=//evil.example/")
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    soup = client.get_page("/", lang="en")
    assert soup.html["lang"] == "en"


def test_a_cross_site_post_is_refused(client):
    response = client.post("/keluar", headers={"Origin": "https://evil.example"})
    assert response.status_code == 400


def test_a_post_without_csrf_token_is_refused(client):
    response = client.post("/keluar", with_csrf=False)
    assert response.status_code == 400


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.setenv("MPP_ENV", "production")
    monkeypatch.delenv("MPP_SECRET_KEY", raising=False)
    with pytest.raises(ConfigurationError):
        create_app()


def test_production_uses_a_host_prefixed_secure_session_cookie(monkeypatch):
    monkeypatch.setenv("MPP_ENV", "production")
    monkeypatch.setenv("MPP_SECRET_KEY", "s" * 48)
    monkeypatch.setenv("MPP_DATABASE_URL", "sqlite://")
    app = create_app()
    assert app.config["SESSION_COOKIE_NAME"] == "__Host-mpp"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True


def test_an_id_too_large_for_the_database_is_a_404_not_a_500(client, citizen, signed_in):
    signed_in(client, citizen)
    huge = "9" * 25
    for url in (f"/akun/dokumen/{huge}", f"/akun/sesi/{huge}/keluar", f"/notifikasi/{huge}/baca"):
        method = client.post if url.endswith(("/keluar", "/baca")) else client.get
        assert method(url).status_code == 404, url
    assert client.get(f"/notifikasi?sebelum={huge}").status_code == 200


def test_a_page_while_the_database_is_away_is_a_503_with_retry_after(tmp_path):
    """A PostgreSQL restart or failover: the person (and the load balancer) is told to come back, never a 500."""
    broken = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none",
            "INSTANCE_DIR": str(tmp_path),
            "PAGE_CACHE_SECONDS": 0,
        }
    )
    response = broken.test_client().get("/layanan")
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert "Layanan sedang tidak tersedia" in response.get_data(as_text=True)


def test_a_signed_in_page_while_the_database_is_away_is_a_503_too(tmp_path):
    """The session's user cannot be loaded either: the error page must not ask the database again (it was a 500)."""
    broken = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none",
            "INSTANCE_DIR": str(tmp_path),
            "PAGE_CACHE_SECONDS": 0,
        }
    )
    client = broken.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "a-session-token"
    response = client.get("/permohonan")
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert "Layanan sedang tidak tersedia" in response.get_data(as_text=True)


def test_ending_the_session_on_a_connection_the_server_closed_does_not_fail_the_answer(app, monkeypatch):
    """After a PostgreSQL restart the teardown's rollback fails on the dead connection; the answer must stand."""
    from sqlalchemy.exc import OperationalError

    from app.database import end_session_quietly
    from app.extensions import db

    tried = []

    def lost_connection():
        tried.append(True)
        raise OperationalError("ROLLBACK", {}, Exception("server closed the connection unexpectedly"))

    with app.app_context():
        with monkeypatch.context() as patch:
            patch.setattr(db.session, "remove", lost_connection)
            end_session_quietly()  # logged, not raised
        assert tried
    assert end_session_quietly in app.teardown_appcontext_funcs
