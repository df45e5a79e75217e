"""Web Push over the wire: the ONLY module that imports pywebpush / py_vapid.

Everything pywebpush can raise is translated into our own exceptions, so the delivery rules (delete, wait, retry)
are written against the protocol's meaning (RFC 8030), not against a library's exception classes. The traps in
stack.md are handled here once: a TTL is always set (the default 0 drops the message when the phone is asleep),
the VAPID claims are a fresh dict on every call (pywebpush adds ``aud``/``exp`` to the dict it is given, and a
reused dict signs the next push service's ``aud`` wrongly → 403), and the payload size is checked before
encryption.

Where it sends is checked HERE, at the moment of connecting (issue 9, item 4): the push endpoint is a URL a browser
gave us, so its host name is resolved when the connection is opened, every answer must be a public address
(security.checked_address), and the socket connects to exactly the address that was checked — a name that
resolved to the push service when the citizen subscribed and to an internal address now (DNS rebinding) is
refused. Redirects are never followed: a push service answers 201, and a 3xx pointing inward must not carry our
POST there. No proxy from the environment is used either: the checked address is the one we talk to.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from py_vapid import Vapid, VapidException
from pywebpush import WebPushException, webpush
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from ..security import BlockedDestination, checked_address

MAX_PAYLOAD_BYTES = 3993  # 4096-byte record minus the aes128gcm header (86), tag (16) and padding delimiter (1)
TIMEOUT_SECONDS = 10


class PushError(Exception):
    """Sending failed; ``retryable`` says whether trying again later can help."""

    retryable = True


class SubscriptionGone(PushError):
    """404/410: the browser unsubscribed or the subscription expired. Delete it; never retry."""

    retryable = False


class PushRateLimited(PushError):
    """429: the push service asks us to slow down; ``retry_after`` is how long, in seconds (None: not said)."""

    def __init__(self, message: str, retry_after: float | None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PushRejected(PushError):
    """400/403/413 and the like: this request will never be accepted as it is (bad key, too large)."""

    retryable = False


class DestinationRefused(PushRejected):
    """The endpoint's host is (now) an internal address, or the push service redirected: nothing was sent."""


@dataclass(frozen=True)
class Target:
    endpoint: str
    p256dh: str
    auth: str


class Sender:
    """Sends with one VAPID key, reusing one HTTP session (keep-alive to the push service)."""

    def __init__(
        self,
        *,
        private_key: str,
        subject: str,
        session: requests.Session | None = None,
        allow_loopback: bool = False,
    ) -> None:
        self._vapid = Vapid.from_raw(private_key.encode())
        self._subject = subject
        self._allow_loopback = allow_loopback
        self._session = session or checked_session(allow_loopback=allow_loopback)

    def send(self, target: Target, payload: bytes, *, ttl: int, urgency: str = "normal", topic: str | None = None):
        """POST one encrypted message. Returns on 201/202; raises a ``PushError`` otherwise."""
        if len(payload) > MAX_PAYLOAD_BYTES:
            raise PushRejected(f"payload of {len(payload)} bytes exceeds {MAX_PAYLOAD_BYTES}")
        if ttl <= 0:
            raise ValueError("a push without TTL is dropped when the phone is not reachable that instant")
        host = urlsplit(target.endpoint).hostname or ""
        if _is_ip_literal(host):  # refused before signing (py_vapid cannot even word an IPv6 literal's audience)
            try:
                checked_address(host, None, allow_loopback=self._allow_loopback)
            except BlockedDestination as error:
                raise DestinationRefused(f"push address refused: {error}") from None
        headers = {"Urgency": urgency}
        if topic:
            headers["Topic"] = topic
        try:
            webpush(
                {"endpoint": target.endpoint, "keys": {"p256dh": target.p256dh, "auth": target.auth}},
                data=payload,
                vapid_private_key=self._vapid,
                vapid_claims={"sub": self._subject},  # fresh dict per call: webpush() writes aud/exp into it
                content_encoding="aes128gcm",
                ttl=ttl,
                headers=headers,
                timeout=TIMEOUT_SECONDS,
                requests_session=self._session,
            )
        except WebPushException as error:
            raise _translate(error) from None
        except BlockedDestination as error:
            raise DestinationRefused(f"push address refused: {error}") from None
        except requests.RequestException as error:
            raise PushError(f"push service unreachable: {type(error).__name__}") from None
        except VapidException as error:  # an endpoint whose origin cannot be a VAPID audience
            raise PushRejected(f"endpoint unusable for VAPID: {error}") from None
        except (ValueError, TypeError) as error:  # a key that does not decode or is not on the curve
            raise PushRejected(f"subscription keys unusable: {error}") from None

    def close(self) -> None:
        self._session.close()


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return True


def _translate(error: WebPushException) -> PushError:
    response = error.response
    status = response.status_code if response is not None else None
    message = f"push service answered {status}" if status else str(error).splitlines()[0]
    if status in (404, 410):
        return SubscriptionGone(message)
    if status is not None and 300 <= status < 400:  # never followed (checked_session); a push service does not redirect
        return DestinationRefused(f"{message} (redirect not followed)")
    if status == 429:
        return PushRateLimited(message, parse_retry_after(response.headers.get("Retry-After")))
    if status is not None and 400 <= status < 500 and status not in (408, 425):
        return PushRejected(message)
    return PushError(message)


def parse_retry_after(value: str | None, *, now: dt.datetime | None = None) -> float | None:
    """``Retry-After`` is either delta-seconds or an HTTP date (RFC 9110 §10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - (now or dt.datetime.now(dt.UTC))).total_seconds())


# --- the HTTP session: checked addresses, no redirects ---------------------------------------------------------------


def _checked(connection_class, allow_loopback: bool):
    class Checked(connection_class):
        def _new_conn(self):
            # Resolve and check now, then connect to that very address; TLS still verifies the host name (SNI and
            # certificate use ``host``, restored before the handshake).
            name = self._dns_host
            self._dns_host = checked_address(name, self.port, allow_loopback=allow_loopback)
            try:
                return super()._new_conn()
            finally:
                self._dns_host = name

    return Checked


class _NoRedirects(requests.Session):
    def request(self, method, url, *args, **kwargs):
        kwargs["allow_redirects"] = False  # pywebpush posts with the session's defaults, which follow redirects
        return super().request(method, url, *args, **kwargs)


def checked_session(*, allow_loopback: bool = False) -> requests.Session:
    """A requests session that connects only to checked public addresses and never follows a redirect."""

    class Plain(HTTPConnectionPool):
        ConnectionCls = _checked(HTTPConnection, allow_loopback)

    class Tls(HTTPSConnectionPool):
        ConnectionCls = _checked(HTTPSConnection, allow_loopback)

    class Adapter(HTTPAdapter):
        def init_poolmanager(self, *args, **kwargs):
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = {"http": Plain, "https": Tls}

    session = _NoRedirects()
    session.trust_env = False  # no proxy from the environment: we talk to the address we checked
    adapter = Adapter()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
