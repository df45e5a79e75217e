"""Webhooks for agency systems, signed the Standard Webhooks way and delivered by the job worker.

1. Recording: ``workflow.status_changed`` fires inside the transaction of every status change. When the change is a
   submission, a resubmission after correction or a cancellation, one ``WebhookMessage`` is added per live endpoint
   of the application's agency (at a token MPP that includes the application's MPP) listening for that event — in
   the same transaction, so a rolled-back change announces nothing and a committed one never loses its message.
   The body carries the tracking number and status, no personal data: the agency fetches the application over the
   API, which writes Riwayat akses.
2. Delivering: the job is enqueued after the commit; ``deliver`` claims the row for a lease (one UPDATE), signs
   ``{webhook-id}.{webhook-timestamp}.{body}`` with HMAC-SHA256 (``v1,<base64>``; during a secret rotation the
   previous secret signs too, space-separated), and POSTs through the push worker's checked session: the host is
   resolved when connecting and must be public, and redirects are never followed (the SSRF rules of push).
3. Failing: 2xx is delivered. Anything else is retried on ``SCHEDULE`` (about three days in all); every try is a row
   of the endpoint's delivery log. When the last try fails the endpoint is switched off and the MPP's
   administrators get an e-mail. A manual resend resets the attempt count (and switches the endpoint back on).
4. A worker that dies mid-delivery leaves the row leased; the sweep hands it to another worker when the lease ends.
   The ``webhook-id`` stays the same on every try, so a receiver that got the first try can drop the repeat.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
import secrets
from dataclasses import dataclass

from flask import Flask, current_app, has_app_context
from sqlalchemy import event as sa_event
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..applications.models import Application, ApplicationStatus, StatusEvent
from ..applications.workflow import status_changed
from ..backoffice.models import StaffAssignment, StaffRole
from ..catalog.models import Mpp, Service, Tenancy
from ..database import utcnow
from ..extensions import db
from .models import (
    ApiToken,
    DeliveryStatus,
    WebhookAttempt,
    WebhookEndpoint,
    WebhookEvent,
    WebhookMessage,
    api_token_mpp,
)

log = logging.getLogger(__name__)

S = ApplicationStatus
EXTENSION = "mpp_webhooks"
TIMEOUT_SECONDS = 15
LEASE = dt.timedelta(minutes=2)
ROTATION_OVERLAP = dt.timedelta(hours=24)  # the previous secret keeps signing this long after a rotation
MAX_URL_LENGTH = 1024
SWEEP_GRACE = dt.timedelta(seconds=60)

# Waits before each retry: the first try is immediate; then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 20 h —
# about 71 hours: a receiver down over a long weekend still gets everything.
SCHEDULE = (
    dt.timedelta(seconds=5),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=5),
    dt.timedelta(hours=10),
    dt.timedelta(hours=14),
    dt.timedelta(hours=20),
    dt.timedelta(hours=20),
)
MAX_ATTEMPTS = len(SCHEDULE) + 1


# --- signing (Standard Webhooks 1.0) ---------------------------------------------------------------------------------


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def sign(secret: str, message_id: str, timestamp: int, body: str) -> str:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    mac = hmac.new(key, f"{message_id}.{timestamp}.{body}".encode(), hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def signature_header(endpoint: WebhookEndpoint, message_id: str, timestamp: int, body: str, now: dt.datetime) -> str:
    signatures = [sign(endpoint.secret, message_id, timestamp, body)]
    if endpoint.previous_secret and endpoint.previous_secret_expires_at and endpoint.previous_secret_expires_at > now:
        signatures.append(sign(endpoint.previous_secret, message_id, timestamp, body))
    return " ".join(signatures)


# --- which event a status change is ----------------------------------------------------------------------------------


def event_of(from_status: ApplicationStatus, to_status: ApplicationStatus) -> WebhookEvent | None:
    if to_status == S.SUBMITTED:
        return WebhookEvent.RESUBMITTED if from_status == S.NEEDS_CORRECTION else WebhookEvent.SUBMITTED
    if to_status == S.CANCELLED:
        return WebhookEvent.CANCELLED
    return None


def _listening_endpoints(*, agency_id: int, mpp_id: int, kind: WebhookEvent) -> list[WebhookEndpoint]:
    """Live endpoints of the agency's systems whose token covers this MPP and that listen for ``kind``."""
    now = utcnow()
    statement = (
        select(WebhookEndpoint)
        .join(ApiToken, ApiToken.id == WebhookEndpoint.token_id)
        .join(api_token_mpp, api_token_mpp.c.token_id == ApiToken.id)
        .where(
            WebhookEndpoint.disabled_at.is_(None),
            ApiToken.revoked_at.is_(None),
            ApiToken.expires_at > now,
            ApiToken.agency_id == agency_id,
            api_token_mpp.c.mpp_id == mpp_id,
        )
        .order_by(WebhookEndpoint.id)
    )
    return [endpoint for endpoint in db.session.scalars(statement).unique() if kind.value in (endpoint.events or [])]


