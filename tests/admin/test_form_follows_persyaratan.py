"""An admin who adds a document to a service's persyaratan gives its online form an upload slot for it at once."""

from __future__ import annotations

from sqlalchemy import select

from app.accounts.models import Role
from app.applications import drafts
from app.applications.formdefs import Form
from app.catalog.models import Service
from app.extensions import db

HOME = "kota-kendari"


def _form_fields(soup) -> dict:
    form = {f["name"]: f.get("value", "") for f in soup.select("form.admin-form input")
            if f.get("type") != "checkbox" and f.get("name")}  # fmt: skip
    form |= {f["name"]: "1" for f in soup.select("form.admin-form input[type=checkbox]") if f.has_attr("checked")}
    form |= {f["name"]: f.get_text() for f in soup.select("form.admin-form textarea")}
    form |= {s["name"]: (s.find("option", selected=True) or {"value": ""}).get("value", "")
             for s in soup.select("form.admin-form select")}  # fmt: skip
    return form


def test_a_document_added_to_the_persyaratan_becomes_an_upload_slot_of_the_form(app, client, signed_in, make_staff):
    signed_in(client, make_staff(Role.MPP_ADMIN, mpp=HOME, agency=None, name="Admin Kendari"))
    with app.app_context():
        service = db.session.scalar(select(Service).where(Service.slug == "kartu-pencari-kerja"))
        before = drafts.latest_form(service)
        row = len(service.requirements)
    url = f"/admin/mpp/{HOME}/layanan/kartu-pencari-kerja"
    form = _form_fields(client.get_page(url)) | {
        f"syarat-{row}-jenis": "dokumen",
        f"syarat-{row}-dokumen": "lainnya",
        f"syarat-{row}-uraian": "Sertifikat pelatihan kerja",
        f"syarat-{row}-wajib": "1",
    }
    assert client.post(url, data=form).status_code == 303
    with app.app_context():
        service = db.session.scalar(select(Service).where(Service.slug == "kartu-pencari-kerja"))
        latest = drafts.latest_form(service)
        assert latest.version == before.version + 1
        slot = Form(latest.definition).documents[-1]
        assert (slot["label"]["id"], slot["document_type"], slot["required"]) == (
            "Sertifikat pelatihan kerja",
            "lainnya",
            True,
        )
