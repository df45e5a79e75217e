"""Application fixtures: the demo catalog with its seeded forms, and helpers to walk a draft like a citizen."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.applications.models import Application, Draft
from app.catalog.models import Service
from app.extensions import db


@pytest.fixture
def demo_forms(demo_data):
    """The demo catalog (agreed slugs) and a form definition for every demo service (root `demo_data`)."""


@pytest.fixture
def applicant(client, citizen, signed_in, demo_forms):
    signed_in(client, citizen)
    return client


def service_id(app, slug: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Service.id).where(Service.slug == slug))


def set_service(app, slug: str, **values) -> None:
    with app.app_context():
        service = db.session.scalar(select(Service).where(Service.slug == slug))
        for name, value in values.items():
            setattr(service, name, value)
        db.session.commit()


def start(client, slug: str) -> str:
    """POST the start form; returns the first step's path."""
    response = client.post(f"/layanan/{slug}/ajukan")
    assert response.status_code == 303, response.status_code
    return response.headers["Location"]


def draft_id_of(path: str) -> str:
    return re.search(r"/permohonan/draf/([0-9a-f-]{36})/", path).group(1)


def draft_row(app, public_id: str) -> Draft:
    with app.app_context():
        draft = db.session.scalar(select(Draft).where(Draft.public_id == public_id))
        db.session.expunge(draft)
        return draft


def applications(app) -> list[Application]:
    with app.app_context():
        rows = list(db.session.scalars(select(Application).order_by(Application.id)))
        for row in rows:
            db.session.expunge(row)
        return rows


def check_key(soup) -> str:
    return soup.find("input", attrs={"name": "idempotency_key"})["value"]


# --- a complete application, made through the real use-case functions ---------------------------------------------

SERVICE = "ktp-el-hilang-rusak"  # online, with a condition (police report only when lost) and a required document

PERSON = {
    "nik": "7471014101900001",  # Sulawesi Tenggara, Kota Kendari; a woman born 1 January 1990
    "nama": "Siti Rahayu",
    "tempat_lahir": "Kendari",
    "tanggal_lahir": "1990-01-01",
    "jenis_kelamin": "P",
}
ADDRESS = {
    "alamat.street": "Jl. Ahmad Yani No. 12",
    "alamat.rt": "003",
    "alamat.rw": "004",
    "alamat.village": "Bende",
    "alamat.district": "Kadia",
    "alamat.city": "Kota Kendari",
    "alamat.province": "Sulawesi Tenggara",
    "alamat.postal_code": "93117",
    "no_hp": "081234567890",
}
EVENT = {"alasan": "hilang", "tanggal_kejadian": "2026-01-05"}
DETAILS = {"nomor_laporan": "SKTLK/123/I/2026/Polresta Kendari", "keterangan": ""}
VALID = {**PERSON, **ADDRESS, **EVENT, **DETAILS}


def png_bytes() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 200, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def add_document(app, user, document_type="kk") -> int:
    import io

    from app.accounts.models import User
    from app.catalog.models import DocumentType
    from app.personal.documents import store_upload

    with app.app_context():
        document = store_upload(db.session.get(User, user.id), io.BytesIO(png_bytes()), DocumentType(document_type))
        return document.id


def complete_draft(app, user) -> str:
    """A draft of SERVICE with every answer valid, its KK chosen and an MPP picked. Returns its public id."""
    from app.accounts.models import User
    from app.applications import drafts

    kk = add_document(app, user)
    with app.app_context():
        owner = db.session.get(User, user.id)
        service = db.session.scalar(select(Service).where(Service.slug == SERVICE))
        draft = drafts.start_draft(owner, service)
        draft.answers = {**VALID, "dokumen.kk": str(kk)}
        draft.mpp_id = draft.mpp_id or drafts.offered_at(service)[0].id
        db.session.commit()
        return draft.public_id


@pytest.fixture
def submitted(app, citizen, demo_forms) -> int:
    """The id of an application of ``citizen`` in status diajukan."""
    import secrets

    from app.accounts.models import User
    from app.applications import drafts
    from app.applications.submit import submit_draft

    public_id = complete_draft(app, citizen)
    with app.app_context():
        owner = db.session.get(User, citizen.id)
        result = submit_draft(owner, drafts.get_draft(owner, public_id), idempotency_key=secrets.token_urlsafe(24))
        return result.application.id
