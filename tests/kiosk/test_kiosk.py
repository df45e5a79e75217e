"""Kiosk mode through HTTP: the catalog of the MPP, check-in with a booking code, the status check by tracking
number + status code, and "Selesai" clearing the tablet. No page is kept by caches; nothing needs an account."""

from __future__ import annotations

from sqlalchemy import select

from app.applications.models import Application
from app.extensions import db
from app.kiosk.status import status_code
from app.queue.models import Booking, BookingStatus

from ..backoffice.conftest import submit_application
from .conftest import KIOSK, make_booking


def test_the_kiosk_shows_the_mpps_services_and_their_requirements_without_an_account(client, demo):
    home = client.get_page(KIOSK)
    assert home.h1.get_text() == "Selamat datang"
    assert not home.find("a", href="/masuk") and not home.find(attrs={"data-unread-count": True})
    listing = client.get_page(f"{KIOSK}/layanan?q=ktp")
    links = [a["href"] for a in listing.select(".kiosk-list a")]
    assert links and all(link.startswith(f"{KIOSK}/layanan/") for link in links)
    service = client.get_page(links[0])
    assert service.find("h2", string="Persyaratan")
    assert client.get(f"{KIOSK}/layanan/tidak-ada").status_code == 404
    assert client.get("/kios/tidak-ada").status_code == 404
    # A service that the MPP does not offer is not shown under its kiosk.
    assert client.get(f"{KIOSK}/layanan/paspor-biasa-baru").status_code == 404
    for url in (KIOSK, f"{KIOSK}/layanan", links[0], f"{KIOSK}/antrean", f"{KIOSK}/status"):
        response = client.get(url)
        assert "no-store" in response.headers["Cache-Control"], url
        assert "X-MPP-Offline" not in response.headers
        assert "sw.js" not in response.get_data(as_text=True) and "app.js" not in response.get_data(as_text=True)


def test_check_in_with_the_booking_code_gives_a_queue_number_and_bad_codes_get_a_message(app, client, demo):
    code = make_booking(app)
    soup = client.post_page(f"{KIOSK}/antrean", data={"kode": "ZZZZ-ZZZZ"}, expected_status=422)
    assert soup.select_one("#f-kode-error") and soup.select_one("#f-kode")["value"] == "ZZZZ-ZZZZ"
    soup = client.post_page(f"{KIOSK}/antrean", data={"kode": "<script>x</script>"}, expected_status=422)
    assert "<script>x" not in str(soup.select_one("main"))
    # A booking at another MPP is unknown here.
    make_booking(app, mpp="kota-batam", code="BTMABCDE")
    client.post_page(f"{KIOSK}/antrean", data={"kode": "BTMA-BCDE"}, expected_status=422)
    soup = client.post_page(f"{KIOSK}/antrean", data={"kode": code.lower()})
    assert soup.select_one(".big-code").get_text().startswith("A")
    with app.app_context():
        booking = db.session.scalar(select(Booking).where(Booking.code == "KDRABCDE"))
        assert booking.status == BookingStatus.CHECKED_IN and booking.queue_number == "A001"
    soup = client.post_page(f"{KIOSK}/antrean", data={"kode": code}, expected_status=422)
    assert "A001" in soup.select_one("#f-kode-error").get_text()


def test_a_booking_for_another_day_is_refused(app, client, demo):
    code = make_booking(app, days_ahead=1)
    soup = client.post_page(f"{KIOSK}/antrean", data={"kode": code}, expected_status=422)
    assert soup.select_one("#f-kode-error")


def test_status_needs_the_tracking_number_and_its_code(app, client, citizen, demo):
    number = submit_application(app, citizen)
    with app.app_context():
        code = status_code(db.session.scalar(select(Application).where(Application.tracking_number == number)))
    soup = client.post_page(f"{KIOSK}/status", data={"nomor": "", "kode": ""}, expected_status=422)
    assert soup.select_one("#f-nomor-error") and soup.select_one("#f-kode-error")
    soup = client.post_page(f"{KIOSK}/status", data={"nomor": number, "kode": "AAAAAA"}, expected_status=422)
    assert soup.select_one("#f-nomor-error") and soup.select_one("#f-nomor")["value"] == number
    soup = client.post_page(f"{KIOSK}/status", data={"nomor": number.lower().replace("-", ""), "kode": code.lower()})
    text = soup.get_text()
    assert number in text and "Diajukan" in text
    assert "Siti" not in text and citizen.email not in text  # nothing about the person


def test_selesai_clears_cookies_cache_and_storage_of_the_tablet(client, demo):
    client.get(f"{KIOSK}/antrean")  # a page with a form: the session cookie (CSRF) exists now
    response = client.get(f"{KIOSK}/selesai")
    assert response.status_code == 200
    assert response.headers["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert "no-store" in response.headers["Cache-Control"]


def test_the_status_code_is_shown_on_the_citizens_own_application_page(app, client, citizen, signed_in, demo):
    number = submit_application(app, citizen)
    signed_in(client, citizen)
    with app.app_context():
        code = status_code(db.session.scalar(select(Application).where(Application.tracking_number == number)))
    assert code in client.get_page(f"/permohonan/{number}").get_text()


def test_selesai_signs_out_an_account_left_signed_in_on_the_tablet(app, client, citizen, signed_in, demo):
    from app.accounts.models import AuthSession

    session_id = signed_in(client, citizen)
    client.get(f"{KIOSK}/selesai")
    with app.app_context():
        assert db.session.get(AuthSession, session_id).revoked_at is not None
    assert client.get("/akun").status_code in (302, 303)
