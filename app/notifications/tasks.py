"""The jobs the worker runs. Plain functions (run inside an app context by worker.py), so tests call them directly.

Huey's queue is not in the database transaction, so a job only ever carries an outbox id: the *fact* that a notice
must be sent is the outbox row, and losing a job (crash, queue down) costs a delay until the sweep, never a notice.
"""

from __future__ import annotations

import logging

from . import delivery, email

log = logging.getLogger(__name__)


def deliver_outbox(outbox_id: int) -> delivery.Outcome:
    """Deliver one message; when it must be tried again, schedule that try (the sweep is the safety net)."""
    from .worker import enqueue_delivery

    outcome = delivery.deliver(outbox_id)
    if outcome.status == "retry" and outcome.next_attempt_at is not None:
        enqueue_delivery(outbox_id, at=outcome.next_attempt_at)
    return outcome


def deliver_outboxes(outbox_ids: list[int]) -> dict[int, delivery.Outcome]:
    """``deliver_outbox`` for a batch: one claim for all, then each message (one job instead of one per row)."""
    from .worker import enqueue_delivery

    outcomes = delivery.deliver_many(outbox_ids)
    for outbox_id, outcome in outcomes.items():
        if outcome.status == "retry" and outcome.next_attempt_at is not None:
            enqueue_delivery(outbox_id, at=outcome.next_attempt_at)
    return outcomes


def deliver_email(email_id: int) -> delivery.Outcome:
    """Deliver one queued e-mail; when it must be tried again, schedule that try (the sweep is the safety net)."""
    from .worker import enqueue_email

    outcome = email.deliver(email_id)
    if outcome.status == "retry" and outcome.next_attempt_at is not None:
        enqueue_email(email_id, at=outcome.next_attempt_at)
    return outcome


def sweep_outbox() -> int:
    """Re-enqueue every pending message (push and e-mail) that is overdue. Returns how many were enqueued."""
    from .worker import enqueue_deliveries, enqueue_email

    ids = delivery.due_outbox_ids()
    enqueue_deliveries(ids)
    email_ids = email.due_ids()
    for email_id in email_ids:
        enqueue_email(email_id)
    if ids or email_ids:
        log.info("outbox sweep re-enqueued %s push and %s e-mail message(s)", len(ids), len(email_ids))
    return len(ids) + len(email_ids)
