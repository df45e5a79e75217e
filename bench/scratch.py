"""What the benchmarks share: a scratch database migrated by the app itself, and the statements a request sends.

Every benchmark that fills a database fills a SCRATCH one: on PostgreSQL its public schema is dropped first (never
point one at a database that matters; the shared name ``test`` is refused), on SQLite it is a new file.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402


def scratch_app(url: str, *, reset: bool = True, **config):
    """The app on ``url``, migrated to head; ``reset`` empties a PostgreSQL database first."""
    if url.rstrip("/").endswith("/test"):
        sys.exit("refusing to fill the shared 'test' database; create a scratch one (e.g. test_bench)")
    if reset and url.startswith("postgresql"):
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        engine.dispose()
    os.environ.setdefault("MPP_INSTANCE_DIR", tempfile.mkdtemp(prefix="mpp-bench-"))
    from flask_migrate import upgrade

    from app import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": False, **config})
    with app.app_context():
        upgrade()
    return app


class Capture:
    """Every statement sent to the database while active, with its parameters, for EXPLAIN afterwards."""

    def __init__(self, engine) -> None:
        self.engine, self.statements = engine, []

    def __enter__(self):
        sa.event.listen(self.engine, "before_cursor_execute", self._on)
        return self

    def __exit__(self, *exc):
        sa.event.remove(self.engine, "before_cursor_execute", self._on)

    def _on(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append((statement, parameters))


def explain(engine, statement: str, parameters, *, buffers: bool = False) -> str:
    """The plan of the statement as it was sent: EXPLAIN ANALYZE on PostgreSQL, EXPLAIN QUERY PLAN on SQLite."""
    postgres = engine.dialect.name == "postgresql"
    prefix = ("EXPLAIN (ANALYZE, BUFFERS) " if buffers else "EXPLAIN ANALYZE ") if postgres else "EXPLAIN QUERY PLAN "
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(prefix + statement, parameters).all()
    return "\n".join(row[0] for row in rows) if postgres else "\n".join(str(row[-1]) for row in rows)
