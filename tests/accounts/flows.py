"""The account flows driven through HTTP with the software authenticator (no browser), and the mailbox they read."""

from __future__ import annotations

import email
import email.policy
import re
from email.message import EmailMessage
from pathlib import Path

from app.accounts.models import User
from app.extensions import db

from .authenticator import SoftAuthenticator

CODE = re.compile(r"\b(\d{6})\b")


def deliver_queued_mail(app) -> None:
    """Deliver every queued e-mail that is due, in this thread, in an app context of its own."""
    from app.notifications import email as email_outbox

    with app.app_context():
        email_outbox.deliver_due()


class Mailbox:
    """The e-mails the app sent: .eml files in the mail folder, and (when set) a test SMTP server's envelopes."""

    def __init__(self, folder: Path, app=None):
        self.folder = folder
        self.app = app
        self.smtp = None  # tests/accounts/conftest.py `_Inbox` when the SMTP server fixture is in use

    def deliver(self) -> None:
        """Run the e-mail outbox as the job worker would (e-mail is never sent from the request itself)."""
        if self.app is not None:
            deliver_queued_mail(self.app)

    def messages(self, to: str | None = None) -> list[EmailMessage]:
        self.deliver()
        raw = [path.read_bytes() for path in sorted(self.folder.glob("*.eml"))] if self.folder.exists() else []
        if self.smtp is not None:
            raw += [envelope.content for envelope in self.smtp.received]
        messages = [email.message_from_bytes(data, policy=email.policy.default) for data in raw]
        if to is not None:
            messages = [m for m in messages if m["To"] == to.strip().lower()]
        return messages

    def latest(self, to: str) -> EmailMessage:
        messages = self.messages(to)
        assert messages, f"no e-mail was sent to {to}"
        return messages[-1]

    @staticmethod
    def body(message: EmailMessage) -> str:
        return message.get_content()

    def code(self, to: str) -> str:
        """The 6-digit code of the latest e-mail to ``to`` (fails when it holds none)."""
        found = CODE.search(self.body(self.latest(to)))
        assert found, f"the latest e-mail to {to} holds no code"
        return found.group(1)


class Flows:
    def __init__(self, app, client, mailbox: Mailbox | None = None):
        self.app = app
        self.client = client
        self.mailbox = mailbox

    def csrf_token(self) -> str:
        """The session's CSRF token, read from a small page of ours (the sign-out page)."""
        html = self.client.raw.get("/keluar").get_data(as_text=True)
        return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)

    def post_json(self, url: str, body: dict | None = None):
        return self.client.raw.post(
            url,
            json=body or {},
            headers={"X-CSRFToken": self.csrf_token(), "Origin": "http://localhost"},
        )

    def submit_sign_up_form(
        self, *, name: str = "Siti Rahayu", email: str = "siti@contoh.id", purposes=(), next_url: str | None = None
    ):
        """Step 1: the form. Every valid answer goes to the code page, registered address or not."""
        data = {"display_name": name, "email": email, "phone": "", "purposes": list(purposes)}
        if next_url is not None:
            data["next"] = next_url  # the hidden field the form carries when sign-up started from ?next=
        response = self.client.post("/daftar", data=data)
        assert response.status_code == 303, response.get_data(as_text=True)[:500]
        assert response.headers["Location"] == "/daftar/kode"
        return response

    def enter_code(self, code: str):
        """Step 2: the code from the e-mail."""
        return self.client.post("/daftar/kode", data={"code": code})

    def start_sign_up(
        self, *, name: str = "Siti Rahayu", email: str = "siti@contoh.id", purposes=(), next_url: str | None = None
    ) -> dict:
        """Steps 1 and 2 (code read from the mailbox), then the passkey creation options of step 3."""
        self.submit_sign_up_form(name=name, email=email, purposes=purposes, next_url=next_url)
        assert self.mailbox is not None, "Flows needs the mailbox fixture to read the sign-up code"
        response = self.enter_code(self.mailbox.code(email))
        assert response.status_code == 303 and response.headers["Location"] == "/daftar/passkey", response.status
        options = self.post_json("/daftar/passkey/opsi")
        assert options.status_code == 200, options.get_json()
        return options.get_json()

    def sign_up(self, authenticator: SoftAuthenticator, **kwargs) -> User:
        options = self.start_sign_up(**kwargs)
        response = self.post_json("/daftar/passkey/verifikasi", authenticator.create(options))
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["redirect"] == "/akun/kode-pemulihan"
        with self.app.app_context():
            user = db.session.scalar(db.select(User).order_by(User.id.desc()))
            db.session.expunge(user)
        return user

    def sign_in_options(self) -> dict:
        response = self.post_json("/masuk/opsi")
        assert response.status_code == 200
        return response.get_json()

    def sign_in(self, authenticator: SoftAuthenticator, **kwargs):
        return self.post_json("/masuk/verifikasi", authenticator.get(self.sign_in_options(), **kwargs))

    def sign_out(self):
        return self.client.post("/keluar")
