"""The page cache's front door: an anonymous visitor's cache hit answered before Flask's request cycle starts.

A hit through Flask costs what every request costs there — the request context, the session, Flask-Login, the
before/after hooks, the security headers — about four times the work of sending the stored bytes. For the pages
everyone reads (the catalog: services, MPPs, search) that is most of the server's work, so a GET is looked up here
first, in front of the Flask app (``app.wsgi_app``), and answered at once when

- the request cannot be anyone's: no session cookie and no remember cookie (``security.may_be_signed_in``) — an
  anonymous visitor, for whom the page holds no form and no secret;
- and a fresh copy of the page is in this process's cache under the key Flask would use (``pagecache.key_of``, built
  from the same request class: host, path, sorted query, the language the ``bahasa`` cookie chooses as
  ``i18n.language_of`` decides it for Flask, anonymous, fragment or page) — after the shared generation was checked
  as on the Flask path (``pagecache_shared.in_sync``: a catalog edit another process announced is never served
  stale);
- and Flask has answered that page with a 200 once (the first answer of a stored page goes through Flask): its
  headers are kept and repeated — the CSP, nosniff, framing, referrer and permission policies, HSTS, the caching
  rules and Vary (``security.replayable_headers`` leaves out only what belongs to one response, and a page whose
  answer set a cookie is never answered here).

The answer is the stored bytes in the encoding the client takes best (br, gzip, identity: brotli when the page was
stored and once more at its best quality in the background when a second visitor asks, gzip on the first ask) with
a fixed weak ETag, or a 304 when the browser holds the page (If-None-Match). Like every request it gets an
``X-Request-ID``, one JSON access line and its latency in the Prometheus histogram (under the endpoint that made
the page). Anything else — a signed-in visitor, a miss, HEAD, an unusual host — goes through Flask unchanged, and
only the headers of its answer are looked at on the way out.

Before-request work skipped here and why it does not apply: the rate limiter skips public reads anyway; CSRF and
the Origin check concern unsafe methods; unsafe input refuses a path no stored page can have; the plain-HTTP
redirect is left to Flask (no hit is served here while it could apply); the in-process worker starts on the first
request, which is always Flask's (a page is stored by a miss before it can be a hit).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from flask import Flask
from werkzeug.exceptions import SecurityError
from werkzeug.http import parse_etags, remove_entity_headers

from . import pagecache, pagecache_shared
from .i18n import language_of
from .ops.logs import REQUEST_ID_HEADER, record_request, request_id_for
from .security import may_be_signed_in, merged_vary, replayable_headers

_STATUS = {200: "200 OK", 304: "304 Not Modified"}
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Replay:
    """What every later anonymous hit of a stored page sends besides its body: the endpoint that made the page (for
    the log and the metric), the headers of a 200 (length and encoding added per answer) and those of a 304."""

    endpoint: str
    headers: list[tuple[str, str]]
    not_modified: list[tuple[str, str]]


def _with_accept_encoding(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Flask's Vary, with Accept-Encoding in it (the body depends on it here, whatever the first answer's client)."""
    vary = merged_vary([value for name, value in headers if name.lower() == "vary"], "Accept-Encoding")
    rest = [(name, value) for name, value in headers if name.lower() != "vary"]
    return [*rest, ("Vary", vary)]


def record(page: pagecache.StoredPage, endpoint: str, headers: list[tuple[str, str]]) -> None:
    """Keep the headers of Flask's 200 answer of ``page`` for the hits answered here (once per stored page)."""
    if page.replay is not None or page.gaps or page.etag is None:
        return
    kept = replayable_headers(headers)
    if kept is None:
        return
    common = [*_with_accept_encoding(kept), ("ETag", page.etag), (pagecache.CACHE_HEADER, "hit")]
    not_modified = list(common)
    remove_entity_headers(not_modified)  # as Werkzeug sends Flask's 304: no Content-Type, no length
    page.replay = Replay(endpoint or "unmatched", common, not_modified)


class PageCacheFront:
    """WSGI middleware around the Flask app; see the module's docstring."""

    def __init__(self, app: Flask, wsgi_app) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self.static_prefix = (app.static_url_path or "/static") + "/"  # files, never a stored page

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") != "GET":
            return self.wsgi_app(environ, start_response)
        started = time.perf_counter()
        try:
            page = self._fresh_copy(environ)
        except Exception:  # a fault here must never cost the visitor the page: Flask answers as it always did
            log.exception("page cache front door: lookup failed, answering through Flask")
            page = None
        if page is None:
            return self._through_flask(environ, start_response)
        replay: Replay = page.replay
        if_none_match = environ.get("HTTP_IF_NONE_MATCH")
        if if_none_match and parse_etags(if_none_match).contains_weak(page.etag[3:-1]):
            status, headers, body = 304, replay.not_modified, b""
        else:
            page.on_hit()
            encoding = pagecache.chosen_encoding(environ.get("HTTP_ACCEPT_ENCODING", ""))
            status, body = 200, page.body(encoding)
            headers = [*replay.headers, ("Content-Length", str(len(body)))]
            if encoding != "identity":
                headers.append(("Content-Encoding", encoding))
        rid = request_id_for(environ.get("HTTP_X_REQUEST_ID"))
        start_response(_STATUS[status], [*headers, (REQUEST_ID_HEADER, rid)])
        record_request("GET", replay.endpoint, status, time.perf_counter() - started, rid)
        return [body]

    def _fresh_copy(self, environ) -> pagecache.StoredPage | None:
        """The stored page this request may get without Flask, or None (then Flask answers, as always)."""
        config = self.app.config
        if config.get("PAGE_CACHE_SECONDS", 0) <= 0 or environ.get("PATH_INFO", "").startswith(self.static_prefix):
            return None
        if config.get("SESSION_COOKIE_SECURE") and config.get("PROXY_COUNT") and environ["wsgi.url_scheme"] != "https":
            return None  # security.redirect_plain_http may have to answer
        request = self.app.request_class(environ)
        cookies = request.cookies if "HTTP_COOKIE" in environ else {}
        if may_be_signed_in(cookies, config):
            return None
        if (trusted_hosts := config.get("TRUSTED_HOSTS")) is not None:
            request.trusted_hosts = trusted_hosts  # as Flask does: an untrusted Host is Flask's 400 to give
        try:
            key = pagecache.key_of(request, language_of(cookies), pagecache.ANONYMOUS)
        except SecurityError:
            return None
        page_cache = pagecache.cache_of(self.app)
        page = page_cache.get(key, pagecache.clock())
        if page is None or page.replay is None:
            return None  # nothing to serve here: Flask answers, without a look at the shared generation first
        if not pagecache_shared.in_sync(self.app, page_cache):
            return None
        # Looked up again: in_sync empties the cache when another process changed the catalog meanwhile.
        page = page_cache.get(key, pagecache.clock())
        return page if page is not None and page.replay is not None else None

    def _through_flask(self, environ, start_response):
        def start_and_record(status: str, headers, exc_info=None):
            served = environ.get(pagecache.SERVED)
            if served is not None and exc_info is None and status.startswith("200 "):
                record(*served, headers)
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, start_and_record)


def install(app: Flask) -> None:
    app.wsgi_app = PageCacheFront(app, app.wsgi_app)