def _announce(*, agency_id: int | None, mpp_id: int | None, kind: WebhookEvent, data: dict) -> list[WebhookMessage]:
    """Add (not commit) one message per listening endpoint: the outbox row, in the caller's transaction."""
    if agency_id is None or mpp_id is None:
        return []
    with db.session.no_autoflush:
        messages = []
        for endpoint in _listening_endpoints(agency_id=agency_id, mpp_id=mpp_id, kind=kind):
            body = json.dumps(
                {"type": kind.value, "timestamp": utcnow().isoformat(), "data": data},
                ensure_ascii=False,
                separators=(",", ":"),
            )
            message = WebhookMessage(
                message_id="msg_" + secrets.token_urlsafe(18), endpoint_id=endpoint.id, event=kind.value, body=body
            )
            db.session.add(message)
            messages.append(message)
    return messages


def record_event(application: Application, event: StatusEvent) -> list[WebhookMessage]:
    """Add (not commit) one message per listening endpoint for this status change."""
    kind = event_of(event.from_status, event.to_status)
    if kind is None or application.mpp_id is None:
        return []
    with db.session.no_autoflush:
        data = {
            "number": application.tracking_number,
            "status": ApplicationStatus(event.to_status).value,
            "service": application.service.slug,
            "mpp": application.mpp.slug if application.mpp else None,
            "url": f"/api/v1/applications/{application.tracking_number}",
        }
        agency_id = application.service.agency_id
    return _announce(agency_id=agency_id, mpp_id=application.mpp_id, kind=kind, data=data)


@status_changed.connect
def _on_status_changed(application: Application, event: StatusEvent, **_extra) -> None:
    record_event(application, event)


# --- complaints and queue bookings (their capabilities send the signal; they never import this module) ----------------


def record_complaint(complaint, event) -> list[WebhookMessage]:
    """A complaint forwarded to an agency, and every later move of it, for that agency's systems (not before: the
    MPP's complaint admin verifies first). Only the number, kind and state: never the complainant (a confidential or
    anonymous complaint stays so) nor the text."""
    from ..feedback.models import ComplaintStatus as C

    if complaint.agency_id is None or event.from_status is None:
        return []
    to_status = C(event.to_status)
    if to_status == C.FORWARDED:
        kind = WebhookEvent.COMPLAINT_FORWARDED
    elif C(event.from_status) in (C.FORWARDED, C.FOLLOWED_UP, C.ANSWERED, C.CLOSED):
        kind = WebhookEvent.COMPLAINT_STATUS_CHANGED  # the agency hears of a complaint only once it was forwarded
    else:
        return []
    with db.session.no_autoflush:
        mpp = db.session.get(Mpp, complaint.mpp_id)
        data = {
            "number": complaint.number,
            "kind": str(complaint.kind),
            "status": to_status.value,
            "mpp": mpp.slug if mpp else None,
            "url": f"/petugas/pengaduan/{complaint.number}",
        }
    return _announce(agency_id=complaint.agency_id, mpp_id=complaint.mpp_id, kind=kind, data=data)


BOOKING_KINDS = {
    "confirmed": WebhookEvent.BOOKING_CREATED,
    "cancelled": WebhookEvent.BOOKING_CANCELLED,
    "checked_in": WebhookEvent.BOOKING_CHECKED_IN,
}


def record_booking(booking, kind: str) -> list[WebhookMessage]:
    """A queue booking made, cancelled or checked in at one of the agency's counters. The booking code (what the
    counter types at check-in), service, MPP and slot; never the visitor's NIK or name."""
    event = BOOKING_KINDS.get(kind)
    if event is None:
        return []
    with db.session.no_autoflush:
        tenancy = db.session.get(Tenancy, booking.tenancy_id)
        mpp = db.session.get(Mpp, booking.mpp_id)
        service = db.session.get(Service, booking.service_id)
        data = {
            "code": booking.code,
            "status": {"confirmed": "dikonfirmasi", "cancelled": "dibatalkan", "checked_in": "hadir"}[kind],
            "service": service.slug if service else None,
            "mpp": mpp.slug if mpp else None,
            "slot_start": booking.slot_start.isoformat() if booking.slot_start else None,
            "slot_end": booking.slot_end.isoformat() if booking.slot_end else None,
            "queue_number": booking.queue_number if kind == "checked_in" else None,
        }
    return _announce(agency_id=tenancy.agency_id if tenancy else None, mpp_id=booking.mpp_id, kind=event, data=data)


