"""Driving the service worker from Playwright: wait for control, read what the worker has cached."""

from __future__ import annotations

import time

from app.pwa.shell import PAGES_CACHE

# Only <main> matters when comparing pages: the header, banner and footer are the same everywhere.
MAIN_HEADING = "main h1"


def goto_controlled(page, path: str) -> None:
    """Open `path` and wait until the service worker controls the page (it claims clients on activate)."""
    page.goto(path)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")


def wait_until(page, expression: str, *, timeout: float = 10) -> None:
    """Poll an (async) JS function until it returns true. `wait_for_function` does not await promises."""
    deadline = time.monotonic() + timeout
    while page.evaluate(expression) is not True:
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        page.wait_for_timeout(50)


def cache_names(page) -> list[str]:
    return page.evaluate("caches.keys()")


def cached_paths(page, cache_name: str) -> list[str]:
    """Paths (with query) of every request stored in one cache, in the order they were stored."""
    return page.evaluate(
        """async (name) => {
            if (!(await caches.has(name))) return [];
            const keys = await (await caches.open(name)).keys();
            return keys.map((request) => { const u = new URL(request.url); return u.pathname + u.search; });
        }""",
        cache_name,
    )


def stored_pages(page) -> list[str]:
    return cached_paths(page, PAGES_CACHE)


def visit_and_store(page, path: str, *, timeout: float = 10) -> None:
    """Visit a page under the worker's control and wait until it has been stored for offline reading."""
    page.goto(path)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    deadline = time.monotonic() + timeout
    while path not in stored_pages(page):
        assert time.monotonic() < deadline, f"{path} was not stored for offline reading"
        page.wait_for_timeout(50)
