"""The queue in a real Chromium at 360 px: book → ticket → the ticket opens offline → the reminder reaches the phone
→ check-in by typed code → called → served → signing out removes the ticket from the device; the hall board updates
while a counter calls; axe on every queue page."""

from __future__ import annotations

import contextlib

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect
from sqlalchemy import select

from app.accounts.models import Role, User
from app.backoffice.models import StaffAssignment, StaffRole
from app.catalog.models import Service
from app.extensions import db
from app.queue import counter
from app.queue.ticket import visit_window
from tests.helpers import assert_no_axe_violations, shot

from .conftest import NIK, make_settings, sim_place

pytestmark = pytest.mark.browser

TICKETS_IN_CACHE = """() => caches.has("mpp-tickets").then(has => has
  ? caches.open("mpp-tickets").then(c => c.keys()).then(keys => keys.map(r => new URL(r.url).pathname))
  : [])"""


def _sign_in(app, page, client, base_url, user, signed_in):
    signed_in(client, user)
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base_url}])


@pytest.fixture
def ready(app, demo_data):
    with app.app_context():
        make_settings()
        db.session.remove()


def test_book_see_the_ticket_open_it_offline_and_sign_out_removes_it(
    app, page, client, base_url, citizen, signed_in, ready
):
    _sign_in(app, page, client, base_url, citizen, signed_in)
    page.goto(f"{base_url}/antrean/baru?layanan=sim-a-baru&mpp=kota-samarinda")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15000)
    expect(page.locator("h1")).to_have_text("Ambil antrean")
    assert_no_axe_violations(page)
    shot(page, "antrean-pilih")

    page.locator(".queue-slot input:not([disabled])").first.check()
    page.get_by_role("button", name="Tahan waktu ini").click()
    expect(page.locator("h1")).to_have_text("Konfirmasi kunjungan")
    shot(page, "antrean-konfirmasi")
    page.fill("#nik", "123")
    page.get_by_role("button", name="Konfirmasi antrean").click()
    expect(page.locator("#nik-error")).to_be_visible()
    expect(page.locator("#nik")).to_have_value("123")
    assert_no_axe_violations(page)
    page.fill("#nik", NIK)
    page.get_by_role("button", name="Konfirmasi antrean").click()

    expect(page.locator("h1")).to_have_text("Tiket antrean")
    code = page.locator("#kode-tiket").inner_text()
    expect(page.locator(".queue-ticket-qr svg")).to_be_visible()
    expect(page.locator(".queue-facts")).to_contain_text("WITA")
    assert_no_axe_violations(page)
    shot(page, "antrean-tiket")
    ticket_path = page.evaluate("location.pathname")
    page.wait_for_function(f"() => ({TICKETS_IN_CACHE})().then(paths => paths.includes('{ticket_path}'))")

    page.context.set_offline(True)
    page.reload()
    expect(page.locator("#kode-tiket")).to_have_text(code)
    expect(page.locator("#offline-banner")).to_be_visible()
    shot(page, "antrean-tiket-luring")
    page.context.set_offline(False)

    page.goto(f"{base_url}/akun")
    page.evaluate("document.querySelector('form[action=\"/keluar\"]').requestSubmit()")
    page.wait_for_url(lambda url: "/keluar" in url or url.rstrip("/") == base_url or "/masuk" in url)
    page.wait_for_function(f"() => ({TICKETS_IN_CACHE})().then(paths => paths.length === 0)")
    page.context.set_offline(True)
    # Offline after sign-out: the worker is gone too (Clear-Site-Data), so the navigation may fail outright.
    with contextlib.suppress(PlaywrightError):
        page.goto(f"{base_url}{ticket_path}")
    expect(page.locator("#kode-tiket")).to_have_count(0)
    page.context.set_offline(False)


