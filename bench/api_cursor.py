"""Throughput of `GET /api/v1/applications?cursor=…` walking N applications, against a plain baseline in the same run.

    MPP_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench_api .venv/bin/python bench/api_cursor.py --count 100000

The database named is emptied and migrated (use a database of its own). N applications of one agency at one MPP are
inserted in bulk with their change numbers, then an agency token walks them all, 100 per page, through the real app
(in process, no network). The baseline is the bare keyset query on the same table (`WHERE id > ? ORDER BY id LIMIT
100`) with no API, scope, JSON or authentication — what the database alone can do. Both walks run --repeat times,
alternating; the median, min and max of each are reported (wall clock, and rows per CPU second of this process, which
a busy machine disturbs less). Reports; asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--page", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    url = os.environ.get("MPP_BENCH_DATABASE_URL", f"sqlite:///{tempfile.mkdtemp()}/bench.db")
    if url.startswith("postgresql"):
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        engine.dispose()

    from flask_migrate import upgrade

    from app import create_app
    from app.accounts.models import User
    from app.api import tokens
    from app.api.models import Permission
    from app.catalog.demo_data import load_demo_data
    from app.catalog.models import Agency, Mpp, Service
    from app.extensions import db

    instance = tempfile.mkdtemp()
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_DIR": instance, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False}
    )
    with app.app_context():
        upgrade()
        load_demo_data()
        mpp = db.session.scalar(sa.select(Mpp).where(Mpp.slug == "kota-kendari"))
        agency = db.session.scalar(sa.select(Agency).where(Agency.slug == "disdukcapil"))
        service = db.session.scalar(sa.select(Service).where(Service.slug == "ktp-el-baru"))
        user = User(webauthn_handle=os.urandom(32), display_name="Warga Bench", email="bench@contoh.invalid")
        db.session.add(user)
        db.session.commit()
        _, raw = tokens.create_token(
            name="Bench",
            agency=agency,
            mpps=[mpp],
            permissions=[Permission.READ_APPLICATIONS],
            expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=1),
            created_by=None,
        )
        now = dt.datetime.now(dt.UTC)
        started = time.perf_counter()
        app_table = db.metadata.tables["application"]
        change_table = db.metadata.tables["api_application_change"]
        for start in range(0, args.count, 5000):
            rows = [
                {
                    "id": n + 1,
                    "tracking_number": f"B-{n:09d}",
                    "user_id": user.id,
                    "service_id": service.id,
                    "mpp_id": mpp.id,
                    "status": "diajukan",
                    "version": 1,
                    "submitted_at": now,
                    "created_at": now,
                    "updated_at": now,
                }
                for n in range(start, min(args.count, start + 5000))
            ]
            db.session.execute(app_table.insert(), rows)
            db.session.execute(
                change_table.insert(), [{"application_id": r["id"], "seq": r["id"], "changed_at": now} for r in rows]
            )
        db.session.commit()
        if url.startswith("postgresql"):
            # What autovacuum does soon after any bulk load: without statistics the planner takes the 100k freshly
            # inserted rows for a handful and joins every application in scope before sorting (~1 s per page).
            db.session.execute(sa.text("ANALYZE application"))
            db.session.execute(sa.text("ANALYZE api_application_change"))
            db.session.commit()
        print(f"inserted {args.count} applications in {time.perf_counter() - started:.1f} s ({url.split(':')[0]})")

    def baseline_walk() -> tuple[int, float, float]:
        """The bare keyset walk over the same table: what the database alone can do."""
        with app.app_context():
            wall, cpu = time.perf_counter(), time.process_time()
            last, seen = 0, 0
            while True:
                ids = db.session.execute(
                    sa.select(app_table.c.id, app_table.c.tracking_number, app_table.c.status)
                    .where(app_table.c.id > last)
                    .order_by(app_table.c.id)
                    .limit(args.page)
                ).all()
                if not ids:
                    break
                seen += len(ids)
                last = ids[-1][0]
            result = seen, time.perf_counter() - wall, time.process_time() - cpu
            db.session.remove()
            return result

    client = app.test_client()
    headers = {"Authorization": f"Bearer {raw}"}

    def api_walk() -> tuple[int, float, float]:
        wall, cpu = time.perf_counter(), time.process_time()
        cursor, seen = "", 0
        while True:
            body = client.get(f"/api/v1/applications?limit={args.page}&cursor={cursor}", headers=headers).get_json()
            seen += len(body["data"])
            cursor = body["next_cursor"]
            if not body["has_more"]:
                break
        return seen, time.perf_counter() - wall, time.process_time() - cpu

    # Alternate the two so that a busy machine slows both alike; report the median and the spread of each.
    runs: dict[str, list[tuple[int, float, float]]] = {"baseline": [], "api": []}
    for _ in range(args.repeat):
        runs["baseline"].append(baseline_walk())
        runs["api"].append(api_walk())
    medians = {}
    for name, label in (("baseline", "baseline keyset query"), ("api", "API cursor walk      ")):
        rates = sorted(seen / wall for seen, wall, _cpu in runs[name])
        cpu_rates = sorted(seen / max(cpu, 1e-9) for seen, _wall, cpu in runs[name])
        medians[name] = statistics.median(rates)
        print(
            f"{label}: median {medians[name]:9.0f} rows/s (min {rates[0]:.0f}, max {rates[-1]:.0f}, "
            f"{len(rates)} runs of {runs[name][0][0]} rows); per CPU second {statistics.median(cpu_rates):.0f}"
        )
    print(f"API / baseline        : {100 * medians['api'] / medians['baseline']:.1f} %")


if __name__ == "__main__":
    main()
