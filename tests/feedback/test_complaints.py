"""Complaints in the SP4N-LAPOR! flow: filing (normal, rahasia, anonim), the state machine and its working-day
clocks, officer scope, reopening once, rating, escalation with a controlled clock, and the LAPOR! export."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json

import pytest
from sqlalchemy import func, select

from app.accounts.models import Role, User
from app.applications.workdays import WorkingCalendar
from app.extensions import db
from app.feedback import complaint_flow as flow
from app.feedback import complaints
from app.feedback.models import Complaint, ComplaintEvent, ComplaintEventImmutable, ComplaintStatus
from app.notifications.models import Notification

from ..applications.conftest import png_bytes

S = ComplaintStatus
WIB = dt.timezone(dt.timedelta(hours=7))


def file(client, **fields):
    data = {
        "jenis": "pengaduan",
        "judul": "Petugas meminta uang",
        "isi": "Saya diminta membayar Rp50.000 di loket.",
        "identitas": "biasa",
        "mpp": "kota-kendari",
        "instansi": "disdukcapil",
        **fields,
    }
    return client.post("/pengaduan/baru", data=data)


def the_complaint(app) -> Complaint:
    with app.app_context():
        row = db.session.scalar(select(Complaint).order_by(Complaint.id.desc()))
        db.session.expunge(row)
        return row


def staff_step(client, number, to, **fields):
    with client.application.app_context():
        version = db.session.scalar(select(Complaint.version).where(Complaint.number == number))
    return client.post(f"/petugas/pengaduan/{number}", data={"ke": to, "versi": str(version), **fields})


@pytest.fixture
def admin(make_staff):
    return make_staff(Role.MPP_ADMIN, agency=None, name="Admin Pengaduan")


# --- the state machine, without HTTP ---------------------------------------------------------------------------------

PARTIES = [flow.Party.COMPLAINANT, flow.Party.ADMIN, flow.Party.AGENCY, None]


@pytest.mark.parametrize(("frm", "to", "party"), list(itertools.product(S, S, PARTIES)))
def test_every_transition_is_allowed_only_from_the_table_and_for_its_party(frm, to, party):
    complaint = Complaint(status=frm, agency_id=1, reopened=False)
    allowed = flow.TRANSITIONS.get((frm, to))
    refused = flow.refusal(complaint, to, party=party, reason="alasan")
    assert (refused is None) == (allowed is not None and allowed.by == party)


def test_a_reason_is_required_for_answers_holds_refusals_and_archiving():
    for (frm, to), rule in flow.TRANSITIONS.items():
        complaint = Complaint(status=frm, agency_id=1, reopened=False)
        refused = flow.refusal(complaint, to, party=rule.by, reason="  ")
        assert (refused is not None) == rule.reason_required, (frm, to)


def test_forwarding_needs_an_agency_and_reopening_happens_once():
    assert flow.refusal(Complaint(status=S.VERIFYING, agency_id=None), S.FORWARDED, party=flow.Party.ADMIN)
    reopened = Complaint(status=S.ANSWERED, reopened=True)
    assert flow.refusal(reopened, S.FOLLOWED_UP, party=flow.Party.COMPLAINANT, reason="belum beres")
    assert flow.refusal(reopened, S.CLOSED, party=flow.Party.COMPLAINANT) is None


# --- clocks ----------------------------------------------------------------------------------------------------------


def test_the_verification_clock_counts_working_days_across_a_weekend_and_a_holiday(app, demo):
    with app.app_context():
        from app.catalog.models import Mpp

        complaint = Complaint(mpp=db.session.scalar(select(Mpp).where(Mpp.slug == "kota-kendari")))
        # Thursday 24 Dec 2026, 10.00 WITA; 25 Dec is Christmas, then a weekend: Mon 28, Tue 29, Wed 30.
        received = dt.datetime(2026, 12, 24, 2, 0, tzinfo=dt.UTC)
        flow.start_clocks(complaint, now=received, calendar=WorkingCalendar())
        assert complaint.stage_due_on == dt.date(2026, 12, 30)
        assert complaint.resolution_due_on == WorkingCalendar().add_working_days(dt.date(2026, 12, 24), 60)
        # Thursday 23.30 WIB is already Friday 00.30 in Kendari (WITA): the clock starts on Friday, the MPP's date
        # (Mon 7, Tue 8, Wed 9), not on Thursday (which would end on Tue 8).
        late = dt.datetime(2026, 12, 3, 16, 30, tzinfo=dt.UTC)
        flow.start_clocks(complaint, now=late, calendar=WorkingCalendar())
        assert complaint.stage_due_on == dt.date(2026, 12, 9)


def test_cuti_bersama_days_do_not_count():
    calendar = WorkingCalendar([dt.date(2026, 12, 28)])
    assert calendar.add_working_days(dt.date(2026, 12, 24), 3) == dt.date(2026, 12, 31)  # 29, 30, 31


# --- filing ----------------------------------------------------------------------------------------------------------


def test_a_citizen_files_a_complaint_and_is_notified(app, client, citizen, signed_in, demo):
    signed_in(client, citizen)
    response = file(client)
    complaint = the_complaint(app)
    assert response.status_code == 303 and response.location.endswith(f"/pengaduan/{complaint.number}")
    assert complaint.status == S.RECEIVED and complaint.user_id == citizen.id and not complaint.confidential
    soup = client.get_page(f"/pengaduan/{complaint.number}")
    assert "Diterima" in soup.get_text()
    with app.app_context():
        assert db.session.scalar(select(func.count(Notification.id)).where(Notification.user_id == citizen.id)) == 1


def test_bad_input_is_shown_next_to_the_field_and_kept(app, client, citizen, signed_in, demo):
    signed_in(client, citizen)
    response = file(client, judul="", isi="pendek", mpp="tidak-ada", jenis="<script>")
    from tests.helpers import check_page

    soup = check_page(response.get_data(as_text=True))
    assert soup.select_one("#f-judul-error") and soup.select_one("#f-isi-error") and soup.select_one("#f-mpp-error")
    assert soup.select_one("#f-isi").get_text() == "pendek"
    with app.app_context():
        assert db.session.scalar(select(func.count(Complaint.id))) == 0


def test_attachments_go_through_the_dokumen_saya_checks(app, client, citizen, signed_in, demo):
    signed_in(client, citizen)
    bad = file(client, lampiran=(io.BytesIO(b"MZ\x90\x00 not a pdf"), "surat.pdf"))
    assert bad.status_code == 200 and "lampiran" in bad.get_data(as_text=True)
    good = file(client, lampiran=(io.BytesIO(png_bytes()), "bukti.png"))
    assert good.status_code == 303
    complaint = the_complaint(app)
    with app.app_context():
        attachment = db.session.get(Complaint, complaint.id).attachments[0]
    download = client.get(f"/pengaduan/{complaint.number}/lampiran/{attachment.id}")
    assert download.status_code == 200 and download.headers["Cache-Control"] == "no-store"


def test_an_anonymous_complaint_stores_no_identity_and_is_followed_with_its_code(app, client, citizen, signed_in, demo):
    response = file(client, identitas="anonim")  # not signed in: anonymous is the only choice
    complaint = the_complaint(app)
    assert response.status_code == 303 and complaint.user_id is None and complaint.anonymous
    page = client.get(response.location).get_data(as_text=True)
    from bs4 import BeautifulSoup

    code = BeautifulSoup(page, "html.parser").select_one(".complaint-secret").get_text(strip=True)
    assert code not in client.get(response.location).get_data(as_text=True)  # shown once
    from tests.helpers import PageClient

    other = PageClient(client.application.test_client())  # another device: no session, only the code
    assert "Kode rahasia" in other.get(f"/pengaduan/{complaint.number}").get_data(as_text=True)
    wrong = other.post(f"/pengaduan/{complaint.number}/kode", data={"kode": "AAAA-AAAA-AAAA"})
    assert "tidak tepat" in wrong.get_data(as_text=True)
    right = other.post(f"/pengaduan/{complaint.number}/kode", data={"kode": code.lower()})
    assert right.status_code == 303
    assert complaint.title in other.get_page(f"/pengaduan/{complaint.number}").get_text()


def test_a_signed_out_visitor_cannot_file_under_a_name(client, demo):
    response = file(client, identitas="biasa")
    assert response.status_code == 200 and "f-identitas-error" in response.get_data(as_text=True)


def test_another_citizen_cannot_see_my_complaint(app, client, citizen, other_citizen, signed_in, demo):
    signed_in(client, citizen)
    file(client)
    number = the_complaint(app).number
    signed_in(client, other_citizen)
    page = client.get_page(f"/pengaduan/{number}")
    assert "Petugas meminta uang" not in page.get_text()
    assert client.post(f"/pengaduan/{number}/tanggapan", data={"aksi": "selesai"}).status_code == 404


# --- the officer side ------------------------------------------------------------------------------------------------


def test_rahasia_identity_is_hidden_from_the_agency_and_shown_to_the_mpp_admin(
    app, client, citizen, signed_in, officer, admin, demo
):
    signed_in(client, citizen)
    file(client, identitas="rahasia")
    number = the_complaint(app).number
    signed_in(client, officer)
    assert client.get(f"/petugas/pengaduan/{number}").status_code == 404  # not forwarded yet: not the agency's
    signed_in(client, admin)
    assert citizen.email in client.get_page(f"/petugas/pengaduan/{number}").get_text()
    assert staff_step(client, number, "verifikasi").status_code == 303
    assert staff_step(client, number, "diteruskan", instansi=str(the_complaint(app).agency_id)).status_code == 303
    signed_in(client, officer)
    text = client.get_page(f"/petugas/pengaduan/{number}").get_text()
    assert citizen.email not in text and citizen.display_name not in text
    export = client.get("/petugas/pengaduan/ekspor?bentuk=csv")
    assert export.status_code == 200 and citizen.email not in export.get_data(as_text=True)


def test_officers_of_another_mpp_or_agency_get_404(app, client, citizen, signed_in, make_staff, admin, demo):
    signed_in(client, citizen)
    file(client)
    number = the_complaint(app).number
    for staff in (
        make_staff(Role.OFFICER, mpp="kota-batam", name="Batam"),
        make_staff(Role.OFFICER, agency="polres", name="Polres"),
    ):
        signed_in(client, staff)
        assert client.get(f"/petugas/pengaduan/{number}").status_code == 404
        assert staff_step(client, number, "verifikasi").status_code == 404
    signed_in(client, citizen)
    assert client.get("/petugas/pengaduan").status_code == 404


def test_the_whole_flow_answer_reopen_once_answer_again_confirm_and_rate(
    app, client, citizen, signed_in, officer, admin, demo
):
    signed_in(client, citizen)
    file(client)
    number = the_complaint(app).number
    signed_in(client, admin)
    staff_step(client, number, "verifikasi")
    staff_step(client, number, "diteruskan", instansi=str(the_complaint(app).agency_id))
    signed_in(client, officer)
    refused = staff_step(client, number, "ditanggapi", alasan="")
    assert "Tulis jawaban" in refused.get_data(as_text=True)
    staff_step(client, number, "ditindaklanjuti")
    staff_step(client, number, "ditanggapi", alasan="Petugas sudah ditegur; uang dikembalikan.")
    assert the_complaint(app).answered_on_time is True
    signed_in(client, citizen)
    empty = client.post(f"/pengaduan/{number}/tanggapan", data={"aksi": "buka-kembali", "alasan": ""})
    assert "f-alasan-error" in empty.get_data(as_text=True)
    client.post(f"/pengaduan/{number}/tanggapan", data={"aksi": "buka-kembali", "alasan": "Uang belum kembali."})
    complaint = the_complaint(app)
    assert complaint.status == S.FOLLOWED_UP and complaint.reopened and complaint.stage_due_on is not None
    signed_in(client, officer)
    staff_step(client, number, "ditanggapi", alasan="Uang sudah ditransfer kembali.")
    signed_in(client, citizen)
    page = client.get_page(f"/pengaduan/{number}")
    assert not page.select('input[value="buka-kembali"]')  # once only
    assert client.post(f"/pengaduan/{number}/nilai", data={"nilai": "9"}).status_code == 200
    client.post(f"/pengaduan/{number}/nilai", data={"nilai": "4"})
    client.post(f"/pengaduan/{number}/tanggapan", data={"aksi": "selesai"})
    complaint = the_complaint(app)
    assert complaint.status == S.CLOSED and complaint.rating == 4
    with app.app_context():
        events = db.session.scalars(select(ComplaintEvent).where(ComplaintEvent.complaint_id == complaint.id)).all()
        assert [e.to_status for e in events] == [
            S.RECEIVED,
            S.VERIFYING,
            S.FORWARDED,
            S.FOLLOWED_UP,
            S.ANSWERED,
            S.FOLLOWED_UP,
            S.ANSWERED,
            S.CLOSED,
        ]
        assert all(e.actor_role for e in events) and events[1].actor_id == admin.id
        notices = db.session.scalar(select(func.count(Notification.id)).where(Notification.user_id == citizen.id))
        assert notices == len(events)  # every step told the complainant
        with pytest.raises(ComplaintEventImmutable):
            events[0].message = "diubah"
            db.session.flush()


def test_a_stale_form_is_a_conflict_not_an_overwrite(app, client, citizen, signed_in, admin, demo):
    signed_in(client, citizen)
    file(client)
    number = the_complaint(app).number
    signed_in(client, admin)
    response = client.post(f"/petugas/pengaduan/{number}", data={"ke": "verifikasi", "versi": "999"})
    assert "diubah oleh orang lain" in response.get_data(as_text=True)
    assert the_complaint(app).status == S.RECEIVED


def test_overdue_complaints_escalate_to_the_mpp_admin_and_are_marked(app, client, citizen, signed_in, admin, demo):
    signed_in(client, citizen)
    file(client)
    complaint = the_complaint(app)
    with app.app_context():
        on_time = dt.datetime.combine(complaint.stage_due_on, dt.time(12), WIB)
        assert complaints.escalate_overdue(now=on_time) == 0
        late = on_time + dt.timedelta(days=1)
        assert complaints.escalate_overdue(now=late) == 1
        assert complaints.escalate_overdue(now=late) == 0  # once per stage
        notice = db.session.scalar(select(Notification).where(Notification.user_id == admin.id))
        assert notice.url == f"/petugas/pengaduan/{complaint.number}"
    from freezegun import freeze_time

    with freeze_time(late):
        signed_in(client, admin)
        text = client.get_page("/petugas/pengaduan").get_text(" ", strip=True)
    assert "Terlambat" in text and "dieskalasi" in text


def test_the_export_has_the_lapor_fields_and_state_names(app, client, citizen, signed_in, admin, demo):
    signed_in(client, citizen)
    file(client, judul="=HYPERLINK(1)")
    file(client, identitas="rahasia", judul="Rahasia")
    signed_in(client, admin)
    rows = list(csv.DictReader(io.StringIO(client.get("/petugas/pengaduan/ekspor?bentuk=csv").get_data(as_text=True))))
    assert tuple(rows[0].keys()) == complaints.EXPORT_FIELDS
    assert {r["status"] for r in rows} == {"diterima"} and {r["kategori"] for r in rows} == {"pengaduan"}
    assert rows[0]["judul"].startswith("'=")  # no formula injection into a spreadsheet
    assert rows[0]["email_pelapor"] == citizen.email and rows[1]["email_pelapor"] == ""
    data = json.loads(client.get("/petugas/pengaduan/ekspor?bentuk=json").get_data(as_text=True))
    assert data["format"] == "sp4n-lapor" and len(data["laporan"]) == 2
    assert User  # keep the import for readers: identities come from user accounts


def test_a_complaint_replayed_by_the_offline_outbox_is_stored_once(app, client, citizen, signed_in, demo):
    signed_in(client, citizen)
    key = "5b0f6a4e-1111-4c3b-9d7e-000000000001"
    first = file(client, idempotency_key=key)
    again = file(client, idempotency_key=key)
    assert first.status_code == again.status_code == 303 and first.location == again.location
    with app.app_context():
        assert db.session.scalar(select(func.count(Complaint.id))) == 1


def test_an_idempotency_key_never_opens_someone_elses_complaint(app, client, citizen, other_citizen, signed_in, demo):
    key = "5b0f6a4e-1111-4c3b-9d7e-000000000002"
    signed_in(client, citizen)
    first = file(client, idempotency_key=key)
    signed_in(client, other_citizen)
    second = file(client, idempotency_key=key)
    assert first.status_code == second.status_code == 303 and first.location != second.location
    with app.app_context():
        owners = db.session.scalars(select(Complaint.user_id).order_by(Complaint.id)).all()
        assert owners == [citizen.id, other_citizen.id]


# --- a complaint about one of my queue visits; complaint steps in the audit log ------------------------------------


def a_visit(app, user, *, code="VSTA2345", status="selesai", number="A007") -> str:
    """A served queue visit of ``user`` at Kota Kendari (Disdukcapil); returns its code."""
    from app.catalog.models import Agency, Mpp, Service, Tenancy
    from app.queue.models import Booking, BookingStatus

    with app.app_context():
        mpp = db.session.scalar(select(Mpp).where(Mpp.slug == "kota-kendari"))
        agency = db.session.scalar(select(Agency).where(Agency.slug == "disdukcapil"))
        tenancy = db.session.scalar(select(Tenancy).where(Tenancy.mpp_id == mpp.id, Tenancy.agency_id == agency.id))
        service = db.session.scalar(select(Service).where(Service.slug == "ktp-el-hilang-rusak"))
        db.session.add(
            Booking(
                code=code,
                user_id=user.id,
                mpp_id=mpp.id,
                tenancy_id=tenancy.id,
                service_id=service.id,
                status=BookingStatus(status),
                local_day=dt.date(2026, 12, 4),
                queue_number=number,
            )
        )
        db.session.commit()
    return code


def test_a_complaint_can_be_about_my_own_queue_visit(app, client, citizen, signed_in, demo):
    code = a_visit(app, citizen)
    signed_in(client, citizen)
    form = client.get_page("/pengaduan/baru")
    assert [o["value"] for o in form.select("#f-kunjungan option")] == ["", code]
    response = file(client, kunjungan=code, mpp="", instansi="")
    assert response.status_code == 303
    complaint = the_complaint(app)
    with app.app_context():
        stored = db.session.get(Complaint, complaint.id)
        assert stored.booking.code == code and stored.mpp.slug == "kota-kendari"
        assert stored.agency.slug == "disdukcapil" and stored.service.slug == "ktp-el-hilang-rusak"
    page = client.get_page(response.headers["Location"])
    assert page.find("a", href=f"/antrean/{code}").get_text(strip=True).endswith("A007")


def test_someone_elses_visit_or_an_anonymous_report_cannot_be_linked(
    app, client, citizen, other_citizen, signed_in, demo
):
    code = a_visit(app, other_citizen)
    signed_in(client, citizen)
    page = client.post_page("/pengaduan/baru", data={"jenis": "pengaduan", "judul": "x", "isi": "y" * 20,
                                                     "identitas": "biasa", "kunjungan": code})  # fmt: skip
    assert page.select_one("#f-kunjungan-error") is None  # no visits of mine: the field is not even offered…
    assert "Pilih salah satu kunjungan antrean Anda." in page.get_text()  # …but the answer still names the field
    own = a_visit(app, citizen, code="MINE2345", number="A008")
    page = client.post_page("/pengaduan/baru", data={"jenis": "pengaduan", "judul": "x", "isi": "y" * 20,
                                                     "identitas": "anonim", "kunjungan": own})  # fmt: skip
    assert "tidak dapat dikaitkan" in page.select_one("#f-kunjungan-error").get_text()
    with app.app_context():
        assert db.session.scalar(select(func.count(Complaint.id))) == 0


def test_complaint_steps_of_officers_appear_in_the_audit_log(app, client, citizen, signed_in, admin, officer, demo):
    from app.backoffice.models import AuditAction, AuditEntry

    signed_in(client, citizen)
    file(client, identitas="rahasia")
    number = the_complaint(app).number
    signed_in(client, admin)
    staff_step(client, number, "verifikasi")
    staff_step(client, number, "diteruskan")
    signed_in(client, officer)
    staff_step(client, number, "ditanggapi", alasan="Sudah kami tegur petugasnya.")
    signed_in(client, citizen)
    client.post(f"/pengaduan/{number}/tanggapan", data={"aksi": "selesai"})  # the citizen's step: not an officer's
    with app.app_context():
        entries = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == AuditAction.COMPLAINT).order_by(AuditEntry.id)
        ).all()
        assert [e.reason.split(": ", 1)[1] for e in entries] == [
            "diterima → verifikasi",
            "verifikasi → diteruskan",
            "diteruskan → ditanggapi. Sudah kami tegur petugasnya.",
        ]
        assert [e.actor_role for e in entries] == ["admin_mpp", "admin_mpp", "petugas"]
        assert all(e.object_type == "complaint" and citizen.email not in e.reason for e in entries)
    signed_in(client, admin)
    page = client.get_page(f"/petugas/audit?nomor={number}")
    rows = page.select("table.bo-audit tbody tr")
    assert len(rows) == 3 and "Langkah pengaduan" in rows[0].get_text()
    assert "Sudah kami tegur petugasnya." in rows[0].get_text()
    assert "Langkah pengaduan" in client.get_page("/petugas/audit?tindakan=pengaduan").select_one("tbody").get_text()


def test_a_complaint_can_be_about_my_own_application_only(app, client, citizen, other_citizen, signed_in, demo):
    from ..backoffice.conftest import submit_application

    mine = submit_application(app, citizen)
    theirs = submit_application(app, other_citizen)
    signed_in(client, citizen)
    form = client.get_page(f"/pengaduan/baru?permohonan={mine}")
    assert form.select_one("#f-permohonan option[selected]")["value"] == mine
    page = client.post_page("/pengaduan/baru", data={"jenis": "pengaduan", "judul": "x", "isi": "y" * 20,
                                                     "identitas": "biasa", "permohonan": theirs})  # fmt: skip
    assert "Pilih salah satu permohonan Anda." in page.select_one("#f-permohonan-error").get_text()
    assert file(client, permohonan=mine, mpp="", instansi="").status_code == 303
    with app.app_context():
        stored = db.session.scalar(select(Complaint))
        assert stored.application.tracking_number == mine and stored.mpp.slug == "kota-kendari"
        assert stored.agency.slug == "disdukcapil"
