"""The MDN HTTP Observatory score of the production profile, computed from the app's real responses (issue 9).

A scan as the Observatory makes it: ``http://host/`` first (the TLS proxy in front of production tells the app the
scheme through the trusted ``X-Forwarded-Proto``), every redirect followed, then each test scored on the final
response with the published table in tests/site/observatory.py. The production profile must keep A+ with at least
125; the plain-HTTP embedded profile (``make run``) scores 60, which the same scorer must reproduce — that is what
keeps the scorer honest (README, "Serving production").
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from app import create_app

from .observatory import Hop, score

HOST = "mpp.example.go.id"
SCANNER_ORIGIN = "https://http-observatory.security.mozilla.org"


def scan(client, start: str, *, behind_proxy: bool) -> list[Hop]:
    """GET ``start`` and follow redirects like the Observatory; returns every hop."""
    chain, url = [], start
    for _hop in range(10):
        parts = urlsplit(url)
        headers = {"Origin": SCANNER_ORIGIN}
        if behind_proxy:  # what the TLS-terminating proxy adds (MPP_PROXY_COUNT=1 trusts one hop)
            headers |= {"X-Forwarded-Proto": parts.scheme, "X-Forwarded-For": "198.51.100.7"}
        response = client.get(
            parts.path or "/", query_string=parts.query, base_url=f"http://{parts.netloc}", headers=headers
        )
        headers_seen: dict[str, list[str]] = {}
        for name, value in response.headers.items():
            headers_seen.setdefault(name.lower(), []).append(value)
        chain.append(Hop(url, response.status_code, headers_seen, response.get_data(as_text=True)))
        if response.status_code not in (301, 302, 303, 307, 308):
            return chain
        location = response.headers["Location"]
        url = location if "://" in location else f"{parts.scheme}://{parts.netloc}{location}"
    raise AssertionError("redirect loop")


@pytest.fixture
def production_app(monkeypatch, database_url, tmp_path, demo_data):
    """The production profile exactly as README's "Scale" section configures it, on the test database."""
    for name, value in {
        "MPP_ENV": "production",
        "MPP_SECRET_KEY": "p" * 48,
        "MPP_DATABASE_URL": database_url,
        "MPP_PUBLIC_ORIGIN": f"https://{HOST}",
        "MPP_PROXY_COUNT": "1",
        "MPP_INPROCESS_WORKER": "0",
        "MPP_RATELIMIT_STORAGE": "memory://",
        "MPP_INSTANCE_DIR": str(tmp_path),
    }.items():
        monkeypatch.setenv(name, value)
    return create_app({"PAGE_CACHE_SECONDS": 0})


def test_the_production_profile_scores_at_least_125_on_the_http_observatory(production_app):
    chain = scan(production_app.test_client(), f"http://{HOST}/", behind_proxy=True)

    result = score(chain, asked_origin=SCANNER_ORIGIN)

    assert chain[-1].status == 200 and chain[-1].url == f"https://{HOST}/"
    assert result.outcomes["redirection"] == "redirection-to-https", result.report()
    assert result.score >= 125 and result.grade == "A+", result.report()


def test_a_page_that_sets_cookies_keeps_the_score(production_app):
    """The sign-in page writes the session cookie (its CSRF token): Secure, HttpOnly, SameSite=Lax, __Host-."""
    chain = scan(production_app.test_client(), f"http://{HOST}/masuk", behind_proxy=True)
    result = score(chain, asked_origin=SCANNER_ORIGIN)
    assert chain[-1].headers.get("set-cookie"), "the sign-in page sets the session cookie"
    assert result.outcomes["cookies"] == "cookies-secure-with-httponly-sessions-and-samesite", result.report()
    assert result.score >= 125, result.report()


def test_plain_http_make_run_scores_60_as_the_observatory_says(client, demo_data):
    """The embedded profile on http://localhost: no HTTPS, so no HSTS (-20) and no redirect to it (-20), and below
    90 no bonus counts. This is why production must be served behind a TLS proxy (README)."""
    chain = scan(client.raw, "http://localhost/", behind_proxy=False)
    result = score(chain, asked_origin=SCANNER_ORIGIN)
    assert result.score == 60 and result.grade == "C+", result.report()


def test_a_request_the_proxy_did_not_mark_is_never_redirected(production_app):
    """Without X-Forwarded-Proto the app cannot know the scheme: it must not answer every request with a redirect
    (a proxy that does not send the header would otherwise loop)."""
    response = production_app.test_client().get("/", base_url=f"http://{HOST}")
    assert response.status_code == 200
