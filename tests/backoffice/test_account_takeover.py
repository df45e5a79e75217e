"""Issue 9.1: an invitation only ever creates a NEW account; a lost staff account is reset by a national admin.

The attack, as found: an MPP admin of Batam invites an existing staff address of Kendari, opens the link it is
shown, enrols its OWN passkey and is signed in as the Kendari officer (or the Kendari admin). Every test here plays
that attacker over HTTP with a real (software) passkey, and then checks the victim's account is untouched.
"""

from __future__ import annotations

import datetime as dt
import secrets

import pytest
from sqlalchemy import func, select

from app.accounts.models import AuthSession, Passkey, RecoveryCode, Role, User
from app.backoffice.invitations import INVITATION_TTL, hash_token
from app.backoffice.models import AuditAction, AuditEntry, StaffAssignment, StaffInvitation
from app.catalog.models import Agency, Mpp
from app.database import utcnow
from app.extensions import db
from tests.helpers import PageClient

from ..accounts.authenticator import SoftAuthenticator
from ..accounts.flows import Flows
from .conftest import HOME_MPP, OTHER_MPP


def _id(app, model, slug):
    with app.app_context():
        return db.session.scalar(select(model.id).where(model.slug == slug))


def _path(link: str) -> str:
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


def _enrol(app, path: str, authenticator: SoftAuthenticator):
    """Open an invitation link in a fresh browser and enrol ``authenticator``'s new passkey with it."""
    browser = PageClient(app.test_client())
    flows = Flows(app, browser)
    page = browser.raw.get(path)
    options = flows.post_json(path + "/opsi")
    verify = None
    if options.status_code == 200:
        verify = flows.post_json(path + "/verifikasi", authenticator.create(options.get_json()))
    return browser, page, options, verify


def _enrolled_staff(app, make_staff, role: Role, *, agency="disdukcapil", name: str):
    """A staff member of Kendari who enrolled a real passkey; returns (user, their authenticator, their browser)."""
    user = make_staff(role, mpp=HOME_MPP, agency=agency if role == Role.OFFICER else None, name=name)
    authenticator = SoftAuthenticator(origin=app.config["PUBLIC_ORIGIN"])
    with app.app_context():
        token = secrets.token_urlsafe(32)
        account = db.session.get(User, user.id)
        db.session.add(
            StaffInvitation(
                token_hash=hash_token(token),
                email=account.email,
                display_name=account.display_name,
                role=role,
                mpp_id=_id(app, Mpp, HOME_MPP),
                expires_at=utcnow() + INVITATION_TTL,
                user_id=account.id,  # a reset-style invitation: the way a real account gets its first passkey here
                user_handle=account.webauthn_handle,
            )
        )
        db.session.commit()
    browser, _page, _options, verify = _enrol(app, f"/petugas/undangan/{token}", authenticator)
    assert verify.status_code == 200, verify.get_json()
    return user, authenticator, browser


def _snapshot(app, user_id: int) -> dict:
    with app.app_context():
        user = db.session.get(User, user_id)
        return {
            "role": user.role,
            "handle": user.webauthn_handle,
            "passkeys": sorted(db.session.scalars(select(Passkey.credential_id).where(Passkey.user_id == user_id))),
            "assignments": sorted(
                (a.role.value, a.mpp_id, a.agency_id)
                for a in db.session.scalars(select(StaffAssignment).where(StaffAssignment.user_id == user_id))
            ),
        }


@pytest.fixture
def batam_admin(app, make_staff, signed_in):
    client = PageClient(app.test_client())
    signed_in(client, make_staff(Role.MPP_ADMIN, mpp=OTHER_MPP, agency=None, name="Admin Batam"))
    return client


def _invite(client, app, *, email: str, role: str, agency: str | None = "disdukcapil"):
    return client.post(
        "/petugas/undangan",
        data={
            "nama": "Penyusup",
            "email": email,
            "peran": role,
            "mpp": str(_id(app, Mpp, OTHER_MPP)),
            "instansi": str(_id(app, Agency, agency)) if agency else "",
        },
    )


@pytest.mark.parametrize("role", [Role.OFFICER, Role.MPP_ADMIN])
def test_an_mpp_admin_cannot_invite_another_mpps_staff_address_and_the_victim_keeps_its_account(
    app, make_staff, batam_admin, role
):
    victim, _authenticator, _browser = _enrolled_staff(app, make_staff, role, name="Korban Kendari")
    before = _snapshot(app, victim.id)

    response = _invite(
        batam_admin,
        app,
        email=victim.email.upper(),
        role=role.value,
        agency="disdukcapil" if role == Role.OFFICER else None,
    )

    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "sudah memiliki akun petugas" in text  # the inviting admin is told why, in Indonesian
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(StaffInvitation)
                .where(StaffInvitation.email == victim.email, StaffInvitation.invited_by_id.is_not(None))
            )
            == 0
        )
    assert _snapshot(app, victim.id) == before


