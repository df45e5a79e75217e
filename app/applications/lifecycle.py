"""What a citizen does with a submitted application: find it, cancel it, answer a correction request."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..extensions import db
from ..pagination import Page, paginate
from . import on_behalf, tracking, workflow
from .models import Application, ApplicationStatus

PAGE_SIZE = 20  # a citizen's list, newest first; most citizens never see a second page


@dataclass(frozen=True)
class ApplicationsPage:
    applications: list[Application]
    page: int
    has_next: bool


def my_applications(user: User, *, page: int = 1, page_size: int = PAGE_SIZE) -> ApplicationsPage:
    """One page of the citizen's submitted applications with what the list shows (service, MPP, events) loaded in
    a fixed number of queries whatever the number of rows (one per relationship, not one per application)."""
    page = max(1, page)
    rows = list(
        db.session.scalars(
            select(Application)
            .where(Application.user_id == user.id)
            .order_by(Application.submitted_at.desc(), Application.id.desc())
            .offset((page - 1) * page_size)
            .limit(page_size + 1)
            .options(selectinload(Application.events), selectinload(Application.mpp), selectinload(Application.service))
        )
    )
    return ApplicationsPage(applications=rows[:page_size], page=page, has_next=len(rows) > page_size)


ABOUT_PAGE_SIZE = 20


def applications_about(user: User, *, number: int = 1, size: int = ABOUT_PAGE_SIZE) -> Page[Application]:
    """Applications a family member made in ``user``'s name while their account was linked (issue 13), newest
    first, a page at a time: the person an application is about sees it, and its status, even though they did not
    submit it."""
    return paginate(
        select(Application)
        .where(Application.subject_user_id == user.id)
        .order_by(Application.submitted_at.desc(), Application.id.desc())
        .options(selectinload(Application.service), selectinload(Application.user)),
        number=number,
        size=size,
    )


def get_application(user: User, number: str) -> Application | None:
    """The user's own application by tracking number (as typed). Someone else's is indistinguishable from none."""
    canonical = tracking.normalize(number)
    if canonical is None:
        return None
    return db.session.scalar(
        select(Application).where(Application.tracking_number == canonical, Application.user_id == user.id)
    )


def cancel_application(user: User, application: Application, *, reason: str | None = None) -> None:
    """The applicant withdraws before verification. Raises workflow.TransitionRefused / TransitionConflict."""
    workflow.transition(application, ApplicationStatus.CANCELLED, actor=user, reason=reason)
    on_behalf.record_act_on(application, user, purpose="Dibatalkan oleh pengaju")  # a linked member's history
    db.session.commit()


def can_cancel(user: User, application: Application) -> bool:
    return workflow.can_transition(application, ApplicationStatus.CANCELLED, actor=user)


def needs_correction(application: Application) -> bool:
    return application.status == ApplicationStatus.NEEDS_CORRECTION


def correction_reason(application: Application) -> str | None:
    for event in reversed(application.events):
        if event.to_status == ApplicationStatus.NEEDS_CORRECTION:
            return event.reason
    return None
