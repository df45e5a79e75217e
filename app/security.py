"""Security in one place: headers and the CSP, cookie policy, CSRF origin check, safe redirects,
and which pages a service worker may keep for offline reading.
"""

from __future__ import annotations

import ipaddress
import json
import re
import secrets
import socket
from functools import cache, wraps
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app, g, jsonify, redirect, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError, generate_csrf
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import BadRequest

from .errors import UserFacingError
from .extensions import limiter

# Only these responses may be stored by the service worker for offline reading. Everything else (any page that
# can show personal data) is `Cache-Control: no-store` and never cached on a possibly shared phone.
OFFLINE_HEADER = "X-MPP-Offline"


# A shared copy of a public page (pagecache.py) holds this stand-in where this request's CSRF token was. It is random
# per process, so no text a visitor can get into a page (a search query shown back) can ever be turned into a live
# token when the copy is served.
_CSRF_STAND_IN = "mpp-csrf-" + secrets.token_hex(16)


def _csrf_token_of_request() -> str | None:
    """The signed CSRF token rendered into this response, if the page asked for one (Flask-WTF keeps it in g)."""
    return g.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))


def shareable_html(html: str) -> str:
    """This response's HTML with its per-session secret taken out, so the copy can be served to others.

    The CSRF token (a signed-in header's sign-out form) is the only part of a public page that must never be shared
    between visitors: it belongs to one session. It is a random string (no HTML escaping applies), so a plain replace
    finds every place it was rendered. An anonymous public page has no form, hence nothing to take out: its bytes are
    the same for every anonymous visitor (there is no CSP nonce either, see content_security_policy).
    """
    if token := _csrf_token_of_request():
        html = html.replace(token, _CSRF_STAND_IN)
    return html


def secret_gaps(shared: str) -> list[str]:
    """A shared copy cut where a session's CSRF token goes (pagecache.py compresses the texts once and splices the
    token in per hit); one text when the page has no form."""
    return shared.split(_CSRF_STAND_IN)


def personal_html(shared: str) -> str:
    """A shared copy made this session's own: its CSRF token where the copy has a form, as rendering would."""
    if _CSRF_STAND_IN in shared:
        shared = shared.replace(_CSRF_STAND_IN, generate_csrf())
    return shared


def csrf_for_gaps() -> str:
    """This session's CSRF token, for the gaps of ``secret_gaps`` (made only when the page has a form)."""
    return generate_csrf()


def may_be_signed_in(cookies, config) -> bool:
    """Whether a request's cookies could make its viewer someone: Flask's session cookie (sessions, flash messages,
    the sign-in itself) or Flask-Login's remember cookie (the app sets none, but Flask-Login would still read one).

    A request with neither is anonymous whatever else it carries, so it may get the page stored for anonymous
    visitors without Flask-Login being asked (pagecache_front.py); any doubt goes through Flask's whole cycle.
    """
    session_cookie = config.get("SESSION_COOKIE_NAME") or "session"
    remember_cookie = config.get("REMEMBER_COOKIE_NAME") or "remember_token"
    return session_cookie in cookies or remember_cookie in cookies


# Headers of a stored public page's answer that belong to that one response, never replayed to the next visitor:
# the front door (pagecache_front.py) sets its own request id, length, encoding and cache marker.
_PER_RESPONSE_HEADERS = frozenset(
    {"content-length", "content-encoding", "x-request-id", "x-mpp-page-cache", "etag", "date", "server"}
)


def replayable_headers(headers: list[tuple[str, str]]) -> list[tuple[str, str]] | None:
    """The headers a stored page's Flask answer carried that every later answer of it repeats (its CSP, framing,
    nosniff, referrer, caching rules, Vary…), or None when that answer must not be replayed at all: it set a
    cookie, which belongs to one browser."""
    if any(name.lower() == "set-cookie" for name, _ in headers):
        return None
    return [(name, value) for name, value in headers if name.lower() not in _PER_RESPONSE_HEADERS]


