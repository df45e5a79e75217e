"""MPP Digital — the app factory. Read top to bottom: config, extensions, security, blueprints, CLI."""

from __future__ import annotations

import importlib
import logging

from flask import Flask
from jinja2 import StrictUndefined
from werkzeug.middleware.proxy_fix import ProxyFix

from . import assets, formatting, navigation, pagecache, routing, security
from .config import PROJECT_ROOT, load_config
from .extensions import babel, compress, csrf, db, htmx, limiter, login_manager, migrate
from .i18n import LANGUAGES, current_language, install_template_gettext, select_locale
from .request_cycle import MPPFlask

# Each capability is a package with a `routes.bp` blueprint (and optionally `cli.register(app)`).
BLUEPRINTS = [
    "site",
    "catalog",
    "accounts",
    "pwa",
    "personal",
    "device_drafts",
    "applications",
    "backoffice",
    "results",
    "admin",
    "notifications",
    "feedback",
    "api",
    "integrations",
    "queue",
    "ops",
    "frontdesk",
    "kiosk",
]


def create_app(test_config: dict | None = None) -> Flask:
    app = MPPFlask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.update(load_config())
    if test_config:
        app.config.update(test_config)
    if app.config.get("TESTING"):
        app.jinja_env.undefined = StrictUndefined  # fail loudly on a missing template variable
    logging.basicConfig(level=logging.INFO)

    from . import database, models  # noqa: F401  (SQLite connection pragmas; every table in the metadata)

    db.init_app(app)
    database.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    babel.init_app(app, locale_selector=select_locale)
    install_template_gettext(app)
    csrf.init_app(app)
    htmx.init_app(app)
    compress.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.sign_in"
    # Sessions are server-side rows with their own timeouts and re-authentication (accounts/sessions.py).
    # Flask-Login's own "session protection" only flips a `_fresh` flag we never read, and doing so rewrites the
    # cookie of anonymous sessions — a write that can race with a sign-in in another tab and undo it.
    login_manager.session_protection = None

    routing.init_app(app)
    security.init_app(app)
    pagecache.init_app(app)
    formatting.init_app(app)
    assets.init_app(app)
    navigation.init_app(app)  # the signed-in tab bar's current section
    app.jinja_env.globals["languages"] = LANGUAGES
    app.jinja_env.globals["current_language"] = current_language

    for name in BLUEPRINTS:
        package = importlib.import_module(f".{name}.routes", __name__)
        app.register_blueprint(package.bp)
        try:
            cli = importlib.import_module(f".{name}.cli", __name__)
        except ModuleNotFoundError as error:
            if error.name != f"{__name__}.{name}.cli":
                raise
        else:
            cli.register(app)

    from .site.routes import register_error_handlers

    register_error_handlers(app)
    if app.config.get("PROXY_COUNT"):
        # Behind the national profile's load balancer: the client's IP (rate limits are keyed on it) and https
        # (the Origin check compares against it) come from the trusted hops of X-Forwarded-For/-Proto. Host is
        # not taken from X-Forwarded-Host, which a client could forge: the proxy must pass Host through as-is.
        # Wrapped last, so it is outermost: the page cache's front door (pagecache_front.py) sees the same.
        hops = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    return app
