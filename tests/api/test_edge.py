"""Input refused at the edge under /api answers a problem document like every other API error (RFC 9457), never the
HTML error page a browser gets: bad JSON, a body too large, NUL, a wrong media type, an unknown path or method."""

from __future__ import annotations

import pytest

from .conftest import bearer, submit_application  # noqa: F401

PROBLEM = "application/problem+json"


def _problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert body["status"] == status and body["code"] == code and body["title"] and body["title_en"]
    assert "<html" not in response.get_data(as_text=True).lower()
    return body


@pytest.fixture
def number(app, demo, citizen):
    return submit_application(app, citizen)


def _post(client, url, token, data, content_type, **headers):
    return client.post(
        url, data=data, headers={**bearer(token), "Content-Type": content_type, "Idempotency-Key": "k-1", **headers}
    )


def test_bad_json_is_a_400_problem(client, token, number):
    body = _problem(
        _post(client, f"/api/v1/applications/{number}/transitions", token, "{bad", "application/json"),
        400,
        "permintaan-tidak-valid",
    )
    assert body["detail"]


def test_a_body_over_the_bound_is_a_413_problem(client, token, number):
    big = '{"to": "diproses", "note": "' + "x" * (2 * 1024 * 1024) + '"}'
    _problem(
        _post(client, f"/api/v1/applications/{number}/transitions", token, big, "application/json"),
        413,
        "terlalu-besar",
    )
    _problem(_post(client, "/api/v1/webhooks", token, big, "application/json"), 413, "terlalu-besar")


def test_nul_in_a_body_a_form_or_a_path_is_a_400_problem(client, token, number):
    url = f"/api/v1/applications/{number}/transitions"
    _problem(_post(client, url, token, '{"to": "diproses\\u0000"}', "application/json"), 400, "permintaan-tidak-valid")
    _problem(client.post(url, data={"to": "x\x00"}, headers=bearer(token)), 400, "permintaan-tidak-valid")
    _problem(client.get("/api/v1/mpps/kota\x00kendari"), 400, "permintaan-tidak-valid")
    _problem(
        client.post("/api/v1/tidak-ada", data='{"a": "\\u0000"}', content_type="application/json"),
        400,
        "permintaan-tidak-valid",
    )


def test_a_wrong_content_type_is_a_415_problem(client, token, number):
    _problem(
        _post(client, f"/api/v1/applications/{number}/transitions", token, "to=diproses", "text/plain"),
        415,
        "jenis-konten-salah",
    )
    _problem(
        _post(client, f"/api/v1/applications/{number}/result?expected_version=1", token, "{}", "application/json"),
        415,
        "jenis-konten-salah",
    )


@pytest.mark.parametrize("path", ["/api", "/api/", "/api/v2/mpps", "/api/v1/tidak-ada"])
def test_an_unknown_api_path_is_a_404_problem(client, path):
    _problem(client.get(path), 404, "tidak-ditemukan")


def test_a_wrong_method_is_a_405_problem_naming_the_allowed_ones(client, demo):
    response = client.delete("/api/v1/mpps")
    _problem(response, 405, "metode-tidak-diizinkan")
    assert "GET" in response.headers["Allow"]


def test_the_document_lists_413_and_415_for_every_operation_with_a_body(app):
    from app.api.openapi import build_document

    with app.app_context():
        document = build_document()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and "requestBody" in operation:
                assert {"413", "415"} <= set(operation["responses"]), (method, path)
