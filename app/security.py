"""Security in one place: headers, the per-request CSP nonce, cookie policy, CSRF origin check, safe redirects,
and which pages a service worker may keep for offline reading.
"""

from __future__ import annotations

import secrets
from functools import wraps
from urllib.parse import urlsplit

from flask import Flask, current_app, g, request
from flask_wtf.csrf import CSRFError, generate_csrf

# Only these responses may be stored by the service worker for offline reading. Everything else (any page that
# can show personal data) is `Cache-Control: no-store` and never cached on a possibly shared phone.
OFFLINE_HEADER = "X-MPP-Offline"


def csp_nonce() -> str:
    """The nonce of this request; every <script> carries it. Generated lazily, once per request."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


# A shared copy of a public page (pagecache.py) holds these stand-ins where this request's nonce and CSRF token
# were. They are random per process, so no text a visitor can get into a page (a search query shown back) can
# ever be turned into a live nonce or token when the copy is served.
_NONCE_STAND_IN = "mpp-nonce-" + secrets.token_hex(16)
_CSRF_STAND_IN = "mpp-csrf-" + secrets.token_hex(16)


def _csrf_token_of_request() -> str | None:
    """The signed CSRF token rendered into this response, if the page asked for one (Flask-WTF keeps it in g)."""
    return g.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))


def shareable_html(html: str) -> str:
    """This response's HTML with the two per-request secrets taken out, so the copy can be served to others.

    The nonce and the CSRF token are the only parts of a public page that must never be shared between visitors:
    a replayed nonce weakens the CSP to "any script that once carried it", and a CSRF token belongs to one session.
    Both are random strings (no HTML escaping applies), so a plain replace finds every place they were rendered.
    """
    if nonce := g.get("csp_nonce"):
        html = html.replace(nonce, _NONCE_STAND_IN)
    if token := _csrf_token_of_request():
        html = html.replace(token, _CSRF_STAND_IN)
    return html


def personal_html(shared: str) -> str:
    """A shared copy made this request's own: a fresh nonce (the same one the CSP header will carry, since both come
    from csp_nonce()) and this session's CSRF token. A token is only made when the page has a form, as rendering
    the page itself would."""
    html = shared.replace(_NONCE_STAND_IN, csp_nonce())
    if _CSRF_STAND_IN in html:
        html = html.replace(_CSRF_STAND_IN, generate_csrf())
    return html


def content_security_policy(nonce: str) -> str:
    # Strict: no inline script or style, no eval, nothing from another origin. htmx is configured through a
    # <meta name="htmx-config"> (allowEval=false, includeIndicatorStyles=false) so it needs neither.
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self'",
            "img-src 'self' data: blob:",
            "font-src 'self'",
            "connect-src 'self'",
            "manifest-src 'self'",
            "worker-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def public_page(view):
    """Mark a view whose HTML holds no personal data, so the service worker may keep it for offline reading."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        g.offline_public = True
        return view(*args, **kwargs)

    return wrapper


def is_safe_redirect(target: str | None) -> bool:
    """Only same-site relative paths: no scheme, no host, no protocol-relative `//evil`, no backslash tricks."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_next(target: str | None, default: str = "/") -> str:
    return target if is_safe_redirect(target) else default


def _same_origin(value: str, host_url: str) -> bool:
    a, b = urlsplit(value), urlsplit(host_url)
    return (a.scheme, a.netloc) == (b.scheme, b.netloc)


def check_request_origin() -> None:
    """Refuse a cross-site unsafe request even before the CSRF token is looked at.

    Tokens have no time limit (offline drafts are synced days later), so the Origin (or Referer) header is the
    second line of defence. Browsers send Origin on every POST; a request with neither header comes from a
    non-browser client, which the token alone protects.
    """
    if request.method in ("GET", "HEAD", "OPTIONS", "TRACE"):
        return
    if request.path.startswith("/api/"):
        return  # machine clients authenticate with tokens, not cookies
    origin = request.headers.get("Origin") or request.headers.get("Referer")
    if origin and origin != "null" and not _same_origin(origin, request.host_url):
        raise CSRFError("Permintaan berasal dari situs lain.")


def set_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy(csp_nonce()))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
    headers.setdefault(
        "Permissions-Policy",
        "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
    )
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")

    if response.mimetype == "text/html":
        if g.get("offline_public") and response.status_code == 200:
            headers[OFFLINE_HEADER] = "public"
            headers.setdefault("Cache-Control", "no-cache")
        else:
            headers["Cache-Control"] = "no-store"
        response.vary.add("HX-Request")
        response.vary.add("Cookie")
    return response


def init_app(app: Flask) -> None:
    app.before_request(check_request_origin)
    app.after_request(set_security_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
