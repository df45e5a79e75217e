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


# --- channels and forms in the document; the service list as CSV, both ways ----------------------------------------


def _export(national) -> dict:
    return json.loads(national.get("/admin/integrasi/katalog/ekspor").get_data())


def _service_of(document: dict, slug: str) -> dict:
    return next(s for s in document["services"] if s["slug"] == slug)


def test_the_export_carries_channels_and_forms_and_the_demo_channels_came_through_the_importer(app, national):
    document = _export(national)
    assert _service_of(document, "paspor-biasa")["channels"] == [
        {"kind": "nasional", "name": "M-Paspor", "url": "https://www.imigrasi.go.id/"},
        {"kind": "loket"},
    ]
    with_form = [s for s in document["services"] if "form" in s]
    assert with_form, "the demo forms are exported"
    form = with_form[0]["form"]
    assert form["schema"]["$schema"].startswith("https://json-schema.org/draft/2020-12") and form["steps"]


def test_a_changed_channel_is_previewed_then_saved_and_shown_on_the_service_page(app, national):
    document = _export(national)
    service = _service_of(document, "ktp-el-hilang-rusak")
    service["channels"] = [{"kind": "loket"}]  # counter only from now on
    page = _upload(national, document)
    changes = [li.get_text(" ", strip=True) for li in page.select("li")]
    assert any("services/ktp-el-hilang-rusak" in text and "channels" in text for text in changes)
    assert national.get_page("/layanan/ktp-el-hilang-rusak").find("a", href="/layanan/ktp-el-hilang-rusak/ajukan")
    _upload(national, document, apply=True)
    assert (
        national.get_page("/layanan/ktp-el-hilang-rusak").find("a", href="/layanan/ktp-el-hilang-rusak/ajukan") is None
    )


def test_bad_channels_and_forms_are_rejected_row_by_row_in_indonesian(app, national):
    document = _export(national)
    first, second = document["services"][0], document["services"][1]
    first["channels"] = [{"kind": "nasional", "name": "Contoh", "url": "http://contoh.go.id/"}]
    second["form"] = {
        "title": {"id": "x"},
        "schema": {"type": "object"},
        "steps": [{"key": "a", "fields": []}],
        "fields": {},
    }
    document["services"].append({"slug": "layanan-baru", "name": "Layanan Baru"})
    page = _upload(national, document)
    rejected = {li.code.get_text(): li.get_text(" ", strip=True) for li in page.select("li") if li.code}
    assert "tidak sesuai salah satu bentuk" in rejected[f"services[0] ({first['slug']})"]
    assert "formulir tidak valid" in rejected[f"services[1] ({second['slug']})"]
    assert (
        "kolom wajib" in rejected["services[20] (layanan-baru)"]
        and "tidak ada" in rejected["services[20] (layanan-baru)"]
    )


def test_a_new_form_version_is_made_only_when_the_form_changes(app, national):
    from app.applications.models import FormDefinition

    document = _export(national)
    service = next(s for s in document["services"] if "form" in s)
    with app.app_context():
        versions = db.session.scalars(
            select(FormDefinition.version).join(Service).where(Service.slug == service["slug"])
        ).all()
    _upload(national, document, apply=True)  # the same form: no new version
    service["form"]["title"] = {"id": "Formulir baru", "en": "New form"}
    _upload(national, document, apply=True)
    with app.app_context():
        after = db.session.scalars(
            select(FormDefinition.version).join(Service).where(Service.slug == service["slug"])
        ).all()
    assert len(after) == len(versions) + 1


def _upload_csv(client, text: str, *, apply: bool = False, expected: int = 200):
    data = {"berkas": (io.BytesIO(text.encode()), "layanan.csv")}
    if apply:
        data["terapkan"] = "1"
    return client.post_page(
        "/admin/integrasi/katalog", data=data, content_type="multipart/form-data", expected_status=expected
    )


def test_a_service_csv_is_previewed_with_rejected_lines_in_indonesian_then_applied(app, national):
    import csv

    text = national.get("/admin/integrasi/katalog/ekspor-layanan").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text)))
    header, rows = rows[0], rows[1:]
    rows[0][header.index("name")] = "Nama dari Spreadsheet"
    rows[1][header.index("online_application")] = "mungkin"
    rows[2][header.index("fees")] = "Biaya baru: 5000"
    rows.append(["layanan-tidak-ada", "X", "disdukcapil", "1 hari", "Surat", "ya", "kota-kendari", ""])
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])
    page = _upload_csv(national, out.getvalue())
    rejected = {li.code.get_text(): li.get_text(" ", strip=True) for li in page.select("li") if li.code}
    assert "harus ya atau tidak" in rejected[f"baris 3 ({rows[1][0]})"]
    assert "perlu dasar hukum" in rejected[f"baris 4 ({rows[2][0]})"]
    assert "belum ada di katalog" in rejected[f"baris {len(rows) + 1} (layanan-tidak-ada)"]
    assert any(code.startswith(f"services/{rows[0][0]}") for code in rejected)  # the change, listed
    with app.app_context():
        assert db.session.scalar(select(Service.name).where(Service.slug == rows[0][0])) != "Nama dari Spreadsheet"
    _upload_csv(national, out.getvalue(), apply=True)
    with app.app_context():
        assert db.session.scalar(select(Service.name).where(Service.slug == rows[0][0])) == "Nama dari Spreadsheet"


def test_the_exported_csv_imports_without_a_change(national):
    text = national.get("/admin/integrasi/katalog/ekspor-layanan").get_data(as_text=True)
    page = _upload_csv(national, text)
    assert "Tidak ada baris yang ditolak" in page.get_text() and "0 baris baru, 0 baris berubah" in page.get_text()


@pytest.mark.parametrize("text", ["nama,harga\nx,1\n", "", "\x00slug\n"])
def test_a_csv_that_is_not_the_service_list_is_refused_next_to_the_field(national, text):
    page = _upload_csv(national, text, expected=422)
    assert page.select_one("#f-berkas-error")
