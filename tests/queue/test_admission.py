"""A release's flash crowd: beyond the MPP's admission rate a booking step is refused at once with 429 and
Retry-After, with nothing held and the way back to the same choice (bench/flash_crowd.py measures it under load)."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from app.extensions import db
from app.queue.models import Booking

from ..accounts.fixtures import sign_in_test_client
from ..helpers import PageClient


def _hold(client: PageClient, mpp: str):
    return client.post("/antrean/baru", data={"layanan": "sim-a-baru", "mpp": mpp, "slot": "2026-12-08T08:00"})


def test_beyond_the_admission_rate_a_hold_is_a_429_with_retry_after_and_nothing_held(
    app, make_user, demo_data, monkeypatch
):
    monkeypatch.setitem(app.config, "QUEUE_ADMISSION_LIMIT", "2 per 1 hour")
    people, users = [], []
    for i in range(3):
        person = PageClient(app.test_client())
        users.append(make_user(f"Warga {i}", email=f"rilis{i}@contoh.id"))
        sign_in_test_client(app, person, users[-1])
        people.append(person)
    tokens = [person.csrf_token() for person in people]  # fetched before the crowd: pages are not limited
    assert all(tokens)
    first, second = _hold(people[0], "kota-samarinda"), _hold(people[1], "kota-samarinda")
    assert first.status_code != 429 and second.status_code != 429  # admitted, then answered on their merits
    crowded = _hold(people[2], "kota-samarinda")
    assert crowded.status_code == 429
    wait = int(crowded.headers["Retry-After"])  # when the bucket's window starts again
    said = int(re.search(r"coba lagi dalam (\d+) detik", crowded.get_data(as_text=True)).group(1))
    assert 0 < wait <= 3600 and abs(said - wait) <= 1  # the page says the same (the header is rounded down)
    page = crowded.get_data(as_text=True)
    assert "Banyak orang sedang memesan saat ini. Belum ada yang dipesan" in page
    assert "/antrean/baru?layanan=sim-a-baru&amp;mpp=kota-samarinda&amp;tanggal=2026-12-08" in page
    with app.app_context():
        assert db.session.scalar(select(func.count(Booking.id)).where(Booking.user_id == users[2].id)) == 0
    assert _hold(people[2], "kota-kendari").status_code != 429  # another MPP's release has its own bucket


def test_when_every_booking_step_of_the_process_is_busy_the_next_is_a_429_at_once(
    app, make_user, demo_data, monkeypatch
):
    from app.queue import admission

    monkeypatch.setitem(app.config, "QUEUE_ADMISSION_CONCURRENCY", 1)
    person = PageClient(app.test_client())
    sign_in_test_client(app, person, make_user("Warga", email="gerbang@contoh.id"))
    person.csrf_token()
    with app.app_context():
        gate = admission._gate()
    assert gate.acquire(blocking=False)  # another booking step is in progress
    try:
        busy = _hold(person, "kota-samarinda")
    finally:
        gate.release()
    assert busy.status_code == 429 and int(busy.headers["Retry-After"]) >= 1
    assert "Belum ada yang dipesan" in busy.get_data(as_text=True)
    assert _hold(person, "kota-samarinda").status_code != 429  # the place is free again