def test_the_board_updates_while_a_counter_calls(app, page, base_url, make_user, ready):
    officer = make_user("Bripka Rudi", role=Role.OFFICER)
    with app.app_context():
        tenancy = sim_place().tenancy
        db.session.add(
            StaffAssignment(
                user_id=officer.id, role=StaffRole.OFFICER, mpp_id=tenancy.mpp_id, agency_id=tenancy.agency_id
            )
        )
        db.session.commit()
        tenancy_id = tenancy.id
    page.goto(f"{base_url}/mpp/kota-samarinda/antrean")
    expect(page.locator("h1")).to_contain_text("Sedang dilayani")
    assert_no_axe_violations(page)
    with app.app_context():
        from app.catalog.models import Tenancy

        tenancy = db.session.get(Tenancy, tenancy_id)
        actor = db.session.get(User, officer.id)
        service = db.session.scalar(select(Service).where(Service.slug == "sim-a-baru"))
        number = counter.issue_walk_in(tenancy=tenancy, service=service, actor=actor).queue_number
    expect(page.locator(".queue-board-next")).to_contain_text(number, timeout=15000)
    with app.app_context():
        tenancy = db.session.get(Tenancy, tenancy_id)
        counter.call_next(tenancy=tenancy, counter_label="Loket 12", actor=db.session.get(User, officer.id))
    expect(page.locator(".queue-board-now")).to_contain_text(number, timeout=15000)
    shot(page, "antrean-papan")
    assert_no_axe_violations(page)


def test_the_counter_page_passes_axe_at_360_px(app, page, client, base_url, make_user, signed_in, ready):
    officer = make_user("Bripka Rudi", role=Role.OFFICER)
    with app.app_context():
        tenancy = sim_place().tenancy
        db.session.add(
            StaffAssignment(
                user_id=officer.id, role=StaffRole.OFFICER, mpp_id=tenancy.mpp_id, agency_id=tenancy.agency_id
            )
        )
        db.session.commit()
    _sign_in(app, page, client, base_url, officer, signed_in)
    page.goto(f"{base_url}/petugas/loket")
    page.get_by_role("button", name="Buat dan cetak nomor").click()
    expect(page.locator(".print-number")).to_have_text("B001")
    assert_no_axe_violations(page)
    shot(page, "loket-nomor")
    page.get_by_role("link", name="Kembali ke loket").click()
    page.get_by_role("button", name="Panggil berikutnya").click()
    expect(page.locator(".loket-list").first).to_contain_text("B001")
    assert_no_axe_violations(page)
    shot(page, "loket")
    page.fill("#kode", "SALAH")
    page.get_by_role("button", name="Check-in", exact=True).click()
    expect(page.locator("#kode-error")).to_be_visible()
    expect(page.locator("#kode")).to_have_value("SALAH")
    assert_no_axe_violations(page)


def test_check_in_by_typed_code_then_called_and_served_while_the_citizen_watches_the_ticket(
    app, page, browser, client, base_url, citizen, make_user, signed_in, ready
):
    """Two devices: the officer at the counter types the code; the citizen's ticket shows the number, then "your
    turn" when called (htmx polling), then served. The booking is made for the current moment directly, so the test
    does not depend on the hour it runs at."""
    import datetime as dt

    from app.database import utcnow
    from app.queue.models import Booking, BookingStatus
    from app.queue.slots import local_now

    officer = make_user("Bripka Rudi", role=Role.OFFICER)
    with app.app_context():
        place = sim_place()
        db.session.add(
            StaffAssignment(
                user_id=officer.id, role=StaffRole.OFFICER, mpp_id=place.mpp.id, agency_id=place.tenancy.agency_id
            )
        )
        now = utcnow()
        visit = Booking(
            code="TESTKD23",
            user_id=citizen.id,
            mpp_id=place.mpp.id,
            tenancy_id=place.tenancy.id,
            service_id=place.service.id,
            status=BookingStatus.CONFIRMED,
            slot_start=now - dt.timedelta(minutes=5),
            slot_end=now + dt.timedelta(minutes=25),
            local_day=local_now(now, place.tz).date(),
            version=1,
            call_count=0,
            confirmed_at=now,
            nik_tail="0001",
        )
        db.session.add(visit)
        db.session.commit()

    _sign_in(app, page, client, base_url, citizen, signed_in)
    page.goto(f"{base_url}/antrean/TESTKD23")
    expect(page.locator("#kode-tiket")).to_have_text("TEST-KD23")

    counter_context = browser.new_context(viewport={"width": 1024, "height": 800}, locale="id-ID")
    desk = counter_context.new_page()
    staff_client = app.test_client()
    signed_in(staff_client, officer)
    cookie = staff_client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    counter_context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base_url}])
    desk.goto(f"{base_url}/petugas/loket")
    desk.fill("#kode", "testkd23")
    desk.get_by_role("button", name="Check-in", exact=True).click()
    expect(desk.locator(".notice")).to_contain_text("A001")

    page.reload()
    expect(page.locator(".queue-number")).to_have_text("A001")
    assert_no_axe_violations(page)
    shot(page, "antrean-tiket-hadir")

    desk.get_by_role("button", name="Panggil berikutnya").click()
    expect(page.locator(".queue-called")).to_be_visible(timeout=30000)  # the ticket polls every 15 s
    desk.get_by_role("button", name="Selesai dilayani A001").click()
    expect(desk.locator(".notice")).to_contain_text("Selesai dilayani")
    page.reload()
    expect(page.locator(".queue-ticket")).to_contain_text("Selesai dilayani")
    counter_context.close()


