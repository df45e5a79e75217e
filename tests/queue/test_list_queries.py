"""Queue lists cost the same number of SQL statements whatever their length: a citizen's bookings (earlier ones a
page at a time) and the counter's waiting and called lists (each row names its service and application)."""

from __future__ import annotations

import datetime as dt
import itertools

from freezegun import freeze_time
from sqlalchemy import select

from app.applications.models import Application
from app.catalog.models import Service, Tenancy
from app.extensions import db
from app.queue import booking
from app.queue.models import Booking, BookingStatus

from ..applications.test_list_queries import _add_applications
from ..statements import assert_same_statements, statements_of
from .conftest import sim_place
from .test_counter import VISIT_DAY, sim_officer  # noqa: F401 (fixture)

_serial = itertools.count(1)


def add_bookings(app, user, count: int, *, status: BookingStatus, day: dt.date, tenancy=None, applications=()):
    """``count`` bookings of ``user`` on ``day``, over every counter (or at ``tenancy``) and its agency's services."""
    with app.app_context():
        tenancies = [db.session.get(Tenancy, tenancy.id)] if tenancy else db.session.scalars(select(Tenancy)).all()
        offered = {
            t.id: db.session.scalars(select(Service).where(Service.agency_id == t.agency_id)).all() for t in tenancies
        }
        tenancies = [t for t in tenancies if offered[t.id]]
        for i in range(count):
            n = next(_serial)
            place = tenancies[i % len(tenancies)]
            services = offered[place.id]
            start = dt.datetime.combine(day, dt.time(1), tzinfo=dt.UTC) + dt.timedelta(minutes=n)
            db.session.add(
                Booking(
                    code=f"T{n:07d}",
                    user_id=user.id if user else None,
                    mpp_id=place.mpp_id,
                    tenancy_id=place.id,
                    service_id=services[n % len(services)].id,
                    status=status,
                    slot_start=start,
                    slot_end=start + dt.timedelta(minutes=30),
                    local_day=day,
                    queue_number=f"A{n:03d}" if status in (BookingStatus.CHECKED_IN, BookingStatus.CALLED) else None,
                    application_id=applications[i % len(applications)] if applications else None,
                    last_called_at=VISIT_DAY if status == BookingStatus.CALLED else None,
                )
            )
        db.session.commit()


def test_my_bookings_take_the_same_statements_for_a_few_or_pages_of_earlier_visits(
    app, client, citizen, signed_in, demo_data
):
    signed_in(client, citizen)
    today = dt.date.today()
    add_bookings(app, citizen, 1, status=BookingStatus.CONFIRMED, day=today + dt.timedelta(days=2))
    add_bookings(app, citizen, 2, status=BookingStatus.SERVED, day=today - dt.timedelta(days=3))
    few = statements_of(app, client, "/antrean")
    assert 'rel="next"' not in few.html
    add_bookings(app, citizen, 3, status=BookingStatus.CONFIRMED, day=today + dt.timedelta(days=3))
    add_bookings(
        app, citizen, 3 * booking.PAST_PAGE_SIZE, status=BookingStatus.SERVED, day=today - dt.timedelta(days=9)
    )
    add_bookings(app, citizen, 5, status=BookingStatus.EXPIRED, day=today)  # holds that lapsed: never listed
    many = statements_of(app, client, "/antrean")
    assert_same_statements(few, many, "/antrean")
    first = client.get_page("/antrean")
    links = [a["href"] for a in first.select("a") if "/antrean/T" in a.get("href", "")]
    assert len(links) == 4 + booking.PAST_PAGE_SIZE  # every visit to come, one page of earlier ones
    assert first.select_one('a[rel="next"]')["href"] == "/antrean?halaman=2#sebelumnya"
    last = client.get_page("/antrean?halaman=4")
    shown = [a["href"] for a in last.select("a") if "/antrean/T" in a.get("href", "")]
    assert len(shown) == 4 + 2  # the oldest two, under the visits to come
    assert last.select_one('a[rel="next"]') is None
    assert last.select_one('a[rel="prev"]')["href"] == "/antrean?halaman=3#sebelumnya"


def test_the_counter_takes_the_same_statements_for_a_few_or_many_people_in_the_queue(
    app,
    client,
    citizen,
    signed_in,
    sim_officer,  # noqa: F811
):
    _add_applications(app, citizen, 12)
    with app.app_context():
        tenancy = sim_place().tenancy
        applications = db.session.scalars(select(Application.id).order_by(Application.id)).all()
    with freeze_time(VISIT_DAY):
        signed_in(client, sim_officer)
        day = dt.date(2026, 12, 8)
        add_bookings(app, None, 1, status=BookingStatus.CHECKED_IN, day=day, tenancy=tenancy)
        add_bookings(app, None, 1, status=BookingStatus.CALLED, day=day, tenancy=tenancy, applications=applications)
        few = statements_of(app, client, "/petugas/loket")
        add_bookings(app, None, 10, status=BookingStatus.CHECKED_IN, day=day, tenancy=tenancy)
        add_bookings(app, None, 8, status=BookingStatus.CALLED, day=day, tenancy=tenancy, applications=applications[1:])
        many = statements_of(app, client, "/petugas/loket")
    assert_same_statements(few, many, "/petugas/loket")
    assert many.html.count("Permohonan 7401-26-Q") == 9


SETTINGS = dict(
    enabled=True,
    slot_minutes=30,
    capacity=4,
    priority_capacity=1,
    daily_quota=40,
    priority_daily_quota=8,
    window_days=7,
    release_hour=6,
    reschedule_cutoff_hours=24,
    no_show_minutes=15,
)


def test_the_queue_settings_page_takes_the_same_statements_for_a_counter_with_one_or_many_services(
    app, client, signed_in, make_user, demo_data
):
    """Each service of the counter has its settings form: read in one statement, not one (or two) per service."""
    from app.accounts.models import Role
    from app.catalog.models import ServiceOffering
    from app.queue.models import QueueSettings

    admin = make_user("Admin Antrean", role=Role.NATIONAL_ADMIN)
    signed_in(client, admin)
    with app.app_context():
        offered = db.session.execute(
            select(Tenancy.id, Tenancy.mpp_id, Service.id)
            .join(ServiceOffering, ServiceOffering.mpp_id == Tenancy.mpp_id)
            .join(Service, (Service.id == ServiceOffering.service_id) & (Service.agency_id == Tenancy.agency_id))
        ).all()
        per_counter: dict[tuple[int, int], list[int]] = {}
        for tenancy_id, mpp_id, service_id in offered:
            per_counter.setdefault((mpp_id, tenancy_id), []).append(service_id)
        fewest = min(per_counter, key=lambda key: len(per_counter[key]))
        most = max(per_counter, key=lambda key: len(per_counter[key]))
        assert len(per_counter[most]) - len(per_counter[fewest]) >= 3, per_counter
        for service_id in per_counter[most][::2]:  # some services have their own settings, the rest the defaults
            db.session.add(QueueSettings(tenancy_id=most[1], service_id=service_id, **SETTINGS))
        db.session.commit()
    few = statements_of(app, client, f"/admin/antrean?mpp={fewest[0]}&loket={fewest[1]}")
    many = statements_of(app, client, f"/admin/antrean?mpp={most[0]}&loket={most[1]}")
    assert_same_statements(few, many, "/admin/antrean")
    assert many.html.count('name="slot_minutes"') == len(per_counter[most])
