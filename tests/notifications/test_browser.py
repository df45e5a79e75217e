"""Push in a real Chromium at 360 px: the page subscribes and the server stores it; a push delivered to the service
worker (CDP ``ServiceWorker.deliverPushMessage``) shows a notification, refreshes the open inbox, and its click opens
the application. A real ``pushManager.subscribe()`` needs Google's push service, so the test replaces it with one
that returns the test's own subscription (testing.md)."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.accounts.models import User
from app.extensions import db
from app.notifications import delivery
from app.notifications.models import Notification, PushSubscription
from app.personal.privacy import has_consent
from tests.accounts.test_browser import shot
from tests.helpers import PageClient, assert_no_axe_violations, wait_until

from .conftest import load

# The subscription lives in localStorage so it survives the reload that follows turning notifications on.
FAKE_PUSH_MANAGER = """
(() => {
  const subscription = %s;
  const make = () => ({
    endpoint: subscription.endpoint, expirationTime: null, options: {userVisibleOnly: true},
    toJSON: () => subscription, getKey: () => null,
    unsubscribe: async () => { localStorage.removeItem("test-push"); return true; },
  });
  PushManager.prototype.subscribe = async function (options) {
    if (!options || !options.userVisibleOnly || !options.applicationServerKey) throw new Error("bad options");
    localStorage.setItem("test-push", "1");
    return make();
  };
  PushManager.prototype.getSubscription = async function () {
    return localStorage.getItem("test-push") ? make() : null;
  };
})();
"""


@pytest.fixture
def phone(app, page, base_url, client, citizen, signed_in, push_service):
    """Chromium signed in as the citizen, PushManager answering with a test subscription. Notification permission
    is still undecided ("default"); ``allow(page)`` grants it as if the citizen said yes to the prompt."""
    signed_in(client, citizen)
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base_url}])
    subscriber = push_service.subscriber()
    page.context.add_init_script(FAKE_PUSH_MANAGER % json.dumps(subscriber.as_json()))
    page.subscriber = subscriber
    return page


def allow(page, base_url):
    page.context.grant_permissions(["notifications"], origin=base_url)


def _registration_id(page) -> str:
    cdp = page.context.new_cdp_session(page)
    registrations = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda event: registrations.extend(event["registrations"]))
    cdp.send("ServiceWorker.enable")
    for _ in range(500):  # CDP events are delivered while Playwright talks to the browser: make round trips
        if registrations:
            break
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.cdp = cdp
    return next(r["registrationId"] for r in registrations if not r.get("isDeleted"))


def test_turning_notifications_on_stores_this_device_and_the_page_has_no_axe_violations(app, phone, base_url, citizen):
    page = phone
    allow(page, base_url)
    page.goto(f"{base_url}/akun/notifikasi")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.get_by_role("button", name="Aktifkan notifikasi di perangkat ini").click()
    page.wait_for_selector("[data-this-device]:not([hidden])")
    expect(page.get_by_text("Notifikasi aktif di perangkat ini.")).to_be_visible()
    with app.app_context():
        [row] = db.session.scalars(select(PushSubscription)).all()
        assert row.endpoint == page.subscriber.endpoint and row.user_id == citizen.id
    assert_no_axe_violations(page)

    page.get_by_role("button", name="Matikan di perangkat ini").click()
    page.wait_for_selector("text=Belum ada perangkat yang menerima notifikasi.")
    with app.app_context():
        assert db.session.scalars(select(PushSubscription)).all() == []


def test_a_push_shows_a_notification_refreshes_the_open_inbox_and_its_click_opens_the_application(
    app, phone, base_url, citizen, application_number, officer, signed_in
):
    page = phone
    allow(page, base_url)
    page.goto(f"{base_url}/notifikasi")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    assert page.locator(".inbox-item").count() == 0
    assert_no_axe_violations(page)

    # An officer verifies the application (the back office's real route), which writes the notification.
    desk = PageClient(app.test_client())
    signed_in(desk, officer)
    version = load(app, application_number).version
    response = desk.post(
        f"/petugas/permohonan/{application_number}/tindakan",
        data={"tindakan": "verifikasi", "versi": str(version), "alasan": ""},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    with app.app_context():
        notification = db.session.scalar(select(Notification))
        payload = delivery.build_payload(notification, "id").decode()
        notification_id = notification.id

    registration_id = _registration_id(page)
    for _ in range(2):  # at-least-once delivery: the same message twice shows one notification
        page.cdp.send(
            "ServiceWorker.deliverPushMessage",
            {"origin": base_url, "registrationId": registration_id, "data": payload},
        )
    wait_until(page, "navigator.serviceWorker.ready.then(r => r.getNotifications()).then(n => n.length > 0)")
    shown = page.evaluate(
        "navigator.serviceWorker.ready.then(r => r.getNotifications())"
        ".then(list => list.map(n => ({title: n.title, body: n.body, tag: n.tag, data: n.data})))"
    )
    assert len(shown) == 1
    assert shown[0]["title"] == f"Permohonan {application_number} telah diverifikasi"
    assert shown[0]["data"] == {"id": str(notification_id), "url": f"/permohonan/{application_number}"}
    assert shown[0]["tag"].startswith("mpp-")

    # The open inbox refreshed itself, and the tab bar's count followed.
    page.wait_for_selector(f"#notifikasi-{notification_id}")
    expect(page.locator(".tab-bar [data-unread-count]")).to_be_visible()
    expect(page.locator(".tab-bar [data-unread-number]")).to_have_text("1")

    # Tapping the notification: the worker's click handler brings the open window to the application.
    worker = page.context.service_workers[0]
    worker.evaluate(
        """async () => {
            const [notification] = await self.registration.getNotifications();
            self.dispatchEvent(new NotificationEvent("notificationclick", {notification}));
        }"""
    )
    page.wait_for_url(f"**/permohonan/{application_number}")
    assert page.locator("h1").inner_text().endswith(application_number)


def test_the_confirmation_page_asks_only_when_the_citizen_presses_the_button(app, phone, base_url, application_number):
    page = phone
    page.goto(f"{base_url}/permohonan/{application_number}?terkirim=1")
    box = page.locator("[data-push-opt-in]")
    box.wait_for(state="visible")
    assert_no_axe_violations(page)
    with app.app_context():
        assert db.session.scalars(select(PushSubscription)).all() == [], "nothing happens on page load"
    allow(page, base_url)  # the citizen will answer the browser's prompt with "allow"
    box.get_by_role("button", name="Aktifkan notifikasi").click()
    page.wait_for_selector("text=Notifikasi aktif di perangkat ini.")
    with app.app_context():
        assert len(db.session.scalars(select(PushSubscription)).all()) == 1


def test_after_the_consent_is_withdrawn_this_device_shows_off_and_turning_it_on_records_consent_again(
    app, phone, base_url, citizen, application_number
):
    """The browser keeps its push subscription when the privacy page removes it on the server: the pages must not
    claim "on", and the opt-in box offers it again."""
    page = phone
    allow(page, base_url)
    page.goto(f"{base_url}/akun/notifikasi")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.get_by_role("button", name="Aktifkan notifikasi di perangkat ini").click()
    page.wait_for_selector("[data-this-device]:not([hidden])")
    assert "Disetujui" in page.locator("#persetujuan").inner_text()

    page.goto(f"{base_url}/akun/privasi")
    page.locator("#tujuan-notifikasi").uncheck()
    page.locator("#persetujuan").get_by_role("button", name="Simpan pilihan").click()
    page.wait_for_url("**/akun/privasi#persetujuan")
    with app.app_context():
        assert db.session.scalars(select(PushSubscription)).all() == []

    page.goto(f"{base_url}/permohonan/{application_number}?terkirim=1")
    box = page.locator("[data-push-opt-in]")
    box.wait_for(state="visible")
    assert "mencatat persetujuan Anda" in box.inner_text()
    shot(page, "n-opt-in-lagi")
    assert_no_axe_violations(page)

    page.goto(f"{base_url}/akun/notifikasi")
    page.get_by_text("Notifikasi tidak aktif di perangkat ini.").wait_for()
    assert "Belum disetujui" in page.locator("#persetujuan").inner_text()
    shot(page, "n-perangkat-belum-setuju")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Aktifkan notifikasi di perangkat ini").click()
    page.wait_for_selector("[data-this-device]:not([hidden])")
    assert "Disetujui" in page.locator("#persetujuan").inner_text()
    shot(page, "n-perangkat-setuju")
    with app.app_context():
        [row] = db.session.scalars(select(PushSubscription)).all()
        assert row.user_id == citizen.id
        assert has_consent(db.session.get(User, citizen.id), "notifikasi")
