"""Back-office fixtures: the demo catalog with forms, staff in every position of the scope matrix, and submitted
applications at a chosen MPP (made through the real apply use cases)."""

from __future__ import annotations

import io
import secrets

import pytest
from sqlalchemy import select

from app.accounts.models import Role, User
from app.applications.models import Application
from app.backoffice.models import StaffAssignment, StaffRole
from app.catalog.models import Agency, Mpp, Service
from app.extensions import db

from ..applications.conftest import VALID, add_document

SERVICE = "ktp-el-hilang-rusak"  # Disdukcapil; offered at Kota Kendari and Kota Batam
HOME_MPP, OTHER_MPP = "kota-kendari", "kota-batam"


@pytest.fixture
def demo(demo_data):
    """The demo catalog and form definitions (root `demo_data`, restored from a session snapshot)."""


def _id(model, slug: str) -> int:
    return db.session.scalar(select(model.id).where(model.slug == slug))


@pytest.fixture
def make_staff(app, make_user, demo):
    """``make_staff(role, mpp="kota-kendari", agency="disdukcapil", name=...) -> User`` with its assignment."""

    def factory(role: Role, mpp: str | None = HOME_MPP, agency: str | None = "disdukcapil", name: str | None = None):
        user = make_user(name or f"{role.value} {agency or ''} {mpp or ''}", role=role)
        if role != Role.NATIONAL_ADMIN:
            with app.app_context():
                db.session.add(
                    StaffAssignment(
                        user_id=user.id,
                        role=StaffRole(role.value),
                        mpp_id=_id(Mpp, mpp),
                        agency_id=_id(Agency, agency) if role == Role.OFFICER else None,
                    )
                )
                db.session.commit()
        return user

    return factory


@pytest.fixture
def officer(make_staff):
    """Disdukcapil officer at Kota Kendari: the one whose work the applications are."""
    return make_staff(Role.OFFICER, name="Andi Petugas")


def submit_application(app, user: User, *, mpp: str = HOME_MPP, service: str = SERVICE) -> str:
    """A submitted application of ``user`` for ``service`` at ``mpp``; returns its tracking number."""
    from app.applications import drafts
    from app.applications.submit import submit_draft

    kk = add_document(app, user)
    with app.app_context():
        owner = db.session.get(User, user.id)
        draft = drafts.start_draft(owner, db.session.scalar(select(Service).where(Service.slug == service)))
        draft.answers = {**VALID, "dokumen.kk": str(kk)}
        draft.mpp_id = _id(Mpp, mpp)
        db.session.commit()
        result = submit_draft(owner, draft, idempotency_key=secrets.token_urlsafe(24))
        return result.application.tracking_number


@pytest.fixture
def application_number(app, citizen, demo) -> str:
    return submit_application(app, citizen)


def load(app, number: str) -> Application:
    with app.app_context():
        application = db.session.scalar(select(Application).where(Application.tracking_number == number))
        db.session.refresh(application)
        db.session.expunge(application)
        return application


def pdf_bytes(text: str = "Hasil layanan") -> bytes:
    """A small, real PDF (one page, no JavaScript)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Title": text})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
