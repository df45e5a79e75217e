"""Language choice: Bahasa Indonesia by default, English available, the choice remembered in a cookie."""

from __future__ import annotations

from flask import has_request_context, request
from flask_babel import get_locale

LANGUAGES = {"id": "Bahasa Indonesia", "en": "English"}
DEFAULT_LANGUAGE = "id"
LANGUAGE_COOKIE = "bahasa"


def select_locale() -> str:
    """The visitor's language. Outside a request (CLI, the delivery worker) the default; such code sets the
    recipient's language itself with ``flask_babel.force_locale``."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    return language_of(request.cookies)


def language_of(cookies) -> str:
    """The language a request's cookies choose (the page cache's front door decides with this too, before Flask)."""
    chosen = cookies.get(LANGUAGE_COOKIE)
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE


def current_language() -> str:
    return str(get_locale() or DEFAULT_LANGUAGE)
