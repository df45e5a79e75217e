"""Passkey use cases: sign up, sign in, add, confirm (re-authenticate), rename, remove.

Each function owns its transaction. Challenges are stored server-side, bound to the browser session that asked for
them (a random ``binding`` kept in the Flask session), expire after 5 minutes and are single use: the row is
deleted — and that deletion committed — on the first verification attempt, whether it succeeds or fails.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass

from flask import session
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from ..database import utcnow
from ..errors import UserFacingError
from ..extensions import db
from . import passkeys, recovery
from .models import ChallengePurpose, Passkey, RecoveryCode, User, WebAuthnChallenge
from .passkeys import (
    ChallengeError,
    DuplicateCredentialError,
    PasskeyError,
    UnknownCredentialError,
    UserHandleMismatchError,
)

log = logging.getLogger(__name__)

CHALLENGE_TTL = dt.timedelta(minutes=5)
# The sign-up form's answers wait this long for the passkey step (reading the explanation, finding the phone's
# screen-lock setting); each press of "Buat passkey" gets its own 5-minute challenge.
PENDING_SIGNUP_TTL = dt.timedelta(minutes=30)
BINDING_KEY = "webauthn_binding"


class SignUpError(UserFacingError):
    """The sign-up cannot continue (expired form, e-mail taken at the last moment)."""


class PasskeyRemovalError(UserFacingError):
    """The passkey cannot be removed (the account would be left without one); ``message`` says why."""


# --- challenge storage -------------------------------------------------------------------------------------------


def session_binding() -> str:
    """A random value tying challenges to this browser's session (created on first use)."""
    binding = session.get(BINDING_KEY)
    if not binding:
        binding = session[BINDING_KEY] = secrets.token_urlsafe(24)
    return binding


def _purge_expired() -> None:
    db.session.execute(delete(WebAuthnChallenge).where(WebAuthnChallenge.expires_at < utcnow()))


def _issue(purpose: ChallengePurpose, *, user_id: int | None = None) -> bytes:
    _purge_expired()
    challenge = secrets.token_bytes(32)
    db.session.add(
        WebAuthnChallenge(
            purpose=purpose,
            binding=session_binding(),
            challenge=challenge,
            user_id=user_id,
            expires_at=utcnow() + CHALLENGE_TTL,
        )
    )
    db.session.commit()
    return challenge


def _consume(purpose: ChallengePurpose, credential: dict, *, user_id: int | None = None) -> WebAuthnChallenge:
    """Find and DELETE the stored challenge this response answers; refuse when missing, foreign or expired."""
    challenge = passkeys.client_challenge(credential)
    row = db.session.scalar(
        select(WebAuthnChallenge).where(
            WebAuthnChallenge.purpose == purpose,
            WebAuthnChallenge.binding == session.get(BINDING_KEY, ""),
            WebAuthnChallenge.challenge == challenge,
        )
    )
    if row is None:
        raise ChallengeError(f"{purpose.value}: challenge unknown, already used (replay) or from another session")
    db.session.delete(row)
    db.session.commit()  # single use: gone before we even look at the signature
    if row.expires_at <= utcnow():
        raise ChallengeError(f"{purpose.value}: challenge expired at {row.expires_at.isoformat()}")
    if user_id is not None and row.user_id != user_id:
        raise ChallengeError(f"{purpose.value}: challenge issued to user {row.user_id}, answered by {user_id}")
    return row


def _log_refusal(what: str, error: PasskeyError) -> None:
    log.warning("passkey refused: %s: %s", what, error.reason)


# --- sign-up -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignUpDetails:
    display_name: str
    email: str
    phone: str | None
    purposes: list[str]
    # Where the citizen was going when sign-up started (e.g. a service's apply page), already checked with
    # ``security.safe_next``; kept with the pending answers so the e-mail and passkey steps cannot lose it.
    next_url: str = ""


