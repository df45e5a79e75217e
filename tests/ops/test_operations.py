"""Operations: readiness (database, migrations at head, Redis), JSON logs with a request id, Prometheus metrics."""

from __future__ import annotations

import io
import json
import logging
import os

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from app import create_app
from app.extensions import db
from app.notifications.models import EmailOutbox, OutboxStatus
from app.ops import logs


def test_healthz_stays_a_plain_alive_check(client):
    assert client.get("/healthz").status_code == 200


def test_readyz_is_ready_when_the_database_is_at_the_migrations_head(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ready", "database": "ok", "migrations": "ok"}


def test_readyz_checks_redis_when_it_is_configured(app, client):
    app.config["REDIS_URL"] = "redis://127.0.0.1:6379/15"
    try:
        assert client.get("/readyz").get_json()["redis"] == "ok"
        app.config["REDIS_URL"] = "redis://127.0.0.1:1/15"  # nothing listens there: Redis is down
        response = client.get("/readyz")
    finally:
        app.config["REDIS_URL"] = None
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert response.get_json() == {
        "status": "unavailable",
        "database": "ok",
        "migrations": "ok",
        "redis": "unreachable",
    }


def test_readyz_names_an_unreachable_database(tmp_path):
    broken = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing-folder/none.db",
            "INSTANCE_DIR": str(tmp_path),
            "RATELIMIT_STORAGE_URI": "memory://",
            "PAGE_CACHE_SECONDS": 0,
        }
    )
    response = broken.test_client().get("/readyz")
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert response.get_json()["database"] == "unreachable"


def test_readyz_says_when_the_schema_is_not_at_the_head(app, client):
    with app.app_context():
        head = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
        db.session.execute(text("UPDATE alembic_version SET version_num = '0013_interop'"))
        db.session.commit()
    try:
        response = client.get("/readyz")
    finally:
        with app.app_context():
            db.session.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head})
            db.session.commit()
    assert response.status_code == 503
    assert response.get_json()["migrations"] == "not at head"


def test_a_log_line_is_json_with_the_request_id_that_is_echoed(client):
    stream = io.StringIO()
    handler = logs.json_handler(stream)
    logging.getLogger().addHandler(handler)
    try:
        response = client.get("/healthz", headers={"X-Request-ID": "lb-0123456789abcdef"})
        made = client.get("/healthz", headers={"X-Request-ID": 'bad id" {}'})
    finally:
        logging.getLogger().removeHandler(handler)
    assert response.headers["X-Request-ID"] == "lb-0123456789abcdef"
    assert made.headers["X-Request-ID"] != 'bad id" {}' and len(made.headers["X-Request-ID"]) == 32
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    access = [line for line in lines if line["logger"] == "mpp.access"]
    assert access[0]["request_id"] == "lb-0123456789abcdef" and access[0]["endpoint"] == "site.healthz"
    assert access[1]["request_id"] == made.headers["X-Request-ID"]


def test_request_ids_made_here_are_unique_also_across_forked_workers():
    made = {logs.request_id_for(None) for _ in range(10_000)}
    assert len(made) == 10_000 and all(len(rid) == 32 and int(rid, 16) >= 0 for rid in made)
    reader, writer = os.pipe()
    child = os.fork()  # as gunicorn forks its workers from one master
    if child == 0:
        os.write(writer, logs.request_id_for(None).encode())
        os._exit(0)
    os.close(writer)
    os.waitpid(child, 0)
    from_child = os.read(reader, 64).decode()
    os.close(reader)
    assert len(from_child) == 32 and from_child[:16] != next(iter(made))[:16], "a worker draws its own half"


def test_a_nik_never_reaches_the_log():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "NIK %s refused", ("7401010101900001",), None)
    assert "7401010101900001" not in logs.JsonFormatter().format(record)


def test_metrics_parse_and_report_latency_per_endpoint_and_the_outbox(app, client):
    with app.app_context():
        db.session.add(EmailOutbox(recipient="a@contoh.id", subject="s", body="b", what="sign-up code"))
        db.session.add(
            EmailOutbox(recipient="b@contoh.id", subject="s", body="b", what="notice", status=OutboxStatus.FAILED)
        )
        db.session.commit()
    client.get("/healthz")
    response = client.get("/metrics")
    assert response.status_code == 200 and "no-store" in response.headers["Cache-Control"]
    families = {family.name: family for family in text_string_to_metric_families(response.get_data(as_text=True))}
    latency = families["mpp_request_duration_seconds"]
    assert any(sample.labels.get("endpoint") == "site.healthz" for sample in latency.samples)
    assert not any("/" in sample.labels.get("endpoint", "") for sample in latency.samples)  # names, not paths

    def value(name, channel):
        return next(s.value for s in families[name].samples if s.labels["channel"] == channel)

    assert value("mpp_outbox_pending", "email") == 1
    assert value("mpp_outbox_failed", "email") == 1
    assert value("mpp_outbox_oldest_pending_age_seconds", "email") >= 0
    assert value("mpp_outbox_pending", "push") == 0


def test_metrics_are_not_public(app, client):
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code == 404
    app.config["METRICS_TOKEN"] = "rahasia-metrik"
    try:
        remote = {"REMOTE_ADDR": "203.0.113.9"}
        assert client.get("/metrics", environ_base=remote).status_code == 404
        assert client.get("/metrics", environ_base=remote, headers={"Authorization": "Bearer salah"}).status_code == 404
        ok = client.get("/metrics", environ_base=remote, headers={"Authorization": "Bearer rahasia-metrik"})
        assert ok.status_code == 200
    finally:
        app.config["METRICS_TOKEN"] = None


@pytest.fixture(autouse=True)
def _no_redis(app):
    old = app.config.get("REDIS_URL")
    app.config["REDIS_URL"] = None
    yield
    app.config["REDIS_URL"] = old
