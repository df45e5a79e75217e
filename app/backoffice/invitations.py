"""Staff join through invitations: a single-use, expiring link that enrols the new staff member's passkey.

1. An admin (or ``flask staff create-admin`` for the first national admin) creates the invitation: e-mail, name,
   role, MPP and agency. A random token goes into the link; only its SHA-256 is stored.
2. The invitee opens ``/petugas/undangan/<token>``: the page checks the token (unknown, expired, used, revoked each
   get a plain message) and offers "Buat passkey".
3. Options: a fresh challenge is stored on the invitation row, bound to this browser session, for 5 minutes.
4. Verification: the challenge is consumed (single use, even when what follows fails), the passkey verified by
   accounts/passkeys.py (the only module that speaks WebAuthn), and in ONE transaction the NEW account, its passkey,
   the assignment and the audit entry are written and the invitation is claimed with a conditional UPDATE — so two
   tabs racing with one link make one account.

An invitation only ever creates a NEW account. Whoever holds an invitation link enrols *their own* passkey, so an
invitation for an address that already has an account (staff or citizen) would hand that account to the holder of
the link: an MPP admin of Batam could take over a Kendari officer. Such invitations are refused when created and,
should the address have been registered meanwhile, again when the link is used. Staff use work accounts of their
own for the same reason a citizen address is refused: an officer must not approve applications from the account
they file their own with.

A staff member adds a device while signed in (/akun/passkey, like every account). One who lost every passkey is
RESET by a national admin (``reset_staff_account``): every old passkey, recovery code and session is revoked, and
a fresh single-use invitation is issued for that same account (``StaffInvitation.user_id`` set from the start).
Only such an invitation adds a passkey to an existing account, and only to the account named on it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..accounts import ceremonies, passkeys
from ..accounts.ceremonies import session_binding
from ..accounts.forms import EMAIL_PATTERN
from ..accounts.models import Role, User
from ..accounts.passkeys import ChallengeError, PasskeyError
from ..catalog.models import Agency, Mpp, Tenancy
from ..database import utcnow
from ..errors import UserFacingError
from ..extensions import db
from ..pagination import Page, paginate
from . import audit
from .models import AuditAction, StaffAssignment, StaffInvitation, StaffRole
from .scope import Scope

log = logging.getLogger(__name__)

INVITATION_TTL = dt.timedelta(hours=72)
CHALLENGE_TTL = dt.timedelta(minutes=5)
NAME_MAX = 120
INVITATIONS_PAGE_SIZE = 25

ROLE_LABELS = {
    Role.OFFICER: _l("Officer"),
    Role.MPP_ADMIN: _l("MPP administrator"),
    Role.NATIONAL_ADMIN: _l("National administrator"),
    Role.FRONT_DESK: _l("Front-desk officer"),
}

MSG_NAME = _l("Enter the staff member's full name (at most 120 characters).")
MSG_EMAIL = _l("Enter an e-mail address like nama@contoh.id.")
MSG_ROLE = _l("Choose a role you may give.")
MSG_MPP = _l("Choose an MPP you administer.")
MSG_AGENCY = _l("Choose the agency this officer works for; it must have a counter at the chosen MPP.")
MSG_CITIZEN_EMAIL = _l(
    "This e-mail address belongs to a citizen account. Staff need a separate work account: use a work e-mail address."
)
MSG_STAFF_EMAIL = _l(
    "This e-mail address already has a staff account. An invitation only creates a new account: the staff member "
    "adds a passkey themselves while signed in, or a national administrator resets the account."
)
MSG_ACCOUNT_EXISTS = _l(
    "This invitation cannot be used: the e-mail address already has an account. Sign in with your passkey, or ask "
    "a national administrator to reset your account."
)
MSG_RESET_UNKNOWN = _l("No staff account has this e-mail address.")
MSG_RESET_SELF = _l("You cannot reset your own account. Ask another national administrator.")
MSG_INVALID = _l("This invitation link is not valid. Check that you copied the whole link, or ask for a new one.")
MSG_EXPIRED = _l("This invitation has expired. Ask your MPP administrator for a new invitation.")
MSG_USED = _l("This invitation has already been used. Sign in with your passkey, or ask for a new invitation.")
MSG_REVOKED = _l("This invitation was withdrawn. Ask your MPP administrator for a new invitation.")


class InvitationInvalid(Exception):
    def __init__(self, errors: dict[str, object]) -> None:
        super().__init__(", ".join(errors))
        self.errors = errors


class InvitationUnusable(UserFacingError):
    """Unknown, expired, used or withdrawn: ``message`` says which, plainly."""


@dataclass(frozen=True)
class InvitationRequest:
    email: str
    display_name: str
    role: str
    mpp_id: int | None
    agency_id: int | None


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- creating ------------------------------------------------------------------------------------------------------


def roles_for(scope: Scope | None) -> list[Role]:
    """The roles this inviter may give (None = the command line, creating the first national admin)."""
    if scope is None or scope.national:
        return [Role.OFFICER, Role.MPP_ADMIN, Role.FRONT_DESK, Role.NATIONAL_ADMIN]
    if scope.admin_mpps:
        return [Role.OFFICER, Role.MPP_ADMIN, Role.FRONT_DESK]
    return []


def mpps_for(scope: Scope | None) -> list[Mpp]:
    query = select(Mpp).order_by(Mpp.name)
    if scope is not None and not scope.national:
        query = query.where(Mpp.id.in_(sorted(scope.admin_mpps)))
    return list(db.session.scalars(query))


def agencies_at(mpp_ids: list[int]) -> list[Agency]:
    return list(
        db.session.scalars(
            select(Agency)
            .where(Agency.id.in_(select(Tenancy.agency_id).where(Tenancy.mpp_id.in_(mpp_ids))))
            .order_by(Agency.short_name)
        )
    )


def check_request(scope: Scope | None, raw: InvitationRequest) -> tuple[InvitationRequest, dict[str, object]]:
    """Normalise and check an invitation; returns the clean request and field errors (empty when valid)."""
    errors: dict[str, object] = {}
    email = (raw.email or "").strip().lower()
    name = " ".join((raw.display_name or "").split())
    if not name or len(name) > NAME_MAX:
        errors["display_name"] = MSG_NAME
    if not EMAIL_PATTERN.match(email) or len(email) > 254:
        errors["email"] = MSG_EMAIL
    role = Role(raw.role) if raw.role in {r.value for r in roles_for(scope)} else None
    if role is None:
        errors["role"] = MSG_ROLE
    mpp_id, agency_id = raw.mpp_id, raw.agency_id
    if role == Role.NATIONAL_ADMIN:
        mpp_id = agency_id = None
    elif role is not None:
        if mpp_id is None or mpp_id not in {mpp.id for mpp in mpps_for(scope)}:
            errors["mpp"] = MSG_MPP
        if role == Role.OFFICER:
            if agency_id is None or mpp_id is None or agency_id not in {a.id for a in agencies_at([mpp_id])}:
                errors["agency"] = MSG_AGENCY
        else:
            agency_id = None
    if "email" not in errors:
        existing = db.session.scalar(select(User).where(User.email == email))
        if existing is not None:  # whatever its role or MPP: an invitation never reaches an existing account
            errors["email"] = MSG_CITIZEN_EMAIL if existing.role == Role.CITIZEN else MSG_STAFF_EMAIL
    clean = InvitationRequest(
        email=email, display_name=name, role=role.value if role else "", mpp_id=mpp_id, agency_id=agency_id
    )
    return clean, errors


def create_invitation(scope: Scope | None, raw: InvitationRequest) -> tuple[StaffInvitation, str]:
    """Create an invitation; returns it and the token (shown once, in the link). Raises InvitationInvalid."""
    clean, errors = check_request(scope, raw)
    if errors:
        raise InvitationInvalid(errors)
    token = secrets.token_urlsafe(32)
    invitation = StaffInvitation(
        token_hash=hash_token(token),
        email=clean.email,
        display_name=clean.display_name,
        role=Role(clean.role),
        mpp_id=clean.mpp_id,
        agency_id=clean.agency_id,
        invited_by_id=scope.user.id if scope is not None else None,
        expires_at=utcnow() + INVITATION_TTL,
        user_handle=secrets.token_bytes(32),
    )
    db.session.add(invitation)
    db.session.flush()
    if scope is not None:
        audit.record(
            actor=scope.user,
            action=AuditAction.INVITATION_CREATED,
            mpp_id=clean.mpp_id,
            object_type="invitation",
            object_id=invitation.id,
            reason=f"{clean.role}: {clean.email}",
        )
    db.session.commit()
    return invitation, token


def invitations_for(scope: Scope, *, page: int = 1) -> Page[StaffInvitation]:
    """One page of the invitations this admin sent or may see, newest first, with the agency and MPP each shows."""
    query = (
        select(StaffInvitation)
        .options(selectinload(StaffInvitation.agency), selectinload(StaffInvitation.mpp))
        .order_by(StaffInvitation.created_at.desc(), StaffInvitation.id.desc())
    )
    if not scope.national:
        query = query.where(StaffInvitation.mpp_id.in_(sorted(scope.admin_mpps)))
    return paginate(query, number=page, size=INVITATIONS_PAGE_SIZE)


def state_of(invitation: StaffInvitation, now: dt.datetime | None = None) -> str:
    now = now or utcnow()
    if invitation.used_at is not None:
        return "used"
    if invitation.revoked_at is not None:
        return "revoked"
    if invitation.expires_at <= now:
        return "expired"
    return "open"


# --- accepting -----------------------------------------------------------------------------------------------------


def usable_invitation(token: str) -> StaffInvitation:
    """The invitation of ``token`` if it can still be used; else InvitationUnusable with the reason."""
    if not token or len(token) > 100:
        raise InvitationUnusable(MSG_INVALID)
    invitation = db.session.scalar(select(StaffInvitation).where(StaffInvitation.token_hash == hash_token(token)))
    if invitation is None:
        raise InvitationUnusable(MSG_INVALID)
    state = state_of(invitation)
    if state != "open":
        raise InvitationUnusable({"used": MSG_USED, "revoked": MSG_REVOKED, "expired": MSG_EXPIRED}[state])
    _account_to_enrol(invitation)
    return invitation


def _account_to_enrol(invitation: StaffInvitation) -> User | None:
    """The existing account a RESET invitation enrols into, or None for a new-account invitation.

    Raises InvitationUnusable when the address has an account the invitation does not name (registered after
    the invitation was made, or an invitation from before this rule), or when a reset's account changed since.
    """
    holder = db.session.scalar(select(User).where(User.email == invitation.email))
    if invitation.user_id is None:
        if holder is not None:
            raise InvitationUnusable(MSG_ACCOUNT_EXISTS)
        return None
    if (
        holder is None
        or holder.id != invitation.user_id
        or holder.deleted_at is not None
        or holder.role != invitation.role
        or holder.webauthn_handle != invitation.user_handle
    ):
        raise InvitationUnusable(MSG_INVALID)
    return holder


def enrolment_options(token: str) -> str:
    """Creation options for the invitee's passkey; each call issues a new single-use challenge."""
    invitation = usable_invitation(token)
    challenge = secrets.token_bytes(32)
    invitation.challenge = challenge
    invitation.challenge_binding = session_binding()
    invitation.challenge_expires_at = utcnow() + CHALLENGE_TTL
    db.session.commit()
    return passkeys.registration_options(
        challenge=challenge,
        user_handle=invitation.user_handle,
        user_name=invitation.email,
        display_name=invitation.display_name,
        exclude=[],  # a new account has no passkey yet, and a reset has just removed every one
    )


