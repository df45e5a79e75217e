"""The satisfaction survey (SKM): who is invited when, answering it exactly once, and what officers see.

1. Every finished outcome is asked, not only the happy ones (asking only after success flatters the score,
   domain.md §3.8): an application that is completed, rejected, or cancelled after it had been verified, and a
   served queue visit. The invitation is written by a ``status_changed`` listener, inside the transaction of the
   change, with its inbox notification and push outbox row; the e-mail goes out once that transaction commits.
2. One response per invitation — a unique constraint, so a double tap, two devices, or an offline answer replayed
   by Background Sync and by the page's `online` listener at once all end as one row and "already answered".
3. Responses carry no user id and store only scrubbed free text (scrub.py); officers see aggregates only.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass, field

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import event, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..accounts import mail
from ..applications.models import Application, ApplicationStatus, StatusEvent
from ..applications.workflow import status_changed
from ..catalog.models import Service
from ..database import utcnow
from ..extensions import db
from ..notifications.models import Notification, OutboxMessage
from ..pagination import Page, paginate
from . import ikm, scrub
from .models import SurveyInvitation, SurveyOutcome, SurveyResponse
from .questions import PROFILE_FIELDS, QUESTIONS, SUGGESTION_MAX_LENGTH

log = logging.getLogger(__name__)


def N_(msgid: str) -> str:  # noqa: N802 — extracted by pybabel, translated when the notification is read
    return msgid


KIND_SURVEY = "survey"
NOTIFICATION_TITLE = N_("How was %(service)s?")
NOTIFICATION_BODY = N_("Answer %(count)s short questions, in under a minute. Officers never see who answered.")
# Notifications are translated when read, from their stored msgid: the wording stored before an MPP could add its
# own unsur stays in the catalog so those older notifications still read in Indonesian.
LEGACY_MSGIDS = (N_("Answer 9 short questions, in under a minute. Officers never see who answered."),)

OUTCOME_OF_STATUS = {
    ApplicationStatus.COMPLETED: SurveyOutcome.COMPLETED,
    ApplicationStatus.REJECTED: SurveyOutcome.REJECTED,
    ApplicationStatus.CANCELLED: SurveyOutcome.CANCELLED,
}


# --- invitations -----------------------------------------------------------------------------------------------------


def outcome_to_survey(application: Application, event: StatusEvent) -> SurveyOutcome | None:
    """The outcome to ask about, or None. A cancellation is asked about only when the application had been
    verified first: withdrawing a mistaken submission a minute later says nothing about the service. The workflow
    lets the citizen cancel only a "diajukan" application, so this happens after a correction round (verified →
    perlu perbaikan → diajukan again → dibatalkan): the citizen gave up after the agency had looked at it."""
    outcome = OUTCOME_OF_STATUS.get(ApplicationStatus(event.to_status))
    if outcome is SurveyOutcome.CANCELLED:
        reached = {ApplicationStatus(e.to_status) for e in application.events if e is not event}
        if ApplicationStatus.VERIFIED not in reached:
            return None
    return outcome


def _question_count(mpp_id: int | None) -> int:
    """How many questions the survey of this MPP asks: the regulation's nine plus any the MPP added."""
    from .unsur import for_mpp

    return len(for_mpp(mpp_id).questions)


def _question_count_on(conn, mpp_id: int | None) -> int:
    """The same count on a connection of its own (the e-mail is written after the officer's session committed)."""
    from .models import SurveyUnsur
    from .unsur import EXTRA_CODES

    if mpp_id is None:
        return len(QUESTIONS)
    extra = conn.execute(
        select(func.count()).where(SurveyUnsur.mpp_id == mpp_id, SurveyUnsur.code.in_(EXTRA_CODES))
    ).scalar_one()
    return len(QUESTIONS) + extra


def _add_invitation(
    *, user_id: int, outcome: SurveyOutcome, mpp_id: int | None, service: Service | None, **target
) -> SurveyInvitation:
    invitation = SurveyInvitation(
        token=secrets.token_urlsafe(24),
        user_id=user_id,
        outcome=outcome,
        mpp_id=mpp_id,
        service_id=service.id if service is not None else None,
        **target,
    )
    notification = Notification(
        user_id=user_id,
        kind=KIND_SURVEY,
        title_msgid=NOTIFICATION_TITLE,
        body_msgid=NOTIFICATION_BODY,
        params={"service": service.name if service is not None else "MPP", "count": _question_count(mpp_id)},
        url=f"/survei/{invitation.token}",
    )
    notification.outbox.append(OutboxMessage())
    db.session.add_all([invitation, notification])
    return invitation


