"""Account recovery without a trip to Dukcapil: 10 one-time recovery codes, or a 6-digit code sent by e-mail.

Both are stored only as argon2id hashes, are single use, and sign the citizen in ONLY to register a new passkey
(a restricted session, see sessions.py). Nothing here reveals whether an e-mail address has an account: unknown
addresses get the same answer and roughly the same work (a dummy hash check).

The same e-mail codes, with purpose ``SIGN_UP``, prove a new citizen's address at sign-up — before they rely on it
for recovery. There, too, a registered address gets the same answer and the same work; only the e-mail differs.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, select, update

from ..database import utcnow
from ..extensions import db
from . import mail
from .models import EmailCode, EmailCodePurpose, RecoveryCode, User

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
    """The account whose unused recovery code this is (the code is then spent), or None — same for any failure.

    Always exactly RECOVERY_CODE_COUNT argon2 verifications, whether the address has an account, how many of its
    codes are left, and where (or whether) the code matches: the unused hashes are checked, then dummy hashes of the
    same cost make up the rest, and a match does not stop the loop. Checking only the account's own hashes gave
    the address away by time alone (10 checks ≈ 260 ms for a registered address, 1 check ≈ 40 ms for an unknown
    one). tests/accounts/test_recovery_timing.py counts the verifications; bench/recovery_timing.py times them.
    """
    user = _live_user_by_email(email)
    code = normalize_recovery_code(raw_code)
    rows = []
    if user is not None:
        rows = db.session.scalars(
            select(RecoveryCode)
            .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
            .order_by(RecoveryCode.id)
            .limit(RECOVERY_CODE_COUNT)
        ).all()
    match = None
    for index in range(RECOVERY_CODE_COUNT):
        if index < len(rows):
            if _verify(rows[index].code_hash, code) and match is None:
                match = rows[index]
        else:
            _verify(_DUMMY_HASH, code)
    if user is None or match is None:
        log.info("recovery code refused%s", f" user={user.id}" if user is not None else ": unknown address")
        return None
    # Conditional update: two simultaneous uses of the same code cannot both succeed.
    spent = db.session.execute(
        update(RecoveryCode).where(RecoveryCode.id == match.id, RecoveryCode.used_at.is_(None)).values(used_at=utcnow())
    ).rowcount
    db.session.commit()
    if spent:
        log.info("recovery code used user=%s", user.id)
        return user
    return None


def _new_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def _digits(raw_code: str) -> str:
    return "".join(ch for ch in raw_code if ch.isdigit())


def _check_code(row: EmailCode | None, code: str, *, what: str) -> bool:
    """Judge ``code`` against a live e-mail code row: spend it when right, count the try when wrong.

    Each code allows 5 wrong tries, then it is void: with 10^6 codes and the rate limits on top, guessing is
    hopeless. Commits.
    """
    if row is None:
        _verify(_DUMMY_HASH, code)  # the same work as a real check
        return False
    if _verify(row.code_hash, code):
        # Conditional update: two simultaneous uses of the same code cannot both succeed.
        spent = db.session.execute(
            update(EmailCode).where(EmailCode.id == row.id, EmailCode.used_at.is_(None)).values(used_at=utcnow())
        ).rowcount
        db.session.commit()
        return bool(spent)
    # Counted in SQL, not read-modify-write, so parallel wrong guesses cannot share one try.
    tries = db.session.execute(
        update(EmailCode)
        .where(EmailCode.id == row.id)
        .values(attempts=EmailCode.attempts + 1)
        .returning(EmailCode.attempts)
    ).scalar_one()
    if tries >= EMAIL_CODE_MAX_ATTEMPTS:
        db.session.execute(
            update(EmailCode).where(EmailCode.id == row.id, EmailCode.used_at.is_(None)).values(used_at=utcnow())
        )
        log.warning("%s voided after %s wrong tries code=%s", what, tries, row.id)
    db.session.commit()
    return False


def _send_quietly(**message) -> None:
    """Queue the e-mail and commit it together with whatever the caller added (the code's row): both or neither.
    The job worker delivers it; a failed delivery is retried and logged, and the citizen gets the same answer as
    always and can ask again."""
    with contextlib.suppress(mail.MailError):
        mail.send(**message)
    db.session.commit()


def send_email_code(email: str) -> None:
    """Send a 6-digit code to ``email`` if it belongs to an account. The caller answers the same either way."""
    user = _live_user_by_email(email)
    if user is None:
        _hasher.hash("000000")  # similar work, so timing does not tell either
        log.info("e-mail recovery code requested for an unknown address")
        return
    code = _new_code()
    now = utcnow()
    # A new code replaces any earlier one: only the latest e-mail works.
    db.session.execute(
        update(EmailCode)
        .where(
            EmailCode.user_id == user.id,
            EmailCode.purpose == EmailCodePurpose.RECOVERY,
            EmailCode.used_at.is_(None),
        )
        .values(used_at=now)
    )
    db.session.add(
        EmailCode(
            purpose=EmailCodePurpose.RECOVERY,
            user_id=user.id,
            code_hash=_hasher.hash(code),
            expires_at=now + EMAIL_CODE_TTL,
        )
    )
    _send_quietly(
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
    """The account when ``raw_code`` is its latest live recovery e-mail code (then spent), else None."""
    user = _live_user_by_email(email)
    code = _digits(raw_code)
    row = None
    if user is not None:
        row = db.session.scalar(
            select(EmailCode)
            .where(
                EmailCode.user_id == user.id,
                EmailCode.purpose == EmailCodePurpose.RECOVERY,
                EmailCode.used_at.is_(None),
                EmailCode.expires_at > utcnow(),
            )
            .order_by(EmailCode.id.desc())
        )
    if not _check_code(row, code, what="e-mail recovery code"):
        return None
    log.info("e-mail recovery code used user=%s", user.id)
    return user


# --- sign-up: prove the address before the passkey step -------------------------------------------------------


def send_sign_up_code(email: str, *, display_name: str) -> None:
    """Step 1 of sign-up: e-mail a 6-digit code to a NEW address; tell a REGISTERED address someone tried.

    Enumeration-safe (GOV.UK's pattern): the caller answers "we have sent a code" either way, and the work is the
    same — one look-up, one argon2 hash, one row, one e-mail. For a registered address the row holds the hash of a
    code that is never sent, so whatever is typed is wrong, counted and throttled just like for a new address, and
    no second account can be made with someone else's address.
    """
    email = email.strip().lower()
    owner = _live_user_by_email(email)
    code = _new_code()
    now = utcnow()
    # Expired sign-up codes (an address typed by someone who never came back) are not kept.
    db.session.execute(
        delete(EmailCode).where(EmailCode.purpose == EmailCodePurpose.SIGN_UP, EmailCode.expires_at < now)
    )
    # A new code replaces any earlier one for this address: only the latest e-mail works.
    db.session.execute(
        update(EmailCode)
        .where(
            EmailCode.purpose == EmailCodePurpose.SIGN_UP,
            EmailCode.email == email,
            EmailCode.used_at.is_(None),
        )
        .values(used_at=now)
    )
    db.session.add(
        EmailCode(
            purpose=EmailCodePurpose.SIGN_UP,
            email=email,
            code_hash=_hasher.hash(code),
            expires_at=now + EMAIL_CODE_TTL,
        )
    )
    # Committed by _send_quietly with the e-mail, on both paths alike.
    if owner is None:
        log.info("sign-up code sent")
        _send_quietly(
            to=email,
            subject=_("Your MPP Digital sign-up code"),
            body=_(
                "Hello %(name)s,\n\n"
                "Your code to create your MPP Digital account is: %(code)s\n\n"
                "It works once, for 10 minutes. Nobody from MPP will ever ask you for this code.\n"
                "If you did not ask for it, you can ignore this e-mail; no account is made without it.",
                name=display_name,
                code=code,
            ),
            what="sign-up code",
        )
        return
    log.info("sign-up attempted with a registered address user=%s", owner.id)
    origin = current_app.config["PUBLIC_ORIGIN"].rstrip("/")
    _send_quietly(
        to=email,
        subject=_("Someone tried to create an MPP Digital account with your e-mail"),
        body=_(
            "Hello %(name)s,\n\n"
            "Someone tried to create a new MPP Digital account with this e-mail address. You already have an "
            "account with it, so we did not create a second one.\n\n"
            "If it was you: sign in with your passkey at %(sign_in)s\n"
            "Lost your phone or passkey? Recover your account with a recovery code or an e-mail code at "
            "%(recover)s\n\n"
            "If it was not you, you can ignore this e-mail; your account stays safe.",
            name=owner.display_name,
            sign_in=f"{origin}/masuk",
            recover=f"{origin}/masuk/pemulihan",
        ),
        what="sign-up attempt notice",
    )


def use_sign_up_code(email: str, raw_code: str) -> bool:
    """True when ``raw_code`` is the latest live sign-up code sent for ``email`` (it is then spent)."""
    row = db.session.scalar(
        select(EmailCode)
        .where(
            EmailCode.purpose == EmailCodePurpose.SIGN_UP,
            EmailCode.email == email.strip().lower(),
            EmailCode.used_at.is_(None),
            EmailCode.expires_at > utcnow(),
        )
        .order_by(EmailCode.id.desc())
    )
    return _check_code(row, _digits(raw_code), what="sign-up code")