def _consume_challenge(invitation: StaffInvitation, credential: dict) -> bytes:
    """Take the pending challenge off the invitation (committed at once: single use, success or failure)."""
    answered = passkeys.client_challenge(credential)
    stored, binding, expires = invitation.challenge, invitation.challenge_binding, invitation.challenge_expires_at
    invitation.challenge = invitation.challenge_binding = invitation.challenge_expires_at = None
    db.session.commit()
    if stored is None or not secrets.compare_digest(stored, answered):
        raise ChallengeError("invitation: challenge unknown or already used")
    if binding != session_binding():
        raise ChallengeError("invitation: challenge issued to another browser session")
    if expires is None or expires <= utcnow():
        raise ChallengeError("invitation: challenge expired")
    return stored


def finish_enrolment(token: str, credential: dict) -> User:
    """Verify the new passkey and create the staff account, passkey and assignment; returns the user to sign in."""
    invitation = usable_invitation(token)
    try:
        challenge = _consume_challenge(invitation, credential)
        registered = ceremonies.verify_new_credential(credential, challenge, "invitation")
    except PasskeyError as error:
        log.warning("staff enrolment refused invitation=%s: %s", invitation.id, error.reason)
        raise
    user = _account_to_enrol(invitation)  # checked again: the address may have been registered meanwhile
    resetting = user is not None
    if user is None:
        user = User(
            webauthn_handle=invitation.user_handle,
            display_name=invitation.display_name,
            email=invitation.email,
            role=invitation.role,
        )
        db.session.add(user)
        db.session.flush()
    db.session.add(ceremonies.new_passkey(user, registered, name=f"Passkey petugas {utcnow():%Y-%m-%d}"))
    if invitation.role != Role.NATIONAL_ADMIN and not resetting:  # a reset keeps the assignments it had
        already = db.session.scalar(
            select(StaffAssignment.id).where(
                StaffAssignment.user_id == user.id,
                StaffAssignment.mpp_id == invitation.mpp_id,
                StaffAssignment.agency_id.is_(None)
                if invitation.agency_id is None
                else StaffAssignment.agency_id == invitation.agency_id,
            )
        )
        if already is None:
            db.session.add(
                StaffAssignment(
                    user_id=user.id,
                    role=StaffRole(invitation.role.value),
                    agency_id=invitation.agency_id,
                    mpp_id=invitation.mpp_id,
                    created_by_id=invitation.invited_by_id,
                )
            )
    claimed = db.session.execute(
        update(StaffInvitation)
        .where(StaffInvitation.id == invitation.id, StaffInvitation.used_at.is_(None))
        .values(used_at=utcnow(), user_id=user.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        db.session.rollback()
        raise InvitationUnusable(MSG_USED)
    audit.record(
        actor=user,
        action=AuditAction.STAFF_ENROLLED,
        mpp_id=invitation.mpp_id,
        object_type="invitation",
        object_id=invitation.id,
        reason=f"{invitation.role.value} (reset)" if resetting else invitation.role.value,
    )
    try:
        db.session.commit()
    except IntegrityError as error:  # the same link finished twice at once, or the e-mail taken meanwhile
        db.session.rollback()
        raise InvitationUnusable(MSG_USED) from error
    log.info("staff enrolled user=%s invitation=%s role=%s", user.id, invitation.id, invitation.role.value)
    return user


# --- resetting a staff account -------------------------------------------------------------------------------------


def reset_staff_account(scope: Scope, email: str) -> tuple[StaffInvitation, str]:
    """A national admin resets a staff account whose owner lost every passkey; returns the new invitation and token.

    1. Only a national admin may (every staff account is in their scope; an MPP admin's scope is one MPP, and
       resetting is exactly the power to decide who holds an account, so it stays at the national level).
    2. In ONE transaction: every passkey, recovery code, e-mail code and pending challenge of the account is
       deleted and every session revoked (whoever held the old devices is out at once); other open invitations
       for the address are withdrawn; a fresh invitation names this very account (``user_id``, same user handle,
       same role), so its link can only ever add a passkey to it; and the reset is written to the audit log.
    3. The link is shown once to the admin, who hands it to the staff member through a channel they trust.

    Raises InvitationInvalid with a message for the ``reset_email`` field.
    """
    if not scope.national:
        raise InvitationInvalid({"reset_email": MSG_ROLE})
    address = (email or "").strip().lower()[:254]
    user = db.session.scalar(select(User).where(User.email == address, User.deleted_at.is_(None)))
    if user is None or user.role == Role.CITIZEN:
        raise InvitationInvalid({"reset_email": MSG_RESET_UNKNOWN if EMAIL_PATTERN.match(address) else MSG_EMAIL})
    if user.id == scope.user.id:
        raise InvitationInvalid({"reset_email": MSG_RESET_SELF})
    from ..accounts.sessions import revoke_credentials  # accounts owns credentials and sessions

    removed = revoke_credentials(user)
    now = utcnow()
    db.session.execute(
        update(StaffInvitation)
        .where(
            StaffInvitation.email == address, StaffInvitation.used_at.is_(None), StaffInvitation.revoked_at.is_(None)
        )
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    assignment = db.session.scalar(
        select(StaffAssignment).where(StaffAssignment.user_id == user.id).order_by(StaffAssignment.id)
    )
    token = secrets.token_urlsafe(32)
    invitation = StaffInvitation(
        token_hash=hash_token(token),
        email=address,
        display_name=user.display_name,
        role=Role(user.role),
        mpp_id=assignment.mpp_id if assignment is not None else None,
        agency_id=assignment.agency_id if assignment is not None else None,
        invited_by_id=scope.user.id,
        expires_at=now + INVITATION_TTL,
        user_id=user.id,
        user_handle=user.webauthn_handle,
    )
    db.session.add(invitation)
    db.session.flush()
    audit.record(
        actor=scope.user,
        action=AuditAction.STAFF_RESET,
        mpp_id=invitation.mpp_id,
        object_type="user",
        object_id=user.id,
        reason=f"{Role(user.role).value}: {address}; {removed} passkey",
    )
    db.session.commit()
    log.warning("staff account reset user=%s by=%s passkeys_removed=%s", user.id, scope.user.id, removed)
    return invitation, token
