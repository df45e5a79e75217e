"""How many applications are in each status, per service — kept by the database, read without counting the table.

The national admin's inbox shows the number of applications per status over every MPP. Counting them was a scan of
the whole ``application`` table on every view (223 ms at 100k rows on PostgreSQL, growing with the table). Instead
the database keeps a tally: triggers on ``application`` (created by migration 0021) append one row per change —
+1 for the new (service, status), -1 for the old — in the same transaction as the change, whoever makes it (the
app, a bulk UPDATE, an import through SQL). The count of a status is the sum of its rows. The worker folds the rows
into one per (service, status) every hour (``compact``), so a read sums a few hundred rows whatever the table holds.

Appending instead of updating one counter row per status keeps concurrent status changes from queueing behind one
row lock. On SQLite the triggers are per row; on PostgreSQL per statement, over the statement's transition tables.
A later migration that rebuilds ``application`` in SQLite batch mode drops the SQLite triggers with the old table:
``tests/backoffice/test_tally.py`` fails then, and that migration must create them again (SQL in 0021_perf,
0025_due_tally and 0026_mpp_tally).

The due tally does the same for deadlines: how many applications waiting on the agency (diajukan, diverifikasi,
diproses) are due on each day, per MPP (migration 0025). "Overdue" and "due today" depend on the MPP's own today
(WIB/WITA/WIT), which moves every night, so it cannot be a kept number; but the number due on each date can, and
the national inbox sums the dates before (or on) each zone's today over a few thousand rows — at 1M applications
that count read 135,000 index entries and table rows on every view (70 ms in PostgreSQL).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement, Date, Index, Integer, String, and_, delete, func, insert, or_, select
from sqlalchemy.orm import Mapped, mapped_column

from ..applications.models import Application, ApplicationStatus
from ..applications.workdays import DEFAULT_TIMEZONE, local_date
from ..catalog.models import Mpp
from ..database import int_pk
from ..extensions import db
from ..formatting import ZONES


class ApplicationTally(db.Model):
    """One change of the number of applications of a (service, status): +n or -n. Written only by triggers."""

    __tablename__ = "application_tally"

    id: Mapped[int_pk]
    service_id: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    delta: Mapped[int] = mapped_column(Integer)


class ApplicationMppTally(db.Model):
    """The same changes per MPP too: +n or -n for a (MPP, service, status). Written only by triggers (migration
    0026). The national counts stay in ``ApplicationTally``: summed over every MPP, this one would be hundreds of
    times longer; an officer's or an MPP admin's counts sum the few hundred rows of their MPP(s) here."""

    __tablename__ = "application_mpp_tally"
    __table_args__ = (Index("ix_application_mpp_tally_scope", "mpp_id", "service_id"),)

    id: Mapped[int_pk]
    mpp_id: Mapped[int | None] = mapped_column(Integer)
    service_id: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    delta: Mapped[int] = mapped_column(Integer)


class ApplicationDueTally(db.Model):
    """One change of the number of applications waiting on the agency that are due on ``due_date`` at an MPP: +n or
    -n. Written only by triggers (migration 0025); the statuses it counts are ``DUE_STATUSES``."""

    __tablename__ = "application_due_tally"

    id: Mapped[int_pk]
    mpp_id: Mapped[int | None] = mapped_column(Integer)
    due_date: Mapped[dt.date] = mapped_column(Date)
    delta: Mapped[int] = mapped_column(Integer)


# The statuses the triggers of migration 0025 count (the inbox's OPEN_STATUSES): the SQL there names the same.
DUE_STATUSES = (ApplicationStatus.SUBMITTED, ApplicationStatus.VERIFIED, ApplicationStatus.IN_PROCESS)

# Emptied after ``application`` when tables are wiped or dropped in dependency order (the test suite's wipe):
# deleting applications appends -1 rows, which must not outlive the wipe.
Application.__table__.add_is_dependent_on(ApplicationTally.__table__)
Application.__table__.add_is_dependent_on(ApplicationDueTally.__table__)
Application.__table__.add_is_dependent_on(ApplicationMppTally.__table__)


def _status_sums(table, *where) -> dict[str, int]:
    """Applications per status value (drafts left out) from ``table``'s rows matching ``where``."""
    query = (
        select(table.status, func.sum(table.delta))
        .where(table.status != ApplicationStatus.DRAFT.value, *where)
        .group_by(table.status)
    )
    return {status: int(total) for status, total in db.session.execute(query) if total}


def status_counts(*, service_id: int | None = None) -> dict[str, int]:
    """Applications per status value (drafts left out), over every MPP; one service's when ``service_id`` is given."""
    table = ApplicationTally
    return _status_sums(table, *([table.service_id == service_id] if service_id is not None else []))


