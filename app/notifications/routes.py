"""Notifikasi: the inbox (/notifikasi) and this account's devices (/akun/notifikasi). The admins' page of failed
deliveries reads the outbox from the back office (backoffice/deliveries.py): delivery code knows no staff scope.

Thin views: find the object through its owner, call one use case, answer 303 (or the htmx fragment). Nothing here
talks to a push service — the worker does (delivery.py).

The unread count in the header is fetched by the page (``/notifikasi/jumlah``, JSON, no-store), never rendered
into the HTML: the header is part of public pages the service worker keeps for offline reading, and a count baked
into them would be personal data in a shared cache — and stale the moment a push arrives.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..hypermedia import render
from ..personal import privacy
from ..routing import id_arg
from ..security import read_json
from . import inbox, subscriptions, vapid

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