def invite_after_application(application: Application, event: StatusEvent) -> SurveyInvitation | None:
    """Add (not commit) the invitation for a finished application. At most one per application."""
    outcome = outcome_to_survey(application, event)
    if outcome is None or application.id is None:
        return None
    with db.session.no_autoflush:
        exists = db.session.scalar(select(SurveyInvitation.id).where(SurveyInvitation.application_id == application.id))
    if exists:
        return None
    return _add_invitation(
        user_id=application.user_id,
        outcome=outcome,
        mpp_id=application.mpp_id,
        service=application.service,
        application_id=application.id,
    )


def invite_after_visit(
    *, user_id: int, visit_key: str, mpp_id: int | None, service_id: int | None
) -> SurveyInvitation | None:
    """Add (not commit) the invitation for a served queue visit (``visit_key``: the booking's code). The queue
    calls this — through its ``visit_served`` signal when it has one — in the transaction that marks the visit
    served. At most one per visit."""
    exists = db.session.scalar(select(SurveyInvitation.id).where(SurveyInvitation.visit_key == visit_key))
    if exists:
        return None
    service = db.session.get(Service, service_id) if service_id else None
    return _add_invitation(
        user_id=user_id, outcome=SurveyOutcome.VISIT, mpp_id=mpp_id, service=service, visit_key=visit_key
    )


@status_changed.connect
def _on_status_changed(application: Application, event: StatusEvent, **_extra) -> None:
    invite_after_application(application, event)


def _connect_queue_signal() -> None:
    """Listen to the queue's ``visit_served`` signal (sent after the counter's change is committed)."""
    try:
        from ..queue.events import visit_served
    except ImportError:  # the queue capability is not installed: visits are simply not asked about
        return
    visit_served.connect(_on_visit_served)


def _on_visit_served(booking, **_extra) -> None:
    """A served visit of a signed-in citizen (walk-ins without an account have nobody to ask): invite and commit
    on our own, since the visit's transaction is already over."""
    if getattr(booking, "user_id", None) is None:
        return
    try:
        invite_after_visit(
            user_id=booking.user_id, visit_key=booking.code, mpp_id=booking.mpp_id, service_id=booking.service_id
        )
        db.session.commit()
    except IntegrityError:  # the same visit announced twice at once: the unique visit_key kept one invitation
        db.session.rollback()


_connect_queue_signal()


# --- the e-mail, after the commit ------------------------------------------------------------------------------------

PENDING_KEY = "feedback_survey_invitations"


@event.listens_for(Session, "after_flush")
def _remember_new_invitations(session, _flush_context) -> None:
    for obj in session.new:
        if isinstance(obj, SurveyInvitation):
            session.info.setdefault(PENDING_KEY, set()).add(obj.id)


@event.listens_for(Session, "after_rollback")
def _forget_invitations(session) -> None:
    session.info.pop(PENDING_KEY, None)


@event.listens_for(Session, "after_commit")
def _email_committed_invitations(session) -> None:
    ids = session.info.pop(PENDING_KEY, None)
    if ids:
        for invitation_id in sorted(ids):
            send_invitation_email(invitation_id)


def send_invitation_email(invitation_id: int) -> bool:
    """Send the invitation e-mail once (``emailed_at`` is claimed with a conditional update). A mail server that is
    down costs the e-mail only: the inbox notice and the push were written with the invitation."""
    try:
        with db.engine.begin() as conn:
            row = conn.execute(
                select(
                    SurveyInvitation.token,
                    SurveyInvitation.user_id,
                    SurveyInvitation.service_id,
                    SurveyInvitation.mpp_id,
                ).where(SurveyInvitation.id == invitation_id, SurveyInvitation.emailed_at.is_(None))
            ).first()
            if row is None:
                return False
            claimed = conn.execute(
                update(SurveyInvitation)
                .where(SurveyInvitation.id == invitation_id, SurveyInvitation.emailed_at.is_(None))
                .values(emailed_at=utcnow())
            ).rowcount
            if not claimed:
                return False
            from ..accounts.models import User

            user = conn.execute(select(User.email, User.locale).where(User.id == row.user_id)).first()
            service = conn.execute(select(Service.name).where(Service.id == row.service_id)).scalar()
            if user is None or not user.email:
                return False
            link = current_app.config["PUBLIC_ORIGIN"].rstrip("/") + f"/survei/{row.token}"
            with force_locale(user.locale or "id"):
                # Queued in the same transaction as the claim (the worker sends it), so it is never lost or doubled.
                mail.send(
                    to=user.email,
                    subject=_("How was %(service)s?", service=service or "MPP"),
                    body=_(
                        "Thank you for using the Mal Pelayanan Publik. Please tell us how the service went: "
                        "%(count)s short questions, under a minute. Officers never see who answered.\n\n%(link)s",
                        count=_question_count_on(conn, row.mpp_id),
                        link=link,
                    ),
                    what="survey invitation",
                    connection=conn,
                )
        return True
    except mail.MailError:
        return False
    except Exception:  # an e-mail must never break the officer's action that already committed
        log.exception("survey invitation e-mail %s failed", invitation_id)
        return False


