"""Point 1 from the application's side: an application whose service needs the counter offers "Ambil antrean" at its
own MPP, the booking remembers the application, and the page then shows the ticket instead."""

from __future__ import annotations

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from app.applications.models import Application, ApplicationStatus
from app.catalog.models import Service
from app.extensions import db
from app.queue.models import Booking
from app.queue.visits import needs_counter_visit

from ..backoffice.conftest import submit_application
from .conftest import NIK, NOW

SERVICE = "ktp-el-hilang-rusak"  # online, but the new KTP-el is collected at the Disdukcapil counter


@pytest.fixture
def number(app, citizen, demo_data):
    return submit_application(app, citizen, mpp="kota-kendari", service=SERVICE)


def test_which_services_need_a_counter_visit(app, demo_data):
    with app.app_context():
        by_slug = {s.slug: s for s in db.session.scalars(select(Service))}
        assert needs_counter_visit(by_slug[SERVICE])  # "KTP-el diambil di loket Disdukcapil"
        assert needs_counter_visit(by_slug["sim-c-perpanjangan"])
        assert not needs_counter_visit(by_slug["kk-perubahan-data"])


def test_the_application_page_offers_a_booking_that_remembers_the_application(app, client, signed_in, citizen, number):
    with freeze_time(NOW):
        signed_in(client, citizen)
        page = client.get_page(f"/permohonan/{number}")
        link = page.select_one(".queue-visit a.button")
        assert link is not None and "antrean" in link.get_text().lower()
        href = link["href"]
        assert href.startswith("/antrean/baru?") and "mpp=kota-kendari" in href and f"permohonan={number}" in href

        choose = client.get_page(href)
        assert number in choose.select_one(".queue-for-application").get_text()
        form = choose.find("form", method="post", action="/antrean/baru")
        assert form.find("input", attrs={"name": "permohonan"})["value"] == number
        slot = form.select_one(".queue-slot input:not([disabled])")["value"]
        held = client.post(
            "/antrean/baru", data={"layanan": SERVICE, "mpp": "kota-kendari", "slot": slot, "permohonan": number}
        )
        assert held.status_code == 303, held.get_data(as_text=True)[:300]
        code = held.headers["Location"].split("/")[2]
        assert client.post(held.headers["Location"], data={"nik": NIK}).status_code == 303

        with app.app_context():
            booking = db.session.scalar(select(Booking).where(Booking.code == code))
            application = db.session.scalar(select(Application).where(Application.tracking_number == number))
            assert booking.application_id == application.id and booking.mpp.slug == "kota-kendari"
        ticket = client.get_page(f"/antrean/{code}")
        assert ticket.find("a", href=f"/permohonan/{number}")
        # Booked: the application's page now shows the visit and its ticket, no second "Ambil antrean".
        again = client.get_page(f"/permohonan/{number}")
        visit = again.select_one(".queue-visit")
        assert visit.find("a", href=f"/antrean/{code}") and "WITA" in visit.get_text()


def test_someone_elses_application_number_is_not_attached(
    app, client, signed_in, citizen, other_citizen, number, demo_data
):
    with freeze_time(NOW):
        signed_in(client, other_citizen)
        choose = client.get_page(f"/antrean/baru?layanan={SERVICE}&mpp=kota-kendari&permohonan={number}")
        assert choose.select_one(".queue-for-application") is None
        slot = choose.select_one(".queue-slot input:not([disabled])")["value"]
        held = client.post(
            "/antrean/baru", data={"layanan": SERVICE, "mpp": "kota-kendari", "slot": slot, "permohonan": number}
        )
        assert held.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(Booking.application_id)) is None


def _set_status(app, number, status):
    """Only the page is under test here: the status is set directly, not through the officer's workflow."""
    with app.app_context():
        application = db.session.scalar(select(Application).where(Application.tracking_number == number))
        application.status = status
        db.session.commit()


def test_a_correction_request_offers_the_counter_and_a_rejection_does_not(app, client, signed_in, citizen, number):
    signed_in(client, citizen)
    _set_status(app, number, ApplicationStatus.REJECTED)
    assert client.get_page(f"/permohonan/{number}").select_one(".queue-visit") is None
    _set_status(app, number, ApplicationStatus.NEEDS_CORRECTION)
    visit = client.get_page(f"/permohonan/{number}").select_one(".queue-visit")
    assert visit is not None and "perbaikan" in visit.get_text().lower()
