"""A real Web Push service for tests: RFC 8030 (push), RFC 8291 (aes128gcm message encryption), RFC 8292 (VAPID).

It listens on 127.0.0.1 in a thread. Each test subscriber has its own P-256 key pair and 16-byte auth secret, like
a browser. For every POST the service checks the VAPID ``Authorization: vapid t=<JWT>, k=<key>`` header (ES256
signature against ``k``, ``aud`` = this origin, ``exp`` in the next 24 h, ``sub`` a mailto:/https: contact), the
TTL, and decrypts the body with the subscriber's private key — so a test sees exactly what a phone would. It answers
201, or a scripted status (404/410/429/500) to exercise pruning, Retry-After and retries.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Subscriber:
    """What a browser holds: the endpoint, its private key and auth secret (the server only gets the public half)."""

    token: str
    endpoint: str
    private_key: ec.EllipticCurvePrivateKey
    auth_secret: bytes

    @property
    def p256dh(self) -> str:
        return b64url(self.private_key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint))

    @property
    def auth(self) -> str:
        return b64url(self.auth_secret)

    def as_json(self) -> dict:
        """What ``PushSubscription.toJSON()`` gives in the browser."""
        return {"endpoint": self.endpoint, "expirationTime": None, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


@dataclass
class Received:
    token: str
    payload: dict
    headers: dict
    status: int  # what the service answered

    @property
    def ttl(self) -> int:
        return int(self.headers.get("ttl", "0"))


@dataclass
class PushService:
    vapid_public_key: str | None = None  # when set, `k` must be this key
    verify: bool = True  # the benchmark turns decryption off to measure the sender, not the receiver
    received: list[Received] = field(default_factory=list)  # messages answered 201
    attempts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    errors: list[str] = field(default_factory=list)  # protocol violations the sender committed
    connections: int = 0  # TCP connections accepted, whatever came over them (a refused send opens none)
    _script: dict[str, deque] = field(default_factory=lambda: defaultdict(deque))
    _subscribers: dict[str, Subscriber] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> PushService:
        service = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, like a real push service

            def do_POST(self):  # noqa: N802
                service._handle(self)

            def log_message(self, *args):
                pass

        class Server(ThreadingHTTPServer):
            def verify_request(self, request, client_address):
                with service._lock:
                    service.connections += 1
                return True

        self._server = Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.origin = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def reset(self) -> None:
        with self._lock:
            self.received.clear()
            self.attempts.clear()
            self.errors.clear()
            self.connections = 0
            self._script.clear()
            self._subscribers.clear()

    def subscriber(self) -> Subscriber:
        token = secrets.token_urlsafe(12)
        subscriber = Subscriber(
            token=token,
            endpoint=f"{self.origin}/push/{token}",
            private_key=ec.generate_private_key(ec.SECP256R1()),
            auth_secret=secrets.token_bytes(16),
        )
        with self._lock:
            self._subscribers[token] = subscriber
        return subscriber

    def answer(self, subscriber: Subscriber, *responses: int | tuple[int, dict]) -> None:
        """Script the next answers for this subscriber (then 201 again): ``answer(s, 500)``, ``(429, {...})``."""
        with self._lock:
            for response in responses:
                self._script[subscriber.token].append(response if isinstance(response, tuple) else (response, {}))

    def messages_for(self, subscriber: Subscriber) -> list[Received]:
        with self._lock:
            return [message for message in self.received if message.token == subscriber.token]

    # --- the protocol ---------------------------------------------------------------------------------------------

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        body = request.rfile.read(int(request.headers.get("Content-Length", "0")))
        token = request.path.rsplit("/", 1)[-1]
        headers = {key.lower(): value for key, value in request.headers.items()}
        with self._lock:
            subscriber = self._subscribers.get(token)
            self.attempts[token] += 1
            status, extra = self._script[token].popleft() if self._script[token] else (201, {})
        if subscriber is None:
            status, extra = 404, {}
        payload = {}
        if subscriber is not None and self.verify:
            problems = self._check(headers)
            try:
                plain = http_ece.decrypt(
                    body, private_key=subscriber.private_key, auth_secret=subscriber.auth_secret, version="aes128gcm"
                )
                payload = json.loads(plain)
            except Exception as error:
                problems.append(f"cannot decrypt: {error!r}")
            if problems:
                with self._lock:
                    self.errors.extend(problems)
                status, extra = 400, {}
        if status == 201:
            with self._lock:
                self.received.append(Received(token=token, payload=payload, headers=headers, status=status))
        request.send_response(status)
        for key, value in extra.items():
            request.send_header(key, value)
        request.send_header("Content-Length", "0")
        if status == 201:
            request.send_header("Location", f"{self.origin}/message/{secrets.token_hex(4)}")
        request.end_headers()

    def _check(self, headers: dict) -> list[str]:
        problems = []
        if headers.get("content-encoding") != "aes128gcm":
            problems.append(f"content-encoding {headers.get('content-encoding')!r}")
        if int(headers.get("ttl", "0") or 0) <= 0:
            problems.append("no TTL: the message would be dropped when the phone is asleep")
        authorization = headers.get("authorization", "")
        if not authorization.startswith("vapid "):
            return [*problems, f"authorization is not VAPID: {authorization!r}"]
        parts = dict(part.strip().split("=", 1) for part in authorization[6:].split(","))
        token, key = parts.get("t", ""), parts.get("k", "")
        if self.vapid_public_key and key != self.vapid_public_key:
            problems.append("k is not the server's VAPID public key")
        try:
            header_b64, claims_b64, signature_b64 = token.split(".")
            header = json.loads(unb64url(header_b64))
            claims = json.loads(unb64url(claims_b64))
            signature = unb64url(signature_b64)
            public_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(key))
            der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
            public_key.verify(der, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
        except (ValueError, InvalidSignature) as error:
            return [*problems, f"VAPID JWT invalid: {error!r}"]
        if header.get("alg") != "ES256":
            problems.append(f"JWT alg {header.get('alg')!r}")
        if claims.get("aud") != self.origin:
            problems.append(f"aud {claims.get('aud')!r} is not {self.origin}")
        now = time.time()
        if not (now < int(claims.get("exp", 0)) <= now + 24 * 3600):
            problems.append(f"exp {claims.get('exp')!r} not within 24 h")
        if not str(claims.get("sub", "")).startswith(("mailto:", "https://")):
            problems.append(f"sub {claims.get('sub')!r}")
        return problems
