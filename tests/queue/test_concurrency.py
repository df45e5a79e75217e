"""Never overbooked: 200 real threads against the real database (SQLite in WAL mode, or PostgreSQL with
MPP_TEST_DATABASE_URL). The claim's primary key decides who gets a place, not a Python check."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from app.accounts.models import User
from app.extensions import db
from app.queue import booking
from app.queue.booking import BookingRefused
from app.queue.models import Booking, BookingStatus

from .conftest import NOW, SLOT, make_settings, make_users, sim_place

THREADS = 200


def _race(app, user_ids, action):
    """Run ``action(user)`` for every user at the same moment, each in its own thread, app context and session."""
    barrier = threading.Barrier(len(user_ids))

    def attempt(index_and_id):
        index, user_id = index_and_id
        with app.app_context():
            try:
                barrier.wait(timeout=60)  # before touching the database: the pool's connections are shared
                user = db.session.get(User, user_id)
                return action(index, user, sim_place())
            except BookingRefused as refusal:
                return refusal.reason, refusal.message
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=len(user_ids)) as pool:
        return list(pool.map(attempt, enumerate(user_ids)))


def test_two_hundred_people_booking_one_slot_get_exactly_its_capacity(app, queue_ctx):
    make_settings(capacity=5, priority_capacity=0, daily_quota=500)
    user_ids = make_users(THREADS)

    def book(index, user, place):
        held = booking.hold(user=user, place=place, slot_value=SLOT, now_utc=NOW)
        booking.confirm(booking=held, nik=f"351001170890{index + 1:04d}", now_utc=NOW)
        return "booked", held.code

    results = _race(app, user_ids, book)
    booked = [r for r in results if r[0] == "booked"]
    refused = [r for r in results if r[0] != "booked"]
    assert len(booked) == 5
    assert {reason for reason, _message in refused} == {"full"}
    assert len({message for _reason, message in refused}) == 1  # one clear message (its words: test_pages.py)
    db.session.remove()
    confirmed = db.session.scalar(
        select(func.count()).select_from(Booking).where(Booking.status == BookingStatus.CONFIRMED)
    )
    assert confirmed == 5


def test_two_hundred_holds_racing_for_the_last_place_give_one_hold(app, queue_ctx):
    make_settings(capacity=3, priority_capacity=0, daily_quota=500)
    early = make_users(2)
    place = sim_place()
    for user_id in early:
        booking.hold(user=db.session.get(User, user_id), place=place, slot_value=SLOT, now_utc=NOW)
    db.session.remove()
    user_ids = make_users(THREADS)

    def hold(index, user, place):
        return "held", booking.hold(user=user, place=place, slot_value=SLOT, now_utc=NOW).code

    results = _race(app, user_ids, hold)
    assert sum(1 for r in results if r[0] == "held") == 1
    assert sum(1 for r in results if r[0] == "full") == THREADS - 1

    # Five minutes later every hold has expired by itself: the places are free again.
    later = NOW + dt.timedelta(minutes=5, seconds=1)
    latecomer = db.session.get(User, make_users(1)[0])
    assert booking.hold(user=latecomer, place=sim_place(), slot_value=SLOT, now_utc=later).status == BookingStatus.HOLD
    choices = booking.slot_choices(sim_place(), dt.date(2026, 12, 8), priority=False, now_utc=later)
    assert next(c.places_left for c in choices if c.slot.key == SLOT) == 2


def test_a_thousand_attempts_from_a_hundred_accounts_never_give_an_account_two_bookings_of_a_day(app, queue_ctx):
    """Bots on a release: 100 accounts each fire 10 holds at once across the day's slots (1,000 attempts, 12 at a
    time — under the connection pool's 15, so a slow machine waits on locks, not on the pool); every account ends with at most one place, and no slot holds more than its capacity."""
    make_settings(capacity=3, priority_capacity=0, daily_quota=500)
    user_ids = make_users(100)
    slots = ["2026-12-08T08:00", "2026-12-08T08:30", "2026-12-08T09:00", "2026-12-08T09:30", "2026-12-08T10:00"]
    attempts = [(user_id, slots[i % len(slots)]) for user_id in user_ids for i in range(10)]
    go = threading.Event()

    def grab(item):
        user_id, slot = item
        go.wait(timeout=60)
        with app.app_context():
            try:
                booking.hold(user=db.session.get(User, user_id), place=sim_place(), slot_value=slot, now_utc=NOW)
                return "held"
            except BookingRefused as refusal:
                return refusal.reason
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=12) as pool:
        futures = [pool.submit(grab, item) for item in attempts]
        go.set()
        answers = [future.result() for future in futures]
    assert set(answers) <= {"held", "full", "double"}
    db.session.remove()
    per_user = db.session.execute(
        select(Booking.user_id, func.count()).where(Booking.status == BookingStatus.HOLD).group_by(Booking.user_id)
    ).all()
    assert per_user and all(count == 1 for _user, count in per_user)
    per_slot = db.session.execute(
        select(Booking.slot_start, func.count())
        .where(Booking.status == BookingStatus.HOLD)
        .group_by(Booking.slot_start)
    ).all()
    assert all(count <= 3 for _slot, count in per_slot)
    assert sum(count for _slot, count in per_slot) == 3 * len(slots)
