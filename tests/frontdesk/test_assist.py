"""Assisted applications at the front desk, through HTTP: the citizen found by the code on their phone or by an
e-mail code (a new account when the address has none), the form filled in at the counter, and the declaration
confirmed by the citizen — with their own passkey, or on signed paper scanned in. Scope, audit and Riwayat akses."""

from __future__ import annotations

import io
import re

from sqlalchemy import select

from app.accounts.models import Role, User
from app.applications.models import Application, ApplicationStatus, Draft
from app.backoffice.models import AuditAction, AuditEntry
from app.catalog.models import DocumentType
from app.extensions import db
from app.frontdesk.models import AssistedApplication, AssistStatus, ConfirmationMethod, IdentifiedBy
from app.personal.models import AccessLog, Document

from ..applications.conftest import add_document, png_bytes
from ..backoffice.conftest import pdf_bytes, submit_application
from ..helpers import PageClient
from .conftest import OTHER_MPP, begin, fill_form, public_id


def _phone_code(client) -> str:
    soup = client.post_page("/akun/kode-petugas")
    return re.sub(r"\D", "", soup.select_one(".big-code").get_text())


def _assisted(app, page: str) -> AssistedApplication:
    with app.app_context():
        row = db.session.scalar(select(AssistedApplication).where(AssistedApplication.public_id == public_id(page)))
        db.session.expunge(row)
        return row


def test_the_citizen_shows_a_code_the_officer_fills_in_the_form_and_the_citizen_confirms_with_their_passkey(
    app, client, desk, desk_user, flows, authenticator
):
    citizen = flows.sign_up(authenticator, name="Siti Rahayu", email="siti@contoh.id")
    code = _phone_code(client)
    assert len(code) == 6

    page = begin(desk)
    response = desk.post(f"{page}/kode-ponsel", data={"kode_ponsel": f"{code[:3]} {code[3:]}"})
    assert response.status_code == 303
    assert _assisted(app, page).citizen_id == citizen.id
    fill_form(desk, page)
    summary = desk.get_page(page)
    assert "Siti Rahayu" in summary.get_text()
    assert desk.post(f"{page}/minta-konfirmasi").status_code == 303
    assert _assisted(app, page).status == AssistStatus.AWAITING_CITIZEN
    assert "Menunggu konfirmasi warga" in desk.get_page(page).h1.get_text()

    # On the citizen's phone: Akun points to it, the page shows the answers and who helped.
    assert "/akun/bantuan" in client.get("/akun").get_data(as_text=True)
    listing = client.get_page("/akun/bantuan")
    link = listing.select_one(f"a[href$='{public_id(page)}']")
    confirm = client.get_page(link["href"])
    assert "Rina Loket" in confirm.get_text() and "Kendari" in confirm.get_text()
    options = flows.post_json(f"{link['href']}/opsi").get_json()
    response = flows.post_json(f"{link['href']}/konfirmasi", authenticator.get(options))
    assert response.status_code == 200, response.get_json()
    number = re.search(r"/permohonan/([^?]+)", response.get_json()["redirect"]).group(1)

    with app.app_context():
        application = db.session.scalar(select(Application).where(Application.tracking_number == number))
        assert application.user_id == citizen.id and application.status == ApplicationStatus.SUBMITTED
        assisted = db.session.scalar(
            select(AssistedApplication).where(AssistedApplication.public_id == public_id(page))
        )
        assert assisted.status == AssistStatus.CONFIRMED
        assert assisted.confirmation == ConfirmationMethod.PASSKEY
        assert assisted.identified_by == IdentifiedBy.PHONE_CODE
        assert assisted.application_id == application.id
        audit = db.session.scalars(select(AuditEntry).where(AuditEntry.action == AuditAction.ASSIST)).all()
        assert {entry.actor_id for entry in audit} == {desk_user.id, citizen.id}
        assert any(entry.application_id == application.id for entry in audit)
        access = db.session.scalars(select(AccessLog).where(AccessLog.subject_id == citizen.id)).all()
        assert access and all(row.actor_id == desk_user.id for row in access)
        assert all("Rina Loket" in row.purpose and "Kendari" in row.purpose for row in access)

    # The application is the citizen's: it is in their list, and the officer's page now shows only the receipt.
    assert number in client.get("/permohonan").get_data(as_text=True)
    detail = client.get_page(f"/permohonan/{number}")
    assert "Rina Loket" in detail.get_text()
    privacy = client.get_page("/akun/privasi").get_text()
    assert "Dibantu oleh petugas Rina Loket" in privacy
    receipt = desk.get_page(page)
    assert number in receipt.get_text()


