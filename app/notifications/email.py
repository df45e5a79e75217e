"""Deliver one queued e-mail — the job worker's work, never a web request's (the same claim/lease/backoff as push).

1. Claim the row: one UPDATE moves ``next_attempt_at`` a lease into the future and counts the attempt, only if the
   row is still pending and due. A duplicate task (the sweep and the original both enqueued it) claims nothing.
2. Hand it to the mail server (accounts/mail.py ``transmit``). Sent: ``delivered_at`` is set and the body erased
   (it holds one-time codes, which must not outlive their delivery). A 5xx refusal fails at once; anything else
   (server down, timeout, 4xx) is retried with exponential backoff, and after ``MAX_ATTEMPTS`` the row is marked
   failed with its last error, shown to admins next to failed push notifications.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select, update

from ..accounts import mail
from ..database import utcnow
from ..extensions import db
from .delivery import SWEEP_BATCH, SWEEP_GRACE, Outcome, backoff
from .models import EmailOutbox, OutboxStatus

log = logging.getLogger(__name__)

LEASE = dt.timedelta(minutes=2)  # far longer than one SMTP conversation may take (10 s timeout per step)
MAX_ATTEMPTS = 8  # 30 s … 1 h apart: about two hours of trying before the row is given up and shown to admins


def claim(email_id: int, *, now: dt.datetime) -> bool:
    claimed = db.session.execute(
        update(EmailOutbox)
        .where(
            EmailOutbox.id == email_id,
            EmailOutbox.status == OutboxStatus.PENDING,
            EmailOutbox.next_attempt_at <= now,
        )
        .values(next_attempt_at=now + LEASE, attempts=EmailOutbox.attempts + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return claimed == 1


def deliver(email_id: int, *, now: dt.datetime | None = None) -> Outcome:
    now = now or utcnow()
    if not claim(email_id, now=now):
        return Outcome("skipped")
    row = db.session.get(EmailOutbox, email_id)
    db.session.refresh(row)
    try:
        mail.transmit(to=row.recipient, subject=row.subject, body=row.body or "", what=row.what)
    except mail.PermanentMailError as error:
        return _finish(row, OutboxStatus.FAILED, error=str(error))
    except mail.MailError as error:
        if row.attempts >= MAX_ATTEMPTS:
            return _finish(row, OutboxStatus.FAILED, error=str(error))
        row.next_attempt_at = now + backoff(row.attempts)
        row.last_error = str(error)[:1000]
        db.session.commit()
        return Outcome("retry", next_attempt_at=row.next_attempt_at)
    row.delivered_at = utcnow()
    return _finish(row, OutboxStatus.SENT, error=None)


def _finish(row: EmailOutbox, status: OutboxStatus, *, error: str | None) -> Outcome:
    row.status = status
    row.last_error = error[:1000] if error else None
    if status == OutboxStatus.SENT:
        row.body = None  # the code inside has reached the citizen; the database need not keep it
    db.session.commit()
    return Outcome(status.value, sent=1 if status == OutboxStatus.SENT else 0)


def due_ids(
    *, now: dt.datetime | None = None, grace: dt.timedelta = SWEEP_GRACE, limit: int = SWEEP_BATCH
) -> list[int]:
    """Pending rows that should have been delivered by now (never enqueued, a lost retry, a dead worker's lease)."""
    cutoff = (now or utcnow()) - grace
    return list(
        db.session.scalars(
            select(EmailOutbox.id)
            .where(EmailOutbox.status == OutboxStatus.PENDING, EmailOutbox.next_attempt_at <= cutoff)
            .order_by(EmailOutbox.next_attempt_at)
            .limit(limit)
        )
    )


def deliver_due(*, now: dt.datetime | None = None) -> list[Outcome]:
    """Deliver every pending e-mail that is due at ``now``, in this thread (tests, and the worker's sweep)."""
    now = now or utcnow()
    return [deliver(email_id, now=now) for email_id in due_ids(now=now, grace=dt.timedelta(0))]


def retry_failed(email_id: int) -> bool:
    """An admin asks to try a failed e-mail again from scratch (its body is kept until it is delivered)."""
    result = db.session.execute(
        update(EmailOutbox)
        .where(EmailOutbox.id == email_id, EmailOutbox.status == OutboxStatus.FAILED, EmailOutbox.body.is_not(None))
        .values(status=OutboxStatus.PENDING, attempts=0, next_attempt_at=utcnow(), last_error=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1
