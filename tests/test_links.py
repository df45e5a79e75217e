"""No page promises a page that does not exist: every internal link (``href``) and form ``action`` on every page
each role can reach — anonymous, a citizen with applications, an officer, an MPP admin, a national admin — leads
somewhere other than a 404 (or a 500).

Pages are fetched with the test client, following links breadth-first from each role's start pages. A form
action is checked against the URL map for its method (POSTing would change things); sign-out and the language
switch are checked the same way, so the crawl keeps its session and its language.
"""

from __future__ import annotations

from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup
from werkzeug.exceptions import MethodNotAllowed, NotFound

from app.accounts.models import Role
from tests.accounts.fixtures import sign_in_test_client

from .backoffice.conftest import demo, make_staff  # noqa: F401  (fixtures)
from .test_layout import journey_data  # noqa: F401  (fixture: a citizen with a draft, a submitted and a completed application)

MAX_PAGES = 400  # per role: a safety net; the limits below keep a crawl near 100 pages
MAX_QUERIES_PER_PATH = 4  # filter and paging links: a few variants of one page prove its links
# The back office has one page per service, MPP, agency and version (hundreds for a national admin), all from the
# same few templates: a handful of each kind proves their links. Public catalog pages are all visited.
MAX_PER_ENDPOINT = 4
SHARED_PREFIXES = ("/layanan", "/mpp", "/instansi", "/static/")  # the same for every role: crawled once
NOT_FOLLOWED = ("/keluar", "/bahasa/")  # GET here signs out or switches the language: matched, never fetched

START = {
    "anonymous": ["/", "/masuk", "/daftar", "/masuk/pemulihan", "/verifikasi", "/offline"],
    "citizen": ["/", "/akun", "/permohonan", "/notifikasi", "/permohonan/{submitted}", "/permohonan/{completed}"],
    "officer": ["/petugas", "/akun", "/notifikasi"],
    "mpp_admin": ["/admin", "/petugas", "/akun"],
    "national_admin": ["/admin", "/akun"],
}


def _endpoint(app, path: str) -> str | None:
    try:
        return app.url_map.bind("localhost").match(path, method="GET")[0]
    except Exception:
        return None


def _route_exists(app, path: str, method: str) -> bool:
    adapter = app.url_map.bind("localhost")
    try:
        adapter.match(path, method=method)
    except NotFound:
        return False
    except MethodNotAllowed:
        return method == "GET"  # a form may only GET what exists; a POST action must accept POST
    except Exception:  # a redirect (strict slashes) and the like: the path exists
        return True
    return True


def _targets(html: str, here: str):
    """(method, url) for every internal link and form action on the page."""
    soup = BeautifulSoup(html, "html.parser")
    for anchor in soup.select("a[href]"):
        yield "GET", urljoin(here, anchor["href"])
    for form in soup.select("form"):
        method = (form.get("method") or "get").upper()
        yield method, urljoin(here, form.get("action") or here)


def _crawl(app, client, starts: list[str], shared_seen: set[str]) -> list[str]:
    dead: list[str] = []
    queue = deque((url, "(start)") for url in starts)
    seen: set[str] = set()
    queries: dict[str, int] = {}
    per_endpoint: dict[str, int] = {}
    pages = 0
    while queue and pages < MAX_PAGES:
        url, source = queue.popleft()
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost") or parts.scheme not in ("", "http", "https"):
            continue
        path, key = parts.path, parts.path + ("?" + parts.query if parts.query else "")
        if key in seen or key in shared_seen:
            continue
        seen.add(key)
        if parts.query:
            queries[path] = queries.get(path, 0) + 1
            if queries[path] > MAX_QUERIES_PER_PATH:
                continue
        if path.startswith(NOT_FOLLOWED):
            if not _route_exists(app, path, "GET"):
                dead.append(f"{key} (linked from {source})")
            continue
        if path.startswith(SHARED_PREFIXES):
            shared_seen.add(key)
        else:
            endpoint = _endpoint(app, path) or path
            per_endpoint[endpoint] = per_endpoint.get(endpoint, 0) + 1
            if per_endpoint[endpoint] > MAX_PER_ENDPOINT:
                continue
        response = client.get(key)
        pages += 1
        if response.status_code == 404 or response.status_code >= 500:
            dead.append(f"{key}: {response.status_code} (linked from {source})")
            continue
        if response.status_code in (301, 302, 303, 307, 308):
            queue.append((urljoin(f"http://localhost{key}", response.headers["Location"]), key))
            continue
        if response.mimetype != "text/html":
            continue
        for method, target in _targets(response.get_data(as_text=True), f"http://localhost{key}"):
            target = target.split("#", 1)[0]
            if not target:
                continue
            if method == "GET":
                queue.append((target, key))
            else:
                target_path = urlsplit(target).path
                if not _route_exists(app, target_path, method):
                    dead.append(f"{method} {target_path} (form on {key})")
    return dead


@pytest.fixture
def people(journey_data, make_staff):  # noqa: F811
    return {
        "anonymous": None,
        "citizen": journey_data["citizen"],
        "officer": journey_data["officer"],
        "mpp_admin": make_staff(Role.MPP_ADMIN, agency=None, name="Admin MPP Kendari"),
        "national_admin": make_staff(Role.NATIONAL_ADMIN, mpp=None, agency=None, name="Admin Nasional"),
    }


def test_no_page_any_role_can_reach_links_to_a_missing_page(app, journey_data, people):  # noqa: F811
    values = {"submitted": journey_data["submitted"], "completed": journey_data["completed"]}
    shared_seen: set[str] = set()
    dead = []
    for role, user in people.items():
        client = app.test_client()
        if user is not None:
            sign_in_test_client(app, client, user)
        starts = [start.format(**values) for start in START[role]]
        dead += [f"{role}: {line}" for line in _crawl(app, client, starts, shared_seen)]
    assert not dead, "links to missing pages:\n" + "\n".join(sorted(set(dead)))
