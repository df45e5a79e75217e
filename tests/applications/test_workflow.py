"""The state machine: every allowed move, every refused one, reasons, and concurrent transitions."""

from __future__ import annotations

import itertools

import pytest

from app.accounts.models import Role, User
from app.applications import workflow
from app.applications.models import Application
from app.applications.models import ApplicationStatus as S
from app.extensions import db

CITIZEN, OFFICER = "pemohon", "petugas"

ALLOWED = {
    (S.DRAFT, S.SUBMITTED): CITIZEN,
    (S.SUBMITTED, S.VERIFIED): OFFICER,
    (S.VERIFIED, S.IN_PROCESS): OFFICER,
    (S.IN_PROCESS, S.COMPLETED): OFFICER,
    (S.SUBMITTED, S.NEEDS_CORRECTION): OFFICER,
    (S.VERIFIED, S.NEEDS_CORRECTION): OFFICER,
    (S.IN_PROCESS, S.NEEDS_CORRECTION): OFFICER,
    (S.NEEDS_CORRECTION, S.SUBMITTED): CITIZEN,
    (S.SUBMITTED, S.REJECTED): OFFICER,
    (S.VERIFIED, S.REJECTED): OFFICER,
    (S.IN_PROCESS, S.REJECTED): OFFICER,
    (S.SUBMITTED, S.CANCELLED): CITIZEN,
}
ALL_PAIRS = list(itertools.product(S, S))


def _people():
    owner = User(id=1, role=Role.CITIZEN, display_name="Siti", email="siti@contoh.id")
    officer = User(id=2, role=Role.OFFICER, display_name="Petugas", email="petugas@contoh.id")
    stranger = User(id=3, role=Role.CITIZEN, display_name="Budi", email="budi@contoh.id")
    return owner, officer, stranger


@pytest.mark.parametrize(("current", "target"), ALL_PAIRS, ids=[f"{a.value}->{b.value}" for a, b in ALL_PAIRS])
def test_every_transition_is_allowed_only_for_the_right_party(app, current, target):
    owner, officer, stranger = _people()
    application = Application(user_id=owner.id, status=current)
    with app.test_request_context():
        results = {
            party: workflow.refusal(application, target, actor=actor, reason="Berkas tidak terbaca")
            for party, actor in ((CITIZEN, owner), (OFFICER, officer))
        }
        stranger_refusal = workflow.refusal(application, target, actor=stranger, reason="x")
    expected = ALLOWED.get((current, target))
    for party, refusal in results.items():
        if party == expected:
            assert refusal is None, f"{party} should be allowed {current} → {target}"
        else:
            assert refusal is not None and str(refusal), f"{party} must be refused {current} → {target}"
    assert stranger_refusal is not None, "someone else's application can never be moved by a citizen"


@pytest.mark.parametrize("target", [S.NEEDS_CORRECTION, S.REJECTED])
def test_an_officer_must_give_a_reason_for_a_correction_request_or_rejection(app, target):
    owner, officer, _stranger = _people()
    application = Application(user_id=owner.id, status=S.SUBMITTED)
    with app.test_request_context():
        assert "reason" in str(workflow.refusal(application, target, actor=officer, reason="   ")).lower() or str(
            workflow.refusal(application, target, actor=officer, reason="   ")
        )
        assert workflow.refusal(application, target, actor=officer, reason="Foto KK buram") is None


def test_the_citizen_cannot_cancel_once_verified(app):
    owner, _officer, _stranger = _people()
    with app.test_request_context():
        assert workflow.can_transition(Application(user_id=1, status=S.SUBMITTED), S.CANCELLED, actor=owner)
        for status in (S.VERIFIED, S.IN_PROCESS, S.COMPLETED, S.NEEDS_CORRECTION, S.REJECTED):
            assert not workflow.can_transition(Application(user_id=1, status=status), S.CANCELLED, actor=owner)


def _stored_application(app, make_user, submitted_application):
    return submitted_application


def test_a_transition_writes_the_timeline_in_the_same_transaction(app, submitted, make_user):
    officer = make_user("Petugas Dukcapil", role=Role.OFFICER)
    with app.app_context():
        application = db.session.get(Application, submitted)
        actor = db.session.get(User, officer.id)
        version = application.version
        event = workflow.transition(application, S.VERIFIED, actor=actor)
        db.session.commit()
        assert event.from_status == S.SUBMITTED and event.to_status == S.VERIFIED
        assert event.actor_role == "petugas"
        assert application.version == version + 1
        assert [e.to_status for e in application.events] == [S.SUBMITTED, S.VERIFIED]


def test_a_refused_transition_changes_nothing(app, submitted, make_user):
    officer = make_user("Petugas", role=Role.OFFICER)
    with app.app_context():
        application = db.session.get(Application, submitted)
        with pytest.raises(workflow.TransitionRefused):
            workflow.transition(application, S.COMPLETED, actor=db.session.get(User, officer.id))
        db.session.rollback()
        assert db.session.get(Application, submitted).status == S.SUBMITTED
        assert len(db.session.get(Application, submitted).events) == 1


def test_two_officers_acting_at_once_conflict_instead_of_overwriting(app, submitted, make_user):
    first = make_user("Petugas A", role=Role.OFFICER)
    second = make_user("Petugas B", role=Role.OFFICER)
    # Officer B's screen was rendered before officer A acted: B's form carries the old version.
    with app.app_context():
        seen_version = db.session.get(Application, submitted).version
        application = db.session.get(Application, submitted)
        workflow.transition(application, S.VERIFIED, actor=db.session.get(User, first.id))
        db.session.commit()
        db.session.remove()
    with app.app_context():
        application = db.session.get(Application, submitted)
        with pytest.raises(workflow.TransitionConflict):
            workflow.transition(
                application,
                S.REJECTED,
                actor=db.session.get(User, second.id),
                reason="x",
                expected_version=seen_version,
            )
    # And without a version from a form: two sessions that both read the row, then both write.
    with app.app_context():
        engine_session = db.session
        stale = engine_session.get(Application, submitted)
        stale_version = stale.version
        with app.app_context():
            fresh = db.session.get(Application, submitted)
            workflow.transition(fresh, S.IN_PROCESS, actor=db.session.get(User, first.id))
            db.session.commit()
            db.session.remove()
        assert stale.version == stale_version  # this session still believes the old state
        with pytest.raises(workflow.TransitionConflict):
            workflow.transition(stale, S.NEEDS_CORRECTION, actor=db.session.get(User, second.id), reason="Foto buram")
    with app.app_context():
        assert db.session.get(Application, submitted).status == S.IN_PROCESS
