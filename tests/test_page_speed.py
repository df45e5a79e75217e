"""Fast pages without losing what protects them: a cache hit is sent as compressed when the page was stored (brotli
or gzip), every public page has an ETag (a 304 keeps its caching rules), static files are compressed at build time
and kept a year without revalidation, and headers only a document reads are not repeated on every CSS/JS file."""

from __future__ import annotations

import gzip
import os
import zlib

import brotli
import pytest

from app import assets
from app.gzip_splice import compress_parts, splice
from app.pagecache import (
    BROTLI_BEST,
    BROTLI_QUICK,
    CACHE_HEADER,
    brotli_of,
    cache_of,
    wait_for_best_compression,
)
from app.security import OFFLINE_HEADER, is_public_read

SERVICE_PAGE = "/layanan/ktp-el-baru"
GZIP = {"Accept-Encoding": "gzip, deflate, br"}


@pytest.fixture
def page_cache(app, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_CACHE_SECONDS", 60)
    cache_of(app).invalidate()
    yield cache_of(app)
    cache_of(app).invalidate()


def test_spliced_gzip_is_one_valid_stream_with_the_values_in_their_gaps():
    parts = [b"<p>" + b"kepala " * 200, b'" defer>' + b"isi halaman " * 500, b"</html>"]
    body = splice(compress_parts(parts), [b"nonce-1", b"nonce-1"])
    expected = parts[0] + b"nonce-1" + parts[1] + b"nonce-1" + parts[2]
    assert gzip.decompress(body) == expected
    stream = zlib.decompressobj(16 + zlib.MAX_WBITS)
    assert stream.decompress(body) == expected and stream.eof and not stream.unused_data
    with pytest.raises(ValueError):
        splice(compress_parts(parts), [b"x"])


def test_a_cache_hit_is_sent_as_compressed_when_the_page_was_stored(client, demo_data, page_cache):
    first = client.get(SERVICE_PAGE, headers=GZIP)
    assert first.headers[CACHE_HEADER] == "miss" and first.headers["Content-Encoding"] == "br"
    (stored,) = (entry.page for entry in page_cache._entries.values())
    assert first.get_data() == brotli_of(stored.bodies["identity"], BROTLI_QUICK), "a miss pays only a quick brotli"
    hit = client.get(SERVICE_PAGE, headers=GZIP)
    assert hit.headers[CACHE_HEADER] == "hit"
    assert hit.headers["Content-Encoding"] == "br", "brotli when the client takes it"
    wait_for_best_compression()  # the hit asked for the best brotli, made in the background
    best = client.get(SERVICE_PAGE, headers=GZIP)
    assert best.get_data() == stored.bodies["br"] == brotli_of(stored.bodies["identity"], BROTLI_BEST)
    assert len(best.get_data()) < len(first.get_data()) and int(best.headers["Content-Length"]) == len(best.get_data())

    plain = client.get(SERVICE_PAGE, headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    html = plain.get_data(as_text=True)
    for answer in (first, hit, best):
        assert brotli.decompress(answer.get_data()).decode() == html
    assert "gzip" not in stored.bodies, "no gzip made before a client asks for one"
    gz = client.get(SERVICE_PAGE, headers={"Accept-Encoding": "gzip"})
    assert gz.headers["Content-Encoding"] == "gzip" and gzip.decompress(gz.get_data()).decode() == html
    kept = stored.bodies["gzip"]
    assert gz.get_data() == kept and stored.bodies["br"] == best.get_data(), "kept, next to the best brotli"
    again = client.get(SERVICE_PAGE, headers={"Accept-Encoding": "gzip"})
    assert again.get_data() == kept and stored.bodies["gzip"] is kept, "made once, on the first ask"
    assert "mpp-csrf-" not in html
    assert "accept-encoding" in hit.headers["Vary"].lower()


@pytest.mark.parametrize("cache_on", [True, False])
def test_a_public_page_has_an_etag_and_an_unchanged_page_answers_304(client, demo_data, app, monkeypatch, cache_on):
    monkeypatch.setitem(app.config, "PAGE_CACHE_SECONDS", 60 if cache_on else 0)
    cache_of(app).invalidate()
    first = client.get(SERVICE_PAGE, headers=GZIP)
    etag = first.headers["ETag"]
    assert etag.startswith('W/"')
    again = client.get(SERVICE_PAGE, headers={**GZIP, "If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    # A 304 confirms the page: the service worker may still keep it, and the browser still revalidates it.
    assert again.headers[OFFLINE_HEADER] == "public"
    assert again.headers["Cache-Control"] == "no-cache"
    assert again.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]
    other = client.get(SERVICE_PAGE, headers={**GZIP, "If-None-Match": 'W/"stale"'})
    assert other.status_code == 200
    cache_of(app).invalidate()


def test_a_personal_page_has_no_etag(signed_in_client):
    response = signed_in_client.get("/akun")
    assert response.status_code == 200
    assert "ETag" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"


def test_a_versioned_asset_is_kept_a_year_without_revalidation(client, app):
    with app.test_request_context():
        url = assets.asset_url("css/app.css")
    response = client.get(url, headers=GZIP)
    cache_control = response.headers["Cache-Control"]
    assert "immutable" in cache_control and "max-age=31536000" in cache_control
    assert "no-cache" not in cache_control


def test_css_and_js_carry_only_the_headers_a_subresource_needs_and_an_svg_keeps_the_document_set(client, app):
    with app.test_request_context():
        css, js, svg = (assets.asset_url(name) for name in ("css/app.css", "js/app.js", "icons/icon.svg"))
    for url in (css, js):
        headers = client.get(url, headers=GZIP).headers
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Cross-Origin-Resource-Policy"] == "same-origin"
        for html_only in ("Content-Security-Policy", "X-Frame-Options", "Permissions-Policy", "Referrer-Policy"):
            assert html_only not in headers, f"{url} repeats {html_only}"
    svg_headers = client.get(svg).headers
    assert "Content-Security-Policy" in svg_headers and svg_headers["X-Frame-Options"] == "DENY"
    worker = client.get("/sw.js").headers
    assert "Content-Security-Policy" in worker  # a worker script's CSP governs the worker


def test_static_files_compressed_at_build_time_are_served_as_they_are(client, app, tmp_path, monkeypatch):
    folder = tmp_path / "static"
    (folder / "css").mkdir(parents=True)
    text = b"body { color: #0b5394; } " * 400
    (folder / "css" / "x.css").write_bytes(text)
    (folder / "icon.png").write_bytes(b"\x89PNG....")
    rows = dict((name, sizes) for name, *sizes in assets.compress_folder(folder))
    assert set(rows) == {"css/x.css"}  # only text is compressed
    assert (folder / "css" / "x.css.gz").exists() and (folder / "css" / "x.css.br").exists()
    monkeypatch.setattr(app, "static_folder", str(folder))
    br = client.get("/static/css/x.css", headers={"Accept-Encoding": "gzip, br"})
    assert br.headers["Content-Encoding"] == "br" and brotli.decompress(br.get_data()) == text
    assert br.get_data() == (folder / "css" / "x.css.br").read_bytes()  # the build's bytes, not a new compression
    gz = client.get("/static/css/x.css", headers={"Accept-Encoding": "gzip"})
    assert gz.headers["Content-Encoding"] == "gzip" and gzip.decompress(gz.get_data()) == text
    assert gz.headers["ETag"] != br.headers["ETag"]
    assert gz.mimetype == "text/css"
    again = client.get("/static/css/x.css", headers={"Accept-Encoding": "gzip", "If-None-Match": gz.headers["ETag"]})
    assert again.status_code == 304
    plain = client.get("/static/css/x.css", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers and plain.get_data() == text
    # An edited file whose copies are older is sent fresh (compressed per request), never the stale copy.
    (folder / "css" / "x.css").write_bytes(b"body{}" * 100)
    stale_time = (folder / "css" / "x.css").stat().st_mtime - 10
    os.utime(folder / "css" / "x.css.br", (stale_time, stale_time))
    os.utime(folder / "css" / "x.css.gz", (stale_time, stale_time))
    fresh = client.get("/static/css/x.css", headers={"Accept-Encoding": "br"})
    assert brotli.decompress(fresh.get_data()) == b"body{}" * 100


def test_only_public_page_reads_skip_the_rate_limiter(app):
    with app.test_request_context(SERVICE_PAGE):  # the request context matches the URL when it is pushed
        assert is_public_read()
    with app.test_request_context(SERVICE_PAGE, method="HEAD"):
        assert is_public_read()
    for path, method in (("/masuk", "POST"), ("/permohonan", "GET"), ("/api/v1/layanan", "GET")):
        with app.test_request_context(path, method=method):
            assert not is_public_read(), f"{method} {path}"


@pytest.mark.parametrize("cache_on", [True, False])
def test_a_public_page_with_a_form_never_answers_304(signed_in_client, demo_data, app, monkeypatch, cache_on):
    """Signed in, the header has the sign-out form and its CSRF token: a 304 would make the browser reuse a token of a
    session that may have ended, so such a page has no ETag."""
    monkeypatch.setitem(app.config, "PAGE_CACHE_SECONDS", 60 if cache_on else 0)
    cache_of(app).invalidate()
    for _ in range(2):  # a miss, then (cache on) a hit
        response = signed_in_client.get(SERVICE_PAGE, headers={**GZIP, "If-None-Match": "*"})
        assert response.status_code == 200
        assert "ETag" not in response.headers
    cache_of(app).invalidate()
