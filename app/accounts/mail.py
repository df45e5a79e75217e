"""E-mail: queued in the caller's transaction, delivered by the job worker (app/notifications/email.py).

``send`` only adds an ``EmailOutbox`` row; the worker hands it over SMTP when MPP_SMTP_HOST is set, else writes it
into instance/mail/ (the embedded default). A slow or dead mail server therefore never blocks or fails a web request.
The log says THAT a message was queued or sent and to whom (masked), never its body: the body holds one-time codes.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from flask import current_app
from sqlalchemy import insert
from sqlalchemy.engine import Connection

from ..database import utcnow
from ..extensions import db

log = logging.getLogger(__name__)

SMTP_TIMEOUT = 10  # seconds: only the worker waits for it now, but a hung server must not hold a thread forever


class MailError(RuntimeError):
    """The message could not be handed to the mail server."""


class PermanentMailError(MailError):
    """The mail server refused the message for good (5xx): trying again would not help."""


def mask_address(address: str) -> str:
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


def send(*, to: str, subject: str, body: str, what: str = "message", connection: Connection | None = None) -> None:
    """Queue one plain-text e-mail in the current transaction (the session's, or ``connection``'s when the caller
    writes with Core). It is sent once that transaction commits; a rollback takes it back. ``what`` names it in
    logs and the admins' delivery log, without its content."""
    from ..notifications.models import EmailOutbox

    values = {"recipient": to, "subject": subject[:300], "body": body, "what": what[:60]}
    if connection is not None:
        connection.execute(insert(EmailOutbox).values(**values, next_attempt_at=utcnow(), created_at=utcnow()))
    else:
        db.session.add(EmailOutbox(**values))
    log.info("mail queued: %s to %s", what, mask_address(to))


def _message(*, to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["SMTP_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="mpp-digital")
    message.set_content(body)
    return message


def transmit(*, to: str, subject: str, body: str, what: str = "message") -> None:
    """Hand one e-mail to the mail server (or the local folder) now. Only the job worker calls this."""
    config = current_app.config
    message = _message(to=to, subject=subject, body=body)
    host = config.get("SMTP_HOST")
    if host:
        try:
            with smtplib.SMTP(host, config["SMTP_PORT"], timeout=SMTP_TIMEOUT) as smtp:
                if config.get("SMTP_USER"):
                    # Credentials only ever travel encrypted.
                    smtp.starttls(context=ssl.create_default_context())
                    smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"] or "")
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            log.error("mail refused: %s to %s", what, mask_address(to))
            raise PermanentMailError("recipient refused") from error
        except smtplib.SMTPResponseException as error:
            log.error("mail not sent: %s to %s: SMTP %s", what, mask_address(to), error.smtp_code)
            kind = PermanentMailError if 500 <= error.smtp_code < 600 else MailError
            raise kind(f"SMTP {error.smtp_code}") from error
        except (OSError, smtplib.SMTPException) as error:
            log.error("mail not sent: %s to %s: %s", what, mask_address(to), error.__class__.__name__)
            raise MailError(error.__class__.__name__) from error
        log.info("mail sent: %s to %s via SMTP", what, mask_address(to))
        return
    folder = Path(config["MAIL_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{utcnow():%Y%m%dT%H%M%S%f}-{what.replace(' ', '-')}.eml"
    path.write_bytes(bytes(message))
    path.chmod(0o600)
    log.info("mail written: %s to %s in the local mail folder", what, mask_address(to))
