"""Managing an agency system's webhook endpoints (register, list, delivery log) — the use cases behind /api/v1/webhooks
and the admin's Integrasi page. Delivery itself is webhooks.py."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, union_all

from ..extensions import db
from ..notifications import subscriptions
from ..security import BlockedDestination, checked_address
from .models import ApiToken, WebhookAttempt, WebhookEndpoint, WebhookEvent, WebhookMessage
from .problems import Problem
from .webhooks import MAX_URL_LENGTH, new_secret

MAX_ENDPOINTS_PER_TOKEN = 10

# What each event means, for the docs page and the admin's form (the same words in both).
EVENT_LABELS = {
    WebhookEvent.SUBMITTED: _l("An application was submitted"),
    WebhookEvent.RESUBMITTED: _l("An application was resubmitted after correction"),
    WebhookEvent.CANCELLED: _l("An application was cancelled by the citizen"),
    WebhookEvent.COMPLAINT_FORWARDED: _l("A complaint was forwarded to the agency"),
    WebhookEvent.COMPLAINT_STATUS_CHANGED: _l("A forwarded complaint changed status"),
    WebhookEvent.BOOKING_CREATED: _l("A queue booking was made at the agency's counter"),
    WebhookEvent.BOOKING_CANCELLED: _l("A queue booking was cancelled"),
    WebhookEvent.BOOKING_CHECKED_IN: _l("A visitor with a booking checked in"),
}


def check_url(url: object) -> str:
    """The same rules as a push endpoint (notifications/subscriptions.py): https to a public address (plain http
    only to this machine, and only outside production). Checked again at every send, when connecting."""
    if not isinstance(url, str) or not url or len(url) > MAX_URL_LENGTH:
        raise Problem("tidak-dapat-diproses", errors={"url": _("Give the receiver's https address.")})
    try:
        subscriptions._check_endpoint(url, production=subscriptions.production())
        # Unlike a push service, a webhook receiver is typed in by a person: refuse an internal address at once,
        # in every environment (only this machine, and only outside production, for development and tests).
        parts = urlsplit(url)
        checked_address(parts.hostname or "", parts.port, allow_loopback=subscriptions.allow_loopback())
    except (subscriptions.InvalidSubscription, BlockedDestination, OSError, UnicodeError, ValueError):
        raise Problem(
            "tidak-dapat-diproses",
            errors={"url": _("The address must be https to a public host (no internal or local addresses).")},
        ) from None
    return url


def check_events(events: object) -> list[str]:
    known = {event.value for event in WebhookEvent}
    if not isinstance(events, list) or not events or not all(isinstance(e, str) and e in known for e in events):
        raise Problem(
            "tidak-dapat-diproses",
            errors={"events": _("One or more of: %(values)s.", values=", ".join(sorted(known)))},
        )
    return sorted(set(events))


def create_endpoint(token: ApiToken, *, url: object, events: object) -> WebhookEndpoint:
    chosen = check_events(events)
    url = check_url(url)
    if len(endpoints_of(token)) >= MAX_ENDPOINTS_PER_TOKEN:
        raise Problem("tidak-dapat-diproses", _("At most %(max)d endpoints per token.", max=MAX_ENDPOINTS_PER_TOKEN))
    endpoint = WebhookEndpoint(token_id=token.id, url=url, events=chosen, secret=new_secret())
    db.session.add(endpoint)
    db.session.commit()
    return endpoint


def endpoints_of(token: ApiToken) -> list[WebhookEndpoint]:
    return list(
        db.session.scalars(
            select(WebhookEndpoint).where(WebhookEndpoint.token_id == token.id).order_by(WebhookEndpoint.id)
        )
    )


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def endpoint_json(endpoint: WebhookEndpoint) -> dict:
    return {
        "id": endpoint.id,
        "url": endpoint.url,
        "events": list(endpoint.events or []),
        "created_at": endpoint.created_at.isoformat(),
        "disabled_at": _iso(endpoint.disabled_at),
        "disabled_reason": endpoint.disabled_reason,
        "secret_rotates_until": _iso(endpoint.previous_secret_expires_at) if endpoint.previous_secret else None,
    }


def deliveries(endpoint: WebhookEndpoint, *, limit: int = 50) -> list[tuple[WebhookMessage, list[WebhookAttempt]]]:
    return recent_deliveries([endpoint.id], limit=limit).get(endpoint.id, [])


def deliveries_page(
    endpoint: WebhookEndpoint, *, limit: int, cursor: int | None = None
) -> tuple[list[tuple[WebhookMessage, list[WebhookAttempt]]], int | None]:
    """``limit`` messages of the endpoint's log, newest first, older than the message ``cursor`` (the last one of
    the previous page) — and the cursor of the next page, None when there is none. A cursor that is not a message
    of this endpoint starts from the newest."""
    query = select(WebhookMessage).where(WebhookMessage.endpoint_id == endpoint.id)
    anchor = db.session.get(WebhookMessage, cursor) if cursor is not None else None
    if anchor is not None and anchor.endpoint_id == endpoint.id:
        query = query.where(
            (WebhookMessage.created_at < anchor.created_at)
            | ((WebhookMessage.created_at == anchor.created_at) & (WebhookMessage.id < anchor.id))
        )
    rows = db.session.scalars(
        query.order_by(WebhookMessage.created_at.desc(), WebhookMessage.id.desc()).limit(limit + 1)
    ).all()
    shown = list(rows[:limit])
    attempts = _attempts_of(shown)
    next_cursor = shown[-1].id if len(rows) > limit else None
    return [(message, attempts.get(message.id, [])) for message in shown], next_cursor


def _attempts_of(messages: list[WebhookMessage]) -> dict[int, list[WebhookAttempt]]:
    attempts: dict[int, list[WebhookAttempt]] = {}
    if messages:
        for attempt in db.session.scalars(
            select(WebhookAttempt)
            .where(WebhookAttempt.message_id.in_([m.id for m in messages]))
            .order_by(WebhookAttempt.attempted_at, WebhookAttempt.id)
        ):
            attempts.setdefault(attempt.message_id, []).append(attempt)
    return attempts


def recent_deliveries(
    endpoint_ids: list[int], *, limit: int
) -> dict[int, list[tuple[WebhookMessage, list[WebhookAttempt]]]]:
    """The newest ``limit`` messages of each endpoint, newest first, each with its attempts oldest first — in two
    statements for any number of endpoints: the newest of each endpoint is a short walk backwards along
    (endpoint_id, created_at), one branch per endpoint in a UNION ALL."""
    if not endpoint_ids:
        return {}
    newest = [
        select(WebhookMessage.id)
        .where(WebhookMessage.endpoint_id == endpoint_id)
        .order_by(WebhookMessage.created_at.desc(), WebhookMessage.id.desc())
        .limit(limit)
        .subquery()
        .select()
        for endpoint_id in sorted(set(endpoint_ids))
    ]
    chosen = newest[0] if len(newest) == 1 else union_all(*newest)
    messages = db.session.scalars(
        select(WebhookMessage)
        .where(WebhookMessage.id.in_(chosen))
        .order_by(WebhookMessage.created_at.desc(), WebhookMessage.id.desc())
    ).all()
    attempts = _attempts_of(list(messages))
    result: dict[int, list[tuple[WebhookMessage, list[WebhookAttempt]]]] = {}
    for message in messages:
        result.setdefault(message.endpoint_id, []).append((message, attempts.get(message.id, [])))
    return result


def endpoints_of_tokens(token_ids: list[int]) -> dict[int, list[WebhookEndpoint]]:
    """Each token's endpoints (at most MAX_ENDPOINTS_PER_TOKEN), oldest first, in one statement."""
    found: dict[int, list[WebhookEndpoint]] = {token_id: [] for token_id in token_ids}
    if token_ids:
        for endpoint in db.session.scalars(
            select(WebhookEndpoint).where(WebhookEndpoint.token_id.in_(token_ids)).order_by(WebhookEndpoint.id)
        ):
            found[endpoint.token_id].append(endpoint)
    return found


def deliveries_json(endpoint: WebhookEndpoint, *, limit: int = 50, cursor: int | None = None) -> dict:
    """One page of the delivery log as the API answers it: ``data``, ``has_more`` and ``next_cursor``."""
    found, next_cursor = deliveries_page(endpoint, limit=limit, cursor=cursor)
    data = [
        {
            "id": message.id,
            "webhook_id": message.message_id,
            "event": message.event,
            "status": message.status.value,
            "attempts": message.attempts,
            "next_attempt_at": _iso(message.next_attempt_at) if message.status.value == "pending" else None,
            "last_error": message.last_error,
            "created_at": message.created_at.isoformat(),
            "delivered_at": _iso(message.delivered_at),
            "log": [
                {"at": attempt.attempted_at.isoformat(), "status_code": attempt.status_code, "error": attempt.error}
                for attempt in log
            ],
        }
        for message, log in found
    ]
    return {"data": data, "has_more": next_cursor is not None, "next_cursor": str(next_cursor) if next_cursor else None}
