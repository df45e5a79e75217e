"""The catalog's change history (/admin/riwayat) is cut into pages; a page costs the same number of SQL statements
whatever the number of changes behind it, and an MPP admin pages through their own MPPs' changes only."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.admin import catalog_edit
from app.admin.models import CatalogChange, ChangeKind
from app.catalog.models import Mpp
from app.extensions import db

from ..statements import assert_same_statements, statements_of

_serial = itertools.count(1)


def add_changes(app, count: int) -> None:
    """``count`` service edits spread over every MPP, newest last."""
    with app.app_context():
        mpps = db.session.scalars(select(Mpp).order_by(Mpp.id)).all()
        for i in range(count):
            n = next(_serial)
            db.session.add(
                CatalogChange(
                    actor_name="Admin Katalog",
                    actor_role="mpp_admin",
                    mpp_id=mpps[i % len(mpps)].id,
                    entity="service",
                    entity_id=n,
                    label=f"Perubahan katalog {n:05d}",
                    kind=ChangeKind.UPDATE,
                    before={"fee": n},
                    after={"fee": n + 1},
                )
            )
        db.session.commit()


@pytest.mark.parametrize("role", [Role.MPP_ADMIN, Role.NATIONAL_ADMIN])
def test_the_change_history_takes_the_same_statements_for_any_number_of_changes(
    app, client, make_staff, signed_in, demo, role
):
    mpp = "kota-kendari" if role == Role.MPP_ADMIN else None
    signed_in(client, make_staff(role, mpp=mpp, agency=None, name="Admin Katalog"))
    add_changes(app, 30)
    few = statements_of(app, client, "/admin/riwayat")
    assert "Perubahan katalog" in few.html
    add_changes(app, 5 * catalog_edit.HISTORY_PAGE_SIZE * (1 if role == Role.NATIONAL_ADMIN else 4))
    many = statements_of(app, client, "/admin/riwayat")
    assert_same_statements(few, many, "/admin/riwayat")
    assert many.html.count("Perubahan katalog") == catalog_edit.HISTORY_PAGE_SIZE
    assert 'rel="next"' in many.html and 'rel="prev"' not in many.html


def test_an_mpp_admin_pages_through_their_own_mpps_changes_newest_first(app, client, make_staff, signed_in, demo):
    signed_in(client, make_staff(Role.MPP_ADMIN, agency=None, name="Admin Katalog"))
    with app.app_context():
        mpp_count = len(db.session.scalars(select(Mpp.id)).all())
    add_changes(app, mpp_count * (catalog_edit.HISTORY_PAGE_SIZE + 3))
    with app.app_context():
        home = db.session.scalar(select(Mpp).where(Mpp.slug == "kota-kendari"))
        own = db.session.scalars(
            select(CatalogChange.label).where(CatalogChange.mpp_id == home.id).order_by(CatalogChange.id.desc())
        ).all()
        home_name = home.name
    first = client.get_page("/admin/riwayat")
    labels = [s.get_text() for s in first.select("summary strong")]
    assert labels == own[: catalog_edit.HISTORY_PAGE_SIZE]
    assert first.get_text().count(home_name) >= catalog_edit.HISTORY_PAGE_SIZE
    second = client.get_page(first.select_one('a[rel="next"]')["href"])
    assert [s.get_text() for s in second.select("summary strong")] == own[catalog_edit.HISTORY_PAGE_SIZE :]
    assert second.select_one('a[rel="next"]') is None
    assert second.select_one('a[rel="prev"]')["href"] == "/admin/riwayat"
    past = client.get_page("/admin/riwayat?halaman=40")
    assert "Halaman ini kosong" in past.get_text() and "Belum ada perubahan" not in past.get_text()


def add_mpps(app, count: int) -> None:
    """``count`` more MPPs, each with two agencies and three services, in the demo's regions."""
    from app.catalog.models import Agency, Region, Service, ServiceOffering, Tenancy

    with app.app_context():
        regions = db.session.scalars(select(Region).order_by(Region.id)).all()
        agencies = db.session.scalars(select(Agency).order_by(Agency.id)).all()
        services = db.session.scalars(select(Service).order_by(Service.id)).all()
        for i in range(count):
            n = next(_serial)
            mpp = Mpp(
                slug=f"mpp-uji-{n}",
                name=f"MPP Uji {n:05d}",
                region_id=regions[i % len(regions)].id,
                address="Jl. Uji",
                timezone="Asia/Makassar",
            )
            db.session.add(mpp)
            db.session.flush()
            for k in range(2):
                db.session.add(Tenancy(mpp_id=mpp.id, agency_id=agencies[(i + k) % len(agencies)].id))
            for k in range(3):
                db.session.add(ServiceOffering(mpp_id=mpp.id, service_id=services[(i + k) % len(services)].id))
        db.session.commit()


def test_the_admins_list_of_mpps_takes_the_same_statements_for_a_few_or_pages_of_mpps(
    app, client, make_staff, signed_in, demo
):
    signed_in(client, make_staff(Role.NATIONAL_ADMIN, mpp=None, agency=None, name="Admin Nasional"))
    few = statements_of(app, client, "/admin")
    add_mpps(app, 2 * catalog_edit.MPP_PAGE_SIZE)
    many = statements_of(app, client, "/admin")
    assert_same_statements(few, many, "/admin")
    page = client.get_page("/admin")
    assert len(page.select(".admin-list .card")) == catalog_edit.MPP_PAGE_SIZE
    assert page.select_one('a[rel="next"]')["href"] == "/admin?halaman=2"
    last = client.get_page("/admin?halaman=3")
    with app.app_context():
        total = len(db.session.scalars(select(Mpp.id)).all())
    assert len(last.select(".admin-list .card")) == total - 2 * catalog_edit.MPP_PAGE_SIZE
    assert last.select_one('a[rel="next"]') is None
    text = " ".join(page.get_text(" ").split())
    assert "MPP Uji" in text and "2 instansi · 3 layanan" in text


def test_an_mpps_page_takes_the_same_statements_for_one_or_many_counters(app, client, make_staff, signed_in, demo):
    """Each counter row says whether it keeps its own hours: read with the list, not one statement per counter."""
    import datetime as dt

    from app.catalog.models import Agency, Region, Tenancy, TenancyHours

    signed_in(client, make_staff(Role.NATIONAL_ADMIN, mpp=None, agency=None, name="Admin Nasional"))
    with app.app_context():
        region_id = db.session.scalar(select(Region.id).order_by(Region.id).limit(1))
        mpp = Mpp(
            slug="mpp-loket-uji", name="MPP Loket Uji", region_id=region_id, address="Jl. Uji", timezone="Asia/Jakarta"
        )
        db.session.add(mpp)
        db.session.commit()
        mpp_id = mpp.id
    url = "/admin/mpp/mpp-loket-uji"

    def add_counters(count: int, start: int) -> None:
        with app.app_context():
            agencies = db.session.scalars(select(Agency).order_by(Agency.id)).all()
            for i in range(start, start + count):
                tenancy = Tenancy(mpp_id=mpp_id, agency_id=agencies[i].id, counter=f"Loket {i + 1}")
                tenancy.hours.append(TenancyHours(weekday=0, opens=dt.time(8), closes=dt.time(12)))
                db.session.add(tenancy)
            db.session.commit()

    add_counters(1, 0)
    few = statements_of(app, client, url)
    add_counters(12, 1)
    many = statements_of(app, client, url)
    assert_same_statements(few, many, url)
    assert many.html.count("Jam sendiri") == 13