def test_the_admin_settings_page_passes_axe_with_errors_shown(app, page, client, base_url, make_user, signed_in, ready):
    admin = make_user("Admin Samarinda", role=Role.MPP_ADMIN)
    with app.app_context():
        place = sim_place()
        db.session.add(StaffAssignment(user_id=admin.id, role=StaffRole.MPP_ADMIN, mpp_id=place.mpp.id))
        db.session.commit()
        tenancy_id = place.tenancy.id
    _sign_in(app, page, client, base_url, admin, signed_in)
    page.goto(f"{base_url}/admin/antrean?loket={tenancy_id}")
    expect(page.locator("h1")).to_contain_text("Pengaturan antrean")
    assert_no_axe_violations(page)
    form = page.locator("form", has=page.locator("input[name=slot_minutes]")).first
    form.locator("input[name=slot_minutes]").fill("999")
    form.get_by_role("button").click()
    expect(page.locator(".field-error").first).to_contain_text("5 sampai 240")
    assert_no_axe_violations(page)
    shot(page, "antrean-admin")


def test_the_whole_visit_book_offline_reminder_check_in_called_served_and_sign_out(
    app, page, browser, client, base_url, citizen, make_user, signed_in, ready, push_device, push_service, queue
):
    """The issue's journey in one go, on the citizen's phone at 360 px with the officer's desk beside it: book →
    ticket → the ticket opens offline → the day-before reminder reaches the phone through the outbox, the job worker
    and the local push service (the test sets the moment the reminder sweep runs) and is in the inbox → on the day
    (the test moves the visit to the current moment, as the clock would) the officer types the code → the ticket
    shows the number, then "your turn" → served → signing out removes the ticket from the device."""
    import datetime as dt

    from app.database import utcnow
    from app.queue.models import Booking
    from app.queue.reminders import send_due_reminders
    from app.queue.slots import local_now

    officer = make_user("Bripka Rudi", role=Role.OFFICER)
    with app.app_context():
        place = sim_place()
        zone = place.tz
        db.session.add(
            StaffAssignment(
                user_id=officer.id, role=StaffRole.OFFICER, mpp_id=place.mpp.id, agency_id=place.tenancy.agency_id
            )
        )
        db.session.commit()
    phone = push_device(citizen)  # the citizen turned notifications on on this phone earlier

    _sign_in(app, page, client, base_url, citizen, signed_in)
    page.goto(f"{base_url}/antrean/baru?layanan=sim-a-baru&mpp=kota-samarinda")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15000)
    page.locator(".queue-slot input:not([disabled])").first.check()
    page.get_by_role("button", name="Tahan waktu ini").click()
    page.fill("#nik", NIK)
    page.get_by_role("button", name="Konfirmasi antrean").click()
    expect(page.locator("h1")).to_have_text("Tiket antrean")
    shown_code = page.locator("#kode-tiket").inner_text()
    ticket_path = page.evaluate("location.pathname")
    code = ticket_path.rsplit("/", 1)[1]
    page.wait_for_function(f"() => ({TICKETS_IN_CACHE})().then(paths => paths.includes('{ticket_path}'))")

    page.context.set_offline(True)
    page.reload()
    expect(page.locator("#kode-tiket")).to_have_text(shown_code)
    expect(page.locator("#offline-banner")).to_be_visible()
    page.context.set_offline(False)

    # The reminder sweep runs the day before the visit (23 hours ahead of it): once, through the real worker.
    with app.app_context():
        visit = db.session.scalar(select(Booking).where(Booking.code == code))
        slot_start, slot_time = visit.slot_start, visit_window(visit).split("–")[0]
        assert send_due_reminders(slot_start - dt.timedelta(hours=23)) == 1
        assert send_due_reminders(slot_start - dt.timedelta(hours=22)) == 0
    queue.run()
    (reminder,) = push_service.messages_for(phone)
    assert reminder.payload["url"] == ticket_path and slot_time in reminder.payload["title"]
    page.goto(f"{base_url}/notifikasi")
    expect(page.locator("main")).to_contain_text(f"Pengingat: kunjungan Anda besok pukul {slot_time}")
    expect(page.get_by_role("link", name="Buka tiket antrean")).to_have_attribute("href", ticket_path)
    assert_no_axe_violations(page)
    shot(page, "antrean-pengingat-kotak-masuk")

    # The visit day: the booking's slot is now (what the clock would bring), and the citizen is at the MPP.
    with app.app_context():
        visit = db.session.scalar(select(Booking).where(Booking.code == code))
        now = utcnow()
        visit.slot_start, visit.slot_end = now - dt.timedelta(minutes=5), now + dt.timedelta(minutes=25)
        visit.local_day = local_now(now, zone).date()
        db.session.commit()

    desk_context = browser.new_context(viewport={"width": 1024, "height": 800}, locale="id-ID")
    desk = desk_context.new_page()
    staff_client = app.test_client()
    signed_in(staff_client, officer)
    cookie = staff_client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    desk_context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base_url}])
    desk.goto(f"{base_url}/petugas/loket")
    desk.fill("#kode", shown_code.lower())
    desk.get_by_role("button", name="Check-in", exact=True).click()
    expect(desk.locator(".notice")).to_contain_text("A001")

    page.goto(f"{base_url}{ticket_path}")
    expect(page.locator(".queue-number")).to_have_text("A001")
    desk.get_by_role("button", name="Panggil berikutnya").click()
    expect(page.locator(".queue-called")).to_be_visible(timeout=30000)  # the ticket polls every 15 s
    shot(page, "antrean-tiket-dipanggil")
    desk.get_by_role("button", name="Selesai dilayani A001").click()
    expect(desk.locator(".notice")).to_contain_text("Selesai dilayani")
    desk_context.close()
    page.reload()
    expect(page.locator(".queue-ticket")).to_contain_text("Selesai dilayani")

    page.goto(f"{base_url}/akun")
    page.evaluate("document.querySelector('form[action=\"/keluar\"]').requestSubmit()")
    page.wait_for_function(f"() => ({TICKETS_IN_CACHE})().then(paths => paths.length === 0)")