def content_security_policy() -> str:
    """Strict: no inline script or style, no eval, nothing from another origin. htmx is configured through a
    <meta name="htmx-config"> (allowEval=false, includeIndicatorStyles=false) so it needs neither.

    No nonce: every executable script is a file of our own origin (``<script src>``, allowed by 'self'; the inline
    ``<script type="application/json">`` blocks are data, never run, and need no permission). Next to 'self' (and
    without 'strict-dynamic') a nonce forbids nothing more: it only adds permission for inline scripts carrying it,
    of which there are none — while it made every page's bytes unique per response, so a cached public page had to
    be re-made on every hit. A test keeps every page free of inline executable script (tests/helpers.check_page);
    a page that ever needs one must get a hash or a nonce here first.
    """
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
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

    wrapper.public_page = True
    return wrapper


def is_public_read() -> bool:
    """A GET of a ``@public_page`` view: the same page for everyone, cheap when cached, writing nothing. No rate
    limit applies to one (none is declared on any), so the limiter skips its per-request bookkeeping for them."""
    if request.method not in ("GET", "HEAD"):
        return False
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "public_page", False))


limiter.request_filter(is_public_read)  # once per process: one Limiter serves every app the process creates


def token_api(blueprint):
    """The API blueprint (/api/v1) is exempt from CSRF, and only it: its writes authenticate by a bearer token in
    the Authorization header, never by a cookie, and CSRF is an attack on cookie-authenticated requests (a page on
    another site cannot make the browser add our Authorization header). The views never read the session."""
    from .extensions import csrf

    csrf.exempt(blueprint)
    return blueprint


def is_safe_redirect(target: str | None) -> bool:
    """Only same-site relative paths: no scheme, no host, no protocol-relative `//evil`, no backslash tricks."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_next(target: str | None, default: str = "/") -> str:
    return target if is_safe_redirect(target) else default


def set_cookie(response, name: str, value: str, *, max_age: int) -> None:
    """Every cookie the app sets besides Flask's session cookie goes through here, with the session cookie's flags:
    ``Secure`` wherever the site is served over HTTPS (production), never readable by scripts, ``SameSite=Lax``.
    One place, so a new cookie cannot be forgotten when production hardens its flags (the ``bahasa`` cookie was)."""
    config = current_app.config
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        secure=bool(config.get("SESSION_COOKIE_SECURE")),
        httponly=True,
        samesite=config.get("SESSION_COOKIE_SAMESITE") or "Lax",
    )


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


# Headers that only a document reads (an HTML page, an SVG or a PDF opened directly, a worker script): its CSP,
# framing, opener, referrer and feature policies. A stylesheet, a script module, a PNG or a font loaded by a page is
# governed by the page's headers, so static files of those types get only the two that protect a subresource
# itself — nosniff (a file is never run as another type) and CORP (no other site may embed it). An SVG (it can
# carry script when opened on its own) and every other type keep the full set.
_SUBRESOURCE_TYPES = frozenset(
    {"text/css", "text/javascript", "application/javascript", "image/png", "image/jpeg", "image/webp", "font/woff2"}
)
_PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"


@cache  # the same few headers for every document: made once per setting, not per response
def _document_headers(secure: bool) -> tuple[tuple[str, str, str], ...]:
    headers = [
        ("Content-Security-Policy", content_security_policy()),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "same-origin"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Cross-Origin-Resource-Policy", "same-origin"),
        ("Permissions-Policy", _PERMISSIONS_POLICY),
    ]
    if secure:
        headers.append(("Strict-Transport-Security", "max-age=63072000; includeSubDomains"))
    return tuple((name, name.lower(), value) for name, value in headers)


_SUBRESOURCE_HEADERS = (
    ("X-Content-Type-Options", "x-content-type-options", "nosniff"),
    ("Cross-Origin-Resource-Policy", "cross-origin-resource-policy", "same-origin"),
)


def _is_static_subresource(response, mimetype: str) -> bool:
    return (
        request.path.startswith("/static/")
        and mimetype in _SUBRESOURCE_TYPES
        and "attachment" not in response.headers.get("Content-Disposition", "")
    )


def merged_vary(values, *names: str) -> str:
    """The Vary header holding every name of ``values`` (Vary header values, comma-separated) and ``names``, each
    once: the one rule for Flask's answers (``add_vary``) and the front door's replayed ones (pagecache_front.py)."""
    merged = [name for header in values for part in header.split(",") if (name := part.strip())]
    have = {name.lower() for name in merged}
    for name in names:
        if name.lower() not in have:
            have.add(name.lower())
            merged.append(name)
    return ", ".join(merged)


def add_vary(headers, *names: str) -> None:
    """Add ``names`` to the Vary header once each (what ``response.vary.add`` does, read and written once)."""
    current = headers.get("Vary", "")
    merged = merged_vary([current], *names)
    if merged != current:
        headers["Vary"] = merged


def set_security_headers(response):
    headers = response.headers
    mimetype = response.mimetype
    if _is_static_subresource(response, mimetype):
        wanted = _SUBRESOURCE_HEADERS
    else:
        wanted = _document_headers(bool(current_app.config.get("SESSION_COOKIE_SECURE")))
    present = {name.lower() for name, _ in headers.items()}
    for name, lower, value in wanted:  # a view's own value wins, as setdefault did
        if lower not in present:
            headers.add(name, value)

    if mimetype == "text/html":
        # A 304 (the page is unchanged, pagecache.py) keeps the caching rules of the 200 it confirms.
        if g.get("offline_public") and response.status_code in (200, 304):
            headers[OFFLINE_HEADER] = "public"
            if "cache-control" not in present:
                headers["Cache-Control"] = "no-cache"
        else:
            headers["Cache-Control"] = "no-store"
        add_vary(headers, "HX-Request", "Cookie")
    return response


def anonymous_without_cookies() -> None:
    """A request that carries neither the session cookie nor the remember cookie is anonymous
    (``may_be_signed_in``): its viewer is set at once, instead of Flask-Login looking for a user id in an empty
    session, a remember cookie and a request loader (none exists) — and hashing the client's address and browser
    for a session protection the app turns off, on every request that reads ``current_user``."""
    if not may_be_signed_in(request.cookies, current_app.config):
        g._login_user = current_app.login_manager.anonymous_user()  # what Flask-Login sets when it finds no one


def _rate_limits_unless_public_read(check):
    """The limiter's before-request check, skipped for a public read (``is_public_read``): no limit is declared on
    one, and the limiter's request filter would exempt it anyway, but only after resolving every limit that could
    apply. Limits on a view (``@limiter.limit``) are checked by that view's own wrapper either way."""

    def check_request_limit() -> None:
        if not is_public_read():
            check()

    return check_request_limit


