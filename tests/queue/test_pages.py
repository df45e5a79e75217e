"""The citizen's pages: choose, hold, confirm, ticket, calendar, cancel, reschedule — with the clock frozen."""

from __future__ import annotations

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from app.extensions import db
from app.queue.models import Booking, BookingStatus

from .conftest import NIK, NOW, OTHER_SLOT, SLOT, make_settings


@pytest.fixture
def frozen():
    with freeze_time(NOW):
        yield


@pytest.fixture
def settings_ready(app, demo_data):
    with app.app_context():
        make_settings()
        db.session.remove()


def _hold(client, slot=SLOT, **extra):
    return client.post("/antrean/baru", data={"layanan": "sim-a-baru", "mpp": "kota-samarinda", "slot": slot, **extra})


def _book(client, slot=SLOT):
    response = _hold(client, slot)
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    confirm_url = response.headers["Location"]
    code = confirm_url.split("/")[2]
    response = client.post(confirm_url, data={"nik": NIK})
    assert response.status_code == 303
    return code


def test_ambil_antrean_on_a_service_page_leads_to_the_booking_flow(client, demo_data):
    page = client.get_page("/layanan/sim-a-baru")
    link = page.find("a", href="/antrean/baru?layanan=sim-a-baru")
    assert link is not None and "antrean" in link.get_text().lower()


def test_booking_asks_an_anonymous_visitor_to_sign_in(client, settings_ready):
    response = client.get("/antrean/baru?layanan=sim-a-baru")
    assert response.status_code == 302 and "/masuk" in response.headers["Location"]


def test_the_choice_page_shows_days_times_in_wita_and_places_left(frozen, signed_in_client, settings_ready):
    page = signed_in_client.get_page("/antrean/baru?layanan=sim-a-baru&mpp=kota-samarinda&tanggal=2026-12-08")
    text = page.get_text(" ")
    assert "WITA" in text
    labels = [label.get_text(" ", strip=True) for label in page.select(".queue-slot label")]
    assert labels[0].startswith("08.00") and labels[-1].startswith("11.30")  # SIM counter closes at 12.00 WITA
    assert "3" in labels[0]
    priority_rule = page.find("section", attrs={"aria-labelledby": "prioritas-judul"}).get_text(" ")
    assert "Pasal 29" in priority_rule and "lansia" in priority_rule  # the priority quota's rule is shown
    assert page.find("form", method="post", action="/antrean/baru").find("input", attrs={"name": "csrf_token"})


def test_book_confirm_and_see_the_ticket(frozen, signed_in_client, settings_ready):
    code = _book(signed_in_client)
    page = signed_in_client.get_page(f"/antrean/{code}")
    text = page.get_text(" ")
    assert code[:4] in text and "09.00–09.30 WITA" in text
    assert page.select_one(".queue-ticket-qr svg") is not None
    assert "Loket 12–13" in text  # the counter of Polres at Samarinda
    assert "KTP" in text  # what to bring: the service's persyaratan
    listing = signed_in_client.get_page("/antrean")
    assert listing.find("a", href=f"/antrean/{code}")


def test_the_ticket_response_is_marked_for_the_device_but_never_for_shared_caches(
    frozen, signed_in_client, settings_ready
):
    code = _book(signed_in_client)
    response = signed_in_client.get(f"/antrean/{code}")
    assert response.headers.get("X-MPP-Ticket")
    assert "no-store" in response.headers["Cache-Control"]


def test_another_persons_booking_code_is_a_404(frozen, client, signed_in, citizen, other_citizen, settings_ready):
    signed_in(client, citizen)
    code = _book(client)
    signed_in(client, other_citizen)
    for url in (
        f"/antrean/{code}",
        f"/antrean/{code}/kalender",
        f"/antrean/{code}/status",
        f"/antrean/{code}/konfirmasi",
    ):
        assert client.get(url).status_code == 404
    assert client.post(f"/antrean/{code}/batal").status_code == 404
    assert client.post(f"/antrean/{code}/jadwal-ulang", data={"slot": OTHER_SLOT}).status_code == 404


