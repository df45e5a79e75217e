"""How the app meets the network: compressed static files for every client, and the client's IP behind a proxy."""

from __future__ import annotations

import gzip
import re
import shutil
import subprocess
from pathlib import Path

import brotli
import pytest
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.test import Client

from app import create_app
from app.config import PROJECT_ROOT

CSS = PROJECT_ROOT / "static" / "css" / "app.css"


def vary(response) -> list[str]:
    return [value.strip().lower() for value in response.headers.get("Vary", "").split(",") if value.strip()]


@pytest.mark.parametrize(
    ("accept", "encoding", "decode"), [("gzip", "gzip", gzip.decompress), ("gzip, br", "br", brotli.decompress)]
)
def test_static_files_are_compressed_for_gzip_only_clients_too(client, accept, encoding, decode):
    response = client.get("/static/css/app.css", headers={"Accept-Encoding": accept})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == encoding
    assert decode(response.get_data()) == CSS.read_bytes()
    assert vary(response).count("accept-encoding") == 1


def test_a_client_without_compression_gets_the_file_as_is_and_caches_know_it_varies(client):
    response = client.get("/static/css/app.css", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in response.headers
    assert response.get_data() == CSS.read_bytes()
    assert "accept-encoding" in vary(response)


def test_a_page_varies_on_encoding_as_well_as_on_htmx_and_the_cookie(client):
    response = client.get("/layanan", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert {"accept-encoding", "hx-request", "cookie"} <= set(vary(response))


def test_a_revalidated_static_file_answers_304_with_the_encoding_it_was_sent_in(client):
    first = client.get("/static/css/app.css", headers={"Accept-Encoding": "gzip"})
    again = client.get(
        "/static/css/app.css", headers={"Accept-Encoding": "gzip", "If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304
    assert "accept-encoding" in vary(again)


def _seen_by_the_app(app, headers: dict[str, str]) -> dict:
    """What the app's WSGI callable receives after the middleware, for a request with ``headers``."""
    seen = {}
    middleware = app.wsgi_app

    def record(environ, start_response):
        seen.update(ip=environ["REMOTE_ADDR"], scheme=environ["wsgi.url_scheme"], host=environ.get("HTTP_HOST"))
        start_response("204 No Content", [])
        return [b""]

    if isinstance(middleware, ProxyFix):
        middleware.app = record
    else:
        middleware = record
    Client(middleware).get("/", headers=headers, environ_base={"REMOTE_ADDR": "10.0.0.2"})
    return seen


@pytest.fixture
def make_app(database_url, tmp_path: Path):
    def factory(**config):
        return create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "test-secret-key-not-for-production",
                "SQLALCHEMY_DATABASE_URI": database_url,
                "INSTANCE_DIR": str(tmp_path),
                "INPROCESS_WORKER": False,
                "PAGE_CACHE_SECONDS": 0,
                **config,
            }
        )

    return factory


FORWARDED = {
    "X-Forwarded-For": "198.51.100.7, 203.0.113.9",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "evil.example",
}


def test_behind_one_trusted_proxy_the_app_sees_the_client_ip_and_https(make_app):
    seen = _seen_by_the_app(make_app(PROXY_COUNT=1), {**FORWARDED, "Host": "mpp.example.go.id"})
    # The proxy appended the address it saw (203.0.113.9); the first value was written by the client, not trusted.
    assert seen == {"ip": "203.0.113.9", "scheme": "https", "host": "mpp.example.go.id"}


def test_without_a_proxy_forwarded_headers_are_ignored(make_app):
    seen = _seen_by_the_app(make_app(PROXY_COUNT=0), {**FORWARDED, "Host": "mpp.example.go.id"})
    assert seen == {"ip": "10.0.0.2", "scheme": "http", "host": "mpp.example.go.id"}


def test_the_proxy_count_comes_from_the_environment(monkeypatch):
    from app.config import load_config

    monkeypatch.setenv("MPP_PROXY_COUNT", "2")
    monkeypatch.setenv("MPP_PAGE_CACHE_SECONDS", "30")
    config = load_config()
    assert config["PROXY_COUNT"] == 2 and config["PAGE_CACHE_SECONDS"] == 30


def test_the_development_origin_follows_the_port_the_server_listens_on(monkeypatch):
    from app.config import load_config

    monkeypatch.delenv("MPP_PUBLIC_ORIGIN", raising=False)
    monkeypatch.setenv("FLASK_RUN_PORT", "5119")
    assert load_config()["PUBLIC_ORIGIN"] == "http://localhost:5119"
    monkeypatch.delenv("FLASK_RUN_PORT")
    assert load_config()["PUBLIC_ORIGIN"] == "http://localhost:5000"


def test_a_public_origin_from_the_environment_wins_over_the_port(monkeypatch):
    from app.config import load_config

    monkeypatch.setenv("FLASK_RUN_PORT", "5119")
    monkeypatch.setenv("MPP_PUBLIC_ORIGIN", "https://mpp.example.go.id")
    assert load_config()["PUBLIC_ORIGIN"] == "https://mpp.example.go.id"


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_hands_its_port_to_the_server_and_to_the_demo_links():
    # `make run PORT=5119` and `make demo-staff PORT=5119` run flask with FLASK_RUN_PORT=5119, which load_config reads.
    shown = subprocess.run(
        [
            "make",
            "-s",
            "-C",
            str(PROJECT_ROOT),
            "--eval",
            "port-seen: ; @echo $$FLASK_RUN_PORT",
            "port-seen",
            "PORT=5119",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert shown.stdout.strip() == "5119"


def test_make_test_brings_the_system_packages_the_browser_tests_need():
    # Issue 14: `make test` failed on a fresh machine of this kind; it installs what the suite needs before it runs.
    shown = subprocess.run(
        ["make", "-s", "-C", str(PROJECT_ROOT), "--eval", "pkgs-seen: ; @echo $(BROWSER_PACKAGES)", "pkgs-seen"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert set(shown.stdout.split()) >= {"chromium", "fonts-dejavu-core"}
    makefile = (PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")
    prerequisites = next(line for line in makefile.splitlines() if line.startswith("test:")).split("##")[0].split()
    assert "browser" in prerequisites and "install-test" in prerequisites


def test_the_readme_says_what_a_fresh_debian_needs_and_how_long_the_suite_takes():
    readme = " ".join((PROJECT_ROOT / "README.md").read_text(encoding="utf-8").split())
    assert "apt-get install make python3-venv" in readme
    assert "MPP_CHROMIUM" in readme
    assert re.search(r"takes \d+ to \d+ minutes per database", readme)
