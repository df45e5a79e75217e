"""Benchmark: the pages that read the big tables, at national scale on PostgreSQL — 200k citizens, 1M applications.

Reports numbers, asserts nothing. It fills a SCRATCH PostgreSQL database (its public schema is dropped first):

    createdb -h 127.0.0.1 -U postgres scale_data
    .venv/bin/python bench/data_scale.py --database-url postgresql+psycopg://postgres@127.0.0.1/scale_data
    .venv/bin/python bench/data_scale.py --database-url … --reuse         # measure again without refilling

What it does:

1. Migrates the empty database and loads the demo catalog through the app's own code.
2. Generates the rows inside PostgreSQL (``INSERT … SELECT generate_series``: no row crosses the wire, so 1M
   applications take about a minute, not hours): citizens, applications spread over every MPP × service offering,
   statuses weighted as a real year looks (most finished), submission times over the last 12 months, due dates,
   and the timeline events the performance pages count (submitted, and completed/rejected for finished ones).
   Then ANALYZE, as autovacuum would.
3. Signs in the people who read those tables (a citizen with 40 applications, a Disdukcapil officer at Kota
   Kendari, the Kendari MPP admin, a national admin) and requests each page through the app — routing, queries,
   template, everything but the socket — ``--repeat`` times, interleaved page by page so machine load drifts into
   all of them alike. Prints p50 / p95 / max per page and the statements it ran.
4. Replays every statement of one request of each page under EXPLAIN ANALYZE and prints the plan of the slowest,
   so a sequential scan over a million rows is visible, not guessed.

The public performance pages (/kinerja) are measured with the page cache off: the number is what the first
visitor after an expiry or a catalog edit waits.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402
from scratch import Capture, explain, scratch_app  # noqa: E402

STATUS_WEIGHTS = [  # cumulative thresholds over random(): a year of applications is mostly finished
    ("diajukan", 0.06),
    ("diverifikasi", 0.09),
    ("diproses", 0.14),
    ("perlu_perbaikan", 0.16),
    ("selesai", 0.88),
    ("ditolak", 0.94),
    ("dibatalkan", 1.01),
]


def _status_case() -> str:
    whens = " ".join(f"WHEN r < {threshold} THEN '{status}'" for status, threshold in STATUS_WEIGHTS)
    return f"CASE {whens} END"


def _fill(citizens: int, applications: int) -> None:
    """Everything generated server-side; the statements are plain SQL over the app's own migrated schema."""
    from app.applications.demo_forms import load_demo_form_definitions
    from app.catalog.demo_data import load_demo_data
    from app.extensions import db

    load_demo_data()
    load_demo_form_definitions()
    db.session.commit()
    conn = db.session.connection()
    started = time.perf_counter()
    conn.execute(
        sa.text(
            """
            INSERT INTO user_account (webauthn_handle, display_name, email, role, locale, created_at)
            SELECT decode(md5(g::text) || md5((g + 1)::text), 'hex'), 'Warga ' || g, 'warga' || g || '@contoh.id',
                   'warga', 'id', now() - (g % 700) * interval '1 day'
            FROM generate_series(1, :n) AS g
            """
        ),
        {"n": citizens},
    )
    print(f"  {citizens:,} citizens in {time.perf_counter() - started:.1f} s", flush=True)
    started = time.perf_counter()
    # Offerings numbered 0…k-1 so a random row picks one with a join on its number.
    conn.execute(
        sa.text(
            """
            CREATE TEMP TABLE bench_offering AS
            SELECT row_number() OVER (ORDER BY mpp_id, service_id) - 1 AS n, mpp_id, service_id
            FROM service_offering
            """
        )
    )
    offerings = conn.execute(sa.text("SELECT count(*) FROM bench_offering")).scalar_one()
    first_user = conn.execute(sa.text("SELECT min(id) FROM user_account WHERE email LIKE 'warga%'")).scalar_one()
    conn.execute(
        sa.text(
            f"""
            INSERT INTO application (tracking_number, user_id, service_id, mpp_id, status, version, submitted_at,
                                     due_date, created_at, updated_at)
            SELECT 'S' || lpad(g::text, 11, '0'), :first_user + (g::bigint * 7919) % :citizens, o.service_id, o.mpp_id,
                   {_status_case()}, 1, t, (t + ((g % 21) || ' days')::interval)::date, t, t
            FROM (SELECT g, random() AS r, now() - random() * interval '365 days' AS t,
                         (g * 31) % :offerings AS pick
                  FROM generate_series(1, :n) AS g) AS s
            JOIN bench_offering o ON o.n = s.pick
            """
        ),
        {"n": applications, "citizens": citizens, "first_user": first_user, "offerings": offerings},
    )
    print(f"  {applications:,} applications in {time.perf_counter() - started:.1f} s", flush=True)
    started = time.perf_counter()
    conn.execute(
        sa.text(
            """
            INSERT INTO application_status_event (application_id, from_status, to_status, actor_role, created_at)
            SELECT id, 'draf', 'diajukan', 'warga', submitted_at FROM application
            WHERE tracking_number LIKE 'S%'
            """
        )
    )
    conn.execute(
        sa.text(
            """
            INSERT INTO application_status_event (application_id, from_status, to_status, actor_role, created_at)
            SELECT id, 'diproses', status, 'petugas',
                   LEAST(now(), submitted_at + ((id % 25) || ' days')::interval)
            FROM application WHERE tracking_number LIKE 'S%' AND status IN ('selesai', 'ditolak')
            """
        )
    )
    events = conn.execute(sa.text("SELECT count(*) FROM application_status_event")).scalar_one()
    print(f"  {events:,} timeline events in {time.perf_counter() - started:.1f} s", flush=True)
    db.session.commit()
    started = time.perf_counter()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as autocommit:
        autocommit.execute(sa.text("VACUUM ANALYZE"))
    print(f"  VACUUM ANALYZE in {time.perf_counter() - started:.1f} s", flush=True)


