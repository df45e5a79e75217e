"""Delivery end to end: an officer's status change → outbox row (same transaction) → the job queue → pywebpush →
a real push service on 127.0.0.1 that verifies VAPID and decrypts the message, as a phone would."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from app.accounts.models import User
from app.database import utcnow
from app.extensions import db
from app.notifications import delivery, push, tasks
from app.notifications.models import OutboxMessage, OutboxStatus, PushDelivery

from .conftest import load, notifications_of, outbox_rows, subscription_count


def act(app, client, number: str, action: str, reason: str = ""):
    """The officer presses an action button on the application page (the real back-office route)."""
    version = load(app, number).version
    response = client.post(
        f"/petugas/permohonan/{number}/tindakan",
        data={"tindakan": action, "versi": str(version), "alasan": reason},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:500]


@pytest.fixture
def desk(app, client, officer, signed_in):
    signed_in(client, officer)
    return client


def set_locale(app, user: User, locale: str) -> None:
    with app.app_context():
        db.session.get(User, user.id).locale = locale
        db.session.commit()


def test_a_status_change_by_an_officer_arrives_on_the_phone_decrypted_with_title_url_and_language(
    app, desk, citizen, application_number, push_device, push_service, queue
):
    phone = push_device(citizen)
    act(app, desk, application_number, "verifikasi")

    assert queue.pending() == 1, "the commit of the transition enqueues its outbox row"
    assert queue.run() == 1
    assert push_service.errors == []
    [message] = push_service.messages_for(phone)
    assert message.payload["title"] == f"Permohonan {application_number} telah diverifikasi"
    assert message.payload["url"] == f"/permohonan/{application_number}"
    assert message.payload["lang"] == "id"
    assert message.payload["id"] == notifications_of(app, citizen)[0].id
    assert message.ttl == delivery.TTL_SECONDS
    assert message.headers["urgency"] == "normal"
    assert len(message.headers["topic"]) <= 32 and application_number not in message.headers["topic"]
    [row] = outbox_rows(app)
    assert row.status == OutboxStatus.SENT and row.attempts == 1


def test_the_payload_is_in_the_language_the_citizen_chose(
    app, desk, citizen, application_number, push_device, push_service, queue
):
    set_locale(app, citizen, "en")
    phone = push_device(citizen)
    act(app, desk, application_number, "perbaikan", reason="Foto KK buram, unggah ulang.")
    queue.run()
    [message] = push_service.messages_for(phone)
    assert message.payload["title"] == f"Application {application_number} needs a correction"
    assert message.payload["body"].endswith("Foto KK buram, unggah ulang.")
    assert message.payload["lang"] == "en"
    assert message.headers["urgency"] == "high", "a correction needs the citizen: wake the phone"


def test_every_device_of_the_citizen_gets_it_and_other_citizens_get_nothing(
    app, desk, citizen, other_citizen, application_number, push_device, push_service, queue
):
    phone, laptop, stranger = push_device(citizen), push_device(citizen), push_device(other_citizen)
    act(app, desk, application_number, "verifikasi")
    queue.run()
    assert len(push_service.messages_for(phone)) == 1
    assert len(push_service.messages_for(laptop)) == 1
    assert push_service.messages_for(stranger) == []


def test_one_topic_per_application_so_a_phone_that_was_off_gets_the_latest_state(
    app, desk, citizen, application_number, push_device, push_service, queue
):
    phone = push_device(citizen)
    act(app, desk, application_number, "verifikasi")
    act(app, desk, application_number, "proses")
    queue.run()
    first, second = push_service.messages_for(phone)
    assert first.headers["topic"] == second.headers["topic"]
    assert first.payload["tag"] == second.payload["tag"]
    assert first.payload["id"] != second.payload["id"]


def test_a_citizen_without_devices_gets_the_notice_in_the_inbox_only(
    app, desk, citizen, application_number, push_service, queue
):
    act(app, desk, application_number, "verifikasi")
    queue.run()
    assert push_service.received == [] and push_service.attempts == {}
    [row] = outbox_rows(app)
    assert row.status == OutboxStatus.SENT
    assert len(notifications_of(app, citizen)) == 1


def test_410_gone_deletes_the_subscription_and_the_others_still_get_it(
    app, desk, citizen, application_number, push_device, push_service, queue
):
    old_phone, phone = push_device(citizen), push_device(citizen)
    push_service.answer(old_phone, 410)
    act(app, desk, application_number, "verifikasi")
    queue.run()
    assert subscription_count(app, citizen) == 1
    assert len(push_service.messages_for(phone)) == 1
    assert outbox_rows(app)[0].status == OutboxStatus.SENT


def test_404_also_deletes_the_subscription(app, desk, citizen, application_number, push_device, push_service, queue):
    push_service.answer(push_device(citizen), 404)
    act(app, desk, application_number, "verifikasi")
    queue.run()
    assert subscription_count(app, citizen) == 0


def test_500_then_201_is_delivered_once_after_a_retry_with_backoff(
    app, desk, citizen, application_number, push_device, push_service, queue
):
    phone, laptop = push_device(citizen), push_device(citizen)
    push_service.answer(phone, 500)
    act(app, desk, application_number, "verifikasi")
    before = utcnow()
    queue.run()

    [row] = outbox_rows(app)
    assert row.status == OutboxStatus.PENDING and "500" in row.last_error
    assert before + delivery.FIRST_BACKOFF <= row.next_attempt_at <= utcnow() + delivery.FIRST_BACKOFF
    assert queue.scheduled() == 1, "the retry is scheduled on the queue (the sweep is only the safety net)"
    assert len(push_service.messages_for(laptop)) == 1 and push_service.messages_for(phone) == []

    with app.app_context():  # the backoff has passed
        assert delivery.deliver(row.id, now=row.next_attempt_at).status == "sent"
    assert len(push_service.messages_for(phone)) == 1
    assert len(push_service.messages_for(laptop)) == 1, "the device that already had it is not sent it again"
    assert push_service.attempts[phone.token] == 2
    assert outbox_rows(app)[0].status == OutboxStatus.SENT


def test_429_with_retry_after_waits_at_least_that_long(
    app, desk, citizen, application_number, push_device, push_service, queue
):
    phone = push_device(citizen)
    push_service.answer(phone, (429, {"Retry-After": "600"}))
    act(app, desk, application_number, "verifikasi")
    before = utcnow()
    queue.run()
    [row] = outbox_rows(app)
    assert row.status == OutboxStatus.PENDING
    assert before + dt.timedelta(seconds=600) <= row.next_attempt_at <= utcnow() + dt.timedelta(seconds=601)
    with app.app_context():
        assert delivery.deliver(row.id, now=row.next_attempt_at - dt.timedelta(seconds=1)).status == "skipped"
        assert delivery.deliver(row.id, now=row.next_attempt_at).status == "sent"
    assert len(push_service.messages_for(phone)) == 1


def test_retry_after_as_an_http_date_is_understood():
    now = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)
    assert push.parse_retry_after("Mon, 23 Nov 2026 08:02:00 GMT", now=now) == 120
    assert push.parse_retry_after("120") == 120
    assert push.parse_retry_after("soon") is None


def test_after_the_last_attempt_the_message_is_failed_and_kept_for_admins(
    app, desk, citizen, application_number, push_device, push_service, queue
):
    phone = push_device(citizen)
    push_service.answer(phone, *([503] * delivery.MAX_ATTEMPTS))
    act(app, desk, application_number, "verifikasi")
    queue.run()
    row = outbox_rows(app)[0]
    with app.app_context():
        while row.status == OutboxStatus.PENDING:
            delivery.deliver(row.id, now=row.next_attempt_at)
            row = db.session.get(OutboxMessage, row.id)
    assert row.status == OutboxStatus.FAILED and row.attempts == delivery.MAX_ATTEMPTS
    assert "503" in row.last_error
    assert push_service.messages_for(phone) == []
    assert len(notifications_of(app, citizen)) == 1, "the inbox still has it"


def test_a_rolled_back_transition_enqueues_nothing(app, citizen, application_number, officer, queue):
    from app.applications.models import Application, ApplicationStatus
    from app.applications.workflow import transition

    with app.app_context():
        application = db.session.scalar(select(Application).where(Application.tracking_number == application_number))
        transition(application, ApplicationStatus.VERIFIED, actor=db.session.get(User, officer.id))
        db.session.rollback()
    assert queue.pending() == 0 and outbox_rows(app) == []


def test_a_long_reason_is_shortened_to_fit_one_push_message(
    app, desk, citizen, application_number, push_device, push_service, queue
):
    phone = push_device(citizen)
    # 1,980 characters of aksara Jawa: 3 bytes each in UTF-8, too large for one push message as it is.
    act(app, desk, application_number, "perbaikan", reason="ꦥꦺꦴꦠꦺꦴ ꦏꦏ꧀ " * 180)
    queue.run()
    [message] = push_service.messages_for(phone)
    assert message.payload["body"].endswith("…")
    assert len(message.payload["body"].encode()) < 3993
    assert message.payload["url"] == f"/permohonan/{application_number}"


# --- crashes and the sweep ------------------------------------------------------------------------------------------


def _overdue(app, minutes: int = 10) -> None:
    """Let time pass for the pending rows (instead of sleeping): they became due ``minutes`` ago."""
    with app.app_context():
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.status == OutboxStatus.PENDING)
            .values(next_attempt_at=utcnow() - dt.timedelta(minutes=minutes))
        )
        db.session.commit()


def test_a_worker_killed_between_dequeue_and_send_delivers_after_restart_via_the_sweep(
    app, desk, citizen, application_number, push_device, push_service, queue
):
    phone = push_device(citizen)
    act(app, desk, application_number, "verifikasi")
    assert queue.huey.dequeue() is not None  # the worker took the job … and died before running it
    assert queue.pending() == 0 and push_service.attempts == {}

    with app.app_context():
        assert tasks.sweep_outbox() == 0, "a fresh row is not swept: its job may still be on its way"
    _overdue(app, minutes=2)
    with app.app_context():  # the restarted worker's periodic sweep
        assert tasks.sweep_outbox() == 1
    queue.run()
    assert len(push_service.messages_for(phone)) == 1
    assert outbox_rows(app)[0].status == OutboxStatus.SENT


class Killed(BaseException):
    """The process died: nothing after this point runs (not an Exception, so no handler in the app catches it)."""


def test_a_worker_killed_mid_batch_sends_the_rest_after_restart_and_none_twice(
    app, desk, citizen, application_number, push_device, push_service, queue, monkeypatch
):
    phones = [push_device(citizen) for _ in range(3)]
    act(app, desk, application_number, "verifikasi")
    real_send = push.Sender.send
    calls = []

    def send_then_die(self, target, payload, **kwargs):
        calls.append(target.endpoint)
        if len(calls) == 2:
            raise Killed()  # killed after the first device got it, before the second was sent
        return real_send(self, target, payload, **kwargs)

    monkeypatch.setattr(push.Sender, "send", send_then_die)
    with pytest.raises(Killed):
        queue.run()
    monkeypatch.setattr(push.Sender, "send", real_send)
    with app.app_context():
        db.session.remove()  # the dead process's session is gone with it
    assert [len(push_service.messages_for(p)) for p in phones] == [1, 0, 0]

    with app.app_context():
        assert tasks.sweep_outbox() == 0, "the row is leased to the dead worker until the lease ends"
    _overdue(app)  # the lease has run out
    with app.app_context():
        assert tasks.sweep_outbox() == 1
    queue.run()
    assert [len(push_service.messages_for(p)) for p in phones] == [1, 1, 1], "each device got it exactly once"
    with app.app_context():
        assert db.session.scalar(select(db.func.count(PushDelivery.id))) == 3
    assert outbox_rows(app)[0].status == OutboxStatus.SENT


def test_two_workers_with_the_same_job_send_it_once(
    app, desk, citizen, application_number, push_device, push_service, queue
):
    phone = push_device(citizen)
    act(app, desk, application_number, "verifikasi")
    _overdue(app)
    with app.app_context():
        tasks.sweep_outbox()  # the sweep enqueues the row a second time
    assert queue.pending() == 2
    queue.run()
    assert len(push_service.messages_for(phone)) == 1


def test_the_sweep_re_enqueues_rows_that_were_never_enqueued(app, citizen, push_device, push_service, queue):
    from app.notifications import inbox

    phone = push_device(citizen)
    with app.app_context():
        inbox.send_test(db.session.get(User, citizen.id), url="/notifikasi")
    queue.huey.flush()  # the queue lost the job (e.g. Redis was restarted between commit and enqueue)
    _overdue(app)
    with app.app_context():
        assert tasks.sweep_outbox() == 1
    queue.run()
    [message] = push_service.messages_for(phone)
    assert message.payload["title"] == "Notifikasi uji dari MPP Digital"
    assert "topic" not in message.headers
