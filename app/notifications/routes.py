"""Notifikasi: the inbox (/notifikasi), this account's devices (/akun/notifikasi), and failed deliveries for admins.

Thin views: find the object through its owner, call one use case, answer 303 (or the htmx fragment). Nothing here
talks to a push service — the worker does (delivery.py).

The unread count in the header is fetched by the page (``/notifikasi/jumlah``, JSON, no-store), never rendered
into the HTML: the header is part of public pages the service worker keeps for offline reading, and a count baked
into them would be personal data in a shared cache — and stale the moment a push arrives.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from ..accounts import mail
from ..accounts.models import Role
from ..applications.models import Application
from ..backoffice.scope import current_scope, staff_required
from ..extensions import db
from ..hypermedia import render
from ..personal import privacy
from ..routing import id_arg
from ..security import read_json
from . import delivery, inbox, subscriptions, vapid, worker
from . import email as email_outbox
from .models import EmailOutbox, Notification, OutboxMessage, OutboxStatus

bp = Blueprint("notifications", __name__)


def _user():
    return current_user._get_current_object()


def _private_json(payload: dict, status: int = 200):
    response = jsonify(payload)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


# --- inbox ----------------------------------------------------------------------------------------------------------


@bp.get("/notifikasi")
@login_required
def index():
    before = id_arg("sebelum")
    rows, next_before = inbox.page_of(_user(), before_id=before)
    return render(
        "notifications/inbox.html",
        fragment="notifications/_list.html",
        notifications=rows,
        next_before=next_before,
        unread=inbox.unread_count(_user()),
        paged=before is not None,
    )


@bp.get("/notifikasi/jumlah")
def unread():
    """The header badge. Anonymous visitors get 0 (the header script only asks when signed in)."""
    if not current_user.is_authenticated:
        return _private_json({"unread": 0})
    return _private_json({"unread": inbox.unread_count(_user())})


@bp.post("/notifikasi/<int:notification_id>/baca")
@login_required
def mark_read(notification_id: int):
    notification = inbox.mark_read(_user(), notification_id)
    if notification is None:
        abort(404)
    if request.headers.get("HX-Request") and not request.headers.get("HX-Boosted"):
        return render("notifications/_item.html", fragment="notifications/_item.html", notification=notification)
    return redirect(url_for("notifications.index"), code=303)


@bp.post("/notifikasi/baca-semua")
@login_required
def mark_all_read():
    count = inbox.mark_all_read(_user())
    if count:
        flash(_("All notifications are marked as read."), "success")
    return redirect(url_for("notifications.index"), code=303)


# --- devices --------------------------------------------------------------------------------------------------------


@bp.app_template_global("notifications_consented")
def notifications_consented() -> bool:
    """For the opt-in box on other capabilities' pages: whether the signed-in citizen's "notifikasi" consent is in
    force. Without it the server holds none of their devices, even if this browser still has a subscription."""
    return current_user.is_authenticated and privacy.has_consent(_user(), privacy.NOTIFICATIONS)


@bp.get("/akun/notifikasi")
@login_required
def devices():
    return render(
        "notifications/devices.html",
        devices=subscriptions.my_subscriptions(_user()),
        push_available=vapid.current_keys() is not None,
        consent=privacy.active_consent(_user(), privacy.NOTIFICATIONS),
    )


@bp.post("/akun/notifikasi/langganan")
@login_required
def subscribe():
    """JSON from push.js: this browser's subscription. Refusals come back as JSON with an Indonesian message."""
    if vapid.current_keys() is None:
        return _private_json({"error": _("Notifications are not available on this server.")}, 503)
    if (request.content_length or 0) > subscriptions.MAX_BODY_BYTES:
        return _private_json({"error": str(subscriptions.MSG_TOO_LARGE)}, 413)
    data = read_json(max_bytes=subscriptions.MAX_BODY_BYTES)
    try:
        info = subscriptions.parse_subscription(data, production=subscriptions.production())
    except subscriptions.InvalidSubscription as invalid:
        return _private_json({"error": str(invalid.message)}, 400)
    try:
        row = subscriptions.save_subscription(_user(), info, user_agent=request.headers.get("User-Agent"))
    except subscriptions.EndpointTaken as taken:
        return _private_json({"error": str(taken.message), "renew": True}, 409)
    return _private_json({"id": row.id, "device": row.device_label}, 201)