# --- answering -------------------------------------------------------------------------------------------------------


def invitation_for(token: str, user) -> SurveyInvitation | None:
    """The invitation with this token, only for its owner (anyone else: as if it did not exist)."""
    if not token or len(token) > 64:
        return None
    invitation = db.session.scalar(select(SurveyInvitation).where(SurveyInvitation.token == token))
    if invitation is None or user is None or invitation.user_id != user.id:
        return None
    return invitation


def is_answered(invitation: SurveyInvitation) -> bool:
    return db.session.scalar(select(SurveyResponse.id).where(SurveyResponse.invitation_id == invitation.id)) is not None


@dataclass
class SurveyAnswers:
    scores: dict[str, int | None] = field(default_factory=dict)
    suggestion: str = ""
    profile: dict[str, str | None] = field(default_factory=dict)


MSG_NOTHING = _l("Choose an answer for at least one question.")
MSG_SUGGESTION_LONG = _l("Your suggestion is too long (at most %(max)d characters).", max=SUGGESTION_MAX_LENGTH)
MSG_INVALID_CHOICE = _l("Choose one of the answers shown.")


def parse_answers(form, questions=QUESTIONS) -> tuple[SurveyAnswers, dict[str, str]]:
    """Read the posted sheet (``questions``: the MPP's, unsur.for_mpp). Every question may be skipped (it then does
    not count in that unsur's NRR), but an empty sheet is refused. Returns (answers, errors by field name)."""
    answers = SurveyAnswers()
    errors: dict[str, str] = {}
    for question in questions:
        raw = (form.get(question.code) or "").strip()
        if not raw:
            answers.scores[question.code] = None
        elif raw in ("1", "2", "3", "4"):
            answers.scores[question.code] = int(raw)
        else:
            answers.scores[question.code] = None
            errors[question.code] = str(MSG_INVALID_CHOICE)
    if not errors and all(v is None for v in answers.scores.values()):
        errors["u1"] = str(MSG_NOTHING)
    answers.suggestion = (form.get("saran") or "").strip()
    if len(answers.suggestion) > SUGGESTION_MAX_LENGTH:
        errors["saran"] = str(MSG_SUGGESTION_LONG)
    for name, choices in PROFILE_FIELDS.items():
        raw = (form.get(name) or "").strip()
        if raw and raw not in {code for code, _label in choices}:
            errors[name] = str(MSG_INVALID_CHOICE)
            raw = ""
        answers.profile[name] = raw or None
    return answers, errors


def submit_response(invitation: SurveyInvitation, answers: SurveyAnswers) -> bool:
    """Store the answer sheet; True when this call stored it, False when the invitation was already answered
    (a double submit or a replay — the unique constraint decides, under any concurrency)."""
    service = invitation.service
    response = SurveyResponse(
        invitation_id=invitation.id,
        mpp_id=invitation.mpp_id,
        service_id=invitation.service_id,
        agency_id=service.agency_id if service is not None else None,
        outcome=invitation.outcome,
        suggestion=scrub.scrub(answers.suggestion) or None,
        **{code: value for code, value in answers.scores.items()},
        **answers.profile,
    )
    db.session.add(response)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


# --- results ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyResults:
    result: ikm.IkmResult
    suggestions: list[tuple[dt.date, str]]

    questions: tuple = QUESTIONS

    @property
    def unsur_rows(self):
        by_code = {q.code: q for q in self.questions}
        return [(by_code.get(u.code), u) for u in self.result.unsur]


