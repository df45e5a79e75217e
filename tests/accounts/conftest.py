"""Fixtures for the accounts tests. The shared ones (make_user, citizen, signed_in, …) live in fixtures.py and are
imported by tests/conftest.py so every capability has them."""

from __future__ import annotations

import pytest
from aiosmtpd.controller import Controller

from ..helpers import free_port
from .authenticator import SoftAuthenticator
from .flows import Flows, Mailbox, deliver_queued_mail


@pytest.fixture
def authenticator(app) -> SoftAuthenticator:
    return SoftAuthenticator(origin=app.config["PUBLIC_ORIGIN"])


@pytest.fixture
def mailbox(app, tmp_path) -> Mailbox:
    """Every e-mail the app sends during the test: a mail folder of its own (the embedded default), plus what
    the test SMTP server received when `smtp_server` is used too."""
    folder = tmp_path / "mail"
    old = app.config["MAIL_DIR"]
    app.config["MAIL_DIR"] = str(folder)
    yield Mailbox(folder, app)
    app.config["MAIL_DIR"] = old


@pytest.fixture
def flows(app, client, mailbox) -> Flows:
    return Flows(app, client, mailbox)


class _Inbox:
    def __init__(self, app=None):
        self.app = app
        self.received = []

    @property
    def messages(self):
        """What the server received once the e-mail outbox has run (the job worker's part, driven here)."""
        if self.app is not None:
            deliver_queued_mail(self.app)
        return self.received

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.received.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server(app, mailbox):
    """A real SMTP server on 127.0.0.1; the app is pointed at it for the test (and `mailbox` reads it)."""
    port = free_port()
    inbox = _Inbox(app)
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    old = app.config["SMTP_HOST"], app.config["SMTP_PORT"]
    app.config["SMTP_HOST"], app.config["SMTP_PORT"] = "127.0.0.1", port
    mailbox.smtp = inbox
    yield inbox
    app.config["SMTP_HOST"], app.config["SMTP_PORT"] = old
    controller.stop()
