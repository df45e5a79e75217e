"""Offline drafts and exactly-once submission, in a real Chromium with the real service worker and the real apply
pages (app/applications) on a real server.

A citizen in Kendari on a bus: starts an application, loses the signal, reloads, closes the app, comes back and
submits — and the agency receives it once. These tests use their own server thread (not the session one) so a
real outage can be made: the server is stopped while the citizen types and started again on the same port.
Conflicts between two devices are in test_draft_sync_browser.py.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.accounts.models import User
from app.applications import drafts
from app.catalog.models import Service
from app.extensions import db
from tests.helpers import PageClient, assert_no_axe_violations, free_port, shot, wait_for_arrival, wait_for_js
from tests.pwa.worker import cached_paths

from .conftest import PERSON, SERVICE, applications, complete_draft, draft_row
from .drafts_browser import (
    QUEUED,
    RAW_DEVICE_DRAFT,
    RESTORED,
    SAVED_DEVICE,
    RestartableServer,
    device_draft,
    drafts_ready,
    goto_controlled,
    sign_in_browser,
    wait_account_has,
    wait_saved_on_device,
)

OFFLINE = "Isian Anda disimpan di perangkat ini dan terkirim otomatis saat internet tersambung lagi."
DECLARATION = "#f-pernyataan"
SUBMIT = 'form:has(#f-pernyataan) button[type="submit"]'


@pytest.fixture(scope="module")
def server(app):
    control = RestartableServer(app, free_port())
    control.start()
    yield control
    control.stop()


@pytest.fixture
def origin(server):
    if server.server is None:
        server.start()
    yield f"http://localhost:{server.port}"
    if server.server is None:
        server.start()


@pytest.fixture
def applicant_page(page, app, origin, citizen, demo_forms):
    sign_in_browser(app, page.context, origin, citizen)
    return page


def new_draft(app, user) -> str:
    """A fresh draft of the KTP-el (lost/damaged) form, as "Ajukan online" makes it. Returns its public id."""
    with app.app_context():
        service = db.session.scalar(db.select(Service).where(Service.slug == SERVICE))
        return drafts.start_draft(db.session.get(User, user.id), service).public_id


def server_answers(app, public_id: str) -> dict:
    return draft_row(app, public_id).answers


def device_databases(page) -> list[str]:
    return page.evaluate("indexedDB.databases().then(list => list.map(db => db.name))")


def test_a_form_filled_offline_after_a_reload_reaches_the_account_when_back_online(
    applicant_page, app, origin, citizen
):
    page = applicant_page
    public_id = new_draft(app, citizen)
    goto_controlled(page, f"{origin}/permohonan/draf/{public_id}/pemohon")
    page.fill('[name="nama"]', PERSON["nama"])
    page.fill('[name="nik"]', PERSON["nik"])
    wait_saved_on_device(page, public_id, "nik", PERSON["nik"])

    page.context.set_offline(True)
    page.reload()
    drafts_ready(page)

    # The worker served the offline form page (no personal data in any cache) and drafts.js drew the step again.
    expect(page.locator('[name="nik"]')).to_have_value(PERSON["nik"])
    expect(page.locator('[name="nama"]')).to_have_value(PERSON["nama"])
    expect(page.get_by_text(OFFLINE)).to_be_visible()
    page.fill('[name="tempat_lahir"]', "Kendari")
    wait_saved_on_device(page, public_id, "tempat_lahir", "Kendari")
    assert server_answers(app, public_id).get("tempat_lahir", "") == ""  # nothing reached the account yet
    shot(page, "offline-real-offline-step")
    assert_no_axe_violations(page)

    page.context.set_offline(False)  # `online` fires, and Background Sync too: the server applies it once

    wait_account_has(page, public_id, "tempat_lahir", "Kendari")
    answers = server_answers(app, public_id)
    assert answers["nik"] == PERSON["nik"] and answers["nama"] == PERSON["nama"]
    wait_for_js(
        page,
        """async (id) => { const d = await self.mppOffline.getDraft(id);
                            return !!d && !d.conflict && !self.mppOffline.hasUnsynced(d); }""",
        public_id,
    )


def test_nothing_is_lost_when_the_server_stops_mid_edit_and_it_syncs_on_the_next_load(
    applicant_page, app, origin, citizen, server
):
    page = applicant_page
    public_id = new_draft(app, citizen)
    goto_controlled(page, f"{origin}/permohonan/draf/{public_id}/pemohon")

    server.stop()  # a real outage: the phone still thinks it is online, no `online` event will ever fire
    page.fill('[name="nama"]', "Siti Rahayu")
    page.fill('[name="tempat_lahir"]', "Kendari")
    wait_saved_on_device(page, public_id, "tempat_lahir", "Kendari")
    expect(page.get_by_text(SAVED_DEVICE)).to_be_visible()
    shot(page, "offline-real-outage")
    page.close()  # the citizen closes the app

    server.start()
    assert server_answers(app, public_id).get("tempat_lahir", "") == ""
    again = applicant_page.context.new_page()
    goto_controlled(again, f"{origin}/permohonan/draf/{public_id}/pemohon")

    expect(again.get_by_text(RESTORED)).to_be_visible()
    expect(again.locator('[name="tempat_lahir"]')).to_have_value("Kendari")
    wait_account_has(again, public_id, "tempat_lahir", "Kendari")
    assert server_answers(app, public_id)["nama"] == "Siti Rahayu"
    shot(again, "offline-real-restored")
    assert_no_axe_violations(again)


def test_a_submission_made_offline_creates_exactly_one_application(applicant_page, app, origin, citizen):
    page = applicant_page
    public_id = complete_draft(app, citizen)
    goto_controlled(page, f"{origin}/permohonan/draf/{public_id}/periksa")

    page.context.set_offline(True)
    page.locator(DECLARATION).check()
    page.locator(SUBMIT).click()
    expect(page.get_by_text(QUEUED)).to_be_visible()
    expect(page.locator(SUBMIT)).to_be_disabled()
    shot(page, "offline-real-queued")
    assert_no_axe_violations(page)
    assert applications(app) == []

    page.context.set_offline(False)  # both the `online` listener and Background Sync try to send it

    wait_for_arrival(page, f"{origin}/permohonan/*?terkirim=1")
    [application] = applications(app)
    assert page.url.startswith(f"{origin}/permohonan/{application.tracking_number}")
    # Submitted: the device copy has done its job and nothing personal stays behind on the phone.
    assert page.evaluate(RAW_DEVICE_DRAFT, public_id) is None


def _worker_registration(page):
    cdp = page.context.new_cdp_session(page)
    registrations: list = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda event: registrations.extend(event["registrations"]))
    cdp.send("ServiceWorker.enable")
    # CDP events are delivered while Playwright talks to the browser: make round trips until the event is in.
    for _ in range(500):
        if registrations:
            break
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    assert registrations, "the service worker registration was never reported"
    return cdp, registrations[0]["registrationId"]


def test_a_queued_submission_survives_closing_the_app_and_is_sent_by_the_worker_once(
    applicant_page, app, origin, citizen
):
    page = applicant_page
    public_id = complete_draft(app, citizen)
    goto_controlled(page, f"{origin}/permohonan/draf/{public_id}/periksa")
    page.context.set_offline(True)
    page.locator(DECLARATION).check()
    page.locator(SUBMIT).click()
    expect(page.get_by_text(QUEUED)).to_be_visible()

    # Reopened offline: the offline form page says it is still waiting, and does not offer to send it twice.
    page.reload()
    drafts_ready(page)
    expect(page.get_by_text(QUEUED)).to_be_visible()
    assert applications(app) == []

    # Fire the worker's sync twice by hand (what Chromium does when the network is back), plus the page's own
    # `online` run: three senders, one application.
    page.context.set_offline(False)
    cdp, registration = _worker_registration(page)
    for _ in range(2):
        cdp.send(
            "ServiceWorker.dispatchSyncEvent",
            {"origin": origin, "registrationId": registration, "tag": "mpp-drafts", "lastChance": False},
        )
    wait_for_arrival(page, f"{origin}/permohonan/*?terkirim=1")
    assert len(applications(app)) == 1


OUTBOX_EMPTY = """() => new Promise((resolve, reject) => {
  const open = indexedDB.open("mpp-drafts");
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const count = open.result.transaction("outbox").objectStore("outbox").count();
    count.onsuccess = () => { resolve(count.result === 0); open.result.close(); };
  };
})"""
WORKER_SCRIPTS = """navigator.serviceWorker.getRegistration().then(r =>
  [r.installing, r.waiting, r.active].filter(Boolean).map(w => new URL(w.scriptURL).search))"""
KIT_CACHES = "caches.keys().then(names => names.filter(name => name.startsWith('mpp-drafts-kit-')))"


def test_the_first_apply_page_brings_the_drafts_kit_and_its_worker_sends_a_queued_submission_with_no_page_open(
    applicant_page, app, origin, citizen
):
    """A citizen who only browsed has the plain worker (no drafts kit: the first visit stays light). The first apply
    page replaces it with the kit worker, which later pages keep, and whose Background Sync sends a submission
    queued offline once, with no page of the drafts kit open."""
    page = applicant_page
    page.goto(f"{origin}/")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15000)
    page.evaluate("self.mppWorkerRegistered")
    assert page.evaluate(WORKER_SCRIPTS) == [""]
    assert page.evaluate(KIT_CACHES) == []

    public_id = complete_draft(app, citizen)
    goto_controlled(page, f"{origin}/permohonan/draf/{public_id}/periksa")  # waits for the kit worker
    [kit_cache] = page.evaluate(KIT_CACHES)
    kit = cached_paths(page, kit_cache)
    assert [path.split("?")[0] for path in kit] == [
        "/static/js/offline-queue.js",
        "/static/js/drafts.js",
        "/luring/formulir",
    ]

    page.context.set_offline(True)
    page.locator(DECLARATION).check()
    page.locator(SUBMIT).click()
    expect(page.get_by_text(QUEUED)).to_be_visible()
    page.close()  # the citizen closes the app while still offline

    page.context.set_offline(False)
    home = page.context.new_page()  # a page without the drafts kit: only the worker can send the submission
    home.goto(f"{origin}/")
    home.evaluate("self.mppWorkerRegistered")
    assert home.evaluate(WORKER_SCRIPTS) == ["?kit=drafts"]  # not replaced by the plain worker
    assert home.evaluate(KIT_CACHES) == [kit_cache]
    cdp, registration = _worker_registration(home)
    cdp.send(
        "ServiceWorker.dispatchSyncEvent",
        {"origin": origin, "registrationId": registration, "tag": "mpp-drafts", "lastChance": False},
    )
    wait_for_js(home, OUTBOX_EMPTY)
    assert len(applications(app)) == 1


UPDATE_WORKER = """navigator.serviceWorker.getRegistration().then(async (r) => {
  await r.update();
  return true;
})"""
UPDATE_SETTLED = "() => navigator.serviceWorker.getRegistration().then(r => !r.installing && !r.waiting)"


def _reopened_offline_shows_the_device_copy(page, public_id: str) -> None:
    page.context.set_offline(True)
    page.reload()
    drafts_ready(page)
    expect(page.get_by_text(OFFLINE)).to_be_visible()
    expect(page.locator('[name="tempat_lahir"]')).to_have_value("Kendari")
    page.context.set_offline(False)
    page.reload()
    drafts_ready(page)


def test_the_first_apply_page_fetches_only_the_kit_the_page_did_not_load_already(applicant_page, app, origin, citizen):
    """The kit worker's install takes the scripts the apply page just loaded from the caches: on the wire, the
    first apply page costs the page (and what it loads), the kit worker's script and the offline form page."""
    from tests.wire import WireRecorder

    page = applicant_page
    page.goto(f"{origin}/")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15000)
    page.evaluate("self.mppWorkerRegistered")
    recorder = WireRecorder(page)
    visit = recorder.start()
    public_id = new_draft(app, citizen)
    goto_controlled(page, f"{origin}/permohonan/draf/{public_id}/pemohon")
    # The install stores the scripts it took from the caches first, then fetches the offline form page: the cache
    # exists before that fetch ends, so wait for all three entries, then for the worker's network events to arrive.
    wait_for_js(
        page,
        f"""async () => {{
            const [name] = await {KIT_CACHES};
            return name !== undefined && (await (await caches.open(name)).keys()).length === 3;
        }}""",
    )
    page.wait_for_load_state("networkidle")
    kit = ("/static/js/offline-queue.js", "/static/js/drafts.js", "/luring/formulir")

    def fetched() -> list[str]:
        return [f.url.split("?")[0] for f in visit.over_network if f.url.startswith(kit)]

    recorder.wait_for(lambda _visit: len(fetched()) >= len(kit))
    report = "\n".join(f"  {f.by:<6} {f.bytes:>7}  {f.url}" for f in visit.fetches)
    print(f"first apply page {visit.total} B on the wire:\n{report}")
    assert not visit.downloaded_twice(), report
    assert sorted(fetched()) == sorted(kit), report  # each once, the worker's import and precache from the caches


