"""Background jobs with huey: the queue, the tasks bound to this app, and who runs them.

    embedded default   SqliteHuey in instance/jobs.db, consumed by threads INSIDE the web process (started by the
                       first request, so `flask db upgrade` and other commands never start a consumer) — `make run`
                       needs no second command.
    national scale     RedisHuey (MPP_REDIS_URL), MPP_INPROCESS_WORKER=0 on the web nodes, and `flask worker` in
                       separate processes.

What to send is never decided by the queue: every job carries only an outbox id, enqueued AFTER the transaction
that wrote the row has committed (a session hook below), and a periodic sweep re-enqueues whatever was left behind.
"""

from __future__ import annotations

import atexit
import datetime as dt
import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path

import click
from flask import Flask, current_app, has_app_context
from huey import RedisHuey, SqliteHuey, crontab
from huey.api import Huey
from huey.consumer import Consumer
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..database import utcnow
from ..extensions import db
from . import tasks
from .models import EmailOutbox, OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)

EXTENSION = "mpp_jobs"
QUEUE_NAME = "mpp-digital"
INPROCESS_THREADS = 2  # one slow push service must not hold up everyone else's notices
# Rows one transaction wrote (a bulk status change, the sweep) go out in jobs of this many: one queue round trip
# and one claim per batch instead of per row, and still enough jobs for every worker thread to take a share.
DELIVERY_BATCH = 16
_NEW_OUTBOX = "mpp_new_outbox_ids"
_NEW_EMAIL = "mpp_new_email_ids"


@dataclass
class Jobs:
    huey: Huey
    deliver: object  # huey TaskWrapper: deliver(outbox_id)
    deliver_many: object  # huey TaskWrapper: deliver_many(outbox_ids)
    deliver_email: object  # huey TaskWrapper: deliver_email(email_id)
    sweep: object  # huey periodic TaskWrapper
    purge_drafts: object  # huey periodic TaskWrapper, nightly
    consumer: Consumer | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


def make_huey(config) -> Huey:
    if config.get("REDIS_URL"):
        return RedisHuey(QUEUE_NAME, url=config["REDIS_URL"], results=False)
    return SqliteHuey(QUEUE_NAME, filename=str(Path(config["INSTANCE_DIR"]) / "jobs.db"), results=False)


def init_app(app: Flask) -> None:
    huey = make_huey(app.config)

    @huey.task(name="notifications.deliver")
    def deliver(outbox_id: int) -> None:
        with app.app_context():
            tasks.deliver_outbox(outbox_id)

    @huey.task(name="notifications.deliver_many")
    def deliver_many(outbox_ids: list[int]) -> None:
        with app.app_context():
            tasks.deliver_outboxes(outbox_ids)

    @huey.task(name="notifications.deliver_email")
    def deliver_email(email_id: int) -> None:
        with app.app_context():
            tasks.deliver_email(email_id)

    @huey.periodic_task(crontab(minute="*"), name="notifications.sweep")
    def sweep() -> None:
        with app.app_context():
            tasks.sweep_outbox()

    # The job queue is shared by the app's background work; drafts past their 30-day keep (announced on
    # /permohonan beforehand) are removed nightly, so no citizen data outlives the period the page promises.
    @huey.periodic_task(crontab(hour="2", minute="30"), name="applications.purge_drafts")
    def purge_drafts() -> None:
        from ..applications.drafts import purge_expired

        with app.app_context():
            purge_expired()

    # Complaints past a working-day limit are escalated to their MPP admin (once per stage), every hour.
    @huey.periodic_task(crontab(minute="15"), name="feedback.escalate_complaints")
    def escalate_complaints() -> None:
        from ..feedback.complaints import escalate_overdue

        with app.app_context():
            escalate_overdue()

    # The national inbox's counts are sums over the application tally; folding it keeps each sum a few hundred rows.
    @huey.periodic_task(crontab(minute="40"), name="backoffice.compact_tally")
    def compact_tally() -> None:
        from ..backoffice.tally import compact

        with app.app_context():
            compact()

    app.extensions[EXTENSION] = Jobs(
        huey=huey,
        deliver=deliver,
        deliver_many=deliver_many,
        deliver_email=deliver_email,
        sweep=sweep,
        purge_drafts=purge_drafts,
    )
    app.cli.add_command(worker_command)

    if app.config.get("INPROCESS_WORKER") and not app.testing:

        @app.before_request
        def _start_inprocess_worker() -> None:
            start_inprocess(app)


def jobs(app: Flask | None = None) -> Jobs:
    return (app or current_app).extensions[EXTENSION]


class _InProcessConsumer(Consumer):
    def _set_signal_handlers(self) -> None:
        pass  # the web server owns SIGINT/SIGTERM; the worker threads are daemons and die with it


