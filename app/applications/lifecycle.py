"""What a citizen does with a submitted application: find it, cancel it, answer a correction request."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..extensions import db
from . import tracking, workflow
from .models import Application, ApplicationStatus


def my_applications(user: User) -> list[Application]:
    return list(
        db.session.scalars(
            select(Application)
            .where(Application.user_id == user.id)
            .order_by(Application.submitted_at.desc())
            .options(selectinload(Application.events), selectinload(Application.mpp), selectinload(Application.service))
        )
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
