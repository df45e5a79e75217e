"""Applying as a citizen does it, through the test client: start → steps → check → submit → detail."""

from __future__ import annotations

from sqlalchemy import select

from app.accounts.models import Role, User
from app.applications import workflow
from app.applications.models import Application, ApplicationRevision, ApplicationStatus
from app.extensions import db

from .conftest import (
    ADDRESS,
    DETAILS,
    EVENT,
    PERSON,
    SERVICE,
    add_document,
    applications,
    check_key,
    complete_draft,
    draft_id_of,
    draft_row,
    start,
)


def _steps(client, first: str) -> list[str]:
    draft_id = draft_id_of(first)
    with client.application.app_context():
        from app.applications import drafts
        from app.applications.models import Draft

        draft = db.session.scalar(select(Draft).where(Draft.public_id == draft_id))
        return [f"/permohonan/draf/{draft_id}/{key}" for key in drafts.step_keys(draft)]


def _walk_to_check(client, app, citizen) -> list[str]:
    first = start(client, SERVICE)
    steps = _steps(client, first)
    kk = add_document(app, citizen)
    answers = {"pemohon": PERSON, "alamat": ADDRESS, "kejadian": EVENT, "keterangan": DETAILS}
    for url in steps[:-1]:
        step = url.rsplit("/", 1)[1]
        soup = client.get_page(url)
        form = soup.find("form", attrs={"data-draft-id": True})
        assert form["data-draft-step"] == step and form["data-draft-url"].endswith(draft_id_of(first))
        if step == "lokasi":
            data = {"mpp": soup.find("input", attrs={"name": "mpp"})["value"]}
        elif step == "dokumen":
            data = {"dokumen.kk": str(kk)}
        else:
            data = answers[step]
        response = client.post(url, data=data)
        assert response.status_code == 303, (step, response.status_code)
    return steps


def test_a_citizen_applies_and_gets_a_tracking_number_and_a_due_date(app, applicant, citizen):
    steps = _walk_to_check(applicant, app, citizen)
    check = applicant.get_page(steps[-1])
    text = check.get_text(" ")
    assert "Siti Rahayu" in text and "Hilang" in text and "SKTLK/123/I/2026/Polresta Kendari" in text
    change_links = [a["href"] for a in check.select(".summary-action a")]
    assert any("/pemohon?kembali=periksa#f-nik" in href for href in change_links)
    response = applicant.post(
        steps[-1].replace("/periksa", "/kirim"), data={"idempotency_key": check_key(check), "pernyataan": "ya"}
    )
    assert response.status_code == 303
    [application] = applications(app)
    assert response.headers["Location"] == f"/permohonan/{application.tracking_number}?terkirim=1"
    assert application.status == ApplicationStatus.SUBMITTED and application.due_date is not None
    detail = applicant.get_page(response.headers["Location"])
    text = detail.get_text(" ")
    assert application.tracking_number in text and "Diajukan" in text
    assert "7471••••••••0001" in text, "the NIK is masked on the application page"
    assert "no-store" in applicant.get(response.headers["Location"]).headers["Cache-Control"]
    listing = applicant.get_page("/permohonan")
    assert application.tracking_number in listing.get_text(" ")


def test_errors_are_shown_next_to_the_fields_and_everything_typed_is_kept(applicant):
    first = start(applicant, SERVICE)
    typed = {**PERSON, "nik": "12345", "nama": "", "tanggal_lahir": "2999-01-01", "tempat_lahir": "<script>x</script>"}
    response = applicant.post(first, data=typed)
    assert response.status_code == 422
    from tests.helpers import check_page

    soup = check_page(response.get_data(as_text=True))
    nik = soup.find(id="f-nik")
    assert nik["value"] == "12345" and nik["aria-invalid"] == "true"
    assert "f-nik-error" in nik["aria-describedby"]
    assert "16" in soup.find(id="f-nik-error").get_text()
    assert soup.find(id="f-nama-error") and soup.find(id="f-tanggal_lahir-error")
    assert soup.find(id="f-tempat_lahir")["value"] == "<script>x</script>"
    assert soup.select(".error-summary a[href='#f-nik']")
    assert draft_row(applicant.application, draft_id_of(first)).answers["nik"] == "12345", "saved even when invalid"


def test_a_question_shown_only_when_lost_is_required_only_then(applicant, citizen, app):
    first = start(applicant, SERVICE)
    base = first.rsplit("/", 1)[0]
    applicant.post(f"{base}/kejadian", data={"alasan": "rusak", "tanggal_kejadian": "2026-01-05"})
    page = applicant.get_page(f"{base}/keterangan")
    assert page.find(id="f-nomor_laporan") is None
    assert applicant.post(f"{base}/keterangan", data={"keterangan": ""}).status_code == 303
    applicant.post(f"{base}/kejadian", data={"alasan": "hilang", "tanggal_kejadian": "2026-01-05"})
    response = applicant.post(f"{base}/keterangan", data={"keterangan": ""})
    assert response.status_code == 422 and 'id="f-nomor_laporan-error"' in response.get_data(as_text=True)