def _connect_other_capabilities() -> None:
    """Listen to the complaint and queue signals when those capabilities are installed (as the survey does)."""
    try:
        from ..feedback.complaint_flow import complaint_status_changed
    except ImportError:
        pass
    else:
        complaint_status_changed.connect(_on_complaint_changed)
    try:
        from ..queue.events import booking_changed
    except ImportError:
        pass
    else:
        booking_changed.connect(_on_booking_changed)


def _on_complaint_changed(complaint, event=None, **_extra) -> None:
    if event is not None:
        record_complaint(complaint, event)


def _on_booking_changed(booking, kind: str = "", **_extra) -> None:
    record_booking(booking, kind)


_connect_other_capabilities()


# --- enqueue after commit (as the notification outbox does) ----------------------------------------------------------

_NEW = "mpp_new_webhook_ids"


@sa_event.listens_for(Session, "after_flush")
def _remember_new(session, _flush_context) -> None:
    ids = [obj.id for obj in session.new if isinstance(obj, WebhookMessage)]
    if ids:
        session.info.setdefault(_NEW, set()).update(ids)


@sa_event.listens_for(Session, "after_commit")
def _enqueue_committed(session) -> None:
    ids = session.info.pop(_NEW, None)
    if not ids or not has_app_context() or EXTENSION not in current_app.extensions:
        return
    for message_pk in sorted(ids):
        enqueue(message_pk)


@sa_event.listens_for(Session, "after_rollback")
def _forget(session) -> None:
    session.info.pop(_NEW, None)


@dataclass
class Jobs:
    deliver: object
    sweep: object


def register_jobs(app: Flask) -> None:
    """The two jobs, on the app's one huey queue (notifications/worker.py)."""
    from huey import crontab

    from ..notifications.worker import jobs

    huey = jobs(app).huey

    @huey.task(name="webhooks.deliver")
    def deliver_task(message_pk: int) -> None:
        with app.app_context():
            outcome = deliver(message_pk)
            if outcome.status == "retry" and outcome.next_attempt_at is not None:
                enqueue(message_pk, at=outcome.next_attempt_at)

    @huey.periodic_task(crontab(minute="*"), name="webhooks.sweep")
    def sweep_task() -> None:
        with app.app_context():
            for message_pk in due_message_ids():
                enqueue(message_pk)

    app.extensions[EXTENSION] = Jobs(deliver=deliver_task, sweep=sweep_task)


def enqueue(message_pk: int, *, at: dt.datetime | None = None) -> None:
    state: Jobs = current_app.extensions[EXTENSION]
    try:
        if at is None:
            state.deliver(message_pk)
        else:
            state.deliver.schedule(args=(message_pk,), delay=max(0.0, (at - utcnow()).total_seconds()))
    except Exception:  # the queue is down: the row is in the database, the sweep will find it
        log.exception("could not enqueue webhook message %s; the sweep will retry", message_pk)


def due_message_ids(*, now: dt.datetime | None = None, limit: int = 500) -> list[int]:
    cutoff = (now or utcnow()) - SWEEP_GRACE
    return list(
        db.session.scalars(
            select(WebhookMessage.id)
            .where(WebhookMessage.status == DeliveryStatus.PENDING, WebhookMessage.next_attempt_at <= cutoff)
            .order_by(WebhookMessage.next_attempt_at)
            .limit(limit)
        )
    )


# --- delivering ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    status: str  # skipped | sent | retry | failed
    next_attempt_at: dt.datetime | None = None