def start_inprocess(app: Flask) -> Consumer:
    """Start the consumer threads in this process (once). Also used by tests that want a live worker."""
    state = jobs(app)
    with state.lock:
        if state.consumer is None:
            consumer = _InProcessConsumer(
                state.huey, workers=INPROCESS_THREADS, worker_type="thread", periodic=True, check_worker_health=False
            )
            consumer.start()
            state.consumer = consumer
            atexit.register(consumer.stop)
            # Whatever the last run left behind is picked up now, not at the next minute.
            with app.app_context():
                enqueue_sweep()
    return state.consumer


def stop_inprocess(app: Flask) -> None:
    state = jobs(app)
    with state.lock:
        if state.consumer is not None:
            state.consumer.stop(graceful=True)
            state.consumer = None


def enqueue_delivery(outbox_id: int, *, at: dt.datetime | None = None) -> bool:
    """Queue the delivery of one outbox message (now, or at ``at``). A queue that is down is logged, not raised:
    the row is in the database and the sweep will find it."""
    state = jobs()
    try:
        if at is None:
            state.deliver(outbox_id)
        else:
            state.deliver.schedule(args=(outbox_id,), delay=max(0.0, (at - utcnow()).total_seconds()))
    except Exception:  # the queue's storage is unavailable (Redis down, disk full)
        log.exception("could not enqueue outbox=%s; the sweep will retry", outbox_id)
        return False
    return True


def enqueue_deliveries(outbox_ids) -> None:
    """Queue many rows now: one by one when there is one, else in batches of ``DELIVERY_BATCH`` per job."""
    ids = sorted(outbox_ids)
    if len(ids) == 1:
        enqueue_delivery(ids[0])
        return
    state = jobs()
    for start in range(0, len(ids), DELIVERY_BATCH):
        batch = ids[start : start + DELIVERY_BATCH]
        try:
            state.deliver_many(batch)
        except Exception:  # like enqueue_delivery: the rows are in the database and the sweep will find them
            log.exception("could not enqueue outbox=%s..%s; the sweep will retry", batch[0], batch[-1])


def enqueue_email(email_id: int, *, at: dt.datetime | None = None) -> bool:
    """Queue the delivery of one e-mail; like ``enqueue_delivery``, a queue that is down is logged, not raised."""
    state = jobs()
    try:
        if at is None:
            state.deliver_email(email_id)
        else:
            state.deliver_email.schedule(args=(email_id,), delay=max(0.0, (at - utcnow()).total_seconds()))
    except Exception:
        log.exception("could not enqueue e-mail=%s; the sweep will retry", email_id)
        return False
    return True


def enqueue_sweep() -> None:
    try:
        jobs().sweep()
    except Exception:
        log.exception("could not enqueue the outbox sweep")


def run_queued(app: Flask, *, limit: int = 1000) -> int:
    """Run every job that is due now, in this thread (tests and the benchmark). Returns how many ran."""
    state = jobs(app)
    count = 0
    while count < limit:
        task = state.huey.dequeue()
        if task is None:
            break
        state.huey.execute(task)
        count += 1
    return count


# --- enqueue after commit -----------------------------------------------------------------------------------------


@event.listens_for(Session, "after_flush")
def _remember_new_outbox_rows(session, _flush_context) -> None:
    ids = [
        obj.id for obj in session.new if isinstance(obj, OutboxMessage) and obj.status in (None, OutboxStatus.PENDING)
    ]
    if ids:
        session.info.setdefault(_NEW_OUTBOX, set()).update(ids)
    email_ids = [obj.id for obj in session.new if isinstance(obj, EmailOutbox)]
    if email_ids:
        session.info.setdefault(_NEW_EMAIL, set()).update(email_ids)


@event.listens_for(Session, "after_commit")
def _enqueue_committed_outbox_rows(session) -> None:
    ids = session.info.pop(_NEW_OUTBOX, None)
    email_ids = session.info.pop(_NEW_EMAIL, None)
    if not has_app_context() or EXTENSION not in current_app.extensions:
        return
    if ids:
        enqueue_deliveries(ids)
    for email_id in sorted(email_ids or ()):
        enqueue_email(email_id)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back_outbox_rows(session) -> None:
    session.info.pop(_NEW_OUTBOX, None)
    session.info.pop(_NEW_EMAIL, None)


# --- `flask worker` -------------------------------------------------------------------------------------------------


@click.command("worker")
@click.option("--threads", default=4, show_default=True, help="Worker threads (push is network-bound).")
@click.option(
    "--periodic/--no-periodic",
    default=True,
    show_default=True,
    help="Also schedule the periodic jobs (sweeps, reminders, escalation). With several workers on one queue give "
    "exactly one the scheduler: each scheduler enqueues every periodic job, so two would run each one twice.",
)
def worker_command(threads: int, periodic: bool) -> None:
    """Run the background worker (push delivery, outbox sweep) in this process until stopped."""
    state = jobs()
    if state.consumer is not None:
        raise click.ClickException("an in-process worker is already running in this process")
    db.session.remove()
    consumer = state.huey.create_consumer(workers=threads, worker_type="thread", periodic=periodic)
    enqueue_sweep()
    consumer.run()
