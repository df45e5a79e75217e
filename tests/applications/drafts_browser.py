"""Helpers for driving offline drafts in Chromium against the real apply pages.

A server the test can stop and start on the same port (a real outage), a browser signed in through a real session
row, and waits on conditions — the device's IndexedDB copy, the account's copy read through the draft's JSON
endpoint — instead of clocks.
"""

from __future__ import annotations

import threading

from werkzeug.serving import make_server

from tests.accounts.fixtures import sign_in_test_client
from tests.helpers import wait_for_js

RESTORED = "Isian dipulihkan dari perangkat ini."
SAVED = "Draf tersimpan."
SAVED_DEVICE = "Tersimpan di perangkat ini. Akan terkirim otomatis saat internet tersambung lagi."
QUEUED = "Menunggu koneksi — akan dikirim otomatis."
CONFLICT = "Permohonan ini juga diubah di perangkat lain."
KEEP_MINE = "Pakai isian di perangkat ini"
TAKE_THEIRS = "Pakai isian yang tersimpan di akun"
CONTINUE = "Simpan dan lanjutkan"


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


def sign_in_browser(app, context, origin: str, user) -> None:
    """A browser context signed in as ``user``: a real session row, its cookie handed to the context."""
    client = app.test_client()
    sign_in_test_client(app, client, user)
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": origin}])


def drafts_ready(page) -> None:
    """Wait until drafts.js has restored, drawn and synced what it does on load."""
    page.wait_for_function("() => self.mppDraftsReady !== undefined")
    page.evaluate("self.mppDraftsReady")


# The worker variant with the offline-drafts kit (app/pwa/shell.py): a page that keeps drafts registers it.
KIT_WORKER = """() => {
  const worker = navigator.serviceWorker.controller;
  return worker !== null && new URL(worker.scriptURL).search === "?kit=drafts";
}"""


def controlled(page) -> None:
    """Wait until the service worker with the offline-drafts kit controls the page (it is what serves the page
    offline and syncs in the background).

    A page whose navigation started while a worker was still installing is not claimed by it in Chromium (a race
    a busy machine can lose twice: the plain worker of the first page, then the kit worker this page registers):
    once the kit worker is the active one, a page it does not control yet is loaded again.
    """
    wait_for_js(page, KIT_ACTIVE)
    if not page.evaluate(KIT_WORKER):
        page.reload()
    page.wait_for_function(KIT_WORKER, timeout=15000)
    drafts_ready(page)


# The registration's active worker is the kit variant (whether or not it controls this page yet).
KIT_ACTIVE = """async () => {
  const registration = await navigator.serviceWorker.getRegistration();
  const active = registration && registration.active;
  return !!active && new URL(active.scriptURL).search === "?kit=drafts";
}"""


def goto_controlled(page, url: str) -> None:
    """Open ``url`` and wait until the service worker controls it."""
    page.goto(url)
    controlled(page)


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
    wait_for_js(
        page,
        """async ([id, name, value]) => {
             const draft = await self.mppOffline.getDraft(id);
             return !!draft && draft.answers[name] === value;
           }""",
        [draft_id, name, value],
    )


def wait_device_synced(page, draft_id: str) -> None:
    """Wait until this device has nothing left to send for the draft (nothing typed is waiting to be saved)."""
    wait_for_js(
        page,
        """async (id) => {
             const draft = await self.mppOffline.getDraft(id);
             return !!draft && !self.mppOffline.hasUnsynced(draft) && !draft.conflict;
           }""",
        draft_id,
    )


def wait_account_has(page, draft_id: str, name: str, value: str) -> None:
    """Wait until the account's copy of the draft (the JSON endpoint, read from the page) holds ``value``."""
    wait_for_js(
        page,
        """async ([id, name, value]) => {
             const response = await fetch(`/permohonan/draf/${id}`, {cache: "no-store"});
             if (!response.ok) return false;
             const body = await response.json();
             return body.draft.answers[name] === value;
           }""",
        [draft_id, name, value],
    )


def count_conflicts(context) -> list:
    """Collect every 409 answer to a draft sync made in ``context`` (pages and the service worker)."""
    seen: list = []
    context.on(
        "response",
        lambda response: (
            seen.append(response.url) if response.status == 409 and "/permohonan/draf/" in response.url else None
        ),
    )
    return seen
