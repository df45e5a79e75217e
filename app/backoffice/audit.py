"""Write and read the audit log. Writing never commits: the entry belongs to the transaction of the action."""

from __future__ import annotations

from dataclasses import dataclass

from flask import has_request_context, request
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..accounts.models import Role, User
from ..applications.models import Application, ApplicationStatus
from ..extensions import db
from .models import AuditAction, AuditEntry
from .scope import Scope

PAGE_SIZE = 50


def record(
    *,
    actor: User,
    action: AuditAction,
    mpp_id: int | None,
    application: Application | None = None,
    object_type: str | None = None,
    object_id: int | None = None,
    from_status: ApplicationStatus | None = None,
    to_status: ApplicationStatus | None = None,
    reason: str | None = None,
) -> AuditEntry:
    """Add one entry (who, in which role, from where) to the current transaction."""
    entry = AuditEntry(
        actor_id=actor.id,
        actor_name=actor.display_name[:120],
        actor_role=Role(actor.role).value,
        action=action,
        mpp_id=mpp_id,
        application_id=application.id if application is not None else None,
        object_type=object_type,
        object_id=object_id,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        ip=request.remote_addr if has_request_context() else None,
        user_agent=(request.user_agent.string or "")[:255] or None if has_request_context() else None,
    )
    db.session.add(entry)
    return entry


@dataclass(frozen=True)
class AuditFilters:
    action: str = ""
    mpp_id: int | None = None
    number: str = ""
    page: int = 1

    @classmethod
    def parse(cls, args) -> AuditFilters:
        action = args.get("tindakan", "")
        if action not in {a.value for a in AuditAction}:
            action = ""
        mpp = args.get("mpp", "")
        return cls(
            action=action,
            mpp_id=int(mpp) if mpp.isdigit() and len(mpp) < 10 else None,
            number=(args.get("nomor", "") or "").strip()[:40],
            page=_page(args.get("halaman")),
        )


def _page(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() and 0 < len(raw) < 6 and int(raw) > 0 else 1


@dataclass
class AuditPage:
    entries: list[AuditEntry]
    page: int
    has_next: bool


def audit_entries(scope: Scope, filters: AuditFilters) -> AuditPage:
    """Entries visible to ``scope`` (MPP admins: their MPPs; national admins: all), newest first."""
    query = select(AuditEntry)
    if not scope.national:
        query = query.where(AuditEntry.mpp_id.in_(sorted(scope.admin_mpps)))
    if filters.action:
        query = query.where(AuditEntry.action == AuditAction(filters.action))
    if filters.mpp_id is not None:
        query = query.where(AuditEntry.mpp_id == filters.mpp_id)
    if filters.number and (complaint_where := _complaint_number_filter(filters.number)) is not None:
        query = query.where(complaint_where)
    elif filters.number:
        from ..applications import tracking

        canonical = tracking.normalize(filters.number) or filters.number
        query = query.join(Application, Application.id == AuditEntry.application_id).where(
            Application.tracking_number == canonical
        )
    offset = (filters.page - 1) * PAGE_SIZE
    rows = list(
        db.session.scalars(
            query.options(selectinload(AuditEntry.application).selectinload(Application.mpp))  # the row's zone
            .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
            .offset(offset)
            .limit(PAGE_SIZE + 1)
        )
    )
    return AuditPage(entries=rows[:PAGE_SIZE], page=filters.page, has_next=len(rows) > PAGE_SIZE)


def _complaint_number_filter(raw: str):
    """A complaint number (ADU-…) finds the steps taken on that complaint (feedback/complaints.py audit_step)."""
    from ..feedback.complaints import normalize_number
    from ..feedback.models import Complaint

    if not raw.strip().upper().startswith("ADU") or (number := normalize_number(raw)) is None:
        return None
    return (AuditEntry.object_type == "complaint") & AuditEntry.object_id.in_(
        select(Complaint.id).where(Complaint.number == number)
    )


def history_of(application: Application) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.application_id == application.id)
            .order_by(AuditEntry.created_at, AuditEntry.id)
        )
    )
