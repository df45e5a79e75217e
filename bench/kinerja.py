"""Benchmark: the public performance pages (/kinerja, /kinerja/mpp/<slug>) over a year of data — 100k applications,
their completion events, survey responses, complaints and queue visits — cold (page cache off) and cached (the
minute-long page cache of app/pagecache.py), for a quarter and a month. Everything is generated with bulk inserts
(executemany over plain dicts, 5,000 rows a batch), so filling 100k applications takes well under a minute.
Reports the median and the spread (min–max) of the repeats; asserts nothing. Fills a SCRATCH database:

    .venv/bin/python bench/kinerja.py                                  # SQLite file in a temporary folder
    .venv/bin/python bench/kinerja.py --applications 20000 --repeat 3
    .venv/bin/python bench/kinerja.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test_bench
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import sqlalchemy as sa  # noqa: E402
from inbox import _fill, _prepare  # noqa: E402  (the same 100k applications as the inbox benchmark)


def _fill_feedback(seed: int = 11) -> None:
    """Completion events for completed applications, a survey response for a third of them, complaints for 1 %."""
    from app.applications.models import Application, ApplicationStatus, StatusEvent
    from app.extensions import db
    from app.feedback.models import Complaint, SurveyInvitation, SurveyOutcome, SurveyResponse

    rng = random.Random(seed)
    rows = db.session.execute(
        sa.select(Application.id, Application.user_id, Application.mpp_id, Application.service_id,
                  Application.submitted_at).where(Application.status == ApplicationStatus.COMPLETED)
    ).all()  # fmt: skip
    events, invitations = [], []
    for app_id, user_id, mpp_id, service_id, submitted in rows:
        done = submitted + dt.timedelta(hours=rng.randrange(2, 24 * 20))
        events.append({"application_id": app_id, "from_status": ApplicationStatus.IN_PROCESS,
                       "to_status": ApplicationStatus.COMPLETED, "actor_role": "petugas", "created_at": done})  # fmt: skip
        invitations.append({"token": f"t{app_id}", "user_id": user_id, "application_id": app_id,
                            "outcome": SurveyOutcome.COMPLETED, "mpp_id": mpp_id, "service_id": service_id,
                            "created_at": done})  # fmt: skip
    db.session.execute(sa.insert(StatusEvent), events)
    db.session.execute(sa.insert(SurveyInvitation), invitations)
    invited = db.session.execute(
        sa.select(
            SurveyInvitation.id, SurveyInvitation.mpp_id, SurveyInvitation.service_id, SurveyInvitation.created_at
        )
    ).all()
    responses = []
    for inv_id, mpp_id, service_id, created in invited:
        if rng.random() < 0.33:
            scores = {f"u{i}": rng.choice((2, 3, 3, 4, 4)) for i in range(1, 10)}
            responses.append({"invitation_id": inv_id, "mpp_id": mpp_id, "service_id": service_id,
                              "outcome": SurveyOutcome.COMPLETED, "created_at": created, **scores})  # fmt: skip
    db.session.execute(sa.insert(SurveyResponse), responses)
    complaints = []
    for i, (_app_id, _user, mpp_id, service_id, submitted) in enumerate(rows[: max(1, len(rows) // 100)]):
        complaints.append({"number": f"ADU-{i:04d}-BNCH", "kind": "pengaduan", "title": "x", "body": "x" * 20,
                           "mpp_id": mpp_id, "service_id": service_id, "status": "ditanggapi", "version": 1,
                           "created_at": submitted, "status_changed_at": submitted, "confidential": False,
                           "anonymous": False, "reopened": rng.random() < 0.1, "answered_on_time": rng.random() < 0.8,
                           "resolution_due_on": submitted.date() + dt.timedelta(days=84), "channel": "web"})  # fmt: skip
    db.session.execute(sa.insert(Complaint), complaints)
    db.session.commit()


def _fill_queue(visits: int, seed: int = 13) -> int:
    """``visits`` queue visits over the last year (booked or walk-in; served, no-show or cancelled), with check-in,
    first-call and finish times, so the queue columns of /kinerja read as much as in real life."""
    from app.catalog.models import Service, ServiceOffering, Tenancy
    from app.extensions import db
    from app.queue.models import Booking, BookingStatus

    rng = random.Random(seed)
    tenancy_of = {(mpp, agency): tid for tid, mpp, agency in db.session.execute(
        sa.select(Tenancy.id, Tenancy.mpp_id, Tenancy.agency_id))}  # fmt: skip
    offerings = [
        (mpp, service, tenancy_of[(mpp, agency)])
        for mpp, service, agency in db.session.execute(
            sa.select(ServiceOffering.mpp_id, ServiceOffering.service_id, Service.agency_id).join(
                Service, Service.id == ServiceOffering.service_id
            )
        )
        if (mpp, agency) in tenancy_of
    ]
    now = dt.datetime.now(dt.UTC)
    numbers: dict[tuple, int] = {}
    batch = []
    for i in range(visits):
        mpp, service, tenancy = rng.choice(offerings)
        day_start = now - dt.timedelta(days=rng.randrange(0, 365))
        checked_in = day_start.replace(hour=1, minute=0) + dt.timedelta(minutes=rng.randrange(0, 360))
        walk_in = rng.random() < 0.3
        status = rng.choices((BookingStatus.SERVED, BookingStatus.NO_SHOW, BookingStatus.CANCELLED), (70, 20, 10))[0]
        key = (tenancy, checked_in.date())
        numbers[key] = numbers.get(key, 0) + 1
        called = checked_in + dt.timedelta(minutes=rng.randrange(1, 120))
        batch.append({
            "code": f"B{i:07d}", "user_id": None, "mpp_id": mpp, "tenancy_id": tenancy, "service_id": service,
            "status": status, "walk_in": walk_in, "local_day": checked_in.date(),
            "queue_number": f"{'B' if walk_in else 'A'}{numbers[key]:04d}", "version": 1, "call_count": 1,
            "created_at": checked_in - dt.timedelta(days=1),
            "confirmed_at": None if walk_in else checked_in - dt.timedelta(days=1),
            "checked_in_at": checked_in if status == BookingStatus.SERVED else None,
            "called_at": called if status == BookingStatus.SERVED else None,
            "finished_at": called + dt.timedelta(minutes=8) if status != BookingStatus.CANCELLED else None,
        })  # fmt: skip
        if len(batch) == 5000:
            db.session.execute(sa.insert(Booking), batch)
            batch = []
    if batch:
        db.session.execute(sa.insert(Booking), batch)
    db.session.commit()
    return visits


def _time(client, url: str, repeat: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds of this process per request. On a shared machine the wall clock mostly measures
    the neighbours; the CPU time is what the page costs (on SQLite all of it; on PostgreSQL the server's share is
    not in it)."""
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        assert response.status_code == 200, (url, response.status_code)
    return wall, cpu


