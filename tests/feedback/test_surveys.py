"""The satisfaction survey: who is invited, answering once, scrubbing, and what officers see."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.accounts.models import Role, User
from app.applications.models import Application, StatusEvent
from app.applications.models import ApplicationStatus as S
from app.extensions import db
from app.feedback import surveys
from app.feedback.models import SurveyInvitation, SurveyOutcome, SurveyResponse
from app.notifications import email as email_outbox
from app.notifications.models import Notification, OutboxMessage

from .conftest import move, submit_application

ALL_FOURS = {f"u{i}": "4" for i in range(1, 10)}


def invitation_of(app, number: str) -> SurveyInvitation | None:
    with app.app_context():
        row = db.session.scalar(select(SurveyInvitation).join(Application).where(Application.tracking_number == number))
        if row is not None:
            db.session.expunge(row)
        return row


def test_a_completed_application_invites_its_owner_by_inbox_push_and_email(app, finished, citizen):
    invitation = invitation_of(app, finished)
    assert invitation.outcome == SurveyOutcome.COMPLETED and invitation.user_id == citizen.id
    assert invitation.emailed_at is not None
    with app.app_context():
        notification = db.session.scalar(select(Notification).where(Notification.kind == surveys.KIND_SURVEY))
        assert notification.user_id == citizen.id and notification.url == f"/survei/{invitation.token}"
        assert (
            db.session.scalar(
                select(func.count(OutboxMessage.id)).where(OutboxMessage.notification_id == notification.id)
            )
            == 1
        )
        email_outbox.deliver_due()  # the job worker's part: e-mail is queued, never sent inline
        from app.notifications.models import EmailOutbox

        # Queued with the claim of the invitation; the job worker sends it (notifications' e-mail outbox).
        mail = db.session.scalar(select(EmailOutbox).where(EmailOutbox.what == "survey invitation"))
        assert mail.recipient == citizen.email
    # Delivered once committed (its body is then erased from the outbox): the message itself holds the link.
    sent = [path.read_text() for path in Path(app.config["MAIL_DIR"]).glob("*survey-invitation.eml")]
    assert any(invitation.token in text for text in sent) or invitation.token in (mail.body or "")


def test_a_rejected_application_is_asked_too(app, citizen, officer, demo):
    number = submit_application(app, citizen)
    move(app, number, officer, S.REJECTED)
    assert invitation_of(app, number).outcome == SurveyOutcome.REJECTED


def test_an_application_still_in_progress_is_not_asked(app, citizen, officer, demo):
    number = submit_application(app, citizen)
    move(app, number, officer, S.VERIFIED)
    assert invitation_of(app, number) is None


def test_a_cancellation_is_asked_about_only_after_verification(app, citizen, demo):
    application = Application(user_id=citizen.id, tracking_number="X")
    quick = StatusEvent(to_status=S.CANCELLED, from_status=S.SUBMITTED, actor_role="pemohon")
    application.events = [StatusEvent(to_status=S.SUBMITTED, from_status=S.DRAFT, actor_role="pemohon"), quick]
    assert surveys.outcome_to_survey(application, quick) is None
    late = StatusEvent(to_status=S.CANCELLED, from_status=S.IN_PROCESS, actor_role="pemohon")
    application.events = [StatusEvent(to_status=S.VERIFIED, from_status=S.SUBMITTED, actor_role="petugas"), late]
    assert surveys.outcome_to_survey(application, late) == SurveyOutcome.CANCELLED


def test_a_served_queue_visit_invites_once(app, citizen, demo):
    with app.app_context():
        first = surveys.invite_after_visit(user_id=citizen.id, visit_key="ANT-1", mpp_id=None, service_id=None)
        db.session.commit()
        again = surveys.invite_after_visit(user_id=citizen.id, visit_key="ANT-1", mpp_id=None, service_id=None)
        assert first is not None and again is None
        assert first.outcome == SurveyOutcome.VISIT


def test_the_survey_shows_the_nine_unsur_in_the_regulation_order(app, client, citizen, signed_in, finished):
    signed_in(client, citizen)
    token = invitation_of(app, finished).token
    soup = client.get_page(f"/survei/{token}")
    legends = [legend.get_text(" ", strip=True) for legend in soup.select("fieldset.survey-question legend")]
    assert len(legends) == 9
    assert "Persyaratan" in legends[0]
    assert "Penanganan pengaduan" in legends[7] and "Sarana" in legends[8]
    assert len(soup.select('input[type="radio"][name="u1"]')) == 4
    assert soup.find("label", attrs={"for": "f-u1-4"}).get_text(strip=True) == "Sangat sesuai"


def test_only_the_owner_can_open_or_answer_the_survey(app, client, citizen, other_citizen, signed_in, finished):
    token = invitation_of(app, finished).token
    assert client.get(f"/survei/{token}").status_code == 302  # anonymous: sign in first
    signed_in(client, other_citizen)
    assert client.get(f"/survei/{token}").status_code == 404
    assert client.post(f"/survei/{token}", data=ALL_FOURS).status_code == 404
    assert client.get("/survei/tidak-ada").status_code == 404


def test_an_answer_is_stored_without_identity_and_with_personal_data_scrubbed(
    app, client, citizen, signed_in, finished
):
    signed_in(client, citizen)
    token = invitation_of(app, finished).token
    saran = "Antre lama. Hubungi saya 0812-3456-7890, NIK 3374012345678901, budi@contoh.id"
    response = client.post(f"/survei/{token}", data={**ALL_FOURS, "u9": "", "saran": saran, "sex": "p"})
    assert response.status_code == 303
    with app.app_context():
        row = db.session.scalar(select(SurveyResponse))
        assert row.u1 == 4 and row.u9 is None and row.sex == "p"
        assert "0812" not in row.suggestion and "3374" not in row.suggestion and "@" not in row.suggestion
        assert row.suggestion.startswith("Antre lama.")
        assert not hasattr(row, "user_id")
    soup = client.get_page(f"/survei/{token}")
    assert "Terima kasih" in soup.h1.get_text()


def test_bad_answers_are_shown_next_to_the_question_and_kept(app, client, citizen, signed_in, finished):
    signed_in(client, citizen)
    token = invitation_of(app, finished).token
    soup = client.post_page(f"/survei/{token}", data={"u1": "9", "u2": "3", "saran": "tetap di sini"})
    assert soup.select_one("#f-u1-error")
    assert soup.select_one('input[name="u2"][value="3"]').has_attr("checked")
    assert soup.select_one("#f-saran").get_text() == "tetap di sini"
    empty = client.post_page(f"/survei/{token}", data={})
    assert empty.select_one("#f-u1-error")
    with app.app_context():
        assert db.session.scalar(select(func.count(SurveyResponse.id))) == 0


def test_two_simultaneous_submissions_store_one_response(app, citizen, finished):
    invitation_id = invitation_of(app, finished).id
    barrier = threading.Barrier(2)
    outcomes = []

    def answer():
        with app.app_context():
            invitation = db.session.get(SurveyInvitation, invitation_id)
            answers, _errors = surveys.parse_answers(ALL_FOURS)
            barrier.wait()
            outcomes.append(surveys.submit_response(invitation, answers))
            db.session.remove()

    threads = [threading.Thread(target=answer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == [False, True]
    with app.app_context():
        assert db.session.scalar(select(func.count(SurveyResponse.id))) == 1


def test_a_replayed_submission_ends_on_the_same_thank_you_page(app, client, citizen, signed_in, finished):
    signed_in(client, citizen)
    token = invitation_of(app, finished).token
    first = client.post(f"/survei/{token}", data=ALL_FOURS)
    second = client.post(f"/survei/{token}", data=ALL_FOURS)
    assert first.status_code == second.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count(SurveyResponse.id))) == 1


@pytest.mark.parametrize("staff_role", [Role.OFFICER, Role.MPP_ADMIN])
def test_officers_see_totals_for_their_scope_and_never_who_answered(
    app, client, citizen, signed_in, make_staff, make_user, demo, staff_role
):

    actor = make_staff(Role.OFFICER, name="Petugas Dukcapil")
    for index in range(5):
        owner = make_user(f"Warga {index}")
        number = submit_application(app, owner)
        move(app, number, actor, S.COMPLETED)
        with app.app_context():
            invitation = db.session.scalar(
                select(SurveyInvitation).join(Application).where(Application.tracking_number == number)
            )
            answers, _ = surveys.parse_answers({**ALL_FOURS, "u3": "2", "saran": f"Saran {index} dari 081234567890"})
            surveys.submit_response(invitation, answers)
    viewer = actor if staff_role == Role.OFFICER else make_staff(Role.MPP_ADMIN, agency=None, name="Admin MPP")
    signed_in(client, viewer)
    soup = client.get_page("/petugas/survei")
    text = soup.get_text(" ", strip=True)
    assert "dari 5 respons" in text
    assert "Saran 0 dari [nomor telepon]" in text
    assert "Warga 0" not in text and "081234567890" not in text
    other = make_staff(Role.OFFICER, mpp="kota-batam", name="Petugas Batam")
    signed_in(client, other)
    assert "Belum ada nilai" in client.get_page("/petugas/survei").get_text(" ", strip=True)


def test_citizens_cannot_open_the_officer_survey_page(client, citizen, signed_in, demo):
    signed_in(client, citizen)
    assert client.get("/petugas/survei").status_code == 404


def test_the_queue_visit_served_signal_invites_the_citizen_and_skips_walk_ins(app, citizen, demo):
    from types import SimpleNamespace

    from app.queue.events import announce_served

    with app.app_context():
        announce_served(SimpleNamespace(id=1, code="ABCD2345", user_id=citizen.id, mpp_id=None, service_id=None))
        announce_served(SimpleNamespace(id=2, code="WALKIN23", user_id=None, mpp_id=None, service_id=None))
        announce_served(SimpleNamespace(id=1, code="ABCD2345", user_id=citizen.id, mpp_id=None, service_id=None))
        invitations = db.session.scalars(select(SurveyInvitation)).all()
        assert [(i.visit_key, i.user_id, i.outcome) for i in invitations] == [
            ("ABCD2345", citizen.id, SurveyOutcome.VISIT)
        ]


def test_a_cancellation_after_verification_happens_through_a_correction_round_and_is_asked_about(
    app, citizen, officer, demo
):
    """The workflow lets the citizen cancel only a "diajukan" application, but an application that was verified,
    sent back for correction and resubmitted is "diajukan" again: cancelling it then follows a verification, and
    that finished outcome is asked about like the others. A cancellation before any verification is not."""
    from app.applications import lifecycle, workflow

    number = submit_application(app, citizen)
    move(app, number, officer, S.VERIFIED)
    with app.app_context():
        application = db.session.scalar(select(Application).where(Application.tracking_number == number))
        staff = db.session.get(User, officer.id)
        workflow.transition(application, S.NEEDS_CORRECTION, actor=staff, reason="Foto KK buram")
        db.session.commit()
        owner = db.session.get(User, citizen.id)
        workflow.transition(application, S.SUBMITTED, actor=owner)
        db.session.commit()
        lifecycle.cancel_application(owner, application, reason="Sudah diurus di kantor")
        db.session.commit()
        assert application.status == S.CANCELLED
    invitation = invitation_of(app, number)
    assert invitation is not None and invitation.outcome == SurveyOutcome.CANCELLED
    quick = submit_application(app, citizen)
    with app.app_context():
        application = db.session.scalar(select(Application).where(Application.tracking_number == quick))
        lifecycle.cancel_application(db.session.get(User, citizen.id), application)
        db.session.commit()
    assert invitation_of(app, quick) is None