def begin_sign_up(details: SignUpDetails) -> None:
    """Step 1 of sign-up: keep the answers server-side and e-mail a code to the address. No account row exists yet.

    The answer is the same for every address ("we have sent a code to …"); what the e-mail says differs (see
    ``recovery.send_sign_up_code``), so this page never tells anyone whether an address has an account.
    """
    _purge_expired()
    binding = session_binding()
    db.session.execute(
        delete(WebAuthnChallenge).where(
            WebAuthnChallenge.binding == binding, WebAuthnChallenge.purpose == ChallengePurpose.SIGN_UP
        )
    )
    db.session.add(
        WebAuthnChallenge(
            purpose=ChallengePurpose.SIGN_UP,
            binding=binding,
            challenge=None,
            payload={
                "display_name": details.display_name,
                "email": details.email,
                "phone": details.phone,
                "purposes": details.purposes,
                "next": details.next_url,
                # The WebAuthn user handle: 32 random bytes, never the NIK or the e-mail (authenticators sync it).
                "handle": secrets.token_hex(32),
                # Set by step 2, the code from the e-mail. The passkey step refuses to start before it.
                "email_verified": False,
            },
            expires_at=utcnow() + PENDING_SIGNUP_TTL,
        )
    )
    db.session.commit()
    recovery.send_sign_up_code(details.email, display_name=details.display_name)


def _pending_row() -> WebAuthnChallenge | None:
    binding = session.get(BINDING_KEY)
    if not binding:
        return None
    return db.session.scalar(
        select(WebAuthnChallenge)
        .where(
            WebAuthnChallenge.binding == binding,
            WebAuthnChallenge.purpose == ChallengePurpose.SIGN_UP,
            WebAuthnChallenge.challenge.is_(None),
            WebAuthnChallenge.expires_at > utcnow(),
        )
        .order_by(WebAuthnChallenge.id.desc())
    )


def pending_sign_up() -> dict | None:
    """This browser's sign-up answers (name, email, phone, purposes, next, email_verified), or None when expired."""
    row = _pending_row()
    return dict(row.payload) if row else None


def resend_sign_up_code() -> bool:
    """Send a fresh code for this browser's pending sign-up (same answer for every address); False when expired."""
    pending = pending_sign_up()
    if pending is None:
        return False
    recovery.send_sign_up_code(pending["email"], display_name=pending["display_name"])
    return True


def confirm_sign_up_email(raw_code: str) -> bool:
    """Step 2 of sign-up: the code from the e-mail proves the address; then the passkey step may start.

    Raises SignUpError when the pending sign-up has expired; returns False for a wrong, used or expired code.
    """
    row = _pending_row()
    if row is None:
        raise SignUpError(_l("Your sign-up form has expired. Please fill it in again."))
    if not recovery.use_sign_up_code(row.payload["email"], raw_code):
        return False
    row.payload = {**row.payload, "email_verified": True}  # a new dict: JSON columns do not track mutation
    db.session.commit()
    return True


def sign_up_options() -> str:
    """Creation options for the pending sign-up; each call issues a new single-use challenge."""
    pending = pending_sign_up()
    if pending is None:
        raise SignUpError(_l("Your sign-up form has expired. Please fill it in again."))
    if not pending.get("email_verified"):
        raise SignUpError(_l("Enter the code from the e-mail we sent you first."))
    challenge = secrets.token_bytes(32)
    db.session.add(
        WebAuthnChallenge(
            purpose=ChallengePurpose.SIGN_UP,
            binding=session_binding(),
            challenge=challenge,
            payload=pending,
            expires_at=utcnow() + CHALLENGE_TTL,
        )
    )
    db.session.commit()
    return passkeys.registration_options(
        challenge=challenge,
        user_handle=bytes.fromhex(pending["handle"]),
        user_name=pending["email"],
        display_name=pending["display_name"],
        exclude=[],
    )


def _email_taken(email: str) -> bool:
    return db.session.scalar(select(func.count()).select_from(User).where(User.email == email)) > 0


