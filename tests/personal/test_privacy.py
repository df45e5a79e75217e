"""Privacy at /akun/privasi: consent, export, correction (3×24 h), deletion and Riwayat akses."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

from sqlalchemy import func, select

from app.accounts.models import AuthSession, Role, User
from app.extensions import db
from app.personal.models import Consent, CorrectionRequest, Document, Profile
from app.personal.privacy import has_consent, record_access, record_signup_consents

from .conftest import png_bytes
from .test_profile_pages import GOOD


def _upload(client, data=None, kind="ktp"):
    return client.post(
        "/akun/dokumen",
        data={"document_type": kind, "file": (io.BytesIO(data or png_bytes()), "ktp.png")},
        content_type="multipart/form-data",
    )


def test_signup_consents_always_include_the_service_purpose_and_optional_ones_can_be_withdrawn(
    app, client, citizen, signed_in
):
    with app.app_context():
        user = db.session.get(User, citizen.id)
        record_signup_consents(user, ["notifikasi"])
        db.session.commit()
        assert has_consent(user, "layanan") and has_consent(user, "notifikasi") and not has_consent(user, "survei")
    signed_in(client, citizen)
    soup = client.get_page("/akun/privasi")
    assert soup.find("input", id="tujuan-notifikasi").has_attr("checked")
    assert soup.find("input", id="tujuan-layanan") is None  # required: not a checkbox
    assert client.post("/akun/privasi/persetujuan", data={"purposes": ["survei", "bogus"]}).status_code == 303
    with app.app_context():
        user = db.session.get(User, citizen.id)
        assert has_consent(user, "layanan") and has_consent(user, "survei") and not has_consent(user, "notifikasi")
        withdrawn = db.session.scalar(select(Consent).where(Consent.purpose == "notifikasi"))
        assert withdrawn.withdrawn_at is not None  # kept as proof, not deleted


def test_a_correction_request_is_recorded_with_its_three_day_deadline(app, client, citizen, signed_in):
    signed_in(client, citizen)
    soup = client.post_page("/akun/privasi/koreksi", data={"message": "   "})
    assert "Tuliskan apa yang salah" in soup.find(id="f-message-error").get_text()
    assert client.post("/akun/privasi/koreksi", data={"message": "Nama ibu salah eja"}).status_code == 303
    with app.app_context():
        row = db.session.scalar(select(CorrectionRequest))
        assert row.due_at - row.created_at == dt.timedelta(hours=72)
    assert "Nama ibu salah eja" in client.get_page("/akun/privasi").get_text()


def test_export_contains_my_data_and_my_documents_only(app, client, citizen, other_citizen, signed_in):
    signed_in(client, other_citizen)
    client.post("/akun/data", data={**GOOD, "full_name": "Budi Santoso", "nik": "3302011708900002"})
    signed_in(client, citizen)
    client.post("/akun/data", data=GOOD)
    _upload(client)
    response = client.get("/akun/privasi/ekspor")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="data-saya-')
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    data = json.loads(archive.read("data.json"))
    assert data["profile"]["nik"] == "3510011708900001" and data["account"]["email"] == "siti@contoh.id"
    assert len(data["documents"]) == 1
    assert archive.read(data["documents"][0]["file"]).startswith(b"\x89PNG")
    assert "Budi" not in json.dumps(data)


def test_deleting_my_account_removes_data_and_files_anonymises_me_and_signs_me_out(
    app, client, citizen, signed_in, stored
):
    signed_in(client, citizen)
    client.post("/akun/data", data=GOOD)
    _upload(client)
    client.post("/akun/privasi/koreksi", data={"message": "tolong"})
    assert stored()[0] == 1
    soup = client.post_page("/akun/privasi/hapus-akun", data={"confirmation": "hapus"})
    assert "HAPUS AKUN SAYA" in soup.find(id="f-confirmation-error").get_text()
    assert stored()[0] == 1

    response = client.post("/akun/privasi/hapus-akun", data={"confirmation": "HAPUS AKUN SAYA"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/akun/dihapus")
    assert stored() == (0, [])
    with app.app_context():
        user = db.session.get(User, citizen.id)
        assert user.deleted_at is not None
        assert user.email == f"deleted-{user.id}@invalid" and user.display_name == "Akun dihapus"
        for model in (Profile, Document, CorrectionRequest):
            assert db.session.scalar(select(func.count()).select_from(model).where(model.user_id == user.id)) == 0
        live = select(func.count()).select_from(AuthSession).where(AuthSession.user_id == user.id)
        assert db.session.scalar(live) == 0
    client.get_page("/akun/dihapus")
    assert client.get("/akun/data").status_code == 302  # signed out


def test_reads_by_officers_are_listed_newest_first_and_my_own_reads_are_not(app, client, citizen, make_user, signed_in):
    officer = make_user("Petugas Andi", role=Role.OFFICER)
    with app.test_request_context("/"):
        subject = db.session.get(User, citizen.id)
        actor = db.session.get(User, officer.id)
        record_access(
            subject=subject,
            actor=actor,
            what="Data Saya",
            purpose="Verifikasi permohonan KTP-el",
            agency="Disdukcapil Kabupaten Banyuwangi",
        )
        db.session.commit()
        later = record_access(subject=subject, actor=actor, what="Dokumen: Kartu Keluarga", purpose="Cek KK")
        later.created_at += dt.timedelta(minutes=5)
        assert record_access(subject=subject, actor=subject, what="Data Saya", purpose="lihat sendiri") is None
        db.session.commit()
    signed_in(client, citizen)
    soup = client.get_page("/akun/privasi")
    entries = soup.select(".access-list li")
    assert len(entries) == 2
    assert "Dokumen: Kartu Keluarga" in entries[0].get_text()
    first = entries[1].get_text(" ", strip=True)
    assert "Petugas Andi" in first and "Petugas" in first and "Disdukcapil Kabupaten Banyuwangi" in first
    assert "Verifikasi permohonan KTP-el" in first


def test_another_citizen_does_not_see_my_access_history_or_requests(
    app, client, citizen, other_citizen, make_user, signed_in
):
    officer = make_user("Petugas Andi", role=Role.OFFICER)
    with app.test_request_context("/"):
        record_access(
            subject=db.session.get(User, citizen.id),
            actor=db.session.get(User, officer.id),
            what="Data Saya",
            purpose="Verifikasi",
        )
        db.session.commit()
    signed_in(client, citizen)
    client.post("/akun/privasi/koreksi", data={"message": "rahasia saya"})
    signed_in(client, other_citizen)
    text = client.get_page("/akun/privasi").get_text()
    assert "Petugas Andi" not in text and "rahasia saya" not in text
