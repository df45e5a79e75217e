"""Issue 9.8: every destructive or credential-changing action needs a passkey check of the last 5 minutes.

One decorator (``sessions.fresh_passkey_required``) guards them all. The list below names every guarded endpoint
and how to call it; a test checks that the list and the decorated endpoints of the app are the same set, so a new
guarded action cannot go untested and a guard cannot silently disappear. Each is then called with a session whose
last passkey check is 6 minutes old (refused, nothing changed), and again after a real passkey confirmation
(allowed).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from app.accounts.models import AuthSession, Passkey, RecoveryCode, Role, User
from app.accounts.sessions import FRESH_PASSKEY_MARK
from app.database import utcnow
from app.extensions import db
from app.personal.privacy import DELETE_PHRASE
from tests.helpers import PageClient

from .authenticator import SoftAuthenticator
from .flows import Flows


@dataclass
class Actor:
    app: object
    client: PageClient
    flows: Flows
    authenticator: SoftAuthenticator
    user: User

    def passkey_id(self) -> int:
        with self.app.app_context():
            return db.session.scalar(select(Passkey.id).where(Passkey.user_id == self.user.id).order_by(Passkey.id))

    def make_stale(self) -> None:
        with self.app.app_context():
            db.session.execute(
                AuthSession.__table__.update()
                .where(AuthSession.user_id == self.user.id)
                .values(reauthenticated_at=utcnow() - dt.timedelta(minutes=6))
            )
            db.session.commit()

    def confirm_with_passkey(self) -> None:
        options = self.flows.post_json("/akun/passkey/konfirmasi/opsi").get_json()
        response = self.flows.post_json("/akun/passkey/konfirmasi", self.authenticator.get(options))
        assert response.status_code == 200, response.get_json()


def _add_passkey(actor: Actor):
    options = actor.flows.post_json("/akun/passkey/opsi")
    if options.status_code != 200:  # refused already at the options step: try the verify step on its own too
        return actor.flows.post_json("/akun/passkey/tambah", {"id": "x", "rawId": "x"})
    return actor.flows.post_json("/akun/passkey/tambah", actor.authenticator.create(options.get_json()))


def _passkeys(actor: Actor) -> int:
    with actor.app.app_context():
        return db.session.scalar(select(func.count()).select_from(Passkey).where(Passkey.user_id == actor.user.id))


def _passkey_name(actor: Actor) -> str:
    with actor.app.app_context():
        return db.session.get(Passkey, actor.passkey_id()).name


def _codes(actor: Actor) -> list[str]:
    with actor.app.app_context():
        return sorted(db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == actor.user.id)))


def _deleted(actor: Actor) -> bool:
    with actor.app.app_context():
        return db.session.get(User, actor.user.id).deleted_at is not None


def _target_passkeys(actor: Actor) -> int:
    with actor.app.app_context():
        target = db.session.scalar(select(User.id).where(User.email == "andi@dukcapil.go.id"))
        return db.session.scalar(select(func.count()).select_from(Passkey).where(Passkey.user_id == target))


@dataclass(frozen=True)
class Guarded:
    """One guarded action: how to perform it and what it changes (read before and after)."""

    call: object
    state: object
    staff: bool = False


def _pending_email(actor: Actor) -> str | None:
    from app.accounts.email_change import pending_address

    with actor.app.app_context():
        return pending_address(db.session.get(User, actor.user.id))


GUARDED = {
    "accounts.change_email": Guarded(lambda a: a.client.get("/akun/email"), lambda a: None),
    "accounts.request_email_change": Guarded(
        lambda a: a.client.post("/akun/email", data={"ce-email": "siti.baru@contoh.id"}), _pending_email
    ),
    "accounts.regenerate_recovery_codes": Guarded(lambda a: a.client.post("/akun/kode-pemulihan"), _codes),
    "accounts.add_passkey_options": Guarded(lambda a: a.flows.post_json("/akun/passkey/opsi"), lambda a: None),
    "accounts.add_passkey_verify": Guarded(_add_passkey, _passkeys),
    "accounts.rename_passkey": Guarded(
        lambda a: a.client.post(f"/akun/passkey/{a.passkey_id()}/nama", data={f"pk{a.passkey_id()}-name": "Baru"}),
        _passkey_name,
    ),
    "accounts.remove_passkey": Guarded(lambda a: a.client.post(f"/akun/passkey/{a.passkey_id()}/hapus"), _passkeys),
    "personal.export_data": Guarded(lambda a: a.client.get("/akun/privasi/ekspor"), lambda a: None),
    "personal.delete_account": Guarded(
        lambda a: a.client.post("/akun/privasi/hapus-akun", data={"confirmation": DELETE_PHRASE}), _deleted
    ),
    "backoffice.reset_staff_account": Guarded(
        lambda a: a.client.post("/petugas/undangan/atur-ulang", data={"email_reset": "andi@dukcapil.go.id"}),
        _target_passkeys,
        staff=True,
    ),
}


def test_the_list_names_every_endpoint_that_needs_a_fresh_confirmation(app):
    guarded = {endpoint for endpoint, view in app.view_functions.items() if getattr(view, FRESH_PASSKEY_MARK, False)}
    assert guarded == set(GUARDED)


def _refused(response) -> bool:
    if response.status_code == 403 and response.is_json:
        return response.get_json().get("reauthenticate") is True
    return response.status_code == 303 and response.headers["Location"].startswith("/akun/konfirmasi?next=")


@pytest.fixture
def actor_for(app, make_user, signed_in):
    def build(guarded: Guarded) -> Actor:
        if guarded.staff:
            user = make_user("Admin Nasional", email="nasional@menpan.go.id", role=Role.NATIONAL_ADMIN)
            target = make_user("Andi Petugas", email="andi@dukcapil.go.id", role=Role.OFFICER)
            target_client = PageClient(app.test_client())
            signed_in(target_client, target)
            _add_passkey(
                Actor(
                    app,
                    target_client,
                    Flows(app, target_client),
                    SoftAuthenticator(origin=app.config["PUBLIC_ORIGIN"]),
                    target,
                )
            )
        else:
            user = make_user("Siti Rahayu", email="siti@contoh.id")
        client = PageClient(app.test_client())
        signed_in(client, user)  # a fresh sign-in, as after a passkey sign-in
        actor = Actor(app, client, Flows(app, client), SoftAuthenticator(origin=app.config["PUBLIC_ORIGIN"]), user)
        # The account's own passkeys, added while the sign-in is fresh (the flow staff use for a second device too).
        # Two, so that removing one is not refused as "your last passkey".
        for _device in range(2):
            assert _add_passkey(actor).status_code == 200
        return actor

    return build


@pytest.mark.parametrize("endpoint", sorted(GUARDED))
def test_a_stale_session_is_refused_and_a_fresh_passkey_check_lets_the_action_through(actor_for, endpoint):
    guarded = GUARDED[endpoint]
    actor = actor_for(guarded)
    actor.make_stale()
    before = guarded.state(actor)

    refused = guarded.call(actor)

    assert _refused(refused), (refused.status_code, refused.headers.get("Location"))
    assert guarded.state(actor) == before  # nothing happened
    if not refused.is_json:  # a form: the confirmation page explains, and leads back to the page of the action
        page = actor.client.get_page(refused.headers["Location"])
        assert "Konfirmasi dulu" in page.get_text()
        assert page.find(attrs={"data-passkey": "reauthenticate"})["data-verify-url"].startswith(
            "/akun/passkey/konfirmasi?next=/"
        )

    actor.confirm_with_passkey()
    allowed = guarded.call(actor)

    assert not _refused(allowed) and allowed.status_code < 400, allowed.status_code
    if guarded.state(actor) is not None or before is not None:
        assert guarded.state(actor) != before


def test_the_confirmation_answers_with_the_page_to_go_back_to(app, actor_for):
    actor = actor_for(GUARDED["personal.delete_account"])
    actor.make_stale()
    options = actor.flows.post_json("/akun/passkey/konfirmasi/opsi").get_json()
    response = actor.flows.post_json("/akun/passkey/konfirmasi?next=/akun/privasi", actor.authenticator.get(options))
    assert response.get_json() == {"ok": True, "redirect": "/akun/privasi"}
    options = actor.flows.post_json("/akun/passkey/konfirmasi/opsi").get_json()
    evil = actor.flows.post_json("/akun/passkey/konfirmasi?next=//evil.example", actor.authenticator.get(options))
    assert evil.get_json() == {"ok": True}  # never an off-site redirect


def test_a_staff_member_adds_a_second_device_while_signed_in(app, make_user, signed_in):
    """Issue 9.1: a new device on a staff account comes from its owner's own signed-in session, not an invitation."""
    officer = make_user("Andi Petugas", email="andi@dukcapil.go.id", role=Role.OFFICER)
    client = PageClient(app.test_client())
    signed_in(client, officer)
    actor = Actor(app, client, Flows(app, client), SoftAuthenticator(origin=app.config["PUBLIC_ORIGIN"]), officer)
    assert _add_passkey(actor).status_code == 200
    assert _add_passkey(actor).status_code == 200
    assert _passkeys(actor) == 2
    client.get_page("/akun/passkey")