def test_the_form_is_prefilled_from_data_saya_and_a_correction_can_be_saved_back(app, applicant, citizen):
    from app.personal.profile import profile_prefill, save_profile

    with app.app_context():
        save_profile(
            db.session.get(User, citizen.id),
            {
                "full_name": "Siti Rahayu",
                "nik": PERSON["nik"],
                "birth_place": "Kendari",
                "birth_date": "1990-01-01",
                "sex": "P",
                "phone": "081111111111",
                "address_street": "Jl. Lama 1",
                "rt": "1",
                "kelurahan": "Bende",
            },
        )
    first = start(applicant, SERVICE)
    soup = applicant.get_page(first)
    assert soup.find(id="f-nik")["value"] == PERSON["nik"]
    assert soup.find(id="f-tempat_lahir")["value"] == "Kendari"
    assert soup.find(id="f-jenis_kelamin-2").has_attr("checked")
    assert "Data Saya" in soup.find(id="f-nik-hint").get_text()
    base = first.rsplit("/", 1)[0]
    page = applicant.get_page(f"{base}/alamat")
    assert page.find(id="f-alamat-street")["value"] == "Jl. Lama 1" and page.find(id="f-alamat-rt")["value"] == "001"
    assert page.find(id="f-no_hp")["value"] == "081111111111"
    response = applicant.post(f"{base}/alamat", data={**ADDRESS, "simpan_data_saya": "ya"})
    assert response.status_code == 303
    with app.app_context():
        saved = profile_prefill(db.session.get(User, citizen.id))
    assert saved["phone"] == ADDRESS["no_hp"] and saved["address_street"] == ADDRESS["alamat.street"]
    assert saved["kabupaten_kota"] == "Kota Kendari"


def test_a_service_that_cannot_be_applied_for_online_points_to_the_counters(applicant):
    soup = applicant.get_page("/layanan/ktp-el-baru/ajukan")
    assert soup.select_one("a[href='/layanan/ktp-el-baru#lokasi']")
    assert not soup.select("form[action$='/ajukan']")
    response = applicant.post("/layanan/ktp-el-baru/ajukan")
    assert response.status_code == 303 and response.headers["Location"].endswith("/layanan/ktp-el-baru/ajukan")


def test_starting_again_resumes_the_open_draft(applicant):
    first = start(applicant, SERVICE)
    applicant.post(first, data=PERSON)
    again = start(applicant, SERVICE)
    assert draft_id_of(again) == draft_id_of(first) and again.endswith("/alamat")
    assert "Lanjutkan" in applicant.get_page(f"/layanan/{SERVICE}/ajukan").get_text()


def test_the_declaration_must_be_ticked_and_the_key_is_kept(app, applicant, citizen):
    draft_id = complete_draft(app, citizen)
    check = applicant.get_page(f"/permohonan/draf/{draft_id}/periksa")
    key = check_key(check)
    response = applicant.post(f"/permohonan/draf/{draft_id}/kirim", data={"idempotency_key": key})
    assert response.status_code == 422
    from tests.helpers import check_page

    soup = check_page(response.get_data(as_text=True))
    assert soup.find(id="f-pernyataan-error") and check_key(soup) == key
    assert applications(app) == []


