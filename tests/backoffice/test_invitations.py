"""Staff invitations: created by admins within their scope, single use, expiring, enrolling a real passkey."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from app.accounts.models import Passkey, Role, User
from app.backoffice.models import AuditAction, AuditEntry, StaffAssignment, StaffInvitation
from app.catalog.models import Agency, Mpp
from app.database import utcnow
from app.extensions import db

from ..accounts.authenticator import SoftAuthenticator


def _ids(app, mpp="kota-kendari", agency="disdukcapil"):
    with app.app_context():
        return (
            db.session.scalar(select(Mpp.id).where(Mpp.slug == mpp)),
            db.session.scalar(select(Agency.id).where(Agency.slug == agency)),
        )


@pytest.fixture
def admin_client(client, make_staff, signed_in):
    signed_in(client, make_staff(Role.MPP_ADMIN, agency=None, name="Admin Kendari"))
    return client


def _invite(client, app, **overrides):
    mpp_id, agency_id = _ids(app)
    data = {
        "nama": "Rina Petugas",
        "email": "Rina@Dukcapil.Kendarikota.go.id",
        "peran": "petugas",
        "mpp": str(mpp_id),
        "instansi": str(agency_id),
        **overrides,
    }
    return client.post("/petugas/undangan", data=data)


def _link(client) -> str:
    soup = client.get_page("/petugas/undangan")
    return soup.find(id="tautan-baru")["value"]


def test_an_mpp_admin_invites_an_officer_and_the_link_is_shown_once(app, admin_client):
    response = _invite(admin_client, app)
    assert response.status_code == 303
    link = _link(admin_client)
    assert re.search(r"/petugas/undangan/[A-Za-z0-9_-]{40,}$", link)
    assert admin_client.get_page("/petugas/undangan").find(id="tautan-baru") is None  # shown once
    with app.app_context():
        invitation = db.session.scalar(select(StaffInvitation))
        assert invitation.email == "rina@dukcapil.kendarikota.go.id"
        assert link.rsplit("/", 1)[1] not in invitation.token_hash  # only the hash is stored
        assert invitation.expires_at - utcnow() > dt.timedelta(hours=71)
        entry = db.session.scalar(select(AuditEntry))
        assert entry.action == AuditAction.INVITATION_CREATED and entry.actor_name == "Admin Kendari"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"nama": ""}, "f-nama", "nama"),
        ({"email": "bukan-email"}, "f-email", "e-mail"),
        ({"peran": "admin_nasional"}, "f-peran", "peran"),
        ({"instansi": ""}, "f-instansi", "instansi"),
    ],
)
def test_bad_invitations_get_a_message_next_to_the_field_and_keep_what_was_typed(
    app, admin_client, overrides, field, message
):
    response = _invite(admin_client, app, **overrides)
    assert response.status_code == 422
    from tests.helpers import check_page

    soup = check_page(response.get_data(as_text=True))
    assert soup.find(id=field)["aria-invalid"] == "true"
    assert message in soup.find(id=f"{field}-error").get_text().lower()
    if "nama" not in overrides:
        assert soup.find(id="f-nama")["value"] == "Rina Petugas"


def test_an_mpp_admin_cannot_invite_for_another_mpp(app, admin_client):
    other_mpp, _agency = _ids(app, mpp="kota-batam")
    response = _invite(admin_client, app, mpp=str(other_mpp))
    assert response.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(StaffInvitation)) == 0


def test_an_agency_without_a_counter_at_the_mpp_is_refused(app, admin_client):
    _mpp, agency = _ids(app, agency="bp-batam")
    assert _invite(admin_client, app, instansi=str(agency)).status_code == 422


def test_a_citizen_account_email_cannot_be_invited(app, admin_client, citizen):
    response = _invite(admin_client, app, email=citizen.email)
    assert response.status_code == 422
    assert "akun warga" in response.get_data(as_text=True).lower()


def _enrol(app, client, link, authenticator):
    from ..accounts.flows import Flows

    path = link.split("localhost", 1)[1].split("/", 1)[1]
    path = "/" + path
    flows = Flows(app, client)
    page = client.raw.get(path)
    options = flows.post_json(path + "/opsi")
    if options.status_code != 200:
        return page, options
    return page, flows.post_json(path + "/verifikasi", authenticator.create(options.get_json()))


def test_the_invitee_enrols_a_passkey_becomes_staff_and_lands_on_the_inbox(app, admin_client, demo):
    _invite(admin_client, app)
    link = _link(admin_client)
    from tests.helpers import PageClient

    invitee = PageClient(app.test_client())
    authenticator = SoftAuthenticator(origin=app.config["PUBLIC_ORIGIN"])
    page, response = _enrol(app, invitee, link, authenticator)
    assert page.status_code == 200
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["redirect"] == "/petugas"
    assert invitee.get("/petugas").status_code == 200  # signed in as staff
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "rina@dukcapil.kendarikota.go.id"))
        assert user.role == Role.OFFICER
        assert db.session.scalar(select(func.count()).select_from(Passkey).where(Passkey.user_id == user.id)) == 1
        assignment = db.session.scalar(select(StaffAssignment).where(StaffAssignment.user_id == user.id))
        assert (assignment.mpp.slug, assignment.agency.slug) == ("kota-kendari", "disdukcapil")
        assert db.session.scalar(select(StaffInvitation)).used_at is not None
        assert any(e.action == AuditAction.STAFF_ENROLLED for e in db.session.scalars(select(AuditEntry)))

    # Reused: a clear message, and no second account or passkey.
    again = PageClient(app.test_client())
    page, response = _enrol(app, again, link, SoftAuthenticator(origin=app.config["PUBLIC_ORIGIN"]))
    assert page.status_code == 404
    assert "sudah digunakan" in page.get_data(as_text=True)
    assert response.status_code == 400 and "sudah digunakan" in response.get_json()["error"]

    # Later the officer signs in at /masuk like everyone and lands on the inbox.
    from ..accounts.flows import Flows

    fresh = PageClient(app.test_client())
    result = Flows(app, fresh).sign_in(authenticator)
    assert result.status_code == 200 and result.get_json()["redirect"] == "/petugas"


def test_an_expired_invitation_says_so(app, admin_client):
    _invite(admin_client, app)
    link = _link(admin_client)
    with app.app_context():
        invitation = db.session.scalar(select(StaffInvitation))
        invitation.expires_at = utcnow() - dt.timedelta(minutes=1)
        db.session.commit()
    from tests.helpers import PageClient

    page, response = _enrol(
        app, PageClient(app.test_client()), link, SoftAuthenticator(origin=app.config["PUBLIC_ORIGIN"])
    )
    assert page.status_code == 404 and "kedaluwarsa" in page.get_data(as_text=True)
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User).where(User.role == Role.OFFICER)) == 0


def test_an_unknown_token_is_a_plain_message(client, demo):
    page = client.get("/petugas/undangan/bukan-token-yang-benar")
    assert page.status_code == 404
    assert "tidak valid" in page.get_data(as_text=True)


def test_a_challenge_is_single_use_and_bound_to_the_browser(app, admin_client):
    from tests.helpers import PageClient

    from ..accounts.flows import Flows

    _invite(admin_client, app)
    path = "/" + _link(admin_client).split("localhost", 1)[1].split("/", 1)[1]
    alice, mallory = PageClient(app.test_client()), PageClient(app.test_client())
    options = Flows(app, alice).post_json(path + "/opsi").get_json()
    credential = SoftAuthenticator(origin=app.config["PUBLIC_ORIGIN"]).create(options)
    stolen = Flows(app, mallory).post_json(path + "/verifikasi", credential)
    assert stolen.status_code == 400  # another browser session: refused, and the challenge is gone
    replay = Flows(app, alice).post_json(path + "/verifikasi", credential)
    assert replay.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(StaffInvitation)).used_at is None


def test_cli_creates_the_first_national_admin_and_demo_invitations(app, runner, demo):
    result = runner.invoke(args=["staff", "create-admin", "--email", "admin@menpan.go.id", "--name", "Admin Nasional"])
    assert result.exit_code == 0, result.output
    assert re.search(r"http://localhost:\d+/petugas/undangan/\S{40,}", result.output)
    result = runner.invoke(args=["staff", "demo-invitations"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        invitations = list(db.session.scalars(select(StaffInvitation)))
        officers = [i for i in invitations if i.role == Role.OFFICER]
        mpp = db.session.scalar(select(Mpp).where(Mpp.slug == "kota-kendari"))
        assert {i.agency_id for i in officers} == {t.agency_id for t in mpp.tenancies}
        assert any(i.role == Role.MPP_ADMIN for i in invitations)
        assert any(i.role == Role.NATIONAL_ADMIN and i.mpp_id is None for i in invitations)
    assert result.output.count("/petugas/undangan/") == len(invitations) - 1
    bad = runner.invoke(args=["staff", "create-admin", "--email", "bukan", "--name", "X"])
    assert bad.exit_code != 0
