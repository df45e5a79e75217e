"""Hostile input against every form and every JSON endpoint (issue 9, "Also"): lone surrogates, NUL, 100,000
characters, deep nesting, wrong types. Never a 500 (TESTING re-raises, so an exception counts too), and nothing
already stored is damaged: a saved draft, a document and a submitted application still load, unchanged.

Forms are found the way a person finds them: by opening every page (as an anonymous visitor, a citizen, an officer
and the admins) and reading each ``<form method="post">``, with its real fields and hidden values. JSON endpoints
are every state-changing route in ``app.url_map`` — the JSON reader runs in front of all of them, so a new route is
covered the moment it is registered. Runs on SQLite and PostgreSQL (where NUL in text is an error).
"""

from __future__ import annotations

import io
import json
import uuid
from urllib.parse import quote_plus, urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select
from werkzeug.routing import IntegerConverter, UUIDConverter

from app.accounts.models import Role, User
from app.applications.models import Draft
from app.extensions import db, limiter
from app.personal.models import Document

from .applications.conftest import add_document
from .backoffice.conftest import demo, make_staff, submit_application  # noqa: F401
from .helpers import PageClient
from .test_conventions import SAMPLE_SLUGS, UNSAFE_METHODS, _rules

# Sign-out routes would end the fuzzing client's session midway; they take no input worth fuzzing.
SKIPPED = ("/keluar", "/akun/sesi/keluar-semua", "/akun/sesi/<int:session_id>/keluar")

TEXT_PAYLOADS = {
    "surrogate": "Budi \ud800 Warga",  # sent as %ED%A0%80 in forms, \ud800 in JSON
    "nul": "Budi\x00Warga",
    "long": "x" * 100_000,
    "huge-number": "9" * 40,
    "negative": "-1",
}
DEEP = "[" * 5000 + "]" * 5000
# Refused at the edge, before any view: sent to every state-changing route.
EDGE_BODIES = {
    "deep": DEEP.encode(),
    "deep-object": ('{"a":' * 3000 + "1" + "}" * 3000).encode(),
    "surrogate": b'{"revision": 1, "answers": {"nama": "Budi \\ud800 Warga"}, "endpoint": "https://x/\\ud800"}',
    "nul": b'{"revision": 1, "answers": {"nama": "a\\u0000b"}, "rawId": "\\u0000"}',
    "not-an-object": b'["revision", 1]',
    "not-utf8": b'{"revision": 1, "answers": {"nama": "\xff\xfe\xfd"}}',
}
# Reach the view: sent to the JSON endpoints (the routes that answer JSON), which must refuse them cleanly.
VIEW_BODIES = {
    "long": json.dumps({"revision": "1", "answers": {"nama": "x" * 100_000}, "rawId": "x" * 100_000}).encode(),
    "wrong-types": json.dumps(
        {"revision": [], "answers": "semua", "step": 5, "endpoint": 7, "keys": [], "rawId": {}, "response": 1}
    ).encode(),
    "nested-wrong-types": json.dumps(
        {"revision": 1, "answers": {"nama": {"x": [1, 2]}}, "keys": {"p256dh": 5, "auth": None}, "response": {}}
    ).encode(),
    "huge-int": b'{"revision": 1' + b"0" * 5000 + b', "answers": {}}',
    "nan": b'{"revision": NaN, "answers": {}}',
    "empty-object": b"{}",
}


@pytest.fixture
def world(app, demo, make_staff, make_user, citizen, signed_in):  # noqa: F811 (fixtures imported above)
    """Objects to fuzz against, and witnesses that must come through untouched."""
    from app.applications import drafts
    from app.catalog.models import Service

    officer = make_staff(Role.OFFICER, name="Andi Petugas")
    mpp_admin = make_staff(Role.MPP_ADMIN, agency=None, name="Admin MPP")
    national = make_staff(Role.NATIONAL_ADMIN, mpp=None, agency=None, name="Admin Nasional")
    number = submit_application(app, citizen)
    with app.app_context():
        owner = db.session.get(User, citizen.id)
        service = db.session.scalar(select(Service).where(Service.slug == "ktp-el-hilang-rusak"))
        witness = drafts.start_draft(owner, service)
        witness.answers = {**(witness.answers or {}), "nama": "Saksi Tetap", "tempat_lahir": "Kendari"}
        other = db.session.scalar(select(Service).where(Service.slug == "ktp-el-baru"))
        target = drafts.start_draft(owner, other)  # one draft per service: the fuzzed one is another service's
        db.session.commit()
        witness_id, target_id = witness.public_id, target.public_id
        witness_answers, witness_revision = dict(witness.answers), witness.revision
        first_step = drafts.step_keys(target)[0]
    document_id = add_document(app, citizen, "ktp")
    witness_document = add_document(app, citizen, "akta_kelahiran")
    with app.app_context():
        witness_sha = db.session.get(Document, witness_document).sha256

    clients = {"anonymous": PageClient(app.test_client())}
    for name, user in (("citizen", citizen), ("officer", officer), ("mpp_admin", mpp_admin), ("national", national)):
        clients[name] = PageClient(app.test_client())
        signed_in(clients[name], user)
    values = {
        "uuid": uuid.UUID(target_id),
        "number": number,
        "step": first_step,
        "document_id": document_id,
        "token": "token-undangan-yang-tidak-ada-sama-sekali",
        "code": "7471",
    }
    return {
        "clients": clients,
        "values": values,
        "witness": (witness_id, witness_answers, witness_revision),
        "witness_document": (witness_document, witness_sha),
        "number": number,
    }


