"""Fan-out at volume: notices one transaction writes go out in batched jobs (one claim per batch), a notice to one
device costs two commits (claim, done), and a batch enqueued twice still reaches each device once."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select

from app.extensions import db
from app.notifications import delivery, worker
from app.notifications.models import Notification, OutboxMessage, OutboxStatus, PushDelivery


def write_notices(app, users, count: int) -> list[int]:
    """``count`` notices in ONE transaction (as a bulk action would), round-robin over ``users``."""
    with app.app_context():
        rows = []
        for i in range(count):
            notification = Notification(
                user_id=users[i % len(users)].id,
                kind="application_status",
                title_msgid="Application %(number)s verified",
                body_msgid="Your data and documents for %(service)s are complete.",
                params={"number": f"7471-26-{i:04d}-AAA", "service": "KTP-el", "status": "diverifikasi"},
                url=f"/permohonan/7471-26-{i:04d}-AAA",
            )
            notification.outbox.append(OutboxMessage())
            db.session.add(notification)
            rows.append(notification)
        db.session.commit()
        return [n.outbox[0].id for n in rows]


@pytest.fixture
def citizens(make_user):
    return [make_user(f"Warga {i}") for i in range(3)]


def test_one_transactions_notices_go_out_in_batched_jobs_each_device_once(
    app, citizens, push_device, push_service, queue
):
    phones = [push_device(user) for user in citizens]
    count = worker.DELIVERY_BATCH * 2 + 3
    ids = write_notices(app, citizens, count)
    assert queue.pending() == 3, "one job per batch of rows, not one per row"
    with app.app_context():
        worker.enqueue_deliveries(ids)  # the same rows enqueued again (a sweep racing the commit hook)
    queue.run()
    received = sum(len(push_service.messages_for(phone)) for phone in phones)
    assert received == count, "every notice reached its device exactly once"
    with app.app_context():
        assert db.session.scalar(select(db.func.count(PushDelivery.id))) == count
        statuses = set(db.session.scalars(select(OutboxMessage.status)))
    assert statuses == {OutboxStatus.SENT}


def test_a_notice_to_one_device_costs_two_commits(app, citizens, push_device, push_service):
    push_device(citizens[0])
    (outbox_id,) = write_notices(app, citizens[:1], 1)
    commits = []
    with app.app_context():
        listener = lambda session: commits.append(1)  # noqa: E731
        event.listen(db.session(), "after_commit", listener)
        try:
            assert delivery.deliver(outbox_id).status == "sent"
        finally:
            event.remove(db.session(), "after_commit", listener)
    assert len(commits) == 2  # the claim, then the delivery record together with the row's final status
    assert len(push_service.received) == 1


def test_a_batch_claims_only_rows_still_pending(app, citizens, push_device, push_service):
    push_device(citizens[0])
    ids = write_notices(app, citizens[:1], 3)
    with app.app_context():
        assert delivery.deliver(ids[0]).status == "sent"
        outcomes = delivery.deliver_many(ids)
    assert outcomes[ids[0]].status == "skipped"
    assert [outcomes[i].status for i in ids[1:]] == ["sent", "sent"]
    assert len(push_service.received) == 3
