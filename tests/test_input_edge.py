"""Input at the edge (issue 9, items 6 and 7): one JSON reader bounds size and depth, and no request carrying NUL or
a lone surrogate reaches a view — each attack replayed over HTTP the way it was found."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from app.applications.models import Draft
from app.extensions import db

from .applications.conftest import SERVICE, draft_id_of, draft_row, start

DEEP = "[" * 5000 + "]" * 5000  # what the attacker sent: a RecursionError in the standard parser
TOO_DEEP = "Data yang dikirim bertingkat terlalu dalam."
BAD_TEXT = "karakter yang tidak dapat diproses"

# The seven JSON endpoints the attack found (the invitation token need not exist: the body is refused first).
JSON_ENDPOINTS = [
    ("POST", "/masuk/verifikasi"),
    ("POST", "/daftar/passkey/verifikasi"),
    ("POST", "/akun/passkey/konfirmasi"),
    ("POST", "/akun/passkey/tambah"),
    ("POST", "/akun/notifikasi/langganan/hapus"),
    ("PUT", "/permohonan/draf/{draft}"),
    ("POST", "/petugas/undangan/token-undangan-apa-saja/verifikasi"),
]


def _send(client, method: str, url: str, body: str | bytes, content_type: str = "application/json"):
    headers = {"Origin": "http://localhost", "X-CSRFToken": client.csrf_token(), "Content-Type": content_type}
    return client.raw.open(url, method=method, data=body, headers=headers)


@pytest.fixture
def applicant(client, citizen, signed_in, demo_data):
    signed_in(client, citizen)
    return client


@pytest.fixture
def draft(applicant) -> str:
    return draft_id_of(start(applicant, SERVICE))


@pytest.mark.parametrize(("method", "url"), JSON_ENDPOINTS)
def test_five_thousand_nested_brackets_are_a_400_with_a_reason_on_every_json_endpoint(applicant, draft, method, url):
    response = _send(applicant, method, url.format(draft=draft), DEEP)
    assert response.status_code == 400
    assert response.get_json()["error"] == TOO_DEEP


def test_nesting_inside_strings_does_not_count_and_a_moderately_nested_answer_is_read(applicant, draft, app):
    revision = applicant.get(f"/permohonan/draf/{draft}").json["revision"]
    body = json.dumps({"revision": revision, "answers": {"nama": "[" * 40 + " Budi"}, "step": ""})
    response = _send(applicant, "PUT", f"/permohonan/draf/{draft}", body)
    assert response.status_code == 200
    assert draft_row(app, draft).answers["nama"].endswith("Budi")


def test_a_json_body_over_the_size_bound_is_refused_before_it_is_parsed(applicant, draft):
    body = '{"revision": 1, "answers": {"nama": "' + "a" * 300_000 + '"}}'
    response = _send(applicant, "PUT", f"/permohonan/draf/{draft}", body)
    assert response.status_code == 400 and response.get_json()["error"] == "Data yang dikirim terlalu besar."


def test_no_view_reads_json_except_through_the_one_reader():
    """A new JSON view that calls request.get_json() would bring back the RecursionError and the surrogates."""
    offenders = []
    for path in Path("app").rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in ("get_json", "json") and _is_request(node.value):
                offenders.append(f"{path}:{node.lineno} request.{node.attr}")
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("loads", "load")
                and any(_mentions_request(arg) for arg in node.args)
            ):
                offenders.append(f"{path}:{node.lineno} json.loads(request…)")
    assert not offenders, "read JSON bodies with app.security.read_json(): " + ", ".join(offenders)


def _is_request(node) -> bool:
    return isinstance(node, ast.Name) and node.id == "request"


def _mentions_request(node) -> bool:
    return any(_is_request(child) for child in ast.walk(node))


# --- item 6: invalid Unicode and NUL ----------------------------------------------------------------------------------


def test_a_lone_surrogate_synced_to_a_draft_is_refused_and_every_view_still_works(applicant, draft, app):
    revision = applicant.get(f"/permohonan/draf/{draft}").json["revision"]
    body = json.dumps({"revision": revision, "answers": {"nama": "Budi \ud800 Warga"}, "step": ""})
    assert "\\ud800" in body  # sent as the JSON escape, exactly as the attack did
    response = _send(applicant, "PUT", f"/permohonan/draf/{draft}", body)
    assert response.status_code == 400
    assert BAD_TEXT in response.get_json()["error"]
    stored = draft_row(app, draft)
    assert stored.revision == revision and "Budi" not in str(stored.answers)
    assert applicant.get(f"/permohonan/draf/{draft}").status_code == 200
    assert applicant.get("/permohonan").status_code == 200


@pytest.mark.parametrize(
    "answers",
    [
        '{"nama": "Budi \\u0000 Warga"}',  # NUL: PostgreSQL's text type refuses it
        '{"nama\\udfff": "Budi"}',  # a surrogate in a key
        '{"nama": ["ok", {"x": "\\udc00"}]}',  # deeper in the document
    ],
)
def test_nul_and_surrogates_anywhere_in_a_json_body_are_refused(applicant, draft, app, answers):
    revision = applicant.get(f"/permohonan/draf/{draft}").json["revision"]
    body = f'{{"revision": {revision}, "answers": {answers}, "step": ""}}'
    response = _send(applicant, "PUT", f"/permohonan/draf/{draft}", body)
    assert response.status_code == 400 and BAD_TEXT in response.get_json()["error"]
    assert draft_row(app, draft).revision == revision


def test_a_body_that_is_not_utf8_is_refused_with_a_reason(applicant, draft):
    response = _send(applicant, "PUT", f"/permohonan/draf/{draft}", b'{"revision": 1, "answers": {"nama": "\xff\xfe"}}')
    assert response.status_code == 400 and BAD_TEXT in response.get_json()["error"]


def test_subscribing_with_a_lone_surrogate_in_the_endpoint_is_a_400_not_a_500(app, client, citizen, signed_in):
    signed_in(client, citizen)
    body = (
        '{"endpoint": "https://push.example.com/\\ud800", "keys": '
        '{"p256dh": "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM", '
        '"auth": "tBHItJI5svbpez7KI4CCXg"}}'
    )
    response = _send(client, "POST", "/akun/notifikasi/langganan", body)
    assert response.status_code == 400 and BAD_TEXT in response.get_json()["error"]


def test_a_nul_in_a_form_field_is_a_clean_400_page_in_indonesian_and_nothing_is_stored(app, client, citizen, signed_in):
    from app.accounts.models import User

    signed_in(client, citizen)
    response = client.post("/akun/data", data={"nama": "Siti\x00Rahayu", "nik": ""})
    assert response.status_code == 400 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert BAD_TEXT in page and "no-store" in response.headers["Cache-Control"]
    with app.app_context():
        assert "\x00" not in db.session.get(User, citizen.id).display_name


def test_a_nul_in_the_path_is_a_400_and_in_a_query_it_is_dropped_before_any_view_sees_it(client, demo_data):
    assert client.get("/layanan/ktp-el-baru%00").status_code == 400
    soup = client.get_page("/layanan?q=ktp%00")  # a search box answers a stray NUL with results, not an error
    assert soup.find("input", attrs={"name": "q"})["value"] == "ktp"
    assert client.get("/akun/dokumen?jenis=%00kk").status_code in (200, 302)


def test_a_draft_still_loads_after_a_refused_sync(applicant, draft, app):
    revision = applicant.get(f"/permohonan/draf/{draft}").json["revision"]
    good = json.dumps({"revision": revision, "answers": {"nama": "Budi Warga"}, "step": ""})
    assert _send(applicant, "PUT", f"/permohonan/draf/{draft}", good).status_code == 200
    for bad in (DEEP, json.dumps({"revision": revision + 1, "answers": {"nama": "\ud800"}})):
        assert _send(applicant, "PUT", f"/permohonan/draf/{draft}", bad).status_code == 400
    loaded = applicant.get(f"/permohonan/draf/{draft}").json
    assert loaded["draft"]["answers"]["nama"] == "Budi Warga" and loaded["revision"] == revision + 1
    with app.app_context():
        assert db.session.scalar(select(Draft.answers).where(Draft.public_id == draft))["nama"] == "Budi Warga"
