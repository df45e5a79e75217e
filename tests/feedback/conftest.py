"""Feedback fixtures: the back-office ones (demo catalog, staff in the scope matrix, submitted applications), and a
helper that moves an application through the real workflow as its officer."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.applications import workflow
from app.applications.models import Application
from app.applications.models import ApplicationStatus as S
from app.extensions import db

from ..backoffice.conftest import HOME_MPP, OTHER_MPP, SERVICE, demo, make_staff, officer, submit_application  # noqa: F401

PATHS = {
    S.COMPLETED: [S.VERIFIED, S.IN_PROCESS, S.COMPLETED],
    S.REJECTED: [S.REJECTED],
    S.VERIFIED: [S.VERIFIED],
}


def move(app, number: str, officer_user: User, to: S, *, reason: str = "Berkas tidak lengkap") -> None:
    """Walk the application to ``to`` through workflow.transition, committing each step like casework does."""
    with app.app_context():
        actor = db.session.get(User, officer_user.id)
        for status in PATHS[to]:
            application = db.session.scalar(select(Application).where(Application.tracking_number == number))
            workflow.transition(application, status, actor=actor, reason=reason)
            db.session.commit()


@pytest.fixture
def finished(app, citizen, officer, demo) -> str:  # noqa: F811 (fixtures imported above)
    """A completed application of ``citizen``; returns its tracking number."""
    number = submit_application(app, citizen)
    move(app, number, officer, S.COMPLETED)
    return number
