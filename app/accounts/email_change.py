"""Changing the sign-in e-mail: a 6-digit code goes to the NEW address, the OLD address is told afterwards.

The address is where recovery codes by e-mail are sent, so changing it is a credential change: the route asks for
a fresh passkey check before the code is sent (sessions.fresh_passkey_required), the code proves the citizen
reads the new inbox, and the old inbox hears about it — if someone else made the change, the owner learns it where
they still read mail. Codes are the same machinery as recovery and sign-up (recovery.py): argon2id hash, single
use, 10 minutes, 5 tries, only the latest one works.

An address that already belongs to another account gets the same answer ("we have sent a code") and the same
work, as in sign-up: the row holds the hash of a code never sent, so no code can ever confirm it, and the page
never tells a signed-in stranger which addresses have accounts. Its owner gets a notice instead.
"""

from __future__ import annotations

import logging

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ..database import utcnow
from ..errors import UserFacingError
from ..extensions import db
from .models import EmailCode, EmailCodePurpose, User
from .recovery import EMAIL_CODE_TTL, _check_code, _digits, _hasher, _new_code, _send_quietly

log = logging.getLogger(__name__)


class EmailChangeRefused(UserFacingError):
    """The new address cannot be used; ``message`` says why, for the field."""


def _owner_of(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def pending_address(user: User) -> str | None:
    """The new address of ``user``'s live change request (the latest code sent), if any."""
    return db.session.scalar(
        select(EmailCode.email)
        .where(
            EmailCode.user_id == user.id,
            EmailCode.purpose == EmailCodePurpose.CHANGE_EMAIL,
            EmailCode.used_at.is_(None),
            EmailCode.expires_at > utcnow(),
        )
        .order_by(EmailCode.id.desc())
    )


def request_email_change(user: User, new_email: str) -> None:
    """Send a code to ``new_email`` (already normalised by the form) for ``user``. Raises EmailChangeRefused."""
    if new_email == user.email:
        raise EmailChangeRefused(_("This is already your e-mail address."))
    owner = _owner_of(new_email)
    code = _new_code()
    now = utcnow()
    # Only the latest request works: an earlier code (perhaps to a mistyped address) stops working.
    db.session.execute(
        update(EmailCode)
        .where(
            EmailCode.user_id == user.id,
            EmailCode.purpose == EmailCodePurpose.CHANGE_EMAIL,
            EmailCode.used_at.is_(None),
        )
        .values(used_at=now)
    )
    db.session.add(
        EmailCode(
            purpose=EmailCodePurpose.CHANGE_EMAIL,
            user_id=user.id,
            email=new_email,
            code_hash=_hasher.hash(code),
            expires_at=now + EMAIL_CODE_TTL,
        )
    )
    # Committed by _send_quietly together with the e-mail that carries the code.
    if owner is not None:
        log.info("e-mail change to a registered address user=%s owner=%s", user.id, owner.id)
        _send_quietly(
            to=new_email,
            subject=_("Someone tried to use your e-mail for another MPP Digital account"),
            body=_(
                "Hello %(name)s,\n\n"
                "Someone signed in to another MPP Digital account asked to move it to this e-mail address. It "
                "already belongs to your account, so nothing was changed.\n\n"
                "If it was not you, you can ignore this e-mail; your account stays safe.",
                name=owner.display_name,
            ),
            what="e-mail change attempt notice",
        )
        return
    log.info("e-mail change code sent user=%s", user.id)
    _send_quietly(
        to=new_email,
        subject=_("Your code to change your MPP Digital e-mail"),
        body=_(
            "Hello %(name)s,\n\n"
            "Your code to use this address for your MPP Digital account is: %(code)s\n\n"
            "It works once, for 10 minutes. Nobody from MPP will ever ask you for this code.\n"
            "If you did not ask for it, you can ignore this e-mail; nothing changes without it.",
            name=user.display_name,
            code=code,
        ),
        what="e-mail change code",
    )


def confirm_email_change(user: User, raw_code: str) -> str | None:
    """Use the code: the account's e-mail becomes the requested address, the old one is told. Returns the new
    address, or None when the code is wrong, spent or expired (the try is counted)."""
    row = db.session.scalar(
        select(EmailCode)
        .where(
            EmailCode.user_id == user.id,
            EmailCode.purpose == EmailCodePurpose.CHANGE_EMAIL,
            EmailCode.used_at.is_(None),
            EmailCode.expires_at > utcnow(),
        )
        .order_by(EmailCode.id.desc())
    )
    new_email = row.email if row is not None else None
    if not _check_code(row, _digits(raw_code), what="e-mail change code") or new_email is None:
        return None
    old_email = user.email
    user.email = new_email
    try:
        db.session.commit()
    except IntegrityError:  # another account took the address between the code and now
        db.session.rollback()
        log.info("e-mail change lost a race for the address user=%s", user.id)
        return None
    log.info("e-mail changed user=%s", user.id)
    origin = current_app.config["PUBLIC_ORIGIN"].rstrip("/")
    _send_quietly(
        to=old_email,
        subject=_("Your MPP Digital e-mail was changed"),
        body=_(
            "Hello %(name)s,\n\n"
            "The e-mail address of your MPP Digital account was changed to %(new)s. Messages and e-mail codes now "
            "go there.\n\n"
            "If you did not do this, sign in with your passkey at %(sign_in)s, change it back on the account page "
            "and sign out the devices you do not know. Lost your passkey? Use a recovery code at %(recover)s",
            name=user.display_name,
            new=new_email,
            sign_in=f"{origin}/masuk",
            recover=f"{origin}/masuk/pemulihan",
        ),
        what="e-mail changed notice",
    )
    return new_email
