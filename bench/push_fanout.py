"""Push fan-out: notices per second through the real worker vs. pywebpush in a plain loop, interleaved in rounds.

    .venv/bin/python bench/push_fanout.py [--notices 2000] [--rounds 3] [--threads 8]
        [--database-url postgresql+psycopg://postgres@127.0.0.1/<scratch db>]   # EMPTIED first: a scratch database

Both sides send real RFC 8291 messages signed with VAPID to the tests' local push service on 127.0.0.1 (its
decryption is switched off so the receiver's CPU does not dominate: this measures the sender). A notice counts
only when the push service RECEIVED it — not when a row says so. Every citizen has the "notifikasi" consent and
one device, as a citizen who turned notifications on. Reports; asserts nothing.

    loop    ``pywebpush.webpush()`` once per notice, as a tutorial would write it (key string, new HTTP connection).
    worker  notification + outbox rows committed (which enqueues one job per row), then the huey consumer with N
            threads delivers them: claim, render in the citizen's language, send, delivery record — never twice.

Each round runs the loop, then the worker, on the same number of notices; the report gives the median and the
spread over the rounds, and the worker's rate as a share of the loop's in the same round.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _reset_database(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notices", type=int, default=2000, help="notices per side and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=8, help="worker threads (flask worker --threads)")
    parser.add_argument("--per-citizen", type=int, default=5, help="notices per citizen (one device each)")
    parser.add_argument("--database-url", help="a SCRATCH database (it is emptied); default: SQLite in a temp dir")
    args = parser.parse_args()

    import logging

    logging.disable(logging.INFO)
    instance = Path(tempfile.mkdtemp(prefix="mpp-push-bench-"))
    url = args.database_url or f"sqlite:///{instance / 'bench.db'}"
    _reset_database(url)

    from flask_migrate import upgrade
    from pywebpush import webpush
    from sqlalchemy import func, insert, select

    from app import create_app
    from app.accounts.models import User
    from app.database import utcnow
    from app.extensions import db
    from app.notifications import vapid, worker
    from app.notifications.models import Notification, OutboxMessage, OutboxStatus, PushSubscription
    from app.personal.models import Consent
    from app.personal.privacy import NOTIFICATIONS
    from tests.notifications.push_service import PushService

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_DIR": str(instance), "INPROCESS_WORKER": False})
    service = PushService(verify=False).start()
    citizens = max(1, args.notices // args.per_citizen)
    subscribers = [service.subscriber() for _ in range(citizens)]
    with app.app_context():
        upgrade()
        keys = vapid.current_keys()
        db.session.execute(
            insert(User),
            [
                {"webauthn_handle": i.to_bytes(32, "big"), "display_name": f"Warga {i}", "email": f"w{i}@contoh.id"}
                for i in range(citizens)
            ],
        )
        user_ids = list(db.session.scalars(select(User.id).order_by(User.id)))
        db.session.execute(
            insert(Consent), [{"user_id": uid, "purpose": NOTIFICATIONS, "granted_at": utcnow()} for uid in user_ids]
        )
        db.session.execute(
            insert(PushSubscription),
            [
                {"user_id": uid, "endpoint": s.endpoint, "p256dh": s.p256dh, "auth": s.auth, "device_label": "bench"}
                for uid, s in zip(user_ids, subscribers, strict=True)
            ],
        )
        db.session.commit()
        dialect = db.engine.dialect.name

    payload = (
        '{"id":1,"title":"Permohonan 7471-26-AAAA-AAA telah diverifikasi","body":"Data dan dokumen lengkap.",'
        '"url":"/permohonan/7471-26-AAAA-AAA"}'
    )

    def run_loop() -> tuple[float, int]:
        service.received.clear()
        started = time.perf_counter()
        for i in range(args.notices):
            subscriber = subscribers[i % citizens]
            webpush(
                subscriber.as_json(),
                data=payload,
                vapid_private_key=keys.private_key,
                vapid_claims={"sub": keys.subject},
                ttl=86400,
            )
        return time.perf_counter() - started, len(service.received)

    def run_worker(round_number: int) -> tuple[float, int, float]:
        service.received.clear()
        with app.app_context():
            jobs = worker.jobs(app)
            jobs.huey.flush()
            started = time.perf_counter()
            for start in range(0, args.notices, 1000):  # the officers' transactions, batched for the set-up
                for i in range(start, min(args.notices, start + 1000)):
                    number = f"7471-26-{round_number:02d}{i:04d}-AAA"
                    notification = Notification(
                        user_id=user_ids[i % citizens],
                        kind="application_status",
                        title_msgid="Application %(number)s verified",
                        body_msgid="Your data and documents for %(service)s are complete.",
                        params={"number": number, "service": "KTP-el", "status": "diverifikasi"},
                        url=f"/permohonan/{number}",
                    )
                    notification.outbox.append(OutboxMessage())
                    db.session.add(notification)
                db.session.commit()
            enqueue_seconds = time.perf_counter() - started
            pending = lambda: db.session.scalar(  # noqa: E731
                select(func.count(OutboxMessage.id)).where(OutboxMessage.status == OutboxStatus.PENDING)
            )
            consumer = jobs.huey.create_consumer(workers=args.threads, worker_type="thread", periodic=False)
            consumer._set_signal_handlers = lambda: None
            started = time.perf_counter()
            consumer.start()
            while True:
                left = pending()
                db.session.remove()
                if not left:
                    break
                time.sleep(0.05)
            seconds = time.perf_counter() - started
            consumer.stop(graceful=True)
        return seconds, len(service.received), enqueue_seconds

    rows = []
    for round_number in range(args.rounds):
        loop_seconds, loop_received = run_loop()
        worker_seconds, worker_received, enqueue_seconds = run_worker(round_number)
        row = {
            "loop_rate": loop_received / loop_seconds,
            "worker_rate": worker_received / worker_seconds,
            "loop_received": loop_received,
            "worker_received": worker_received,
            "enqueue_seconds": enqueue_seconds,
        }
        row["share"] = row["worker_rate"] / row["loop_rate"]
        rows.append(row)
        print(
            f"  round {round_number + 1}: loop {row['loop_rate']:.0f}/s ({loop_received} received), "
            f"worker {row['worker_rate']:.0f}/s ({worker_received} received), {row['share']:.2f}×",
            flush=True,
        )
    service.stop()

    def summary(key: str, fmt: str) -> str:
        values = [row[key] for row in rows]
        return f"median {format(statistics.median(values), fmt)} (spread {format(min(values), fmt)}–{format(max(values), fmt)})"

    print(
        f"push fan-out on {dialect}: {args.notices} notices per side and round, {args.rounds} rounds, "
        f"{citizens} citizens with one device each, local push service"
    )
    print(f"  pywebpush loop          {summary('loop_rate', '.0f')} pushes received/s")
    print(f"  worker ({args.threads} threads)      {summary('worker_rate', '.0f')} pushes received/s")
    print(f"  worker / loop           {summary('share', '.2f')}×   goal ≥ 0.50×")
    lost = [row for row in rows if row["worker_received"] != args.notices or row["loop_received"] != args.notices]
    print(f"  every notice received exactly once: {'yes' if not lost else 'NO: ' + str(lost)}")


if __name__ == "__main__":
    main()
