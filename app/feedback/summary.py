"""What the public performance pages count, kept by the database as it changes (issue 15, migration 0023).

/kinerja at national scale read every completion of the quarter (hundreds of thousands of timeline events joined to
their applications) and every application received in it, on every cold render. Instead, triggers on
``application_status_event``, ``application`` and ``mpp`` keep, in the transaction of each change:

    kinerja_completion        one row per completion event: the application's MPP and service, the MPP's local
                              month of the completion, the exact duration from submission in microseconds, its whole
                              days, and whether it was on time (local date of completion ≤ due date, or no due date)
    kinerja_completion_month  per (local month, MPP, service, whole days): completions and on-time ones
    kinerja_mpp_month         the same per (local month, MPP, whole days), for the national table
    kinerja_received_month    per (local month, MPP, service): applications submitted (drafts left out)

A period is one or three of an MPP's local months, so a national quarter reads a few hundred monthly rows, however
many applications there are. The median and p90 days stay exact nearest-rank values: the monthly rows are a
histogram by whole days, which finds the day the wanted rank falls in and its place in that day; the value itself is
then one index lookup in ``kinerja_completion`` (ordered by the exact duration inside a day, which orders the same
way because whole days never decrease as the duration grows).

Completion is final (workflow.FINAL_STATUSES), so a completion row only goes away with its event (deleted with its
application). A change of an application's submission time, due date, MPP or service, or of an MPP's zone, recomputes
the rows it touches. On PostgreSQL the triggers are per statement over transition tables (a bulk load is one
grouped upsert); on SQLite per row. A later migration that rebuilds ``application``, ``application_status_event``
or ``mpp`` in SQLite batch mode drops their SQLite triggers: ``tests/feedback/test_summary.py`` fails then, and that
migration must create them again (SQL in 0023_kinerja_summary).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, SmallInteger, select
from sqlalchemy.orm import Mapped, mapped_column

from ..applications.models import Application, ApplicationStatus, StatusEvent
from ..applications.workdays import local_date
from ..catalog.models import Mpp
from ..extensions import db

MICROS_PER_DAY = 86_400_000_000


class CompletionSummary(db.Model):
    """One completion event, as the performance pages count it. Written only by triggers."""

    __tablename__ = "kinerja_completion"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("application_status_event.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    application_id: Mapped[int] = mapped_column(Integer, index=True)
    mpp_id: Mapped[int] = mapped_column(Integer)
    service_id: Mapped[int] = mapped_column(Integer)
    local_month: Mapped[dt.date] = mapped_column(Date)  # first day of the MPP's local month of the completion
    micros: Mapped[int] = mapped_column(BigInteger)  # completed_at − submitted_at, exact
    whole_days: Mapped[int] = mapped_column(Integer)  # micros // one day (towards zero)
    on_time: Mapped[int] = mapped_column(SmallInteger)  # 1 or 0

    # One MPP's durations of one whole day in a period, in order, from the index alone (service included for the
    # service and agency tables' lookups).
    __table_args__ = (
        Index("ix_kinerja_completion_rank", "mpp_id", "whole_days", "local_month", "service_id", "micros"),
    )


class CompletionMonth(db.Model):
    """Completions per local month, MPP, service and whole days of duration. Written only by triggers."""

    __tablename__ = "kinerja_completion_month"

    local_month: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    mpp_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    service_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    whole_days: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    completed: Mapped[int] = mapped_column(Integer)
    on_time: Mapped[int] = mapped_column(Integer)


class CompletionMppMonth(db.Model):
    """The same per local month, MPP and whole days only: the national table's few hundred rows a quarter."""

    __tablename__ = "kinerja_mpp_month"

    local_month: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    mpp_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    whole_days: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    completed: Mapped[int] = mapped_column(Integer)
    on_time: Mapped[int] = mapped_column(Integer)


class ReceivedMonth(db.Model):
    """Applications submitted per local month, MPP and service (drafts left out). Written only by triggers."""

    __tablename__ = "kinerja_received_month"

    local_month: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    mpp_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    service_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    received: Mapped[int] = mapped_column(Integer)


