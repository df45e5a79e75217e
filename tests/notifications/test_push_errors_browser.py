"""When push cannot be turned on, the citizen reads why in Indonesian and what to do — never the browser's own
"(Registration failed - permission denied)". Chromium at 360 px; the browser's refusal is played by PushManager."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.helpers import assert_no_axe_violations, shot

REFUSING_PUSH_MANAGER = """
PushManager.prototype.getSubscription = async () => null;
PushManager.prototype.subscribe = async () => { throw new DOMException(%r, %r); };
"""


@pytest.mark.parametrize(
    ("name", "browser_text", "expected"),
    [
        ("NotAllowedError", "Registration failed - permission denied", "izinkan Notifikasi"),
        ("AbortError", "Registration failed - push service error", "Periksa koneksi internet"),
        ("NotSupportedError", "Push is not supported", "Pemberitahuan tetap muncul di Notifikasi"),
    ],
)
def test_a_refused_push_subscription_is_explained_in_indonesian(
    app, page, base_url, client, citizen, signed_in, name, browser_text, expected
):
    signed_in(client, citizen)
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base_url}])
    page.context.add_init_script(REFUSING_PUSH_MANAGER % (browser_text, name))
    page.context.grant_permissions(["notifications"], origin=base_url)
    page.goto(f"{base_url}/akun/notifikasi")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.get_by_role("button", name="Aktifkan notifikasi di perangkat ini").click()
    status = page.locator("[data-push-status]")
    expect(status).to_contain_text(expected)
    expect(status).not_to_contain_text("Registration failed")
    expect(status).not_to_contain_text(browser_text)
    if name == "NotAllowedError":
        shot(page, "push-blocked-360")
        assert_no_axe_violations(page)
