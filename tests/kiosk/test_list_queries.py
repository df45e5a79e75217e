"""The kiosk's list of an MPP's services costs the same number of SQL statements whatever the number of services
and agencies (each row names its agency)."""

from __future__ import annotations

from sqlalchemy import select

from app.catalog.models import Mpp, Service, ServiceOffering
from app.extensions import db

from ..statements import assert_same_statements, statements_of


def test_the_kiosk_service_list_takes_the_same_statements_for_a_few_or_every_service(app, client, demo_data):
    with app.app_context():
        mpp = db.session.scalar(select(Mpp).where(Mpp.slug == "kota-kendari"))
        slug, mpp_id = mpp.slug, mpp.id
        offered = set(db.session.scalars(select(ServiceOffering.service_id).where(ServiceOffering.mpp_id == mpp_id)))
        keep = sorted(offered)[:2]
        for offering in db.session.scalars(select(ServiceOffering).where(ServiceOffering.mpp_id == mpp_id)):
            if offering.service_id not in keep:
                db.session.delete(offering)
        db.session.commit()
    url = f"/kios/{slug}/layanan"
    few = statements_of(app, client, url)
    with app.app_context():
        for service_id in db.session.scalars(select(Service.id).where(Service.id.not_in(keep))):
            db.session.add(ServiceOffering(mpp_id=mpp_id, service_id=service_id))
        db.session.commit()
        total = len(db.session.scalars(select(Service.id)).all())
    many = statements_of(app, client, url)
    assert_same_statements(few, many, url)
    assert many.html.count(f"/kios/{slug}/layanan/") == total
