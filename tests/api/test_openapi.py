"""The OpenAPI document is built from the routes, so it cannot drift: an undocumented route, path parameter or query
parameter fails here; response shapes are checked against real answers in the other tests and by schemathesis."""

from __future__ import annotations

import re

import pytest
from flask import Blueprint

from app import create_app
from app.api.openapi import UndocumentedRoute, build_document, operation, query_arg


def test_the_document_is_openapi_3_1_and_lists_every_api_route(app, client, demo_data):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"] == "3.1.0"
    routes = {
        re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
    }
    assert routes == set(document["paths"])


def test_every_agency_operation_names_its_token_permission(client, demo_data):
    document = client.get("/api/v1/openapi.json").get_json()
    for path, methods in document["paths"].items():
        for method, op in methods.items():
            if path.startswith("/api/v1/applications"):
                assert op["security"] and op["x-permission"], f"{method} {path}"
                assert "401" in op["responses"] and "403" in op["responses"]


def _fresh_app(tmp_path):
    return create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}"})


def test_a_route_without_its_operation_makes_the_document_fail(tmp_path):
    app = _fresh_app(tmp_path)
    app.add_url_rule("/api/v1/rahasia", endpoint="api.secret", view_func=lambda: "{}")
    with app.app_context(), pytest.raises(UndocumentedRoute, match="rahasia"):
        build_document(app)


def test_a_documented_path_parameter_the_route_lacks_makes_the_document_fail(tmp_path):
    app = _fresh_app(tmp_path)
    view = operation(
        operation_id="x", summary="x", tag="x", responses={200: "Mpp"}, path_descriptions={"slug": "slug"}
    )(lambda: "{}")
    app.add_url_rule("/api/v1/tanpa-slug", endpoint="api.no_slug", view_func=view)
    with app.app_context(), pytest.raises(UndocumentedRoute, match="tanpa-slug"):
        build_document(app)


def test_reading_an_undocumented_query_parameter_is_refused(app):
    with app.test_request_context("/api/v1/services?rahasia=1"):
        from flask import request

        request.url_rule = app.url_map.bind("localhost").match("/api/v1/services", return_rule=True)[0]
        with pytest.raises(UndocumentedRoute, match="rahasia"):
            query_arg("rahasia")
        assert query_arg("q") is None


def test_the_docs_page_is_rendered_from_the_document(client, demo_data):
    page = client.get_page("/api/v1/docs")
    text = page.get_text()
    for operation_id in ("listApplications", "transitionApplication", "getService"):
        assert page.find(id=f"op-{operation_id}") is not None
    assert "webhook-id" in text and "compare_digest" in text
    assert page.find(id="token-kedaluwarsa") is not None
    _unused = Blueprint
