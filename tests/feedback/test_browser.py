"""Umpan balik in a real Chromium at 360 px, with axe on every page: a survey answered offline is sent once the
phone is back online; a rahasia complaint is filed, answered by the agency's officer and reopened by the citizen;
the public performance page draws its chart above its table."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from app.accounts.models import Role
from app.extensions import db
from app.feedback.models import Complaint, ComplaintStatus, SurveyInvitation, SurveyResponse
from tests.helpers import assert_no_axe_violations, shot, wait_for_js

pytestmark = pytest.mark.browser


def _context_for(app, browser, browser_context_args, client, base_url, user, signed_in):
    signed_in(client, user)
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    context = browser.new_context(**browser_context_args)
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base_url}])
    return context


@pytest.fixture
def as_user(app, browser, browser_context_args, base_url, signed_in):
    """``as_user(user) -> page``: a fresh browser context (a phone) signed in as ``user``."""
    from flask.testing import FlaskClient  # noqa: F401

    from tests.helpers import PageClient

    contexts = []

    def open_page(user):
        client = PageClient(app.test_client())
        context = _context_for(app, browser, browser_context_args, client, base_url, user, signed_in)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def test_a_survey_answered_offline_is_sent_once_when_the_connection_is_back(app, base_url, as_user, citizen, finished):
    with app.app_context():
        token = db.session.scalar(select(SurveyInvitation.token))
    page = as_user(citizen)
    page.goto(f"{base_url}/survei/{token}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bagaimana layanan yang Anda terima?")
    page.wait_for_function("() => window.mppDraftsReady !== undefined")
    page.evaluate("window.mppDraftsReady")
    assert_no_axe_violations(page)
    shot(page, "survei-01")
    for code in ("u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8"):
        page.locator(f"label[for='f-{code}-4']").click()
    page.get_by_label("Saran (tidak wajib)").fill("Ruang tunggu panas, hubungi 0812-3456-7890")
    page.context.set_offline(True)
    page.get_by_role("button", name="Kirim jawaban saya").click()
    expect(page.locator("#draft-status")).to_contain_text("Tidak ada koneksi")
    assert_no_axe_violations(page)
    shot(page, "survei-02-luring")
    with app.app_context():
        assert db.session.scalar(select(func.count(SurveyResponse.id))) == 0
    page.context.set_offline(False)
    expect(page.get_by_role("heading", level=1)).to_have_text("Terima kasih atas jawaban Anda", timeout=15000)
    assert_no_axe_violations(page)
    shot(page, "survei-03-terkirim")
    with app.app_context():
        rows = db.session.scalars(select(SurveyResponse)).all()
        assert len(rows) == 1
        assert rows[0].u1 == 4 and rows[0].u9 is None and "0812" not in rows[0].suggestion


def test_a_rahasia_complaint_is_answered_by_the_officer_and_reopened_by_the_citizen(
    app, base_url, as_user, citizen, officer, make_staff, demo
):
    admin = make_staff(Role.MPP_ADMIN, agency=None, name="Admin Pengaduan")
    phone = as_user(citizen)
    phone.goto(f"{base_url}/layanan/ktp-el-hilang-rusak")
    phone.get_by_role("link", name="Sampaikan pengaduan").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Pengaduan")
    assert_no_axe_violations(phone)
    phone.get_by_role("link", name="Sampaikan pengaduan").first.click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Sampaikan pengaduan")
    phone.get_by_role("button", name="Kirim laporan").click()  # empty: the errors are shown next to the fields
    expect(phone.locator("#f-judul-error")).to_be_visible(timeout=15000)  # through the outbox, then a plain post
    assert_no_axe_violations(phone)
    shot(phone, "pengaduan-01-galat")
    phone.get_by_label("Pengaduan", exact=True).check()
    phone.get_by_label("MPP mana?").select_option("kota-kendari")
    phone.get_by_label("Instansi mana? (tidak wajib)").select_option("disdukcapil")
    phone.get_by_label("Judul").fill("Diminta uang di loket KTP")
    phone.get_by_label("Apa yang terjadi?").fill("Petugas meminta Rp50.000 agar KTP cepat jadi.")
    phone.get_by_label("Rahasia: hanya admin pengaduan MPP yang melihat nama saya").check()
    shot(phone, "pengaduan-02-isi")
    phone.get_by_role("button", name="Kirim laporan").click()
    expect(phone.locator(".tracking-number").first).to_have_text(re.compile(r"ADU-\w{4}-\w{4}"))
    number = phone.locator("h1 .tracking-number").inner_text()
    assert_no_axe_violations(phone)
    shot(phone, "pengaduan-03-diterima")

    desk = as_user(admin)
    desk.goto(f"{base_url}/petugas/pengaduan")
    assert_no_axe_violations(desk)
    desk.get_by_role("link", name="Diminta uang di loket KTP").click()
    expect(desk.get_by_text(citizen.email)).to_be_visible()  # the MPP admin sees who it is
    desk.get_by_label("Mulai verifikasi").check()
    desk.get_by_role("button", name="Simpan langkah").click()
    desk.get_by_label("Teruskan ke instansi").check()
    desk.get_by_role("button", name="Simpan langkah").click()
    expect(desk.locator(".status")).to_have_text("Diteruskan ke instansi")

    counter = as_user(officer)
    counter.goto(f"{base_url}/petugas/pengaduan/{number}")
    expect(counter.get_by_text("Rahasia: identitas hanya diketahui admin pengaduan MPP")).to_be_visible()
    assert citizen.email not in counter.content()
    assert_no_axe_violations(counter)
    shot(counter, "pengaduan-04-petugas")
    counter.get_by_label("Kirim tanggapan").check()
    counter.get_by_label("Tanggapan atau alasan").fill("Petugas sudah ditegur. KTP Anda selesai hari ini tanpa biaya.")
    counter.get_by_role("button", name="Simpan langkah").click()
    expect(counter.locator(".status")).to_have_text("Ditanggapi")

    phone.goto(f"{base_url}/pengaduan/{number}")
    expect(phone.get_by_text("KTP Anda selesai hari ini tanpa biaya.")).to_be_visible()
    assert_no_axe_violations(phone)
    shot(phone, "pengaduan-05-ditanggapi")
    phone.get_by_label("Tidak: mengapa belum selesai?").fill("KTP belum saya terima.")
    phone.get_by_role("button", name="Buka kembali pengaduan").click()
    expect(phone.locator(".status")).to_have_text("Ditindaklanjuti")
    expect(phone.get_by_role("button", name="Buka kembali pengaduan")).to_have_count(0)
    shot(phone, "pengaduan-06-dibuka-kembali")
    with app.app_context():
        complaint = db.session.scalar(select(Complaint).where(Complaint.number == number))
        assert complaint.status == ComplaintStatus.FOLLOWED_UP and complaint.reopened and complaint.confidential


def test_the_performance_page_draws_a_chart_above_its_table(app, page, base_url, make_user, officer, demo):
    from .test_performance import _served

    _served(app, make_user, officer, 5)
    page.goto(f"{base_url}/kinerja")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kinerja MPP")
    chart = page.get_by_role("img", name=re.compile("IKM per MPP"))
    expect(chart).to_be_visible()
    expect(page.get_by_role("table", name=re.compile("Per MPP"))).to_contain_text("MPP Kota Kendari")
    assert_no_axe_violations(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "kinerja-01")

    # On a 360 px phone the figures scroll sideways inside their region; each row's name stays beside them.
    region = page.get_by_role("region", name=re.compile("Per MPP"))
    name = page.get_by_role("rowheader", name="MPP Kota Kendari")
    wait = page.get_by_role("columnheader", name="Median tunggu (menit)")
    assert region.evaluate("el => el.scrollWidth > el.clientWidth"), "the table fits: nothing to scroll"
    region.evaluate("el => { el.scrollIntoView({ block: 'center' }); el.scrollLeft = el.scrollWidth; }")
    box, shown, last = region.bounding_box(), name.bounding_box(), wait.bounding_box()
    assert box["x"] <= shown["x"] and shown["x"] + shown["width"] <= box["x"] + box["width"], (box, shown)
    assert last["x"] + last["width"] <= box["x"] + box["width"] + 1, (box, last)  # the last column came into view
    assert last["x"] >= shown["x"] + shown["width"] - 1, (shown, last)  # beside the name, not under it
    on_top = """el => {
        const r = el.getBoundingClientRect();
        return el.contains(document.elementFromPoint(r.x + 4, r.y + 4));
    }"""
    assert name.evaluate(on_top), "a figure is drawn over the name"
    shot(page, "kinerja-01-digeser")
    page.get_by_role("link", name="MPP Kota Kendari").click()
    expect(page.get_by_role("img", name=re.compile("Permohonan masuk per bulan"))).to_be_visible()
    expect(page.get_by_role("table", name=re.compile("Per instansi"))).to_contain_text("Disdukcapil")
    assert_no_axe_violations(page)
    shot(page, "kinerja-02-mpp")


def test_the_officer_survey_page_is_accessible_with_results(app, base_url, as_user, make_user, officer, demo):
    from .test_performance import _served

    _served(app, make_user, officer, 5)
    desk = as_user(officer)
    desk.goto(f"{base_url}/petugas/survei")
    expect(desk.get_by_role("heading", level=1)).to_contain_text("Survei kepuasan masyarakat")
    expect(desk.locator(".ikm-value")).to_have_text("75,00")
    assert_no_axe_violations(desk)
    shot(desk, "survei-petugas")


def test_a_complaint_written_offline_is_sent_once_when_the_connection_is_back(app, base_url, as_user, citizen, demo):
    phone = as_user(citizen)
    phone.goto(f"{base_url}/pengaduan/baru")
    phone.wait_for_function("() => window.mppDraftsReady !== undefined")
    phone.evaluate("window.mppDraftsReady")
    phone.get_by_label("Aspirasi").check()
    phone.get_by_label("MPP mana?").select_option("kota-batam")
    phone.get_by_label("Judul").fill("Tambah kursi di ruang tunggu")
    phone.get_by_label("Apa yang terjadi?").fill("Banyak lansia berdiri menunggu giliran.")
    phone.context.set_offline(True)
    phone.get_by_role("button", name="Kirim laporan").click()
    expect(phone.locator("#draft-status")).to_contain_text("Tidak ada koneksi")
    assert_no_axe_violations(phone)
    with app.app_context():
        assert db.session.scalar(select(func.count(Complaint.id))) == 0
    phone.context.set_offline(False)
    expect(phone.locator("h1 .tracking-number")).to_have_text(re.compile(r"ADU-\w{4}-\w{4}"), timeout=15000)
    with app.app_context():
        assert db.session.scalar(select(func.count(Complaint.id))) == 1


def test_a_complaint_being_written_is_kept_on_the_phone_keystroke_by_keystroke_until_sent_or_signed_out(
    app, base_url, as_user, citizen, demo
):
    from tests.applications.drafts_browser import RAW_DEVICE_DRAFT, drafts_ready, wait_saved_on_device

    draft_id = "pengaduan-baru"
    phone = as_user(citizen)
    puts = []
    phone.context.on("request", lambda request: request.method == "PUT" and puts.append(request.url))
    phone.goto(f"{base_url}/pengaduan/baru")
    drafts_ready(phone)
    phone.context.set_offline(True)  # written in a place without signal
    phone.get_by_label("Aspirasi").check()
    phone.get_by_label("MPP mana?").select_option("kota-batam")
    phone.get_by_label("Judul").fill("Tambah kursi di ruang tunggu")
    phone.get_by_label("Apa yang terjadi?").press_sequentially("Banyak lansia berdiri", delay=20)
    wait_saved_on_device(phone, draft_id, "isi", "Banyak lansia berdiri")  # each keystroke, not only on submit
    phone.close()  # the phone's battery dies mid-sentence

    phone = phone.context.new_page()
    phone.context.set_offline(False)
    phone.goto(f"{base_url}/pengaduan/baru")
    drafts_ready(phone)
    expect(phone.get_by_label("Apa yang terjadi?")).to_have_value("Banyak lansia berdiri")
    expect(phone.get_by_label("Judul")).to_have_value("Tambah kursi di ruang tunggu")
    expect(phone.get_by_label("Aspirasi")).to_be_checked()
    expect(phone.get_by_label("MPP mana?")).to_have_value("kota-batam")
    expect(phone.locator("#draft-status")).to_contain_text("Isian dipulihkan dari perangkat ini.")
    assert_no_axe_violations(phone)
    shot(phone, "pengaduan-draf-dipulihkan")
    assert puts == []  # a device draft: nothing of it went to the account
    with app.app_context():
        assert db.session.scalar(select(func.count(Complaint.id))) == 0

    phone.get_by_label("Apa yang terjadi?").press_sequentially(" menunggu giliran.", delay=10)
    phone.get_by_role("button", name="Kirim laporan").click()
    expect(phone.locator("h1 .tracking-number")).to_have_text(re.compile(r"ADU-\w{4}-\w{4}"), timeout=15000)
    with app.app_context():
        assert db.session.scalar(select(Complaint.body)) == "Banyak lansia berdiri menunggu giliran."
    assert phone.evaluate(RAW_DEVICE_DRAFT, draft_id) is None  # sent: nothing stays behind on the phone

    phone.goto(f"{base_url}/pengaduan/baru")
    drafts_ready(phone)
    expect(phone.get_by_label("Judul")).to_have_value("")
    phone.get_by_label("Judul").fill("Draf kedua")
    wait_saved_on_device(phone, draft_id, "judul", "Draf kedua")
    phone.goto(f"{base_url}/akun")
    phone.locator('form[action="/keluar"]').first.evaluate("form => form.requestSubmit()")
    phone.wait_for_url(f"{base_url}/keluar")
    drafts_ready(phone)
    wait_for_js(phone, "async () => !(await indexedDB.databases()).some((db) => db.name === 'mpp-drafts')")


def test_the_mpp_admin_sets_survey_weights_and_sees_a_sum_that_is_not_one_refused(
    app, base_url, as_user, make_staff, demo
):
    from app.feedback.models import SurveyUnsur

    admin = make_staff(Role.MPP_ADMIN, agency=None, name="Admin Survei")
    desk = as_user(admin)
    desk.goto(f"{base_url}/petugas/survei")
    desk.get_by_role("link", name="Unsur dan bobot survei").click()
    expect(desk.get_by_role("heading", level=1)).to_have_text("Unsur dan bobot survei")
    assert_no_axe_violations(desk)
    shot(desk, "survei-unsur-01")
    for i in range(1, 10):
        desk.locator(f"#f-bobot_u{i}").fill("0,11")
    desk.get_by_role("button", name="Simpan bobot").click()
    expect(desk.locator("#f-jumlah-error")).to_contain_text("99/100")
    expect(desk.locator("#f-bobot_u1")).to_have_value("0,11")
    assert_no_axe_violations(desk)
    assert desk.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(desk, "survei-unsur-02-galat")
    for i in range(1, 10):
        desk.locator(f"#f-bobot_u{i}").fill("1/10")
    desk.get_by_label("Nama unsur").first.fill("Kebersihan")
    desk.get_by_label("Pertanyaan untuk warga").first.fill("Seberapa bersih ruang layanan MPP?")
    desk.locator("#f-bobot_x1").fill("10%")
    desk.get_by_role("button", name="Simpan bobot").click()
    expect(desk.get_by_text("MPP ini memakai bobot sendiri.")).to_be_visible()
    expect(desk.locator("#f-bobot_x1")).to_have_value("0.1")
    assert_no_axe_violations(desk)
    shot(desk, "survei-unsur-03-tersimpan")
    with app.app_context():
        assert db.session.scalar(select(func.count(SurveyUnsur.id))) == 10


def test_complaint_steps_are_in_the_audit_log_page(
    app, base_url, as_user, client, citizen, signed_in, officer, make_staff, demo
):
    from .test_complaints import file, staff_step, the_complaint

    admin = make_staff(Role.MPP_ADMIN, agency=None, name="Admin Pengaduan")
    signed_in(client, citizen)
    file(client)
    number = the_complaint(app).number
    signed_in(client, admin)
    staff_step(client, number, "verifikasi")
    staff_step(client, number, "diarsipkan", alasan="Laporan ganda, sudah ditangani.")
    desk = as_user(admin)
    desk.goto(f"{base_url}/petugas/audit")
    desk.get_by_label("Nomor permohonan atau pengaduan").fill(number)
    desk.get_by_role("button", name="Tampilkan").click()
    expect(desk.locator("table.bo-audit tbody tr")).to_have_count(2)
    expect(desk.locator("table.bo-audit")).to_contain_text("verifikasi → diarsipkan. Laporan ganda, sudah ditangani.")
    assert_no_axe_violations(desk)
    shot(desk, "audit-pengaduan")


def test_the_performance_page_reads_offline_once_visited(app, page, base_url, make_user, officer, demo):
    from tests.pwa.worker import goto_controlled, visit_and_store

    from .test_performance import _served

    _served(app, make_user, officer, 5)
    goto_controlled(page, f"{base_url}/")
    visit_and_store(page, "/kinerja")
    page.context.set_offline(True)
    page.reload()
    expect(page.get_by_role("img", name=re.compile("IKM per MPP"))).to_be_visible()
    expect(page.get_by_role("table", name=re.compile("Per MPP"))).to_contain_text("MPP Kota Kendari")
    expect(page.locator("#offline-banner")).to_be_visible()
    page.context.set_offline(False)


def test_a_submission_taken_by_the_page_loads_own_flush_still_answers_the_form(app, base_url, as_user, citizen, demo):
    """Every page load flushes the outbox; a tap on "Kirim" before that flush got the lock puts the submission
    behind it, so the load's flush sends it. Its answer is still the form's: the messages appear next to the
    fields (a plain post with the same key), not a notice over a form left disabled."""
    phone = as_user(citizen)
    # Hold the outbox lock before any script of the page runs, so the load's flush waits for the test.
    phone.add_init_script(
        "navigator.locks.request('mpp-outbox', () => new Promise((release) => { self.releaseOutbox = release; }))"
    )
    phone.goto(f"{base_url}/pengaduan/baru")
    pending = "(await navigator.locks.query()).pending.filter((lock) => lock.name === 'mpp-outbox').length"
    wait_for_js(phone, f"async () => {pending} === 1")  # the load's flush waits
    phone.get_by_label("Judul").fill("Antrean")  # the description is missing: the server refuses it
    phone.get_by_role("button", name="Kirim laporan").click()
    wait_for_js(phone, f"async () => {pending} === 2")  # the submit's own flush waits behind it
    phone.evaluate("self.releaseOutbox()")
    expect(phone.locator("#f-isi-error")).to_be_visible(timeout=15000)
    expect(phone.get_by_label("Judul")).to_have_value("Antrean")
    with app.app_context():
        assert db.session.scalar(select(func.count(Complaint.id))) == 0
