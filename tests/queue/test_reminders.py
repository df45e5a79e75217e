"""Reminders the day before and an hour before, delivered for real: outbox → job worker → pywebpush → the local
push service (RFC 8030/8291), with the clock controlled by the test. Never twice, never for an old time."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.extensions import db
from app.notifications.models import Notification
from app.queue import booking
from app.queue.reminders import send_due_reminders

from .conftest import NIK, NOW, SLOT, make_settings, make_users, sim_place

SLOT_START = dt.datetime(2026, 12, 8, 1, 0, tzinfo=dt.UTC)  # Tuesday 09.00 WITA


@pytest.fixture
def booked(app, demo_data):
    """A confirmed booking of a citizen for Tuesday 09.00 WITA; returns (user, code)."""
    with app.app_context():
        make_settings()
        user = db.session.get(User, make_users(1)[0])
        held = booking.hold(user=user, place=sim_place(), slot_value=SLOT, now_utc=NOW)
        booking.confirm(booking=held, nik=NIK, now_utc=NOW)
        return SimpleNamespace(id=user.id), held.code


def _notifications(app, user):
    with app.app_context():
        return [
            (n.title_msgid, n.params)
            for n in db.session.scalars(
                select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
            )
        ]


def test_the_day_before_and_the_hour_before_reminders_reach_the_phone_once_each(
    app, booked, push_device, push_service, queue
):
    user, code = booked
    phone = push_device(user)
    with app.app_context():
        assert send_due_reminders(SLOT_START - dt.timedelta(days=1, minutes=1)) == 0  # not yet
        assert send_due_reminders(SLOT_START - dt.timedelta(hours=23)) == 1
        assert send_due_reminders(SLOT_START - dt.timedelta(hours=22)) == 0  # never twice
    queue.run()
    messages = push_service.messages_for(phone)
    assert len(messages) == 1
    assert "09.00 WITA" in messages[0].payload["title"] and messages[0].payload["url"] == f"/antrean/{code}"
    with app.app_context():
        assert send_due_reminders(SLOT_START - dt.timedelta(minutes=59)) == 1
        assert send_due_reminders(SLOT_START - dt.timedelta(minutes=30)) == 0
    queue.run()
    assert len(push_service.messages_for(phone)) == 2
    assert len(_notifications(app, user)) == 2  # and both are in the inbox


def test_a_rescheduled_booking_never_gets_the_reminder_of_its_old_time(app, booked, push_device, push_service, queue):
    user, code = booked
    phone = push_device(user)
    with app.app_context():
        own = booking.booking_of(db.session.get(User, user.id), code)
        booking.reschedule(booking=own, slot_value="2026-12-09T10:00", now_utc=NOW)
        # The old time's day-before moment: nothing (the booking is now on Wednesday 10.00 WITA).
        assert send_due_reminders(SLOT_START - dt.timedelta(hours=23)) == 0
        assert send_due_reminders(dt.datetime(2026, 12, 8, 3, 0, tzinfo=dt.UTC)) == 1
    queue.run()
    (message,) = push_service.messages_for(phone)
    assert "10.00 WITA" in message.payload["title"]


def test_a_cancelled_booking_gets_no_reminder(app, booked, push_device, push_service, queue):
    user, code = booked
    phone = push_device(user)
    with app.app_context():
        booking.cancel(booking=booking.booking_of(db.session.get(User, user.id), code), now_utc=NOW)
        assert send_due_reminders(SLOT_START - dt.timedelta(hours=23)) == 0
        assert send_due_reminders(SLOT_START - dt.timedelta(minutes=30)) == 0
    queue.run()
    assert push_service.messages_for(phone) == []