def test_an_incomplete_draft_is_not_submitted_and_links_to_the_problems(app, applicant):
    first = start(applicant, SERVICE)
    check = applicant.get_page(first.rsplit("/", 1)[0] + "/periksa")
    response = applicant.post(
        first.rsplit("/", 1)[0] + "/kirim", data={"idempotency_key": check_key(check), "pernyataan": "ya"}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "/pemohon?kembali=periksa#f-nik" in html and "/dokumen?kembali=periksa" in html
    assert applications(app) == []


def test_a_double_tap_and_a_replay_make_one_application(app, applicant, citizen):
    draft_id = complete_draft(app, citizen)
    key = check_key(applicant.get_page(f"/permohonan/draf/{draft_id}/periksa"))
    first = applicant.post(f"/permohonan/draf/{draft_id}/kirim", data={"idempotency_key": key, "pernyataan": "ya"})
    second = applicant.post(f"/permohonan/draf/{draft_id}/kirim", data={"idempotency_key": key, "pernyataan": "ya"})
    other_tab = applicant.post(
        f"/permohonan/draf/{draft_id}/kirim", data={"idempotency_key": "another-tab-key-0123456789", "pernyataan": "ya"}
    )
    assert first.status_code == second.status_code == other_tab.status_code == 303
    assert len(applications(app)) == 1
    number = applications(app)[0].tracking_number
    assert all(number in r.headers["Location"] for r in (first, second, other_tab))
    # A step of the submitted draft now leads to the application.
    assert number in applicant.get(f"/permohonan/draf/{draft_id}/pemohon").headers["Location"]


def test_cancel_is_allowed_before_verification_only(app, applicant, citizen, submitted, make_user):
    with app.app_context():
        number = db.session.get(Application, submitted).tracking_number
    assert applicant.get_page(f"/permohonan/{number}").select("form[action$='/batalkan']")
    response = applicant.post(f"/permohonan/{number}/batalkan", data={"reason": "Sudah ketemu KTP-nya"})
    assert response.status_code == 303
    with app.app_context():
        application = db.session.get(Application, submitted)
        assert application.status == ApplicationStatus.CANCELLED
        assert application.events[-1].reason == "Sudah ketemu KTP-nya"
    refused = applicant.post(f"/permohonan/{number}/batalkan", data={})
    assert refused.status_code == 303
    assert "tidak dapat" in applicant.get_page(f"/permohonan/{number}").get_text()


def test_cancel_is_refused_after_verification(app, applicant, submitted, make_user):
    officer = make_user("Petugas", role=Role.OFFICER)
    with app.app_context():
        application = db.session.get(Application, submitted)
        workflow.transition(application, ApplicationStatus.VERIFIED, actor=db.session.get(User, officer.id))
        db.session.commit()
        number = application.tracking_number
    assert not applicant.get_page(f"/permohonan/{number}").select("form[action$='/batalkan']")
    applicant.post(f"/permohonan/{number}/batalkan", data={})
    with app.app_context():
        assert db.session.get(Application, submitted).status == ApplicationStatus.VERIFIED


def test_a_correction_round_trip_keeps_the_first_submission_immutable(app, applicant, submitted, make_user):
    officer = make_user("Petugas", role=Role.OFFICER)
    with app.app_context():
        application = db.session.get(Application, submitted)
        workflow.transition(
            application,
            ApplicationStatus.NEEDS_CORRECTION,
            actor=db.session.get(User, officer.id),
            reason="Nomor surat kehilangan tidak sesuai dengan lampiran.",
        )
        db.session.commit()
        number, first_answers = application.tracking_number, dict(application.latest_revision.answers)
    detail = applicant.get_page(f"/permohonan/{number}")
    assert "Nomor surat kehilangan tidak sesuai" in detail.get_text()
    response = applicant.post(f"/permohonan/{number}/perbaiki")
    assert response.status_code == 303
    base = response.headers["Location"].rsplit("/", 1)[0]
    page = applicant.get_page(f"{base}/keterangan")
    assert page.find(id="f-nomor_laporan")["value"] == DETAILS["nomor_laporan"]
    applicant.post(f"{base}/keterangan", data={"nomor_laporan": "SKTLK/124/I/2026", "keterangan": ""})
    key = check_key(applicant.get_page(f"{base}/periksa"))
    sent = applicant.post(f"{base}/kirim", data={"idempotency_key": key, "pernyataan": "ya"})
    assert sent.status_code == 303 and number in sent.headers["Location"]
    with app.app_context():
        application = db.session.get(Application, submitted)
        assert application.status == ApplicationStatus.SUBMITTED
        assert [r.number for r in application.revisions] == [1, 2]
        assert application.revisions[0].answers == first_answers
        assert application.revisions[1].answers["nomor_laporan"] == "SKTLK/124/I/2026"
        assert [e.to_status for e in application.events][-2:] == [
            ApplicationStatus.NEEDS_CORRECTION,
            ApplicationStatus.SUBMITTED,
        ]
        assert db.session.scalar(select(ApplicationRevision).where(ApplicationRevision.idempotency_key == key))


def test_a_tracking_number_is_understood_when_typed_loosely(app, applicant, submitted):
    with app.app_context():
        number = db.session.get(Application, submitted).tracking_number
    response = applicant.get(f"/permohonan/{number.lower().replace('-', '')}")
    assert response.status_code == 301 and response.headers["Location"].endswith(number)


def test_drafts_are_listed_with_their_expiry_and_expired_ones_are_gone(app, applicant, citizen):
    import datetime as dt

    from app.applications.models import Draft
    from app.database import utcnow

    first = start(applicant, SERVICE)
    listing = applicant.get_page("/permohonan").get_text(" ")
    assert "akan dihapus" in listing
    with app.app_context():
        draft = db.session.scalar(select(Draft).where(Draft.public_id == draft_id_of(first)))
        draft.expires_at = utcnow() + dt.timedelta(days=2)
        db.session.commit()
    assert applicant.get_page("/permohonan").select(".notice.warning")
    with app.app_context():
        draft = db.session.scalar(select(Draft).where(Draft.public_id == draft_id_of(first)))
        draft.expires_at = utcnow() - dt.timedelta(minutes=1)
        db.session.commit()
    applicant.get_page(first, expected_status=404)
    with app.app_context():
        from app.applications.drafts import purge_expired

        assert purge_expired() == 1


def test_a_draft_of_an_older_form_is_moved_to_the_new_one_and_flagged(app, applicant):
    from app.applications.models import FormDefinition

    first = start(applicant, SERVICE)
    applicant.post(first, data=PERSON)
    with app.app_context():
        old = db.session.scalar(
            select(FormDefinition).join(FormDefinition.service).where(FormDefinition.version == 1).limit(1)
        )
        current = draft_row(app, draft_id_of(first))
        old = db.session.get(FormDefinition, current.form_definition_id)
        definition = dict(old.definition)
        db.session.add(FormDefinition(service_id=old.service_id, version=2, definition=definition))
        db.session.commit()
    page = applicant.get_page(first)
    assert "berubah" in page.get_text()
    assert page.find(id="f-nama")["value"] == PERSON["nama"]
    assert draft_row(app, draft_id_of(first)).form_upgraded


def test_every_page_refuses_anonymous_visitors(client, demo_forms):
    for url in ("/permohonan", f"/layanan/{SERVICE}/ajukan", "/permohonan/7471-26-K7QX-3MW"):
        response = client.get(url)
        assert response.status_code == 302 and "/masuk" in response.headers["Location"]
    response = client.get("/permohonan/draf/00000000-0000-4000-8000-000000000000")
    assert response.status_code == 401 and response.json == {"error": "signin"}


def test_another_citizens_draft_and_application_are_not_found(
    app, client, citizen, other_citizen, signed_in, submitted
):
    draft_id = complete_draft(app, citizen)
    with app.app_context():
        number = db.session.get(Application, submitted).tracking_number
    signed_in(client, other_citizen)
    for url in (
        f"/permohonan/draf/{draft_id}/pemohon",
        f"/permohonan/draf/{draft_id}/periksa",
        f"/permohonan/{number}",
    ):
        client.get_page(url, expected_status=404)
    assert client.get(f"/permohonan/draf/{draft_id}").status_code == 404
    for url, data in (
        (f"/permohonan/draf/{draft_id}/pemohon", {"nama": "Penyusup"}),
        (f"/permohonan/draf/{draft_id}/kirim", {"idempotency_key": "x" * 32, "pernyataan": "ya"}),
        (f"/permohonan/draf/{draft_id}/hapus", {}),
        (f"/permohonan/{number}/batalkan", {}),
        (f"/permohonan/{number}/perbaiki", {}),
    ):
        assert client.post(url, data=data).status_code == 404, url
    put = client.put(
        f"/permohonan/draf/{draft_id}",
        json={"revision": 1, "answers": {"nama": "Penyusup"}, "step": "pemohon"},
        headers={"X-CSRFToken": client.csrf_token(), "Origin": "http://localhost"},
    )
    assert put.status_code == 404
    assert "Penyusup" not in str(draft_row(app, draft_id).answers)
    with app.app_context():
        assert db.session.get(Application, submitted).status == ApplicationStatus.SUBMITTED
    # A guessed number that does exist but is someone else's looks exactly like one that does not.
    guessed = client.get(f"/permohonan/{number}")
    missing = client.get("/permohonan/7471-26-2222-22" + "2")
    assert guessed.status_code == missing.status_code == 404
    assert "Penggantian KTP-el" not in guessed.get_data(as_text=True)


def test_expired_drafts_are_purged_by_the_nightly_job(app, applicant, citizen):
    """The 30-day promise is kept by the job worker, not by someone remembering to run a command."""
    import datetime as dt

    from app.applications.models import Draft
    from app.database import utcnow
    from app.notifications.worker import jobs

    first = start(applicant, SERVICE)
    with app.app_context():
        draft = db.session.scalar(select(Draft).where(Draft.public_id == draft_id_of(first)))
        draft.expires_at = utcnow() - dt.timedelta(minutes=1)
        db.session.commit()
    job = jobs(app).purge_drafts
    schedule = job.task_class().validate_datetime  # the periodic task: nightly at 02.30, not every minute
    assert schedule(dt.datetime(2026, 11, 23, 2, 30)) and not schedule(dt.datetime(2026, 11, 23, 2, 31))
    job.call_local()
    with app.app_context():
        assert db.session.scalar(select(Draft).where(Draft.public_id == draft_id_of(first))) is None