def _agency_officer(app, make_user, signed_in) -> PageClient:
    from app.backoffice.models import StaffAssignment, StaffRole
    from app.catalog.models import Agency, Mpp

    officer = make_user("Andi Petugas", role=Role.OFFICER)
    with app.app_context():
        db.session.add(
            StaffAssignment(
                user_id=officer.id,
                role=StaffRole.OFFICER,
                mpp_id=db.session.scalar(select(Mpp.id).where(Mpp.slug == "kota-kendari")),
                agency_id=db.session.scalar(select(Agency.id).where(Agency.slug == "disdukcapil")),
            )
        )
        db.session.commit()
    client = PageClient(app.test_client())
    signed_in(client, officer)
    return client


def test_an_email_code_creates_the_account_and_a_signed_paper_consent_submits_for_a_citizen_without_a_phone(
    app, desk, desk_user, mailbox, smtp_server, make_user, signed_in
):
    page = begin(desk)
    response = desk.post(f"{page}/email", data={"email": "Wati@Contoh.id", "nama": "Wati Lestari"})
    assert response.status_code == 303
    message = mailbox.latest("wati@contoh.id")
    assert "Rina Loket" in mailbox.body(message)
    assert desk.post(f"{page}/kode-email", data={"kode_email": mailbox.code("wati@contoh.id")}).status_code == 303
    with app.app_context():
        wati = db.session.scalar(select(User).where(User.email == "wati@contoh.id"))
        assert wati.role == Role.CITIZEN and wati.display_name == "Wati Lestari"
        wati_id = wati.id
    assert "passkey" in mailbox.body(mailbox.latest("wati@contoh.id"))  # how to use the new account on a phone
    fill_form(desk, page)
    assert desk.post(f"{page}/minta-konfirmasi").status_code == 303

    # Without the officer's statement that the citizen signed, nothing is submitted, and the message says why.
    soup = desk.post_page(
        f"{page}/persetujuan-kertas",
        data={"persetujuan": (io.BytesIO(pdf_bytes()), "persetujuan.pdf")},
        content_type="multipart/form-data",
        expected_status=422,
    )
    assert soup.select_one("#f-ditandatangani-error")
    # A file that is not a PDF or an image is refused next to the field.
    soup = desk.post_page(
        f"{page}/persetujuan-kertas",
        data={"persetujuan": (io.BytesIO(b"MZ\x90\x00 not a pdf"), "x.pdf"), "ditandatangani": "ya"},
        content_type="multipart/form-data",
        expected_status=422,
    )
    assert soup.select_one("#f-persetujuan-error")
    response = desk.post(
        f"{page}/persetujuan-kertas",
        data={"persetujuan": (io.BytesIO(pdf_bytes()), "persetujuan.pdf"), "ditandatangani": "ya"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    with app.app_context():
        assisted = db.session.scalar(
            select(AssistedApplication).where(AssistedApplication.public_id == public_id(page))
        )
        assert assisted.status == AssistStatus.CONFIRMED and assisted.confirmation == ConfirmationMethod.PAPER
        assert assisted.identified_by == IdentifiedBy.EMAIL
        assert assisted.application.user_id == wati_id
        consent = db.session.get(Document, assisted.consent_document_id)
        assert consent.user_id == wati_id and consent.document_type == DocumentType.LAINNYA
        assert consent.sha256 == assisted.consent_sha256
        number = assisted.application.tracking_number
    assert "kertas" in desk.get_page(page).get_text()

    # The agency's officer sees that it was made at the front desk and confirmed on paper.
    officer = _agency_officer(app, make_user, signed_in)
    work_page = officer.get_page(f"/petugas/permohonan/{number}").get_text()
    assert "Dibantu oleh petugas Rina Loket" in work_page and "persetujuan tertulis" in work_page


def test_wrong_codes_and_bad_addresses_get_a_message_next_to_the_field_and_keep_what_was_typed(app, desk, mailbox):
    page = begin(desk)
    soup = desk.post_page(f"{page}/kode-ponsel", data={"kode_ponsel": "123456"}, expected_status=422)
    assert soup.select_one("#f-kode-ponsel-error") and soup.select_one("#f-kode-ponsel")["value"] == "123456"
    soup = desk.post_page(f"{page}/email", data={"email": "bukan-email", "nama": "Wati"}, expected_status=422)
    assert soup.select_one("#f-email-error") and soup.select_one("#f-email")["value"] == "bukan-email"
    soup = desk.post_page(f"{page}/email", data={"email": "baru@contoh.id", "nama": ""}, expected_status=422)
    assert soup.select_one("#f-nama-error")
    soup = desk.post_page(f"{page}/email", data={"email": "<script>@x.id", "nama": "<b>x</b>"}, expected_status=422)
    assert "<script>" not in str(soup.select_one("#f-email"))
    assert desk.post(f"{page}/email", data={"email": "baru@contoh.id", "nama": "Baru"}).status_code == 303
    for _ in range(5):
        desk.post_page(f"{page}/kode-email", data={"kode_email": "000000"}, expected_status=422)
    right = mailbox.code("baru@contoh.id")
    soup = desk.post_page(f"{page}/kode-email", data={"kode_email": right}, expected_status=422)
    assert soup.select_one("#f-kode-email-error")  # five wrong tries voided the code: ask for a new one
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "baru@contoh.id")) is None


