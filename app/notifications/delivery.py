"""Deliver one outbox message to every device of the citizen — the worker's job, never a web request's.

1. Claim the row: one UPDATE moves ``next_attempt_at`` a lease into the future, only if the row is still pending
   and due. Whoever's UPDATE matched owns the row for the lease; a duplicate task (the sweep and the original
   both enqueued it) finds nothing to claim and stops. A worker that dies keeps the row leased until the lease
   ends, then the sweep hands it to another.
2. Render the payload in the citizen's language (the notification stores msgids, not text).
3. Send to each subscription that has no ``PushDelivery`` for this message yet, and commit a ``PushDelivery``
   right after each 201 (the last device's in the same commit as the row's final status: the commonest notice,
   one device, costs two commits — claim, done). A retry — after a crash, after a 500 from one device's push
   service — therefore never sends twice to a device that already got it. (A crash between the 201 and that
   commit can repeat one send: delivery is at-least-once, and the service worker ignores a notification id it
   has already shown.)
4. 404/410: the subscription is dead — delete it. 429: wait at least ``Retry-After``. Other failures: retry with
   exponential backoff; after ``MAX_ATTEMPTS`` the row is marked failed with its last error, for admins to see.
   No devices at all: the inbox is the notice; the row is done.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import logging
import threading
from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select, update
from sqlalchemy.orm import contains_eager

from ..accounts.models import User
from ..assets import asset_version
from ..database import utcnow
from ..extensions import db
from ..personal import privacy
from . import push, subscriptions, vapid
from .models import Notification, OutboxMessage, OutboxStatus, PushDelivery, PushSubscription

log = logging.getLogger(__name__)

TTL_SECONDS = 24 * 3600  # a phone that is off for a day still gets the latest state when it comes back
LEASE = dt.timedelta(minutes=5)  # longer than one message to a handful of devices can take (10 s timeout each)
MAX_ATTEMPTS = 8  # 30 s, 1, 2, 4, 8, 16, 32 min, 1 h: about two hours of trying before an admin is told
FIRST_BACKOFF = dt.timedelta(seconds=30)
MAX_BACKOFF = dt.timedelta(hours=1)
MAX_RETRY_AFTER = dt.timedelta(seconds=TTL_SECONDS)
SWEEP_GRACE = dt.timedelta(seconds=60)  # a row this overdue was never picked up (crash between commit and enqueue)
SWEEP_BATCH = 500

# Needs the citizen to act: wake the phone (RFC 8030 §5.3). Everything else is "normal".
HIGH_URGENCY_STATUSES = {"perlu_perbaikan"}


@dataclass(frozen=True)
class Outcome:
    status: str  # "skipped" (not ours / not due / done), "sent", "retry", "failed"
    sent: int = 0
    gone: int = 0
    next_attempt_at: dt.datetime | None = None


def backoff(attempts: int) -> dt.timedelta:
    return min(FIRST_BACKOFF * (2 ** max(0, attempts - 1)), MAX_BACKOFF)


def topic_for(notification: Notification) -> str | None:
    """One Topic per application (RFC 8030 §5.4: ≤ 32 base64url characters): a phone that was off receives the
    latest state of each application, not five stale ones. Hashed, so the push service never sees the number."""
    number = (notification.params or {}).get("number")
    if not number:
        return None
    digest = hashlib.sha256(f"permohonan:{number}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")[:32]


def build_payload(notification: Notification, locale: str | None) -> bytes:
    """The JSON the service worker shows, in the citizen's language, cut to fit one push message (≤ 4 KB)."""
    with force_locale(locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        title, body = notification.title, notification.body
    topic = topic_for(notification)
    data = {
        "id": notification.id,
        "title": title,
        "body": body,
        "url": notification.url,
        "tag": f"mpp-{topic or notification.id}",
        "icon": _asset("icons/icon-192.png"),
        "badge": _asset("icons/badge-96.png"),
        "lang": locale or "id",
    }
    encoded = _encode(data)
    # The officer's reason can be 2,000 characters of multi-byte text: shorten the body, never the url or id.
    while len(encoded) > push.MAX_PAYLOAD_BYTES - 100 and data["body"]:
        data["body"] = data["body"][: max(0, len(data["body"]) - max(16, len(encoded) - push.MAX_PAYLOAD_BYTES))]
        data["body"] = data["body"].rstrip() + "…"
        encoded = _encode(data)
    return encoded


def _encode(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def _asset(name: str) -> str:
    return f"/static/{name}?v={asset_version(name)}"


# --- the worker's entry points ------------------------------------------------------------------------------------


def claim(outbox_id: int, *, now: dt.datetime) -> bool:
    """Take the row for one lease if it is pending and due. Commits."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == outbox_id,
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.next_attempt_at <= now,
        )
        .values(attempts=OutboxMessage.attempts + 1, next_attempt_at=now + LEASE)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def claim_many(outbox_ids: list[int], *, now: dt.datetime) -> list[int]:
    """``claim`` for a batch in one UPDATE and one commit; returns the ids this worker now owns."""
    if not outbox_ids:
        return []
    claimed = db.session.scalars(
        update(OutboxMessage)
        .where(
            OutboxMessage.id.in_(outbox_ids),
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.next_attempt_at <= now,
        )
        .values(attempts=OutboxMessage.attempts + 1, next_attempt_at=now + LEASE)
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    return sorted(claimed)


def deliver(outbox_id: int, *, now: dt.datetime | None = None, sender: push.Sender | None = None) -> Outcome:
    """Deliver one outbox message (see the module docstring). Safe to call twice, concurrently, or after a crash."""
    now = now or utcnow()
    if not claim(outbox_id, now=now):
        return Outcome("skipped")
    return deliver_claimed(outbox_id, now=now, sender=sender)


def deliver_many(outbox_ids: list[int], *, now: dt.datetime | None = None) -> dict[int, Outcome]:
    """Deliver a batch (the notices one transaction wrote): claimed together, then each as ``deliver`` would."""
    now = now or utcnow()
    claimed = claim_many(outbox_ids, now=now)
    outcomes = {outbox_id: Outcome("skipped") for outbox_id in outbox_ids}
    for outbox_id in claimed:
        outcomes[outbox_id] = deliver_claimed(outbox_id, now=now)
    return outcomes


def deliver_claimed(outbox_id: int, *, now: dt.datetime, sender: push.Sender | None = None) -> Outcome:
    """The sending part of ``deliver``, for a row this worker has just claimed."""
    message, user = db.session.execute(  # the row, its notification and the citizen in one statement
        select(OutboxMessage, User)
        .join(OutboxMessage.notification)
        .outerjoin(User, User.id == Notification.user_id)
        .where(OutboxMessage.id == outbox_id)
        .options(contains_eager(OutboxMessage.notification))
    ).one()
    notification = message.notification
    targets = _undelivered_subscriptions(message, user)
    keys = vapid.current_keys()
    if not targets or keys is None:  # no device (or push off on this server): the inbox alone is the notice
        return _finish(message, OutboxStatus.SENT, error=None)

    payload = build_payload(notification, user.locale)
    topic = topic_for(notification)
    urgency = "high" if (notification.params or {}).get("status") in HIGH_URGENCY_STATUSES else "normal"
    sender = sender or _thread_sender(keys)
    sent = gone = 0
    waiting: list[str] = []
    rejected: list[str] = []
    retry_after = dt.timedelta(0)
    for position, subscription in enumerate(targets, start=1):
        target = push.Target(subscription.endpoint, subscription.p256dh, subscription.auth)
        try:
            sender.send(target, payload, ttl=TTL_SECONDS, urgency=urgency, topic=topic)
        except push.SubscriptionGone:
            db.session.delete(subscription)
            db.session.commit()
            gone += 1
            continue
        except push.PushRateLimited as error:
            seconds = error.retry_after if error.retry_after is not None else backoff(message.attempts).total_seconds()
            retry_after = max(retry_after, min(dt.timedelta(seconds=seconds), MAX_RETRY_AFTER))
            waiting.append(str(error))
            continue
        except push.PushRejected as error:
            rejected.append(str(error))
            continue
        except push.PushError as error:
            waiting.append(str(error))
            continue
        db.session.add(PushDelivery(outbox_id=message.id, subscription_id=subscription.id, sent_at=utcnow()))
        subscription.last_sent_at = utcnow()
        if position < len(targets):
            db.session.commit()  # this device is done, whatever happens to the others
        # The last device's record is committed with the row's outcome, just below: one commit less per notice.
        sent += 1

    if not waiting:
        if rejected:  # a device whose push service will never accept this message: an admin should look
            return _finish(message, OutboxStatus.FAILED, error="; ".join(rejected), sent=sent, gone=gone)
        return _finish(message, OutboxStatus.SENT, error=None, sent=sent, gone=gone)
    error = "; ".join(waiting + rejected)
    if message.attempts >= MAX_ATTEMPTS:
        log.warning("push gave up outbox=%s after %s attempts: %s", message.id, message.attempts, error)
        return _finish(message, OutboxStatus.FAILED, error=error, sent=sent, gone=gone)
    message.next_attempt_at = now + max(backoff(message.attempts), retry_after)
    message.last_error = error[:1000]
    db.session.commit()
    return Outcome("retry", sent=sent, gone=gone, next_attempt_at=message.next_attempt_at)


def _undelivered_subscriptions(message: OutboxMessage, user: User | None) -> list[PushSubscription]:
    if user is None or user.deleted_at is not None:
        return []
    # Push rests on the "notifikasi" consent (UU 27/2022). Subscribing records it and withdrawing it removes the
    # devices, so this only catches a device left from before that rule: it gets nothing, the inbox still does.
    if not privacy.has_consent(user, privacy.NOTIFICATIONS):
        return []
    delivered = select(PushDelivery.subscription_id).where(PushDelivery.outbox_id == message.id)
    return list(
        db.session.scalars(
            select(PushSubscription)
            .where(PushSubscription.user_id == user.id, PushSubscription.id.not_in(delivered))
            .order_by(PushSubscription.id)
        )
    )


def _finish(message: OutboxMessage, status: OutboxStatus, *, error: str | None, sent=0, gone=0) -> Outcome:
    message.status = status
    message.last_error = error[:1000] if error else None
    db.session.commit()
    return Outcome(status.value, sent=sent, gone=gone)


def due_outbox_ids(*, now: dt.datetime | None = None, limit: int = SWEEP_BATCH) -> list[int]:
    """Pending rows that should have been delivered by now: never enqueued (a crash between the commit and the
    enqueue, or the queue was down), a retry whose scheduled task was lost, or a lease whose worker died."""
    cutoff = (now or utcnow()) - SWEEP_GRACE
    return list(
        db.session.scalars(
            select(OutboxMessage.id)
            .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= cutoff)
            .order_by(OutboxMessage.next_attempt_at)
            .limit(limit)
        )
    )


def retry_failed(outbox_id: int) -> bool:
    """An admin asks to try a failed message again from scratch. Devices that already got it are not resent."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == outbox_id, OutboxMessage.status == OutboxStatus.FAILED)
        .values(status=OutboxStatus.PENDING, attempts=0, next_attempt_at=utcnow(), last_error=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


_local = threading.local()


def _thread_sender(keys: vapid.VapidKeys) -> push.Sender:
    """One sender (and HTTP keep-alive session) per worker thread: requests sessions are not shared across threads."""
    sender = getattr(_local, "sender", None)
    key = (keys.private_key, keys.subject, subscriptions.allow_loopback())
    if sender is None or _local.key != key:
        sender = push.Sender(private_key=keys.private_key, subject=keys.subject, allow_loopback=key[2])
        _local.sender, _local.key = sender, key
    return sender
