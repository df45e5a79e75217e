"""Routes: the offline form page (served by the service worker in place of an apply page) and a CSRF token."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from ..security import public_page
from .device import current_account_key, messages

bp = Blueprint("device_drafts", __name__)


@bp.app_context_processor
def _drafts_context() -> dict:
    return {"device_account_key": current_account_key, "device_draft_messages": messages}


@bp.get("/luring/formulir")
@public_page
def offline_form():
    """The apply flow when the network is gone.

    Apply pages show personal data, so the service worker never stores them (a shared phone). Instead it keeps
    this page — the same for everyone, no personal data — and serves it when an apply page cannot be loaded.
    drafts.js then draws the step from what the device kept when it was last shown online: the form's definition
    as rendered (labels, hints, options) and the answers, both in IndexedDB tagged with the account. Nothing
    typed is lost, and nothing personal ever sits in the HTTP cache.
    """
    return render_template("device_drafts/offline_form.html")


@bp.get("/luring/token")
def csrf_token():
    """A CSRF token for the current session, for syncing a draft or sending a queued submission.

    The token in a page left open overnight belongs to a session that may have idled out or been rotated by a new
    sign-in; the device asks for a fresh one just before it sends. Same-origin only (no CORS), never cached.
    """
    if not current_user.is_authenticated:
        # Nothing can be synced without a session, and creating one here would be harmful: the answer's
        # Set-Cookie (a fresh anonymous session) can land after a sign-in that happened meanwhile in the page and
        # silently sign the citizen out again. So no token, no session write: the device shows "sign in again".
        response = jsonify(csrf_token=None, account=None)
        response.status_code = 401
    else:
        response = jsonify(csrf_token=generate_csrf(), account=current_account_key() or None)
    response.headers["Cache-Control"] = "no-store"
    return response