@pytest.mark.parametrize(
    ("slot", "words"),
    [
        ("2026-12-04T09:00", "sudah lewat"),
        ("2026-12-08T13:00", "jam buka"),
        ("2026-12-25T09:00", "belum dibuka"),
        ("2026-12-08T09:07", "jam buka"),
        ("abc", "tidak ada"),
    ],
)
def test_a_bad_slot_gets_a_clear_indonesian_message(frozen, signed_in_client, settings_ready, slot, words):
    response = _hold(signed_in_client, slot)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert words in text.lower()


def test_a_full_slot_says_slot_penuh(frozen, app, client, make_user, signed_in, settings_ready):
    with app.app_context():
        make_settings(capacity=1, priority_capacity=0)
    signed_in(client, make_user("Pertama"))
    _book(client)
    signed_in(client, make_user("Kedua"))
    response = _hold(client)
    assert response.status_code == 409
    assert "slot ini penuh" in response.get_data(as_text=True).lower()


def test_a_wrong_nik_is_shown_next_to_the_field_and_kept(frozen, signed_in_client, settings_ready):
    confirm_url = _hold(signed_in_client).headers["Location"]
    page = signed_in_client.post_page(confirm_url, data={"nik": "12345"}, expected_status=422)
    assert page.select_one("#nik-error")
    assert page.select_one("#nik")["value"] == "12345"


def test_the_calendar_file_has_the_visit_in_utc(frozen, signed_in_client, settings_ready):
    code = _book(signed_in_client)
    response = signed_in_client.get(f"/antrean/{code}/kalender")
    body = response.get_data(as_text=True)
    assert response.mimetype == "text/calendar"
    assert "DTSTART:20261208T010000Z" in body and "DTEND:20261208T013000Z" in body  # 09.00–09.30 WITA
    assert "\r\n" in body and "WITA" in body


def test_cancel_is_post_only_and_releases_the_place(frozen, signed_in_client, app, settings_ready):
    code = _book(signed_in_client)
    assert signed_in_client.get(f"/antrean/{code}/batal").status_code == 405
    response = signed_in_client.post(f"/antrean/{code}/batal")
    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(Booking.status).where(Booking.code == code)) == BookingStatus.CANCELLED


def test_reschedule_moves_the_visit(frozen, signed_in_client, app, settings_ready):
    code = _book(signed_in_client)
    page = signed_in_client.get_page(f"/antrean/baru?layanan=sim-a-baru&ganti={code}&tanggal=2026-12-09")
    assert page.find("form", action=f"/antrean/{code}/jadwal-ulang")
    response = signed_in_client.post(f"/antrean/{code}/jadwal-ulang", data={"slot": "2026-12-09T10:00"})
    assert response.status_code == 303
    assert "10.00–10.30 WITA" in signed_in_client.get_page(f"/antrean/{code}").get_text(" ")


def test_booking_is_rate_limited_with_retry_after(signed_in_client, settings_ready):
    for _ in range(20):
        _hold(signed_in_client, "abc")
    response = _hold(signed_in_client, "abc")
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0


def test_the_live_status_without_htmx_goes_back_to_the_ticket(frozen, signed_in_client, settings_ready):
    code = _book(signed_in_client)
    response = signed_in_client.get(f"/antrean/{code}/status")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/antrean/{code}")


def test_the_choice_page_states_the_release_rule_with_the_admins_numbers(frozen, app, signed_in_client, settings_ready):
    with app.app_context():
        make_settings(window_days=3, release_hour=8)
    page = signed_in_client.get_page("/antrean/baru?layanan=sim-a-baru&mpp=kota-samarinda")
    rule = page.select_one(".queue-release").get_text(" ", strip=True)
    assert "3 hari ke depan" in rule and "pukul 08.00 WITA" in rule and "serentak" in rule
    assert "10 Desember 2026 dibuka pada 7 Desember 2026 pukul 08.00 WITA." in rule
    days = [a["href"] for a in page.select(".queue-days a")]
    assert any("tanggal=2026-12-09" in href for href in days)
    assert not any("tanggal=2026-12-10" in href for href in days)
