"""Back-office data: who works where (StaffAssignment), how staff join (StaffInvitation), the requirement checklist
an officer ticks, the result document attached on completion, and the append-only audit log.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint, event, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Role, User
from ..applications.models import Application, ApplicationStatus
from ..catalog.models import Agency, Mpp
from ..database import UTCDateTime, created_at, int_pk, str_enum
from ..extensions import db

# The inbox query: applications at the staff member's MPP(s), of their agency's services, by status, by due date.
# (mpp_id, service_id, status, due_date) serves an officer (mpp = ?, service IN agency's, status = ?, ORDER BY
# due_date); (mpp_id, status, due_date) an MPP admin; (status, due_date) a national admin. Declared here, beside
# the query that needs them, and created by migration 0005_backoffice.
Index(
    "ix_application_inbox_officer",
    Application.mpp_id,
    Application.service_id,
    Application.status,
    Application.due_date,
)
Index("ix_application_inbox_mpp", Application.mpp_id, Application.status, Application.due_date)
Index("ix_application_inbox_status", Application.status, Application.due_date)
# The open applications in the inbox's order, for a national list (every MPP, often "overdue"): its page is the
# start of this index instead of a sort of every open application (migration 0025; the statuses are tally.DUE_STATUSES).
_OPEN = text("status IN ('diajukan', 'diverifikasi', 'diproses')")
Index("ix_application_open_due", Application.due_date, Application.id, postgresql_where=_OPEN, sqlite_where=_OPEN)


class StaffRole(enum.StrEnum):
    """The role a staff member holds at one MPP. National admins need no assignment: they see every MPP."""

    OFFICER = Role.OFFICER.value
    MPP_ADMIN = Role.MPP_ADMIN.value
    FRONT_DESK = Role.FRONT_DESK.value  # issue 13: one MPP, no agency; gives no back-office scope (scope.py)


class StaffAssignment(db.Model):
    """An officer works for one agency at an MPP (one row per MPP); an MPP admin for a whole MPP (agency NULL)."""

    __tablename__ = "staff_assignment"

    id: Mapped[int_pk]
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    role: Mapped[StaffRole] = mapped_column(str_enum(StaffRole, 20))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)
    mpp_id: Mapped[int] = mapped_column(ForeignKey("mpp.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[created_at]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    agency: Mapped[Agency | None] = relationship()
    mpp: Mapped[Mpp] = relationship()

    __table_args__ = (UniqueConstraint("user_id", "mpp_id", "agency_id", name="uq_staff_assignment_user_mpp_agency"),)


class StaffInvitation(db.Model):
    """A single-use, expiring link that enrols a staff member's passkey.

    Only the SHA-256 of the token is stored: a copy of this table does not let anyone enrol. The pending WebAuthn
    challenge of the enrolment lives on the row too (bound to the browser session, single use, 5 minutes), so the
    accounts' own challenge table — whose purposes are the citizen ceremonies — stays untouched.
    """

    __tablename__ = "staff_invitation"

    id: Mapped[int_pk]
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    display_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[Role] = mapped_column(str_enum(Role, 20))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    mpp_id: Mapped[int | None] = mapped_column(ForeignKey("mpp.id", ondelete="CASCADE"), index=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # The account the invitation enrolled. Set from the START only on a reset invitation (invitations.py
    # reset_staff_account): then it names the one existing account its link may add a passkey to.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    # The WebAuthn user handle the new account will get: 32 random bytes, never the e-mail (authenticators sync it).
    user_handle: Mapped[bytes] = mapped_column(LargeBinary(64))
    challenge: Mapped[bytes | None] = mapped_column(LargeBinary(64))
    challenge_binding: Mapped[str | None] = mapped_column(String(64))
    challenge_expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    agency: Mapped[Agency | None] = relationship()
    mpp: Mapped[Mpp | None] = relationship()
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])


class ChecklistTick(db.Model):
    """One requirement of the service standard that an officer confirmed as met for one application."""

    __tablename__ = "application_checklist_tick"

    id: Mapped[int_pk]
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    requirement_id: Mapped[int] = mapped_column(ForeignKey("requirement.id", ondelete="CASCADE"))
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    checked_at: Mapped[created_at]

    __table_args__ = (UniqueConstraint("application_id", "requirement_id", name="uq_checklist_tick_application"),)


class ResultSource(enum.StrEnum):
    UPLOADED = "unggahan"  # the agency's own document (a PDF), attached by the officer
    GENERATED = "dibuat"  # produced by MPP Digital (result PDF with verification code: the results issue)


class ResultDocument(db.Model):
    """The product of a completed application. Stored like Dokumen Saya: a checked file under a random name."""

    __tablename__ = "application_result"

    id: Mapped[int_pk]
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), unique=True)
    source: Mapped[ResultSource] = mapped_column(str_enum(ResultSource, 10))
    storage_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]

    application: Mapped[Application] = relationship()


class AuditAction(enum.StrEnum):
    """Stored as its value in a non-native enum column (VARCHAR(20), no CHECK constraint: ``str_enum`` leaves
    ``create_constraint`` off), so a new member needs no migration — only a value of at most 20 characters."""

    TRANSITION = "status"
    CHECKLIST = "checklist"
    DOCUMENT_OPENED = "buka_dokumen"
    RESULT_ATTACHED = "lampirkan_hasil"
    RESULT_REVOKED = "cabut_hasil"
    INVITATION_CREATED = "undangan_dibuat"
    STAFF_ENROLLED = "petugas_terdaftar"
    API_TOKEN_CREATED = "token_api_dibuat"  # noqa: S105 (an audit action name, not a secret) — issue 12: an MPP admin made an agency-system token
    API_TOKEN_REVOKED = "token_api_dicabut"  # noqa: S105 (an audit action name)
    API_REFUSED = "api_ditolak"  # a known token was refused (expired, revoked, lacking a permission)
    STAFF_RESET = "akun_petugas_direset"  # a national admin revoked every passkey and issued a reset invitation
    QUEUE = "antrean"  # issue 10: a counter action (check-in, call, served, no-show, transfer, walk-in, settings)
    COMPLAINT = "pengaduan"  # issue 11: a complaint handling step by the MPP's complaint admin or the agency
    SURVEY_UNSUR = "unsur_survei"  # issue 11: an MPP admin changed the survey's unsur or weights
    ASSIST = "bantuan_loket"  # issue 13: a front-desk officer's step in an assisted application (app/frontdesk)


class AuditEntry(db.Model):
    """One officer or admin action. Append-only: no code path updates or deletes a row, and the ORM refuses to.

    Who and in which role are copied, not only referenced, so the entry still says who acted after the account
    changes or is removed. ``mpp_id`` scopes the log for MPP admins.
    """

    __tablename__ = "audit_entry"

    id: Mapped[int_pk]
    created_at: Mapped[created_at]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    actor_name: Mapped[str] = mapped_column(String(120))
    actor_role: Mapped[str] = mapped_column(String(20))
    action: Mapped[AuditAction] = mapped_column(str_enum(AuditAction, 20))
    mpp_id: Mapped[int | None] = mapped_column(ForeignKey("mpp.id", ondelete="SET NULL"))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("application.id", ondelete="SET NULL"))
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[int | None] = mapped_column(Integer)
    from_status: Mapped[ApplicationStatus | None] = mapped_column(str_enum(ApplicationStatus, 20))
    to_status: Mapped[ApplicationStatus | None] = mapped_column(str_enum(ApplicationStatus, 20))
    reason: Mapped[str | None] = mapped_column(Text)  # the reason given, or what changed (checklist)
    ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(255))

    application: Mapped[Application | None] = relationship()

    # The audit page: one MPP's entries, newest first; every entry newest first (national admins, a page at a time
    # instead of sorting the whole log); one application's history.
    __table_args__ = (
        Index("ix_audit_entry_mpp_created", "mpp_id", "created_at"),
        Index("ix_audit_entry_created", "created_at", "id"),
        Index("ix_audit_entry_application", "application_id"),
    )


class AuditImmutable(Exception):
    """Raised when code tries to change or delete an audit entry."""


@event.listens_for(AuditEntry, "before_update")
def _refuse_update(mapper, connection, target) -> None:
    raise AuditImmutable(f"audit entry {target.id} is append-only and cannot be changed")


@event.listens_for(AuditEntry, "before_delete")
def _refuse_delete(mapper, connection, target) -> None:
    raise AuditImmutable(f"audit entry {target.id} is append-only and cannot be deleted")
