"""Language choice: Bahasa Indonesia by default, English available, the choice remembered in a cookie."""

from __future__ import annotations

from flask import has_request_context, request
from flask_babel import _get_current_context, get_locale, get_translations

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


def _translations():
    """This request's translations, as ``flask_babel.get_translations()`` returns them, remembered for the locale
    in force. Every ``_()`` in a template asked Flask-Babel again: several context-local reads and the locale's
    identifier built anew (16–39 µs a call; an inbox page has over a hundred). ``force_locale`` (a page prepared
    in another language, a notice in the recipient's) swaps the locale object, so the remembered one then misses."""
    ctx = _get_current_context()
    locale = getattr(ctx, "babel_locale", None) if ctx is not None else None
    if locale is None:
        return get_translations()  # the locale is not chosen yet, or outside a request
    kept = getattr(ctx, "mpp_translations", None)
    if kept is not None and kept[0] is locale:
        return kept[1]
    translations = get_translations()
    ctx.mpp_translations = (locale, translations)
    return translations


def install_template_gettext(app) -> None:
    """Templates' ``_``/``gettext``/``ngettext`` through ``_translations`` (same newstyle semantics as Flask-Babel's
    own install: markup-safe, values escaped)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
    )
