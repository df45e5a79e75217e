"""The front desk's lists — an officer's assistances in progress, a citizen's applications waiting for their
confirmation — cost the same number of SQL statements whatever their length (each row names its service)."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from app.catalog.models import Mpp, Service
from app.extensions import db
from app.frontdesk.models import AssistedApplication, AssistStatus

from ..statements import assert_same_statements, statements_of
from .conftest import HOME_MPP


def add_assistances(app, *, officer, citizen, count: int, status: AssistStatus) -> None:
    """``count`` assistances at Kota Kendari by ``officer`` for ``citizen``, each for another service."""
    with app.app_context():
        mpp_id = db.session.scalar(select(Mpp.id).where(Mpp.slug == HOME_MPP))
        services = db.session.scalars(select(Service).order_by(Service.id)).all()
        existing = db.session.query(AssistedApplication).count()
        for i in range(count):
            db.session.add(
                AssistedApplication(
                    public_id=str(uuid.uuid4()),
                    mpp_id=mpp_id,
                    assistant_id=officer.id,
                    assistant_name=officer.display_name,
                    citizen_id=citizen.id,
                    service_id=services[(existing + i) % len(services)].id,
                    status=status,
                )
            )
        db.session.commit()


def test_the_desk_home_takes_the_same_statements_for_one_or_many_assistances_in_progress(app, desk, desk_user, citizen):
    add_assistances(app, officer=desk_user, citizen=citizen, count=1, status=AssistStatus.FILLING)
    few = statements_of(app, desk, "/petugas/layanan-informasi")
    add_assistances(app, officer=desk_user, citizen=citizen, count=12, status=AssistStatus.FILLING)
    many = statements_of(app, desk, "/petugas/layanan-informasi")
    assert_same_statements(few, many, "/petugas/layanan-informasi")
    assert many.html.count("/petugas/layanan-informasi/") - few.html.count("/petugas/layanan-informasi/") == 12


def test_the_citizens_waiting_list_takes_the_same_statements_for_one_or_many(
    app, client, citizen, signed_in, desk_user
):
    signed_in(client, citizen)
    add_assistances(app, officer=desk_user, citizen=citizen, count=1, status=AssistStatus.AWAITING_CITIZEN)
    few = statements_of(app, client, "/akun/bantuan")
    add_assistances(app, officer=desk_user, citizen=citizen, count=10, status=AssistStatus.AWAITING_CITIZEN)
    many = statements_of(app, client, "/akun/bantuan")
    assert_same_statements(few, many, "/akun/bantuan")
    assert many.html.count("/akun/bantuan/") >= 11