def test_a_new_kit_worker_replaces_the_kit_only_once_it_has_stored_all_of_it(
    applicant_page, app, origin, citizen, monkeypatch
):
    """A deploy that changes the drafts kit: a worker whose install cannot fetch the new kit leaves the old one (and
    the form offline) in place; one that can replaces it."""
    from app.pwa import shell

    page = applicant_page
    public_id = new_draft(app, citizen)
    goto_controlled(page, f"{origin}/permohonan/draf/{public_id}/pemohon")
    page.fill('[name="tempat_lahir"]', "Kendari")
    wait_saved_on_device(page, public_id, "tempat_lahir", "Kendari")
    [old_kit] = page.evaluate(KIT_CACHES)

    # A new deploy whose offline form page cannot be fetched while the worker installs.
    monkeypatch.setattr(shell, "drafts_kit_version", lambda: "0123456789abcdef")
    refused = []
    monkeypatch.setitem(app.view_functions, "device_drafts.offline_form", lambda: refused.append(1) or ("", 503))
    page.evaluate(UPDATE_WORKER)
    wait_for_js(page, UPDATE_SETTLED)
    assert refused, "the new worker never tried to store the new kit"
    assert old_kit in page.evaluate(KIT_CACHES)
    _reopened_offline_shows_the_device_copy(page, public_id)

    monkeypatch.undo()
    monkeypatch.setattr(shell, "drafts_kit_version", lambda: "fedcba9876543210")
    page.evaluate(UPDATE_WORKER)
    wait_for_js(page, UPDATE_SETTLED)
    wait_for_js(page, f"async () => (await {KIT_CACHES}).join() === 'mpp-drafts-kit-fedcba9876543210'")
    assert [path.split("?")[0] for path in cached_paths(page, "mpp-drafts-kit-fedcba9876543210")] == [
        "/static/js/offline-queue.js",
        "/static/js/drafts.js",
        "/luring/formulir",
    ]
    _reopened_offline_shows_the_device_copy(page, public_id)


