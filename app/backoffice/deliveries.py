"""Failed deliveries, for admins (/petugas/notifikasi-gagal): push notices that gave up, and the e-mail log.

The delivery code (notifications/) knows nothing of staff scopes; the back office reads its outbox tables through
the admin's Scope. An MPP admin sees the failed pushes about its MPP's applications; a national admin sees all of
them and the e-mail delivery log (an e-mail is tied to a person, not to one MPP, so an MPP admin has no scope to see
it in). Only the facts needed to act are shown — kind, application number, error — never a notice's text or an
e-mail's body.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select

from ..applications.models import Application
from ..extensions import db
from ..notifications.models import EmailOutbox, Notification, OutboxMessage, OutboxStatus
from ..pagination import Page, paginate
from .scope import Scope

PAGE_SIZE = 50  # rows per page of each list
EMAIL_PAGE_ARG = "halaman-email"  # the e-mail log pages apart from the push list on the same page

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


def _failed_pushes_query(scope: Scope) -> Select:
    """Failed push messages with their notice and, when the notice names one, its application — scoped in SQL: an
    MPP admin's rows are those about an application of their MPPs (the number is in the notice's params)."""
    number = Notification.params["number"].as_string()
    query = (
        select(OutboxMessage, Notification, Application)
        .join(Notification, OutboxMessage.notification_id == Notification.id)
        .outerjoin(Application, Application.tracking_number == number)
        .where(OutboxMessage.status == OutboxStatus.FAILED)
    )
    return query if scope.national else query.where(Application.id.is_not(None), scope.application_filter())


def failed_pushes(scope: Scope, *, page: int = 1) -> Page[tuple[OutboxMessage, Notification, Application | None]]:
    """One page of the failed push messages the admin may see, newest first: one statement whatever their number."""
    query = _failed_pushes_query(scope).order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
    return paginate(query, number=page, size=PAGE_SIZE, scalars=False)


def may_retry_push(scope: Scope, outbox_id: int) -> bool:
    """The message is a failed push this admin sees on their list (on any page)."""
    found = db.session.execute(_failed_pushes_query(scope).where(OutboxMessage.id == outbox_id).limit(1)).first()
    return found is not None


def email_log(scope: Scope, *, page: int = 1) -> Page[EmailOutbox] | None:
    """For national admins only (None for others): failed e-mails first, then those still being retried."""
    if not scope.national:
        return None
    query = (
        select(EmailOutbox)
        .where(
            (EmailOutbox.status == OutboxStatus.FAILED)
            | ((EmailOutbox.status == OutboxStatus.PENDING) & (EmailOutbox.attempts > 0))
        )
        .order_by(EmailOutbox.status, EmailOutbox.created_at.desc(), EmailOutbox.id.desc())
    )
    return paginate(query, number=page, size=PAGE_SIZE)
