"""THE answer to "may this staff member see or act on this application / this MPP?", and the scoped queries.

Every back-office route goes through here. Out-of-scope objects are answered 404 — exactly as if they did not
exist — never 403, which would confirm to an officer of agency A that agency B's application number is real.

    officer        one agency at one or more MPPs: sees and acts on that agency's applications at those MPPs
    MPP admin      one MPP: sees every application, the audit log and invitations of that MPP; does not act on
                   applications (separation of duties: the agency's officers decide, the MPP supervises)
    national admin every MPP, read-only like the MPP admin
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps

from flask import abort, g
from flask_login import current_user
from sqlalchemy import ColumnElement, Select, and_, false, or_, select, true

from ..accounts.models import Role, User
from ..applications import tracking
from ..applications.models import Application, ApplicationStatus
from ..catalog.models import Mpp, Service
from ..extensions import db, login_manager
from .models import StaffAssignment, StaffRole

STAFF_ROLES = (Role.OFFICER, Role.MPP_ADMIN, Role.NATIONAL_ADMIN)


@dataclass(frozen=True)
class Scope:
    """What one staff member may see. Built once per request from their assignments."""

    user: User
    national: bool = False
    # (agency_id, mpp_id) pairs an officer works in, with the service ids of each agency (for the index).
    officer_pairs: frozenset[tuple[int, int]] = frozenset()
    agency_services: dict[int, tuple[int, ...]] = field(default_factory=dict)
    admin_mpps: frozenset[int] = frozenset()

    @property
    def role(self) -> Role:
        return Role(self.user.role)

    @property
    def is_admin(self) -> bool:
        return self.national or bool(self.admin_mpps)

    @property
    def mpp_ids(self) -> frozenset[int]:
        """Every MPP this person sees something of (empty for a national admin, who sees all)."""
        return self.admin_mpps | {mpp for _agency, mpp in self.officer_pairs}

    def application_filter(self, mpp_id=Application.mpp_id, service_id=Application.service_id) -> ColumnElement[bool]:
        """The WHERE clause that limits applications to this scope (used by every list and every lookup). The same
        clause over another table's ``mpp_id`` and ``service_id`` columns limits rows about applications (the
        per-MPP tally)."""
        if self.national:
            return true()
        clauses = []
        if self.admin_mpps:
            clauses.append(mpp_id.in_(sorted(self.admin_mpps)))
        for agency_id, pair_mpp_id in sorted(self.officer_pairs):
            services = self.agency_services.get(agency_id, ())
            if services:
                clauses.append(and_(mpp_id == pair_mpp_id, service_id.in_(services)))
        return or_(*clauses) if clauses else false()

    def mpp_filter(self) -> ColumnElement[bool]:
        return true() if self.national else Mpp.id.in_(sorted(self.mpp_ids))

    def sees_mpp(self, mpp_id: int | None) -> bool:
        return self.national or (mpp_id is not None and mpp_id in self.mpp_ids)

    def administers_mpp(self, mpp_id: int | None) -> bool:
        return self.national or (mpp_id is not None and mpp_id in self.admin_mpps)

    def sees(self, application: Application) -> bool:
        if self.national or application.mpp_id in self.admin_mpps:
            return True
        agency_id = application.service.agency_id
        return (agency_id, application.mpp_id) in self.officer_pairs

    def may_act(self, application: Application) -> bool:
        """Only an officer of the application's agency at its MPP moves it through the workflow."""
        return (application.service.agency_id, application.mpp_id) in self.officer_pairs

    def applications(self) -> Select:
        return select(Application).where(self.application_filter())

    def find_application(self, number: str) -> Application | None:
        """The application with this tracking number if it is in scope; out of scope is the same as unknown."""
        canonical = tracking.normalize(number)
        if canonical is None:
            return None
        return db.session.scalar(
            self.applications().where(
                Application.tracking_number == canonical, Application.status != ApplicationStatus.DRAFT
            )
        )


def scope_of(user: User | None) -> Scope | None:
    """The scope of a signed-in staff member; None for citizens and for staff without any assignment."""
    if user is None or not getattr(user, "is_authenticated", False) or user.role not in STAFF_ROLES:
        return None
    if user.role == Role.NATIONAL_ADMIN:
        return Scope(user=user, national=True)
    rows = db.session.scalars(select(StaffAssignment).where(StaffAssignment.user_id == user.id)).all()
    pairs = frozenset(
        (row.agency_id, row.mpp_id) for row in rows if row.role == StaffRole.OFFICER and row.agency_id is not None
    )
    admin = frozenset(row.mpp_id for row in rows if row.role == StaffRole.MPP_ADMIN)
    # An assignment whose role disagrees with the account's role grants nothing (defence against a stale row).
    if user.role == Role.OFFICER:
        admin = frozenset()
    if user.role == Role.MPP_ADMIN:
        pairs = frozenset()
    if not pairs and not admin:
        return None
    agencies = sorted({agency for agency, _mpp in pairs})
    services: dict[int, list[int]] = {agency: [] for agency in agencies}
    if agencies:
        for service_id, agency_id in db.session.execute(
            select(Service.id, Service.agency_id).where(Service.agency_id.in_(agencies)).order_by(Service.id)
        ):
            services[agency_id].append(service_id)
    return Scope(
        user=user,
        officer_pairs=pairs,
        agency_services={agency: tuple(ids) for agency, ids in services.items()},
        admin_mpps=admin,
    )


def current_scope() -> Scope:
    """The scope of this request's staff member (set by ``staff_required``)."""
    return g.staff_scope


def staff_required(*roles: Role) -> Callable:
    """Only staff with one of ``roles`` (default: any staff role) and at least one assignment get in.

    Anonymous visitors are sent to sign in (that reveals nothing). Everyone else who does not qualify — citizens,
    an officer on an admin page — gets 404, as if the back office were not there.
    """
    allowed = frozenset(roles or STAFF_ROLES)

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            user = current_user._get_current_object()
            scope = scope_of(user) if user.role in allowed else None
            if scope is None:
                abort(404)
            g.staff_scope = scope
            return view(*args, **kwargs)

        wrapper.staff_roles = allowed  # read by the scope-matrix test
        return wrapper

    return decorator
