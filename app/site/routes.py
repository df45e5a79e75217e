from __future__ import annotations

from flask import Blueprint, g, jsonify, redirect, render_template, request
from flask_babel import gettext as _
from sqlalchemy import text
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException

from ..extensions import db, login_manager
from ..i18n import LANGUAGE_COOKIE, LANGUAGES
from ..security import safe_next, set_cookie
from ..storage import StoredFileCorrupted

bp = Blueprint("site", __name__)


@bp.get("/healthz")
def healthz():
    """For the load balancer and the operator: is this node able to reach its database?"""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")


@bp.get("/bahasa/<kode>")
def set_language(kode: str):
    """Remember the chosen language for a year, then go back to the page the visitor was on.

    A plain link, not a form: it only sets a display preference (nothing a cross-site request could abuse), and
    it keeps every public page free of CSRF tokens, so browsing anonymously never creates a session. That matters:
    a session cookie set by one request (a page, the service worker's precache) can race with another and undo a
    sign-in or invalidate the token of the form the citizen is filling in.
    """
    language = kode
    response = redirect(safe_next(request.args.get("next")), code=303)
    response.headers["Cache-Control"] = "no-store"
    if language in LANGUAGES:
        set_cookie(response, LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600)
    return response


def _error_page(status: int, title: str, message: str):
    return render_template("errors/error.html", status=status, title=title, message=message), status


def register_error_handlers(app) -> None:
    @app.errorhandler(404)
    def not_found(error):
        return _error_page(404, _("Page not found"), _("The page you are looking for does not exist or has moved."))

    @app.errorhandler(OperationalError)
    def database_unavailable(error):
        # A database restart or failover takes seconds: tell clients and the load balancer when to come back.
        headers = {"Retry-After": "30"}
        try:
            db.session.rollback()
        except SQLAlchemyError:
            db.session.remove()  # the connection is gone with the server; the pool makes a new one next time
        app.logger.error("database unavailable: %s", error.__class__.__name__)
        # The page is drawn as for a visitor: the signed-in user may be exactly what could not be loaded, and
        # asking the database again while it is away would turn this answer into a 500.
        g._login_user = login_manager.anonymous_user()
        try:
            body, status = _error_page(
                503,
                _("Service temporarily unavailable"),
                _("We cannot reach our data right now. Please try again in a few minutes."),
            )
        except SQLAlchemyError:
            body, status = _("We cannot reach our data right now. Please try again in a few minutes."), 503
            headers["Content-Type"] = "text/plain; charset=utf-8"
        return body, status, headers

    @app.errorhandler(StoredFileCorrupted)
    def stored_file_corrupted(error):
        # Logged where it was found (app/storage.py); the person is told what happened instead of getting bytes
        # that are not the ones accepted.
        return _error_page(
            500,
            _("File damaged"),
            _(
                "This file is damaged in our storage and was not sent. The fault has been recorded; please contact "
                "the MPP so that the document can be uploaded again."
            ),
        )

    @app.errorhandler(HTTPException)
    def http_error(error):
        if error.code == 404:
            return not_found(error)
        if error.code and error.code < 500:
            return _error_page(error.code, _("Request cannot be processed"), _("Please go back and try again."))
        return _error_page(500, _("Something went wrong"), _("Sorry, our mistake. Please try again shortly."))

    @app.errorhandler(500)
    def server_error(error):
        return _error_page(500, _("Something went wrong"), _("Sorry, our mistake. Please try again shortly."))
