"""Webhooks beyond applications: a complaint forwarded to the agency (and its later moves) and queue bookings made,
cancelled and checked in at the agency's counters — recorded in the transaction of the change by the capability's
own signal, delivered signed, verified by the independent standardwebhooks package, with no personal data."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from standardwebhooks import Webhook

from app.accounts.models import Role, User
from app.api import webhooks
from app.api.models import DeliveryStatus, WebhookMessage
from app.backoffice.models import StaffAssignment, StaffRole
from app.catalog.models import Agency, Mpp
from app.extensions import db
from app.feedback.models import Complaint
from app.queue import booking, counter
from app.queue.models import BookingStatus

from ..backoffice.conftest import make_staff, officer  # noqa: F401
from ..feedback.test_complaints import file, staff_step
from ..queue.conftest import NIK, make_settings, make_users, sim_place
from .conftest import bearer
from .test_webhooks import Receiver

BOOKED_AT = dt.datetime(2026, 12, 6, 23, 0, tzinfo=dt.UTC)  # Monday 07.00 WITA
VISIT_DAY = dt.datetime(2026, 12, 8, 0, 50, tzinfo=dt.UTC)  # Tuesday 08.50 WITA, the visit's day


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.server.shutdown()


def _register(client, raw_token: str, url: str, events: list[str]) -> str:
    response = client.raw.post("/api/v1/webhooks", json={"url": url, "events": events}, headers=bearer(raw_token))
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()["secret"]


def _deliver_all(app) -> list[str]:
    with app.app_context():
        ids = db.session.scalars(
            select(WebhookMessage.id).where(WebhookMessage.status == DeliveryStatus.PENDING).order_by(WebhookMessage.id)
        ).all()
        return [webhooks.deliver(message_id).status for message_id in ids]


def _verified(receiver, secret: str) -> list[dict]:
    return [Webhook(secret).verify(body, headers) for headers, body in receiver.requests]


def test_a_complaint_is_announced_once_forwarded_and_on_every_later_move(
    app, client, citizen, signed_in, officer, make_staff, make_token, receiver
):
    secret = _register(client, make_token(), receiver.url, ["complaint.forwarded", "complaint.status_changed"])
    admin = make_staff(Role.MPP_ADMIN, agency=None, name="Admin Pengaduan")
    signed_in(client, citizen)
    file(client, judul="Petugas meminta uang", isi="Saya diminta membayar Rp50.000 oleh Budi Santoso.")
    with app.app_context():
        complaint = db.session.scalar(select(Complaint).order_by(Complaint.id.desc()))
        number, agency_id = complaint.number, complaint.agency_id
    signed_in(client, admin)
    staff_step(client, number, "verifikasi")
    assert _deliver_all(app) == []  # not forwarded yet: the agency hears nothing while the MPP verifies
    staff_step(client, number, "diteruskan", instansi=str(agency_id))
    signed_in(client, officer)
    staff_step(client, number, "ditindaklanjuti")
    staff_step(client, number, "ditanggapi", alasan="Petugas sudah ditegur; uang dikembalikan.")
    assert _deliver_all(app) == ["sent", "sent", "sent"]
    payloads = _verified(receiver, secret)
    assert [(p["type"], p["data"]["status"]) for p in payloads] == [
        ("complaint.forwarded", "diteruskan"),
        ("complaint.status_changed", "ditindaklanjuti"),
        ("complaint.status_changed", "ditanggapi"),
    ]
    assert payloads[0]["data"]["number"] == number and payloads[0]["data"]["mpp"] == "kota-kendari"
    raw = b"".join(body for _headers, body in receiver.requests).decode()
    for private in ("Budi", "Rp50.000", "meminta uang", citizen.display_name, citizen.email):
        assert private not in raw


def test_a_complaint_for_another_agency_is_not_announced(
    app, client, citizen, signed_in, make_staff, make_token, receiver
):
    _register(client, make_token(agency="polres"), receiver.url, ["complaint.forwarded"])
    admin = make_staff(Role.MPP_ADMIN, agency=None, name="Admin Pengaduan")
    signed_in(client, citizen)
    file(client)  # to Disdukcapil
    with app.app_context():
        complaint = db.session.scalar(select(Complaint).order_by(Complaint.id.desc()))
        number, agency_id = complaint.number, complaint.agency_id
    signed_in(client, admin)
    staff_step(client, number, "verifikasi")
    staff_step(client, number, "diteruskan", instansi=str(agency_id))
    assert _deliver_all(app) == []


@pytest.fixture
def sim_counter(app, make_user, demo_data):
    """Queue settings at Samarinda's SIM counter (Polres) and one of its officers."""
    user = make_user("Bripka Rudi", role=Role.OFFICER)
    with app.app_context():
        make_settings()
        mpp = db.session.scalar(select(Mpp).where(Mpp.slug == "kota-samarinda"))
        agency = db.session.scalar(select(Agency).where(Agency.slug == "polres"))
        db.session.add(StaffAssignment(user_id=user.id, role=StaffRole.OFFICER, mpp_id=mpp.id, agency_id=agency.id))
        db.session.commit()
    return user


