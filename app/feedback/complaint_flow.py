"""THE state machine of a complaint (SP4N-LAPOR!, domain.md §3.3), and its clocks in working days.

    diterima → verifikasi → diteruskan → ditindaklanjuti → ditanggapi → selesai
    verifikasi → ditunda (waiting for information; the stage clock stops) → verifikasi
    verifikasi → bukan_wewenang (forwarded elsewhere, reason required) · diterima/verifikasi/ditunda → diarsipkan
    ditanggapi → ditindaklanjuti: the complainant reopens, ONCE, with a reason ("ditanggapi" is not "selesai")

Who: the MPP's complaint admin (admin MPP) verifies, holds, forwards, refuses and archives; the officers of the
agency the complaint was forwarded to follow it up and answer; the complainant confirms or reopens.

Clocks (working days in the MPP's calendar, app/applications/workdays.py):
    verified and forwarded ≤ 3 working days after receipt ("Dalam 3 hari, laporan Anda akan diverifikasi dan
    diteruskan"), answered ≤ 5 working days after forwarding ("Dalam 5 hari, instansi akan menindaklanjuti dan
    membalas"), and the whole complaint resolved ≤ 60 working days (Perpres 76/2013; SIPPN's longest tier).

Like the application workflow, ``transition()`` adds the event and flushes but never commits: the caller owns the
transaction, so the notification and the state change are committed together. It sends ``complaint_status_changed``
(sender: the complaint, ``event``: the ComplaintEvent) after the flush, inside that transaction, so what a receiver
adds (the agency webhooks' outbox) is committed with the change or not at all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from blinker import Namespace
from flask import has_request_context, request
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.exc import StaleDataError

from ..accounts.models import Role, User
from ..applications.workdays import WorkingCalendar, local_date
from ..database import utcnow
from ..errors import UserFacingError
from ..extensions import db
from .models import Complaint, ComplaintEvent, ComplaintStatus

S = ComplaintStatus

complaint_status_changed = Namespace().signal("complaint-status-changed")

VERIFY_DAYS = 3
ANSWER_DAYS = 5
RESOLUTION_DAYS = 60
REASON_MAX_LENGTH = 4000


class Party:
    COMPLAINANT = "pelapor"
    ADMIN = "admin_mpp"  # the MPP's complaint admin
    AGENCY = "instansi"  # an officer of the agency the complaint was forwarded to
    SYSTEM = "sistem"


@dataclass(frozen=True)
class Rule:
    by: str
    reason_required: bool = False


TRANSITIONS: dict[tuple[ComplaintStatus, ComplaintStatus], Rule] = {
    (S.RECEIVED, S.VERIFYING): Rule(Party.ADMIN),
    (S.RECEIVED, S.ARCHIVED): Rule(Party.ADMIN, reason_required=True),
    (S.VERIFYING, S.FORWARDED): Rule(Party.ADMIN),
    (S.VERIFYING, S.ON_HOLD): Rule(Party.ADMIN, reason_required=True),
    (S.VERIFYING, S.NOT_OUR_AUTHORITY): Rule(Party.ADMIN, reason_required=True),
    (S.VERIFYING, S.ARCHIVED): Rule(Party.ADMIN, reason_required=True),
    (S.ON_HOLD, S.VERIFYING): Rule(Party.ADMIN),
    (S.ON_HOLD, S.ARCHIVED): Rule(Party.ADMIN, reason_required=True),
    (S.FORWARDED, S.FOLLOWED_UP): Rule(Party.AGENCY),
    (S.FORWARDED, S.ANSWERED): Rule(Party.AGENCY, reason_required=True),
    (S.FOLLOWED_UP, S.ANSWERED): Rule(Party.AGENCY, reason_required=True),
    (S.ANSWERED, S.CLOSED): Rule(Party.COMPLAINANT),
    (S.ANSWERED, S.FOLLOWED_UP): Rule(Party.COMPLAINANT, reason_required=True),  # the one reopening
}

FINAL = frozenset({S.CLOSED, S.NOT_OUR_AUTHORITY, S.ARCHIVED})
# States in which the agency or the admin owes the next step (a clock can run out).
WAITING_ON_STAFF = frozenset({S.RECEIVED, S.VERIFYING, S.FORWARDED, S.FOLLOWED_UP})
# Once forwarded, the agency sees the complaint.
VISIBLE_TO_AGENCY = frozenset({S.FORWARDED, S.FOLLOWED_UP, S.ANSWERED, S.CLOSED})

STATUS_LABELS = {
    S.RECEIVED: _l("Received"),
    S.VERIFYING: _l("Being verified"),
    S.FORWARDED: _l("Forwarded to the agency"),
    S.FOLLOWED_UP: _l("Being followed up"),
    S.ANSWERED: _l("Answered by the agency"),
    S.CLOSED: _l("Closed"),
    S.ON_HOLD: _l("On hold"),
    S.NOT_OUR_AUTHORITY: _l("Not our authority"),
    S.ARCHIVED: _l("Archived"),
}

ACTION_LABELS = {
    S.VERIFYING: _l("Start verification"),
    S.FORWARDED: _l("Forward to the agency"),
    S.ON_HOLD: _l("Put on hold"),
    S.NOT_OUR_AUTHORITY: _l("Not our authority"),
    S.ARCHIVED: _l("Archive"),
    S.FOLLOWED_UP: _l("Start the follow-up"),
    S.ANSWERED: _l("Send the answer"),
}


def status_label(status) -> str:
    return str(STATUS_LABELS[ComplaintStatus(status)])


class TransitionRefused(UserFacingError):
    """A move the complaint's state does not allow; ``message`` says why."""


