"""Benchmark: the officer's inbox with 100k applications, on SQLite and PostgreSQL, with the query plans.

Reports numbers, asserts nothing (timings jitter on a shared 2-core machine). It fills a SCRATCH database — never
point it at a database that matters:

    .venv/bin/python bench/inbox.py                                   # SQLite file in a temporary folder
    .venv/bin/python bench/inbox.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test_bench
    .venv/bin/python bench/inbox.py --applications 20000 --repeat 5

The PostgreSQL database must exist and is emptied first (its public schema is dropped). Every statement the inbox
runs is captured as it is sent to the database and replayed under EXPLAIN QUERY PLAN (SQLite) or EXPLAIN ANALYZE
(PostgreSQL), so the plan printed is the plan of the real query, and one can see the ix_application_inbox_*
indexes of migration 0005 being used instead of a scan of the application table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402
from scratch import Capture, explain, scratch_app  # noqa: E402


def _fill(n: int, seed: int = 7) -> dict:
    """Demo catalog, 2,000 citizens and ``n`` applications spread over MPPs, services, statuses and due dates."""
    import secrets

    from app.accounts.models import Role, User
    from app.applications.models import Application, ApplicationStatus
    from app.catalog.demo_data import load_demo_data
    from app.catalog.models import Mpp, ServiceOffering
    from app.extensions import db

    load_demo_data()
    rng = random.Random(seed)
    users = [
        {"webauthn_handle": secrets.token_bytes(32), "display_name": f"Warga {i}", "email": f"w{i}@contoh.id",
         "role": Role.CITIZEN, "locale": "id"}
        for i in range(2000)
    ]  # fmt: skip
    db.session.execute(sa.insert(User), users)
    user_ids = db.session.scalars(sa.select(User.id)).all()
    offerings = db.session.execute(sa.select(ServiceOffering.mpp_id, ServiceOffering.service_id)).all()
    statuses = [
        (ApplicationStatus.SUBMITTED, 12), (ApplicationStatus.VERIFIED, 6), (ApplicationStatus.IN_PROCESS, 8),
        (ApplicationStatus.NEEDS_CORRECTION, 3), (ApplicationStatus.COMPLETED, 60), (ApplicationStatus.REJECTED, 6),
        (ApplicationStatus.CANCELLED, 5),
    ]  # fmt: skip
    population, weights = zip(*statuses, strict=True)
    now = dt.datetime.now(dt.UTC)
    batch = []
    for i in range(n):
        mpp_id, service_id = rng.choice(offerings)
        submitted = now - dt.timedelta(minutes=rng.randrange(0, 365 * 24 * 60))
        batch.append(
            {
                "tracking_number": f"B{i:011d}",
                "user_id": rng.choice(user_ids),
                "service_id": service_id,
                "mpp_id": mpp_id,
                "status": rng.choices(population, weights)[0],
                "version": 1,
                "submitted_at": submitted,
                "due_date": (submitted + dt.timedelta(days=rng.randrange(0, 21))).date(),
                "created_at": submitted,
                "updated_at": submitted,
            }
        )
        if len(batch) == 5000:
            db.session.execute(sa.insert(Application), batch)
            batch = []
    if batch:
        db.session.execute(sa.insert(Application), batch)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("ANALYZE"))
    else:
        with db.engine.begin() as conn:
            conn.execute(sa.text("ANALYZE"))
    kendari = db.session.scalar(sa.select(Mpp.id).where(Mpp.slug == "kota-kendari"))
    return {"kendari": kendari}


def _scopes(ids: dict):
    from app.accounts.models import Role, User
    from app.backoffice.scope import Scope
    from app.catalog.models import Agency, Service
    from app.extensions import db

    agency = db.session.scalar(sa.select(Agency.id).where(Agency.slug == "disdukcapil"))
    services = tuple(db.session.scalars(sa.select(Service.id).where(Service.agency_id == agency).order_by(Service.id)))
    return {
        "officer (Disdukcapil, Kendari)": Scope(
            user=User(display_name="Petugas", role=Role.OFFICER),
            officer_pairs=frozenset({(agency, ids["kendari"])}),
            agency_services={agency: services},
        ),
        "MPP admin (Kendari)": Scope(
            user=User(display_name="Admin", role=Role.MPP_ADMIN), admin_mpps=frozenset({ids["kendari"]})
        ),
        "national admin": Scope(user=User(display_name="Nasional", role=Role.NATIONAL_ADMIN), national=True),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=None, help="scratch database (default: a temporary SQLite file)")
    parser.add_argument("--applications", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--no-plans", action="store_true", help="skip the EXPLAIN output")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='mpp-bench-')}/bench.db"
    if url.rstrip("/").endswith("/test"):
        sys.exit("refusing to fill the shared 'test' database; create a scratch one (e.g. test_bench)")

    app = scratch_app(url)
    from app.backoffice.inbox import InboxFilters, load_inbox
    from app.extensions import db

    with app.app_context():
        started = time.perf_counter()
        ids = _fill(args.applications)
        print(
            f"{db.engine.dialect.name}: {args.applications:,} applications loaded in {time.perf_counter() - started:.1f} s"
        )
        cases = [
            ("waiting on the agency", InboxFilters()),
            ("overdue", InboxFilters(due="terlambat")),
            ("status diproses, page 3", InboxFilters(status="diproses", page=3)),
            ("all statuses", InboxFilters(status="semua")),
        ]
        for scope_name, scope in _scopes(ids).items():
            print(f"\n== {scope_name}")
            for case_name, filters in cases:
                timings = []
                for _ in range(args.repeat):
                    db.session.expire_all()
                    started = time.perf_counter()
                    inbox = load_inbox(scope, filters)
                    timings.append((time.perf_counter() - started) * 1000)
                print(
                    f"  {case_name:<26} median {statistics.median(timings):7.1f} ms   max {max(timings):7.1f} ms"
                    f"   rows {len(inbox.rows):>3}  overdue {inbox.overdue:>6,}"
                )
            if args.no_plans:
                continue
            with Capture(db.engine) as capture:
                load_inbox(scope, InboxFilters())
            for statement, parameters in capture.statements:
                if "FROM application" not in statement:
                    continue
                first = " ".join(statement.split())[:110]
                print(
                    f"\n  -- {first}…\n"
                    + "\n".join("     " + line for line in explain(db.engine, statement, parameters).splitlines())
                )


if __name__ == "__main__":
    main()