def claim(message_pk: int, *, now: dt.datetime) -> bool:
    result = db.session.execute(
        update(WebhookMessage)
        .where(
            WebhookMessage.id == message_pk,
            WebhookMessage.status == DeliveryStatus.PENDING,
            WebhookMessage.next_attempt_at <= now,
        )
        .values(attempts=WebhookMessage.attempts + 1, next_attempt_at=now + LEASE)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def _session():
    from ..notifications.push import checked_session
    from ..notifications.subscriptions import allow_loopback

    return checked_session(allow_loopback=allow_loopback())


def post(endpoint: WebhookEndpoint, message: WebhookMessage, now: dt.datetime) -> tuple[int | None, str | None]:
    """One signed POST. Returns (status code or None, error or None)."""
    import requests

    from ..security import BlockedDestination

    timestamp = int(now.timestamp())
    headers = {
        "content-type": "application/json",
        "user-agent": "MPP-Digital-Webhooks/1",
        "webhook-id": message.message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature_header(endpoint, message.message_id, timestamp, message.body, now),
    }
    session = _session()
    try:
        response = session.post(endpoint.url, data=message.body.encode(), headers=headers, timeout=TIMEOUT_SECONDS)
    except BlockedDestination as error:
        return None, f"alamat ditolak: {error}"
    except requests.RequestException as error:
        return None, f"tidak terhubung: {type(error).__name__}"
    finally:
        session.close()
    if 200 <= response.status_code < 300:
        return response.status_code, None
    if 300 <= response.status_code < 400:
        return response.status_code, "pengalihan (redirect) tidak diikuti"
    return response.status_code, f"penerima menjawab {response.status_code}"


def deliver(message_pk: int, *, now: dt.datetime | None = None) -> Outcome:
    now = now or utcnow()
    if not claim(message_pk, now=now):
        return Outcome("skipped")
    message = db.session.get(WebhookMessage, message_pk)
    endpoint = message.endpoint
    if endpoint.disabled_at is not None:
        message.status = DeliveryStatus.FAILED
        message.last_error = "endpoint dinonaktifkan"
        db.session.commit()
        return Outcome("failed")
    status_code, error = post(endpoint, message, now)
    db.session.add(WebhookAttempt(message_id=message.id, attempted_at=utcnow(), status_code=status_code, error=error))
    if error is None:
        message.status = DeliveryStatus.SENT
        message.delivered_at = utcnow()
        message.last_error = None
        db.session.commit()
        return Outcome("sent")
    message.last_error = error[:1000]
    if message.attempts >= MAX_ATTEMPTS:
        message.status = DeliveryStatus.FAILED
        _disable(endpoint, reason=error)
        db.session.commit()
        _tell_admins(endpoint)
        return Outcome("failed")
    message.next_attempt_at = now + SCHEDULE[min(message.attempts, len(SCHEDULE)) - 1]
    db.session.commit()
    return Outcome("retry", next_attempt_at=message.next_attempt_at)


def _disable(endpoint: WebhookEndpoint, *, reason: str) -> None:
    if endpoint.disabled_at is None:
        endpoint.disabled_at = utcnow()
        endpoint.disabled_reason = f"Gagal terkirim selama sekitar 3 hari: {reason}"[:1000]


def _tell_admins(endpoint: WebhookEndpoint) -> None:
    """The MPP's administrators learn that an agency system stopped receiving (the failure is never silent)."""
    from ..accounts.mail import MailError, send
    from ..accounts.models import User

    token = endpoint.token
    mpp_ids = [mpp.id for mpp in token.mpps]
    admins = db.session.scalars(
        select(User)
        .join(StaffAssignment, StaffAssignment.user_id == User.id)
        .where(StaffAssignment.role == StaffRole.MPP_ADMIN, StaffAssignment.mpp_id.in_(mpp_ids))
        .distinct()
    ).all()
    for admin in admins:
        try:
            send(
                to=admin.email,
                subject=f"Webhook {token.name} dinonaktifkan",
                body=(
                    f"Webhook sistem instansi “{token.name}” ke {endpoint.url} tidak dapat menerima kiriman selama "
                    "sekitar 3 hari, sehingga dinonaktifkan. Permohonan tetap dapat dibaca lewat API.\n\n"
                    f"Alasan terakhir: {endpoint.disabled_reason}\n\n"
                    "Setelah penerima diperbaiki, kirim ulang pesan yang gagal dari halaman Admin → Integrasi; "
                    "webhook aktif kembali."
                ),
                what="webhook disabled",
            )
        except MailError:
            log.warning("could not e-mail admin %s about disabled webhook %s", admin.id, endpoint.id)
    db.session.commit()  # the e-mails are queued rows (accounts/mail.py); the worker sends them


def resend(message: WebhookMessage) -> None:
    """A person asks to try again: attempts start from zero and the endpoint is switched back on. Commits."""
    endpoint = message.endpoint
    endpoint.disabled_at = None
    endpoint.disabled_reason = None
    message.status = DeliveryStatus.PENDING
    message.attempts = 0
    message.next_attempt_at = utcnow()
    message.last_error = None
    db.session.commit()
    if EXTENSION in current_app.extensions:
        enqueue(message.id)


def rotate_secret(endpoint: WebhookEndpoint) -> str:
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = utcnow() + ROTATION_OVERLAP
    endpoint.secret = new_secret()
    db.session.commit()
    return endpoint.secret