class TransitionConflict(UserFacingError):
    def __init__(self) -> None:
        message = _l("This complaint was changed by someone else in the meantime. Reload and try again.")
        super().__init__(message)


@dataclass(frozen=True)
class Actor:
    """Who acts: a signed-in user (or None for an anonymous complainant holding the secret code) in a party."""

    party: str
    user: User | None = None

    @property
    def name(self) -> str | None:
        return self.user.display_name[:120] if self.user is not None else None


def party_of(complaint: Complaint, user: User | None, *, scope=None, holds_code: bool = False) -> str | None:
    """The party ``user`` acts as on ``complaint``, or None. ``scope`` is the staff member's backoffice Scope."""
    if scope is not None and user is not None:
        if user.role == Role.MPP_ADMIN and complaint.mpp_id in scope.admin_mpps:
            return Party.ADMIN
        if (complaint.agency_id, complaint.mpp_id) in scope.officer_pairs and complaint.status in VISIBLE_TO_AGENCY:
            return Party.AGENCY
        return None
    if holds_code or (user is not None and complaint.user_id is not None and complaint.user_id == user.id):
        return Party.COMPLAINANT
    return None


def refusal(complaint: Complaint, to_status: ComplaintStatus, *, party: str | None, reason: str | None = None):
    """Why this move is not allowed now, or None. Also decides which buttons are shown."""
    rule = TRANSITIONS.get((complaint.status, to_status))
    if rule is None:
        return _l(
            "A complaint that is “%(current)s” cannot become “%(target)s”.",
            current=STATUS_LABELS[complaint.status],
            target=STATUS_LABELS[to_status],
        )
    if party != rule.by:
        return _l("You cannot take this step on this complaint.")
    if complaint.status == S.ANSWERED and to_status == S.FOLLOWED_UP and complaint.reopened:
        return _l("This complaint was already reopened once. Submit a new complaint if the answer is still wrong.")
    if to_status == S.FORWARDED and complaint.agency_id is None:
        return _l("Choose the agency to forward the complaint to.")
    if rule.reason_required and not (reason or "").strip():
        if to_status == S.ANSWERED:
            return _l("Write the answer for the complainant.")
        return _l("Give the reason, so the complainant knows what happens next.")
    if reason and len(reason) > REASON_MAX_LENGTH:
        return _l("The text is too long (at most %(max)d characters).", max=REASON_MAX_LENGTH)
    return None


