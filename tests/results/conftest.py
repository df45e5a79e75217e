"""Results fixtures: the back office's staff and applications, and an application completed with a generated PDF."""

from __future__ import annotations

import pytest

from app.accounts.models import User
from app.backoffice import casework
from app.backoffice.scope import scope_of
from app.extensions import db

from ..backoffice.conftest import demo, make_staff, officer, submit_application  # noqa: F401


def complete(app, number: str, officer_user: User) -> None:
    """Verify, process and complete ``number`` as ``officer_user`` through the back office's use cases."""
    with app.app_context():
        user = db.session.get(User, officer_user.id)
        user.auth_session = "signed in"  # what the user loader sets for a request with a live session
        scope = scope_of(user)
        application = scope.find_application(number)
        casework.act(scope, application, "verifikasi", expected_version=application.version)
        casework.act(scope, application, "proses", expected_version=application.version)
        casework.complete_application(scope, application, expected_version=application.version, generate=True)
        db.session.remove()


@pytest.fixture
def completed(app, citizen, officer) -> str:  # noqa: F811
    number = submit_application(app, citizen)
    complete(app, number, officer)
    return number
