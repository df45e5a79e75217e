"""House rules checked mechanically on every route, so a new route is covered the moment it is registered.

- Paths are Indonesian kebab-case (product.md, "Public URL contract"): they are seen, bookmarked and shared.
- Every state-changing endpoint is CSRF-protected (only the token-authenticated /api/ may be exempt).
- Path parameters that are ids are typed (`<int:…>`), so `/x/abc` is a 404, never a 500 from the database.
- Every GET route answers an anonymous visitor and a signed-in user of every role without a 500, and every HTML page
  passes the page checks (one h1, lang, no inline script, unique ids).
- Only `@public_page` views may be kept by the service worker; every other HTML response is `no-store`, so a
  page with personal data never stays on a shared phone.
"""

from __future__ import annotations

import re
import uuid

import pytest
from werkzeug.routing import IntegerConverter, PathConverter, UUIDConverter

from app.accounts.models import Role
from app.extensions import csrf
from app.security import OFFLINE_HEADER

from .helpers import check_page

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Fixed paths whose names are set by standards or operations, not by us.
FIXED_PATHS = {"/manifest.webmanifest", "/sw.js", "/healthz", "/readyz", "/metrics"}
# Machine-facing prefixes: the API keeps its own (English, versioned) naming; static files keep their file names.
EXEMPT_PREFIXES = ("/static/", "/api/v1/", "/api/v1")
KEBAB_SEGMENT = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
PARAMETER = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
# English words that have an Indonesian path in the URL contract (product.md) — a route using one was misnamed.
ENGLISH_SEGMENTS = {
    "login": "masuk",
    "sign-in": "masuk",
    "signin": "masuk",
    "logout": "keluar",
    "sign-out": "keluar",
    "register": "daftar",
    "sign-up": "daftar",
    "signup": "daftar",
    "services": "layanan",
    "service": "layanan",
    "search": "layanan?q=",
    "agency": "instansi",
    "agencies": "instansi",
    "account": "akun",
    "profile": "akun/data",
    "documents": "akun/dokumen",
    "privacy": "akun/privasi",
    "applications": "permohonan",
    "application": "permohonan",
    "notifications": "notifikasi",
    "queue": "antrean",
    "bookings": "antrean",
    "complaints": "pengaduan",
    "complaint": "pengaduan",
    "survey": "survei",
    "verify": "verifikasi",
    "officer": "petugas",
    "language": "bahasa",
    "settings": "pengaturan",
}
# A real object for each kind of slug in the URL contract (the agreed demo slugs; Kendari is in WITA).
SAMPLE_SLUGS = {"layanan": "ktp-el-baru", "mpp": "kota-kendari", "instansi": "disdukcapil"}


def _rules(app):
    return sorted(app.url_map.iter_rules(), key=lambda rule: (rule.rule, rule.endpoint))


def _static_segments(rule) -> list[str]:
    return [segment for segment in rule.rule.strip("/").split("/") if segment and not PARAMETER.fullmatch(segment)]


def _is_exempt_path(path: str) -> bool:
    return path in FIXED_PATHS or path.startswith(EXEMPT_PREFIXES)


def test_paths_are_indonesian_kebab_case(app):
    problems = []
    for rule in _rules(app):
        if _is_exempt_path(rule.rule):
            continue
        for segment in _static_segments(rule):
            if not KEBAB_SEGMENT.fullmatch(segment):
                problems.append(f"{rule.rule}: '{segment}' is not lowercase kebab-case")
            elif segment in ENGLISH_SEGMENTS:
                problems.append(f"{rule.rule}: use '{ENGLISH_SEGMENTS[segment]}' instead of '{segment}'")
        if PARAMETER.sub("x", rule.rule).count("//") or rule.rule != "/" and rule.rule.endswith("/"):
            problems.append(f"{rule.rule}: no empty segments and no trailing slash")
    assert not problems, "\n".join(problems)


def test_id_parameters_are_typed(app):
    problems = []
    for rule in _rules(app):
        for name in rule.arguments:
            converter = rule._converters.get(name)
            if re.search(r"(?:^|_)id$", name) and not isinstance(converter, IntegerConverter | UUIDConverter):
                problems.append(f"{rule.rule}: write <int:{name}>")
            if isinstance(converter, PathConverter) and rule.endpoint != "static":
                problems.append(f"{rule.rule}: <path:{name}> accepts slashes and dots; use a slug or an id")
    assert not problems, "\n".join(problems)


def test_every_state_changing_endpoint_is_csrf_protected(app):
    assert app.config.get("WTF_CSRF_ENABLED", True) and app.config.get("WTF_CSRF_CHECK_DEFAULT", True)
    problems = []
    for rule in _rules(app):
        if not rule.methods & UNSAFE_METHODS or rule.rule.startswith("/api/"):
            continue
        view = app.view_functions[rule.endpoint]
        if f"{view.__module__}.{view.__name__}" in csrf._exempt_views:
            problems.append(f"{rule.rule} ({rule.endpoint}) is exempt from CSRF protection")
        if rule.endpoint.partition(".")[0] in csrf._exempt_blueprints:
            problems.append(f"{rule.rule}: blueprint {rule.endpoint.partition('.')[0]} is exempt from CSRF")
    assert not problems, "\n".join(problems)


