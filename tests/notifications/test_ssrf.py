"""Blind SSRF through push (issue 9, item 4), replayed as it was found: internal and special addresses as endpoints,
a push endpoint answering 307 towards an internal server, and a name that resolves public when the citizen subscribes
and internal when the worker sends (DNS rebinding). The worker must never POST inside."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from app.notifications import push, subscriptions
from app.notifications.models import OutboxStatus
from app.security import is_public_address

from .conftest import outbox_rows
from .test_delivery import act
from .test_pages import post_json

INTERNAL = [
    "100.64.0.1",  # carrier-grade NAT (a cloud metadata address lives here)
    "169.254.169.254",  # link-local metadata
    "2002:7f00:1::",  # 6to4 wrapping 127.0.0.1
    "::ffff:10.0.0.1",  # IPv4-mapped private
    "fc00::1",  # unique local
    "0.0.0.0",
    "127.0.0.1",
    "10.0.0.5",
    "172.16.0.1",
    "192.168.1.1",
    "::1",
    "fe80::1",
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
    "64:ff9b::a00:1",  # NAT64 wrapping 10.0.0.1
    "198.18.0.1",  # benchmarking
    "192.0.2.1",  # documentation
    "224.0.0.1",  # multicast
    "255.255.255.255",
    "240.0.0.1",  # reserved
]


@pytest.fixture
def production(app):
    """The production profile's push rules (no loopback, public addresses only), for this test only."""
    before = app.config["MPP_ENV"]
    app.config["MPP_ENV"] = "production"
    yield
    app.config["MPP_ENV"] = before


@pytest.fixture
def desk(app, client, officer, signed_in):
    signed_in(client, officer)
    return client


def _url_host(address: str) -> str:
    return f"[{address}]" if ":" in address else address


@pytest.mark.parametrize("address", INTERNAL)
def test_an_internal_or_special_address_is_refused_when_subscribing_and_when_sending(
    app, client, citizen, signed_in, push_service, production, address
):
    assert not is_public_address(address)
    subscriber = push_service.subscriber()
    endpoint = f"https://{_url_host(address)}:{push_service.origin.rsplit(':', 1)[1]}/push/{subscriber.token}"
    signed_in(client, citizen)
    response = post_json(client, "/akun/notifikasi/langganan", {**subscriber.as_json(), "endpoint": endpoint})
    assert response.status_code == 400 and "alamat push yang sah" in response.get_json()["error"]
    # And a row stored before this rule (or by any other path) is still never sent to.
    with app.app_context():
        sender = push.Sender(private_key=_vapid_key(), subject="mailto:admin@contoh.id")
        with pytest.raises(push.DestinationRefused):
            sender.send(push.Target(endpoint, subscriber.p256dh, subscriber.auth), b"{}", ttl=60)
    assert push_service.connections == 0


def test_public_addresses_are_allowed():
    for address in ("8.8.8.8", "142.250.4.95", "2a00:1450:4001:80b::200a", "2002:808:808::"):
        assert is_public_address(address), address


def _vapid_key() -> str:
    from app.notifications import vapid

    return vapid.current_keys().private_key


class _Redirector:
    """A real HTTP server that answers every POST with 307 to ``location`` (what the attacker's endpoint did)."""

    def __init__(self, location: str) -> None:
        outer = self
        self.posts = 0

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                outer.posts += 1
                self.send_response(307)
                self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _subscribe_with_endpoint(app, user, subscriber, endpoint: str) -> None:
    from app.accounts.models import User
    from app.extensions import db

    with app.test_request_context():
        info = subscriptions.SubscriptionInfo(endpoint=endpoint, p256dh=subscriber.p256dh, auth=subscriber.auth)
        subscriptions.save_subscription(db.session.get(User, user.id), info, user_agent="Mozilla/5.0 Chrome/140.0")
        db.session.remove()


