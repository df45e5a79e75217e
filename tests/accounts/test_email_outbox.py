"""E-mail goes through the outbox: the request only writes a row, the job worker talks to a REAL SMTP server
(aiosmtpd on 127.0.0.1). A dead or slow mail server never blocks or fails the request."""

from __future__ import annotations

import asyncio
import threading

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from app.extensions import db
from app.notifications import email as email_outbox
from app.notifications.models import EmailOutbox, OutboxStatus

from ..helpers import free_port
from .flows import CODE


class _Recorder:
    def __init__(self, gate: threading.Event | None = None):
        self.received = []
        self.gate = gate
        self.entered = threading.Event()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.entered.set()
        if self.gate is not None:  # a slow mail server: it answers only when the test lets it
            await asyncio.get_running_loop().run_in_executor(None, self.gate.wait, 30)
        self.received.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_at(app):
    """Point the app at 127.0.0.1:<port>; returns (port, start(handler) → controller). Stops what it started."""
    port = free_port()
    old = app.config["SMTP_HOST"], app.config["SMTP_PORT"]
    app.config["SMTP_HOST"], app.config["SMTP_PORT"] = "127.0.0.1", port
    started = []

    def start(handler):
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        controller.start()
        started.append(controller)
        return controller

    yield port, start
    for controller in started:
        controller.stop()
    app.config["SMTP_HOST"], app.config["SMTP_PORT"] = old


def _code_in(envelope) -> str:
    return CODE.search(envelope.content.decode()).group(1)


def _row(app, to: str) -> EmailOutbox:
    with app.app_context():
        return db.session.scalars(select(EmailOutbox).where(EmailOutbox.recipient == to)).one()


def test_the_sign_up_code_is_queued_by_the_request_and_delivered_by_the_worker(app, flows, smtp_at):
    _port, start = smtp_at
    server = _Recorder()
    start(server)
    flows.submit_sign_up_form(email="ayu@contoh.id")
    assert server.received == []  # the request only wrote the row
    assert _row(app, "ayu@contoh.id").status == OutboxStatus.PENDING
    with app.app_context():
        assert [outcome.status for outcome in email_outbox.deliver_due()] == ["sent"]
    assert [envelope.rcpt_tos for envelope in server.received] == [["ayu@contoh.id"]]
    assert flows.enter_code(_code_in(server.received[0])).headers["Location"] == "/daftar/passkey"
    row = _row(app, "ayu@contoh.id")
    assert row.status == OutboxStatus.SENT and row.attempts == 1 and row.delivered_at is not None
    assert row.body is None  # the code is not kept once delivered


def test_a_dead_mail_server_does_not_fail_the_request_and_the_mail_arrives_when_it_is_back(app, flows, smtp_at):
    _port, start = smtp_at  # nothing listens on the port yet
    response = flows.submit_sign_up_form(email="budi@contoh.id")
    assert response.status_code == 303
    with app.app_context():
        [outcome] = email_outbox.deliver_due()
    assert outcome.status == "retry"
    row = _row(app, "budi@contoh.id")
    assert row.status == OutboxStatus.PENDING and row.attempts == 1 and row.last_error
    server = _Recorder()
    start(server)
    with app.app_context():
        assert email_outbox.deliver_due() == []  # not before its backoff
        assert [o.status for o in email_outbox.deliver_due(now=outcome.next_attempt_at)] == ["sent"]
    assert flows.enter_code(_code_in(server.received[0])).headers["Location"] == "/daftar/passkey"
    row = _row(app, "budi@contoh.id")
    assert row.status == OutboxStatus.SENT and row.attempts == 2 and row.last_error is None


def test_a_slow_mail_server_does_not_hold_the_request(app, flows, smtp_at):
    _port, start = smtp_at
    gate = threading.Event()
    server = _Recorder(gate)
    start(server)
    # The server would hold any sender until the gate opens; the request answers without ever reaching it.
    assert flows.submit_sign_up_form(email="citra@contoh.id").status_code == 303
    assert not server.entered.is_set()

    def worker():
        with app.app_context():
            email_outbox.deliver_due()

    thread = threading.Thread(target=worker)
    thread.start()
    assert server.entered.wait(30)  # the worker, not the request, is the one waiting on the server
    gate.set()
    thread.join(30)
    assert [envelope.rcpt_tos for envelope in server.received] == [["citra@contoh.id"]]


def test_a_refused_recipient_fails_at_once_and_is_shown_to_admins(app, client, smtp_at, make_user):
    class Refusing:
        async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
            return "550 no such user"

    _port, start = smtp_at
    start(Refusing())
    with app.app_context():
        from app.accounts import mail

        mail.send(to="tidak.ada@contoh.id", subject="x", body="123456", what="sign-up code")
        db.session.commit()
        [outcome] = email_outbox.deliver_due()
    assert outcome.status == "failed"
    row = _row(app, "tidak.ada@contoh.id")
    assert row.status == OutboxStatus.FAILED and row.last_error
    from app.accounts.models import Role

    from ..accounts.fixtures import sign_in_test_client

    admin = make_user("Admin Nasional", role=Role.NATIONAL_ADMIN)
    sign_in_test_client(app, client, admin)
    page = client.get_page("/petugas/notifikasi-gagal")
    assert "t***@contoh.id" in page.get_text() and "123456" not in page.get_text()
    assert "Kode pendaftaran" in page.get_text()  # what it was, in words the admin reads
    assert client.post(f"/petugas/notifikasi-gagal/email/{row.id}/ulang").status_code == 303
    assert _row(app, "tidak.ada@contoh.id").status == OutboxStatus.PENDING