# Emptied after their sources when tables are wiped in dependency order (the test suite's wipe): deleting the
# sources runs the triggers, whose rows must not outlive the wipe.
CompletionSummary.__table__.add_is_dependent_on(CompletionMonth.__table__)
CompletionSummary.__table__.add_is_dependent_on(CompletionMppMonth.__table__)
Application.__table__.add_is_dependent_on(ReceivedMonth.__table__)


def recount() -> dict[str, dict]:
    """The summaries computed from scratch out of the source tables, in Python, in the shape ``current``
    returns — what the triggers must always have kept (tests, and a check by hand)."""
    completions: dict[int, tuple] = {}
    months: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    mpp_months: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for event_id, application_id, mpp_id, service_id, submitted_at, due_date, completed_at, zone in db.session.execute(
        select(
            StatusEvent.id,
            Application.id,
            Application.mpp_id,
            Application.service_id,
            Application.submitted_at,
            Application.due_date,
            StatusEvent.created_at,
            Mpp.timezone,
        )
        .join(Application, Application.id == StatusEvent.application_id)
        .join(Mpp, Mpp.id == Application.mpp_id)
        .where(StatusEvent.to_status == ApplicationStatus.COMPLETED)
    ):
        day = local_date(completed_at, zone)
        span = completed_at - submitted_at
        micros = (span.days * 86400 + span.seconds) * 10**6 + span.microseconds
        whole = int(micros / MICROS_PER_DAY)  # towards zero, as the databases divide integers
        on_time = int(due_date is None or day <= due_date)
        month = day.replace(day=1)
        completions[event_id] = (application_id, mpp_id, service_id, month, micros, whole, on_time)
        months[(month, mpp_id, service_id, whole)][0] += 1
        months[(month, mpp_id, service_id, whole)][1] += on_time
        mpp_months[(month, mpp_id, whole)][0] += 1
        mpp_months[(month, mpp_id, whole)][1] += on_time
    received: dict[tuple, int] = defaultdict(int)
    for mpp_id, service_id, submitted_at, zone in db.session.execute(
        select(Application.mpp_id, Application.service_id, Application.submitted_at, Mpp.timezone)
        .join(Mpp, Mpp.id == Application.mpp_id)
        .where(Application.status != ApplicationStatus.DRAFT)
    ):
        received[(local_date(submitted_at, zone).replace(day=1), mpp_id, service_id)] += 1
    return {
        "completions": completions,
        "months": {key: tuple(value) for key, value in months.items()},
        "mpp_months": {key: tuple(value) for key, value in mpp_months.items()},
        "received": dict(received),
    }


def current() -> dict[str, dict]:
    """The summaries as the triggers kept them (rows that went back to zero left out)."""
    c = CompletionSummary
    completions = {
        row[0]: tuple(row[1:])
        for row in db.session.execute(
            select(
                c.event_id, c.application_id, c.mpp_id, c.service_id, c.local_month, c.micros, c.whole_days, c.on_time
            )  # fmt: skip
        )
    }
    m = CompletionMonth
    months = {
        (month, mpp_id, service_id, whole): (n, on_time)
        for month, mpp_id, service_id, whole, n, on_time in db.session.execute(
            select(m.local_month, m.mpp_id, m.service_id, m.whole_days, m.completed, m.on_time)
        )
        if n or on_time
    }
    p = CompletionMppMonth
    mpp_months = {
        (month, mpp_id, whole): (n, on_time)
        for month, mpp_id, whole, n, on_time in db.session.execute(
            select(p.local_month, p.mpp_id, p.whole_days, p.completed, p.on_time)
        )
        if n or on_time
    }
    r = ReceivedMonth
    received = {
        (month, mpp_id, service_id): n
        for month, mpp_id, service_id, n in db.session.execute(
            select(r.local_month, r.mpp_id, r.service_id, r.received)
        )
        if n
    }
    return {"completions": completions, "months": months, "mpp_months": mpp_months, "received": received}