def test_an_officer_of_another_mpp_citizens_and_back_office_staff_get_404(
    app, client, desk, citizen, make_desk, make_user, signed_in
):
    page = begin(desk)
    other = PageClient(app.test_client())
    signed_in(other, make_desk(OTHER_MPP, name="Petugas Batam"))
    assert other.get(page).status_code == 404
    assert other.post(f"{page}/kode-ponsel", data={"kode_ponsel": "123456"}).status_code == 404
    assert other.post(f"{page}/batal").status_code == 404
    assert other.post("/petugas/layanan-informasi/mulai", data={"mpp": "kota-kendari"}).status_code == 404
    signed_in(client, citizen)
    assert client.get("/petugas/layanan-informasi").status_code == 404
    assert client.get(page).status_code == 404
    officer = PageClient(app.test_client())
    signed_in(officer, make_user("Andi", role=Role.OFFICER))
    assert officer.get(page).status_code == 404
    anonymous = app.test_client()
    assert anonymous.get(page).status_code in (302, 303)
    # The desk has no back office: /petugas leads to the desk, the inbox and audit stay 404.
    response = desk.get("/petugas")
    assert response.status_code == 303 and response.headers["Location"].endswith("/petugas/layanan-informasi")
    assert desk.get("/petugas/audit").status_code == 404


def test_the_officer_sees_only_the_application_being_made(app, client, desk, citizen, signed_in):
    """No Data Saya prefill, none of the citizen's documents or applications: only what is made at the counter."""
    from app.personal.models import Profile

    other_number = submit_application(app, citizen)
    secret_doc = add_document(app, citizen, "ktp")
    with app.app_context():
        db.session.add(Profile(user_id=citizen.id, full_name="Siti Rahayu", nik="7471014101900001"))
        db.session.get(Document, secret_doc).title = "KTP rahasia Siti"
        db.session.commit()
    signed_in(client, citizen)
    code = _phone_code(client)
    page = begin(desk)
    desk.post(f"{page}/kode-ponsel", data={"kode_ponsel": code})
    response = desk.post(f"{page}/layanan", data={"layanan": "ktp-el-hilang-rusak"})
    first = desk.get_page(response.headers["Location"])
    assert "7471014101900001" not in str(first)
    # Naming one of the citizen's other documents is ignored on the documents screen.
    desk.post(f"{page}/langkah/dokumen", data={"dokumen.kk": str(secret_doc)})
    with app.app_context():
        assisted = db.session.scalar(
            select(AssistedApplication).where(AssistedApplication.public_id == public_id(page))
        )
        assert assisted.draft.answers.get("dokumen.kk", "") == ""
        assert assisted.draft.answers.get("nik", "") == ""
    html = desk.get(f"{page}/langkah/dokumen").get_data(as_text=True) + desk.get(page).get_data(as_text=True)
    assert "KTP rahasia Siti" not in html and other_number not in html
    assert desk.get(f"/permohonan/{other_number}").status_code == 404
    assert desk.get("/akun/dokumen").status_code in (200, 404)  # the officer's own (empty) documents, never Siti's
    assert "KTP rahasia" not in desk.get("/akun/dokumen").get_data(as_text=True)


