"""Shared fixtures: a real, migrated database (SQLite by default, PostgreSQL with MPP_TEST_DATABASE_URL), the app,
a client whose helpers assert by default, a live server for the browser, and Debian's Chromium for Playwright.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db, limiter

from .accounts.fixtures import citizen, make_user, other_citizen, signed_in, signed_in_client  # noqa: F401
from .helpers import PageClient, free_port

CHROMIUM = os.environ.get("MPP_CHROMIUM", "/usr/bin/chromium")
# CI sets this: a missing browser is then a failure, never a silent skip.
REQUIRE_BROWSER = os.environ.get("MPP_REQUIRE_BROWSER") == "1" or os.environ.get("CI") == "true"


_free_port = free_port  # the name tests/ops still import


@pytest.fixture(scope="session")
def live_port() -> int:
    return free_port()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("MPP_TEST_DATABASE_URL")
    if url:
        engine = sa.create_engine(url)
        with engine.begin() as conn:  # start from an empty schema: migrations are tested from zero every run
            conn.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        engine.dispose()
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def app(database_url, live_port, tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")
    os.environ["MPP_INSTANCE_DIR"] = str(instance)
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-not-for-production",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "INSTANCE_DIR": str(instance),
            "UPLOAD_DIR": str(instance / "uploads"),
            "PUBLIC_ORIGIN": f"http://localhost:{live_port}",
            "RATELIMIT_STORAGE_URI": "memory://",
            # Tables are wiped between tests behind the ORM's back; only tests/test_pagecache.py turns it on.
            "PAGE_CACHE_SECONDS": 0,
        }
    )
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


def _wipe(app) -> None:
    """Empty every table (children first) so each test starts from a known, empty database."""
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())


@pytest.fixture(autouse=True)
def _clean_database(request, app):
    yield
    _wipe(app)
    with app.app_context():
        limiter.reset()
    upload_dir = Path(app.config["UPLOAD_DIR"])
    if upload_dir.exists():
        shutil.rmtree(upload_dir)


@pytest.fixture(scope="session")
def demo_snapshot(app):
    """The demo catalog and form definitions, loaded once per run through the real loaders, kept as rows.

    Loading through the ORM takes seconds (search indexing, ~1,000 rows); restoring the same rows with one bulk
    INSERT per table takes milliseconds. Tests still get exactly what `make run` loads.
    """
    from app.applications.demo_forms import load_demo_form_definitions
    from app.catalog.demo_data import load_demo_data

    _wipe(app)
    with app.app_context():
        load_demo_data()
        load_demo_form_definitions()
        db.session.remove()
        with db.engine.connect() as conn:
            snapshot = [
                (table, [dict(row._mapping) for row in conn.execute(sa.select(table))])
                for table in db.metadata.sorted_tables
            ]
    _wipe(app)
    return [(table, rows) for table, rows in snapshot if rows]


@pytest.fixture
def demo_data(app, demo_snapshot):
    """The demo MPPs, agencies, services (agreed slugs) and a form definition for every service."""
    restore_snapshot(app, demo_snapshot)


def restore_snapshot(app, demo_snapshot) -> None:
    with app.app_context(), db.engine.begin() as conn:
        for table, rows in demo_snapshot:
            conn.execute(table.insert(), rows)
        if conn.dialect.name == "postgresql":  # explicit ids were inserted: keep each sequence ahead of them
            for table, _rows in demo_snapshot:
                if "id" in table.c:
                    conn.execute(
                        sa.text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                            f"GREATEST((SELECT MAX(id) FROM {table.name}), 1))"
                        )
                    )


@pytest.fixture
def app_ctx(app):
    with app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def client(app):
    return PageClient(app.test_client())


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# --- the browser ------------------------------------------------------------------------------------------------


class _ServerThread(threading.Thread):
    def __init__(self, app, port):
        super().__init__(daemon=True)
        self.server = make_server("localhost", port, app, threaded=True)

    def run(self):
        self.server.serve_forever()

    def stop(self):
        self.server.shutdown()


@pytest.fixture(scope="session")
def live_server(app, live_port):
    """The app on http://localhost:PORT — a secure context and a valid WebAuthn RP ID (127.0.0.1 is not)."""
    thread = _ServerThread(app, live_port)
    thread.start()
    yield f"http://localhost:{live_port}"
    thread.stop()


@pytest.fixture(scope="session")
def base_url(live_server):
    return live_server


def pytest_collection_modifyitems(config, items):
    browser_items = [item for item in items if "page" in getattr(item, "fixturenames", ())]
    for item in browser_items:
        item.add_marker(pytest.mark.browser)
    if browser_items and not Path(CHROMIUM).exists():
        if REQUIRE_BROWSER:
            raise pytest.UsageError(f"Chromium not found at {CHROMIUM}; browser tests are required here (CI).")
        skip = pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM} (install Debian's 'chromium' package)")
        for item in browser_items:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # A cheap Android phone: 360 px wide, Indonesian, WITA (Kendari).
    return {
        **browser_context_args,
        "viewport": {"width": 360, "height": 780},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
        "locale": "id-ID",
        "timezone_id": "Asia/Makassar",
    }