# --- input at the edge (issue 9, items 6 and 7) --------------------------------------------------------------------
# A Python string can hold what nothing downstream accepts: a lone surrogate ("\ud800", which a JSON \u escape can
# carry) makes every later .encode() fail — each page showing it became a 500 — and PostgreSQL's text type refuses
# NUL. Both are refused here, for every request, before any view can store them. JSON is read by ONE function,
# read_json(), which also bounds size and nesting: the standard parser recurses, and 5,000 "[" was a RecursionError.

MAX_JSON_BYTES = 256 * 1024  # the largest JSON we take (a long draft) is ~20 KB; passkeys and push well under 4 KB
MAX_JSON_DEPTH = 32  # our deepest real body (a passkey credential) is 3 levels
_UNSAFE_TEXT = re.compile("[\x00\ud800-\udfff]")
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_JSON_BRACKET = re.compile(r"[\[\]{}]")

MSG_INVALID_TEXT = _l(
    "The request contains characters that cannot be processed (invalid Unicode or a NUL character). "
    "Remove them and try again."
)
MSG_JSON_TOO_LARGE = _l("The data sent is too large.")
MSG_JSON_TOO_DEEP = _l("The data sent is nested too deeply.")
MSG_JSON_NOT_OBJECT = _l("The data sent could not be read.")


class InputRefused(UserFacingError, BadRequest):
    """400 with an Indonesian reason: JSON for JSON clients, the error page for a browser form."""


def is_safe_text(value: str) -> bool:
    """Neither NUL nor a lone surrogate: text every encoder and both databases accept."""
    return _UNSAFE_TEXT.search(value) is None


def _json_depth_exceeds(text: str, limit: int) -> bool:
    """Count bracket nesting outside strings without recursing (strings are cut out first, as they may hold
    brackets). An unterminated string can only over-count, and such a body is malformed anyway."""
    depth = 0
    for bracket in _JSON_BRACKET.findall(_JSON_STRING.sub('""', text)):
        depth += 1 if bracket in "[{" else -1
        if depth > limit:
            return True
    return False


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not JSON")  # NaN/Infinity: Python accepts them, JSON and our columns do not


