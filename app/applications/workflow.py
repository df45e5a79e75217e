"""THE state machine of an application. Every status change in the product goes through ``transition()``.

    draf → diajukan → diverifikasi → diproses → selesai
    diajukan / diverifikasi / diproses → perlu_perbaikan (officer, reason required) → diajukan (citizen resubmits)
    diajukan / diverifikasi / diproses → ditolak (officer, reason required)
    diajukan → dibatalkan (the citizen, before verification)

Anything else is refused with a reason. Officers must give a reason for every rejection or correction request
(UU 25/2009 Pasal 18: the citizen has the right to know why a service is not delivered as standard).

Transactions: ``transition()`` adds the StatusEvent and flushes, but does NOT commit. The caller (a use-case
function) commits, so it can add its own rows — e.g. the notification outbox — to the same transaction. Listeners
of ``status_changed`` run inside that transaction too, before the flush.
"""

from __future__ import annotations

from dataclasses import dataclass

from blinker import Namespace
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.exc import StaleDataError

from ..accounts.models import Role, User
from ..errors import UserFacingError
from ..extensions import db
from .models import Application, ApplicationStatus, StatusEvent

S = ApplicationStatus

OFFICER_ROLES = frozenset({Role.OFFICER, Role.MPP_ADMIN, Role.NATIONAL_ADMIN})


class Party:
    CITIZEN = "pemohon"  # the owner of the application
    OFFICER = "petugas"  # an officer (or admin) acting for the agency


@dataclass(frozen=True)
class Rule:
    by: str  # Party
    reason_required: bool = False


# (from, to) → who may do it. The only table of allowed moves in the code base.
TRANSITIONS: dict[tuple[ApplicationStatus, ApplicationStatus], Rule] = {
    (S.DRAFT, S.SUBMITTED): Rule(Party.CITIZEN),
    (S.SUBMITTED, S.VERIFIED): Rule(Party.OFFICER),
    (S.VERIFIED, S.IN_PROCESS): Rule(Party.OFFICER),
    (S.IN_PROCESS, S.COMPLETED): Rule(Party.OFFICER),
    (S.SUBMITTED, S.NEEDS_CORRECTION): Rule(Party.OFFICER, reason_required=True),
    (S.VERIFIED, S.NEEDS_CORRECTION): Rule(Party.OFFICER, reason_required=True),
    (S.IN_PROCESS, S.NEEDS_CORRECTION): Rule(Party.OFFICER, reason_required=True),
    (S.NEEDS_CORRECTION, S.SUBMITTED): Rule(Party.CITIZEN),
    (S.SUBMITTED, S.REJECTED): Rule(Party.OFFICER, reason_required=True),
    (S.VERIFIED, S.REJECTED): Rule(Party.OFFICER, reason_required=True),
    (S.IN_PROCESS, S.REJECTED): Rule(Party.OFFICER, reason_required=True),
    (S.SUBMITTED, S.CANCELLED): Rule(Party.CITIZEN),
}

FINAL_STATUSES = frozenset({S.COMPLETED, S.REJECTED, S.CANCELLED})

REASON_MAX_LENGTH = 2000

status_changed = Namespace().signal("application-status-changed")
"""Sent as ``status_changed.send(application, event=StatusEvent)`` inside the transaction, before the flush."""


class TransitionRefused(UserFacingError):
    """The move is not allowed (wrong state, wrong party, missing reason). ``message`` is shown to the person."""


class TransitionConflict(UserFacingError):
    """Someone else changed the application since it was read. Reload and decide again; nothing was written."""

    def __init__(self, message=None) -> None:
        message = message or _l("This application was changed by someone else in the meantime. Reload and try again.")
        super().__init__(message)


def party_of(application: Application, actor: User) -> str | None:
    if actor.role in OFFICER_ROLES:
        return Party.OFFICER
    if actor.id is not None and actor.id == application.user_id:
        return Party.CITIZEN
    return None


