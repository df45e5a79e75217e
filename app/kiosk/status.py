"""Status check at the kiosk: a tracking number AND its status code, so a number seen over someone's shoulder (or
written on a receipt found on the floor) is not enough to read where an application stands.

The code is derived, not stored: an HMAC of the tracking number under the app's secret, in the tracking numbers'
own unambiguous alphabet. It is shown to the citizen on their application page and on the front desk's receipt.
The answer names the service, the MPP and the status only — nothing about the person.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app
from sqlalchemy import select

from ..applications import tracking
from ..applications.models import Application, ApplicationStatus
from ..extensions import db

CODE_LENGTH = 6  # 30^6 ≈ 7·10^8 per tracking number, on top of the number itself and the rate limit


def status_code(application: Application) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"kiosk-status:{application.tracking_number}".encode(), hashlib.sha256).digest()
    value = int.from_bytes(digest[:8], "big")
    chars = []
    for _ in range(CODE_LENGTH):
        value, index = divmod(value, len(tracking.ALPHABET))
        chars.append(tracking.ALPHABET[index])
    return "".join(chars)


def _clean_code(raw: str | None) -> str:
    return "".join(ch for ch in (raw or "").upper() if ch.isalnum())[:20]


def find(number: str | None, code: str | None) -> Application | None:
    """The submitted application with this number when the code matches; otherwise None (same answer either way)."""
    canonical = tracking.normalize(number)
    if canonical is None:
        return None
    application = db.session.scalar(
        select(Application).where(
            Application.tracking_number == canonical, Application.status != ApplicationStatus.DRAFT
        )
    )
    if application is None:
        return None
    if not hmac.compare_digest(status_code(application), _clean_code(code)):
        return None
    return application