def results(
    query_filter, *, since: dt.datetime | None = None, population: int | None = None, weights=None
) -> SurveyResults:
    """The IKM of the responses matching ``query_filter`` (a WHERE clause on SurveyResponse) and their scrubbed
    suggestions, newest first, dated by day only (an exact time could point at a person in a quiet MPP).
    ``weights``: the MPP's (unsur.py); the regulation's 1/9 each when not given."""
    query = select(SurveyResponse).where(query_filter)
    if since is not None:
        query = query.where(SurveyResponse.created_at >= since)
    rows = db.session.scalars(query.order_by(SurveyResponse.created_at.desc())).all()
    result = ikm.compute([row.scores() for row in rows], weights, population=population)
    suggestions = [(row.created_at.date(), row.suggestion) for row in rows if row.suggestion]
    return SurveyResults(result, suggestions)


def survey_url(invitation: SurveyInvitation) -> str:
    return url_for("feedback.survey", token=invitation.token)


def response_filter(scope):
    """The WHERE clause limiting responses to a staff member's scope (the same rules as applications)."""
    from sqlalchemy import and_, false, or_, true

    if scope.national:
        return true()
    clauses = []
    if scope.admin_mpps:
        clauses.append(SurveyResponse.mpp_id.in_(sorted(scope.admin_mpps)))
    for agency_id, mpp_id in sorted(scope.officer_pairs):
        clauses.append(and_(SurveyResponse.mpp_id == mpp_id, SurveyResponse.agency_id == agency_id))
    return or_(*clauses) if clauses else false()


def invitation_filter(scope):
    from sqlalchemy import and_, false, or_, true

    if scope.national:
        return true()
    clauses = []
    if scope.admin_mpps:
        clauses.append(SurveyInvitation.mpp_id.in_(sorted(scope.admin_mpps)))
    for agency_id, mpp_id in sorted(scope.officer_pairs):
        services = scope.agency_services.get(agency_id, ())
        if services:
            clauses.append(and_(SurveyInvitation.mpp_id == mpp_id, SurveyInvitation.service_id.in_(services)))
    return or_(*clauses) if clauses else false()


def period_results(response_where, invitation_where, period, *, mpp_ids=None) -> SurveyResults:
    """Results for one period. The population served is the number of finished outcomes invited in the period
    (everyone served is invited), which sets the Krejcie–Morgan minimum sample.

    ``mpp_ids``: the MPPs the view covers (None: all). Each MPP's records are counted over its own local period.
    One MPP: its own unsur and weights. Several pooled together: the regulation's nine at 1/9 each, since no one
    MPP's choice of weights can speak for the others."""
    from sqlalchemy import func

    from . import periods, unsur

    zones = periods.mpp_zones(mpp_ids)
    population = db.session.scalar(
        select(func.count(SurveyInvitation.id)).where(
            invitation_where, periods.within(period, SurveyInvitation.created_at, SurveyInvitation.mpp_id, zones)
        )
    )
    where = (response_where) & periods.within(period, SurveyResponse.created_at, SurveyResponse.mpp_id, zones)
    single = sorted(mpp_ids)[0] if mpp_ids is not None and len(mpp_ids) == 1 else None
    settings = unsur.for_mpp(single)
    outcome = results(where, population=population or None, weights=settings.weights)
    return SurveyResults(outcome.result, outcome.suggestions, settings.questions)


SUGGESTIONS_PAGE_SIZE = 30


def suggestions_page(scope, period, *, page: int = 1) -> Page[tuple[dt.date, str]]:
    """One page of the scope's suggestions of ``period``, newest first, dated by day only (as ``results`` does)."""
    from . import periods

    zones = periods.mpp_zones(None if scope.national else scope.mpp_ids)
    query = (
        select(SurveyResponse.created_at, SurveyResponse.suggestion)
        .where(
            response_filter(scope),
            periods.within(period, SurveyResponse.created_at, SurveyResponse.mpp_id, zones),
            SurveyResponse.suggestion.is_not(None),
            SurveyResponse.suggestion != "",
        )
        .order_by(SurveyResponse.created_at.desc(), SurveyResponse.id.desc())
    )
    found = paginate(query, number=page, size=SUGGESTIONS_PAGE_SIZE, scalars=False)
    items = [(created_at.date(), suggestion) for created_at, suggestion in found.items]
    return Page(items=items, number=found.number, has_next=found.has_next)


def scoped_results(scope, period) -> SurveyResults:
    return period_results(
        response_filter(scope), invitation_filter(scope), period, mpp_ids=None if scope.national else scope.mpp_ids
    )