def _check_json_text(data: Any) -> None:
    """Every key and string in the (depth-bounded) document is safe text. Iterative: no recursion to exhaust."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if not is_safe_text(item):
                raise InputRefused(MSG_INVALID_TEXT)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def read_json(*, max_bytes: int = MAX_JSON_BYTES, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """THE way a view reads a JSON body (a convention test forbids ``request.get_json``).

    Returns the parsed body, or None when the request is not JSON or not well-formed (the view words that refusal
    itself, as before). Raises ``InputRefused`` (400) for a body over ``max_bytes``, nested deeper than
    ``max_depth``, not UTF-8, or holding NUL or a lone surrogate. Parsed once per request; a refusal is kept too,
    so whoever reads the body first (a rate-limit key) cannot make a later reader accept it.
    """
    if not request.is_json:
        return None
    if (request.content_length or 0) > max_bytes:
        raise InputRefused(MSG_JSON_TOO_LARGE)
    if "json_body" not in g:
        try:
            g.json_body, g.json_refused = _parse_json_body(max_depth), None
        except InputRefused as refused:
            g.json_body, g.json_refused = None, refused
    if g.json_refused is not None:
        raise g.json_refused
    if len(request.get_data(cache=True)) > max_bytes:  # chunked bodies have no Content-Length
        raise InputRefused(MSG_JSON_TOO_LARGE)
    return g.json_body


def _parse_json_body(max_depth: int) -> Any:
    raw = request.get_data(cache=True)
    if len(raw) > MAX_JSON_BYTES:
        raise InputRefused(MSG_JSON_TOO_LARGE)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputRefused(MSG_INVALID_TEXT) from None
    if _json_depth_exceeds(text, max_depth):
        raise InputRefused(MSG_JSON_TOO_DEEP)
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:  # cannot happen below max_depth; kept so that no body can ever be a 500
        raise InputRefused(MSG_JSON_TOO_DEEP) from None
    except ValueError:
        return None
    _check_json_text(data)
    return data


def json_or_none() -> Any:
    """read_json() for code that must not raise (a rate-limit key): a refused body counts as no body."""
    try:
        return read_json()
    except InputRefused:
        return None


def refuse_unsafe_input() -> None:
    """before_request: NUL or a lone surrogate in the path, a form field or a file name is a 400, and a JSON body
    goes through read_json() — so no view, present or future, ever stores such text.

    The query string is read, never stored, and a search box should not answer a stray NUL with an error page: NUL
    is dropped from it here (as the search already did), so no view can hand one to PostgreSQL. A lone surrogate
    cannot arrive there (percent-decoding turns invalid UTF-8 into U+FFFD).
    """
    if not is_safe_text(request.path):
        raise InputRefused(MSG_INVALID_TEXT)
    if any("\x00" in key or "\x00" in value for key, value in request.args.items(multi=True)):
        request.args = ImmutableMultiDict(
            [(key.replace("\x00", ""), value.replace("\x00", "")) for key, value in request.args.items(multi=True)]
        )
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if request.is_json:
        # Every JSON body we take is an object; Flask-WTF also turns a JSON body into form data with dict(), which
        # a list or a number would break.
        data = read_json()
        if data is not None and not isinstance(data, dict):
            raise InputRefused(MSG_JSON_NOT_OBJECT)
        return
    if (request.content_length or 0) > (current_app.config.get("MAX_CONTENT_LENGTH") or float("inf")):
        return  # let the view's own "file too large" answer (413) happen
    for key, value in request.form.items(multi=True):
        if not (is_safe_text(key) and is_safe_text(value)):
            raise InputRefused(MSG_INVALID_TEXT)
    for key, upload in request.files.items(multi=True):
        if not (is_safe_text(key) and is_safe_text(upload.filename or "")):
            raise InputRefused(MSG_INVALID_TEXT)


def _input_refused(error: InputRefused):
    message = str(error.message)
    if request.path == "/api" or request.path.startswith("/api/"):
        # Unrouted API paths too (a routed one is answered by the API blueprint's own handler): problem+json.
        from .api.problems import from_http_exception

        return from_http_exception(error)
    if request.is_json or request.accept_mimetypes.best == "application/json":
        response = jsonify(error=message, code="invalid_input")
    else:
        response = current_app.make_response(
            render_template("errors/error.html", status=400, title=_("Request cannot be processed"), message=message)
        )
    response.status_code = 400
    response.headers["Cache-Control"] = "no-store"
    return response


# --- outbound requests: never into our own network (issue 9, item 4) -------------------------------------------------
# The only requests the server makes to an address someone else chose are Web Push deliveries. The standard
# library knows which ranges are globally reachable (``is_global``: it excludes private, carrier-grade NAT
# 100.64.0.0/10, link-local incl. the 169.254.169.254 metadata address, documentation and reserved ranges); the
# forms that smuggle an IPv4 address inside IPv6 (IPv4-mapped, 6to4, Teredo, NAT64) are unwrapped and checked too.

_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


class BlockedDestination(Exception):
    """The address is not on the public internet; nothing is sent there. Not an OSError, so that no HTTP library
    wraps it into a retryable connection error."""


def _embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    found = [address.ipv4_mapped, address.sixtofour, *(address.teredo or ())]
    if any(address in network for network in _NAT64):
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return [ip for ip in found if ip is not None]


def is_public_address(address: str | ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """True only for an address on the public internet, including any IPv4 address embedded in an IPv6 one."""
    ip = ipaddress.ip_address(str(address).split("%", 1)[0])  # drop an IPv6 zone ("fe80::1%eth0")
    candidates = [ip, *(_embedded_ipv4(ip) if isinstance(ip, ipaddress.IPv6Address) else ())]
    return all(
        candidate.is_global
        and not (candidate.is_multicast or candidate.is_reserved or candidate.is_unspecified or candidate.is_private)
        for candidate in candidates
    )


def checked_address(host: str, port: int | None, *, allow_loopback: bool = False) -> str:
    """Resolve ``host`` now and return the address to connect to; raise ``BlockedDestination`` if ANY answer is not
    public (a name that answers both a public and an internal address is refused, not gambled on).

    ``allow_loopback`` lets development and the tests reach their own push service on 127.0.0.1; it is never on in
    production (see notifications.subscriptions.allow_loopback). DNS failures raise ``OSError`` as usual.
    """
    host = host.strip("[]")
    try:
        answers = [ipaddress.ip_address(host.split("%", 1)[0])]
    except ValueError:
        infos = socket.getaddrinfo(host, port or 443, proto=socket.IPPROTO_TCP)
        answers = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]
    if not answers:
        raise BlockedDestination(f"{host} has no address")
    for answer in answers:
        if not (is_public_address(answer) or (allow_loopback and answer.is_loopback)):
            raise BlockedDestination(f"{host} resolves to a non-public address")
    return str(answers[0])


def redirect_plain_http():
    """Production behind the trusted TLS proxy: a request the proxy says arrived over plain HTTP goes to HTTPS.

    The proxy should already redirect port 80 itself (README, "Serving production"); this is the second line, so a
    page is never served over HTTP and the first answer to ``http://`` is a redirect to the SAME host on https —
    where HSTS then takes over. Only when the proxy said so (``X-Forwarded-Proto`` present and trusted through
    MPP_PROXY_COUNT): a proxy that does not send it must not turn every request into a redirect loop.
    """
    config = current_app.config
    if not (config.get("SESSION_COOKIE_SECURE") and config.get("PROXY_COUNT")):
        return None
    if request.scheme != "http" or "X-Forwarded-Proto" not in request.headers:
        return None
    return redirect("https://" + request.url.split("://", 1)[1], code=308)


def init_app(app: Flask) -> None:
    hooks = app.before_request_funcs.setdefault(None, [])
    limiter_check = limiter._check_request_limit  # noqa: SLF001  (the hook Limiter.init_app registers)
    if limiter_check in hooks:
        hooks[hooks.index(limiter_check)] = _rate_limits_unless_public_read(limiter_check)
    app.before_request(anonymous_without_cookies)
    app.before_request(redirect_plain_http)
    app.before_request(check_request_origin)
    app.before_request(refuse_unsafe_input)
    app.register_error_handler(InputRefused, _input_refused)
    app.after_request(set_security_headers)
