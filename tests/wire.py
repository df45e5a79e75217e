"""Bytes on the wire as Chromium receives them, service worker included — for the weight test and bench/run.py.

Every request is read from Chromium's own Network events (CDP ``Network.loadingFinished.encodedDataLength``: the
compressed body plus the response headers, as they crossed the network; a response from the HTTP cache or from the
worker's cache costs 0) — the page's, and the service worker's own fetches (its precache, its imported script),
which happen in another target.
"""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass
class Fetch:
    url: str
    bytes: int
    by: str  # "page" or "worker"
    status: int = 0


@dataclass
class Visit:
    fetches: list[Fetch] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(f.bytes for f in self.fetches)

    @property
    def over_network(self) -> list[Fetch]:
        return [f for f in self.fetches if f.bytes > 0]

    def downloaded_twice(self) -> list[str]:
        seen: dict[str, int] = {}
        for fetch in self.over_network:
            seen[fetch.url] = seen.get(fetch.url, 0) + 1
        return sorted(url for url, times in seen.items() if times > 1)


class WireRecorder:
    """Attach to a Playwright page (Chromium); ``start()`` a new visit and read it after.

    Two CDP sessions record ``Network`` events: the page's own, and one per service worker, attached through the
    browser's session (auto-attach, paused until its ``Network`` domain is on, so its install fetches are seen).
    """

    def __init__(self, page):
        self.page = page
        self.visit = Visit()
        self._urls: dict[tuple[str, str], str] = {}
        self._status: dict[tuple[str, str], int] = {}
        self._ids = iter(range(1, 1_000_000))
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.on("Network.requestWillBeSent", lambda e: self._event("page", "Network.requestWillBeSent", e))
        self.cdp.on("Network.responseReceived", lambda e: self._event("page", "Network.responseReceived", e))
        self.cdp.on("Network.loadingFinished", lambda e: self._event("page", "Network.loadingFinished", e))
        self.cdp.send("Network.enable")
        self.browser = self.cdp
        self.browser.on("Target.attachedToTarget", self._attached)
        self.browser.on("Target.receivedMessageFromTarget", self._from_worker)
        self.browser.send(
            "Target.setAutoAttach",
            {
                "autoAttach": True,
                "waitForDebuggerOnStart": True,
                "flatten": False,
                "filter": [{"type": "service_worker", "exclude": False}, {"exclude": True}],
            },
        )

    def start(self) -> Visit:
        self.visit = Visit()
        return self.visit

    def wait_for(self, done, *, timeout: float = 5.0) -> None:
        """Until ``done(visit)`` holds, or ``timeout`` seconds: a worker's events come from its own target and reach
        the recorder only while Playwright is waiting, possibly after the page's own waits have returned. The
        caller's assertion then says what is missing."""
        for _ in range(int(timeout * 10)):
            if done(self.visit):
                return
            self.page.wait_for_timeout(100)

    def _to_worker(self, session: str, method: str) -> None:
        message = json.dumps({"id": next(self._ids), "method": method, "params": {}})
        self.browser.send("Target.sendMessageToTarget", {"sessionId": session, "message": message})

    def _attached(self, event) -> None:
        session = event["sessionId"]
        if event["targetInfo"]["type"] == "service_worker":
            self._to_worker(session, "Network.enable")
        self._to_worker(session, "Runtime.runIfWaitingForDebugger")

    def _from_worker(self, event) -> None:
        message = json.loads(event["message"])
        if "method" in message:
            self._event("worker", message["method"], message.get("params", {}))

    def _event(self, by: str, method: str, event: dict) -> None:
        key = (by, event.get("requestId", ""))
        if method == "Network.requestWillBeSent":
            self._urls[key] = event["request"]["url"]
        elif method == "Network.responseReceived":
            self._status[key] = event["response"]["status"]
        elif method == "Network.loadingFinished":
            url = self._urls.pop(key, None)
            if url is None or not url.startswith("http"):
                return
            size = int(event["encodedDataLength"])
            self.visit.fetches.append(Fetch(_path(url), size, by, self._status.pop(key, 0)))


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _served_size(base_url: str, path: str) -> int:
    """Status line, headers and (compressed) body of ``path`` as the server sends it to Chromium."""
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request("GET", path, headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
        response = connection.getresponse()
        body = response.read()
        head = f"HTTP/1.1 {response.status} {response.reason}\r\n" + "".join(
            f"{name}: {value}\r\n" for name, value in response.getheaders()
        )
        return len(head.encode()) + 2 + len(body)
    finally:
        connection.close()


def _add_worker_scripts(visit: Visit, base_url: str) -> None:
    """The worker's own script and what it imports are fetched by the browser process, where CDP reports them with
    no size (or not at all). A first fetch reported as 0 bytes cannot have come from a cache; those, and /sw.js, are
    counted at the size the server sends them ("script" in the report)."""
    seen: set[str] = set()
    for fetch in visit.fetches:
        if fetch.bytes == 0 and fetch.url not in seen and fetch.by == "worker":
            fetch.bytes, fetch.by = _served_size(base_url, fetch.url), "script"
        seen.add(fetch.url)
    # The worker's own script is fetched once, at registration. Chromium reports it to CDP only some of the time,
    # and then with the headers only (~1 KB): such a report is that one fetch, counted at its served size, not a
    # second download of it.
    reported = [fetch for fetch in visit.fetches if fetch.url == "/sw.js"]
    if reported:
        reported[0].bytes, reported[0].by = _served_size(base_url, "/sw.js"), "script"
    else:
        visit.fetches.append(Fetch("/sw.js", _served_size(base_url, "/sw.js"), "script", 200))


def first_and_second_visit(page, base_url: str, first: str = "/", second: str = "/layanan") -> tuple[Visit, Visit]:
    """A first visit to ``first`` with an empty browser (until the worker is installed and has precached the
    shell), then a second page: what each one cost on the wire."""
    recorder = WireRecorder(page)
    one = recorder.start()
    page.goto(base_url + first)
    from .helpers import wait_for_js

    wait_for_js(page, "() => navigator.serviceWorker.controller !== null", timeout=30_000)
    page.wait_for_load_state("networkidle")
    _add_worker_scripts(one, base_url)
    two = recorder.start()
    page.goto(base_url + second)
    page.wait_for_load_state("networkidle")
    return one, two


def measure_visits(browser, base_url: str, context_args: dict, *, attempts: int = 3) -> tuple[Visit, Visit]:
    """``first_and_second_visit`` in a fresh context (an empty profile). Chromium attaches a service worker that
    starts before its page is controlled only most of the time; a visit in which the worker's fetches were not seen
    is not a measurement, so it is made again in a new context."""
    for _attempt in range(attempts):
        context = browser.new_context(**context_args)
        try:
            first, second = first_and_second_visit(context.new_page(), base_url)
        finally:
            context.close()
        if any(fetch.by == "worker" for fetch in first.fetches):
            return first, second
    raise RuntimeError(f"the service worker's fetches were not seen in {attempts} visits")