def _sample(app, rule, values: dict) -> str:
    arguments = {}
    for name in rule.arguments:
        converter = rule._converters.get(name)
        if isinstance(converter, UUIDConverter):
            arguments[name] = values["uuid"]
        elif isinstance(converter, IntegerConverter):
            arguments[name] = values.get(name, 1)
        elif name in values:
            arguments[name] = values[name]
        else:
            segments = [s for s in rule.rule.strip("/").split("/") if "<" not in s]
            previous = rule.rule.split(f"<{name}>")[0].rstrip("/").rsplit("/", 1)[-1]
            arguments[name] = SAMPLE_SLUGS.get(previous, SAMPLE_SLUGS["layanan"] if "service" in name else "x")
            del segments
    return app.url_map.bind("localhost").build(rule.endpoint, arguments, method=next(iter(rule.methods)))


def _role_for(path: str) -> str:
    if path.startswith(("/daftar", "/masuk", "/survei", "/petugas/undangan/")):
        return "anonymous"
    if path.startswith("/petugas"):
        return "officer"
    if path.startswith("/admin/mpp/"):
        return "mpp_admin"
    if path.startswith("/admin"):
        return "national"
    return "citizen"


def _call(client, method: str, url: str, **kwargs) -> str | None:
    """None when the answer is not a server error; else a line describing it."""
    headers = {"Origin": "http://localhost", **kwargs.pop("headers", {})}
    try:
        response = client.raw.open(url, method=method, headers=headers, **kwargs)
    except Exception as error:  # TESTING propagates exceptions: in production this would be a 500
        return f"{method} {url}: {type(error).__name__}: {str(error)[:200]}"
    if response.status_code >= 500:
        return f"{method} {url}: {response.status_code}"
    return None


# --- forms, found by opening every page ---------------------------------------------------------------------------


def _get_urls(app, values) -> list[str]:
    return sorted(
        {_sample(app, rule, values) for rule in _rules(app) if "GET" in rule.methods and rule.endpoint != "static"}
    )


def _pages_by_role(app, values) -> dict[str, list[str]]:
    """Each page opened by the role it is for (public pages also by the anonymous visitor): one crawl, not five."""
    pages: dict[str, list[str]] = {}
    for url in _get_urls(app, values):
        for role in {_role_for(url), "anonymous"}:
            pages.setdefault(role, []).append(url)
    return pages


def _forms(client, urls: list[str], broken: set[str]) -> dict[str, dict]:
    """action → {"fields": [(name, kind, value)], "multipart": bool}, from every page this client can open.
    Pages that fail are added to ``broken``."""
    found: dict[str, dict] = {}
    for url in urls:
        try:
            response = client.raw.get(url, headers={"Origin": "http://localhost"})
        except Exception as error:  # noqa: BLE001
            broken.add(f"GET {url}: {type(error).__name__}: {str(error)[:200]}")
            continue
        if response.status_code >= 500:
            broken.add(f"GET {url}: {response.status_code}")
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
        for form in soup.find_all("form"):
            if (form.get("method") or "get").lower() != "post":
                continue
            action = urlsplit(urljoin(url, form.get("action") or url)).path
            if action in SKIPPED or action.startswith("/static/"):
                continue
            fields = []
            for element in form.find_all(["input", "textarea", "select", "button"]):
                name = element.get("name")
                if not name:
                    continue
                kind = element.get("type", element.name).lower()
                if kind in ("submit", "button") and any(f[0] == name for f in fields):
                    continue
                fields.append((name, kind, element.get("value", "")))
            found.setdefault(action, {"fields": fields, "multipart": form.get("enctype") == "multipart/form-data"})
    return found


def _form_body(fields, payload: str) -> bytes:
    pairs = []
    for name, kind, value in fields:
        keep = kind in ("hidden", "submit", "button") or name == "csrf_token"
        text = value if keep else payload
        pairs.append(quote_plus(name) + "=" + quote_plus(text.encode("utf-8", "surrogatepass")))
    return "&".join(pairs).encode()


