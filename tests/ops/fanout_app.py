"""tests/ops/scale_app.py's web process, telling the test what each answer cost the database: ``X-Test-Statements``
(SQL statements run while the request was handled, after-request hooks included) and ``X-Test-Checkouts``
(connections taken from the pool). Only the tests start it (gunicorn ``tests.ops.fanout_app:create()``)."""

from __future__ import annotations

from flask import g, has_request_context
from sqlalchemy import event

from app.extensions import db

from .scale_app import create as create_scale_app


def create():
    app = create_scale_app()
    with app.app_context():
        engine = db.engine

    def count(name: str) -> None:
        if has_request_context():
            setattr(g, name, g.get(name, 0) + 1)

    event.listen(engine, "before_cursor_execute", lambda *_args, **_kwargs: count("test_statements"))
    event.listen(engine, "checkout", lambda *_args: count("test_checkouts"))

    def report(response):
        response.headers["X-Test-Statements"] = str(g.get("test_statements", 0))
        response.headers["X-Test-Checkouts"] = str(g.get("test_checkouts", 0))
        return response

    # Flask runs after-request functions last-registered first: at the front of the list this one runs last and
    # counts what every other one did.
    app.after_request_funcs.setdefault(None, []).insert(0, report)
    return app
