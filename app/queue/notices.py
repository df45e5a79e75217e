"""Telling a booked citizen that the MPP changed something about their visit: in the inbox, by Web Push and by e-mail.

The same paths every other notice takes: a ``Notification`` with its ``OutboxMessage`` (the job worker pushes it to
every device the citizen opted in on) and an e-mail queued through ``accounts.mail.send`` (the e-mail outbox).
Both are added to the caller's transaction, so a notice exists exactly when the change that caused it committed.
The notification keeps msgids and is worded when read; the e-mail is worded now, in the citizen's language.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from ..accounts import mail
from ..accounts.models import User
from ..extensions import db
from ..notifications.models import Notification, OutboxMessage
from .models import Booking

EMAIL_WHAT = "queue notice"  # how the admins' e-mail delivery log names these (backoffice/deliveries.py EMAIL_KINDS)


def tell(booking: Booking, *, kind: str, title: str, body: str, params: dict) -> Notification | None:
    """Add (not commit) one notice about ``booking`` for its citizen; None for a walk-in (nobody to tell)."""
    if booking.user_id is None:
        return None
    notification = Notification(
        user_id=booking.user_id,
        kind=kind,
        title_msgid=title,
        body_msgid=body,
        params=params,
        url=f"/antrean/{booking.code}",
        timezone=booking.mpp.timezone,
    )
    notification.outbox.append(OutboxMessage())
    db.session.add(notification)
    user = db.session.get(User, booking.user_id)
    if user is not None and user.email:
        link = current_app.config["PUBLIC_ORIGIN"].rstrip("/") + notification.url
        with force_locale(user.locale or "id"):
            mail.send(
                to=user.email,
                subject=_(title, **params),
                body=_(body, **params) + "\n\n" + _("Your ticket: %(link)s", link=link),
                what=EMAIL_WHAT,
            )
    return notification
