"""Zero axe-core violations (WCAG 2.x A/AA) at 360 px on every public page, in every state that matters.

To cover a new public page, add its URL to PAGES (with the status it answers). States that need the browser to
do something first (offline, the offline fallback) have their own tests below.
"""

from __future__ import annotations

import pytest

from .conftest import _wipe, restore_snapshot
from .helpers import assert_no_axe_violations
from .pwa.worker import goto_controlled, visit_and_store

PAGES = [
    pytest.param("/", 200, id="home"),
    pytest.param("/layanan", 200, id="services"),
    pytest.param("/layanan?q=ktp", 200, id="search-results"),
    pytest.param("/layanan?q=zzzz", 200, id="search-no-results"),
    pytest.param("/layanan/ktp-el-baru", 200, id="service-ktp"),
    pytest.param("/layanan/paspor-biasa", 200, id="service-passport-with-fees"),
    pytest.param("/layanan/skck-baru", 200, id="service-skck"),
    pytest.param("/layanan/pajak-kendaraan-tahunan", 200, id="service-vehicle-tax"),
    pytest.param("/mpp", 200, id="mpp-list"),
    pytest.param("/mpp/kota-kendari", 200, id="mpp-wita"),
    pytest.param("/mpp/kab-banyuwangi", 200, id="mpp-wib"),
    pytest.param("/instansi/disdukcapil", 200, id="agency"),
    pytest.param("/offline", 200, id="offline"),
    pytest.param("/mpp/kota-samarinda/antrean", 200, id="queue-board"),
    pytest.param("/kinerja", 200, id="performance"),
    pytest.param("/kinerja/mpp/kota-kendari", 200, id="performance-mpp"),
    pytest.param("/pengaduan", 200, id="complaints"),
    pytest.param("/pengaduan/baru", 200, id="complaint-form-anonymous"),
    pytest.param("/pengaduan/ADU-2345-6789", 200, id="complaint-code"),
    pytest.param("/kios/kota-kendari", 200, id="kiosk-home"),
    pytest.param("/kios/kota-kendari/layanan?q=ktp", 200, id="kiosk-services"),
    pytest.param("/kios/kota-kendari/status", 200, id="kiosk-status"),
    pytest.param("/halaman-yang-tidak-ada", 404, id="not-found"),
]


@pytest.fixture(scope="module")
def demo_data(app, demo_snapshot):
    """The demo catalog, restored once for the whole walk: these tests only read (the root conftest's per-test
    wipe is replaced below)."""
    restore_snapshot(app, demo_snapshot)
    yield
    _wipe(app)


@pytest.fixture(autouse=True)
def _clean_database():
    """Nothing to clean between these read-only tests; the module's `demo_data` wipes everything at the end."""
    yield


@pytest.mark.parametrize(("path", "status"), PAGES)
def test_public_page_has_no_accessibility_violations(page, demo_data, path, status):
    response = page.goto(path)
    assert response.status == status
    assert_no_axe_violations(page)


def test_the_offline_banner_is_accessible_when_the_connection_drops(page, demo_data):
    page.goto("/layanan/ktp-el-baru")
    page.context.set_offline(True)
    page.locator("#offline-banner").wait_for(state="visible")
    assert_no_axe_violations(page)


def test_the_offline_fallback_listing_saved_pages_is_accessible(page, demo_data):
    goto_controlled(page, "/")
    visit_and_store(page, "/layanan/ktp-el-baru")
    page.context.set_offline(True)
    page.goto("/layanan/belum-pernah-dibuka")
    page.locator(".offline-page-list a").first.wait_for()
    assert_no_axe_violations(page)
