"""Benchmark: bookings per second at the last-slot contention point, on SQLite and PostgreSQL, and the board's cost
per connected screen.

Reports numbers, asserts nothing (timings jitter on a shared 2-core machine). It fills a SCRATCH database — never
point it at a database that matters:

    .venv/bin/python bench/queue_booking.py                     # SQLite file in a temporary folder
    .venv/bin/python bench/queue_booking.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test_bench
    .venv/bin/python bench/queue_booking.py --threads 50 --capacity 5 --rounds 7

Each round is one slot released to ``--threads`` people at once (a threading.Barrier), ``--capacity`` places:
"contended" is the time until every thread has its answer (capacity holds, the rest "slot penuh"). A "baseline"
round runs the same number of holds on slots nobody else wants, one thread each. Rounds alternate baseline /
contended so machine load drifts into both alike; the median and the spread (min–max) of each are printed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import secrets
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402
from scratch import scratch_app  # noqa: E402

NOW = dt.datetime(2026, 12, 6, 23, 0, tzinfo=dt.UTC)  # Monday 07.00 WITA: Tuesday … next Monday are open


def _setup(app, *, users: int, capacity: int):
    from sqlalchemy import select

    from app.accounts.models import Role, User
    from app.catalog.demo_data import load_demo_data
    from app.catalog.models import Mpp, Service, Tenancy
    from app.extensions import db
    from app.queue.models import QueueSettings

    with app.app_context():
        load_demo_data()
        service = db.session.scalar(select(Service).where(Service.slug == "sim-a-baru"))
        mpp = db.session.scalar(select(Mpp).where(Mpp.slug == "kota-samarinda"))
        tenancy = db.session.scalar(
            select(Tenancy).where(Tenancy.mpp_id == mpp.id, Tenancy.agency_id == service.agency_id)
        )
        db.session.add(
            QueueSettings(
                tenancy_id=tenancy.id,
                service_id=service.id,
                enabled=True,
                slot_minutes=5,
                capacity=capacity,
                priority_capacity=0,
                daily_quota=10_000,
                priority_daily_quota=0,
                window_days=7,
                release_hour=6,
                reschedule_cutoff_hours=24,
                no_show_minutes=15,
            )
        )
        people = [
            User(
                webauthn_handle=secrets.token_bytes(32),
                display_name=f"Bench {i}",
                email=f"b{i}@contoh.id",
                role=Role.CITIZEN,
            )
            for i in range(users)
        ]
        db.session.add_all(people)
        db.session.commit()
        return [person.id for person in people]


def _slots():
    """Every 5-minute slot of Tuesday–Friday and the next Monday, 08.00–12.00 WITA, in order."""
    for day in (8, 9, 10, 11, 14):
        for minutes in range(0, 240, 5):
            yield f"2026-12-{day:02d}T{8 + minutes // 60:02d}:{minutes % 60:02d}"


def _round(app, user_ids, slot_for) -> tuple[float, int]:
    """All users try to hold at once; returns (seconds until the last answer, holds granted)."""
    from app.accounts.models import User
    from app.catalog.models import Service
    from app.extensions import db
    from app.queue import booking, settings

    barrier = threading.Barrier(len(user_ids) + 1)

    def attempt(index_and_id):
        index, user_id = index_and_id
        with app.app_context():
            barrier.wait()
            try:
                service = db.session.scalar(sa.select(Service).where(Service.slug == "sim-a-baru"))
                place = settings.place_at(service, "kota-samarinda")
                booking.hold(user=db.session.get(User, user_id), place=place, slot_value=slot_for(index), now_utc=NOW)
                return 1
            except booking.BookingRefused:
                return 0
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=len(user_ids)) as pool:
        futures = [pool.submit(attempt, item) for item in enumerate(user_ids)]
        barrier.wait()
        started = time.perf_counter()
        granted = sum(f.result() for f in futures)
        return time.perf_counter() - started, granted


def _fill_board(app, *, counters: int = 6, per_counter: int = 8) -> int:
    """A busy hall: walk-in numbers at ``counters`` counters of the MPP, two called at each, the rest waiting."""
    from app.accounts.models import Role, User
    from app.catalog.models import Mpp, Tenancy
    from app.extensions import db
    from app.queue import counter

    with app.app_context():
        officer = User(
            webauthn_handle=secrets.token_bytes(32), display_name="Petugas", email="p@contoh.id", role=Role.OFFICER
        )
        db.session.add(officer)
        db.session.commit()
        mpp = db.session.scalar(sa.select(Mpp).where(Mpp.slug == "kota-samarinda"))
        tenancies = db.session.scalars(sa.select(Tenancy).where(Tenancy.mpp_id == mpp.id).order_by(Tenancy.id)).all()
        filled = 0
        for tenancy in tenancies[:counters]:
            services = [s for s in tenancy.agency.services if any(o.mpp_id == mpp.id for o in s.offerings)]
            if not services:
                continue
            for _ in range(per_counter):
                counter.issue_walk_in(tenancy=tenancy, service=services[0], actor=officer)
            for desk in ("Loket 1", "Loket 2"):
                counter.call_next(tenancy=tenancy, counter_label=desk, actor=officer)
            filled += 1
        return filled


def _board_cost(app, *, batches: int = 7, repeat: int = 50) -> dict[str, list[tuple[float, float]]]:
    """Server time per board poll (the fragment htmx polls every 5 s), in interleaved batches of three kinds:

    - "unchanged": the poll names the version the screen shows and nothing changed (app/queue/live.py: a 204 from
      memory);
    - "changed": the same poll right after a change was announced at the MPP (read from the database, rendered);
    - "no version": a poll that names no version (what every poll was before: always read and rendered).

    One (wall ms, CPU ms) pair per batch and kind; CPU is this process's (the app's Python side, without the
    database server's)."""
    import re

    from app.catalog.models import Mpp
    from app.extensions import db
    from app.queue.live import live_of

    client = app.test_client()
    url = "/mpp/kota-samarinda/antrean"
    headers = {"HX-Request": "true"}
    shown = [""]  # the version the screen shows
    with app.app_context():
        mpp_id = db.session.scalar(sa.select(Mpp.id).where(Mpp.slug == "kota-samarinda"))
    live = live_of(app)

    def unchanged():
        response = client.get(url, query_string={"versi": shown[0]}, headers=headers)
        if response.status_code == 200:  # a new minute: the board says another time, read once
            shown[0] = re.search(r"versi=([0-9a-f]+)", response.get_data(as_text=True)).group(1)
        else:
            assert response.status_code == 204, response.status_code

    def changed():
        live.versions.changed({mpp_id})  # what a counter's call announces
        response = client.get(url, query_string={"versi": shown[0]}, headers=headers)
        assert response.status_code in (200, 204)

    def no_version():
        assert client.get(url, headers=headers).status_code == 200

    figures: dict[str, list[tuple[float, float]]] = {"unchanged": [], "changed": [], "no version": []}
    polls = {"unchanged": unchanged, "changed": changed, "no version": no_version}
    for _ in range(batches):
        shown[0] = re.search(r"versi=([0-9a-f]+)", client.get(url, headers=headers).get_data(as_text=True)).group(1)
        for name, poll in polls.items():
            wall, cpu = time.perf_counter(), time.process_time()
            for _ in range(repeat):
                poll()
            figures[name].append(
                ((time.perf_counter() - wall) / repeat * 1000, (time.process_time() - cpu) / repeat * 1000)
            )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--threads", type=int, default=50)
    parser.add_argument("--capacity", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--board-only", action="store_true", help="only the board's polls, no booking rounds")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='mpp-bench-')}/bench.db"
    app = scratch_app(url, PAGE_CACHE_SECONDS=0)
    if args.board_only:
        _setup(app, users=0, capacity=args.capacity)
        _print_board(app)
        return
    # Each round needs fresh people: one booking per person per service per day.
    user_ids = _setup(app, users=args.threads * args.rounds * 2, capacity=args.capacity)
    slots = iter(_slots())
    baseline, contended = [], []
    for number in range(args.rounds):
        people = user_ids[number * 2 * args.threads : (number * 2 + 1) * args.threads]
        own = [next(slots) for _ in people]  # nobody else wants these: a hold each, one thread per slot
        seconds, granted = _round(app, people, lambda i, own=own: own[i])
        baseline.append(len(people) / seconds)
        people = user_ids[(number * 2 + 1) * args.threads : (number * 2 + 2) * args.threads]
        shared = next(slots)
        seconds, granted = _round(app, people, lambda i, shared=shared: shared)
        assert granted == args.capacity, f"overbooked or underbooked: {granted}"
        contended.append(len(people) / seconds)

    def line(name, values):
        return (
            f"{name:<28} median {statistics.median(values):7.1f} answers/s"
            f"   spread {min(values):7.1f}–{max(values):7.1f}   ({len(values)} rounds)"
        )

    engine = url.split(":", 1)[0]
    print(f"{engine}: {args.threads} people per slot, {args.capacity} places, interleaved rounds")
    print(line("baseline (no contention)", baseline))
    print(line("last-slot contention", contended))
    _print_board(app)


def _print_board(app) -> None:
    counters = _fill_board(app)
    figures = _board_cost(app)
    print(f"board poll ({counters} counters with numbers), server time per request, median (spread) of batches:")
    for name, pairs in figures.items():
        wall = [pair[0] for pair in pairs]
        cpu = [pair[1] for pair in pairs]
        print(
            f"  {name:<10} wall {statistics.median(wall):7.2f} ms ({min(wall):.2f}–{max(wall):.2f})"
            f"   CPU {statistics.median(cpu):7.2f} ms ({min(cpu):.2f}–{max(cpu):.2f})   ({len(pairs)} batches)"
        )
    unchanged = statistics.median(pair[0] for pair in figures["unchanged"])
    changed = statistics.median(pair[0] for pair in figures["changed"])
    print(
        f"  an unchanged poll costs {unchanged / changed:.2f}× a changed one; polled every 5 s, one screen takes "
        f"{unchanged / 5000 * 100:.3f}% of a core while nothing changes ({changed / 5000 * 100:.2f}% if every poll "
        "read the database)"
    )


if __name__ == "__main__":
    main()