def scoped_status_counts(scope_filter, *, service_id: int | None = None) -> dict[str, int]:
    """Applications per status value (drafts left out) within ``scope_filter(mpp_id, service_id)`` — a staff
    member's ``Scope.application_filter`` over this tally's columns; one service's when ``service_id`` is given."""
    table = ApplicationMppTally
    where = [scope_filter(table.mpp_id, table.service_id)]
    if service_id is not None:
        where.append(table.service_id == service_id)
    return _status_sums(table, *where)


def per_zone(now: dt.datetime, build) -> ColumnElement[bool]:
    """``build(today)`` for each time zone, each limited to the rows of MPPs in that zone (``Mpp`` joined): "today"
    and "overdue" are an MPP's own, in WIB, WITA or WIT. The inbox's filters and the due tally's counts share it."""
    zone = func.coalesce(Mpp.timezone, DEFAULT_TIMEZONE)
    return or_(*(and_(zone == tz, build(local_date(now, tz))) for tz in ZONES))


def due_counts(now: dt.datetime) -> tuple[int, int]:
    """(overdue, due today) over every MPP, each against the MPP's own today, from the due tally."""
    due = ApplicationDueTally.due_date

    def total(build):
        return func.coalesce(func.sum(ApplicationDueTally.delta).filter(per_zone(now, build)), 0)

    query = (
        select(total(lambda day: due < day), total(lambda day: due == day))
        .select_from(ApplicationDueTally)
        .outerjoin(Mpp, Mpp.id == ApplicationDueTally.mpp_id)
        .where(due <= max(local_date(now, tz) for tz in ZONES))
    )
    overdue, due_today = db.session.execute(query).one()
    return int(overdue), int(due_today)


def _fold(table, keys) -> int:
    """Replace the rows of ``table`` by one per ``keys`` holding their sum (none where it is 0)."""
    columns = [getattr(table, key) for key in keys]
    gone = db.session.execute(delete(table).returning(*columns, table.delta)).all()
    sums: dict[tuple, int] = {}
    for *key, delta in gone:
        sums[tuple(key)] = sums.get(tuple(key), 0) + delta
    rows = [dict(zip(keys, key, strict=True), delta=d) for key, d in sums.items() if d]
    if rows:
        db.session.execute(insert(table), rows)
    return len(gone)


def compact() -> int:
    """Fold every tally row into one per (service, status), per (MPP, service, status) and per (MPP, due date). Safe
    while applications change: the DELETE returns exactly the rows it removed and their sum goes back in the same
    transaction; a row committed meanwhile is neither removed nor counted twice. Returns the number of rows folded."""
    folded = (
        _fold(ApplicationTally, ("service_id", "status"))
        + _fold(ApplicationMppTally, ("mpp_id", "service_id", "status"))
        + _fold(ApplicationDueTally, ("mpp_id", "due_date"))
    )
    db.session.commit()
    return folded


def recount() -> dict[str, int]:
    """The counts by scanning ``application`` — what the tally must always equal (tests, and a check by hand)."""
    query = (
        select(Application.status, func.count())
        .where(Application.status != ApplicationStatus.DRAFT)
        .group_by(Application.status)
    )
    return {ApplicationStatus(status).value: count for status, count in db.session.execute(query)}


def recount_scoped(scope_filter) -> dict[str, int]:
    """``scoped_status_counts`` by scanning ``application`` (tests)."""
    query = (
        select(Application.status, func.count())
        .where(scope_filter(Application.mpp_id, Application.service_id), Application.status != ApplicationStatus.DRAFT)
        .group_by(Application.status)
    )
    return {ApplicationStatus(status).value: count for status, count in db.session.execute(query)}


def recount_due() -> dict[tuple[int | None, dt.date], int]:
    """The due tally's sums by scanning ``application`` — what they must always equal (tests)."""
    query = (
        select(Application.mpp_id, Application.due_date, func.count())
        .where(Application.status.in_(DUE_STATUSES), Application.due_date.is_not(None))
        .group_by(Application.mpp_id, Application.due_date)
    )
    return {(mpp_id, due): n for mpp_id, due, n in db.session.execute(query)}


def due_sums() -> dict[tuple[int | None, dt.date], int]:
    """The due tally folded in memory (tests)."""
    query = select(
        ApplicationDueTally.mpp_id, ApplicationDueTally.due_date, func.sum(ApplicationDueTally.delta)
    ).group_by(ApplicationDueTally.mpp_id, ApplicationDueTally.due_date)
    return {(mpp_id, due): int(n) for mpp_id, due, n in db.session.execute(query) if n}