@bp.post("/akun/notifikasi/langganan/hapus")
@login_required
def unsubscribe():
    """JSON from push.js after ``subscription.unsubscribe()`` on this browser: forget its endpoint."""
    data = read_json(max_bytes=subscriptions.MAX_BODY_BYTES)
    endpoint = data.get("endpoint") if isinstance(data, dict) else None
    if not isinstance(endpoint, str) or len(endpoint) > subscriptions.MAX_ENDPOINT_LENGTH:
        return _private_json({"error": str(subscriptions.MSG_ENDPOINT)}, 400)
    subscriptions.remove_endpoint(_user(), endpoint)
    return _private_json({"removed": True})


@bp.post("/akun/notifikasi/<int:subscription_id>/matikan")
@login_required
def turn_off_device(subscription_id: int):
    if not subscriptions.remove_subscription(_user(), subscription_id):
        abort(404)
    flash(_("Notifications are turned off for that device."), "success")
    return redirect(url_for("notifications.devices"), code=303)


@bp.post("/akun/notifikasi/uji")
@login_required
def send_test():
    user = _user()
    if not subscriptions.my_subscriptions(user):
        flash(str(inbox.MSG_TEST_NO_DEVICE), "warning")
    else:
        inbox.send_test(user, url=url_for("notifications.index"))
        flash(str(inbox.MSG_TEST_QUEUED), "success")
    return redirect(url_for("notifications.devices"), code=303)


# --- failed deliveries, for admins ----------------------------------------------------------------------------------

ADMINS = (Role.MPP_ADMIN, Role.NATIONAL_ADMIN)
FAILED_LIMIT = 200


def _failed_in_scope() -> list[tuple[OutboxMessage, Notification, Application | None]]:
    """Failed messages an admin may see: national admins all, an MPP admin those about its MPP's applications.
    Only the facts needed to act are shown — kind, application number, error — not the citizen's notice text."""
    scope = current_scope()
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


def _email_log() -> list[EmailOutbox]:
    """The e-mail delivery log, for national admins only: an e-mail is tied to a person, not to one MPP, so an MPP
    admin has no scope to see it in. Failed ones first, then those still being retried; never the body."""
    if not current_scope().national:
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


@bp.get("/petugas/notifikasi-gagal")
@staff_required(*ADMINS)
def failed():
    return render(
        "notifications/failed.html",
        rows=_failed_in_scope(),
        national=current_scope().national,
        emails=_email_log(),
        mask_address=mail.mask_address,
        email_kind=email_kind,
    )


@bp.post("/petugas/notifikasi-gagal/email/<int:email_id>/ulang")
@staff_required(*ADMINS)
def retry_email(email_id: int):
    if not current_scope().national:
        abort(404)
    if email_outbox.retry_failed(email_id):
        worker.enqueue_email(email_id)
        flash(_("The e-mail will be sent again."), "success")
    return redirect(url_for("notifications.failed"), code=303)


@bp.post("/petugas/notifikasi-gagal/<int:outbox_id>/ulang")
@staff_required(*ADMINS)
def retry(outbox_id: int):
    if outbox_id not in {message.id for message, _n, _a in _failed_in_scope()}:
        abort(404)
    if delivery.retry_failed(outbox_id):
        worker.enqueue_delivery(outbox_id)
        flash(_("The notification will be sent again."), "success")
    return redirect(url_for("notifications.failed"), code=303)
