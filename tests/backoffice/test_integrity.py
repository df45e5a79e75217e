"""Integrity under pressure: two officers at once (real threads, real database), the outbox in the transition's
transaction, and an audit log that cannot be rewritten."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from app.accounts.models import Role, User
from app.applications import workflow
from app.applications.models import Application, StatusEvent
from app.applications.models import ApplicationStatus as S
from app.backoffice import casework
from app.backoffice.models import AuditAction, AuditEntry, AuditImmutable
from app.backoffice.scope import scope_of
from app.extensions import db
from app.feedback.surveys import KIND_SURVEY
from app.notifications.models import Notification, OutboxMessage

from .conftest import load


def _scope(user_id):
    user = db.session.get(User, user_id)
    user.auth_session = object()  # what the user loader attaches for a signed-in request
    return scope_of(user)


def _application(number):
    return db.session.scalar(select(Application).where(Application.tracking_number == number))


def test_two_officers_acting_at_once_one_wins_and_one_gets_a_conflict(app, make_staff, application_number):
    first = make_staff(Role.OFFICER, name="Petugas A")
    second = make_staff(Role.OFFICER, name="Petugas B")
    version = load(app, application_number).version
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def work(officer_id, action, reason):
        with app.test_request_context("/petugas", environ_base={"REMOTE_ADDR": "10.0.0.1"}):
            scope = _scope(officer_id)
            application = _application(application_number)
            barrier.wait()  # both have read version N and decide on it
            try:
                casework.act(scope, application, action, expected_version=version, reason=reason)
                outcomes[action] = "won"
            except workflow.TransitionConflict:
                outcomes[action] = "conflict"
            finally:
                db.session.remove()

    threads = [
        threading.Thread(target=work, args=(first.id, "verifikasi", "")),
        threading.Thread(target=work, args=(second.id, "tolak", "Berkas tidak lengkap")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes.values()) == ["conflict", "won"], outcomes
    winner = next(action for action, outcome in outcomes.items() if outcome == "won")
    final = load(app, application_number)
    assert final.status == {"verifikasi": S.VERIFIED, "tolak": S.REJECTED}[winner]
    assert final.version == version + 1
    with app.app_context():
        # Exactly one officer's change exists everywhere: timeline, audit log, notification, outbox.
        events = db.session.scalar(
            select(func.count()).select_from(StatusEvent).where(StatusEvent.to_status != S.SUBMITTED)
        )
        transitions = db.session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == AuditAction.TRANSITION)
        )
        assert (events, transitions) == (1, 1)
        status_notices = select(func.count()).select_from(Notification).where(Notification.kind != KIND_SURVEY)
        assert db.session.scalar(status_notices) == 1
        # A rejection is a finished outcome: it also brings the one SKM survey invitation (issue 11).
        surveys = 1 if winner == "tolak" else 0
        assert db.session.scalar(select(func.count()).select_from(Notification)) == 1 + surveys
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1 + surveys


def test_the_outbox_is_written_in_the_transitions_transaction(app, officer, application_number, citizen):
    with app.test_request_context("/petugas"):
        scope = _scope(officer.id)
        application = _application(application_number)
        workflow.transition(application, S.VERIFIED, actor=scope.user)
        # Inside the transaction, before any commit: the notification and its outbox row are already there.
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1
        note = db.session.scalar(select(Notification))
        assert note.user_id == citizen.id and note.params["status"] == "diverifikasi"
        assert note.title == f"Permohonan {application_number} telah diverifikasi"
        db.session.rollback()
        # Rolled back with the transition: nothing is left to send for a change that never happened.
        assert db.session.scalar(select(func.count()).select_from(Notification)) == 0
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
        assert _application(application_number).status == S.SUBMITTED


def test_the_applicant_is_not_notified_of_their_own_actions(app, citizen, application_number):
    with app.test_request_context("/permohonan"):
        owner = db.session.get(User, citizen.id)
        workflow.transition(_application(application_number), S.CANCELLED, actor=owner)
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(Notification)) == 0


def test_a_notification_renders_in_the_readers_language(app, officer, application_number):
    with app.test_request_context("/petugas"):
        casework.act(
            _scope(officer.id),
            _application(application_number),
            "perbaikan",
            expected_version=None,
            reason="Foto buram",
        )
        note = db.session.scalar(select(Notification))
        assert note.title_msgid == "Application %(number)s needs a correction"  # stored untranslated
        assert "Foto buram" in note.body
    with app.test_request_context("/petugas", headers={"Cookie": "bahasa=en"}):
        from flask_babel import force_locale

        note = db.session.scalar(select(Notification))
        with force_locale("en"):
            assert note.title == f"Application {application_number} needs a correction"


def test_audit_entries_cannot_be_changed_or_deleted(app, officer, application_number):
    with app.test_request_context("/petugas"):
        casework.act(_scope(officer.id), _application(application_number), "verifikasi", expected_version=None)
        entry = db.session.scalar(select(AuditEntry))
        entry.reason = "rewritten"
        with pytest.raises(AuditImmutable):
            db.session.commit()
        db.session.rollback()
        entry = db.session.scalar(select(AuditEntry))
        db.session.delete(entry)
        with pytest.raises(AuditImmutable):
            db.session.commit()
        db.session.rollback()
        assert db.session.scalar(select(AuditEntry)).reason is None
