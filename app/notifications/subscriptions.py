"""Devices that receive Web Push: checking what a browser sends, storing it, listing and removing it.

A subscription is what ``PushSubscription.toJSON()`` gives in the browser::

    {"endpoint": "https://…", "expirationTime": null, "keys": {"p256dh": "<65 bytes>", "auth": "<16 bytes>"}}

Anything else is refused with a reason: the endpoint is a URL our worker will POST to, so it must be HTTPS (a
plain-HTTP endpoint would leak the VAPID token and the ciphertext metadata); only in development and tests may it
be http on the local machine (the tests' own push service). In production its host must resolve to public
addresses only; that is checked again at every send (push.py), since a DNS answer can change after this.

An endpoint belongs to the browser that subscribed, and so to one account: another account posting it (with its
own keys) does not take it over while the first account's subscription is alive (issue 9, item 10).
"""

from __future__ import annotations

import binascii
from dataclasses import dataclass
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from ..accounts.models import User
from ..accounts.sessions import describe_user_agent
from ..errors import UserFacingError
from ..extensions import db
from ..personal import privacy
from ..security import BlockedDestination, checked_address
from .models import PushSubscription
from .vapid import b64url_decode

MAX_ENDPOINT_LENGTH = 1024  # real endpoints are 150–500 characters; the column is 1024
MAX_BODY_BYTES = 4096  # the whole JSON a browser sends is well under 1 KB
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}

MSG_NOT_JSON = _l("The subscription could not be read.")
MSG_ENDPOINT = _l("The subscription has no valid push address.")
MSG_NOT_HTTPS = _l("The push address must use HTTPS.")
MSG_KEYS = _l("The subscription's keys are missing or invalid.")
MSG_TOO_LARGE = _l("The subscription is too large.")
MSG_TAKEN = _l(
    "This push address already belongs to another account, so it was not moved to yours. Turn notifications off "
    "and on again on this device to get a new address."
)


class InvalidSubscription(UserFacingError):
    """A push subscription we will not store; ``message`` says why."""


class EndpointTaken(InvalidSubscription):
    """The endpoint is another account's device. Never reassigned: the browser must get a new endpoint (push.js
    does, by unsubscribing and subscribing again), which also kills the old one at the push service — the next
    message to it answers 410 and the other account's row is deleted then."""

    def __init__(self) -> None:
        super().__init__(MSG_TAKEN)


@dataclass(frozen=True)
class SubscriptionInfo:
    endpoint: str
    p256dh: str
    auth: str


def parse_subscription(data: object, *, production: bool) -> SubscriptionInfo:
    """Check a browser's subscription JSON (already parsed). Raises ``InvalidSubscription``."""
    if not isinstance(data, dict):
        raise InvalidSubscription(MSG_NOT_JSON)
    endpoint = data.get("endpoint")
    keys = data.get("keys")
    if not isinstance(endpoint, str) or not endpoint:
        raise InvalidSubscription(MSG_ENDPOINT)
    if len(endpoint) > MAX_ENDPOINT_LENGTH:
        raise InvalidSubscription(MSG_TOO_LARGE)
    _check_endpoint(endpoint, production=production)
    if not isinstance(keys, dict):
        raise InvalidSubscription(MSG_KEYS)
    p256dh, auth = keys.get("p256dh"), keys.get("auth")
    if not isinstance(p256dh, str) or not isinstance(auth, str) or len(p256dh) > 100 or len(auth) > 40:
        raise InvalidSubscription(MSG_KEYS)
    try:
        point, secret = b64url_decode(p256dh), b64url_decode(auth)
        # RFC 8291: the browser's key is an uncompressed P-256 point (65 bytes) and the auth secret 16 bytes.
        if len(point) != 65 or point[0] != 4 or len(secret) != 16:
            raise ValueError("wrong size")
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)  # on the curve, not just 65 bytes
    except (ValueError, binascii.Error):
        raise InvalidSubscription(MSG_KEYS) from None
    return SubscriptionInfo(endpoint=endpoint, p256dh=p256dh.rstrip("="), auth=auth.rstrip("="))


