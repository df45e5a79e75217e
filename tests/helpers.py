"""Test helpers that assert by default (GOV.UK Notify's `client_request` habit)."""

from __future__ import annotations

import logging
import os
import re
import socket
from collections import Counter
from pathlib import Path

from bs4 import BeautifulSoup

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
INERT_SCRIPT_TYPES = {"application/json", "application/ld+json"}  # data for a script, never run by the browser


def check_page(html: str, *, lang: str = "id") -> BeautifulSoup:
    """What every HTML page must satisfy: one <h1>, a title that starts with it, lang, unique ids, no inline script."""
    soup = BeautifulSoup(html, "html.parser")
    assert soup.html is not None and soup.html.get("lang") == lang, "the page must declare its language"
    h1s = soup.find_all("h1")
    assert len(h1s) == 1, f"expected exactly one <h1>, found {len(h1s)}"
    title = soup.title.get_text(strip=True) if soup.title else ""
    h1_text = " ".join(h1s[0].get_text(" ", strip=True).split())
    assert title.startswith(h1_text), f"<title> {title!r} should start with the <h1> {h1_text!r}"
    ids = Counter(tag["id"] for tag in soup.find_all(id=True))
    duplicates = [value for value, count in ids.items() if count > 1]
    assert not duplicates, f"duplicate ids: {duplicates}"
    # The CSP allows scripts from our own origin only ('self', no nonce: app/security.py): every script is a file of
    # ours, or an inert data block that is never run. Inline code or an event-handler attribute would be blocked.
    for script in soup.find_all("script"):
        if script.get("src"):
            assert script["src"].startswith("/") and not script["src"].startswith("//"), f"foreign script: {script}"
        else:
            assert script.get("type") in INERT_SCRIPT_TYPES, f"inline executable script (blocked by the CSP): {script}"
    handlers = [f"<{tag.name} {name}>" for tag in soup.find_all(True) for name in tag.attrs if name.startswith("on")]
    assert not handlers, f"inline event handlers are blocked by the CSP: {handlers}"
    assert not soup.find_all(style=True), "inline style attributes are blocked by the CSP"
    return soup


class PageClient:
    """Wraps Flask's test client. `get_page` and `post_page` check the status and the page conventions."""

    def __init__(self, client):
        self.raw = client

    def __getattr__(self, name):
        return getattr(self.raw, name)

    def get_page(self, url: str, *, expected_status: int = 200, lang: str = "id", **kwargs) -> BeautifulSoup:
        response = self.raw.get(url, **kwargs)
        assert response.status_code == expected_status, (
            f"GET {url}: expected {expected_status}, got {response.status_code}"
        )
        assert response.mimetype == "text/html"
        return check_page(response.get_data(as_text=True), lang=lang)

    def post_page(self, url: str, *, data=None, expected_status: int = 200, **kwargs) -> BeautifulSoup:
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token())
        response = self.raw.post(url, data=data, headers={"Origin": "http://localhost"}, **kwargs)
        assert response.status_code == expected_status, (
            f"POST {url}: expected {expected_status}, got {response.status_code}"
        )
        return check_page(response.get_data(as_text=True)) if response.mimetype == "text/html" else response

    def post(self, url: str, *, data=None, with_csrf: bool = True, **kwargs):
        """A POST as a browser sends it: same Origin and (unless told otherwise) the session's CSRF token."""
        data = dict(data or {}) if not isinstance(data, (str, bytes)) else data
        if with_csrf and isinstance(data, dict):
            data.setdefault("csrf_token", self.csrf_token())
        headers = {"Origin": "http://localhost", **kwargs.pop("headers", {})}
        return self.raw.post(url, data=data, headers=headers, **kwargs)

    def csrf_token(self) -> str:
        """Fetch a page with a form to get a token bound to this client's session.

        Public pages carry no form for anonymous visitors (no session is created by browsing); the sign-in page
        always has one, and a signed-in visitor's header has the sign-out form.
        """
        for url in ("/", "/masuk"):
            html = self.raw.get(url, follow_redirects=True).get_data(as_text=True)
            match = re.search(r'name="csrf[-_]token"[^>]*?(?:value|content)="([^"]+)"', html)
            if match:
                return match.group(1)
        raise AssertionError("no CSRF token on / or /masuk")


