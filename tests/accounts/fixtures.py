"""Account fixtures shared by every capability's tests (imported into tests/conftest.py).

    def test_my_page_is_private(client, citizen, other_citizen, signed_in):
        signed_in(client, citizen)
        client.get_page("/akun/data")

`signed_in` signs a test client in WITHOUT a browser: it creates a real AuthSession row (what a passkey sign-in
creates) and puts its token into the client's Flask session, exactly where Flask-Login looks for it.
"""

from __future__ import annotations

import secrets

import pytest

from app.accounts.models import Role, User
from app.accounts.sessions import start_session
from app.extensions import db


@pytest.fixture
def make_user(app):
    """Factory: ``make_user(display_name="Siti", email=None, role=Role.CITIZEN, **fields) -> User`` (committed).

    The returned instance is detached from any session; use ``db.session.get(User, user.id)`` inside an app
    context to work with it in the database.
    """

    def factory(
        display_name: str = "Siti Rahayu", *, email: str | None = None, role: Role = Role.CITIZEN, **fields
    ) -> User:
        with app.app_context():
            user = User(
                webauthn_handle=secrets.token_bytes(32),
                display_name=display_name,
                email=email or f"warga-{secrets.token_hex(4)}@contoh.id",
                role=role,
                **fields,
            )
            db.session.add(user)
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
            return user

    return factory


@pytest.fixture
def citizen(make_user) -> User:
    return make_user("Siti Rahayu", email="siti@contoh.id")


@pytest.fixture
def other_citizen(make_user) -> User:
    return make_user("Budi Santoso", email="budi@contoh.id")


def sign_in_test_client(app, client, user: User, *, restricted: bool = False, method: str = "passkey") -> int:
    """Create a live session row for ``user`` and bind ``client`` to it; returns the AuthSession id."""
    with app.app_context():
        fresh = db.session.get(User, user.id)
        auth_session = start_session(fresh, user_agent="pytest", ip="127.0.0.1", restricted=restricted, method=method)
        db.session.commit()
        token, session_id = fresh.get_id(), auth_session.id
        db.session.remove()
    with client.session_transaction() as flask_session:
        flask_session.clear()
        flask_session["_user_id"] = token
        flask_session["_fresh"] = True
    return session_id


@pytest.fixture
def signed_in(app):
    """``signed_in(client, user, restricted=False) -> session id``: sign a test client in as ``user``."""

    def sign(client, user: User, **kwargs) -> int:
        return sign_in_test_client(app, client, user, **kwargs)

    return sign


@pytest.fixture
def signed_in_client(client, citizen, signed_in):
    """A test client signed in as ``citizen``."""
    signed_in(client, citizen)
    return client