def _confirmed() -> str:
    user = db.session.get(User, make_users(1)[0])
    held = booking.hold(user=user, place=sim_place(), slot_value="2026-12-08T09:00", now_utc=BOOKED_AT)
    booking.confirm(booking=held, nik=NIK, now_utc=BOOKED_AT)
    return held.code


def test_bookings_made_cancelled_and_checked_in_are_announced_to_the_counters_agency(
    app, client, sim_counter, make_token, receiver
):
    from app.backoffice.scope import Scope

    secret = _register(
        client,
        make_token(agency="polres", mpps=("kota-samarinda",)),
        receiver.url,
        ["booking.created", "booking.cancelled", "booking.checked_in"],
    )
    other = Receiver()  # Disdukcapil at Samarinda listens too, and must hear nothing of Polres' counter
    try:
        _register(client, make_token(mpps=("kota-samarinda",)), other.url, ["booking.created"])
        with app.app_context():
            first = _confirmed()
            held = db.session.scalar(select(booking.Booking).where(booking.Booking.code == first))
            booking.cancel(booking=held, now_utc=BOOKED_AT)
            second = _confirmed()
            tenancy = sim_place().tenancy
            officer = db.session.get(User, sim_counter.id)
            scope = Scope(user=officer, officer_pairs=frozenset({(tenancy.agency_id, tenancy.mpp_id)}))
            found = counter.check_in(scope=scope, tenancy=tenancy, code=second, actor=officer, now_utc=VISIT_DAY)
            assert found.status == BookingStatus.CHECKED_IN
        assert _deliver_all(app) == ["sent"] * 4
        payloads = _verified(receiver, secret)
        assert [(p["type"], p["data"]["code"]) for p in payloads] == [
            ("booking.created", first),
            ("booking.cancelled", first),
            ("booking.created", second),
            ("booking.checked_in", second),
        ]
        assert payloads[-1]["data"]["queue_number"] == "A001"
        assert payloads[0]["data"]["service"] == "sim-a-baru" and payloads[0]["data"]["mpp"] == "kota-samarinda"
        raw = b"".join(body for _headers, body in receiver.requests).decode()
        assert NIK not in raw and NIK[-4:] not in raw
        assert other.requests == []
    finally:
        other.server.shutdown()


def test_a_refused_booking_change_announces_nothing(app, client, sim_counter, make_token, receiver):
    _register(client, make_token(agency="polres", mpps=("kota-samarinda",)), receiver.url, ["booking.created"])
    with app.app_context():
        user = db.session.get(User, make_users(1)[0])
        held = booking.hold(user=user, place=sim_place(), slot_value="2026-12-08T09:00", now_utc=BOOKED_AT)
        with pytest.raises(booking.BookingRefused):  # the hold ran out: the confirmation is rolled back, and so is
            booking.confirm(booking=held, nik=NIK, now_utc=BOOKED_AT + dt.timedelta(hours=2))  # its message
        assert db.session.scalar(select(WebhookMessage.id)) is None


def test_every_event_is_explained_on_the_docs_page_and_accepted_at_registration(client, demo):
    from app.api.hooks import EVENT_LABELS
    from app.api.models import WebhookEvent

    assert set(EVENT_LABELS) == set(WebhookEvent)
    page = client.get("/api/v1/docs").get_data(as_text=True)
    for event in WebhookEvent:
        assert f"<code>{event.value}</code>" in page


def test_a_check_in_at_the_kiosk_is_announced_too(app, client, sim_counter, make_token, receiver):
    secret = _register(
        client, make_token(agency="polres", mpps=("kota-samarinda",)), receiver.url, ["booking.checked_in"]
    )
    with app.app_context():
        code = _confirmed()
        mpp_id = sim_place().mpp.id
        counter.self_check_in(mpp_id=mpp_id, code=code, now_utc=VISIT_DAY)
    assert _deliver_all(app) == ["sent"]
    [payload] = _verified(receiver, secret)
    assert payload["type"] == "booking.checked_in" and payload["data"]["code"] == code