def test_from_the_application_page_to_a_ticket_for_it(app, page, client, base_url, citizen, signed_in, demo_data):
    """Point 1 from an application: its page offers "Ambil antrean" at its MPP, the booking is made for it, the
    ticket names it and the application's page then shows the visit instead of a second offer."""
    from tests.backoffice.conftest import submit_application

    number = submit_application(app, citizen, mpp="kota-kendari", service="ktp-el-hilang-rusak")
    _sign_in(app, page, client, base_url, citizen, signed_in)
    page.goto(f"{base_url}/permohonan/{number}")
    offer = page.locator(".queue-visit")
    expect(offer).to_contain_text("KTP-el diambil di loket Disdukcapil")
    assert_no_axe_violations(page)
    shot(page, "permohonan-ambil-antrean")
    offer.get_by_role("link", name="Ambil antrean").click()
    expect(page.locator(".queue-for-application")).to_contain_text(number)
    expect(page.locator(".queue-release")).to_contain_text("serentak")
    assert_no_axe_violations(page)
    shot(page, "antrean-pilih-untuk-permohonan")
    page.locator(".queue-slot input:not([disabled])").first.check()
    page.get_by_role("button", name="Tahan waktu ini").click()
    page.fill("#nik", NIK)
    page.get_by_role("button", name="Konfirmasi antrean").click()
    expect(page.locator(".queue-facts")).to_contain_text(number)
    shot(page, "antrean-tiket-permohonan")
    page.locator(".queue-facts").get_by_role("link", name=number).click()
    expect(page.locator(".queue-visit")).to_contain_text("Lihat tiket antrean")
    assert_no_axe_violations(page)
    shot(page, "permohonan-antrean-terjadwal")