def _spread(values: list[float]) -> str:
    ms = sorted(v * 1000 for v in values)
    return f"median {statistics.median(ms):7.1f} ms ({ms[0]:.1f}–{ms[-1]:.1f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--applications", type=int, default=100_000)
    parser.add_argument("--visits", type=int, default=None, help="queue visits (default: half the applications)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='mpp-bench-kinerja-')}/bench.db"
    app = _prepare(url)
    started = time.perf_counter()
    with app.app_context():
        _fill(args.applications)
        _fill_feedback()
        _fill_queue(args.visits if args.visits is not None else args.applications // 2)
        from app.extensions import db

        with db.engine.begin() as conn:
            if db.engine.dialect.name == "sqlite":
                conn.execute(sa.text("ANALYZE"))
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text("ANALYZE"))
    print(f"filled {args.applications} applications in {time.perf_counter() - started:.1f} s ({url.split(':')[0]})")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    client = app.test_client()
    today = dt.datetime.now(dt.UTC)
    quarter = f"{today.year}-T{(today.month - 1) // 3 + 1}"
    month = f"{today.year}-{today.month:02d}"
    paths = [f"/kinerja?periode={quarter}", f"/kinerja?periode={month}",
             f"/kinerja/mpp/kota-kendari?periode={quarter}", f"/kinerja/mpp/kota-kendari?periode={month}"]  # fmt: skip
    for label, cache_seconds in (("cold", 0), ("cached", 60)):
        app.config["PAGE_CACHE_SECONDS"] = cache_seconds
        for path in paths:
            if cache_seconds:
                client.get(path)  # the first visit of the minute fills the cache
            wall, cpu = _time(client, path, args.repeat)
            print(f"{label:7} {path:45} wall {_spread(wall)}  cpu {_spread(cpu)}  n={len(wall)}")


if __name__ == "__main__":
    main()