# --- requests against every route --------------------------------------------------------------------------------


def _sample_value(rule, name: str):
    converter = rule._converters.get(name)
    if isinstance(converter, IntegerConverter):
        return 1  # no such object for this visitor: the answer must be 404/403/redirect, not 500
    if isinstance(converter, UUIDConverter):
        return uuid.UUID(int=1)
    if isinstance(converter, PathConverter):
        return "css/app.css"
    # A slug is named by the path segment before it: /layanan/<slug> → a service, /mpp/<slug> → an MPP.
    segments = rule.rule.strip("/").split("/")
    position = next(i for i, s in enumerate(segments) if (m := PARAMETER.fullmatch(s)) and m.group(1) == name)
    previous = [s for s in segments[:position] if not PARAMETER.fullmatch(s)]
    return SAMPLE_SLUGS.get(previous[-1] if previous else "", "contoh-tidak-ada")


def _url(app, rule) -> str:
    values = {name: _sample_value(rule, name) for name in rule.arguments if name not in (rule.defaults or {})}
    return app.url_map.bind("localhost").build(rule.endpoint, values, method="GET")


def _get_urls(app) -> list[str]:
    return sorted({_url(app, rule) for rule in _rules(app) if "GET" in rule.methods})


def _check_get(client, url: str, **kwargs) -> list[str]:
    problems = []
    label = f"GET {url}" + (" (htmx)" if kwargs.get("headers", {}).get("HX-Request") else "")
    try:
        response = client.get(url, **kwargs)
    except Exception as error:  # TESTING propagates exceptions: in production this would be a 500
        return [f"{label}: {type(error).__name__}: {error}"]
    if response.status_code >= 500:
        return [f"{label}: {response.status_code}"]
    if response.mimetype != "text/html":
        return []
    public = response.headers.get(OFFLINE_HEADER) == "public"
    cache_control = response.headers.get("Cache-Control", "")
    if not public and "no-store" not in cache_control:
        problems.append(f"{label}: not a @public_page, so it must be Cache-Control: no-store (is {cache_control!r})")
    if public and ("no-store" in cache_control or "private" in cache_control):
        problems.append(f"{label}: marked public for offline reading but {cache_control!r}")
    if response.status_code == 200 and "HX-Request" not in kwargs.get("headers", {}):
        try:
            check_page(response.get_data(as_text=True), lang="id")
        except AssertionError as error:
            problems.append(f"GET {url}: {error}")
    return problems


def test_every_get_route_answers_an_anonymous_visitor(app, client, demo_data):
    with app.app_context():
        urls = _get_urls(app)
    problems = []
    for url in urls:
        problems += _check_get(client, url)
        # htmx asks for the same URLs; its fragment answers follow the same rules.
        problems += _check_get(client, url, headers={"HX-Request": "true"})
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_every_get_route_answers_a_signed_in_user_of_each_role(app, client, demo_data, make_user, signed_in, role):
    """Back-office pages too: a role without a staff assignment must be refused politely, never with a 500."""
    signed_in(client, make_user("Pengguna Uji", role=role))
    with app.app_context():
        urls = _get_urls(app)
    problems = []
    for url in urls:
        problems += _check_get(client, url)
    assert not problems, "\n".join(problems)


def test_every_state_changing_route_refuses_a_request_without_csrf_token(app, client):
    """Behaviour, not configuration: a POST with the right Origin but no token is refused before the view runs."""
    problems = []
    with app.app_context():
        rules = [rule for rule in _rules(app) if rule.methods & UNSAFE_METHODS and not rule.rule.startswith("/api/")]
        targets = [
            (rule, _url_for_method(app, rule, method)) for rule in rules for method in rule.methods & UNSAFE_METHODS
        ]
    for rule, (method, url) in targets:
        try:
            response = client.open(url, method=method, data={}, headers={"Origin": "http://localhost"})
        except Exception as error:  # the view ran: nothing stopped the request before it
            problems.append(f"{method} {url} without a CSRF token reached the view: {type(error).__name__}")
            continue
        if response.status_code != 400:
            problems.append(f"{method} {url} without a CSRF token answered {response.status_code}, expected 400")
    assert not problems, "\n".join(problems)


def _url_for_method(app, rule, method: str) -> tuple[str, str]:
    values = {name: _sample_value(rule, name) for name in rule.arguments if name not in (rule.defaults or {})}
    return method, app.url_map.bind("localhost").build(rule.endpoint, values, method=method)


def test_the_delivery_code_knows_no_staff_scope():
    """notifications/ delivers; which admin may see a failed delivery is the back office's question
    (backoffice/deliveries.py), answered with the officer's Scope, which the delivery code never imports."""
    from app.config import PROJECT_ROOT

    offenders = [
        f"{path.name}:{number}"
        for path in sorted((PROJECT_ROOT / "app" / "notifications").glob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.match(r"\s*from\s+(\.\.|app\.)backoffice(\.scope\b|\s+import\s+.*\bscope\b)", line)
    ]
    assert not offenders, offenders