def test_the_admin_removes_a_closure(app, page, client, base_url, make_user, signed_in, ready):
    admin = make_user("Admin Samarinda", role=Role.MPP_ADMIN)
    with app.app_context():
        place = sim_place()
        db.session.add(StaffAssignment(user_id=admin.id, role=StaffRole.MPP_ADMIN, mpp_id=place.mpp.id))
        db.session.commit()
        tenancy_id = place.tenancy.id
    _sign_in(app, page, client, base_url, admin, signed_in)
    page.goto(f"{base_url}/admin/antrean?loket={tenancy_id}")
    page.fill("#tanggal", "2030-01-07")
    page.fill("#alasan", "Pemeliharaan gedung")
    page.get_by_role("button", name="Umumkan penutupan").click()
    closures = page.locator(".queue-closures")
    expect(closures).to_contain_text("Pemeliharaan gedung")
    assert_no_axe_violations(page)
    shot(page, "antrean-admin-penutupan")
    closures.get_by_role("button", name="Hapus").click()
    expect(page.locator(".queue-closures")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("Penutupan dicabut")


# The counter's camera, for a test: getUserMedia answers with a real MediaStream drawn on a canvas (headless Chromium
# has no camera), and BarcodeDetector (not built into Chromium on Linux) reads the ticket's code only from a video
# element that is playing that stream, so the test proves the page asked the camera and fed its picture in.
FAKE_CAMERA = """
(() => {
  const code = %s;
  navigator.mediaDevices.getUserMedia = async (constraints) => {
    if (!constraints || !constraints.video) throw new Error("no video asked");
    const canvas = document.createElement("canvas");
    canvas.width = 64; canvas.height = 64;
    const paint = () => { canvas.getContext("2d").fillRect(0, 0, 64, 64); requestAnimationFrame(paint); };
    paint();
    window.__cameraStream = canvas.captureStream(10);
    return window.__cameraStream;
  };
  window.BarcodeDetector = class {
    constructor(options) { this.formats = options.formats; }
    async detect(source) {
      const live = source instanceof HTMLVideoElement && source.srcObject === window.__cameraStream
        && source.readyState >= 2 && this.formats.includes("qr_code");
      return live ? [{ rawValue: code, format: "qr_code" }] : [];
    }
  };
})();
"""


def test_the_officer_scans_the_tickets_qr_with_the_camera(
    app, page, client, base_url, citizen, make_user, signed_in, ready
):
    import datetime as dt
    import json

    from app.database import utcnow
    from app.queue.models import Booking, BookingStatus
    from app.queue.slots import local_now

    officer = make_user("Bripka Rudi", role=Role.OFFICER)
    with app.app_context():
        place = sim_place()
        db.session.add(
            StaffAssignment(
                user_id=officer.id, role=StaffRole.OFFICER, mpp_id=place.mpp.id, agency_id=place.tenancy.agency_id
            )
        )
        now = utcnow()
        db.session.add(
            Booking(
                code="SCANKD23",
                user_id=citizen.id,
                mpp_id=place.mpp.id,
                tenancy_id=place.tenancy.id,
                service_id=place.service.id,
                status=BookingStatus.CONFIRMED,
                slot_start=now - dt.timedelta(minutes=5),
                slot_end=now + dt.timedelta(minutes=25),
                local_day=local_now(now, place.tz).date(),
                version=1,
                call_count=0,
                confirmed_at=now,
                nik_tail="0001",
            )
        )
        db.session.commit()
    page.context.add_init_script(FAKE_CAMERA % json.dumps("SCANKD23"))
    _sign_in(app, page, client, base_url, officer, signed_in)
    page.goto(f"{base_url}/petugas/loket")
    scan = page.get_by_role("button", name="Pindai kode QR")
    expect(scan).to_be_visible()
    scan.click()
    expect(page.locator(".notice")).to_contain_text("A001")
    with app.app_context():
        assert db.session.scalar(select(Booking.status).where(Booking.code == "SCANKD23")) == BookingStatus.CHECKED_IN
