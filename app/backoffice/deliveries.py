"""Failed deliveries, for admins (/petugas/notifikasi-gagal): push notices that gave up, and the e-mail log.

The delivery code (notifications/) knows nothing of staff scopes; the back office reads its outbox tables through
the admin's Scope. An MPP admin sees the failed pushes about its MPP's applications; a national admin sees all of
them and the e-mail delivery log (an e-mail is tied to a person, not to one MPP, so an MPP admin has no scope to see
it in). Only the facts needed to act are shown — kind, application number, error — never a notice's text or an
e-mail's body.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..applications.models import Application
from ..extensions import db
from ..notifications.models import EmailOutbox, Notification, OutboxMessage, OutboxStatus
from .scope import Scope

FAILED_LIMIT = 200

# The ``what`` of each e-mail the app sends (accounts/mail.py callers), in words an admin reads.
EMAIL_KINDS = {
    "sign-up code": _l("Sign-up code"),
    "sign-up attempt notice": _l("Sign-up attempt notice"),
    "recovery code": _l("Recovery code"),
    "e-mail change code": _l("E-mail change code"),
    "e-mail change attempt notice": _l("E-mail change attempt notice"),
    "e-mail changed notice": _l("E-mail changed notice"),
    "survey invitation": _l("Survey invitation"),
    "webhook disabled": _l("Webhook disabled notice"),
    "queue notice": _l("Queue booking notice"),
}


def email_kind(what: str) -> str:
    return str(EMAIL_KINDS.get(what, what))


def failed_pushes(scope: Scope) -> list[tuple[OutboxMessage, Notification, Application | None]]:
    """Failed push messages the admin may see, newest first, with the application each is about (when in scope)."""
    rows = db.session.execute(
        select(OutboxMessage, Notification)
        .join(Notification, OutboxMessage.notification_id == Notification.id)
        .where(OutboxMessage.status == OutboxStatus.FAILED)
        .order_by(OutboxMessage.created_at.desc())
        .limit(FAILED_LIMIT)
    ).all()
    numbers = {(n.params or {}).get("number") for _m, n in rows} - {None}
    applications = {
        a.tracking_number: a
        for a in db.session.scalars(scope.applications().where(Application.tracking_number.in_(sorted(numbers))))
    }
    result = []
    for message, notification in rows:
        application = applications.get((notification.params or {}).get("number"))
        if scope.national or application is not None:
            result.append((message, notification, application))
    return result


def email_log(scope: Scope) -> list[EmailOutbox]:
    """For national admins only: failed e-mails first, then those still being retried."""
    if not scope.national:
        return []
    return list(
        db.session.scalars(
            select(EmailOutbox)
            .where(
                (EmailOutbox.status == OutboxStatus.FAILED)
                | ((EmailOutbox.status == OutboxStatus.PENDING) & (EmailOutbox.attempts > 0))
            )
            .order_by(EmailOutbox.status, EmailOutbox.created_at.desc())
            .limit(FAILED_LIMIT)
        )
    )