def _people() -> dict:
    """The readers, made through the app's models: a citizen with a real submitted history, and staff."""
    from app.accounts.models import Role, User
    from app.applications.models import Application, ApplicationRevision, FormDefinition, StatusEvent
    from app.applications.tracking import new_tracking_number
    from app.backoffice.models import StaffAssignment, StaffRole
    from app.catalog.models import Agency, Mpp, ServiceOffering
    from app.extensions import db

    existing = db.session.scalar(sa.select(User).where(User.email == "bench-warga@contoh.id"))
    kendari = db.session.scalar(sa.select(Mpp).where(Mpp.slug == "kota-kendari"))
    dukcapil = db.session.scalar(sa.select(Agency).where(Agency.slug == "disdukcapil"))
    if existing is None:
        import secrets

        def person(name: str, email: str, role: Role) -> User:
            user = User(webauthn_handle=secrets.token_bytes(32), display_name=name, email=email, role=role)
            db.session.add(user)
            return user

        citizen = person("Siti Bench", "bench-warga@contoh.id", Role.CITIZEN)
        officer = person("Petugas Bench", "bench-petugas@contoh.id", Role.OFFICER)
        admin = person("Admin MPP Bench", "bench-admin@contoh.id", Role.MPP_ADMIN)
        person("Admin Nasional Bench", "bench-nasional@contoh.id", Role.NATIONAL_ADMIN)
        db.session.flush()
        db.session.add(
            StaffAssignment(user_id=officer.id, role=StaffRole.OFFICER, agency_id=dukcapil.id, mpp_id=kendari.id)
        )
        db.session.add(StaffAssignment(user_id=admin.id, role=StaffRole.MPP_ADMIN, agency_id=None, mpp_id=kendari.id))
        offerings = (
            db.session.execute(
                sa.select(ServiceOffering.service_id)
                .where(ServiceOffering.mpp_id == kendari.id)
                .where(ServiceOffering.service_id.in_(sa.select(FormDefinition.service_id)))
            )
            .scalars()
            .all()
        )
        now = dt.datetime.now(dt.UTC)
        for i in range(40):
            service_id = offerings[i % len(offerings)]
            form = db.session.scalar(
                sa.select(FormDefinition)
                .where(FormDefinition.service_id == service_id)
                .order_by(FormDefinition.version.desc())
            )
            submitted = now - dt.timedelta(days=i * 3)
            application = Application(
                tracking_number=new_tracking_number(kendari.region.code, submitted.year), user_id=citizen.id, service_id=service_id, mpp_id=kendari.id,
                status="selesai" if i > 3 else "diproses", submitted_at=submitted,
                due_date=(submitted + dt.timedelta(days=10)).date(), created_at=submitted,
            )  # fmt: skip
            db.session.add(application)
            db.session.flush()
            db.session.add(
                ApplicationRevision(
                    application_id=application.id,
                    number=1,
                    form_definition_id=form.id,
                    idempotency_key=f"bench-{i}",
                    answers={},
                    data={},
                    documents={},
                    submitted_at=submitted,
                )  # fmt: skip
            )
            db.session.add(StatusEvent(application_id=application.id, from_status="draf", to_status="diajukan",
                                       actor_id=citizen.id, actor_role="warga", created_at=submitted))  # fmt: skip
        db.session.commit()
    users = {
        email: db.session.scalar(sa.select(User.id).where(User.email == email))
        for email in (
            "bench-warga@contoh.id",
            "bench-petugas@contoh.id",
            "bench-admin@contoh.id",
            "bench-nasional@contoh.id",
        )
    }
    tracked = db.session.scalar(
        sa.select(Application.tracking_number)
        .where(Application.user_id == users["bench-warga@contoh.id"])
        .order_by(Application.submitted_at.desc())
    )
    return {"users": users, "tracked": tracked, "kendari": kendari.slug}


def _client_for(app, user_id: int):
    from app.accounts.models import User
    from app.accounts.sessions import start_session
    from app.extensions import db

    with app.app_context():
        user = db.session.get(User, user_id)
        start_session(user, user_agent="bench", ip="127.0.0.1")
        db.session.commit()
        token = user.get_id()
    client = app.test_client()
    with client.session_transaction() as flask_session:
        flask_session["_user_id"] = token
        flask_session["_fresh"] = True
    return client


