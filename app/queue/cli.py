"""Queue jobs on the app's job worker: reminders every minute, and releasing no-shows of every counter."""

from __future__ import annotations

from flask import Flask
from huey import crontab

from ..notifications.worker import jobs


def register(app: Flask) -> None:
    huey = jobs(app).huey

    @huey.periodic_task(crontab(minute="*"), name="queue.reminders")
    def queue_reminders() -> None:
        from .reminders import send_due_reminders

        with app.app_context():
            send_due_reminders()

    @huey.periodic_task(crontab(minute="*/5"), name="queue.release_no_shows")
    def queue_release_no_shows() -> None:
        from sqlalchemy import select

        from ..catalog.models import Tenancy
        from ..extensions import db
        from .counter import release_no_shows
        from .models import Booking, BookingStatus

        with app.app_context():
            ids = db.session.scalars(
                select(Booking.tenancy_id).where(Booking.status == BookingStatus.CONFIRMED).distinct()
            ).all()
            for tenancy_id in ids:
                release_no_shows(tenancy=db.session.get(Tenancy, tenancy_id))
