"""The form asks for exactly what the Standar Pelayanan requires: upload slots derived from the persyaratan."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.applications import drafts
from app.applications.demo_forms import DEMO_FORM_SLUGS, _forms
from app.applications.document_slots import document_slots, follow_catalog
from app.applications.formdefs import Form
from app.applications.validation import validate
from app.catalog.labels import requirement_tag
from app.catalog.models import DocumentType, Requirement, RequirementKind, Service
from app.extensions import db


def test_every_form_asks_for_exactly_the_document_persyaratan_of_its_service(app, demo_forms):
    with app.app_context():
        services = db.session.scalars(select(Service).order_by(Service.slug)).all()
        assert len(services) == 20 and {s.slug for s in services} == set(DEMO_FORM_SLUGS)
        for service in services:
            slots = Form(drafts.latest_form(service).definition).documents
            wanted = [r for r in service.requirements if r.kind == RequirementKind.DOCUMENT]
            # One slot per document requirement, in the catalog's order, with the catalog's words and rule…
            assert [(s["document_type"], s["label"]["id"], s["required"]) for s in slots] == [
                (r.document_type.value, r.description, r.required) for r in wanted
            ], service.slug
            # …and nothing else: a condition or a visit to the counter is never an upload slot.
            labels = {s["label"]["id"] for s in slots}
            assert not labels & {r.description for r in service.requirements if r.kind != RequirementKind.DOCUMENT}
            assert len({s["key"] for s in slots}) == len(slots), service.slug


def test_the_birth_certificate_form_asks_for_the_parents_ktp(app, demo_forms):
    with app.app_context():
        service = db.session.scalar(select(Service).where(Service.slug == "akta-kelahiran"))
        slots = {s["label"]["id"]: s for s in Form(drafts.latest_form(service).definition).documents}
    assert slots["KTP-el orang tua atau pelapor"]["required"] and slots["KTP-el orang tua atau pelapor"]["key"] == "ktp"
    assert set(slots) >= {"Kartu Keluarga tempat anak didaftarkan", "Buku nikah atau kutipan akta perkawinan orang tua"}


def test_several_other_documents_get_their_own_slot_and_a_note_becomes_help():
    requirements = [
        Requirement(position=0, kind=RequirementKind.DOCUMENT, document_type=DocumentType.LAINNYA, description="N1",
                    note="Dari kelurahan", required=True),
        Requirement(position=1, kind=RequirementKind.CONDITION, document_type=None, description="Berusia 19 tahun",
                    note=None, required=True),
        Requirement(position=2, kind=RequirementKind.DOCUMENT, document_type=DocumentType.LAINNYA, description="N2",
                    note=None, required=False),
        Requirement(position=3, kind=RequirementKind.IN_PERSON, document_type=None, description="Perekaman",
                    note=None, required=True),
    ]  # fmt: skip
    slots = document_slots(requirements)
    assert [(s["key"], s["required"]) for s in slots] == [("lainnya", True), ("lainnya_2", False)]
    assert slots[0]["help"] == {"id": "Dari kelurahan"} and "help" not in slots[1]


def test_a_changed_persyaratan_gives_the_form_a_new_version_with_the_new_slots(app, demo_forms):
    with app.app_context():
        service = db.session.scalar(select(Service).where(Service.slug == "kartu-pencari-kerja"))
        before = drafts.latest_form(service)
        assert follow_catalog(service) is None  # already in step with the catalog
        service.requirements.append(
            Requirement(
                position=9,
                kind=RequirementKind.DOCUMENT,
                document_type=DocumentType.LAINNYA,
                description="Sertifikat pelatihan kerja",
                required=False,
            )
        )
        db.session.flush()
        new = follow_catalog(service)
        db.session.commit()
        assert new.version == before.version + 1
        assert new.definition["steps"] == before.definition["steps"]  # the questions stay as they were
        assert [s["label"]["id"] for s in new.definition["documents"]][-1] == "Sertifikat pelatihan kerja"


def test_a_requirement_tag_never_repeats_what_the_line_says(app):
    def req(description, document_type, kind=RequirementKind.DOCUMENT):
        return Requirement(position=0, kind=kind, document_type=document_type, description=description)

    with app.test_request_context():
        assert requirement_tag(req("KTP-el", DocumentType.KTP)) == ""
        assert requirement_tag(req("Fotokopi Kartu Keluarga", DocumentType.KK)) == ""
        assert requirement_tag(req("Pas foto 4×6 berlatar merah", DocumentType.PAS_FOTO)) == ""
        assert (
            requirement_tag(req("Surat keterangan lahir dari rumah sakit", DocumentType.SURAT_KETERANGAN_LAHIR)) == ""
        )
        assert requirement_tag(req("NIK yang terdaftar di Dukcapil", DocumentType.KTP)) == "KTP-el"
        assert requirement_tag(req("Berusia 17 tahun", None, RequirementKind.CONDITION)) == "Syarat"
        assert requirement_tag(req("Dokumen pendukung perubahan", None)) == ""
        assert requirement_tag(req("Perekaman sidik jari di loket", None, RequirementKind.IN_PERSON)) == ""


@pytest.fixture
def indonesian(app):
    with app.test_request_context():
        yield


def test_a_label_inside_a_message_is_lower_case_and_birth_order_has_a_clear_message(indonesian):
    form = Form(_forms()["akta-kelahiran"])
    _data, errors = validate(form, {}, only=form.visible_fields("anak", {}))
    assert errors["jenis_kelamin_anak"] == "Pilih jenis kelamin anak."
    assert errors["anak_ke"] == "Tulis urutan kelahiran dengan angka, misalnya 1."
    assert form.label("anak_ke") == "Anak ke berapa?"
    _data, errors = validate(form, {"anak_ke": "satu"}, only=["anak_ke"])
    assert errors["anak_ke"] == "Tulis urutan kelahiran dengan angka, misalnya 1."
    # A label at the start of the sentence keeps its capital; an acronym stays as it is.
    _data, errors = validate(form, {"tanggal_lahir_anak": "2999-01-01"}, only=["tanggal_lahir_anak"])
    assert errors["tanggal_lahir_anak"].startswith("Tanggal lahir anak")
    _data, errors = validate(form, {}, only=["nik"])
    assert "NIK" in errors["nik"]