def assert_no_axe_violations(page, *, context=None) -> None:
    """Run axe-core (WCAG 2.x A/AA) in the real browser; fail with a readable report."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, context=context, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    assert results.violations_count == 0, results.generate_report()


def shot(page, name: str) -> None:
    """Keep a full-page screenshot for a person to look at, when MPP_SHOTS names a folder (off in CI)."""
    folder = os.environ.get("MPP_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


def fits(page) -> None:
    """Nothing on the page is wider than the viewport: a phone never scrolls sideways (WCAG 1.4.10 Reflow)."""
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page scrolls sideways: {width[0]} px wide in a {width[1]} px viewport"


def look(page, name: str) -> None:
    """What every page a person sees must be, checked where a test stops to look: no axe violation, no sideways
    scrolling, and a screenshot kept for a person (MPP_SHOTS)."""
    assert_no_axe_violations(page)
    fits(page)
    shot(page, name)


def free_port() -> int:
    """A TCP port nobody listens on right now, on the loopback interface (for a server a test starts)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# An application's own page (not a draft step): where a submitted draft's steps lead.
_APPLICATION_PAGE = re.compile(r"^[^?#]*/permohonan/(?!draf/)[^/?#]+(?:[?#].*)?$")


def wait_for_arrival(page, url) -> None:
    """After sending an application: wait until the browser is on ``url`` and that page has loaded.

    The page's own ``document.readyState`` is asked, not Playwright's load event: while a service worker activates
    or updates during that navigation, Chromium on a busy machine has failed to report the load event, and once the
    navigation never committed although the server had answered it (Playwright could not evaluate in the page
    meanwhile). Then the step's address is opened again, as a citizen reloads a page that went quiet: a submitted
    draft's step leads to its application. That is logged as a warning, so a navigation that always stalls cannot
    hide; a page that really never finishes loading still fails here."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_url(url, wait_until="commit", timeout=20_000)
    except PlaywrightTimeout:
        # Logged, not warned: the suite turns warnings into errors.
        logging.getLogger("tests").warning("the navigation after sending stalled on %s; opened it again", page.url)
        page.goto(page.url, wait_until="commit")  # the step's address again: it leads to the application
        page.wait_for_url(_APPLICATION_PAGE, wait_until="commit")
    page.wait_for_function("() => document.readyState === 'complete'")


def wait_until(page, expression: str, *, timeout: float = 10) -> None:
    """Wait until a JS expression or (async) function gives ``true``, within ``timeout`` seconds."""
    # `expression` is a function or an expression (as for page.evaluate); either may give a promise.
    check = f"async () => {{ const v = ({expression}); return (await (typeof v === 'function' ? v() : v)) === true; }}"
    wait_for_js(page, check, timeout=timeout * 1000)


def wait_for_js(page, check: str, arg=None, *, timeout: float = 15000) -> None:
    """Wait until the (possibly async) JavaScript function ``check(arg)`` returns something truthy.

    ``page.wait_for_function`` does not await a promise (a pending one counts as truthy), so the check runs in the
    page in the background and the polled predicate reads its last result. A condition wait: no clock in the test.
    """
    import uuid

    page.wait_for_function(
        f"""([key, arg]) => {{
              const waits = (self.__mppTestWaits ||= {{}});
              const state = (waits[key] ||= {{ busy: false, ok: false }});
              if (!state.busy && !state.ok) {{
                state.busy = true;
                Promise.resolve()
                  .then(() => ({check})(arg))
                  .then((ok) => {{ state.ok = !!ok; }}, () => {{ state.ok = false; }})
                  .finally(() => {{ state.busy = false; }});
              }}
              return state.ok;
            }}""",
        arg=[uuid.uuid4().hex, arg],
        polling=50,
        timeout=timeout,
    )
