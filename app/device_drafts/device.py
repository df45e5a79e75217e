"""What the drafts script is told about the signed-in citizen and in which words it speaks."""

from __future__ import annotations

import hashlib

from flask_babel import lazy_gettext as _l
from flask_login import current_user


def account_key(webauthn_handle: bytes) -> str:
    """An opaque, stable key for one account, used to tag the drafts kept in this browser.

    Derived from the account's random WebAuthn handle (never the NIK, e-mail or row id) so it reveals nothing and
    does not change when the server's secret key is rotated — a rotation must not orphan unsynced device drafts.
    """
    return hashlib.sha256(b"mpp-device-drafts:" + webauthn_handle).hexdigest()[:32]


def current_account_key() -> str:
    """The key of the signed-in account, or "" when nobody is signed in."""
    if not current_user or not current_user.is_authenticated:
        return ""
    return account_key(current_user.webauthn_handle)


# Every sentence drafts.js can show, translated on the server (the script itself holds no text).
MESSAGES = {
    "restored": _l("Your answers were restored from this device."),
    "saved": _l("Draft saved."),
    "savedDevice": _l("Saved on this device. It will be sent automatically when the internet is back."),
    "conflict": _l("This application was also changed on another device. Which answers do you want to keep?"),
    "keepDevice": _l("Keep the answers on this device"),
    "useServer": _l("Use the answers saved on your account"),
    "keptDevice": _l("The answers on this device are kept and will be saved to your account."),
    "usedServer": _l("The answers saved on your account are shown."),
    "queued": _l("Waiting for a connection — it will be sent automatically."),
    "sending": _l("Sending…"),
    "sent": _l("Your application has been sent."),
    "sentLink": _l("See the application"),
    "rejected": _l("Your application has not been sent: some answers need checking."),
    "openOnline": _l("Open the form"),
    "signin": _l("Your session has ended. Your answers are kept on this device."),
    "signinSubmit": _l("Your session has ended. Sign in again to send your application; it is kept on this device."),
    "signinLink": _l("Sign in again"),
    "gone": _l("This draft is no longer on your account. Your answers are kept on this device."),
    "saveDevice": _l("Save on this device"),
    "shellOffline": _l("Your answers are kept on this device and sent automatically when the internet is back."),
    "shellUnreachable": _l(
        "The server cannot be reached right now. Your answers are kept on this device and sent automatically later."
    ),
    "savedServerShell": _l("Draft saved to your account."),
    "shellEmpty": _l("There is no draft on this device that can be opened offline."),
    "shellStepMissing": _l(
        "This step has not been opened on this device yet, so it can only be filled in online. Your answers so far "
        "are kept on this device."
    ),
    "shellNextMissing": _l(
        "Saved on this device. The next step has not been opened on this device yet: continue when you are online."
    ),
}


def messages() -> dict[str, str]:
    return {key: str(value) for key, value in MESSAGES.items()}
