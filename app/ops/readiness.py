"""Is this node ready for traffic? The database answers, its schema is at the migrations' head, Redis answers
(when configured). /healthz stays a plain liveness check; the load balancer routes on /readyz."""

from __future__ import annotations

from functools import cache

from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..config import PROJECT_ROOT
from ..extensions import db

REDIS_TIMEOUT = 1.0  # seconds: a readiness probe must answer well inside the load balancer's own timeout


@cache
def migration_head() -> str:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    return ScriptDirectory.from_config(config).get_current_head()


def check() -> dict[str, str]:
    """One word per part: "ok", or what is wrong with it."""
    parts: dict[str, str] = {}
    try:
        db.session.execute(text("SELECT 1"))
        parts["database"] = "ok"
        try:
            current = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except SQLAlchemyError:
            current = None
        parts["migrations"] = "ok" if current == migration_head() else "not at head"
    except SQLAlchemyError:
        parts["database"] = "unreachable"
        parts["migrations"] = "unknown"
    finally:
        db.session.rollback()
    url = current_app.config.get("REDIS_URL")
    if url:
        import redis

        try:
            client = redis.Redis.from_url(url, socket_timeout=REDIS_TIMEOUT, socket_connect_timeout=REDIS_TIMEOUT)
            client.ping()
            client.close()
            parts["redis"] = "ok"
        except redis.RedisError:
            parts["redis"] = "unreachable"
    return parts
