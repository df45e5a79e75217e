"""The officer's inbox: applications in scope, filtered by status, service and due date, oldest deadline first.

Penundaan berlarut (undue delay) is the Ombudsman's most reported maladministration, so the inbox is ordered by
due date and says plainly what is overdue or due today. "Today" is the MPP's own calendar day (WIB/WITA/WIT):
``Application.due_date`` is a local date of the application's MPP, so it is compared with that zone's today.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import selectinload

from ..applications.models import Application, ApplicationStatus
from ..applications.workdays import local_date
from ..catalog.models import Mpp, Service, ServiceOffering
from ..database import utcnow
from ..extensions import db
from . import tally
from .scope import Scope

S = ApplicationStatus
PAGE_SIZE = 25
# Waiting on the agency: what the SLA is about. perlu_perbaikan waits on the citizen. The due tally counts these.
OPEN_STATUSES = tally.DUE_STATUSES
LISTED_STATUSES = (S.SUBMITTED, S.VERIFIED, S.IN_PROCESS, S.NEEDS_CORRECTION, S.COMPLETED, S.REJECTED, S.CANCELLED)
STATUS_ALL = "semua"

DUE_OVERDUE, DUE_TODAY, DUE_WEEK = "terlambat", "hari-ini", "7-hari"
DUE_CHOICES = {
    DUE_OVERDUE: _l("Overdue"),
    DUE_TODAY: _l("Due today"),
    DUE_WEEK: _l("Due within 7 days"),
}


@dataclass(frozen=True)
class InboxFilters:
    status: str = ""  # "" = waiting on the agency; "semua"; or one status value
    service: str = ""  # a service slug
    due: str = ""
    page: int = 1

    @classmethod
    def parse(cls, args) -> InboxFilters:
        """Anything unknown in the query string is ignored rather than refused: a bookmarked URL keeps working."""
        status = args.get("status", "")
        if status not in {STATUS_ALL, *(s.value for s in LISTED_STATUSES)}:
            status = ""
        due = args.get("tenggat", "")
        if due not in DUE_CHOICES:
            due = ""
        service = (args.get("layanan", "") or "")[:120]
        raw_page = args.get("halaman", "")
        page = int(raw_page) if raw_page.isdigit() and 0 < len(raw_page) < 6 and int(raw_page) > 0 else 1
        return cls(status=status, service=service, due=due, page=page)

    def query_string(self, **changes) -> str:
        values = replace(self, **changes)
        pairs = {"status": values.status, "layanan": values.service, "tenggat": values.due}
        if values.page > 1:
            pairs["halaman"] = str(values.page)
        return urlencode({key: value for key, value in pairs.items() if value})

    @property
    def any(self) -> bool:
        return bool(self.status or self.service or self.due)


@dataclass
class InboxRow:
    application: Application
    overdue: bool
    due_today: bool


@dataclass
class Inbox:
    rows: list[InboxRow]
    counts: dict[str, int]  # status value → number in scope (service filter applied)
    overdue: int
    due_today: int
    page: int
    has_next: bool
    services: list[Service]
    filters: InboxFilters


def local_today(tz_name: str | None, now: dt.datetime | None = None) -> dt.date:
    return local_date(now or utcnow(), tz_name)


def _overdue(now: dt.datetime) -> ColumnElement[bool]:
    return and_(Application.status.in_(OPEN_STATUSES), tally.per_zone(now, lambda today: Application.due_date < today))


def _due_today(now: dt.datetime) -> ColumnElement[bool]:
    return and_(Application.status.in_(OPEN_STATUSES), tally.per_zone(now, lambda today: Application.due_date == today))


def _due_week(now: dt.datetime) -> ColumnElement[bool]:
    return and_(
        Application.status.in_(OPEN_STATUSES),
        tally.per_zone(now, lambda today: Application.due_date.between(today, today + dt.timedelta(days=6))),
    )


def services_in_scope(scope: Scope) -> list[Service]:
    query = select(Service).order_by(Service.name)
    if scope.national:
        return list(db.session.scalars(query))
    service_ids = {sid for ids in scope.agency_services.values() for sid in ids}
    clauses = []
    if service_ids:
        clauses.append(Service.id.in_(sorted(service_ids)))
    if scope.admin_mpps:
        clauses.append(
            Service.id.in_(
                select(ServiceOffering.service_id).where(ServiceOffering.mpp_id.in_(sorted(scope.admin_mpps)))
            )
        )
    if not clauses:
        return []
    return list(db.session.scalars(query.where(or_(*clauses))))


def load_inbox(scope: Scope, filters: InboxFilters, *, now: dt.datetime | None = None) -> Inbox:
    now = now or utcnow()
    services = services_in_scope(scope)
    base = (
        select(Application)
        .outerjoin(Mpp, Mpp.id == Application.mpp_id)
        .where(scope.application_filter(), Application.status != S.DRAFT)
    )
    chosen = next((service for service in services if service.slug == filters.service), None)
    if chosen is not None:
        base = base.where(Application.service_id == chosen.id)

    # From the tallies the database keeps, never a count of the applications in scope (an MPP's are 90,000 a year).
    service_id = chosen.id if chosen is not None else None
    if scope.national:
        counts = tally.status_counts(service_id=service_id)
    else:
        counts = tally.scoped_status_counts(scope.application_filter, service_id=service_id)
    if scope.national and chosen is None:  # every open application of the country: from the due tally
        overdue, due_today = tally.due_counts(now)
    else:
        overdue = db.session.scalar(base.with_only_columns(func.count()).where(_overdue(now)))
        due_today = db.session.scalar(base.with_only_columns(func.count()).where(_due_today(now)))

    query = base
    if filters.status == "":
        query = query.where(Application.status.in_(OPEN_STATUSES))
    elif filters.status != STATUS_ALL:
        query = query.where(Application.status == S(filters.status))
    if filters.due == DUE_OVERDUE:
        query = query.where(_overdue(now))
    elif filters.due == DUE_TODAY:
        query = query.where(_due_today(now))
    elif filters.due == DUE_WEEK:
        query = query.where(_due_week(now))
    applications = list(
        db.session.scalars(
            query.options(selectinload(Application.service), selectinload(Application.mpp))
            .order_by(Application.due_date.asc().nulls_last(), Application.id)
            .offset((filters.page - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE + 1)
        )
    )
    rows = []
    for application in applications[:PAGE_SIZE]:
        today = local_today(application.mpp.timezone if application.mpp else None, now)
        waiting = application.status in OPEN_STATUSES and application.due_date is not None
        rows.append(
            InboxRow(
                application=application,
                overdue=waiting and application.due_date < today,
                due_today=waiting and application.due_date == today,
            )
        )
    return Inbox(
        rows=rows,
        counts={S(status).value: count for status, count in counts.items()},
        overdue=overdue or 0,
        due_today=due_today or 0,
        page=filters.page,
        has_next=len(applications) > PAGE_SIZE,
        services=services,
        filters=filters,
    )
