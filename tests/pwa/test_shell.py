"""The manifest, the service worker script and the offline page, as the browser fetches them."""

from __future__ import annotations

import gzip
import io
import json
import re

from PIL import Image

from app.pwa import shell


def test_the_manifest_is_served_with_its_media_type_and_describes_an_indonesian_standalone_app(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    manifest = response.get_json(force=True)
    assert manifest["lang"] == "id"
    assert manifest["name"] == "MPP Digital"
    assert manifest["short_name"]
    assert manifest["description"].startswith("Cari")  # Indonesian whatever the visitor's language cookie says
    assert manifest["id"] == "/"
    assert manifest["start_url"] == "/"
    assert manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"] == "#0b5394"
    assert manifest["background_color"] == "#f5f7fa"
    assert "government" in manifest["categories"]


def test_every_manifest_icon_exists_with_the_size_it_claims_including_maskable_ones(client):
    manifest = client.get("/manifest.webmanifest").get_json(force=True)
    purposes = set()
    for icon in manifest["icons"]:
        response = client.get(icon["src"])
        assert response.status_code == 200, icon["src"]
        image = Image.open(io.BytesIO(response.data))
        assert f"{image.width}x{image.height}" == icon["sizes"]
        assert image.format == "PNG"
        purposes.add((icon["sizes"], icon["purpose"]))
    assert {("192x192", "any"), ("512x512", "any"), ("192x192", "maskable"), ("512x512", "maskable")} <= purposes


def test_the_manifest_is_revalidated_and_answers_304_when_unchanged(client):
    first = client.get("/manifest.webmanifest")
    assert "no-cache" in first.headers["Cache-Control"]
    again = client.get("/manifest.webmanifest", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_the_service_worker_is_served_at_root_scope_and_never_from_a_stale_http_cache(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["Service-Worker-Allowed"] == "/"
    again = client.get("/sw.js", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_the_worker_is_sent_without_its_comment_lines_and_compressed_once_at_the_best_level(client):
    import brotli

    plain = client.get("/sw.js", headers={"Accept-Encoding": "identity"})
    script = plain.get_data(as_text=True)
    assert "Content-Encoding" not in plain.headers
    assert not [line for line in script.splitlines() if line.lstrip().startswith("//") or not line.strip()]
    assert 'self.addEventListener("fetch"' in script
    for encoding, decode in (("br", brotli.decompress), ("gzip", gzip.decompress)):
        response = client.get("/sw.js", headers={"Accept-Encoding": f"{encoding}, deflate"})
        assert response.headers["Content-Encoding"] == encoding
        assert "Accept-Encoding" in response.headers["Vary"]
        assert decode(response.data).decode() == script
        assert response.headers["ETag"] != plain.headers["ETag"]  # a 304 never mixes up the encodings
    assert len(client.get("/sw.js", headers={"Accept-Encoding": "br"}).data) == len(
        brotli.compress(script.encode(), quality=11, mode=brotli.MODE_TEXT)
    )


def _constants(script: str) -> dict:
    found = {}
    for key, name in (
        ("version", "VERSION"),
        ("precache", "PRECACHE"),
        ("static", "STATIC_CACHE"),
        ("kit", "DRAFTS_KIT"),
        ("kit_cache", "DRAFTS_KIT_CACHE"),
        ("pages", "PAGES_CACHE"),
    ):
        match = re.search(rf"^const {name} = (.*?);$", script, re.M)
        assert match, f"the placeholder {name} in service-worker/sw.js was not filled in"
        found[key] = json.loads(match.group(1))
    return found


def test_the_worker_is_filled_in_with_this_deploys_version_and_versioned_shell_urls(client):
    script = client.get("/sw.js").get_data(as_text=True)
    assert "__MPP_" not in script
    constants = _constants(script)
    assert re.fullmatch(r"[0-9a-f]{16}", constants["version"])
    assert constants["pages"] == shell.PAGES_CACHE
    assert re.fullmatch(r"mpp-static-[0-9a-f]{16}", constants["static"])
    urls = constants["precache"]
    assert "/offline" in urls
    for name in ("css/app.css", "js/app.js", "vendor/htmx-2.0.11.min.js", "icons/icon.svg"):
        assert any(url.startswith(f"/static/{name}?v=") for url in urls), name


def test_the_plain_worker_holds_no_offline_drafts_kit_and_the_kit_worker_holds_all_of_it(client):
    """Every visitor installs the plain worker; the drafts kit (the sync core it imports, drafts.js and the offline
    form page) is only in the variant a page that keeps drafts registers."""
    plain = _constants(client.get("/sw.js").get_data(as_text=True))
    assert plain["kit"] == [] and plain["kit_cache"] == ""
    kit_names = ("offline-queue.js", "drafts.js", "/luring/formulir")
    assert not [url for url in plain["precache"] if any(name in url for name in kit_names)]

    response = client.get("/sw.js?kit=drafts")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-cache"
    kit = _constants(response.get_data(as_text=True))
    assert kit["version"] != plain["version"]
    # The same deploy's shell, in the same cache: replacing the plain worker fetches none of it again.
    assert kit["static"] == plain["static"] and kit["precache"] == plain["precache"]
    assert re.fullmatch(r"mpp-drafts-kit-[0-9a-f]{16}", kit["kit_cache"])
    assert kit["kit"][0].startswith("/static/js/offline-queue.js?v=")  # imported by the worker
    assert kit["kit"][1].startswith("/static/js/drafts.js?v=")
    assert kit["kit"][2] == "/luring/formulir"
    assert "importScripts(OFFLINE_QUEUE_SCRIPT)" in response.get_data(as_text=True)
    again = client.get("/sw.js?kit=drafts", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    assert client.get("/sw.js?kit=other").status_code == 404


def test_every_precached_url_can_be_fetched_so_installing_the_worker_cannot_fail(client):
    constants = _constants(client.get("/sw.js?kit=drafts").get_data(as_text=True))
    for url in constants["precache"] + constants["kit"]:
        assert client.get(url).status_code == 200, url


def test_a_change_to_the_worker_or_to_a_shell_asset_changes_the_version(app, monkeypatch):
    with app.test_request_context():
        source = shell.SERVICE_WORKER_SOURCE.read_text()
        before, before_kit = shell.worker_version(source), shell.worker_version(source, "drafts")
        cache_before, kit_cache_before = shell.shell_version(), shell.drafts_kit_version()
        assert shell.worker_version(source + "\n// changed") != before
        versions = {}
        monkeypatch.setattr(shell, "asset_version", lambda name: versions.get(name, "same"))
        same_plain, same_kit = shell.worker_version(source), shell.worker_version(source, "drafts")
        same_cache, same_kit_cache = shell.shell_version(), shell.drafts_kit_version()
        assert (same_plain, same_cache) != (before, cache_before)
        # A change to the kit reaches the kit worker and its cache, not every visitor's plain worker.
        versions["js/drafts.js"] = "a-new-deploy"
        assert shell.worker_version(source, "drafts") != same_kit
        assert shell.drafts_kit_version() != same_kit_cache
        assert shell.worker_version(source) == same_plain and shell.shell_version() == same_cache
        # A change to the shell reaches both (the stored form page names the shell's asset versions).
        versions["css/app.css"] = "a-new-deploy"
        assert shell.worker_version(source) != same_plain and shell.shell_version() != same_cache
        assert shell.drafts_kit_version() != same_kit_cache
        assert kit_cache_before != cache_before and before_kit != before


def test_the_offline_page_is_public_indonesian_and_may_be_stored_by_the_worker(client):
    soup = client.get_page("/offline")
    assert soup.h1.get_text(strip=True) == "Tidak ada koneksi internet"
    response = client.get("/offline")
    assert response.headers["X-MPP-Offline"] == "public"
    assert "no-store" not in response.headers["Cache-Control"]
    assert soup.select_one("[data-pages-cache]")["data-pages-cache"] == shell.PAGES_CACHE


def test_a_page_that_is_not_marked_public_is_never_offered_to_the_worker(client):
    response = client.get("/tidak-ada-halaman-ini")
    assert response.status_code == 404
    assert "X-MPP-Offline" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"


def test_every_page_links_the_manifest_and_carries_the_offline_banner_in_a_live_region(client):
    soup = client.get_page("/")
    assert soup.find("link", rel="manifest")["href"] == "/manifest.webmanifest"
    banner = soup.find(id="offline-banner")
    assert banner.has_attr("hidden")
    assert banner.parent["role"] == "status"
