"""The citizen's inbox — the source of truth for every notice; push is only a way to announce it.

Every query is limited to the reader's own rows: another citizen's notification id is the same as one that does
not exist (404), and "mark all read" can only ever touch one's own.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from ..accounts.models import User
from ..database import utcnow
from ..extensions import db
from .models import Notification, OutboxMessage, OutboxStatus

PAGE_SIZE = 30
KIND_TEST = "test"


def N_(msgid: str) -> str:  # noqa: N802 — extracted by pybabel, translated when shown in the reader's language
    return msgid


TEST_TITLE = N_("Test notification from MPP Digital")
TEST_BODY = N_("Notifications work on this device. You will be told here when an application changes status.")

MSG_TEST_QUEUED = _l("A test notification is on its way to your devices. It should arrive within a minute.")
MSG_TEST_NO_DEVICE = _l("Turn notifications on for a device first; the test is sent to your devices.")


def page_of(user: User, *, before_id: int | None = None) -> tuple[list[Notification], int | None]:
    """One page of the user's notifications, newest first, and the id to continue from (None on the last page)."""
    query = select(Notification).where(Notification.user_id == user.id)
    if before_id is not None:
        query = query.where(Notification.id < before_id)
    rows = list(
        db.session.scalars(query.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(PAGE_SIZE + 1))
    )
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return rows, (rows[-1].id if more else None)


def unread_count(user: User) -> int:
    return db.session.scalar(
        select(func.count(Notification.id)).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    )


def get_own(user: User, notification_id: int) -> Notification | None:
    return db.session.scalar(
        select(Notification).where(Notification.id == notification_id, Notification.user_id == user.id)
    )


def mark_read(user: User, notification_id: int) -> Notification | None:
    """Mark one of the user's notifications read (idempotent). None when it is not theirs."""
    notification = get_own(user, notification_id)
    if notification is None:
        return None
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.commit()
    return notification


def mark_all_read(user: User) -> int:
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount


def send_test(user: User, *, url: str) -> Notification:
    """A test notice for the user's devices: a notification plus its outbox row, committed together; the worker
    sends it (network I/O never happens in a web request)."""
    notification = Notification(
        user_id=user.id, kind=KIND_TEST, title_msgid=TEST_TITLE, body_msgid=TEST_BODY, params={}, url=url
    )
    notification.outbox.append(OutboxMessage(status=OutboxStatus.PENDING))
    db.session.add(notification)
    db.session.commit()
    return notification
