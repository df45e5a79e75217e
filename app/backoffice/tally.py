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
``tests/backoffice/test_tally.py`` fails then, and that migration must create them again (SQL in 0021_perf).
"""

from __future__ import annotations

from sqlalchemy import Integer, String, delete, func, insert, select
from sqlalchemy.orm import Mapped, mapped_column

from ..applications.models import Application, ApplicationStatus
from ..database import int_pk
from ..extensions import db


class ApplicationTally(db.Model):
    """One change of the number of applications of a (service, status): +n or -n. Written only by triggers."""

    __tablename__ = "application_tally"

    id: Mapped[int_pk]
    service_id: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    delta: Mapped[int] = mapped_column(Integer)


# Emptied after ``application`` when tables are wiped or dropped in dependency order (the test suite's wipe):
# deleting applications appends -1 rows, which must not outlive the wipe.
Application.__table__.add_is_dependent_on(ApplicationTally.__table__)


def status_counts(*, service_id: int | None = None) -> dict[str, int]:
    """Applications per status value (drafts left out), over every MPP; one service's when ``service_id`` is given."""
    query = (
        select(ApplicationTally.status, func.sum(ApplicationTally.delta))
        .where(ApplicationTally.status != ApplicationStatus.DRAFT.value)
        .group_by(ApplicationTally.status)
    )
    if service_id is not None:
        query = query.where(ApplicationTally.service_id == service_id)
    return {status: int(total) for status, total in db.session.execute(query) if total}


def compact() -> int:
    """Fold every tally row into one per (service, status). Safe while applications change: the DELETE returns
    exactly the rows it removed and their sum goes back in the same transaction; a row committed meanwhile is
    neither removed nor counted twice. Returns the number of rows folded."""
    gone = db.session.execute(
        delete(ApplicationTally).returning(ApplicationTally.service_id, ApplicationTally.status, ApplicationTally.delta)
    ).all()
    sums: dict[tuple[int, str], int] = {}
    for service_id, status, delta in gone:
        sums[(service_id, status)] = sums.get((service_id, status), 0) + delta
    rows = [{"service_id": s, "status": st, "delta": d} for (s, st), d in sorted(sums.items()) if d]
    if rows:
        db.session.execute(insert(ApplicationTally), rows)
    db.session.commit()
    return len(gone)


def recount() -> dict[str, int]:
    """The counts by scanning ``application`` — what the tally must always equal (tests, and a check by hand)."""
    query = (
        select(Application.status, func.count())
        .where(Application.status != ApplicationStatus.DRAFT)
        .group_by(Application.status)
    )
    return {ApplicationStatus(status).value: count for status, count in db.session.execute(query)}
