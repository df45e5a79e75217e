"""Notification fixtures: a real push service on 127.0.0.1, devices subscribed through the real use case, the job
queue of the test app (emptied around each test), and the back office's officer and submitted application."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.extensions import db
from app.notifications import subscriptions, vapid, worker
from app.notifications.models import Notification, OutboxMessage, PushSubscription

from ..backoffice.conftest import application_number, demo, load, make_staff, officer  # noqa: F401
from .push_service import PushService, Subscriber


@pytest.fixture(scope="session")
def push_service(app):
    with app.app_context():
        public_key = vapid.current_keys().public_key
    service = PushService(vapid_public_key=public_key).start()
    yield service
    service.stop()


@pytest.fixture(autouse=True)
def _fresh_push_service(request):
    yield
    if "push_service" in request.fixturenames:
        request.getfixturevalue("push_service").reset()


@pytest.fixture
def queue(app):
    """The app's real job queue, empty at the start and end of the test. ``queue.run()`` runs every due job."""
    state = worker.jobs(app)
    state.huey.flush()

    class Queue:
        huey = state.huey

        def run(self) -> int:
            return worker.run_queued(app)

        def pending(self) -> int:
            return state.huey.pending_count()

        def scheduled(self) -> int:
            return state.huey.scheduled_count()

    yield Queue()
    state.huey.flush()


@pytest.fixture
def push_device(app, push_service):
    """``push_device(user) -> Subscriber``: a browser of ``user`` that turned notifications on (stored via the use case)."""

    def subscribe(user: User) -> Subscriber:
        subscriber = push_service.subscriber()
        with app.test_request_context():  # the device label is worded in the request's language
            info = subscriptions.parse_subscription(subscriber.as_json(), production=False)
            subscriptions.save_subscription(
                db.session.get(User, user.id), info, user_agent="Mozilla/5.0 (Linux; Android 14) Chrome/140.0"
            )
            db.session.remove()
        return subscriber

    return subscribe


def outbox_rows(app) -> list[OutboxMessage]:
    with app.app_context():
        rows = list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        for row in rows:
            db.session.expunge(row)
        return rows


def notifications_of(app, user: User) -> list[Notification]:
    with app.app_context():
        rows = list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)))
        for row in rows:
            db.session.expunge(row)
        return rows


def subscription_count(app, user: User) -> int:
    with app.app_context():
        return len(db.session.scalars(select(PushSubscription).where(PushSubscription.user_id == user.id)).all())
