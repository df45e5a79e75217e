"""Database conventions shared by every capability: connection settings, reusable column types, time."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from sqlalchemy import DateTime, Enum, String, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import mapped_column
from sqlalchemy.types import TypeDecorator


def utcnow() -> dt.datetime:
    """Aware UTC now. Everything is stored in UTC and shown in the MPP's own zone (WIB/WITA/WIT)."""
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored as UTC and always returned timezone-aware.

    SQLite has no time zone type and hands back naive datetimes; PostgreSQL's timestamptz returns aware ones.
    This type makes both behave the same, so comparisons with ``utcnow()`` never mix naive and aware values.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: store aware UTC datetimes only")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


# Reusable annotated column types (Warehouse style).
int_pk = Annotated[int, mapped_column(primary_key=True)]
str_slug = Annotated[str, mapped_column(String(120), unique=True, index=True)]
created_at = Annotated[dt.datetime, mapped_column(UTCDateTime(), default=utcnow)]


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):  # pragma: no cover - exercised by every SQLite test
    """WAL for concurrent readers, a busy timeout instead of instant "database is locked", and real foreign keys."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def str_enum(enum_class, length: int = 32) -> Enum:
    """A portable enum column that stores the member *values* ("kabupaten"), readable in SQL and exports."""
    return Enum(
        enum_class,
        native_enum=False,
        length=length,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


def end_session_quietly(exception: BaseException | None = None) -> None:
    """Close the request's session when the database may be gone (a restart, a failover). Ending it rolls back on
    the connection; if the server closed that connection, the rollback itself fails — after the answer was made,
    where it would turn a finished 503 (or a page already rendered) into a bare 500. The pool has invalidated the
    connection by then and makes a new one for the next request, so nothing is lost by not raising."""
    import logging

    from sqlalchemy.exc import SQLAlchemyError

    from .extensions import db

    try:
        db.session.remove()
    except SQLAlchemyError as error:
        logging.getLogger(__name__).warning("session ended on a lost connection: %s", error.__class__.__name__)
        db.session.registry.clear()


def init_app(app) -> None:
    # Registered after Flask-SQLAlchemy's own teardown, so it runs first (Flask calls them in reverse order); the
    # extension's remove() then finds nothing left to close.
    app.teardown_appcontext(end_session_quietly)