def refusal(application: Application, to_status: ApplicationStatus, *, actor: User, reason: str | None = None):
    """Why this transition is not allowed right now, or None when it is. Used to show or hide buttons too."""
    rule = TRANSITIONS.get((application.status, to_status))
    if rule is None:
        return _l(
            "An application with status “%(current)s” cannot be changed to “%(target)s”.",
            current=STATUS_LABELS[application.status],
            target=STATUS_LABELS[to_status],
        )
    party = party_of(application, actor)
    if party != rule.by:
        if rule.by == Party.CITIZEN:
            return _l("Only the applicant can do this.")
        return _l("Only an officer of the agency can do this.")
    if rule.reason_required and not (reason or "").strip():
        return _l("Give the reason, so the applicant knows what to do.")
    if reason and len(reason) > REASON_MAX_LENGTH:
        return _l("The reason is too long (at most %(max)d characters).", max=REASON_MAX_LENGTH)
    return None


def can_transition(application: Application, to_status: ApplicationStatus, *, actor: User) -> bool:
    """Ignores the reason: may this actor make this move at all (is the button shown)?"""
    return refusal(application, to_status, actor=actor, reason="-") is None


def transition(
    application: Application,
    to_status: ApplicationStatus,
    *,
    actor: User,
    reason: str | None = None,
    expected_version: int | None = None,
) -> StatusEvent:
    """Move ``application`` to ``to_status`` and record it on the timeline; flush, don't commit.

    ``expected_version`` is the ``Application.version`` the actor's screen was rendered with (a hidden field in a
    back-office form): a mismatch is a conflict even before the database is asked. The flush itself is guarded by
    the version column, so two concurrent transitions of the same row can never both succeed.

    Raises ``TransitionRefused`` or ``TransitionConflict`` (after rolling back the session).
    """
    to_status = ApplicationStatus(to_status)
    if expected_version is not None and expected_version != application.version:
        raise TransitionConflict()
    message = refusal(application, to_status, actor=actor, reason=reason)
    if message is not None:
        raise TransitionRefused(message)
    event = StatusEvent(
        application=application,
        from_status=application.status,
        to_status=to_status,
        actor_id=actor.id,
        actor_role=party_of(application, actor),
        reason=(reason or "").strip() or None,
    )
    application.status = to_status
    db.session.add(event)
    try:
        # Listeners (the notification outbox) may query, and a query autoflushes the UPDATE of this row: the
        # version guard can therefore fire inside a listener as well as in our own flush. Both are the conflict.
        status_changed.send(application, event=event)
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise TransitionConflict() from None
    return event


STATUS_LABELS = {
    S.DRAFT: _l("Draft"),
    S.SUBMITTED: _l("Submitted"),
    S.VERIFIED: _l("Verified"),
    S.IN_PROCESS: _l("Being processed"),
    S.COMPLETED: _l("Completed"),
    S.NEEDS_CORRECTION: _l("Needs correction"),
    S.REJECTED: _l("Rejected"),
    S.CANCELLED: _l("Cancelled"),
}

# What the citizen should expect next, per status (shown on the application page).
NEXT_STEPS = {
    S.SUBMITTED: _l(
        "An officer of the agency will check your data and documents. You will be notified of every change."
    ),
    S.VERIFIED: _l("Your data and documents are complete. The agency is preparing to process your application."),
    S.IN_PROCESS: _l("The agency is processing your application. You will be told when the result is ready."),
    S.COMPLETED: _l("Your application is complete. See the officer's note on how to collect the result."),
    S.NEEDS_CORRECTION: _l("The officer asks you to correct your application. Fix it and submit it again."),
    S.REJECTED: _l("Your application was rejected. Read the reason; you can file a complaint if you disagree."),
    S.CANCELLED: _l("You cancelled this application. You can apply again at any time."),
}


def status_label(status: ApplicationStatus) -> str:
    return str(STATUS_LABELS[ApplicationStatus(status)])