def _multipart(fields, payload: str) -> dict:
    data = {}
    for name, kind, value in fields:
        if kind == "file":
            data[name] = (io.BytesIO(payload.encode("utf-8", "surrogatepass")), "berkas.pdf")
        elif kind in ("hidden", "submit", "button") or name == "csrf_token":
            data[name] = value
        else:
            data[name] = payload
    return data


def test_no_form_or_json_endpoint_answers_hostile_input_with_a_server_error_and_nothing_stored_breaks(app, world):
    broken_before: set[str] = set()  # pages failing before any fuzzing: the convention tests report those
    limiter.enabled = False
    try:
        problems = _fuzz_forms(app, world, broken_before) + _fuzz_json(app, world)
    finally:
        limiter.enabled = True
    assert not problems, "\n".join(problems)
    _assert_witnesses_untouched(app, world, broken_before)


def _fuzz_forms(app, world, broken_before: set[str]) -> list[str]:
    problems = []
    with app.app_context():
        pages = _pages_by_role(app, world["values"])
    done: set[str] = set()
    for role, urls in pages.items():
        client = world["clients"][role]
        for action, form in sorted(_forms(client, urls, broken_before).items()):
            fuzzable = [f for f in form["fields"] if f[1] not in ("hidden", "submit", "button")]
            if action in done or not fuzzable:  # a form of buttons only has nothing to fuzz
                continue
            done.add(action)
            for label, payload in TEXT_PAYLOADS.items():
                if form["multipart"]:
                    if label == "surrogate":
                        continue  # a multipart body is UTF-8 text; the JSON payloads carry the surrogates
                    kwargs = {"data": _multipart(form["fields"], payload), "content_type": "multipart/form-data"}
                else:
                    body = _form_body(form["fields"], payload)
                    kwargs = {"data": body, "content_type": "application/x-www-form-urlencoded"}
                problem = _call(client, "POST", action, **kwargs)
                if problem:
                    problems.append(f"[{role} form, {label}] {problem}")
    return problems


# --- JSON, against every state-changing route ---------------------------------------------------------------------


def _fuzz_json(app, world) -> list[str]:
    witness_id = world["witness"][0]
    with app.app_context():
        targets = [
            (method, _sample(app, rule, world["values"]), rule.rule)
            for rule in _rules(app)
            if rule.methods & UNSAFE_METHODS and rule.rule not in SKIPPED and not rule.rule.startswith("/api/")
            for method in sorted(rule.methods & UNSAFE_METHODS)
        ]
    problems = []
    tokens = {role: client.csrf_token() for role, client in world["clients"].items()}
    for method, url, pattern in targets:
        assert witness_id not in url
        role = _role_for(pattern)
        client = world["clients"][role]
        headers = {"X-CSRFToken": tokens[role], "Content-Type": "application/json", "Accept": "application/json"}
        for label, body in EDGE_BODIES.items():
            response = client.raw.open(url, method=method, data=body, headers={"Origin": "http://localhost", **headers})
            if response.status_code != 400:
                problems.append(f"[json {label}] {method} {url}: {response.status_code}, expected 400 at the edge")
        probe = client.raw.open(
            url, method=method, data=b'{"probe": true}', headers={"Origin": "http://localhost", **headers}
        )
        if probe.mimetype != "application/json":
            continue  # not a JSON endpoint: its form was fuzzed above
        for label, body in VIEW_BODIES.items():
            problem = _call(client, method, url, data=body, headers=headers)
            if problem:
                problems.append(f"[json {label}] {problem}")
    return problems


def _broken_pages(app, world) -> set[str]:
    with app.app_context():
        pages = _pages_by_role(app, world["values"])
    return {
        problem
        for role, urls in pages.items()
        for url in urls
        if (problem := _call(world["clients"][role], "GET", url)) is not None
    }


def _assert_witnesses_untouched(app, world, broken_before: set[str]) -> None:
    citizen = world["clients"]["citizen"]
    witness_id, answers, revision = world["witness"]
    loaded = citizen.get(f"/permohonan/draf/{witness_id}")
    assert loaded.status_code == 200, "the saved draft still loads"
    assert loaded.json["draft"]["answers"] == answers and loaded.json["revision"] == revision
    with app.app_context():
        assert db.session.scalar(select(Draft.answers).where(Draft.public_id == witness_id)) == answers
        document_id, sha = world["witness_document"]
        assert db.session.get(Document, document_id).sha256 == sha
    download = citizen.get(f"/akun/dokumen/{world['witness_document'][0]}/unduh")
    assert download.status_code == 200
    # Every page still renders: nothing stored by the fuzzing broke a view.
    newly_broken = _broken_pages(app, world) - broken_before
    assert not newly_broken, "\n".join(sorted(newly_broken))
    assert world["clients"]["officer"].get(f"/petugas/permohonan/{world['number']}").status_code == 200