@pytest.mark.parametrize("role", [Role.OFFICER, Role.MPP_ADMIN])
def test_an_invitation_for_an_address_that_has_an_account_is_refused_at_enrolment_too(app, make_staff, role):
    """An invitation made before the rule (or before the address was registered) still cannot take the account."""
    victim, _authenticator, victim_browser = _enrolled_staff(app, make_staff, role, name="Korban Kendari")
    before = _snapshot(app, victim.id)
    batam = make_staff(Role.MPP_ADMIN, mpp=OTHER_MPP, agency=None, name="Admin Batam")
    token = secrets.token_urlsafe(32)
    with app.app_context():
        db.session.add(
            StaffInvitation(
                token_hash=hash_token(token),
                email=victim.email,
                display_name="Penyusup",
                role=role,
                mpp_id=_id(app, Mpp, OTHER_MPP),
                agency_id=_id(app, Agency, "disdukcapil") if role == Role.OFFICER else None,
                invited_by_id=batam.id,
                expires_at=utcnow() + INVITATION_TTL,
                user_handle=secrets.token_bytes(32),
            )
        )
        db.session.commit()
    attacker = SoftAuthenticator(origin=app.config["PUBLIC_ORIGIN"])
    browser, page, options, verify = _enrol(app, f"/petugas/undangan/{token}", attacker)

    assert page.status_code == 404 and "sudah memiliki akun" in page.get_data(as_text=True)
    assert options.status_code == 400 and verify is None
    assert browser.get("/petugas").status_code == 302  # not signed in as anyone
    assert browser.get(f"/admin/mpp/{HOME_MPP}").status_code in (302, 404)
    assert _snapshot(app, victim.id) == before
    assert victim_browser.get("/petugas").status_code == 200  # the victim is still signed in, nothing changed


def test_an_address_registered_after_the_invitation_was_made_cannot_be_claimed_with_it(app, make_staff, signed_in):
    """Two invitations for one new address: the first makes the account, the second link is then dead."""
    kendari = PageClient(app.test_client())
    signed_in(kendari, make_staff(Role.MPP_ADMIN, agency=None, name="Admin Kendari"))
    batam = PageClient(app.test_client())
    signed_in(batam, make_staff(Role.MPP_ADMIN, mpp=OTHER_MPP, agency=None, name="Admin Batam"))
    email = "baru@dukcapil.go.id"
    links = []
    for client, mpp in ((batam, OTHER_MPP), (kendari, HOME_MPP)):
        response = client.post(
            "/petugas/undangan",
            data={
                "nama": "Baru",
                "email": email,
                "peran": "petugas",
                "mpp": str(_id(app, Mpp, mpp)),
                "instansi": str(_id(app, Agency, "disdukcapil")),
            },
        )
        assert response.status_code == 303
        links.append(_path(client.get_page("/petugas/undangan").find(id="tautan-baru")["value"]))
    owner = SoftAuthenticator(origin=app.config["PUBLIC_ORIGIN"])
    assert _enrol(app, links[1], owner)[3].status_code == 200
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == email))
    before = _snapshot(app, user_id)
    _browser, page, options, verify = _enrol(app, links[0], SoftAuthenticator(origin=app.config["PUBLIC_ORIGIN"]))
    assert page.status_code == 404 and options.status_code == 400 and verify is None
    assert _snapshot(app, user_id) == before


# --- the reset ------------------------------------------------------------------------------------------------------


@pytest.fixture
def national_admin(app, make_staff, signed_in):
    client = PageClient(app.test_client())
    user = make_staff(Role.NATIONAL_ADMIN, mpp=None, agency=None, name="Admin Nasional")
    signed_in(client, user)
    client.user = user
    return client


