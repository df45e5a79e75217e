"""URL values a database can hold.

Integers in paths and query strings are row ids. Our id columns are `Integer`: signed 32-bit on PostgreSQL (SQLite
holds 64 bits). A larger number typed into a URL would otherwise reach the driver and fail there ("integer out of
range" on PostgreSQL, OverflowError past 64 bits) — a 500. Such a URL simply names nothing: it is a 404 (path) or
ignored (query). schemathesis found the 32-bit case on the API.
"""

from __future__ import annotations

from flask import request
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # the largest PostgreSQL `integer`, the type of every id column


class IdConverter(IntegerConverter):
    """`<int:…>` for the whole app: non-negative and at most MAX_ID, else the route does not match (404)."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 - werkzeug's signature
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def id_arg(name: str) -> int | None:
    """An id from the query string, or None when it is missing, not a number or out of range."""
    value = request.args.get(name, type=int)
    return value if value is not None and 0 <= value <= MAX_ID else None


def init_app(app) -> None:
    # Must run before any blueprint is registered: rules bind their converters when they are added.
    app.url_map.converters["int"] = IdConverter
