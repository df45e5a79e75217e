"""Record, inside the transaction of a status change, what the applicant must be told.

``workflow.transition()`` sends ``status_changed`` before it flushes and never commits; this listener adds a
Notification and its OutboxMessage to the same session, so the change and the fact that it must be announced are
committed together or not at all (a rolled-back transition leaves no orphan notification, a committed one never
loses its message). Nothing is sent from the request: the delivery worker reads the outbox.
"""

from __future__ import annotations

from flask import url_for

from ..applications.models import Application, ApplicationStatus, StatusEvent
from ..applications.workflow import Party, status_changed
from ..extensions import db
from .models import Notification, OutboxMessage


def N_(msgid: str) -> str:  # noqa: N802 — the conventional name pybabel extracts without translating
    """Mark a msgid for extraction; it is translated when the notification is shown, in the reader's language."""
    return msgid


KIND_APPLICATION_STATUS = "application_status"

# Title and body per new status. Placeholders: %(number)s tracking number, %(service)s service name,
# %(status)s status label, %(reason)s the officer's reason.
MESSAGES: dict[ApplicationStatus, tuple[str, str]] = {
    ApplicationStatus.VERIFIED: (
        N_("Application %(number)s verified"),
        N_("Your data and documents for %(service)s are complete."),
    ),
    ApplicationStatus.IN_PROCESS: (
        N_("Application %(number)s is being processed"),
        N_("The agency has started processing %(service)s."),
    ),
    ApplicationStatus.COMPLETED: (
        N_("Application %(number)s is complete"),
        N_("%(service)s is complete. Open the application to see how to get the result."),
    ),
    ApplicationStatus.NEEDS_CORRECTION: (
        N_("Application %(number)s needs a correction"),
        N_("The officer asks you to correct your application: %(reason)s"),
    ),
    ApplicationStatus.REJECTED: (
        N_("Application %(number)s was rejected"),
        N_("Reason: %(reason)s"),
    ),
}
DEFAULT_MESSAGE = (N_("Application %(number)s: %(status)s"), N_("The status of %(service)s changed to %(status)s."))


def notify_status_change(application: Application, event: StatusEvent) -> Notification | None:
    """Add (not commit) the applicant's notification for ``event``. Their own actions (submitting, cancelling)
    need no message: they just did it and saw the result on screen."""
    if event.actor_role == Party.CITIZEN:
        return None
    title, body = MESSAGES.get(event.to_status, DEFAULT_MESSAGE)
    notification = Notification(
        user_id=application.user_id,
        kind=KIND_APPLICATION_STATUS,
        title_msgid=title,
        body_msgid=body,
        params={
            "number": application.tracking_number,
            "service": application.service.name,
            "status": ApplicationStatus(event.to_status).value,
            "reason": event.reason or "",
        },
        url=_application_url(application),
        # Its time is shown in the application's MPP zone, like the application's own timeline.
        timezone=application.mpp.timezone if application.mpp else None,
    )
    notification.outbox.append(OutboxMessage())
    db.session.add(notification)
    return notification


def _application_url(application: Application) -> str:
    try:
        return url_for("applications.detail", number=application.tracking_number)
    except RuntimeError:  # outside a request and app context with SERVER_NAME: the path is stable anyway
        return f"/permohonan/{application.tracking_number}"


@status_changed.connect
def _on_status_changed(application: Application, event: StatusEvent, **_extra) -> None:
    notify_status_change(application, event)