def test_a_double_tap_on_submit_creates_one_application(applicant_page, app, origin, citizen):
    page = applicant_page
    public_id = complete_draft(app, citizen)
    goto_controlled(page, f"{origin}/permohonan/draf/{public_id}/periksa")
    page.locator(DECLARATION).check()

    page.locator(SUBMIT).dblclick()

    wait_for_arrival(page, f"{origin}/permohonan/*?terkirim=1")
    assert len(applications(app)) == 1


def sign_out(page, origin) -> None:
    """Sign out as the citizen does (the Keluar button posts /keluar), and wait for the signed-out page."""
    page.goto(f"{origin}/akun")
    # The same form the Keluar button sends (where the button sits at 360 px is the navigation's business).
    page.locator('form[action="/keluar"]').first.evaluate("form => form.requestSubmit()")
    page.wait_for_url(f"{origin}/keluar")
    drafts_ready(page)


def test_signing_out_removes_the_drafts_kept_on_the_device(applicant_page, app, origin, citizen):
    page = applicant_page
    public_id = new_draft(app, citizen)
    goto_controlled(page, f"{origin}/permohonan/draf/{public_id}/pemohon")
    page.context.set_offline(True)
    page.fill('[name="tempat_lahir"]', "Kendari")  # not on the account yet: only on this phone
    wait_saved_on_device(page, public_id, "tempat_lahir", "Kendari")
    page.context.set_offline(False)

    sign_out(page, origin)

    wait_for_js(page, "async () => !(await indexedDB.databases()).some((db) => db.name === 'mpp-drafts')", None)