def finish_sign_up(credential: dict) -> tuple[User, list[str]]:
    """Verify the new passkey, then create the account, its passkey, consents and 10 recovery codes at once.

    Returns the user and the recovery codes in clear text (shown once, stored only as argon2 hashes).
    """
    try:
        row = _consume(ChallengePurpose.SIGN_UP, credential)
        details = row.payload
        registered = verify_new_credential(credential, row.challenge, "sign-up")
    except PasskeyError as error:
        _log_refusal("sign-up", error)
        raise
    if not details.get("email_verified"):
        raise SignUpError(_l("Enter the code from the e-mail we sent you first."))
    # Only the owner of the mailbox gets this far (a registered address never receives a sign-up code), so
    # saying the address is taken reveals nothing new. It happens when an account was made meanwhile.
    if _email_taken(details["email"]):
        raise SignUpError(
            _l("This e-mail address cannot be used for a new account. If it is yours, sign in or recover your account.")
        )
    user = User(
        webauthn_handle=bytes.fromhex(details["handle"]),
        display_name=details["display_name"],
        email=details["email"],
        phone=details.get("phone"),
    )
    db.session.add(user)
    db.session.flush()
    db.session.add(new_passkey(user, registered, name=_("My first passkey")))
    _record_consents(user, details.get("purposes") or [])
    codes = recovery.issue_recovery_codes(user)
    # Clear the pending form rows of this browser: the account exists now.
    db.session.execute(
        delete(WebAuthnChallenge).where(
            WebAuthnChallenge.binding == row.binding, WebAuthnChallenge.purpose == ChallengePurpose.SIGN_UP
        )
    )
    try:
        db.session.commit()
    except IntegrityError as error:  # two sign-ups racing for one e-mail or credential
        db.session.rollback()
        raise SignUpError(_l("This account could not be created. Please try again.")) from error
    log.info("signed up user=%s", user.id)
    return user, codes


def _record_consents(user: User, purposes: list[str]) -> None:
    # Consent rows belong to the privacy capability (UU 27/2022: consent per purpose, recorded with its time).
    try:
        from ..personal.privacy import record_signup_consents
    except ImportError:  # pragma: no cover - only while the privacy capability is not installed
        log.warning("sign-up consents not recorded: app.personal.privacy is missing")
        return
    record_signup_consents(user, purposes)


def verify_new_credential(credential: dict, challenge: bytes, what: str) -> passkeys.RegisteredCredential:
    """The new passkey's attestation, verified, and refused when its credential id is registered already (every way
    a passkey is created goes through here: sign-up, adding one, a staff invitation)."""
    registered = passkeys.verify_registration(credential=credential, challenge=challenge)
    if db.session.scalar(select(Passkey.id).where(Passkey.credential_id == registered.credential_id)):
        raise DuplicateCredentialError(f"{what}: credential id already registered")
    return registered


def new_passkey(user: User, registered: passkeys.RegisteredCredential, *, name: str) -> Passkey:
    """The Passkey row for a verified credential (not added to the session)."""
    return Passkey(
        user_id=user.id,
        credential_id=registered.credential_id,
        public_key=registered.public_key,
        sign_count=registered.sign_count,
        transports=",".join(registered.transports)[:120],
        backed_up=registered.backed_up,
        device_type=registered.device_type,
        name=name[:60],
    )


# --- sign-in and confirmation ------------------------------------------------------------------------------------


def sign_in_options() -> str:
    """Discoverable sign-in: an empty allow list, the phone offers whichever passkeys it has for this site."""
    return passkeys.authentication_options(challenge=_issue(ChallengePurpose.SIGN_IN))


def _verify_assertion(purpose: ChallengePurpose, credential: dict, *, user_id: int | None = None) -> Passkey:
    """Steps shared by sign-in and confirmation.

    1. consume the stored challenge (single use, even if what follows fails);
    2. map the credential id to OUR passkey row (py_webauthn does not know users);
    3. when the browser sent a userHandle, it must be the handle of that passkey's owner;
    4. verify signature, origin, RP ID and user verification;
    5. judge the signature counter: a non-zero counter that goes backwards flags the passkey (possible clone).
    """
    row = _consume(purpose, credential, user_id=user_id)
    credential_id = passkeys.credential_id_of(credential)
    passkey = db.session.scalar(select(Passkey).where(Passkey.credential_id == credential_id))
    if passkey is None:
        raise UnknownCredentialError(f"{purpose.value}: unknown credential id")
    owner = db.session.get(User, passkey.user_id)
    if owner is None or owner.deleted_at is not None:
        raise UnknownCredentialError(f"{purpose.value}: credential of a deleted account")
    if user_id is not None and passkey.user_id != user_id:
        raise UserHandleMismatchError(f"{purpose.value}: passkey of user {passkey.user_id} used by user {user_id}")
    handle = passkeys.user_handle_of(credential)
    if handle is not None and handle != owner.webauthn_handle:
        raise UserHandleMismatchError(f"{purpose.value}: userHandle does not match the credential's owner")
    verified = passkeys.verify_assertion(credential=credential, challenge=row.challenge, public_key=passkey.public_key)
    now = utcnow()
    if passkey.sign_count > 0 and verified.new_sign_count <= passkey.sign_count:
        passkey.flagged_at = passkey.flagged_at or now
        log.warning(
            "passkey sign count regressed passkey=%s stored=%s received=%s",
            passkey.id,
            passkey.sign_count,
            verified.new_sign_count,
        )
    else:
        passkey.sign_count = verified.new_sign_count
    passkey.last_used_at = now
    passkey.backed_up = verified.backed_up
    passkey.device_type = verified.device_type
    return passkey