def test_a_citizen_cannot_confirm_someone_elses_assistance_and_can_refuse_their_own(
    app, client, desk, citizen, other_citizen, signed_in
):
    signed_in(client, citizen)
    code = _phone_code(client)
    page = begin(desk)
    desk.post(f"{page}/kode-ponsel", data={"kode_ponsel": code})
    fill_form(desk, page)
    desk.post(f"{page}/minta-konfirmasi")
    other = PageClient(app.test_client())
    signed_in(other, other_citizen)
    own = f"/akun/bantuan/{public_id(page)}"
    assert other.get(own).status_code == 404
    assert other.post(f"{own}/opsi").status_code == 404
    response = client.post(f"{own}/tolak")
    assert response.status_code == 303
    with app.app_context():
        assisted = db.session.scalar(
            select(AssistedApplication).where(AssistedApplication.public_id == public_id(page))
        )
        assert assisted.status == AssistStatus.CANCELLED and assisted.draft_id is None
        assert db.session.scalar(select(Application.id)) is None
        assert db.session.scalar(select(Draft.id)) is None
    assert png_bytes()  # (helper import kept for the documents upload in fill_form)


def test_the_mpp_admin_reads_every_step_in_the_audit_log_and_can_invite_a_front_desk_officer(
    app, desk, make_user, signed_in, mailbox
):
    from app.backoffice.invitations import InvitationRequest, create_invitation, roles_for
    from app.backoffice.models import StaffAssignment, StaffRole
    from app.backoffice.scope import scope_of
    from app.catalog.models import Mpp

    page = begin(desk)
    desk.post(f"{page}/email", data={"email": "wati@contoh.id", "nama": "Wati"})
    admin = make_user("Admin Kendari", role=Role.MPP_ADMIN)
    with app.app_context():
        mpp_id = db.session.scalar(select(Mpp.id).where(Mpp.slug == "kota-kendari"))
        db.session.add(StaffAssignment(user_id=admin.id, role=StaffRole.MPP_ADMIN, mpp_id=mpp_id))
        db.session.commit()
        scope = scope_of(db.session.get(User, admin.id))
        assert Role.FRONT_DESK in roles_for(scope)
        _invitation, _token = create_invitation(
            scope,
            InvitationRequest(
                email="loket@kendarikota.go.id",
                display_name="Dewi Loket",
                role=Role.FRONT_DESK.value,
                mpp_id=mpp_id,
                agency_id=None,
            ),
        )
    reader = PageClient(app.test_client())
    signed_in(reader, admin)
    log = reader.get_page("/petugas/audit").get_text()
    assert "Pendampingan di loket informasi" in log and "Kode e-mail dikirim" in log and "Rina Loket" in log


def test_the_waiting_page_says_how_a_citizen_without_a_passkey_confirms(app, desk, mailbox):
    page = begin(desk)
    desk.post(f"{page}/email", data={"email": "wati@contoh.id", "nama": "Wati"})
    desk.post(f"{page}/kode-email", data={"kode_email": mailbox.code("wati@contoh.id")})
    fill_form(desk, page)
    desk.post(f"{page}/minta-konfirmasi")
    assert "Akun ini belum memiliki passkey" in desk.get_page(page).get_text()
