"""Server-side sessions: Flask-Login's user id is the token of a revocable `AuthSession` row.

Why server-side rows: a citizen signs in on a shared phone at the MPP or a warnet and walks away. The session must
(1) die by itself after a short idle time, (2) be listable and revocable from another device ("keluar dari semua
perangkat"), and (3) be rotated at every sign-in so a cookie planted before sign-in is worthless. A signed
cookie alone can do none of these.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from collections.abc import Callable
from functools import wraps

from flask import flash, has_request_context, jsonify, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from sqlalchemy import delete, select, update

from ..database import utcnow
from ..extensions import db, login_manager
from .models import AuthSession, EmailCode, Passkey, RecoveryCode, User, WebAuthnChallenge

log = logging.getLogger(__name__)

login_manager.login_message = _l("Sign in to open this page.")
login_manager.login_message_category = "info"

# Idle timeout: 30 minutes. Many citizens share a phone with family or use one at the MPP's self-service corner
# or a warnet; a forgotten session must not stay open for the next person for long. 30 minutes still covers
# filling in a long application form (drafts are saved as they type).
IDLE_TIMEOUT = dt.timedelta(minutes=30)
# Absolute timeout: 12 hours — one working day at most, then a fresh passkey sign-in (one touch, no password).
ABSOLUTE_TIMEOUT = dt.timedelta(hours=12)
# A recovery sign-in exists only to register a new passkey; it does not need to last.
RESTRICTED_TIMEOUT = dt.timedelta(minutes=15)
# Adding or removing a passkey needs a passkey assertion this recent (sign-in counts).
REAUTH_WINDOW = dt.timedelta(minutes=5)
# last_seen_at is written at most this often, so that reading pages does not mean one UPDATE per request.
TOUCH_INTERVAL = dt.timedelta(seconds=60)

# Endpoints a restricted (recovery) session may use: the passkey page to register a new passkey, and sign-out.
RESTRICTED_ENDPOINTS = frozenset(
    {
        "accounts.passkeys",
        "accounts.add_passkey_options",
        "accounts.add_passkey_verify",
        "accounts.sign_out",
        "accounts.signed_out",
    }
)


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _attach(user: User, auth_session: AuthSession, token: str) -> User:
    user.auth_session = auth_session
    user._session_token = token
    return user


def start_session(
    user: User,
    *,
    user_agent: str | None,
    ip: str | None,
    method: str = "passkey",
    restricted: bool = False,
) -> AuthSession:
    """Create a new session row for ``user`` (not committed) and attach it to the instance.

    The raw token goes to the cookie (through ``user.get_id()``); the database keeps only its hash.
    """
    now = utcnow()
    token = secrets.token_urlsafe(32)
    auth_session = AuthSession(
        token_hash=_hash_token(token),
        user=user,
        created_at=now,
        last_seen_at=now,
        expires_at=now + (RESTRICTED_TIMEOUT if restricted else ABSOLUTE_TIMEOUT),
        reauthenticated_at=now,
        restricted=restricted,
        method=method,
        user_agent=(user_agent or "")[:255] or None,
        ip=(ip or "")[:45] or None,
    )
    db.session.add(auth_session)
    db.session.flush()
    _attach(user, auth_session, token)
    return auth_session


def sign_in(user: User, *, method: str = "passkey", restricted: bool = False) -> AuthSession:
    """Sign ``user`` in on this browser: rotate the Flask session, create a session row, commit.

    ``session.clear()`` first, so nothing from before the sign-in (a fixated cookie, a half-done ceremony)
    survives into the signed-in session.
    """
    session.clear()
    auth_session = start_session(
        user,
        user_agent=request.user_agent.string if has_request_context() else None,
        ip=request.remote_addr if has_request_context() else None,
        method=method,
        restricted=restricted,
    )
    db.session.commit()
    login_user(user, fresh=True)
    log.info("signed in user=%s session=%s method=%s", user.id, auth_session.id, method)
    return auth_session


def end_session(auth_session: AuthSession | None) -> None:
    """Revoke one session. Called for the current browser it also forgets the Flask session."""
    if auth_session is not None and auth_session.revoked_at is None:
        auth_session.revoked_at = utcnow()
        db.session.commit()
        log.info("signed out user=%s session=%s", auth_session.user_id, auth_session.id)
    token = session.get("_user_id") if has_request_context() else None
    if token and auth_session is not None and _hash_token(token) == auth_session.token_hash:
        logout_user()
        session.clear()


def end_all_sessions(user: User, *, except_session: AuthSession | None = None) -> int:
    """Revoke every live session of ``user`` (optionally keeping one); returns how many were ended."""
    stmt = (
        update(AuthSession)
        .where(AuthSession.user_id == user.id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    if except_session is not None:
        stmt = stmt.where(AuthSession.id != except_session.id)
    count = db.session.execute(stmt).rowcount
    db.session.commit()
    log.info("signed out everywhere user=%s sessions=%s", user.id, count)
    return count


def active_sessions(user: User) -> list[AuthSession]:
    now = utcnow()
    rows = db.session.scalars(
        select(AuthSession)
        .where(AuthSession.user_id == user.id, AuthSession.revoked_at.is_(None), AuthSession.expires_at > now)
        .order_by(AuthSession.last_seen_at.desc())
    ).all()
    return [row for row in rows if row.last_seen_at + IDLE_TIMEOUT > now]


def end_session_by_id(user: User, session_id: int) -> bool:
    """Revoke one of ``user``'s own sessions by its row id; another user's id is simply not found."""
    row = db.session.scalar(select(AuthSession).where(AuthSession.id == session_id, AuthSession.user_id == user.id))
    if row is None:
        return False
    end_session(row)
    return True


def is_recently_reauthenticated(auth_session: AuthSession) -> bool:
    if auth_session.restricted:
        return True  # the recovery sign-in itself just proved the recovery secret; its life is 15 minutes
    return auth_session.reauthenticated_at is not None and utcnow() - auth_session.reauthenticated_at < REAUTH_WINDOW


def mark_reauthenticated(auth_session: AuthSession) -> None:
    auth_session.reauthenticated_at = utcnow()
    db.session.commit()


# Marks a view wrapped by fresh_passkey_required, so a test can list every such endpoint from the URL map.
FRESH_PASSKEY_MARK = "requires_fresh_passkey"
MSG_CONFIRM_FIRST = _l("Confirm it is you with your passkey first.")


def fresh_passkey_required(back: str) -> Callable:
    """THE guard for destructive and credential-changing actions: a passkey assertion within REAUTH_WINDOW.

    A signed-in session alone is not enough for these: an unlocked phone left on an MPP counter, or a cookie
    copied off a shared warnet PC, must not be able to delete the account, make new recovery codes, add or
    remove passkeys, download all personal data or reset a colleague's account. Sign-in counts as a fresh check.

    ``back`` is the endpoint of the page the action lives on: a form request that is too old goes to the
    confirmation page, which returns there once the passkey has answered. A JSON request (the passkey
    ceremonies of static/js/passkeys.js) gets a 403 with ``reauthenticate: true``, and the script confirms and
    tries once more. Apply it under ``login_required`` (or ``staff_required``), so a current user exists.
    """

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if is_recently_reauthenticated(current_user.auth_session):
                return view(*args, **kwargs)
            log.info("stale session refused endpoint=%s user=%s", request.endpoint, current_user.id)
            if request.is_json or request.accept_mimetypes.best == "application/json":
                return jsonify(error=str(MSG_CONFIRM_FIRST), reauthenticate=True), 403
            flash(str(MSG_CONFIRM_FIRST), "warning")
            return redirect(url_for("accounts.confirm_identity", next=url_for(back)), code=303)

        setattr(wrapper, FRESH_PASSKEY_MARK, True)
        return wrapper

    return decorate


def revoke_credentials(user: User) -> int:
    """Sign ``user`` out everywhere and take away every way in: passkeys, recovery codes, e-mail codes, pending
    challenges. Session rows stay (revoked), as a record of where the account was open. Does not commit: the caller
    finishes its own change (a staff reset issues the new invitation) in the same transaction. Returns the number
    of passkeys removed.
    """
    db.session.execute(
        update(AuthSession)
        .where(AuthSession.user_id == user.id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    removed = db.session.execute(delete(Passkey).where(Passkey.user_id == user.id)).rowcount
    for model in (RecoveryCode, EmailCode, WebAuthnChallenge):
        db.session.execute(delete(model).where(model.user_id == user.id))
    return removed


def delete_account_credentials(user: User) -> None:
    """For account deletion (privacy): sign out everywhere and remove every credential of ``user``.

    Passkeys, recovery codes, e-mail codes, pending challenges and session rows are deleted. Does not commit:
    the caller deletes the rest of the account in the same transaction.
    """
    revoke_credentials(user)
    db.session.execute(delete(AuthSession).where(AuthSession.user_id == user.id))


def load_session(token: str) -> User | None:
    """The user of a live session token, with `auth_session` attached; None when revoked, idle or expired."""
    auth_session = db.session.scalar(select(AuthSession).where(AuthSession.token_hash == _hash_token(token)))
    if auth_session is None or auth_session.revoked_at is not None:
        return None
    now = utcnow()
    if now >= auth_session.expires_at or now - auth_session.last_seen_at >= IDLE_TIMEOUT:
        return None
    user = auth_session.user
    if user.deleted_at is not None:
        return None
    if now - auth_session.last_seen_at >= TOUCH_INTERVAL:
        auth_session.last_seen_at = now
        db.session.commit()
    return _attach(user, auth_session, token)


@login_manager.user_loader
def load_user(token: str) -> User | None:
    user = load_session(token)
    if user is None:
        return None
    # A recovery session is "signed in" only on the pages that register a new passkey. Elsewhere it is
    # anonymous, so Data Saya, Dokumen Saya and applications stay closed until a passkey exists again.
    if user.auth_session.restricted and has_request_context() and request.endpoint not in RESTRICTED_ENDPOINTS:
        return None
    return user


def describe_user_agent(user_agent: str | None) -> str:
    """A short, human label for the sessions list ("Chrome di Android"); not a fingerprint, just a reminder."""
    ua = user_agent or ""
    browser = next(
        (
            label
            for token, label in (
                ("SamsungBrowser", "Samsung Internet"),
                ("Edg/", "Edge"),
                ("OPR/", "Opera"),
                ("Firefox/", "Firefox"),
                ("Chrome/", "Chrome"),
                ("Safari/", "Safari"),
            )
            if token in ua
        ),
        None,
    )
    system = next(
        (
            label
            for token, label in (
                ("Android", "Android"),
                ("iPhone", "iPhone"),
                ("iPad", "iPad"),
                ("Windows", "Windows"),
                ("Mac OS X", "Mac"),
                ("CrOS", "ChromeOS"),
                ("Linux", "Linux"),
            )
            if token in ua
        ),
        None,
    )
    if browser and system:
        return _("%(browser)s on %(system)s", browser=browser, system=system)
    return browser or system or _("Unknown browser")
