"""Account recovery without a trip to Dukcapil: 10 one-time recovery codes, or a 6-digit code sent by e-mail.

Both are stored only as argon2id hashes, are single use, and sign the citizen in ONLY to register a new passkey
(a restricted session, see sessions.py). Nothing here reveals whether an e-mail address has an account: unknown
addresses get the same answer and roughly the same work (a dummy hash check).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import gettext as _
from sqlalchemy import select, update

from ..database import utcnow
from ..extensions import db
from . import mail
from .models import EmailCode, RecoveryCode, User

log = logging.getLogger(__name__)

RECOVERY_CODE_COUNT = 10
# No 0/O, 1/I/L: codes are copied by hand from paper.  31^10 ≈ 8·10^14 possibilities, plus rate limits.
RECOVERY_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
EMAIL_CODE_TTL = dt.timedelta(minutes=10)
EMAIL_CODE_MAX_ATTEMPTS = 5

# OWASP's minimum argon2id setting (19 MiB, t=2): the secrets are random, not passwords, so this is defence in
# depth for a leaked database, and a recovery attempt (≤ 10 checks) stays well under a second on a small server.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
_DUMMY_HASH = _hasher.hash("dummy-for-unknown-accounts")


def _verify(code_hash: str, code: str) -> bool:
    try:
        return _hasher.verify(code_hash, code)
    except (VerificationError, InvalidHashError):
        return False


def normalize_recovery_code(raw: str) -> str:
    """What people type: lower case, spaces, missing dashes. Stored form is ``ABCDEFGHJK`` (dashes are display)."""
    return "".join(ch for ch in raw.upper() if ch.isalnum())


def format_recovery_code(code: str) -> str:
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"


def issue_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with 10 new ones; returns them formatted (``ABCD-EFGH-JK``), once.

    Does not commit: part of the caller's transaction (sign-up, or "create new codes").
    """
    db.session.query(RecoveryCode).filter(RecoveryCode.user_id == user.id).delete()
    codes = []
    for _i in range(RECOVERY_CODE_COUNT):
        code = "".join(secrets.choice(RECOVERY_ALPHABET) for _j in range(10))
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_hasher.hash(code)))
        codes.append(format_recovery_code(code))
    return codes


def regenerate_recovery_codes(user: User) -> list[str]:
    codes = issue_recovery_codes(user)
    db.session.commit()
    log.info("recovery codes regenerated user=%s", user.id)
    return codes


def _live_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().lower(), User.deleted_at.is_(None)))


def use_recovery_code(email: str, raw_code: str) -> User | None:
    """The account whose unused recovery code this is (the code is then spent), or None — same for any failure."""
    user = _live_user_by_email(email)
    code = normalize_recovery_code(raw_code)
    if user is None:
        _verify(_DUMMY_HASH, code)
        log.info("recovery code refused: unknown address")
        return None
    rows = db.session.scalars(
        select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ).all()
    for row in rows:
        if _verify(row.code_hash, code):
            # Conditional update: two simultaneous uses of the same code cannot both succeed.
            spent = db.session.execute(
                update(RecoveryCode)
                .where(RecoveryCode.id == row.id, RecoveryCode.used_at.is_(None))
                .values(used_at=utcnow())
            ).rowcount
            db.session.commit()
            if spent:
                log.info("recovery code used user=%s", user.id)
                return user
            return None
    log.info("recovery code refused user=%s", user.id)
    return None


def send_email_code(email: str) -> None:
    """Send a 6-digit code to ``email`` if it belongs to an account. The caller answers the same either way."""
    user = _live_user_by_email(email)
    if user is None:
        _hasher.hash("000000")  # similar work, so timing does not tell either
        log.info("e-mail recovery code requested for an unknown address")
        return
    code = f"{secrets.randbelow(1_000_000):06d}"
    now = utcnow()
    # A new code replaces any earlier one: only the latest e-mail works.
    db.session.execute(
        update(EmailCode).where(EmailCode.user_id == user.id, EmailCode.used_at.is_(None)).values(used_at=now)
    )
    db.session.add(EmailCode(user_id=user.id, code_hash=_hasher.hash(code), expires_at=now + EMAIL_CODE_TTL))
    db.session.commit()
    # A failed delivery is logged by mail.send; the citizen gets the same answer as always and can ask again.
    with contextlib.suppress(mail.MailError):
        mail.send(
            to=user.email,
            subject=_("Your MPP Digital recovery code"),
            body=_(
                "Hello %(name)s,\n\n"
                "Your code to recover your MPP Digital account is: %(code)s\n\n"
                "It works once, for 10 minutes. Nobody from MPP will ever ask you for this code.\n"
                "If you did not ask for it, you can ignore this e-mail; your account stays safe.",
                name=user.display_name,
                code=code,
            ),
            what="recovery code",
        )


def use_email_code(email: str, raw_code: str) -> User | None:
    """The account when ``raw_code`` is its latest live e-mail code (then spent), else None.

    Each code allows 5 wrong tries, then it is void: with 10^6 codes and the rate limits on top, guessing
    is hopeless.
    """
    user = _live_user_by_email(email)
    code = "".join(ch for ch in raw_code if ch.isdigit())
    if user is None:
        _verify(_DUMMY_HASH, code)
        return None
    row = db.session.scalar(
        select(EmailCode)
        .where(EmailCode.user_id == user.id, EmailCode.used_at.is_(None), EmailCode.expires_at > utcnow())
        .order_by(EmailCode.id.desc())
    )
    if row is None:
        return None
    if _verify(row.code_hash, code):
        spent = db.session.execute(
            update(EmailCode).where(EmailCode.id == row.id, EmailCode.used_at.is_(None)).values(used_at=utcnow())
        ).rowcount
        db.session.commit()
        if spent:
            log.info("e-mail recovery code used user=%s", user.id)
            return user
        return None
    row.attempts += 1
    if row.attempts >= EMAIL_CODE_MAX_ATTEMPTS:
        row.used_at = utcnow()
        log.warning("e-mail recovery code voided after %s wrong tries user=%s", row.attempts, user.id)
    db.session.commit()
    return None
