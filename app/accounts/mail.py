"""Sending e-mail: over SMTP when MPP_SMTP_HOST is set, else into instance/mail/ (the embedded default).

The log says THAT a message was sent and to whom (masked), never its body: the body holds one-time codes.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from flask import current_app

from ..database import utcnow

log = logging.getLogger(__name__)

SMTP_TIMEOUT = 10  # seconds: a slow mail server must not hold a web worker for long


class MailError(RuntimeError):
    """The message could not be handed to the mail server."""


def mask_address(address: str) -> str:
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


def _message(*, to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["SMTP_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="mpp-digital")
    message.set_content(body)
    return message


def send(*, to: str, subject: str, body: str, what: str = "message") -> None:
    """Deliver one plain-text e-mail. ``what`` names it in the log (e.g. "recovery code") without its content."""
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
        except (OSError, smtplib.SMTPException) as error:
            log.error("mail not sent: %s to %s: %s", what, mask_address(to), error.__class__.__name__)
            raise MailError(str(error)) from error
        log.info("mail sent: %s to %s via SMTP", what, mask_address(to))
        return
    folder = Path(config["MAIL_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{utcnow():%Y%m%dT%H%M%S%f}-{what.replace(' ', '-')}.eml"
    path.write_bytes(bytes(message))
    path.chmod(0o600)
    log.info("mail written: %s to %s in the local mail folder", what, mask_address(to))
