"""Staff join through invitations: a single-use, expiring link that enrols the new staff member's passkey.

1. An admin (or ``flask staff create-admin`` for the first national admin) creates the invitation: e-mail, name,
   role, MPP and agency. A random token goes into the link; only its SHA-256 is stored.
2. The invitee opens ``/petugas/undangan/<token>``: the page checks the token (unknown, expired, used, revoked each
   get a plain message) and offers "Buat passkey".
3. Options: a fresh challenge is stored on the invitation row, bound to this browser session, for 5 minutes.
4. Verification: the challenge is consumed (single use, even when what follows fails), the passkey verified by
   accounts/passkeys.py (the only module that speaks WebAuthn), and in ONE transaction the account (or, for staff
   already enrolled elsewhere, the existing one), its passkey, the assignment and the audit entry are written and
   the invitation is claimed with a conditional UPDATE — so two tabs racing with one link make one account.

Staff use work accounts of their own: an address that already belongs to a citizen account cannot be invited
(an officer must not approve applications from the account they file their own with).
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

from ..accounts import passkeys
from ..accounts.ceremonies import session_binding
from ..accounts.forms import EMAIL_PATTERN
from ..accounts.models import Passkey, Role, User
from ..accounts.passkeys import ChallengeError, DuplicateCredentialError, PasskeyError
from ..catalog.models import Agency, Mpp, Tenancy
from ..database import utcnow
from ..extensions import db
from . import audit
from .models import AuditAction, StaffAssignment, StaffInvitation, StaffRole
from .scope import Scope

log = logging.getLogger(__name__)

INVITATION_TTL = dt.timedelta(hours=72)
CHALLENGE_TTL = dt.timedelta(minutes=5)
NAME_MAX = 120

ROLE_LABELS = {
    Role.OFFICER: _l("Officer"),
    Role.MPP_ADMIN: _l("MPP administrator"),
    Role.NATIONAL_ADMIN: _l("National administrator"),
}

MSG_NAME = _l("Enter the staff member's full name (at most 120 characters).")
MSG_EMAIL = _l("Enter an e-mail address like nama@contoh.id.")
MSG_ROLE = _l("Choose a role you may give.")
MSG_MPP = _l("Choose an MPP you administer.")
MSG_AGENCY = _l("Choose the agency this officer works for; it must have a counter at the chosen MPP.")
MSG_CITIZEN_EMAIL = _l(
    "This e-mail address belongs to a citizen account. Staff need a separate work account: use a work e-mail address."
)
MSG_OTHER_ROLE = _l("This e-mail address already belongs to a staff member with another role.")
MSG_INVALID = _l("This invitation link is not valid. Check that you copied the whole link, or ask for a new one.")
MSG_EXPIRED = _l("This invitation has expired. Ask your MPP administrator for a new invitation.")
MSG_USED = _l("This invitation has already been used. Sign in with your passkey, or ask for a new invitation.")
MSG_REVOKED = _l("This invitation was withdrawn. Ask your MPP administrator for a new invitation.")


class InvitationInvalid(Exception):
    def __init__(self, errors: dict[str, object]) -> None:
        super().__init__(", ".join(errors))
        self.errors = errors


class InvitationUnusable(Exception):
    """Unknown, expired, used or withdrawn: ``message`` says which, plainly."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


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
        return [Role.OFFICER, Role.MPP_ADMIN, Role.NATIONAL_ADMIN]
    if scope.admin_mpps:
        return [Role.OFFICER, Role.MPP_ADMIN]
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
        if existing is not None and existing.role == Role.CITIZEN:
            errors["email"] = MSG_CITIZEN_EMAIL
        elif existing is not None and role is not None and existing.role != role:
            errors["email"] = MSG_OTHER_ROLE
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
    existing = db.session.scalar(select(User).where(User.email == clean.email))
    invitation = StaffInvitation(
        token_hash=hash_token(token),
        email=clean.email,
        display_name=clean.display_name,
        role=Role(clean.role),
        mpp_id=clean.mpp_id,
        agency_id=clean.agency_id,
        invited_by_id=scope.user.id if scope is not None else None,
        expires_at=utcnow() + INVITATION_TTL,
        user_handle=existing.webauthn_handle if existing is not None else secrets.token_bytes(32),
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


def invitations_for(scope: Scope, *, limit: int = 100) -> list[StaffInvitation]:
    query = select(StaffInvitation).order_by(StaffInvitation.created_at.desc(), StaffInvitation.id.desc())
    if not scope.national:
        query = query.where(StaffInvitation.mpp_id.in_(sorted(scope.admin_mpps)))
    return list(db.session.scalars(query.limit(limit)))


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
    return invitation


def enrolment_options(token: str) -> str:
    """Creation options for the invitee's passkey; each call issues a new single-use challenge."""
    invitation = usable_invitation(token)
    challenge = secrets.token_bytes(32)
    invitation.challenge = challenge
    invitation.challenge_binding = session_binding()
    invitation.challenge_expires_at = utcnow() + CHALLENGE_TTL
    existing = db.session.scalar(select(User).where(User.email == invitation.email))
    exclude = []
    if existing is not None:
        exclude = list(db.session.scalars(select(Passkey.credential_id).where(Passkey.user_id == existing.id)))
    db.session.commit()
    return passkeys.registration_options(
        challenge=challenge,
        user_handle=invitation.user_handle,
        user_name=invitation.email,
        display_name=invitation.display_name,
        exclude=exclude,
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
        registered = passkeys.verify_registration(credential=credential, challenge=challenge)
        if db.session.scalar(select(Passkey.id).where(Passkey.credential_id == registered.credential_id)):
            raise DuplicateCredentialError("invitation: credential id already registered")
    except PasskeyError as error:
        log.warning("staff enrolment refused invitation=%s: %s", invitation.id, error.reason)
        raise
    user = db.session.scalar(select(User).where(User.email == invitation.email))
    if user is not None and user.role != invitation.role:
        raise InvitationUnusable(MSG_CITIZEN_EMAIL if user.role == Role.CITIZEN else MSG_OTHER_ROLE)
    if user is None:
        user = User(
            webauthn_handle=invitation.user_handle,
            display_name=invitation.display_name,
            email=invitation.email,
            role=invitation.role,
        )
        db.session.add(user)
        db.session.flush()
    db.session.add(
        Passkey(
            user_id=user.id,
            credential_id=registered.credential_id,
            public_key=registered.public_key,
            sign_count=registered.sign_count,
            transports=",".join(registered.transports)[:120],
            backed_up=registered.backed_up,
            device_type=registered.device_type,
            name=f"Passkey petugas {utcnow():%Y-%m-%d}",
        )
    )
    if invitation.role != Role.NATIONAL_ADMIN:
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
        reason=invitation.role.value,
    )
    try:
        db.session.commit()
    except IntegrityError as error:  # the same link finished twice at once, or the e-mail taken meanwhile
        db.session.rollback()
        raise InvitationUnusable(MSG_USED) from error
    log.info("staff enrolled user=%s invitation=%s role=%s", user.id, invitation.id, invitation.role.value)
    return user
