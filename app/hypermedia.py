"""htmx on top of plain HTML: when to answer with a fragment instead of the whole page.

Every htmx-enhanced view also works as a normal page. A fragment is returned only for a *non-boosted,
non-history-restore* htmx request; boosted navigation and history restores get the full page. ``Vary: HX-Request``
is set (in security.py) so caches never mix the two.
"""

from __future__ import annotations

from flask import render_template, request


def wants_fragment() -> bool:
    return fragment_requested(request.headers)


def fragment_requested(headers) -> bool:
    """An htmx request that is neither boosted nor a history restore (Flask-HTMX's reading of the same headers)."""
    return (
        headers.get("HX-Request") == "true"
        and headers.get("HX-Boosted") != "true"
        and headers.get("HX-History-Restore-Request") != "true"
    )


def render(template: str, *, fragment: str | None = None, **context) -> str:
    """Render ``fragment`` (a partial template the page itself includes) for htmx, else the full ``template``."""
    if fragment and wants_fragment():
        return render_template(fragment, **context)
    return render_template(template, **context)


def hx_target() -> str | None:
    return request.headers.get("HX-Target")
