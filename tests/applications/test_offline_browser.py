"""Offline drafts and exactly-once submission, in a real Chromium with the real service worker.

A citizen in Kendari on a bus: starts an application, loses the signal, reloads, closes the app, comes back and
submits — and the agency receives it once. These tests use their own server thread (not the session one) so a
real outage can be made: the server is stopped while the citizen types and started again on the same port.

The apply pages here are a small stand-in built on the agreed contract (tests/applications/offline_fake.py), so
they exercise drafts.js, offline-queue.js and the worker's sync section by themselves.
"""

from __future__ import annotations

import socket
import threading
import time

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

import app as app_package
from app import create_app
from tests.accounts.fixtures import sign_in_test_client
from tests.helpers import PageClient, assert_no_axe_violations, shot

from .conftest import PERSON, SERVICE, applications, complete_draft, draft_row
from .offline_fake import FakeDraft, FakeServer, make_blueprint

RESTORED = "Isian dipulihkan dari perangkat ini."
QUEUED = "Menunggu koneksi — akan dikirim otomatis."


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RestartableServer:
    """The app on one fixed port that a test can stop (a real outage) and start again."""

    def __init__(self, wsgi_app, port: int) -> None:
        self.app, self.port, self.server, self.thread = wsgi_app, port, None, None

    def start(self) -> None:
        self.server = make_server("localhost", self.port, self.app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.thread.join(5)
            self.server = None


@pytest.fixture(scope="module")
def fake() -> FakeServer:
    return FakeServer()


@pytest.fixture(scope="module")
def drafts_app(app, fake):
    """The real app (same database, same secret) with the stand-in apply pages instead of the real ones."""
    real = list(app_package.BLUEPRINTS)
    app_package.BLUEPRINTS[:] = [name for name in real if name != "applications"]
    try:
        instance = create_app({key: app.config[key] for key in ("TESTING", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI")})
    finally:
        app_package.BLUEPRINTS[:] = real
    instance.config.update(RATELIMIT_ENABLED=False)
    instance.register_blueprint(make_blueprint(fake))
    return instance


@pytest.fixture(scope="module")
def server(drafts_app):
    control = RestartableServer(drafts_app, _free_port())
    control.start()
    yield control
    control.stop()


@pytest.fixture
def origin(server, fake):
    fake.reset()
    if server.server is None:
        server.start()
    yield f"http://localhost:{server.port}"
    if server.server is None:
        server.start()


def sign_in_browser(drafts_app, page, origin, user) -> None:
    """A browser signed in as ``user``: a real session row, its cookie handed to the browser context."""
    client = drafts_app.test_client()
    sign_in_test_client(drafts_app, client, user)
    cookie = client.get_cookie(drafts_app.config["SESSION_COOKIE_NAME"])
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": origin}])


@pytest.fixture
def citizen_page(page, drafts_app, origin, citizen):
    sign_in_browser(drafts_app, page, origin, citizen)
    return page


def wait_until(check, timeout=10.0, message="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {message}")


def goto_controlled(page, url: str) -> None:
    """Open ``url`` and wait until the service worker controls it (it is what serves the page offline)."""
    page.goto(url)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15000)
    drafts_ready(page)


def drafts_ready(page) -> None:
    """Wait until drafts.js has restored, drawn and synced what it does on load."""
    page.wait_for_function("() => self.mppDraftsReady !== undefined")
    page.evaluate("self.mppDraftsReady")


# Reads the device store without drafts.js (e.g. on the application page, which does not load it).
RAW_DEVICE_DRAFT = """id => new Promise((resolve, reject) => {
  const open = indexedDB.open("mpp-drafts");
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const get = open.result.transaction("drafts").objectStore("drafts").get(id);
    get.onsuccess = () => { resolve(get.result ?? null); open.result.close(); };
  };
})"""


def device_draft(page, draft_id: str) -> dict | None:
    return page.evaluate("id => self.mppOffline.getDraft(id)", draft_id)


def wait_saved_on_device(page, draft_id: str, name: str, value: str) -> None:
    wait_until(
        lambda: ((device_draft(page, draft_id) or {}).get("answers") or {}).get(name) == value,
        message=f"{name}={value!r} saved on the device",
    )


def test_a_half_filled_form_survives_an_offline_reload_and_syncs_when_back_online(citizen_page, origin, fake):
    page = citizen_page
    fake.drafts["d1"] = FakeDraft()
    goto_controlled(page, f"{origin}/permohonan/draf/d1/data")
    page.fill("#nama", "Siti Rahayu")
    page.fill("#nik", "7471012345678901")
    page.check("#jk-P")
    wait_saved_on_device(page, "d1", "pemohon.nik", "7471012345678901")

    page.context.set_offline(True)
    page.reload()

    drafts_ready(page)
    # The worker served the offline form page (no personal data in any cache) and drafts.js drew the step again.
    assert page.locator("h1").inner_text() == "Data pemohon"
    assert page.get_by_label("Nama lengkap").input_value() == "Siti Rahayu"
    assert page.get_by_label("NIK").input_value() == "7471012345678901"
    assert page.get_by_label("Perempuan").is_checked()
    page.get_by_text("Isian Anda disimpan di perangkat ini dan dikirim otomatis saat koneksi kembali.").wait_for()
    shot(page, "offline-form")
    page.get_by_label("Alamat").fill("Jl. Abdullah Silondae No. 8, Kendari")
    wait_saved_on_device(page, "d1", "pemohon.alamat", "Jl. Abdullah Silondae No. 8, Kendari")
    assert fake.drafts["d1"].answers.get("pemohon.alamat") is None  # nothing reached the server yet
    assert_no_axe_violations(page)

    page.context.set_offline(False)  # `online` fires, and Background Sync too: the server applies it once

    wait_until(lambda: fake.drafts["d1"].answers.get("pemohon.alamat") == "Jl. Abdullah Silondae No. 8, Kendari")
    assert fake.drafts["d1"].answers == {
        "pemohon.nama": "Siti Rahayu",
        "pemohon.nik": "7471012345678901",
        "pemohon.jk": "P",
        "pemohon.alamat": "Jl. Abdullah Silondae No. 8, Kendari",
    }
    wait_until(
        lambda: (
            not device_draft(page, "d1")["conflict"]
            and device_draft(page, "d1")["revision"] == fake.drafts["d1"].revision
        )
    )


def test_nothing_is_lost_when_the_server_stops_mid_edit_and_it_syncs_on_the_next_load(
    citizen_page, origin, fake, server
):
    page = citizen_page
    fake.drafts["d2"] = FakeDraft(answers={"pemohon.nama": "Siti"})
    goto_controlled(page, f"{origin}/permohonan/draf/d2/data")

    server.stop()  # a real outage: the phone still thinks it is online, no `online` event will ever fire
    page.fill("#nama", "Siti Rahayu")
    page.fill("#alamat", "Kel. Korumba, Kec. Mandonga")
    wait_saved_on_device(page, "d2", "pemohon.alamat", "Kel. Korumba, Kec. Mandonga")
    page.get_by_text("Tersimpan di perangkat ini.").wait_for()
    page.close()  # the citizen closes the app

    server.start()
    assert fake.drafts["d2"].answers == {"pemohon.nama": "Siti"}
    again = page.context.new_page()
    goto_controlled(again, f"{origin}/permohonan/draf/d2/data")

    again.get_by_text(RESTORED).wait_for()
    assert again.get_by_label("Nama lengkap").input_value() == "Siti Rahayu"
    assert again.get_by_label("Alamat").input_value() == "Kel. Korumba, Kec. Mandonga"
    wait_until(lambda: fake.drafts["d2"].answers.get("pemohon.alamat") == "Kel. Korumba, Kec. Mandonga")
    assert fake.drafts["d2"].answers["pemohon.nama"] == "Siti Rahayu"
    assert_no_axe_violations(again)


def test_a_submission_made_offline_is_queued_and_sent_exactly_once_when_back_online(citizen_page, origin, fake):
    page = citizen_page
    fake.drafts["d3"] = FakeDraft(answers={"pemohon.nama": "Siti Rahayu"})
    goto_controlled(page, f"{origin}/permohonan/draf/d3/periksa")

    page.context.set_offline(True)
    page.get_by_label("Saya menyatakan data yang saya isi benar.").check()
    page.get_by_role("button", name="Kirim permohonan").click()

    page.get_by_text(QUEUED).wait_for()
    assert page.get_by_role("button", name="Kirim permohonan").is_disabled()
    assert fake.submit_posts == 0
    assert_no_axe_violations(page)

    page.context.set_offline(False)  # both the `online` listener and Background Sync try to send it

    page.wait_for_url(f"{origin}/permohonan/uji-1")
    assert fake.applications == {"kunci-d3-0001": 1}
    assert page.evaluate("self.mppOffline ? self.mppOffline.allQueued() : []") == []


def test_a_queued_submission_survives_closing_the_app_and_is_sent_by_the_worker_once(citizen_page, origin, fake):
    page = citizen_page
    fake.drafts["d4"] = FakeDraft()
    goto_controlled(page, f"{origin}/permohonan/draf/d4/periksa")
    page.context.set_offline(True)
    page.get_by_label("Saya menyatakan data yang saya isi benar.").check()
    page.get_by_role("button", name="Kirim permohonan").click()
    page.get_by_text(QUEUED).wait_for()

    # Reopened offline: the offline form page says it is still waiting, and does not offer to send it twice.
    page.reload()
    drafts_ready(page)
    page.get_by_text(QUEUED).wait_for()

    # Fire the worker's sync twice by hand (what Chromium does when the network is back), plus the page's own
    # `online` run: three senders, one application.
    page.context.set_offline(False)
    cdp = page.context.new_cdp_session(page)
    registrations = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda event: registrations.extend(event["registrations"]))
    cdp.send("ServiceWorker.enable")
    for _ in range(100):  # CDP events arrive while Playwright is waiting, not while Python sleeps
        if registrations:
            break
        page.wait_for_timeout(50)
    for _ in range(2):
        cdp.send(
            "ServiceWorker.dispatchSyncEvent",
            {
                "origin": origin,
                "registrationId": registrations[0]["registrationId"],
                "tag": "mpp-drafts",
                "lastChance": False,
            },
        )
    page.wait_for_url(f"{origin}/permohonan/uji-1")
    assert fake.applications == {"kunci-d4-0001": 1}


def test_a_double_tap_on_submit_sends_one_application(citizen_page, origin, fake):
    page = citizen_page
    fake.drafts["d5"] = FakeDraft()
    goto_controlled(page, f"{origin}/permohonan/draf/d5/periksa")
    page.get_by_label("Saya menyatakan data yang saya isi benar.").check()

    page.evaluate(
        """() => { const form = document.querySelector('form[action$="/kirim"]');
                   form.requestSubmit(); form.requestSubmit(); form.requestSubmit(); }"""
    )
    page.wait_for_url(f"{origin}/permohonan/uji-1")
    assert fake.applications == {"kunci-d5-0001": 1}
    assert fake.submit_posts == 1


def test_a_draft_changed_on_another_device_asks_which_answers_to_keep(citizen_page, origin, fake):
    page = citizen_page
    fake.drafts["d6"] = FakeDraft(answers={"pemohon.nama": "Siti"})
    goto_controlled(page, f"{origin}/permohonan/draf/d6/data")
    page.context.set_offline(True)
    page.fill("#nama", "Siti Rahayu (ponsel)")
    wait_saved_on_device(page, "d6", "pemohon.nama", "Siti Rahayu (ponsel)")
    # Meanwhile on the family laptop:
    fake.drafts["d6"].answers["pemohon.nama"] = "Siti Rahayu (laptop)"
    fake.drafts["d6"].revision += 1

    page.context.set_offline(False)

    page.get_by_text("Permohonan ini juga diubah di perangkat lain.").wait_for()
    assert fake.drafts["d6"].answers["pemohon.nama"] == "Siti Rahayu (laptop)"  # never silently overwritten
    shot(page, "offline-conflict")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Pakai isian yang tersimpan di server").click()
    expect(page.get_by_label("Nama lengkap")).to_have_value("Siti Rahayu (laptop)")
    page.get_by_text("Isian yang tersimpan di server sudah ditampilkan.").wait_for()

    page.fill("#nama", "Siti Rahayu")
    wait_until(lambda: fake.drafts["d6"].answers["pemohon.nama"] == "Siti Rahayu")


def test_signing_out_removes_the_drafts_kept_on_the_device(citizen_page, origin, fake):
    page = citizen_page
    fake.drafts["d7"] = FakeDraft()
    goto_controlled(page, f"{origin}/permohonan/draf/d7/data")
    page.fill("#nama", "Siti Rahayu")
    wait_saved_on_device(page, "d7", "pemohon.nama", "Siti Rahayu")

    page.goto(f"{origin}/keluar-uji")
    drafts_ready(page)

    databases = page.evaluate("indexedDB.databases().then(list => list.map(db => db.name))")
    assert "mpp-drafts" not in databases


def test_the_worker_forgets_device_drafts_on_forget_account(citizen_page, origin, fake):
    page = citizen_page
    fake.drafts["d8"] = FakeDraft()
    goto_controlled(page, f"{origin}/permohonan/draf/d8/data")
    page.fill("#nama", "Siti Rahayu")
    wait_saved_on_device(page, "d8", "pemohon.nama", "Siti Rahayu")

    page.evaluate(
        """() => new Promise(resolve => {
             navigator.serviceWorker.addEventListener('message', e => e.data.type === 'account-forgotten' && resolve());
             navigator.serviceWorker.controller.postMessage({type: 'forget-account'});
           })"""
    )
    wait_until(lambda: "mpp-drafts" not in page.evaluate("indexedDB.databases().then(l => l.map(d => d.name))"))


def test_on_a_shared_phone_the_next_citizen_never_sees_the_previous_ones_device_drafts(
    citizen_page, drafts_app, origin, fake, other_citizen
):
    page = citizen_page
    fake.drafts["d9"] = FakeDraft()
    goto_controlled(page, f"{origin}/permohonan/draf/d9/data")
    page.context.set_offline(True)
    page.fill("#nama", "Siti Rahayu")
    wait_saved_on_device(page, "d9", "pemohon.nama", "Siti Rahayu")
    page.context.set_offline(False)

    # Budi signs in on the same phone without Siti having signed out (her session simply idled out).
    page.context.clear_cookies()
    sign_in_browser(drafts_app, page, origin, other_citizen)
    fake.drafts["d10"] = FakeDraft()
    goto_controlled(page, f"{origin}/permohonan/draf/d10/data")

    assert device_draft(page, "d9") is None
    assert page.get_by_label("Nama lengkap").input_value() == ""


def test_the_offline_form_page_is_public_and_the_token_endpoint_is_never_cached(drafts_app):
    client = PageClient(drafts_app.test_client())
    soup = client.get_page("/luring/formulir")
    assert soup.find("meta", attrs={"name": "mpp-account"}) is None
    response = client.get("/luring/token")
    assert response.headers["Cache-Control"] == "no-store"
    # Signed out: no token and no new session (its cookie could overwrite a sign-in made meanwhile).
    assert response.status_code == 401
    assert response.json == {"account": None, "csrf_token": None}
    assert "Set-Cookie" not in response.headers


# --- the real apply pages (app/applications) -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_server(app):
    control = RestartableServer(app, _free_port())
    control.start()
    yield control
    control.stop()


@pytest.fixture
def real_origin(real_server):
    if real_server.server is None:
        real_server.start()
    yield f"http://localhost:{real_server.port}"
    if real_server.server is None:
        real_server.start()


@pytest.fixture
def applicant_page(page, app, real_origin, citizen, demo_forms):
    sign_in_browser(app, page, real_origin, citizen)
    return page


def new_draft(app, user) -> str:
    """A fresh draft of the KTP-el (lost/damaged) form, as "Ajukan online" makes it. Returns its public id."""
    from app.accounts.models import User
    from app.applications import drafts
    from app.catalog.models import Service
    from app.extensions import db

    with app.app_context():
        service = db.session.scalar(db.select(Service).where(Service.slug == SERVICE))
        return drafts.start_draft(db.session.get(User, user.id), service).public_id


def server_answers(app, public_id: str) -> dict:
    return draft_row(app, public_id).answers


def test_real_form_filled_offline_after_a_reload_reaches_the_server_when_back_online(
    applicant_page, app, real_origin, citizen
):
    page = applicant_page
    public_id = new_draft(app, citizen)
    goto_controlled(page, f"{real_origin}/permohonan/draf/{public_id}/pemohon")
    page.fill('[name="nama"]', PERSON["nama"])
    page.fill('[name="nik"]', PERSON["nik"])
    wait_saved_on_device(page, public_id, "nik", PERSON["nik"])

    page.context.set_offline(True)
    page.reload()
    drafts_ready(page)

    assert page.locator('[name="nik"]').input_value() == PERSON["nik"]
    assert page.locator('[name="nama"]').input_value() == PERSON["nama"]
    page.fill('[name="tempat_lahir"]', "Kendari")
    wait_saved_on_device(page, public_id, "tempat_lahir", "Kendari")
    shot(page, "offline-real-offline-step")
    assert_no_axe_violations(page)

    page.context.set_offline(False)

    wait_until(lambda: server_answers(app, public_id).get("tempat_lahir") == "Kendari", message="the server draft")
    answers = server_answers(app, public_id)
    assert answers["nik"] == PERSON["nik"] and answers["nama"] == PERSON["nama"]


def test_real_form_survives_a_server_outage_and_syncs_on_the_next_load(
    applicant_page, app, real_origin, citizen, real_server
):
    page = applicant_page
    public_id = new_draft(app, citizen)
    goto_controlled(page, f"{real_origin}/permohonan/draf/{public_id}/pemohon")

    real_server.stop()
    page.fill('[name="nama"]', "Siti Rahayu")
    page.fill('[name="tempat_lahir"]', "Kendari")
    wait_saved_on_device(page, public_id, "tempat_lahir", "Kendari")
    page.get_by_text("Tersimpan di perangkat ini.").wait_for()
    shot(page, "offline-real-outage")
    page.close()

    real_server.start()
    assert server_answers(app, public_id).get("tempat_lahir", "") == ""
    again = applicant_page.context.new_page()
    goto_controlled(again, f"{real_origin}/permohonan/draf/{public_id}/pemohon")

    again.get_by_text(RESTORED).wait_for()
    assert again.locator('[name="tempat_lahir"]').input_value() == "Kendari"
    wait_until(lambda: server_answers(app, public_id).get("tempat_lahir") == "Kendari", message="the server draft")
    assert server_answers(app, public_id)["nama"] == "Siti Rahayu"
    shot(again, "offline-real-restored")
    assert_no_axe_violations(again)


def test_real_submission_made_offline_creates_exactly_one_application(applicant_page, app, real_origin, citizen):
    page = applicant_page
    public_id = complete_draft(app, citizen)
    goto_controlled(page, f"{real_origin}/permohonan/draf/{public_id}/periksa")

    page.context.set_offline(True)
    page.locator("#f-pernyataan").check()
    page.locator('form:has(#f-pernyataan) button[type="submit"]').click()
    page.get_by_text(QUEUED).wait_for()
    shot(page, "offline-real-queued")
    assert_no_axe_violations(page)
    assert applications(app) == []

    page.context.set_offline(False)

    page.wait_for_url(f"{real_origin}/permohonan/*?terkirim=1")
    [application] = applications(app)
    assert page.url.startswith(f"{real_origin}/permohonan/{application.tracking_number}")
    # Submitted: the device copy has done its job and nothing personal stays behind on the phone.
    assert page.evaluate(RAW_DEVICE_DRAFT, public_id) is None


def test_real_double_tap_on_submit_creates_one_application(applicant_page, app, real_origin, citizen):
    page = applicant_page
    public_id = complete_draft(app, citizen)
    goto_controlled(page, f"{real_origin}/permohonan/draf/{public_id}/periksa")
    page.locator("#f-pernyataan").check()

    page.locator('form:has(#f-pernyataan) button[type="submit"]').dblclick()

    page.wait_for_url(f"{real_origin}/permohonan/*?terkirim=1")
    assert len(applications(app)) == 1
