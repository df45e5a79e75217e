"""Push fan-out: notices per second through the real worker vs. pywebpush in a plain loop, in the same run.

    .venv/bin/python bench/push_fanout.py [--notices 10000] [--threads 8]

Both sides send real RFC 8291 messages signed with VAPID to the tests' local push service on 127.0.0.1 (its
decryption is switched off so the receiver's CPU does not dominate: this measures the sender). Reports; asserts
nothing.

    loop    ``pywebpush.webpush()`` once per notice, as a tutorial would write it (key string, new HTTP connection).
    worker  notification + outbox rows committed (which enqueues one job per row into SqliteHuey), then the huey
            consumer with N threads delivers them: claim, render in the citizen's language, send, delivery record.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notices", type=int, default=10_000)
    parser.add_argument("--threads", type=int, default=8, help="worker threads (flask worker --threads)")
    parser.add_argument("--per-citizen", type=int, default=5, help="notices per citizen (one device each)")
    args = parser.parse_args()

    import logging

    logging.disable(logging.INFO)
    from flask_migrate import upgrade
    from pywebpush import webpush
    from sqlalchemy import func, insert, select

    from app import create_app
    from app.accounts.models import User
    from app.extensions import db
    from app.notifications import vapid, worker
    from app.notifications.models import Notification, OutboxMessage, OutboxStatus, PushSubscription
    from tests.notifications.push_service import PushService

    instance = Path(tempfile.mkdtemp(prefix="mpp-push-bench-"))
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'bench.db'}",
            "INSTANCE_DIR": str(instance),
            "INPROCESS_WORKER": False,
        }
    )
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
            insert(PushSubscription),
            [
                {"user_id": uid, "endpoint": s.endpoint, "p256dh": s.p256dh, "auth": s.auth, "device_label": "bench"}
                for uid, s in zip(user_ids, subscribers, strict=True)
            ],
        )
        db.session.commit()

    # --- pywebpush in a plain loop ----------------------------------------------------------------------------------
    payload = '{"id":1,"title":"Permohonan 7471-26-AAAA-AAA telah diverifikasi","body":"Data dan dokumen lengkap.","url":"/permohonan/7471-26-AAAA-AAA"}'
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
    loop_seconds = time.perf_counter() - started
    loop_received = len(service.received)
    service.received.clear()

    # --- through the outbox and the worker --------------------------------------------------------------------------
    with app.app_context():
        jobs = worker.jobs(app)
        jobs.huey.flush()
        started = time.perf_counter()
        for start in range(0, args.notices, 1000):  # the officers' transactions, batched for the set-up
            for i in range(start, min(args.notices, start + 1000)):
                notification = Notification(
                    user_id=user_ids[i % citizens],
                    kind="application_status",
                    title_msgid="Application %(number)s verified",
                    body_msgid="Your data and documents for %(service)s are complete.",
                    params={"number": f"7471-26-{i:04d}-AAA", "service": "KTP-el", "status": "diverifikasi"},
                    url=f"/permohonan/7471-26-{i:04d}-AAA",
                )
                notification.outbox.append(OutboxMessage())
                db.session.add(notification)
            db.session.commit()
        enqueue_seconds = time.perf_counter() - started
        queued = jobs.huey.pending_count()

    consumer = jobs.huey.create_consumer(workers=args.threads, worker_type="thread", periodic=False)
    consumer._set_signal_handlers = lambda: None
    started = time.perf_counter()
    consumer.start()
    with app.app_context():
        while True:
            done = db.session.scalar(
                select(func.count(OutboxMessage.id)).where(OutboxMessage.status != OutboxStatus.PENDING)
            )
            db.session.remove()
            if done >= args.notices:
                break
            time.sleep(0.1)
    worker_seconds = time.perf_counter() - started
    consumer.stop(graceful=True)
    worker_received = len(service.received)
    service.stop()

    print(f"push fan-out: {args.notices} notices to {citizens} devices on a local push service")
    print(
        f"  pywebpush loop        {args.notices / loop_seconds:8.0f} notices/s  ({loop_seconds:.1f} s, {loop_received} received)"
    )
    print(
        f"  worker ({args.threads} threads)    {args.notices / worker_seconds:8.0f} notices/s  ({worker_seconds:.1f} s, "
        f"{worker_received} received; writing + enqueueing {queued} jobs took {enqueue_seconds:.1f} s more)"
    )


if __name__ == "__main__":
    main()