def test_a_push_endpoint_answering_307_to_an_internal_server_never_gets_the_post_there(
    app, desk, citizen, application_number, push_service, queue
):
    inside = push_service.subscriber()  # the "internal" server: a real service that would accept and decrypt
    redirector = _Redirector(location=inside.endpoint)
    try:
        _subscribe_with_endpoint(app, citizen, inside, f"{redirector.origin}/push/{inside.token}")
        act(app, desk, application_number, "verifikasi")
        queue.run()
    finally:
        redirector.stop()
    assert redirector.posts == 1, "the worker did deliver to the endpoint it was given"
    assert push_service.attempts[inside.token] == 0 and push_service.connections == 0
    [row] = outbox_rows(app)
    assert row.status == OutboxStatus.FAILED and "307" in row.last_error, (row.status, row.last_error)


def test_a_name_resolving_public_at_subscription_and_internal_at_sending_is_not_sent_to(
    app, client, desk, citizen, signed_in, application_number, push_service, queue, production, monkeypatch
):
    real_getaddrinfo = socket.getaddrinfo
    answer = {"address": "8.8.8.8"}  # what the attacker's DNS says now

    def rebinding_dns(host, port, *args, **kwargs):
        if host == "push.rebind.test":
            family = socket.AF_INET
            return [(family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (answer["address"], port or 443))]
        return real_getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding_dns)
    phone = push_service.subscriber()
    port = push_service.origin.rsplit(":", 1)[1]
    endpoint = f"https://push.rebind.test:{port}/push/{phone.token}"
    citizen_client = client.__class__(app.test_client())
    signed_in(citizen_client, citizen)
    subscribed = post_json(citizen_client, "/akun/notifikasi/langganan", {**phone.as_json(), "endpoint": endpoint})
    assert subscribed.status_code == 201  # public when checked at subscription time

    answer["address"] = "127.0.0.1"  # ... and the name now points at a service inside
    act(app, desk, application_number, "verifikasi")
    queue.run()
    assert push_service.connections == 0 and push_service.attempts[phone.token] == 0
    [row] = outbox_rows(app)
    assert row.status == OutboxStatus.FAILED and "refused" in row.last_error


def test_the_loopback_allowance_is_for_development_only(app, production):
    with app.app_context():
        app.config["PUSH_ALLOW_LOOPBACK"] = True
        try:
            assert subscriptions.allow_loopback() is False
        finally:
            app.config.pop("PUSH_ALLOW_LOOPBACK")


def test_without_the_allowance_even_the_local_test_service_is_refused(app, push_service):
    phone = push_service.subscriber()
    with app.app_context():
        sender = push.Sender(private_key=_vapid_key(), subject="mailto:admin@contoh.id", allow_loopback=False)
        with pytest.raises(push.DestinationRefused):
            sender.send(push.Target(phone.endpoint, phone.p256dh, phone.auth), b"{}", ttl=60)
        allowed = push.Sender(private_key=_vapid_key(), subject="mailto:admin@contoh.id", allow_loopback=True)
        allowed.send(push.Target(phone.endpoint, phone.p256dh, phone.auth), b"{}", ttl=60)
    assert push_service.attempts[phone.token] == 1


def _self_signed(tmp_path, name: str):
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "push.pem", tmp_path / "push.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def test_an_https_push_service_is_reached_at_the_checked_address_with_its_certificate_verified_by_name(
    app, push_service, tmp_path, monkeypatch
):
    """The pinned connection still speaks TLS to the host NAME: SNI, certificate check and Host header unchanged."""
    import ssl

    cert_path, key_path = _self_signed(tmp_path, "push.tls.test")
    hosts = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            hosts.append(self.headers["Host"])
            self.send_response(201)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    real_getaddrinfo = socket.getaddrinfo

    def dns(host, *args, **kwargs):
        if host == "push.tls.test":
            return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", ("127.0.0.1", port))]
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", dns)
    phone = push_service.subscriber()
    try:
        with app.app_context():
            sender = push.Sender(private_key=_vapid_key(), subject="mailto:admin@contoh.id", allow_loopback=True)
            sender._session.verify = str(cert_path)  # our test CA; the name must still match the certificate
            sender.send(push.Target(f"https://push.tls.test:{port}/push/x", phone.p256dh, phone.auth), b"{}", ttl=60)
            with pytest.raises(push.PushError):  # the same server under a name its certificate does not carry
                sender.send(push.Target(f"https://127.0.0.1:{port}/push/x", phone.p256dh, phone.auth), b"{}", ttl=60)
    finally:
        server.shutdown()
        server.server_close()
    assert hosts == [f"push.tls.test:{port}"]
