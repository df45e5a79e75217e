"""Flash crowd at a queue release: thousands of booking attempts in one minute against a running server.

    make run-scale                                              # the national profile, in another terminal
    MPP_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/mpp_scale \\
        .venv/bin/python bench/flash_crowd.py --host http://127.0.0.1:8000 --people 1500 --seconds 60

Prepares ``--people`` citizens (server-side sessions, as bench/load/prepare.py does, each with a NIK of their own) in
the server's database, then each of them, at a moment spread over ``--seconds``, opens the booking page of the
newest released day (SIM A baru at MPP Kota Samarinda by default), holds a random time of that day and confirms
with their NIK — as a phone would, over HTTP. A 429 is honoured as a person would: wait ``Retry-After`` and try
again (``--retries`` times). Reported: answers by status, latency p50/p95/p99 of the admitted steps (everything
that was not a 429), and then the database is checked: no slot holds more people than its capacity, nobody holds
two bookings of the service on that day, every 429 carried Retry-After, and no 5xx. The verdict is PASS only if
all of these hold and the admitted p95 is under 1 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import secrets
import statistics
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent / "load"))

import requests  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from prepare import signed_in_cookie, use_run_scale_environment  # noqa: E402
from resend import send  # noqa: E402

SLOT_INPUT = re.compile(r'name="slot"[^>]*value="([0-9T:-]+)"')


def _nik(i: int) -> str:
    return f"647201410190{(i % 9999) + 1:04d}"  # Kota Samarinda (64 72 01), born 1 January 1990, own serial


def _prepare(people: int) -> tuple[str, list[dict]]:
    from app import create_app
    from app.accounts.models import User
    from app.extensions import db

    app = create_app()
    out = []
    with app.app_context():
        db.session.execute(sa.delete(User).where(User.email.like("crowd-%@contoh.id")))
        db.session.commit()
        for i in range(people):
            user = User(
                webauthn_handle=secrets.token_bytes(32), display_name=f"Warga {i}", email=f"crowd-{i}@contoh.id"
            )
            db.session.add(user)
            db.session.flush()
            cookie = signed_in_cookie(app, user, "flash-crowd")
            out.append({"user_id": user.id, "cookie": cookie, "nik": _nik(i)})
        db.session.commit()
        return app.config["SESSION_COOKIE_NAME"], out


def _check(service_slug: str, mpp_slug: str, day: dt.date) -> dict:
    """What the database holds for that day after the crowd: the invariants that must never break."""
    from app import create_app
    from app.catalog.models import Mpp, Service
    from app.extensions import db
    from app.queue import settings as queue_settings
    from app.queue.models import ACTIVE_STATUSES, Booking

    app = create_app()
    with app.app_context():
        service = db.session.scalar(sa.select(Service).where(Service.slug == service_slug))
        mpp = db.session.scalar(sa.select(Mpp).where(Mpp.slug == mpp_slug))
        place = queue_settings.place_at(service, mpp_slug)
        active = sa.and_(
            Booking.service_id == service.id,
            Booking.mpp_id == mpp.id,
            Booking.local_day == day,
            Booking.status.in_(ACTIVE_STATUSES),
        )
        per_slot = db.session.execute(
            sa.select(Booking.slot_start, Booking.priority_category.is_not(None), sa.func.count())
            .where(active)
            .group_by(Booking.slot_start, Booking.priority_category.is_not(None))
        ).all()
        per_person = db.session.execute(
            sa.select(Booking.user_id, sa.func.count())
            .where(active)
            .group_by(Booking.user_id)
            .having(sa.func.count() > 1)
        ).all()
        per_nik = db.session.execute(
            sa.select(Booking.nik_hash, sa.func.count())
            .where(active, Booking.nik_hash.is_not(None))
            .group_by(Booking.nik_hash)
            .having(sa.func.count() > 1)
        ).all()
        rules = place.rules
        over = [
            (start, n)
            for start, priority, n in per_slot
            if n > (rules.priority_capacity if priority else rules.capacity)
        ]
        return {
            "booked": sum(n for _, _, n in per_slot),
            "slots": len(per_slot),
            "overbooked_slots": over,
            "people_with_two": len(per_person),
            "niks_with_two": len(per_nik),
            "capacity": rules.capacity,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    state = use_run_scale_environment()
    parser.add_argument("--host", default=state.get("url", "http://127.0.0.1:8000"))
    parser.add_argument("--people", type=int, default=1500)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--threads", type=int, default=64)
    parser.add_argument("--retries", type=int, default=3)
    parser.add_argument("--service", default="sim-a-baru")
    parser.add_argument("--mpp", default="kota-samarinda")
    args = parser.parse_args()
    host = args.host.rstrip("/")

    cookie_name, people = _prepare(args.people)
    probe = requests.Session()
    probe.cookies.set(cookie_name, people[0]["cookie"], domain=requests.utils.urlparse(host).hostname)
    page = probe.get(f"{host}/antrean/baru", params={"layanan": args.service, "mpp": args.mpp}).text
    days = sorted(set(re.findall(r"tanggal=(\d{4}-\d{2}-\d{2})", page)))
    if not days:
        sys.exit("no bookable day on the booking page: is the queue enabled for this service and MPP?")
    day = days[-1]  # the day released last: where the crowd goes
    page = probe.get(f"{host}/antrean/baru", params={"layanan": args.service, "mpp": args.mpp, "tanggal": day}).text
    slots = sorted(set(SLOT_INPUT.findall(page)))
    if not slots:
        sys.exit(f"no free slot on {day}")
    print(
        f"{args.people} people, {len(slots)} slots on {day} at {args.mpp} ({args.service}), over {args.seconds:.0f} s"
    )

    lock = threading.Lock()
    answers: Counter = Counter()
    admitted_ms: list[float] = []
    missing_retry_after = 0
    booked = 0
    started = time.monotonic()

    def request(session: requests.Session, url: str, data: dict) -> requests.Response:
        nonlocal missing_retry_after
        t0 = time.perf_counter()
        response = send(session, "POST", url, data=data, allow_redirects=False, timeout=30)
        elapsed = (time.perf_counter() - t0) * 1000
        with lock:
            answers[response.status_code] += 1
            if response.status_code == 429:
                missing_retry_after += "Retry-After" not in response.headers
            else:
                admitted_ms.append(elapsed)
        return response

    def person(index: int) -> None:
        try:
            attempt(index)
        except requests.RequestException as error:  # a timeout or a dropped connection: counted, not fatal
            with lock:
                answers[f"no answer ({type(error).__name__})"] += 1

    def attempt(index: int) -> None:
        nonlocal booked
        me = people[index]
        delay = started + random.uniform(0, args.seconds) - time.monotonic()  # noqa: S311
        if delay > 0:
            time.sleep(delay)
        session = requests.Session()
        session.headers["Origin"] = host
        session.cookies.set(cookie_name, me["cookie"], domain=requests.utils.urlparse(host).hostname)
        token = send(session, "GET", f"{host}/luring/token", timeout=30).json()["csrf_token"]
        slot = random.choice(slots)  # noqa: S311
        for _attempt in range(args.retries + 1):
            held = request(
                session,
                f"{host}/antrean/baru",
                {"csrf_token": token, "layanan": args.service, "mpp": args.mpp, "slot": slot},
            )
            if held.status_code == 429:
                time.sleep(float(held.headers.get("Retry-After", "1")))
                continue
            if held.status_code != 303:
                return  # full or refused on its merits: a clear page, the person picks another time
            confirm_url = host + held.headers["Location"]
            for _again in range(args.retries + 1):
                done = request(session, confirm_url, {"csrf_token": token, "nik": me["nik"]})
                if done.status_code == 429:
                    time.sleep(float(done.headers.get("Retry-After", "1")))
                    continue
                if done.status_code == 303:
                    with lock:
                        booked += 1
                return
            return

    with ThreadPoolExecutor(max_workers=args.threads) as pool:
        list(pool.map(person, range(args.people)))
    wall = time.monotonic() - started
    check = _check(args.service, args.mpp, dt.date.fromisoformat(day))
    ordered = sorted(admitted_ms)

    def pct(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0

    server_errors = sum(n for status, n in answers.items() if not isinstance(status, int) or status >= 500)
    print(f"answers: {dict(answers)} in {wall:.0f} s")
    print(
        f"admitted steps: {len(ordered)}  p50 {statistics.median(ordered) if ordered else 0:.0f} ms  "
        f"p95 {pct(0.95):.0f} ms  p99 {pct(0.99):.0f} ms"
    )
    print(
        f"booked (confirmed by the client): {booked}; in the database: {check['booked']} in {check['slots']} slots "
        f"(capacity {check['capacity']} a slot)"
    )
    print(
        f"overbooked slots: {len(check['overbooked_slots'])}; people with two bookings: {check['people_with_two']}; "
        f"NIKs with two: {check['niks_with_two']}; 429 without Retry-After: {missing_retry_after}; "
        f"5xx or no answer: {server_errors}"
    )
    ok = (
        not check["overbooked_slots"]
        and not check["people_with_two"]
        and not check["niks_with_two"]
        and not missing_retry_after
        and not server_errors
        and pct(0.95) < 1000
    )
    print(f"verdict: {'PASS' if ok else 'FAIL'}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
