"""One request as a browser sends it: a keep-alive connection the server closed at the same moment is retried once.

Servers close idle keep-alive connections (gunicorn after a couple of seconds); a request sent on such a connection
just as it closes gets a reset before any byte of an answer. Browsers resend such a request on a new connection
(Chromium does for any method: nothing was processed), so a simulated citizen must too, or the benchmark reports
"no answer" for what no real person would ever see. A timeout, or a reset on a fresh connection, is not retried.
"""

from __future__ import annotations

from http.client import RemoteDisconnected

import requests


def _closed_under_us(error: requests.ConnectionError) -> bool:
    seen, cause = set(), error
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, ConnectionResetError | RemoteDisconnected | BrokenPipeError):
            return True
        cause = (
            cause.__cause__
            or cause.__context__
            or (cause.args[0] if cause.args and isinstance(cause.args[0], BaseException) else None)
        )
        if isinstance(cause, tuple):
            cause = next((c for c in cause if isinstance(c, BaseException)), None)
    return "Connection aborted" in str(error)


def send(session: requests.Session, method: str, url: str, **kwargs) -> requests.Response:
    try:
        return session.request(method, url, **kwargs)
    except requests.ConnectionError as error:
        if not _closed_under_us(error):
            raise
        return session.request(method, url, **kwargs)
