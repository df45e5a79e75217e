"""The whole journey in one real Chromium run, the way one citizen and one officer use MPP Digital together.

A citizen on a 360 px phone (its own virtual authenticator) finds a service by typing what people type, reads its
standard, signs up with a passkey (the e-mail code read from the mail folder), keeps the recovery codes, fills Data
Saya once, uploads a KTP and a KK scan to Dokumen Saya, applies for a KTP-el replacement at MPP Kota Kendari with the
form prefilled from Data Saya, turns push on and submits. A Disdukcapil officer of Kota Kendari, enrolled through an
invitation link on a second device (its own browser context and authenticator), finds the application in the inbox,
opens it (the citizen's Riwayat akses records it), verifies, processes and completes it with a generated result.
The citizen follows the timeline, the inbox and a real Web Push delivered to the local push service, downloads the
result, checks its code at /verifikasi, and signs out: the phone forgets the account's drafts and pages.

Every step asserts what the person sees and what the database holds. Set MPP_SHOTS to a folder to keep a screenshot
of each step.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import func, select

from app.accounts.models import AuthSession, RecoveryCode, User
from app.applications.models import Application, ApplicationStatus, Draft
from app.extensions import db
from app.notifications.models import Notification, PushSubscription
from app.personal.models import AccessLog, Document, Profile
from app.results.models import ResultVerification, VerificationStatus

from .accounts.conftest import mailbox  # noqa: F401  (fixture: the mail folder the sign-up code is read from)
from .accounts.test_browser import add_authenticator, sign_out, sign_up
from .backoffice.test_browser import _invitation_link
from .helpers import look, shot, wait_for_arrival, wait_until
from .notifications.conftest import push_service, queue  # noqa: F401  (fixtures: local push service, job queue)
from .notifications.test_browser import FAKE_PUSH_MANAGER
from .personal.conftest import jpeg_with_exif, png_bytes

NAME, EMAIL = "Siti Rahayu", "siti.rahayu@contoh.id"
# Kota Kendari (74.71.01), a woman (day 01 + 40) born 1 January 1990: the NIK structure of Permendagri 72/2019.
NIK = "7471014101900001"
VERIFY_CODE = re.compile(r"\b[0-9A-Z]{4}(?:-[0-9A-Z]{4}){4}\b")


def main_text(page) -> str:
    return " ".join(page.inner_text("main").split())


def one(app, statement):
    with app.app_context():
        row = db.session.scalar(statement)
        if row is not None and hasattr(row, "__table__"):
            db.session.expunge(row)
        return row


def next_step(page) -> None:
    current = page.url
    page.get_by_role("button", name="Simpan dan lanjutkan").click()
    page.wait_for_url(lambda url: url != current)


# --- the citizen, before the officer ------------------------------------------------------------------------------


def find_and_read_the_service(page, base_url) -> None:
    page.goto(f"{base_url}/")
    look(page, "j01-beranda")
    page.get_by_label("Cari layanan").fill("akte lahir")
    page.get_by_label("Cari layanan").press("Enter")
    page.wait_for_url(re.compile(r".*/layanan\?q=akte"))
    expect(page.get_by_role("link", name="Penerbitan Akta Kelahiran").first).to_be_visible()
    look(page, "j02-cari-akte-lahir")

    page.locator("#q").fill("ktp")
    page.locator("#q").press("Enter")
    page.wait_for_url(re.compile(r".*q=ktp.*"))
    page.get_by_role("link", name="Penggantian KTP-el Hilang atau Rusak").first.wait_for()
    look(page, "j03-cari-ktp")
    page.get_by_role("link", name="Penggantian KTP-el Hilang atau Rusak").first.click()
    page.wait_for_url(f"{base_url}/layanan/ktp-el-hilang-rusak")
    standard = main_text(page)
    for heading in ("Persyaratan", "Prosedur", "Biaya", "Dasar hukum", "MPP Kota Kendari"):
        assert heading in standard, heading
    assert "Gratis" in standard  # Adminduk documents are free of charge (UU 24/2013 Pasal 79A)
    look(page, "j04-standar-layanan")

    # Applying needs an account: the citizen is sent to sign in, and from there to sign up.
    page.get_by_role("link", name="Ajukan online").click()
    page.wait_for_url(re.compile(r".*/masuk.*"))
    expect(page.get_by_role("link", name="Daftar akun")).to_be_visible()
    shot(page, "j05-perlu-masuk")


def sign_up_and_keep_the_recovery_codes(app, page, base_url, mailbox) -> int:  # noqa: F811
    codes = sign_up(page, base_url, mailbox, name=NAME, email=EMAIL, from_sign_in=True)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert "Kode hanya ditampilkan sekali ini" in main_text(page)
    look(page, "j06-kode-pemulihan")
    user = one(app, select(User).where(User.email == EMAIL))
    with app.app_context():
        stored = db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)).all()
    assert len(stored) == 10 and not set(codes) & set(stored), "recovery codes are stored only as hashes"
    page.get_by_role("button", name="Saya sudah menyimpan kode").click()
    # Sign-up kept where the citizen was going: straight on to the apply page of the service they had read.
    page.wait_for_url(f"{base_url}/layanan/ktp-el-hilang-rusak/ajukan")
    expect(page.get_by_role("button", name="Mulai permohonan")).to_be_visible()
    page.goto(f"{base_url}/akun")
    expect(page.get_by_text(f"Masuk sebagai {NAME}")).to_be_visible()
    look(page, "j07-akun")
    return user.id


def fill_data_saya(app, page, base_url, user_id: int) -> None:
    page.goto(f"{base_url}/akun/data")
    page.fill("#f-nik", NIK)
    page.fill("#f-full_name", NAME)
    page.fill("#f-birth_place", "Kendari")
    page.fill("#f-birth_date", "1990-01-01")
    page.select_option("#f-sex", "P")
    page.fill("#f-address_street", "Jl. Ahmad Yani No. 12")
    page.fill("#f-rt", "003")
    page.fill("#f-rw", "004")
    page.fill("#f-kelurahan", "Bende")
    page.fill("#f-kecamatan", "Kadia")
    page.fill("#f-kabupaten_kota", "Kota Kendari")
    page.fill("#f-province", "Sulawesi Tenggara")
    page.fill("#f-postal_code", "93117")
    page.fill("#f-phone", "081234567890")
    page.get_by_role("button", name="Simpan", exact=True).click()
    page.get_by_text("Data Anda sudah disimpan").wait_for()
    assert page.locator(".field-warning").count() == 0, "the NIK agrees with the birth date and sex typed"
    look(page, "j08-data-saya")
    profile = one(app, select(Profile).where(Profile.user_id == user_id))
    assert (profile.nik, profile.full_name, profile.kelurahan) == (NIK, NAME, "Bende")


def upload_to_dokumen_saya(app, page, base_url, user_id: int, tmp_path) -> None:
    page.goto(f"{base_url}/akun/dokumen")
    scans = (("ktp", "ktp.jpg", jpeg_with_exif()), ("kk", "kk.png", png_bytes((300, 200))))
    for count, (kind, name, data) in enumerate(scans, start=1):
        path = tmp_path / name
        path.write_bytes(data)
        page.select_option("#f-document_type", kind)
        page.set_input_files("#f-file", str(path))
        page.get_by_role("button", name="Unggah").click()
        page.locator(".document-item").nth(count - 1).wait_for()
        assert "telah disimpan" in page.locator(".notice.success").inner_text()
        assert re.search(r"/akun/dokumen\?diunggah=\d+$", page.url)
    assert page.locator(".document-item").count() == 2
    look(page, "j09-dokumen-saya")
    with app.app_context():
        kinds = db.session.scalars(select(Document.document_type).where(Document.user_id == user_id)).all()
    assert sorted(k.value for k in kinds) == ["kk", "ktp"]


def apply_at_kendari(app, page, base_url, user_id: int) -> str:
    page.goto(f"{base_url}/layanan/ktp-el-hilang-rusak/ajukan")
    look(page, "j10-mulai-permohonan")
    page.get_by_role("button", name="Mulai permohonan").click()
    page.wait_for_url("**/pemohon")
    # Sekali input data: what Data Saya holds is already in the form, and the form says where it came from.
    assert page.input_value("#f-nik") == NIK
    assert page.input_value("#f-nama") == NAME
    assert page.input_value("#f-tanggal_lahir") == "1990-01-01"
    assert page.is_checked("#f-jenis_kelamin-2")
    expect(page.get_by_text("Diisi dari Data Saya").first).to_be_visible()
    look(page, "j11-pemohon-terisi")
    next_step(page)
    assert page.input_value("#f-alamat-village") == "Bende"
    assert page.input_value("#f-no_hp") == "081234567890"
    shot(page, "j12-alamat-terisi")
    next_step(page)
    page.check("#f-alasan")  # hilang
    page.fill("#f-tanggal_kejadian", "2026-01-05")
    next_step(page)
    page.fill("#f-nomor_laporan", "SKTLK/123/I/2026/Polresta Kendari")
    next_step(page)
    if page.url.endswith("/lokasi"):
        page.get_by_label("MPP Kota Kendari").check()
        look(page, "j13-pilih-mpp")
        next_step(page)
    assert page.url.endswith("/dokumen")
    # The KK uploaded once to Dokumen Saya is offered here; the citizen picks it instead of uploading again.
    page.locator("#f-dokumen-kk").check()
    look(page, "j14-pilih-dokumen")
    next_step(page)

    page.wait_for_url("**/periksa")
    check = main_text(page)
    for answer in (NAME, "MPP Kota Kendari", "Hilang", "SKTLK/123/I/2026/Polresta Kendari", "Bende"):
        assert answer in check, answer
    look(page, "j15-periksa")
    page.check("#f-pernyataan")
    page.get_by_role("button", name="Ajukan permohonan").click()
    wait_for_arrival(page, re.compile(r".*/permohonan/[^/]+\?terkirim=1"))
    number = page.url.rsplit("/", 1)[1].split("?")[0]
    expect(page.get_by_text("Permohonan Anda telah diajukan")).to_be_visible()
    assert number in main_text(page)

    with app.app_context():
        application = db.session.scalar(select(Application).where(Application.tracking_number == number))
        assert application.user_id == user_id and application.status == ApplicationStatus.SUBMITTED
        assert application.mpp.slug == "kota-kendari" and application.due_date is not None
        assert application.latest_revision.answers["nik"] == NIK
    return number


def turn_on_push(app, page, base_url, user_id: int) -> None:
    """On the confirmation page, the moment the citizen wants to know what happens next."""
    page.context.grant_permissions(["notifications"], origin=base_url)
    box = page.locator("[data-push-opt-in]")
    box.wait_for(state="visible")
    box.get_by_role("button", name="Aktifkan notifikasi").click()
    page.get_by_text("Notifikasi aktif di perangkat ini.").wait_for()
    look(page, "j16-terkirim")
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(PushSubscription.user_id == user_id)) == 1


# --- the officer --------------------------------------------------------------------------------------------------


def officer_enrols(app, desk, base_url) -> None:
    add_authenticator(desk)
    desk.goto(_invitation_link(app, base_url))
    look(desk, "j20-undangan-petugas")
    desk.get_by_role("button", name="Buat passkey dan terima undangan").click()
    desk.wait_for_url(f"{base_url}/petugas")


def act(desk, button: str, name: str) -> None:
    desk.get_by_role("button", name=button).click()
    desk.wait_for_selector(".notice.success")
    look(desk, name)


# --- the test -----------------------------------------------------------------------------------------------------


def test_a_citizen_and_an_officer_take_one_application_from_search_to_a_verified_result(
    app,
    page,
    browser,
    browser_context_args,
    base_url,
    demo_data,
    mailbox,  # noqa: F811
    push_service,  # noqa: F811
    queue,  # noqa: F811
    tmp_path,
):
    phone = push_service.subscriber()
    page.context.add_init_script(FAKE_PUSH_MANAGER % json.dumps(phone.as_json()))
    add_authenticator(page)

    find_and_read_the_service(page, base_url)
    user_id = sign_up_and_keep_the_recovery_codes(app, page, base_url, mailbox)
    fill_data_saya(app, page, base_url, user_id)
    upload_to_dokumen_saya(app, page, base_url, user_id, tmp_path)
    number = apply_at_kendari(app, page, base_url, user_id)
    turn_on_push(app, page, base_url, user_id)
    page.goto(f"{base_url}/akun/privasi")
    assert "Belum ada pihak lain yang membuka data Anda" in main_text(page)

    # A second device: the officer's own browser, own passkey.
    officer_context = browser.new_context(**browser_context_args)
    try:
        desk = officer_context.new_page()
        officer_enrols(app, desk, base_url)
        desk.get_by_role("link", name=number).wait_for()
        look(desk, "j21-kotak-masuk")
        desk.get_by_role("link", name=number).click()
        desk.wait_for_url(f"{base_url}/petugas/permohonan/{number}")
        assert NAME in main_text(desk)
        look(desk, "j22-buka-permohonan")

        # Opening it is on the citizen's Riwayat akses, with who, which agency and why.
        page.goto(f"{base_url}/akun/privasi")
        history = page.locator("#riwayat-akses").inner_text()
        assert "Andi Petugas" in history
        look(page, "j17-riwayat-akses")
        officer_id = one(app, select(User.id).where(User.display_name == "Andi Petugas"))
        with app.app_context():
            accesses = db.session.scalars(select(AccessLog).where(AccessLog.subject_id == user_id)).all()
            assert accesses and {a.actor_id for a in accesses} == {officer_id}

        act(desk, "Verifikasi: data dan dokumen lengkap", "j23-diverifikasi")
        act(desk, "Mulai proses", "j24-diproses")
        desk.fill("#f-reason-selesai", "KTP-el dapat diambil di loket Disdukcapil MPP Kota Kendari.")
        desk.check("#f-result_choice-selesai")  # generate the result document (code and QR) instead of uploading
        act(desk, "Selesaikan dan lampirkan hasil", "j25-selesai")
    finally:
        officer_context.close()

    application = one(app, select(Application).where(Application.tracking_number == number))
    assert application.status == ApplicationStatus.COMPLETED

    # The outbox written with each change is delivered by the worker: real Web Push to the citizen's phone.
    queue.run()
    pushed = push_service.messages_for(phone)
    about_the_application = [m for m in pushed if m.payload["url"] == f"/permohonan/{number}"]
    survey_invitations = [m for m in pushed if m.payload["url"].startswith("/survei/")]
    # Every status change reached the phone, and the finished outcome brought the SKM invitation (issue 11).
    assert len(about_the_application) >= 1 and len(survey_invitations) == 1
    assert len(about_the_application) + len(survey_invitations) == len(pushed)
    assert not push_service.errors

    # The citizen: the timeline, the inbox, the result and its verification.
    page.goto(f"{base_url}/permohonan/{number}")
    timeline = page.locator(".timeline").inner_text()
    for status in ("Diajukan", "Diverifikasi", "Selesai", "KTP-el dapat diambil di loket Disdukcapil"):
        assert status in timeline, status
    look(page, "j30-linimasa-selesai")

    page.goto(f"{base_url}/notifikasi")
    # Three status notices and the survey invitation that the finished outcome brought.
    expect(page.locator(".inbox-item")).to_have_count(4)
    items = page.locator(".inbox-item").all_inner_texts()
    assert sum(number in item for item in items) == 3
    expect(page.locator(".inbox-item a[href^='/survei/']")).to_have_count(1)
    look(page, "j31-notifikasi")
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(Notification.user_id == user_id)) == 4

    page.goto(f"{base_url}/permohonan/{number}")
    with page.expect_download() as download:
        page.get_by_role("link", name="Unduh hasil").click()
    pdf = Path(download.value.path()).read_bytes()
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert number in text
    code = VERIFY_CODE.search(text).group(0)
    assert code in main_text(page), "the page shows the same verification code as the paper"
    with app.app_context():
        verification = db.session.scalar(select(ResultVerification))
        assert verification.status == VerificationStatus.VALID and verification.application_id == application.id

    page.goto(f"{base_url}/verifikasi/{code}")
    assert page.locator("h1").inner_text() == "Dokumen asli"
    assert "Penggantian KTP-el Hilang atau Rusak" in main_text(page)
    assert NAME not in main_text(page), "the public check shows the holder's name only masked"
    look(page, "j32-verifikasi-asli")

    # A draft kept on this phone, then sign-out: the shared phone forgets it and every private page.
    page.goto(f"{base_url}/layanan/akta-kelahiran/ajukan")
    page.get_by_role("button", name="Mulai permohonan").click()
    page.wait_for_selector("form[data-draft-id]")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    wait_until(page, "indexedDB.databases().then(list => list.some(d => d.name === 'mpp-drafts'))")
    sign_out(page, base_url)
    look(page, "j33-keluar")
    wait_until(page, "indexedDB.databases().then(list => !list.some(d => d.name === 'mpp-drafts'))")
    assert page.evaluate("localStorage.getItem('test-push')") is None
    cached = page.evaluate(
        """async () => {
            const paths = [];
            for (const name of await caches.keys()) {
                for (const request of await (await caches.open(name)).keys()) paths.push(new URL(request.url).pathname);
            }
            return paths;
        }"""
    )
    private = [p for p in cached if p.startswith(("/akun", "/permohonan", "/notifikasi", "/petugas"))]
    assert not private, f"private pages left in the phone's caches: {private}"
    with app.app_context():
        # The device forgot its copy; the account's own copy stays on the server, to resume after signing in.
        open_drafts = select(func.count()).where(Draft.user_id == user_id, Draft.submitted_application_id.is_(None))
        assert db.session.scalar(open_drafts) == 1
        live = db.session.scalars(select(AuthSession).where(AuthSession.user_id == user_id)).all()
        assert all(s.revoked_at is not None for s in live), "the server-side session is ended"
    page.goto(f"{base_url}/permohonan/{number}")
    page.wait_for_url(re.compile(r".*/masuk.*"))
    assert NAME not in main_text(page)
