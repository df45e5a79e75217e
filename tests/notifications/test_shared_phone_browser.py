"""A shared phone in a real Chromium (issue 9, item 10): the browser already holds a push subscription that belongs to
another citizen. Turning notifications on for the second citizen must not take the first one's endpoint over: the
server answers 409, push.js unsubscribes and subscribes afresh, and the second citizen gets a new endpoint."""

from __future__ import annotations

import json

from sqlalchemy import select

from app.extensions import db
from app.notifications.models import PushSubscription

# The browser starts with subscription 0 (the first citizen's); unsubscribing it makes the next subscribe() give 1.
SHARED_PUSH_MANAGER = """
(() => {
  const subscriptions = %s;
  const index = () => Number(localStorage.getItem("test-push-index") || "0");
  const make = (i) => ({
    endpoint: subscriptions[i].endpoint, expirationTime: null, options: {userVisibleOnly: true},
    toJSON: () => subscriptions[i], getKey: () => null,
    unsubscribe: async () => {
      localStorage.setItem("test-push-index", String(i + 1));
      localStorage.setItem("test-push-gone", "1");
      return true;
    },
  });
  PushManager.prototype.subscribe = async function (options) {
    if (!options || !options.userVisibleOnly || !options.applicationServerKey) throw new Error("bad options");
    localStorage.removeItem("test-push-gone");
    return make(index());
  };
  PushManager.prototype.getSubscription = async function () {
    return localStorage.getItem("test-push-gone") ? null : make(index());
  };
})();
"""


def test_the_second_citizen_on_a_shared_phone_gets_a_new_endpoint_and_the_first_keeps_theirs(
    app, page, base_url, client, citizen, other_citizen, signed_in, push_device, push_service
):
    first = push_device(citizen)  # the phone's browser subscribed while the first citizen was signed in
    fresh = push_service.subscriber()
    signed_in(client, other_citizen)
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base_url}])
    page.context.add_init_script(SHARED_PUSH_MANAGER % json.dumps([first.as_json(), fresh.as_json()]))
    page.context.grant_permissions(["notifications"], origin=base_url)

    page.goto(f"{base_url}/akun/notifikasi")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.get_by_role("button", name="Aktifkan notifikasi di perangkat ini").click()
    page.wait_for_selector("[data-this-device]:not([hidden])")

    with app.app_context():
        rows = {row.endpoint: row.user_id for row in db.session.scalars(select(PushSubscription))}
    assert rows == {first.endpoint: citizen.id, fresh.endpoint: other_citizen.id}
