"""Result documents: the generated PDF carries the code and a QR of the verification URL; /verifikasi says genuine,
revoked or not found without personal data; only the owner downloads; only the acting officer revokes."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select

from app.accounts.models import Role
from app.applications.models import Application
from app.backoffice import casework
from app.backoffice.models import AuditAction, AuditEntry
from app.extensions import db
from app.results import codes, pdf
from app.results.issue import mask_name, verify_url
from app.results.models import ResultVerification, VerificationStatus
from app.storage import storage

from ..applications.conftest import PERSON
from ..backoffice.conftest import submit_application


def verification(app, number: str) -> ResultVerification:
    with app.app_context():
        row = db.session.scalar(
            select(ResultVerification).join(Application).where(Application.tracking_number == number)
        )
        db.session.expunge(row)
        return row


def result_bytes(app, number: str) -> bytes:
    with app.app_context():
        application = db.session.scalar(select(Application).where(Application.tracking_number == number))
        return casework.open_result(casework.result_of(application)).read()


def test_codes_are_long_unambiguous_and_forgiving_to_type():
    code = codes.new_code()
    assert codes.BITS >= 80 and len(code) == 20
    assert not set(code) & set("0O1IL")
    assert codes.normalize(codes.display(code).lower()) == code
    assert codes.normalize(" " + codes.display(code).replace("-", " ") + " ") == code
    assert codes.normalize("ABCD") is None and codes.normalize("O" * 20) is None and codes.normalize("x" * 100) is None
    assert len({codes.new_code() for _ in range(2000)}) == 2000


def test_names_are_masked_word_by_word():
    assert mask_name("Budi Santoso") == "B*** S******"
    assert mask_name("  Siti  ") == "S***"
    assert mask_name("") == "*"


def test_generated_pdf_has_the_code_the_details_and_a_qr_of_the_verification_url(app, completed):
    row = verification(app, completed)
    data = result_bytes(app, completed)
    reader = PdfReader(io.BytesIO(data))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert codes.display(row.code) in text
    assert "BUKTI PENYELESAIAN LAYANAN" in text
    assert completed in text and "Siti Rahayu" in text and "Dinas Kependudukan" in text
    assert "MPP Kota Kendari" in text
    with app.test_request_context():
        url = verify_url(row.code)
    assert url == f"{app.config['PUBLIC_ORIGIN']}/verifikasi/{codes.display(row.code)}"
    assert url in text
    # segno cannot decode, so compare the QR printed in the PDF with a fresh QR of the expected URL, module by module.
    embedded = reader.pages[0].images[0].image.convert("1")
    expected = Image.open(io.BytesIO(pdf.qr_png(pdf.qr_for(url)))).convert("1")
    assert embedded.size == expected.size and embedded.tobytes() == expected.tobytes()


def test_verification_page_for_a_genuine_document_shows_no_personal_data(app, client, completed):
    row = verification(app, completed)
    soup = client.get_page(f"/verifikasi/{codes.display(row.code)}")
    assert soup.h1.get_text(strip=True) == "Dokumen asli"
    text = soup.get_text(" ")
    assert "S*** R*****" in text and "KTP-el" in text
    assert "Dinas Kependudukan dan Pencatatan Sipil" in text and "MPP Kota Kendari" in text
    for secret in ("Siti Rahayu", PERSON["nik"], completed, "siti@contoh.id"):
        assert secret not in text
    response = client.get(f"/verifikasi/{codes.display(row.code)}")
    assert response.headers["Cache-Control"] == "no-store"
    assert "X-MPP-Offline" not in response.headers


def test_a_code_typed_loosely_lands_on_the_canonical_page(app, client, completed):
    row = verification(app, completed)
    response = client.get(f"/verifikasi?kode={row.code.lower()}")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/verifikasi/{codes.display(row.code)}")
    assert client.get(f"/verifikasi/{row.code.lower()}").status_code == 301


@pytest.mark.parametrize("code", ["ABCD-EFGH-JKMN-PQRS-TWXY", "bukan-kode", "<img src=x onerror=alert(1)>"])
def test_an_unknown_or_malformed_code_is_not_found(client, code):
    soup = client.get_page(f"/verifikasi/{code}", expected_status=404)
    assert soup.h1.get_text(strip=True) == "Dokumen tidak ditemukan"
    assert soup.find("img", attrs={"onerror": True}) is None


def test_the_form_explains_a_malformed_code_and_keeps_it(client):
    soup = client.get_page("/verifikasi?kode=12345", expected_status=422)
    field = soup.find(id="f-kode")
    assert field["value"] == "12345" and field["aria-invalid"] == "true"
    assert "f-kode-error" in field["aria-describedby"]
    client.get_page("/verifikasi")


def test_verification_is_rate_limited(client):
    statuses = [client.get("/verifikasi/ABCD-EFGH-JKMN-PQRS-TWXY").status_code for _ in range(31)]
    assert statuses[:30] == [404] * 30 and statuses[30] == 429


def test_only_the_owner_downloads_the_result(app, client, citizen, other_citizen, signed_in, completed):
    assert client.get(f"/permohonan/{completed}/hasil").status_code in (302, 303)  # anonymous: sign in first
    signed_in(client, other_citizen)
    assert client.get(f"/permohonan/{completed}/hasil").status_code == 404
    signed_in(client, citizen)
    response = client.get(f"/permohonan/{completed}/hasil")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.data.startswith(b"%PDF")


def test_a_result_file_missing_from_storage_is_a_404_not_a_500(app, client, citizen, signed_in, completed):
    with app.app_context():
        application = db.session.scalar(select(Application).where(Application.tracking_number == completed))
        storage().delete(casework.result_name(casework.result_of(application)))
    signed_in(client, citizen)
    assert client.get(f"/permohonan/{completed}/hasil").status_code == 404


def test_the_acting_officer_revokes_with_a_reason_and_the_public_page_says_so(
    app, client, signed_in, officer, make_staff, completed
):
    url = f"/petugas/permohonan/{completed}/hasil/cabut"
    other_mpp = make_staff(Role.OFFICER, mpp="kota-batam", name="Petugas Batam")
    signed_in(client, other_mpp)
    assert client.get(url).status_code == 404
    signed_in(client, officer)
    soup = client.post_page(url, data={"alasan": "   "}, expected_status=422)
    assert soup.find(id="f-alasan")["aria-invalid"] == "true"
    assert verification(app, completed).status == VerificationStatus.VALID
    response = client.post(url, data={"alasan": "Salah terbit: nama pemohon keliru"})
    assert response.status_code == 303
    row = verification(app, completed)
    assert row.status == VerificationStatus.REVOKED and row.revoked_at is not None
    soup = client.get_page(f"/verifikasi/{codes.display(row.code)}")
    assert soup.h1.get_text(strip=True) == "Dokumen dicabut"
    assert "Salah terbit" not in soup.get_text()  # the reason is internal


def test_a_revocation_is_its_own_audit_action_shown_to_the_mpp_admin(
    app, client, signed_in, officer, make_staff, completed
):
    signed_in(client, officer)
    assert (
        client.post(f"/petugas/permohonan/{completed}/hasil/cabut", data={"alasan": "Salah terbit"}).status_code == 303
    )
    with app.app_context():
        # Stored and read back through the real migrated table: no CHECK constraint limits the action values.
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == AuditAction.RESULT_REVOKED))
        assert entry is not None and entry.reason == "Salah terbit" and entry.actor_name == "Andi Petugas"
        assert entry.object_type == "verification" and entry.application.tracking_number == completed
    box = client.get_page(f"/petugas/permohonan/{completed}").select_one(".bo-result")
    assert "Dicabut" in box.get_text() and box.find("a", string="Lihat alasan pencabutan")
    signed_in(client, make_staff(Role.MPP_ADMIN, agency=None, name="Admin Kendari"))
    soup = client.get_page(f"/petugas/audit?tindakan={AuditAction.RESULT_REVOKED.value}")
    rows = soup.select("tbody tr")
    assert len(rows) == 1 and "Dokumen hasil dicabut" in rows[0].get_text(" ")
    option = soup.find("option", attrs={"value": AuditAction.RESULT_REVOKED.value})
    assert option.has_attr("selected") and option.get_text(strip=True) == "Dokumen hasil dicabut"


def test_the_owner_sees_the_result_with_its_code_and_downloads_it(app, client, citizen, signed_in, completed):
    row = verification(app, completed)
    signed_in(client, citizen)
    soup = client.get_page(f"/permohonan/{completed}")
    box = soup.select_one(".applicant-result")
    assert box.h2.get_text(strip=True) == "Dokumen hasil"
    link = box.find("a", href=f"/permohonan/{completed}/hasil")
    assert link.get_text(strip=True) == "Unduh hasil (PDF)"
    assert box.select_one("dd.code").get_text(strip=True) == codes.display(row.code)
    assert "memeriksa keaslian dokumen ini" in box.get_text(" ")
    assert box.find("a", href="/verifikasi") and box.find("a", href=f"/verifikasi/{codes.display(row.code)}")
    download = client.get(link["href"])
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert codes.display(row.code) in " ".join(p.extract_text() for p in PdfReader(io.BytesIO(download.data)).pages)


def test_another_citizen_gets_404_for_the_page_and_the_result(client, other_citizen, signed_in, completed):
    signed_in(client, other_citizen)
    client.get_page(f"/permohonan/{completed}", expected_status=404)
    assert client.get(f"/permohonan/{completed}/hasil").status_code == 404


def test_the_owner_is_told_plainly_when_the_result_was_revoked(app, client, citizen, signed_in, officer, completed):
    signed_in(client, officer)
    client.post(f"/petugas/permohonan/{completed}/hasil/cabut", data={"alasan": "Nama pemohon keliru"})
    signed_in(client, citizen)
    soup = client.get_page(f"/permohonan/{completed}")
    box = soup.select_one(".applicant-result")
    notice = box.select_one(".notice.error").get_text(" ", strip=True)
    assert "Instansi telah mencabut dokumen hasil ini. Dokumen ini tidak berlaku lagi." in notice
    assert "Dicabut pada" in notice
    assert "Nama pemohon keliru" not in soup.get_text()  # the officer's reason is internal (audit log)
    assert box.find("a", href=f"/permohonan/{completed}/hasil") is None
    assert box.select_one("dd.code").get_text(strip=True) == codes.display(verification(app, completed).code)


def test_an_application_not_completed_shows_no_result_yet(app, client, citizen, signed_in, demo):
    number = submit_application(app, citizen)
    signed_in(client, citizen)
    assert client.get_page(f"/permohonan/{number}").select_one(".applicant-result") is None
