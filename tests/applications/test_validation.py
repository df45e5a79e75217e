"""Validation against the seeded definitions: Indonesian messages on the right field, typed data for agencies."""

from __future__ import annotations

import pytest

from app.applications.demo_forms import DEMO_FORM_SLUGS, _forms
from app.applications.formdefs import DefinitionError, Form, build_definition, field, step
from app.applications.validation import validate

from .conftest import VALID

FORM = Form(_forms()["ktp-el-hilang-rusak"])


@pytest.fixture
def indonesian(app):
    with app.test_request_context():
        yield


def test_every_demo_service_has_a_valid_definition():
    assert len(DEMO_FORM_SLUGS) == 20
    for definition in _forms().values():
        assert Form(definition).steps and definition["schema"]["$schema"].endswith("2020-12/schema")


def test_valid_answers_become_typed_data(indonesian):
    data, errors = validate(FORM, VALID)
    assert errors == {}
    assert data["alamat"]["rt"] == "003" and data["alasan"] == "hilang" and "keterangan" not in data


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("nik", "12345", "16 angka"),
        ("nik", "0014014101900001", "kode provinsi"),
        ("nama", "", "wajib diisi"),
        ("tanggal_lahir", "2999-01-01", "tidak boleh"),
        ("tanggal_lahir", "31-02-1990", "tanggal yang benar"),
        ("no_hp", "12345", "081234567890"),
        ("alamat.rt", "abc", "3 angka"),
        ("alamat.postal_code", "123", "5 angka"),
        ("jenis_kelamin", "X", "Pilih salah satu"),
    ],
)
def test_bad_answers_get_an_indonesian_message_on_their_own_field(indonesian, name, value, message):
    _data, errors = validate(FORM, {**VALID, name: value})
    assert list(errors) == [name]
    assert message.lower() in errors[name].lower()


def test_an_empty_address_is_reported_part_by_part(indonesian):
    answers = {k: v for k, v in VALID.items() if not k.startswith("alamat.")}
    _data, errors = validate(FORM, answers)
    assert {"alamat.street", "alamat.rt", "alamat.village", "alamat.province"} <= set(errors)
    assert "alamat.postal_code" not in errors


def test_a_conditional_question_is_required_only_when_shown(indonesian):
    _data, errors = validate(FORM, {**VALID, "nomor_laporan": ""})
    assert list(errors) == ["nomor_laporan"]
    data, errors = validate(FORM, {**VALID, "alasan": "rusak", "nomor_laporan": "kept but hidden"})
    assert errors == {} and "nomor_laporan" not in data


def test_errors_follow_the_order_of_the_form(indonesian):
    _data, errors = validate(FORM, {"nik": "1"})
    names = list(errors)
    assert names.index("nik") < names.index("nama") < names.index("alamat.street") < names.index("alasan")


def test_a_definition_cannot_show_a_question_depending_on_the_same_screen():
    with pytest.raises(DefinitionError):
        build_definition(
            ("x", "x"),
            [
                step(
                    "satu",
                    ("Satu", "One"),
                    field("a", "yes_no", ("A", "A")),
                    field("b", "text", ("B", "B"), show_when=("a", "ya")),
                )
            ],
        )