def _explain(engine, statement: str, parameters) -> tuple[float, str]:
    text = explain(engine, statement, parameters, buffers=True)
    total = next((float(line.split(":")[1].split()[0]) for line in text.splitlines() if "Execution Time" in line), 0.0)
    return total, text


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True, help="a scratch PostgreSQL database")
    parser.add_argument("--citizens", type=int, default=200_000)
    parser.add_argument("--applications", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--reuse", action="store_true", help="measure the data already there")
    parser.add_argument("--no-plans", action="store_true")
    args = parser.parse_args()
    if not args.database_url.startswith("postgresql"):
        sys.exit("this benchmark is for PostgreSQL (the national profile)")

    app = scratch_app(args.database_url, reset=not args.reuse, PAGE_CACHE_SECONDS=0)
    from app.extensions import db

    with app.app_context():
        if not args.reuse:
            started = time.perf_counter()
            _fill(args.citizens, args.applications)
            print(f"filled in {time.perf_counter() - started:.1f} s", flush=True)
        people = _people()
        counts = {
            table: db.session.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in ("user_account", "application", "application_status_event")
        }
        print("rows: " + ", ".join(f"{table} {n:,}" for table, n in counts.items()))
    users = people["users"]
    citizen = _client_for(app, users["bench-warga@contoh.id"])
    officer = _client_for(app, users["bench-petugas@contoh.id"])
    mpp_admin = _client_for(app, users["bench-admin@contoh.id"])
    national = _client_for(app, users["bench-nasional@contoh.id"])
    anonymous = app.test_client()
    pages = [
        ("citizen: /permohonan", citizen, "/permohonan"),
        ("citizen: tracking page", citizen, f"/permohonan/{people['tracked']}"),
        ("officer: inbox", officer, "/petugas"),
        ("officer: inbox, overdue", officer, "/petugas?tenggat=terlambat"),
        ("officer: inbox, all, page 3", officer, "/petugas?status=semua&halaman=3"),
        ("MPP admin: inbox", mpp_admin, "/petugas"),
        ("national admin: inbox", national, "/petugas"),
        ("national admin: overdue", national, "/petugas?tenggat=terlambat"),
        ("public: /kinerja", anonymous, "/kinerja"),
        ("public: /kinerja/mpp/…", anonymous, f"/kinerja/mpp/{people['kendari']}"),
    ]
    timings: dict[str, list[float]] = {name: [] for name, _, _ in pages}
    # This process's CPU time per request: on a busy machine the wall clock mostly measures the neighbours, the CPU
    # time does not (the database's own time is the "DB ms" column: its statements replayed under EXPLAIN ANALYZE).
    cpu: dict[str, list[float]] = {name: [] for name, _, _ in pages}
    statements: dict[str, int] = {}
    failures: dict[str, int] = {}
    for name, client, url in pages:  # warm-up, and the status check
        response = client.get(url)
        if response.status_code != 200:
            sys.exit(f"{name}: GET {url} answered {response.status_code}")
    for _ in range(args.repeat):
        for name, client, url in pages:
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            timings[name].append((time.perf_counter() - started) * 1000)
            cpu[name].append((time.process_time() - started_cpu) * 1000)
            if response.status_code != 200:
                failures[name] = failures.get(name, 0) + 1
    with app.app_context():
        engine = db.engine
    # Requests run outside any app context of ours: inside one, Flask would reuse it and its ``g`` (the signed-in
    # user of the previous request with it).
    plans = {}
    database_ms: dict[str, float] = {}
    for name, client, url in pages:
        with Capture(engine) as capture:
            response = client.get(url)
        statements[name] = len(capture.statements) if response.status_code == 200 else -response.status_code
        if not args.no_plans:
            explained = [
                _explain(engine, s, p) for s, p in capture.statements if s.lstrip().upper().startswith("SELECT")
            ]
            plans[name] = max(explained, default=(0.0, ""))
            database_ms[name] = sum(total for total, _text in explained)
    print(
        f"\n{'page':<30} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'CPU p50':>8} {'CPU p95':>8} {'DB ms':>7} "
        f"{'SQL':>4}   (n={args.repeat}, whole request; CPU: this process; DB: one request's SELECTs)"
    )
    for name, _, _ in pages:
        values = timings[name]
        print(
            f"{name:<30} {statistics.median(values):8.1f} {_p(values, 0.95):8.1f} {max(values):8.1f} "
            f"{statistics.median(cpu[name]):8.1f} {_p(cpu[name], 0.95):8.1f} {database_ms.get(name, 0.0):7.1f} "
            f"{statements[name]:>4}"
        )
    if failures:
        print("NOT 200: " + ", ".join(f"{name} ×{n}" for name, n in failures.items()))
    for name, (total, text) in plans.items():
        print(
            f"\n-- {name}: slowest statement, {total:.1f} ms in the database\n"
            + "\n".join("   " + line for line in text.splitlines())
        )


if __name__ == "__main__":
    main()
