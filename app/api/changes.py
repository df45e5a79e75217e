"""The application change sequence: the gap-free cursor of `GET /api/v1/applications?cursor=…`.

A cursor on ``updated_at`` skips rows: two transactions stamp 10:00:01 and 10:00:02, the later one commits first, a
client reads up to 10:00:02 and never sees the other. Here every transaction that inserts or changes an application
takes the next number from ONE counter row *before* it writes the application (``before_flush``), and holds that
row's lock until it commits. So numbers are handed out in the order the transactions will commit: when a reader can
see number N, every smaller number is committed already, and "everything after the last number I saw" misses nothing.
An application changed while a client pages gets a new, higher number and comes again later in the walk. A rolled
back transaction rolls its counter increment back too, so there are no holes either.

The price is that application-changing transactions commit one at a time (they already lock the application row;
this adds one short lock). On SQLite writers are serialised anyway.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import String, event, func, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..applications.models import Application, ApplicationStatus
from ..catalog.models import Mpp, Service
from ..database import utcnow
from ..extensions import db
from .models import ApplicationChange, ChangeCounter

COUNTER = "applications"
_PENDING = "api_change_seq"


def _upsert(session: Session, table, values: dict, *, key: str, update: dict):
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).values(**values)
    return statement.on_conflict_do_update(index_elements=[key], set_=update)


def _next_numbers(session: Session, count: int) -> int:
    """Reserve ``count`` numbers; returns the last one. The row (re)appears on first use, e.g. on a new database."""
    table = ChangeCounter.__table__
    statement = _upsert(
        session, table, {"name": COUNTER, "value": count}, key="name", update={"value": table.c.value + count}
    ).returning(table.c.value)
    return int(session.connection().execute(statement).scalar_one())


@event.listens_for(Session, "before_flush")
def _number_changed_applications(session: Session, flush_context, instances) -> None:
    changed = [obj for obj in session.new if isinstance(obj, Application)]
    changed += [
        obj
        for obj in session.dirty
        if isinstance(obj, Application) and session.is_modified(obj, include_collections=False)
    ]
    if not changed:
        return
    last = _next_numbers(session, len(changed))
    pending = session.info.setdefault(_PENDING, [])
    pending.extend(zip(changed, range(last - len(changed) + 1, last + 1), strict=True))


@event.listens_for(Session, "after_flush")
def _record_change_numbers(session: Session, flush_context) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    table = ApplicationChange.__table__
    now = utcnow()
    connection = session.connection()
    for application, seq in pending:
        connection.execute(
            _upsert(
                session,
                table,
                {"application_id": application.id, "seq": seq, "changed_at": now},
                key="application_id",
                update={"seq": seq, "changed_at": now},
            )
        )


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_PENDING, None)


# --- cursors ---------------------------------------------------------------------------------------------------------


class InvalidCursor(ValueError):
    pass


CURSOR_PATTERN = "^(c1-[0-9]{1,18})?$"  # in the OpenAPI document: any cursor that matches is accepted; empty = start


def encode_cursor(seq: int) -> str:
    """Clients store and send it back, never compute one; the "c1-" version prefix lets its form change later."""
    return f"c1-{seq}"


def decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    prefix, _, number = cursor.partition("-")
    if prefix != "c1" or not number.isascii() or not number.isdigit() or len(number) > 18:
        raise InvalidCursor(cursor)
    return int(number)


# Inline, not a bound parameter: in a prepared statement's generic plan "status <> $n" is estimated from the column's
# distinct values alone (one status everywhere → "no row passes"), which made PostgreSQL scan every application;
# against the constant 'draf' it reads the statistics and keeps the index walk.
_NOT_A_DRAFT = literal(ApplicationStatus.DRAFT.value, String, literal_execute=True)

SCAN = 1000  # changes read per page, in sequence order, before the scope is applied (see changed_since)


@dataclass(frozen=True)
class ChangedPage:
    rows: list  # Row(number, status, version, service, mpp, submitted_at, due_date, updated_at, seq), oldest first
    next_seq: int  # where the next page starts: every change up to here has been looked at
    has_more: bool


def changed_since(scope_filter, seq: int, limit: int, *, scan: int | None = None) -> ChangedPage:
    """Applications in scope whose latest change is after ``seq``, oldest change first: at most ``limit``.

    The query walks the change sequence by its index first — the next ``scan`` numbers — and only then joins the
    applications and applies the scope. Its plan is the same whatever the planner believes about the scope (a
    generic plan of a prepared statement took 0.8 s a page on PostgreSQL, reading every application in scope and
    sorting it). A page can hold fewer than ``limit`` rows (even none) while ``has_more``: the cursor then moves
    past the changes that were looked at and are out of scope, so nothing in scope is skipped either way.
    """
    scan = scan or SCAN
    window = (
        select(ApplicationChange.seq)
        .where(ApplicationChange.seq > seq)
        .order_by(ApplicationChange.seq)
        .limit(scan)
        .subquery()
    )
    # First fix how far this page looks (one statement, one snapshot), then read only up to there: a change that
    # commits meanwhile has a higher number and waits for the next page, so moving the cursor to ``scanned_to`` never
    # steps over a row this page did not look at (each statement of a READ COMMITTED transaction sees new commits).
    scanned_to, scanned = db.session.execute(select(func.max(window.c.seq), func.count()).select_from(window)).one()
    if not scanned:
        return ChangedPage([], seq, False)
    batch = (
        select(ApplicationChange.application_id, ApplicationChange.seq)
        .where(ApplicationChange.seq > seq, ApplicationChange.seq <= scanned_to)
        .order_by(ApplicationChange.seq)
        .limit(scan)
        .subquery()
    )
    rows = db.session.execute(
        select(
            Application.tracking_number.label("number"),
            Application.status,
            Application.version,
            Service.slug.label("service"),
            Mpp.slug.label("mpp"),
            Application.submitted_at,
            Application.due_date,
            Application.updated_at,
            batch.c.seq,
        )
        .select_from(batch)
        .join(Application, Application.id == batch.c.application_id)
        .join(Service, Service.id == Application.service_id)
        .outerjoin(Mpp, Mpp.id == Application.mpp_id)
        .where(Application.status != _NOT_A_DRAFT, scope_filter)
        .order_by(batch.c.seq)
        .limit(limit + 1)
    ).all()
    if len(rows) > limit:
        return ChangedPage(rows[:limit], rows[limit - 1].seq, True)
    return ChangedPage(rows, int(scanned_to), scanned == scan)