def test_a_national_admin_resets_a_staff_account_revoking_every_passkey_and_session(app, make_staff, national_admin):
    victim, old_authenticator, old_browser = _enrolled_staff(app, make_staff, Role.OFFICER, name="Andi Petugas")
    before = _snapshot(app, victim.id)
    with app.app_context():
        db.session.add(RecoveryCode(user_id=victim.id, code_hash="x"))
        db.session.commit()
    assert old_browser.get("/petugas").status_code == 200

    response = national_admin.post("/petugas/undangan/atur-ulang", data={"email_reset": victim.email})

    assert response.status_code == 303
    page = national_admin.get_page("/petugas/undangan")
    assert "Andi Petugas" in page.get_text() and "diatur ulang" in page.get_text()
    link = page.find(id="tautan-baru")["value"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Passkey).where(Passkey.user_id == victim.id)) == 0
        assert (
            db.session.scalar(select(func.count()).select_from(RecoveryCode).where(RecoveryCode.user_id == victim.id))
            == 0
        )
        live = (
            select(func.count())
            .select_from(AuthSession)
            .where(AuthSession.user_id == victim.id, AuthSession.revoked_at.is_(None))
        )
        assert db.session.scalar(live) == 0
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == AuditAction.STAFF_RESET))
        assert entry.actor_name == "Admin Nasional" and entry.object_id == victim.id
    # The old browser and the old passkey are out.
    assert old_browser.get("/petugas").status_code == 302
    assert Flows(app, PageClient(app.test_client())).sign_in(old_authenticator).status_code == 400

    # The reset link enrols a new passkey on THAT account (same id, same assignments), once.
    new_authenticator = SoftAuthenticator(origin=app.config["PUBLIC_ORIGIN"])
    browser, _page, _options, verify = _enrol(app, _path(link), new_authenticator)
    assert verify.status_code == 200, verify.get_json()
    assert browser.get("/petugas").status_code == 200
    after = _snapshot(app, victim.id)
    assert after["assignments"] == before["assignments"] and after["handle"] == before["handle"]
    assert len(after["passkeys"]) == 1 and after["passkeys"] != before["passkeys"]
    signed_in_again = Flows(app, PageClient(app.test_client())).sign_in(new_authenticator)
    assert signed_in_again.status_code == 200 and signed_in_again.get_json()["redirect"] == "/petugas"
    assert _enrol(app, _path(link), SoftAuthenticator(origin=app.config["PUBLIC_ORIGIN"]))[3] is None  # used


def test_only_the_newest_reset_link_works(app, make_staff, national_admin):
    victim, _authenticator, _browser = _enrolled_staff(app, make_staff, Role.MPP_ADMIN, name="Admin Kendari")
    links = []
    for _round in range(2):
        assert (
            national_admin.post("/petugas/undangan/atur-ulang", data={"email_reset": victim.email}).status_code == 303
        )
        links.append(national_admin.get_page("/petugas/undangan").find(id="tautan-baru")["value"])
    first = _enrol(app, _path(links[0]), SoftAuthenticator(origin=app.config["PUBLIC_ORIGIN"]))
    assert first[1].status_code == 404 and "dibatalkan" in first[1].get_data(as_text=True)
    assert _enrol(app, _path(links[1]), SoftAuthenticator(origin=app.config["PUBLIC_ORIGIN"]))[3].status_code == 200


def test_an_mpp_admin_cannot_reset_an_account_not_even_at_its_own_mpp(app, make_staff, signed_in):
    victim, _authenticator, victim_browser = _enrolled_staff(app, make_staff, Role.OFFICER, name="Andi Petugas")
    before = _snapshot(app, victim.id)
    for mpp in (HOME_MPP, OTHER_MPP):
        admin = PageClient(app.test_client())
        signed_in(admin, make_staff(Role.MPP_ADMIN, mpp=mpp, agency=None, name=f"Admin {mpp}"))
        assert admin.post("/petugas/undangan/atur-ulang", data={"email_reset": victim.email}).status_code == 404
        assert "atur-ulang" not in admin.get("/petugas/undangan").get_data(as_text=True)  # no form offered either
    assert _snapshot(app, victim.id) == before
    assert victim_browser.get("/petugas").status_code == 200


@pytest.mark.parametrize(
    ("target", "message"),
    [("citizen", "Tidak ada akun petugas"), ("self", "akun Anda sendiri"), ("unknown", "Tidak ada akun petugas")],
)
def test_a_reset_of_a_citizen_an_unknown_address_or_oneself_is_refused_next_to_the_field(
    app, national_admin, citizen, target, message
):
    email = {"citizen": citizen.email, "self": national_admin.user.email, "unknown": "siapa@contoh.id"}[target]
    page = national_admin.post_page("/petugas/undangan/atur-ulang", data={"email_reset": email}, expected_status=422)
    assert message in page.find(id="f-email-reset-error").get_text()
    assert page.find(id="f-email-reset")["value"] == email
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(StaffInvitation)) == 0


def test_a_reset_needs_a_fresh_passkey_confirmation(app, make_staff, national_admin):
    victim, _authenticator, victim_browser = _enrolled_staff(app, make_staff, Role.OFFICER, name="Andi Petugas")
    with app.app_context():
        db.session.execute(
            AuthSession.__table__.update()
            .where(AuthSession.user_id == national_admin.user.id)
            .values(reauthenticated_at=utcnow() - dt.timedelta(minutes=6))
        )
        db.session.commit()
    response = national_admin.post("/petugas/undangan/atur-ulang", data={"email_reset": victim.email})
    assert response.status_code == 303 and response.headers["Location"].startswith("/akun/konfirmasi")
    assert victim_browser.get("/petugas").status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Passkey).where(Passkey.user_id == victim.id)) == 1
