"""Completing an application through the work page: the officer chooses to generate the result or upload the
agency's PDF; either way the stored document carries a verification code that /verifikasi confirms, and the status
change, the result, its verification row, the audit entry and the applicant's outbox row commit together."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from app.accounts.models import User
from app.applications.models import Application
from app.applications.models import ApplicationStatus as S
from app.backoffice import casework
from app.backoffice.models import AuditAction, AuditEntry, ResultDocument, ResultSource
from app.backoffice.scope import scope_of
from app.extensions import db
from app.notifications.models import OutboxMessage
from app.results import codes
from app.results.models import ResultVerification
from app.storage import FolderStorage
from tests.helpers import check_page

from .conftest import load, pdf_bytes
from .test_casework import _act


@pytest.fixture
def in_process(app, client, officer, signed_in, application_number):
    """The officer signed in, with the application verified and in process: ready to complete."""
    signed_in(client, officer)
    client.application = app
    for action in ("verifikasi", "proses"):
        assert _act(client, application_number, action).status_code == 303
    return client


def _stored(app, number: str) -> tuple[ResultDocument, ResultVerification, bytes]:
    with app.app_context():
        application = db.session.scalar(select(Application).where(Application.tracking_number == number))
        document = casework.result_of(application)
        verification = db.session.scalar(
            select(ResultVerification).where(ResultVerification.application_id == application.id)
        )
        data = casework.open_result(document).read()
        db.session.expunge_all()
        return document, verification, data


def _text(data: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(data))
    return len(reader.pages), " ".join(page.extract_text() for page in reader.pages)


def _counts(app) -> dict:
    with app.app_context():
        return {
            model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (ResultDocument, ResultVerification, OutboxMessage)
        }


def _result_files(app) -> list[Path]:
    folder = Path(app.config["UPLOAD_DIR"]) / "hasil"
    return sorted(folder.glob("*.pdf")) if folder.exists() else []


def _assert_genuine(client, code: str) -> None:
    soup = client.get_page(f"/verifikasi/{codes.display(code)}")
    assert soup.h1.get_text(strip=True) == "Dokumen asli"
    assert "KTP-el" in soup.get_text()


def test_the_work_page_offers_generate_or_upload_as_a_plain_radio_choice(in_process, application_number):
    soup = in_process.get_page(f"/petugas/permohonan/{application_number}")
    form = next(f for f in soup.select("form.bo-action") if f.find("input", attrs={"value": "selesai"}))
    assert form["enctype"] == "multipart/form-data"
    radios = form.select("input[type=radio][name=hasil_cara]")
    assert [r["value"] for r in radios] == [casework.RESULT_GENERATE, casework.RESULT_UPLOAD]
    assert not any(r.has_attr("checked") for r in radios)  # completing is final: no choice is made for the officer
    labels = [form.find("label", attrs={"for": r["id"]}).get_text(" ", strip=True) for r in radios]
    assert labels[0].startswith("Buat dokumen hasil otomatis")
    assert labels[1].startswith("Unggah dokumen dari instansi")
    assert form.select_one("fieldset legend").get_text(strip=True) == "Dokumen hasil"
    assert form.find("input", attrs={"type": "file", "name": "hasil"})


def test_a_generated_result_is_stored_in_one_transaction_and_verifies(app, in_process, application_number):
    response = _act(in_process, application_number, "selesai", hasil_cara="buat", reason="Ambil di loket 3")
    assert response.status_code == 303, response.get_data(as_text=True)[:400]
    assert load(app, application_number).status == S.COMPLETED

    document, verification, data = _stored(app, application_number)
    assert document.source == ResultSource.GENERATED
    assert document.sha256 == hashlib.sha256(data).hexdigest() and document.size == len(data)
    pages, text = _text(data)
    assert "BUKTI PENYELESAIAN LAYANAN" in text and codes.display(verification.code) in text
    _assert_genuine(in_process, verification.code)
    with app.app_context():
        attached = db.session.scalar(select(AuditEntry).where(AuditEntry.action == AuditAction.RESULT_ATTACHED))
        assert attached.object_id == document.id and attached.reason == ResultSource.GENERATED.value
    # three status notices and the survey invitation that every finished outcome brings (issue 11)
    assert _counts(app) == {"ResultDocument": 1, "ResultVerification": 1, "OutboxMessage": 4}

    # The officer's page now shows the code, and a way to revoke it.
    soup = in_process.get_page(f"/petugas/permohonan/{application_number}")
    box = soup.select_one(".bo-result")
    assert codes.display(verification.code) in box.get_text()
    assert box.find("a", href=f"/petugas/permohonan/{application_number}/hasil/cabut")


def test_an_uploaded_agency_pdf_gets_a_verification_page_and_verifies(app, in_process, application_number):
    original = pdf_bytes("Surat dari instansi")
    files = {"hasil": (io.BytesIO(original), "ktp.pdf")}
    response = _act(in_process, application_number, "selesai", hasil_cara="unggah", files=files)
    assert response.status_code == 303, response.get_data(as_text=True)[:400]

    document, verification, data = _stored(app, application_number)
    assert document.source == ResultSource.UPLOADED
    assert document.sha256 == hashlib.sha256(data).hexdigest() != hashlib.sha256(original).hexdigest()
    pages, text = _text(data)
    assert pages == 2  # the agency's own page, untouched, then the verification page
    assert PdfReader(io.BytesIO(data)).metadata["/Title"] == "Surat dari instansi"
    last_page = PdfReader(io.BytesIO(data)).pages[-1].extract_text()
    assert codes.display(verification.code) in last_page
    _assert_genuine(in_process, verification.code)
    # three status notices and the survey invitation that every finished outcome brings (issue 11)
    assert _counts(app) == {"ResultDocument": 1, "ResultVerification": 1, "OutboxMessage": 4}


def test_an_upload_from_an_older_page_without_the_choice_still_counts_as_upload(app, in_process, application_number):
    files = {"hasil": (io.BytesIO(pdf_bytes()), "ktp.pdf")}
    assert _act(in_process, application_number, "selesai", files=files).status_code == 303
    document, verification, _data = _stored(app, application_number)
    assert document.source == ResultSource.UPLOADED and verification is not None


@pytest.mark.parametrize(
    ("choice", "upload", "field", "message"),
    [
        ("", None, "result_choice", "Pilih apakah dokumen hasil dibuat otomatis"),
        ("unggah", None, "result", "Pilih dokumen hasil (PDF) dari instansi"),
        ("buat", b"pdf", "result_choice", "tetapi juga melampirkan berkas"),
        ("unggah", b"\x89PNG\r\n\x1a\n" + b"0" * 64, "result", ""),
        ("hapus-semua", None, "result_choice", "Pilih apakah dokumen hasil dibuat otomatis"),
    ],
)
def test_a_wrong_result_choice_is_explained_next_to_the_field_and_the_input_is_kept(
    app, in_process, application_number, choice, upload, field, message
):
    files = None
    if upload is not None:
        files = {"hasil": (io.BytesIO(pdf_bytes() if upload == b"pdf" else upload), "hasil.pdf")}
    response = _act(
        in_process, application_number, "selesai", hasil_cara=choice, reason="Ambil di loket 3", files=files
    )
    assert response.status_code == 422
    soup = check_page(response.get_data(as_text=True))
    error = soup.find(id=f"f-{field}-selesai-error")
    assert error is not None and message in error.get_text()
    summary_link = soup.select_one(".notice.error a")
    assert summary_link["href"] == f"#f-{field}-selesai" and soup.find(id=f"f-{field}-selesai")
    if field == "result":
        described = soup.find(id="f-result-selesai")
        assert described["aria-invalid"] == "true" and "f-result-selesai-error" in described["aria-describedby"]
    else:
        assert soup.select_one(".bo-result-choice")["aria-describedby"] == "f-result_choice-selesai-error"
        assert all(r["aria-invalid"] == "true" for r in soup.select("input[name=hasil_cara]"))
    checked = [r["value"] for r in soup.select("input[name=hasil_cara]") if r.has_attr("checked")]
    assert checked == ([choice] if choice in casework.RESULT_CHOICES else [])
    assert soup.find(id="f-reason-selesai").get_text() == "Ambil di loket 3"
    assert load(app, application_number).status == S.IN_PROCESS
    assert _counts(app) == {"ResultDocument": 0, "ResultVerification": 0, "OutboxMessage": 2}
    assert _result_files(app) == []


class _FullDisk(FolderStorage):
    def put(self, name, data):
        raise OSError(28, "No space left on device")


def test_a_failure_while_storing_leaves_no_status_code_result_or_file(app, officer, application_number, monkeypatch):
    """The disk is full or gone after the verification row was added: everything rolls back together."""
    with app.app_context():
        user = db.session.get(User, officer.id)
        user.auth_session = "signed in"  # what the user loader sets for a request with a live session
        scope = scope_of(user)
        application = scope.find_application(application_number)
        for action in ("verifikasi", "proses"):
            casework.act(scope, application, action, expected_version=application.version)
        before = _counts(app)
        monkeypatch.setattr(casework, "storage", lambda: _FullDisk(app.config["UPLOAD_DIR"]))
        with pytest.raises(OSError):
            casework.complete_application(scope, application, expected_version=application.version, generate=True)
        db.session.remove()
    assert load(app, application_number).status == S.IN_PROCESS
    assert _counts(app) == before == {"ResultDocument": 0, "ResultVerification": 0, "OutboxMessage": 2}
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count()).select_from(AuditEntry).where(AuditEntry.action == AuditAction.RESULT_ATTACHED)
            )
            == 0
        )


def test_a_stale_completion_issues_no_code(app, in_process, application_number):
    stale = load(app, application_number).version - 1
    response = _act(in_process, application_number, "selesai", version=stale, hasil_cara="buat")
    assert response.status_code == 303
    assert "diubah" in in_process.get_page(response.headers["Location"]).select_one(".notice.error").get_text()
    assert load(app, application_number).status == S.IN_PROCESS
    assert _counts(app)["ResultVerification"] == 0
