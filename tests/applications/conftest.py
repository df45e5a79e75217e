"""Application fixtures: the demo catalog with its seeded forms, and helpers to walk a draft like a citizen."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.applications.models import Application, Draft
from app.catalog.models import Service
from app.extensions import db


@pytest.fixture
def demo_forms(app):
    """The demo catalog (agreed slugs) and a form definition for every demo service."""
    from app.applications.demo_forms import load_demo_form_definitions
    from app.catalog.demo_data import load_demo_data

    with app.app_context():
        load_demo_data()
        result = load_demo_form_definitions()
        db.session.remove()
    return result


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
