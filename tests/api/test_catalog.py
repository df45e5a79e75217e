"""The public catalog over the API: the same data and search as the pages, paginated, cacheable, documented."""

from __future__ import annotations

import jsonschema
import pytest

from app.api.openapi import build_document


def validate(app, response, schema_name: str) -> None:
    with app.app_context():
        document = build_document()
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": document["components"]}
    jsonschema.validate(response.get_json(), schema, cls=jsonschema.Draft202012Validator)


def test_mpps_are_listed_page_by_page_with_a_link_to_the_next(app, client, demo):
    first = client.get("/api/v1/mpps?per_page=5")
    assert first.status_code == 200
    validate(app, first, "MppList")
    body = first.get_json()
    assert len(body["data"]) == 5 and body["meta"]["total"] >= 10
    second = client.get(body["meta"]["next"]).get_json()
    assert {m["slug"] for m in second["data"]}.isdisjoint({m["slug"] for m in body["data"]})


def test_one_mpp_has_its_hours_in_its_own_zone_and_its_tenants(app, client, demo):
    response = client.get("/api/v1/mpps/kota-kendari")
    assert response.status_code == 200
    validate(app, response, "MppDetail")
    body = response.get_json()
    assert body["timezone"] == "Asia/Makassar"
    assert body["hours"] and body["tenants"]
    assert "disdukcapil" in {tenant["agency"] for tenant in body["tenants"]}


def test_a_service_carries_its_whole_standar_pelayanan(app, client, demo):
    response = client.get("/api/v1/services/ktp-el-baru")
    assert response.status_code == 200
    validate(app, response, "ServiceDetail")
    body = response.get_json()
    assert body["requirements"] and body["procedure"] and body["counters"]
    assert body["is_free"] is True and body["lowest_fee"] == 0
    assert body["legal_basis"]


def test_search_finds_what_a_citizen_types_like_the_catalog_page(app, client, demo):
    for query, expected in (("ktp", "ktp-el-baru"), ("pasprt", None), ("skck", None)):
        response = client.get("/api/v1/services", query_string={"q": query})
        assert response.status_code == 200
        validate(app, response, "ServiceList")
        slugs = [service["slug"] for service in response.get_json()["data"]]
        assert slugs, query
        if expected:
            assert expected in slugs


def test_search_results_say_where_to_apply(app, client, demo):
    body = client.get("/api/v1/services?q=ktp").get_json()
    assert all(service["channels"] for service in body["data"])
    assert {"kind": "loket", "name": None, "url": None} in body["data"][0]["channels"]


def test_agencies_and_one_agency_with_its_counters(app, client, demo):
    listing = client.get("/api/v1/agencies?per_page=100")
    validate(app, listing, "AgencyList")
    assert "disdukcapil" in {a["slug"] for a in listing.get_json()["data"]}
    detail = client.get("/api/v1/agencies/disdukcapil")
    validate(app, detail, "AgencyDetail")
    assert detail.get_json()["services"] and detail.get_json()["counters"]


def test_catalog_answers_are_cacheable_and_revalidate_with_their_etag(client, demo):
    response = client.get("/api/v1/services/ktp-el-baru")
    assert "public" in response.headers["Cache-Control"]
    etag = response.headers["ETag"]
    again = client.get("/api/v1/services/ktp-el-baru", headers={"If-None-Match": etag})
    assert again.status_code == 304


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/services/tidak-ada",
        "/api/v1/mpps/tidak-ada",
        "/api/v1/agencies/tidak-ada",
        "/api/v1/tidak-ada/sama-sekali",
    ],
)
def test_unknown_things_are_a_404_problem_in_both_languages(client, demo, url):
    response = client.get(url)
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["title"] == "Tidak ditemukan" and body["title_en"] == "Not found" and body["code"] == "tidak-ditemukan"


@pytest.mark.parametrize("query", ["page=0", "per_page=1000", "page=abc", "per_page=-1", "page=99999999999"])
def test_bad_paging_is_a_400_problem_naming_the_parameter(client, demo, query):
    response = client.get(f"/api/v1/services?{query}")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["errors"]


def test_a_wrong_method_is_a_405_problem_with_allow(client, demo):
    response = client.post("/api/v1/services")
    assert response.status_code == 405
    assert response.mimetype == "application/problem+json"
    assert "GET" in response.headers["Allow"]


def test_odd_input_never_makes_a_500(client, demo):
    for url in (
        "/api/v1/services?q=" + "%F0%9F%98%80" * 300,
        "/api/v1/services?q=%00",
        "/api/v1/services/" + "a" * 5000,
        "/api/v1/services?mpp=%ud800",
        "/api/v1/mpps/%C0%AF",
    ):
        response = client.get(url)
        assert response.status_code < 500, url
        if response.status_code >= 400:
            assert response.mimetype == "application/problem+json", url


def test_a_service_run_by_a_national_e_service_links_to_it_and_search_says_so(client, demo):
    page = client.get_page("/layanan/paspor-biasa")
    link = page.find("a", href="https://www.imigrasi.go.id/")
    assert link is not None and "M-Paspor" in link.get_text()
    assert page.find("a", href="/layanan/paspor-biasa/ajukan") is None  # applied for in M-Paspor, not here
    results = client.get_page("/layanan?q=paspor")
    assert "Lewat M-Paspor" in results.get_text()
    body = client.get("/api/v1/services/paspor-biasa").get_json()
    assert {"kind": "nasional", "name": "M-Paspor", "url": "https://www.imigrasi.go.id/"} in body["channels"]


def _primary_actions(page) -> list[str]:
    actions = page.select_one("div.actions")
    return [a.get_text(" ", strip=True) for a in actions.select("a.button") if "secondary" not in a["class"]]


@pytest.mark.parametrize(
    ("slug", "primary"),
    [
        ("paspor-biasa", "Ajukan di M-Paspor"),  # the application is made in M-Paspor; the queue is secondary
        ("ktp-el-hilang-rusak", "Ajukan online"),  # applied for in this app
    ],
)
def test_a_service_page_has_exactly_one_primary_action(client, demo, slug, primary):
    page = client.get_page(f"/layanan/{slug}")
    assert [text.split(" (")[0] for text in _primary_actions(page)] == [primary]


def test_a_service_without_channel_rows_keeps_online_and_counter(client, demo):
    page = client.get_page("/layanan/ktp-el-hilang-rusak")
    assert page.find("a", href="/layanan/ktp-el-hilang-rusak/ajukan") is not None