def finish_sign_in(credential: dict) -> User:
    """Verify a discoverable assertion; returns the account to sign in (the caller calls ``sessions.sign_in``)."""
    try:
        passkey = _verify_assertion(ChallengePurpose.SIGN_IN, credential)
    except PasskeyError as error:
        _log_refusal("sign-in", error)
        raise
    db.session.commit()
    return db.session.get(User, passkey.user_id)


def reauthenticate_options(user: User) -> str:
    ids = [p.credential_id for p in user_passkeys(user)]
    return passkeys.authentication_options(
        challenge=_issue(ChallengePurpose.REAUTHENTICATE, user_id=user.id), allow=ids
    )


def finish_reauthenticate(user: User, credential: dict) -> None:
    """A fresh assertion with one of the user's OWN passkeys, recorded on the current session."""
    try:
        _verify_assertion(ChallengePurpose.REAUTHENTICATE, credential, user_id=user.id)
    except PasskeyError as error:
        _log_refusal("re-authentication", error)
        raise
    user.auth_session.reauthenticated_at = utcnow()
    db.session.commit()


# --- the passkeys page -------------------------------------------------------------------------------------------


def user_passkeys(user: User) -> list[Passkey]:
    return list(db.session.scalars(select(Passkey).where(Passkey.user_id == user.id).order_by(Passkey.created_at)))


def add_passkey_options(user: User) -> str:
    """Creation options that exclude the user's existing passkeys, so the same phone is not registered twice."""
    return passkeys.registration_options(
        challenge=_issue(ChallengePurpose.ADD_PASSKEY, user_id=user.id),
        user_handle=user.webauthn_handle,
        user_name=user.email,
        display_name=user.display_name,
        exclude=[p.credential_id for p in user_passkeys(user)],
    )


def finish_add_passkey(user: User, credential: dict) -> Passkey:
    try:
        row = _consume(ChallengePurpose.ADD_PASSKEY, credential, user_id=user.id)
        registered = verify_new_credential(credential, row.challenge, "add passkey")
    except PasskeyError as error:
        _log_refusal("add passkey", error)
        raise
    count = len(user_passkeys(user))
    passkey = new_passkey(user, registered, name=_("Passkey %(number)s", number=count + 1))
    db.session.add(passkey)
    try:
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        raise DuplicateCredentialError("add passkey: credential id registered concurrently") from error
    log.info("passkey added user=%s passkey=%s", user.id, passkey.id)
    return passkey


def _owned_passkey(user: User, passkey_id: int) -> Passkey | None:
    return db.session.scalar(select(Passkey).where(Passkey.id == passkey_id, Passkey.user_id == user.id))


def rename_passkey(user: User, passkey_id: int, name: str) -> bool:
    passkey = _owned_passkey(user, passkey_id)
    if passkey is None:
        return False
    passkey.name = name[:60]
    db.session.commit()
    return True


def unused_recovery_codes(user: User) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )


def remove_passkey(user: User, passkey_id: int) -> bool:
    """Remove one of the user's passkeys. The last one only while unused recovery codes remain — otherwise the
    citizen would be locked out with nothing but the e-mail code, which depends on an inbox they may have lost."""
    passkey = _owned_passkey(user, passkey_id)
    if passkey is None:
        return False
    if len(user_passkeys(user)) == 1 and unused_recovery_codes(user) == 0:
        raise PasskeyRemovalError(
            _l("This is your last passkey and you have no unused recovery codes. Create new recovery codes first.")
        )
    db.session.delete(passkey)
    db.session.commit()
    log.info("passkey removed user=%s passkey=%s", user.id, passkey_id)
    return True
