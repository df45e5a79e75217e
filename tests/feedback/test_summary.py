"""The performance pages read summaries the database keeps with triggers (app/feedback/summary.py, migration 0023):
after every kind of change they must equal a computation from scratch, and the pages must run a number of
statements that does not grow with the rows."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, event, func, select, update

from app.applications.models import Application, StatusEvent
from app.applications.models import ApplicationStatus as S
from app.catalog.models import Mpp, Service
from app.extensions import db
from app.feedback import performance, periods, summary

from .conftest import move, submit_application


def _assert_kept(app) -> dict:
    with app.app_context():
        kept, real = summary.current(), summary.recount()
    assert kept == real
    return real


def _completed_directly(citizen_id: int, mpp_id: int, service_id: int, number: int, *, completed_at, days, due):
    """An application inserted as the bulk loads and imports do (not through the workflow), with its completion."""
    submitted_at = completed_at - dt.timedelta(days=days, seconds=number * 977, microseconds=number * 31)
    application = Application(
        tracking_number=f"K{number:011d}", user_id=citizen_id, service_id=service_id, mpp_id=mpp_id,
        status=S.COMPLETED, submitted_at=submitted_at, due_date=due, created_at=submitted_at,
    )  # fmt: skip
    db.session.add(application)
    db.session.flush()
    db.session.add(StatusEvent(application_id=application.id, from_status=S.IN_PROCESS, to_status=S.COMPLETED,
                               actor_role="petugas", created_at=completed_at))  # fmt: skip
    return application


def test_the_summaries_equal_a_count_from_scratch_after_every_kind_of_change(app, make_user, officer, demo):
    # Through the real workflow: submitted (received), then completed (a completion of the current month).
    numbers = [submit_application(app, make_user(f"Warga {i}")) for i in range(4)]
    move(app, numbers[0], officer, S.COMPLETED)
    move(app, numbers[1], officer, S.COMPLETED)
    move(app, numbers[2], officer, S.REJECTED)
    real = _assert_kept(app)
    assert len(real["completions"]) == 2 and sum(real["received"].values()) == 4

    citizen = make_user("Warga Banyak")
    with app.app_context():
        mpps = db.session.scalars(select(Mpp.id).order_by(Mpp.id)).all()
        services = db.session.scalars(select(Service.id).order_by(Service.id)).all()
        # Bulk: completions around local midnight at a month's edge in each zone, with and without due dates.
        edge = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
        for i in range(24):
            _completed_directly(
                citizen.id, mpps[i % 3], services[i % 5], i,
                completed_at=edge + dt.timedelta(hours=(i % 12) - 10, seconds=i), days=i % 9,
                due=None if i % 5 == 0 else dt.date(2026, 10, 31),
            )  # fmt: skip
        db.session.commit()
    _assert_kept(app)

    with app.app_context():
        first, second, third, fourth = db.session.scalars(
            select(Application).where(Application.tracking_number.like("K%")).order_by(Application.id).limit(4)
        )
        first.due_date = dt.date(2026, 12, 31)  # on time now
        second.submitted_at -= dt.timedelta(days=3, microseconds=7)  # a longer duration
        third.service_id = services[7]  # another service
        fourth.mpp_id = mpps[4]  # another MPP (and zone)
        db.session.commit()
        # A bulk UPDATE the ORM never sees, one that changes nothing counted, an MPP's zone, a delete, a draft.
        db.session.execute(
            update(Application).where(Application.tracking_number.like("K00000000002%")).values(due_date=None)
        )
        db.session.execute(update(Application).values(version=Application.version + 1))
        db.session.get(Mpp, mpps[1]).timezone = "Asia/Jayapura"
        db.session.commit()
        db.session.execute(
            delete(Application).where(Application.id == select(func.max(Application.id)).scalar_subquery())
        )
        db.session.commit()
    _assert_kept(app)
    draft_user = make_user("Warga Draf")
    with app.app_context():
        draft = Application(
            tracking_number="D00000000001", user_id=draft_user.id, service_id=services[0], mpp_id=mpps[0],
            status=S.DRAFT, submitted_at=dt.datetime(2026, 10, 5, tzinfo=dt.UTC),
        )  # fmt: skip
        db.session.add(draft)
        db.session.commit()
        before = sum(summary.current()["received"].values())
        draft.status = S.SUBMITTED  # a draft is not received until it is submitted
        db.session.commit()
        assert sum(summary.current()["received"].values()) == before + 1
    real = _assert_kept(app)
    assert len(real["completions"]) == 25 and len({key[0] for key in real["months"]}) >= 3


def _statements(app, client, url: str) -> int:
    seen = []

    def count(*_args):
        seen.append(1)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200, url
    return len(seen)


def test_the_performance_pages_run_the_same_statements_however_many_completions(app, client, make_user, demo):
    citizen = make_user("Warga Banyak")
    now = dt.datetime.now(dt.UTC)

    def add(first: int, n: int) -> None:
        with app.app_context():
            mpps = db.session.scalars(select(Mpp).order_by(Mpp.id)).all()
            kendari = next(m for m in mpps if m.slug == "kota-kendari")
            services = db.session.scalars(select(Service).where(Service.agency_id.is_not(None))).all()
            for i in range(first, first + n):  # Kendari's on two services only: every one of its rows has ≥ 5
                service = services[i % 4 // 2] if i % 2 else services[i % len(services)]
                _completed_directly(
                    citizen.id, kendari.id if i % 2 else mpps[i % len(mpps)].id, service.id, i,
                    completed_at=now - dt.timedelta(minutes=i), days=i % 17, due=now.date(),
                )  # fmt: skip
            db.session.commit()

    urls = ("/kinerja", "/kinerja/mpp/kota-kendari")
    add(0, 24)
    few = [_statements(app, client, url) for url in urls]
    add(24, 150)
    many = [_statements(app, client, url) for url in urls]
    assert many == few
    with app.app_context():
        kendari = next(r for r in performance.table(periods.current_quarter()) if r.slug == "kota-kendari")
    assert kendari.completed >= 81 and kendari.median_days is not None


def test_the_ikm_of_responses_counted_per_answer_pattern_equals_reading_them_one_by_one():
    """The pages count survey responses per answer pattern in the database; the IKM, each unsur's NRR and the
    interval must be exactly those of the responses read one by one, with skipped unsur and custom weights."""
    import random
    from collections import Counter

    from app.feedback import ikm

    rnd = random.Random(15)
    codes = ikm.UNSUR_CODES
    weights = {code: "1/10" for code in codes[:8]} | {codes[8]: "1/5"}
    for size in (1, 4, 5, 37, 400):
        responses = [
            {code: None if rnd.random() < 0.1 else rnd.choice((2, 3, 3, 4)) for code in codes} for _ in range(size)
        ]
        responses += [dict(response) for response in responses[: size // 2]]  # people who answered alike
        rnd.shuffle(responses)
        patterns = Counter(tuple(sorted(response.items(), key=lambda item: item[0])) for response in responses)
        groups = [(dict(pattern), count) for pattern, count in patterns.items()]
        for w in (None, weights):
            assert ikm.compute_grouped(groups, w, population=900) == ikm.compute(responses, w, population=900)
    assert len(groups) <= 400 < len(responses)  # answers repeat: fewer groups than responses
