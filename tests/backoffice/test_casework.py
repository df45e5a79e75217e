"""Working an application through the UI: every transition, every refusal, reasons, the checklist, documents
(with Riwayat akses), the result PDF, audit entries and the applicant's notifications."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from app.accounts.models import Role
from app.applications.models import Application
from app.applications.models import ApplicationStatus as S
from app.backoffice.models import AuditAction, AuditEntry, ChecklistTick, ResultDocument
from app.extensions import db
from app.feedback.surveys import KIND_SURVEY
from app.notifications.models import Notification, OutboxMessage
from app.personal.models import AccessLog

from .conftest import load, pdf_bytes, submit_application


def _page(client, number):
    return client.get_page(f"/petugas/permohonan/{number}")


def _act(client, number, action, *, version=None, reason="", files=None, **extra):
    version = load(client.application, number).version if version is None else version
    data = {"tindakan": action, "versi": str(version), "alasan": reason, **extra}
    if files:
        data.update(files)
    return client.post(f"/petugas/permohonan/{number}/tindakan", data=data, content_type="multipart/form-data")


@pytest.fixture
def desk(app, client, officer, signed_in, application_number):
    """The Disdukcapil officer at Kendari, signed in, with one submitted application in the inbox."""
    signed_in(client, officer)
    client.application = app
    return client


def _audit(app, number=None):
    with app.app_context():
        query = select(AuditEntry).order_by(AuditEntry.id)
        rows = list(db.session.scalars(query))
        for row in rows:
            db.session.expunge(row)
        return rows


def test_the_inbox_lists_the_application_waiting_for_the_agency(desk, application_number):
    soup = desk.get_page("/petugas")
    links = [a.get_text(strip=True) for a in soup.select(".bo-list a")]
    assert application_number in links
    assert "Diajukan" in soup.select_one(".bo-counts").get_text(" ", strip=True)


def test_an_officer_works_an_application_from_submitted_to_completed(app, desk, application_number, citizen):
    soup = _page(desk, application_number)
    offered = [form.find("input", attrs={"name": "tindakan"})["value"] for form in soup.select("form.bo-action")]
    assert offered == ["verifikasi", "perbaikan", "tolak"]  # only what the state machine allows from diajukan

    for action, status in (("verifikasi", S.VERIFIED), ("proses", S.IN_PROCESS)):
        response = _act(desk, application_number, action)
        assert response.status_code == 303, response.get_data(as_text=True)[:300]
        assert load(app, application_number).status == status

    response = _act(
        desk,
        application_number,
        "selesai",
        reason="Ambil di loket 3",
        files={"hasil": (io.BytesIO(pdf_bytes()), "ktp.pdf")},
        hasil_cara="unggah",
    )
    assert response.status_code == 303
    assert load(app, application_number).status == S.COMPLETED
    with app.app_context():
        result = db.session.scalar(select(ResultDocument))
        assert result is not None and result.content_type == "application/pdf"
    download = desk.get(f"/petugas/permohonan/{application_number}/hasil")
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    assert download.headers["Cache-Control"] == "no-store"

    transitions = [e for e in _audit(app) if e.action == AuditAction.TRANSITION]
    assert [(e.from_status, e.to_status) for e in transitions] == [
        (S.SUBMITTED, S.VERIFIED),
        (S.VERIFIED, S.IN_PROCESS),
        (S.IN_PROCESS, S.COMPLETED),
    ]
    assert all(e.actor_name == "Andi Petugas" and e.actor_role == "petugas" and e.ip for e in transitions)
    assert any(e.action == AuditAction.RESULT_ATTACHED for e in _audit(app))

    # The applicant is told about each of the officer's changes (not about their own submission).
    with app.app_context():
        everything = list(db.session.scalars(select(Notification).order_by(Notification.id)))
        notes = [n for n in everything if n.kind != KIND_SURVEY]
        assert [n.params["status"] for n in notes] == ["diverifikasi", "diproses", "selesai"]
        assert all(n.user_id == citizen.id and n.url == f"/permohonan/{application_number}" for n in notes)
        # The finished outcome also invites the applicant to the satisfaction survey (issue 11): one more notice.
        surveys = [n for n in everything if n.kind == KIND_SURVEY]
        assert len(surveys) == 1 and surveys[0].user_id == citizen.id and surveys[0].url.startswith("/survei/")
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 4


def test_completing_by_upload_needs_a_pdf_result(app, desk, application_number):
    _act(desk, application_number, "verifikasi")
    _act(desk, application_number, "proses")
    response = _act(desk, application_number, "selesai", hasil_cara="unggah")
    assert response.status_code == 422
    assert "PDF" in response.get_data(as_text=True)
    png = {"hasil": (io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"0" * 64), "hasil.png")}
    response = _act(desk, application_number, "selesai", files=png, hasil_cara="unggah")
    assert response.status_code == 422
    assert load(app, application_number).status == S.IN_PROCESS


@pytest.mark.parametrize("action", ["perbaikan", "tolak"])
def test_an_empty_reason_is_a_field_error_and_nothing_changes(app, desk, application_number, action):
    response = _act(desk, application_number, action, reason="   ")
    assert response.status_code == 422
    from tests.helpers import check_page

    soup = check_page(response.get_data(as_text=True))
    field = soup.find(id=f"f-reason-{action}")
    assert field["aria-invalid"] == "true"
    assert soup.find(id=f"f-reason-{action}-error").get_text(strip=True)
    assert field["aria-describedby"] == f"f-reason-{action}-error"
    assert load(app, application_number).status == S.SUBMITTED
    assert not [e for e in _audit(app) if e.action == AuditAction.TRANSITION]


def test_a_correction_reason_reaches_the_applicant(app, desk, application_number, client, citizen, signed_in):
    response = _act(desk, application_number, "perbaikan", reason="Foto KK buram, unggah ulang.")
    assert response.status_code == 303
    assert load(app, application_number).status == S.NEEDS_CORRECTION
    signed_in(client, citizen)
    soup = client.get_page(f"/permohonan/{application_number}")
    assert "Foto KK buram, unggah ulang." in soup.get_text()


def test_a_rejection_keeps_its_reason_in_the_audit_log(app, desk, application_number):
    assert _act(desk, application_number, "tolak", reason="Bukan domisili Kota Kendari").status_code == 303
    entry = [e for e in _audit(app) if e.action == AuditAction.TRANSITION][-1]
    assert (entry.from_status, entry.to_status, entry.reason) == (
        S.SUBMITTED,
        S.REJECTED,
        "Bukan domisili Kota Kendari",
    )


def test_a_transition_not_allowed_now_is_refused_with_the_reason(app, desk, application_number):
    response = _act(desk, application_number, "proses")  # diajukan → diproses skips verification
    assert response.status_code == 303
    soup = desk.get_page(response.headers["Location"])
    assert "tidak dapat" in soup.select_one(".notice.error").get_text().lower()
    assert load(app, application_number).status == S.SUBMITTED


def test_an_unknown_action_is_refused(app, desk, application_number):
    assert _act(desk, application_number, "hapus").status_code == 422
    assert load(app, application_number).status == S.SUBMITTED


def test_a_stale_page_gets_a_conflict_not_an_overwrite(app, desk, application_number):
    stale = load(app, application_number).version
    assert _act(desk, application_number, "verifikasi", version=stale).status_code == 303
    response = _act(desk, application_number, "tolak", version=stale, reason="Berkas palsu")
    assert response.status_code == 303
    soup = desk.get_page(response.headers["Location"])
    assert "diubah" in soup.select_one(".notice.error").get_text()
    assert load(app, application_number).status == S.VERIFIED
    assert _act(desk, application_number, "proses", version="x").status_code == 303  # garbled version = stale
    assert load(app, application_number).status == S.VERIFIED


def test_a_forged_form_cannot_act_on_another_application(app, desk, application_number, other_citizen, make_staff):
    other = submit_application(app, other_citizen)
    outside = submit_application(app, other_citizen, mpp="kota-batam")
    # Extra fields naming another application are ignored: the URL's number is the only id used.
    response = _act(desk, application_number, "verifikasi", nomor=other, application_id="1", tracking_number=other)
    assert response.status_code == 303
    assert load(app, application_number).status == S.VERIFIED
    assert load(app, other).status == S.SUBMITTED
    # Posting to an application outside the officer's scope is a 404, and changes nothing.
    version = load(app, outside).version
    response = desk.post(
        f"/petugas/permohonan/{outside}/tindakan", data={"tindakan": "verifikasi", "versi": str(version)}
    )
    assert response.status_code == 404
    assert load(app, outside).status == S.SUBMITTED


def test_the_checklist_is_stored_and_audited(app, desk, application_number):
    soup = _page(desk, application_number)
    boxes = soup.select("#persyaratan ~ form input[name=persyaratan]") or soup.select("input[name=persyaratan]")
    ids = [box["value"] for box in boxes]
    assert len(ids) == 3
    response = desk.post(
        f"/petugas/permohonan/{application_number}/persyaratan", data={"persyaratan": [ids[0], ids[2], "999999"]}
    )
    assert response.status_code == 303
    with app.app_context():
        ticked = set(db.session.scalars(select(ChecklistTick.requirement_id)))
    assert ticked == {int(ids[0]), int(ids[2])}  # another service's id is ignored
    soup = _page(desk, application_number)
    checked = [box["value"] for box in soup.select("input[name=persyaratan]") if box.has_attr("checked")]
    assert checked == [ids[0], ids[2]]
    assert [e.reason for e in _audit(app) if e.action == AuditAction.CHECKLIST] == ["2/3 terpenuhi"]


def test_opening_the_application_and_its_documents_writes_the_access_history(
    app, desk, application_number, client, citizen, signed_in
):
    soup = _page(desk, application_number)
    link = soup.select_one(".bo-docs a")
    download = desk.get(link["href"])
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["Cache-Control"] == "no-store"
    with app.app_context():
        rows = list(db.session.scalars(select(AccessLog).order_by(AccessLog.id)))
        assert [row.actor_name for row in rows] == ["Andi Petugas", "Andi Petugas"]
        assert rows[0].what.startswith("Data permohonan")
        # The document by the name the citizen knows (its requirement), never a code like "kk".
        assert rows[1].what == f"Kartu Keluarga (permohonan {application_number})"
        # Each entry keeps the MPP's zone, so Riwayat akses shows the same clock time as the timeline.
        mpp_zone = db.session.scalar(select(Application).where(Application.tracking_number == application_number)).mpp
        assert {row.timezone for row in rows} == {mpp_zone.timezone}
        assert rows[0].agency_name == "Dinas Kependudukan dan Pencatatan Sipil"
    assert any(e.action == AuditAction.DOCUMENT_OPENED for e in _audit(app))
    # The citizen sees it on their privacy page.
    signed_in(client, citizen)
    assert "Andi Petugas" in client.get_page("/akun/privasi").get_text()


def test_a_document_not_attached_to_this_application_is_not_found(app, desk, application_number, citizen):
    from ..applications.conftest import add_document

    unrelated = add_document(app, citizen, "ktp")
    assert desk.get(f"/petugas/permohonan/{application_number}/dokumen/{unrelated}").status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AccessLog)) == 0


def test_an_mpp_admin_reads_but_does_not_act(app, client, make_staff, signed_in, application_number):
    signed_in(client, make_staff(Role.MPP_ADMIN, agency=None))
    soup = client.get_page(f"/petugas/permohonan/{application_number}")
    assert not soup.select("form.bo-action")
    version = load(app, application_number).version
    response = client.post(
        f"/petugas/permohonan/{application_number}/tindakan", data={"tindakan": "verifikasi", "versi": str(version)}
    )
    assert response.status_code == 303
    assert load(app, application_number).status == S.SUBMITTED


def test_pages_with_applicant_data_are_never_cached(desk, application_number):
    for url in ("/petugas", f"/petugas/permohonan/{application_number}"):
        assert desk.get(url).headers["Cache-Control"] == "no-store"
