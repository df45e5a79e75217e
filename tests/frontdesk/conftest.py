"""Front-desk fixtures: the demo catalog, a front-desk officer at Kota Kendari (and one at Kota Batam), the officer's
own test client, and the accounts capability's mailbox, software authenticator and sign-up flows."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.backoffice.models import StaffAssignment, StaffRole
from app.catalog.models import Mpp
from app.extensions import db

from ..accounts.conftest import authenticator, flows, mailbox, smtp_server  # noqa: F401 (fixtures)
from ..applications.conftest import VALID, png_bytes
from ..helpers import PageClient

HOME_MPP, OTHER_MPP = "kota-kendari", "kota-batam"
SERVICE = "ktp-el-hilang-rusak"  # Disdukcapil, online, offered at Kota Kendari; one required document (KK)


@pytest.fixture
def demo(demo_data):
    """The demo catalog and forms."""


@pytest.fixture
def make_desk(app, make_user, demo):
    """``make_desk(mpp="kota-kendari", name=...) -> User``: a front-desk officer with their assignment."""

    def factory(mpp: str = HOME_MPP, name: str = "Rina Loket"):
        user = make_user(name, role=Role.FRONT_DESK)
        with app.app_context():
            mpp_id = db.session.scalar(select(Mpp.id).where(Mpp.slug == mpp))
            db.session.add(StaffAssignment(user_id=user.id, role=StaffRole.FRONT_DESK, mpp_id=mpp_id))
            db.session.commit()
        return user

    return factory


@pytest.fixture
def desk_user(make_desk):
    return make_desk()


@pytest.fixture
def desk(app, desk_user, signed_in):
    """The front-desk officer's tablet: a test client of its own, signed in."""
    client = PageClient(app.test_client())
    signed_in(client, desk_user)
    return client


def begin(desk_client) -> str:
    """Start an assistance at Kota Kendari; returns its page path."""
    response = desk_client.post("/petugas/layanan-informasi/mulai", data={"mpp": HOME_MPP})
    assert response.status_code == 303, response.status_code
    return response.headers["Location"]


def fill_form(desk_client, page: str) -> None:
    """Choose the service and walk every screen with valid answers and the KK uploaded."""
    response = desk_client.post(f"{page}/layanan", data={"layanan": SERVICE})
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    step = response.headers["Location"]
    for _ in range(10):
        data = dict(VALID)
        if step.endswith("/dokumen"):
            data["unggah.kk"] = (io.BytesIO(png_bytes()), "kk.png")
            response = desk_client.post(step, data=data, content_type="multipart/form-data")
        else:
            response = desk_client.post(step, data=data)
        assert response.status_code == 303, (step, response.get_data(as_text=True)[:2000])
        step = response.headers["Location"]
        if "/langkah/" not in step:
            return
    raise AssertionError("the form did not end")


def public_id(page: str) -> str:
    return re.search(r"([0-9a-f-]{36})", page).group(1)
