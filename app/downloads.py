"""Sending a stored file (a result PDF, a citizen's document) to the one person allowed to have it.

Always as a download (never displayed in our origin), never kept by a cache on a shared phone or counter computer,
and a file missing from storage is a logged 404, not a 500.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import BinaryIO

from flask import abort, current_app, send_file


def attachment(open_file: Callable[[], BinaryIO], *, mimetype: str, filename: str):
    try:
        handle = open_file()
    except FileNotFoundError:
        current_app.logger.error("stored file missing from storage (download name %s)", filename)
        abort(404)
    response = send_file(
        handle, mimetype=mimetype, as_attachment=True, download_name=filename, conditional=False, etag=False
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
