"""htmx on top of plain HTML: when to answer with a fragment instead of the whole page.

Every htmx-enhanced view also works as a normal page. A fragment is returned only for a *non-boosted,
non-history-restore* htmx request; boosted navigation and history restores get the full page. ``Vary: HX-Request``
is set (in security.py) so caches never mix the two.
"""

from __future__ import annotations

from flask import render_template, request

from .extensions import htmx


def wants_fragment() -> bool:
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render(template: str, *, fragment: str | None = None, **context) -> str:
    """Render ``fragment`` (a partial template the page itself includes) for htmx, else the full ``template``."""
    if fragment and wants_fragment():
        return render_template(fragment, **context)
    return render_template(template, **context)


def hx_target() -> str | None:
    return request.headers.get("HX-Target")