def test_the_worker_forgets_device_drafts_on_forget_account(applicant_page, app, origin, citizen):
    page = applicant_page
    public_id = new_draft(app, citizen)
    goto_controlled(page, f"{origin}/permohonan/draf/{public_id}/pemohon")
    page.fill('[name="tempat_lahir"]', "Kendari")
    wait_saved_on_device(page, public_id, "tempat_lahir", "Kendari")

    page.evaluate(
        """() => new Promise(resolve => {
             navigator.serviceWorker.addEventListener('message', e => e.data.type === 'account-forgotten' && resolve());
             navigator.serviceWorker.controller.postMessage({type: 'forget-account'});
           })"""
    )
    wait_for_js(page, "async () => !(await indexedDB.databases()).some((db) => db.name === 'mpp-drafts')", None)


def test_on_a_shared_phone_the_next_citizen_never_sees_the_previous_ones_device_drafts(
    applicant_page, app, origin, citizen, other_citizen
):
    page = applicant_page
    siti_draft = new_draft(app, citizen)
    goto_controlled(page, f"{origin}/permohonan/draf/{siti_draft}/pemohon")
    page.context.set_offline(True)
    page.fill('[name="tempat_lahir"]', "Kendari")
    wait_saved_on_device(page, siti_draft, "tempat_lahir", "Kendari")
    page.context.set_offline(False)

    # Budi signs in on the same phone without Siti having signed out (her session simply idled out).
    page.context.clear_cookies()
    sign_in_browser(app, page.context, origin, other_citizen)
    budi_draft = new_draft(app, other_citizen)
    goto_controlled(page, f"{origin}/permohonan/draf/{budi_draft}/pemohon")

    assert device_draft(page, siti_draft) is None
    expect(page.locator('[name="tempat_lahir"]')).to_have_value("")
    assert page.evaluate("self.mppOffline.allDrafts().then(list => list.map(d => d.id))") == [budi_draft]


def test_the_offline_form_page_is_public_and_the_token_endpoint_is_never_cached(app):
    client = PageClient(app.test_client())
    soup = client.get_page("/luring/formulir")
    assert soup.find("meta", attrs={"name": "mpp-account"}) is None
    response = client.get("/luring/token")
    assert response.headers["Cache-Control"] == "no-store"
    # Signed out: no token and no new session (its cookie could overwrite a sign-in made meanwhile).
    assert response.status_code == 401
    assert response.json == {"account": None, "csrf_token": None}
    assert "Set-Cookie" not in response.headers
