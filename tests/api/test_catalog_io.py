"""Catalog import/export: one JSON document (with its JSON Schema) and a CSV of services; an import shows what would
change and which rows are rejected before anything is saved; the demo data itself loads through the importer."""

from __future__ import annotations

import io
import json

import jsonschema
import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.catalog import catalog_io
from app.catalog.models import Service
from app.extensions import db


@pytest.fixture
def national(client, signed_in, make_user, demo_data):
    signed_in(client, make_user("Admin Nasional", role=Role.NATIONAL_ADMIN))
    return client


def _upload(client, document: dict, *, apply: bool = False, expected: int = 200):
    data = {"berkas": (io.BytesIO(json.dumps(document).encode()), "katalog.json")}
    if apply:
        data["terapkan"] = "1"
    return client.post_page(
        "/admin/integrasi/katalog", data=data, content_type="multipart/form-data", expected_status=expected
    )


def test_the_export_matches_its_schema_and_reimports_without_a_change(app, national):
    response = national.get("/admin/integrasi/katalog/ekspor")
    document = json.loads(response.get_data())
    jsonschema.validate(document, catalog_io.CATALOG_SCHEMA, cls=jsonschema.Draft202012Validator)
    assert len(document["services"]) == 20 and len(document["mpps"]) == 11
    page = _upload(national, document)
    text = page.get_text()
    assert "0 baris baru, 0 baris berubah" in text and "Tidak ada baris yang ditolak" in text


def test_a_preview_lists_changes_and_rejected_rows_and_saves_nothing_until_applied(app, national):
    document = json.loads(national.get("/admin/integrasi/katalog/ekspor").get_data())
    document["services"][0]["name"] = "Nama Baru Layanan"
    slug = document["services"][0]["slug"]
    document["services"].append({**document["services"][1], "slug": "layanan-tanpa-instansi", "agency": "tidak-ada"})
    document["services"].append({"slug": "Bukan Slug", "name": 5})
    page = _upload(national, document)
    text = page.get_text()
    assert "Pratinjau" in text and "1 baris berubah" in text
    assert "layanan-tanpa-instansi" in text and "services[21]" in text
    with app.app_context():
        assert db.session.scalar(select(Service.name).where(Service.slug == slug)) != "Nama Baru Layanan"
    _upload(national, document, apply=True)
    with app.app_context():
        assert db.session.scalar(select(Service.name).where(Service.slug == slug)) == "Nama Baru Layanan"
        assert db.session.scalar(select(Service).where(Service.slug == "layanan-tanpa-instansi")) is None


def test_a_file_that_is_not_a_catalog_is_refused_with_a_message(national):
    data = {"berkas": (io.BytesIO(b"bukan json"), "x.json")}
    page = national.post_page(
        "/admin/integrasi/katalog", data=data, content_type="multipart/form-data", expected_status=422
    )
    assert page.select_one("#f-berkas-error")


def test_the_service_csv_has_one_row_per_service(national):
    text = national.get("/admin/integrasi/katalog/ekspor-layanan").get_data(as_text=True)
    assert text.splitlines()[0].startswith("slug,name,agency") and len(text.splitlines()) == 21


def test_the_demo_data_is_a_valid_catalog_document():
    jsonschema.validate(catalog_io.demo_document(), catalog_io.CATALOG_SCHEMA, cls=jsonschema.Draft202012Validator)


def test_an_mpp_admin_cannot_import(client, signed_in, make_user, demo_data):
    signed_in(client, make_user("Admin MPP", role=Role.MPP_ADMIN))
    assert client.get("/admin/integrasi/katalog").status_code == 404
