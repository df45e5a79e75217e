"""Where the visitor is, for the signed-in tab bar and the header: which section's tab is the current one.

The answer depends on the path only (never on who is looking), so a public page that carries the tab bar can still
be cached and shared by every visitor of the same role (app/pagecache.py keys on path and role).
"""

from __future__ import annotations

from flask import Flask, request

# path prefix → tab; the first match wins. "/" alone is Beranda: the catalog under it is not "home".
SECTIONS = (
    ("/permohonan", "permohonan"),
    ("/notifikasi", "notifikasi"),
    ("/akun", "akun"),
    ("/petugas", "petugas"),
)


def tab_section(path: str | None = None) -> str | None:
    """The tab to mark ``aria-current="page"`` for ``path`` (the request's by default), or None."""
    path = request.path if path is None else path
    if path == "/":
        return "beranda"
    for prefix, section in SECTIONS:
        if path == prefix or path.startswith(prefix + "/"):
            return section
    return None


def init_app(app: Flask) -> None:
    app.jinja_env.globals["tab_section"] = tab_section