def allowed_moves(complaint: Complaint, party: str | None) -> list[ComplaintStatus]:
    return [to for (frm, to), rule in TRANSITIONS.items() if frm == complaint.status and rule.by == party]


# --- clocks ----------------------------------------------------------------------------------------------------------


def today_at(complaint: Complaint, now: dt.datetime | None = None) -> dt.date:
    return local_date(now or utcnow(), complaint.mpp.timezone if complaint.mpp else None)


def start_clocks(complaint: Complaint, *, now: dt.datetime, calendar: WorkingCalendar | None = None) -> None:
    """Set the limits of a new complaint: verified and forwarded in 3 working days, resolved in 60."""
    calendar = calendar or WorkingCalendar.from_database()
    received = today_at(complaint, now)
    complaint.status_changed_at = now
    complaint.stage_due_on = calendar.add_working_days(received, VERIFY_DAYS)
    complaint.resolution_due_on = calendar.add_working_days(received, RESOLUTION_DAYS)


def _move_clocks(complaint: Complaint, to_status: ComplaintStatus, *, today: dt.date, calendar) -> None:
    if to_status == S.FORWARDED:
        complaint.stage_due_on = calendar.add_working_days(today, ANSWER_DAYS)
    elif to_status == S.FOLLOWED_UP and complaint.status == S.ANSWERED:
        complaint.stage_due_on = calendar.add_working_days(today, ANSWER_DAYS)  # a reopening gets a new 5 days
    elif to_status == S.VERIFYING and complaint.status == S.ON_HOLD:
        complaint.stage_due_on = calendar.add_working_days(today, VERIFY_DAYS)
    elif to_status == S.ANSWERED:
        complaint.answered_on_time = complaint.stage_due_on is None or today <= complaint.stage_due_on
        complaint.stage_due_on = None  # now waiting on the complainant, not on the agency
    elif to_status in FINAL or to_status == S.ON_HOLD:
        complaint.stage_due_on = None


def is_overdue(complaint: Complaint, today: dt.date) -> bool:
    """A stage limit or the 60-day limit has passed while the admin or the agency owes the next step."""
    if complaint.status not in WAITING_ON_STAFF:
        return False
    stage_late = complaint.stage_due_on is not None and today > complaint.stage_due_on
    return stage_late or today > complaint.resolution_due_on


# --- the move --------------------------------------------------------------------------------------------------------


def record(complaint: Complaint, *, actor: Actor, to_status: ComplaintStatus, message: str | None) -> ComplaintEvent:
    event = ComplaintEvent(
        complaint=complaint,
        from_status=complaint.status if complaint.id is not None else None,
        to_status=to_status,
        actor_id=actor.user.id if actor.user is not None else None,
        actor_name=actor.name,
        actor_role=actor.party,
        message=(message or "").strip() or None,
        ip=request.remote_addr if has_request_context() else None,
    )
    db.session.add(event)
    return event


def transition(
    complaint: Complaint,
    to_status: ComplaintStatus,
    *,
    actor: Actor,
    reason: str | None = None,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
    calendar: WorkingCalendar | None = None,
) -> ComplaintEvent:
    """Move ``complaint`` to ``to_status``; flush, don't commit. Raises TransitionRefused / TransitionConflict."""
    to_status = ComplaintStatus(to_status)
    if expected_version is not None and expected_version != complaint.version:
        raise TransitionConflict()
    message = refusal(complaint, to_status, party=actor.party, reason=reason)
    if message is not None:
        raise TransitionRefused(message)
    now = now or utcnow()
    calendar = calendar or WorkingCalendar.from_database()
    reopening = complaint.status == S.ANSWERED and to_status == S.FOLLOWED_UP
    _move_clocks(complaint, to_status, today=today_at(complaint, now), calendar=calendar)
    event = record(complaint, actor=actor, to_status=to_status, message=reason)
    if reopening:
        complaint.reopened = True
    complaint.status = to_status
    complaint.status_changed_at = now
    complaint.escalated_at = None  # a new stage may be escalated again if it, too, runs late
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise TransitionConflict() from None
    complaint_status_changed.send(complaint, event=event)
    return event
