"""API fixtures: the demo catalog, agency-system tokens made through the real use case, submitted applications."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app.api import tokens
from app.api.models import Permission
from app.catalog.models import Agency, Mpp
from app.database import utcnow
from app.extensions import db

from ..backoffice.conftest import HOME_MPP, OTHER_MPP, SERVICE, submit_application  # noqa: F401

ALL = list(Permission)


@pytest.fixture
def demo(demo_data):
    """The demo catalog and form definitions."""


@pytest.fixture
def make_token(app, demo):
    """``make_token(agency="disdukcapil", mpps=("kota-kendari",), permissions=ALL, expires_in=days) -> raw token``."""

    def factory(
        agency: str = "disdukcapil",
        mpps: tuple[str, ...] = (HOME_MPP,),
        permissions=ALL,
        expires_in: dt.timedelta = dt.timedelta(days=30),
        name: str = "SIAK Disdukcapil",
    ) -> str:
        with app.app_context():
            _token, raw = tokens.create_token(
                name=name,
                agency=db.session.scalar(select(Agency).where(Agency.slug == agency)),
                mpps=list(db.session.scalars(select(Mpp).where(Mpp.slug.in_(mpps)))),
                permissions=list(permissions),
                expires_at=utcnow() + expires_in,
                created_by=None,
            )
        return raw

    return factory


@pytest.fixture
def token(make_token) -> str:
    return make_token()


def bearer(raw: str) -> dict:
    return {"Authorization": f"Bearer {raw}"}
