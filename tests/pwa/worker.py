"""Driving the service worker from Playwright: wait for control, read what the worker has cached."""

from __future__ import annotations

from app.pwa.shell import PAGES_CACHE
from tests.helpers import wait_for_js

# Only <main> matters when comparing pages: the header, banner and footer are the same everywhere.
MAIN_HEADING = "main h1"


def goto_controlled(page, path: str) -> None:
    """Open `path` and wait until the service worker controls the page (it claims clients on activate)."""
    page.goto(path)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")


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
    wait_for_js(
        page,
        """async ([name, path]) => {
             if (!(await caches.has(name))) return false;
             const keys = await (await caches.open(name)).keys();
             return keys.some((request) => { const u = new URL(request.url); return u.pathname + u.search === path; });
           }""",
        [PAGES_CACHE, path],
        timeout=timeout * 1000,
    )