def _check_endpoint(endpoint: str, *, production: bool) -> None:
    try:
        parts = urlsplit(endpoint)
        host = parts.hostname
        parts.port  # noqa: B018 — raises ValueError for a port that is not a number
    except ValueError:
        raise InvalidSubscription(MSG_ENDPOINT) from None
    if not host or parts.username or parts.password or any(c.isspace() for c in endpoint):
        raise InvalidSubscription(MSG_ENDPOINT)
    if parts.scheme == "https":
        if production and not _resolves_to_public(host, parts.port):
            raise InvalidSubscription(MSG_ENDPOINT)  # our worker must never be pointed at the internal network
        return
    if parts.scheme == "http" and not production and host in LOCAL_HOSTS:
        return
    raise InvalidSubscription(MSG_NOT_HTTPS)


def _resolves_to_public(host: str, port: int | None) -> bool:
    """Only public addresses (security.checked_address). A name that does not resolve is refused too: every real
    push service resolves. The same check runs again when each message is sent."""
    try:
        checked_address(host, port, allow_loopback=False)
    except (BlockedDestination, OSError, UnicodeError, ValueError):
        return False
    return True


def allow_loopback() -> bool:
    """Development and the tests may push to their own machine (the tests' push service on 127.0.0.1); production
    never can, whatever the configuration says."""
    return not production() and bool(current_app.config.get("PUSH_ALLOW_LOOPBACK", True))


def device_label(user_agent: str | None) -> str:
    """ "Chrome di Android" — enough to tell one's devices apart, without keeping the whole user agent."""
    return describe_user_agent(user_agent)[:120]


def save_subscription(user: User, info: SubscriptionInfo, *, user_agent: str | None) -> PushSubscription:
    """Store this browser's subscription for ``user`` (or update its keys), record the "notifikasi" consent, commit.

    Only the citizen's press of "turn on notifications" (next to the sentence saying what will be sent) gets
    here, and that press is their consent: it is recorded, with its time, if not already in force, in the same
    transaction as the subscription — so no device receives push while the privacy page says "not agreed"
    (UU 27/2022 Pasal 20 ayat (2) huruf a). Withdrawing the consent removes the subscriptions again.

    The endpoint identifies the browser: subscribing again updates the keys. An endpoint registered to ANOTHER
    account raises ``EndpointTaken`` and changes nothing (issue 9, item 10): otherwise anyone who learnt a
    citizen's endpoint could post it with their own keys and silently take that citizen's notices away. On a
    shared phone the browser then subscribes afresh, and the previous owner's old endpoint dies at the push service.
    """
    row = db.session.scalar(select(PushSubscription).where(PushSubscription.endpoint == info.endpoint))
    if row is not None and row.user_id != user.id:
        raise EndpointTaken()
    privacy.grant_consent(user, privacy.NOTIFICATIONS)
    if row is None:
        row = PushSubscription(endpoint=info.endpoint)
        db.session.add(row)
    row.user_id = user.id
    row.p256dh, row.auth = info.p256dh, info.auth
    row.device_label = device_label(user_agent)
    db.session.commit()
    return row


def my_subscriptions(user: User) -> list[PushSubscription]:
    return list(
        db.session.scalars(
            select(PushSubscription)
            .where(PushSubscription.user_id == user.id)
            .order_by(PushSubscription.created_at.desc(), PushSubscription.id.desc())
        )
    )


def remove_subscription(user: User, subscription_id: int) -> bool:
    """Delete one of the user's devices; False when it is not theirs (or already gone)."""
    result = db.session.execute(
        delete(PushSubscription).where(PushSubscription.id == subscription_id, PushSubscription.user_id == user.id)
    )
    db.session.commit()
    return result.rowcount > 0


def remove_all_subscriptions(user: User) -> int:
    """Every device of ``user`` stops receiving push (the "notifikasi" consent was withdrawn, or the account deleted).

    Does not commit: part of the caller's transaction. The inbox is untouched. Returns how many were removed.
    """
    result = db.session.execute(delete(PushSubscription).where(PushSubscription.user_id == user.id))
    return result.rowcount


def remove_endpoint(user: User, endpoint: str) -> bool:
    """This browser turned notifications off: forget its endpoint (only if it is the user's)."""
    result = db.session.execute(
        delete(PushSubscription).where(PushSubscription.endpoint == endpoint, PushSubscription.user_id == user.id)
    )
    db.session.commit()
    return result.rowcount > 0


def production() -> bool:
    return current_app.config.get("MPP_ENV") == "production"
