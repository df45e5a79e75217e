"""Faults during load, with a verdict: kill -9 a job worker mid-delivery, restart PostgreSQL, flush and restart Redis.

    make run-scale                                   # in another terminal (its state file names the processes)
    .venv/bin/python bench/faults.py                 # all three faults; --faults worker,postgres,redis to choose

It restarts the machine's PostgreSQL and Redis (``--postgres-restart`` / ``--redis-restart`` name the commands):
run it on a machine of its own, never while anything else uses them. What happens:

1. A local push service (the suite's, which decrypts every message) and ``--citizens`` people prepared in the
   server's database: a session, the notifikasi consent, one or two push devices each, complete drafts.
2. For ``--seconds``: citizens submit their drafts and read their pages over HTTP; an "officer" thread verifies
   submitted applications (the officer's own transaction: status change + notification + outbox in one commit,
   retried when the database is away, as the officer's second click would be).
3. Meanwhile the faults, spread over the run: SIGKILL of a job worker (run-scale starts it again), a PostgreSQL
   restart, FLUSHDB of the app's Redis database followed by a Redis restart.
4. After the load, once the outbox is drained (or ``--drain`` seconds), the verdict:
   - every submitted draft made exactly one application (no duplicate from a retried submit);
   - every status change of the run has exactly one notification;
   - every notification arrived exactly once on every device of its citizen (counted by the push service, by
     notification id — a message sent twice or never is a failure);
   - HTTP answers during the faults were successes, 4xx the person can act on, or 503 with Retry-After —
     never another 5xx, never a 503 without Retry-After;
   - the app recovered by itself: /readyz answers 200 at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench" / "load"))

import requests  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from resend import send  # noqa: E402

HIDDEN = re.compile(r'name="(csrf_token|idempotency_key)"[^>]*value="([^"]+)"')


def _state(path: Path) -> dict:
    if not path.exists():
        sys.exit(f"no {path}: start `make run-scale` first (SCALE_STATE_FILE names another file)")
    return json.loads(path.read_text())


def _prepare(app, service, citizens: int, drafts_each: int) -> tuple[list[dict], int]:
    import io

    from prepare import ANSWERS, _nik, _png, signed_in_cookie

    from app.accounts.models import Role, User
    from app.applications import drafts
    from app.applications.models import Draft
    from app.catalog.models import DocumentType, Mpp, Service
    from app.database import utcnow
    from app.extensions import db
    from app.notifications.models import PushSubscription
    from app.personal.documents import store_upload
    from app.personal.models import Consent
    from app.personal.privacy import NOTIFICATIONS

    people = []
    with app.app_context():
        db.session.execute(sa.delete(User).where(User.email.like("fault-%@contoh.id")))
        db.session.commit()
        ktp = db.session.scalar(sa.select(Service).where(Service.slug == "ktp-el-hilang-rusak"))
        kendari = db.session.scalar(sa.select(Mpp).where(Mpp.slug == "kota-kendari"))
        officer = User(
            webauthn_handle=secrets.token_bytes(32),
            display_name="Petugas Uji",
            email="fault-o@contoh.id",
            role=Role.OFFICER,
        )
        db.session.add(officer)
        for i in range(citizens):
            user = User(
                webauthn_handle=secrets.token_bytes(32), display_name=f"Warga {i}", email=f"fault-{i}@contoh.id"
            )
            db.session.add(user)
            db.session.flush()
            db.session.add(Consent(user_id=user.id, purpose=NOTIFICATIONS, granted_at=utcnow()))
            devices = [service.subscriber() for _ in range(1 + i % 2)]
            for device in devices:
                db.session.add(
                    PushSubscription(
                        user_id=user.id,
                        endpoint=device.endpoint,
                        p256dh=device.p256dh,
                        auth=device.auth,
                        device_label="uji gangguan",
                    )  # fmt: skip
                )
            kk = store_upload(user, io.BytesIO(_png()), DocumentType("kk"))
            first = drafts.start_draft(user, ktp)
            first.answers = {**ANSWERS, "nik": _nik(i), "dokumen.kk": str(kk.id)}
            first.mpp_id = kendari.id
            ids = [first.public_id]
            for _ in range(drafts_each - 1):
                copy = Draft(
                    public_id=str(uuid.uuid4()),
                    user_id=user.id, service_id=ktp.id, form_definition_id=first.form_definition_id,
                    mpp_id=kendari.id, answers=dict(first.answers), prefilled=list(first.prefilled or []),
                    step=first.step, revision=1, expires_at=first.expires_at,
                )  # fmt: skip
                db.session.add(copy)
                ids.append(copy.public_id)
            cookie = signed_in_cookie(app, user, "faults")
            people.append({"user_id": user.id, "cookie": cookie, "drafts": ids, "devices": [d.token for d in devices]})
        db.session.commit()
        return people, officer.id


def _restart(command: str) -> str:
    done = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=120)  # noqa: S602
    return f"`{command}` → {done.returncode}" + (f" ({done.stderr.strip()[:200]})" if done.returncode else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--state", default=os.environ.get("SCALE_STATE_FILE", str(ROOT / "instance" / "run-scale.json"))
    )
    parser.add_argument("--faults", default="worker,postgres,redis")
    parser.add_argument("--citizens", type=int, default=60)
    parser.add_argument("--drafts", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=90)
    parser.add_argument("--drain", type=float, default=180, help="seconds to wait for the outbox to empty")
    parser.add_argument("--postgres-restart", default="pg_ctlcluster 15 main restart || service postgresql restart")
    parser.add_argument("--redis-restart", default="service redis-server restart || systemctl restart redis-server")
    args = parser.parse_args()
    state = _state(Path(args.state))
    host = state["url"].rstrip("/")
    os.environ["MPP_DATABASE_URL"] = state["database_url"]
    os.environ["MPP_REDIS_URL"] = state["redis_url"]
    os.environ["MPP_INPROCESS_WORKER"] = "0"

    from app import create_app
    from app.accounts.models import User
    from app.applications import workflow
    from app.applications.models import Application, ApplicationStatus, Draft, StatusEvent
    from app.extensions import db
    from app.notifications.models import Notification
    from tests.notifications.push_service import PushService

    app = create_app()
    service = PushService().start()  # decrypts every message: a push counts only if it really arrived
    people, officer_id = _prepare(app, service, args.citizens, args.drafts)
    cookie_name = app.config["SESSION_COOKIE_NAME"]
    started_at = time.time()
    print(f"{len(people)} citizens, {sum(len(p['devices']) for p in people)} devices, host {host}", flush=True)

    lock = threading.Lock()
    answers: Counter = Counter()
    bad: list[str] = []
    stop = threading.Event()

    def record(response: requests.Response | None, what: str) -> None:
        with lock:
            if response is None:  # a timeout or a dropped connection: worse than a 503, so a failure too
                answers["no answer"] += 1
                bad.append(what)
                return
            answers[response.status_code] += 1
            if response.status_code >= 500 and not (response.status_code == 503 and "Retry-After" in response.headers):
                bad.append(f"{what}: {response.status_code}")

    def citizen(person: dict) -> None:
        session = requests.Session()
        session.headers["Origin"] = host
        session.cookies.set(cookie_name, person["cookie"], domain=requests.utils.urlparse(host).hostname)
        queue = list(person["drafts"])
        while not stop.is_set():
            try:
                if queue and random.random() < 0.3:  # noqa: S311
                    draft = queue[0]
                    check = send(session, "GET", f"{host}/permohonan/draf/{draft}/periksa", timeout=20)
                    record(check, "check answers")
                    fields = dict(HIDDEN.findall(check.text))
                    if "idempotency_key" in fields:
                        sent = send(
                            session,
                            "POST",
                            f"{host}/permohonan/draf/{draft}/periksa", data={**fields, "pernyataan": "ya"},
                            allow_redirects=False, timeout=20,
                        )  # fmt: skip
                        record(sent, "submit")
                        if sent.status_code == 303:
                            queue.pop(0)
                    elif check.status_code in (303, 404, 410):
                        queue.pop(0)  # already submitted (a retry after an unanswered request): never twice
                else:
                    record(send(session, "GET", f"{host}/permohonan", timeout=20), "list")
            except requests.RequestException as error:
                record(None, f"request ({type(error).__name__})")
            time.sleep(random.uniform(0.5, 2.0))  # noqa: S311

    def officer() -> None:
        done: set[int] = set()
        while not stop.is_set():
            try:
                with app.app_context():
                    actor = db.session.get(User, officer_id)
                    waiting = db.session.scalars(
                        sa.select(Application)
                        .join(User, User.id == Application.user_id)
                        .where(User.email.like("fault-%"), Application.status == ApplicationStatus.SUBMITTED)
                        .limit(5)
                    ).all()
                    for application in waiting:
                        if application.id in done:
                            continue
                        workflow.transition(application, ApplicationStatus.VERIFIED, actor=actor)
                        db.session.commit()
                        done.add(application.id)
            except Exception as error:  # noqa: BLE001 — the database is away: the officer clicks again later
                with lock:
                    answers[f"officer retry ({type(error).__name__})"] += 1
            time.sleep(0.3)

    threads = [threading.Thread(target=citizen, args=(p,), daemon=True) for p in people]
    threads.append(threading.Thread(target=officer, daemon=True))
    for thread in threads:
        thread.start()
    faults = [f for f in args.faults.split(",") if f]
    step = args.seconds / (len(faults) + 1)
    log = []
    for index, fault in enumerate(faults, start=1):
        time.sleep(max(0.0, started_at + index * step - time.time()))
        current = _state(Path(args.state))
        if fault == "worker":
            pid = current["workers"][0]["pid"]
            os.kill(pid, signal.SIGKILL)
            log.append(f"t={time.time() - started_at:.0f}s kill -9 job worker pid {pid}")
        elif fault == "postgres":
            log.append(f"t={time.time() - started_at:.0f}s {_restart(args.postgres_restart)}")
        elif fault == "redis":
            import redis

            try:
                redis.Redis.from_url(current["redis_url"]).flushdb()
                flushed = "FLUSHDB done"
            except redis.RedisError as error:
                flushed = f"FLUSHDB failed: {error}"
            log.append(f"t={time.time() - started_at:.0f}s {flushed}; {_restart(args.redis_restart)}")
        print(log[-1], flush=True)
    time.sleep(max(0.0, started_at + args.seconds - time.time()))
    stop.set()
    for thread in threads:
        thread.join(timeout=30)

    # Drain: every notification of the run delivered to every device, or the deadline.
    expected: dict[int, list[str]] = {}
    devices = {p["user_id"]: p["devices"] for p in people}
    deadline = time.time() + args.drain
    while True:
        with app.app_context():
            rows = db.session.execute(
                sa.select(Notification.id, Notification.user_id).where(Notification.user_id.in_(list(devices)))
            ).all()
        expected = {nid: devices[uid] for nid, uid in rows}
        arrived = Counter((m.token, m.payload.get("id")) for m in list(service.received))
        missing = [(t, n) for n, tokens in expected.items() for t in tokens if arrived[(t, n)] == 0]
        if not missing or time.time() > deadline:
            break
        time.sleep(2)
    twice = [key for key, n in arrived.items() if n > 1]

    with app.app_context():
        fault_users = sa.select(User.id).where(User.email.like("fault-%"))
        per_draft = db.session.execute(
            sa.select(Draft.public_id, sa.func.count(Application.id))
            .join(Application, Application.id == Draft.submitted_application_id)
            .where(Draft.user_id.in_(fault_users))
            .group_by(Draft.public_id)
        ).all()
        applications = db.session.scalar(
            sa.select(sa.func.count(Application.id)).where(Application.user_id.in_(fault_users))
        )
        submitted_drafts = len(per_draft)
        events = db.session.scalar(
            sa.select(sa.func.count(StatusEvent.id))
            .join(Application, Application.id == StatusEvent.application_id)
            .where(Application.user_id.in_(fault_users), StatusEvent.to_status == ApplicationStatus.VERIFIED)
        )
        status_notices = (
            db.session.execute(
                sa.select(Notification.params).where(
                    Notification.user_id.in_(fault_users), Notification.kind == "application_status"
                )
            )
            .scalars()
            .all()
        )
    verified_notices = Counter(
        (p.get("number"), p.get("status")) for p in status_notices if p.get("status") == ApplicationStatus.VERIFIED
    )
    duplicate_notices = [key for key, n in verified_notices.items() if n > 1]
    try:
        ready = requests.get(f"{host}/readyz", timeout=10).status_code
    except requests.RequestException:
        ready = None

    print("\n" + "\n".join(log))
    print(f"HTTP answers: {dict(answers)}")
    print(f"applications {applications} from {submitted_drafts} submitted drafts")
    print(f"status changes to diverifikasi: {events}; their notifications: {sum(verified_notices.values())} "
          f"(duplicates {len(duplicate_notices)})")  # fmt: skip
    print(f"pushes expected {sum(len(t) for t in expected.values())}, missing {len(missing)}, twice {len(twice)}")
    print(f"/readyz at the end: {ready}")
    failures = []
    if applications != submitted_drafts:
        failures.append("an application without its draft or a draft submitted twice")
    if sum(verified_notices.values()) != events or duplicate_notices:
        failures.append("a status change without exactly one notification")
    if missing:
        failures.append(f"{len(missing)} pushes never arrived")
    if twice:
        failures.append(f"{len(twice)} pushes arrived twice")
    if bad:
        failures.append(f"{len(bad)} requests got no answer or a 5xx other than 503 + Retry-After: {bad[:5]}")
    if ready != 200:
        failures.append("the app did not recover (/readyz)")
    print("verdict: " + ("PASS" if not failures else "FAIL — " + "; ".join(failures)))
    service.stop()
    sys.exit(0 if not failures else 1)


if __name__ == "__main__":
    main()
