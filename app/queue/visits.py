"""A counter visit for an application (issue 10 point 1): "Ambil antrean" from the application's own page.

Some services are applied for online but finish at the counter: the old KTP-el handed in, the SIM photographed, the
SKCK collected. The Standar Pelayanan says so (an "at the counter" requirement, or the service's note on coming in
person). While such an application is under way, and whenever an officer asks for a correction (which may be easier
to sort out in person), its page offers a booking at the application's own MPP, for that service; once booked, the
page shows the ticket instead. The booking remembers the application so the officer at the counter sees it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from ..applications.models import Application, ApplicationStatus
from ..catalog.models import RequirementKind, Service
from ..extensions import db
from . import settings as queue_settings
from .models import Booking, BookingStatus
from .slots import local_now

# An application in these states may still need the citizen at the counter (a completed one: to collect the result).
UNDER_WAY = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.VERIFIED,
    ApplicationStatus.IN_PROCESS,
    ApplicationStatus.COMPLETED,
)
UPCOMING = (BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN, BookingStatus.CALLED)


def needs_counter_visit(service: Service) -> bool:
    """The standard asks the citizen to come to the counter for this service (even when applying online)."""
    return bool((service.in_person_note or "").strip()) or any(
        item.kind == RequirementKind.IN_PERSON for item in service.requirements
    )


@dataclass(frozen=True)
class VisitOffer:
    """What the application's page shows: a booking link, or the booking already made."""

    mpp_slug: str
    mpp_name: str
    service_slug: str
    booking: Booking | None  # the citizen's upcoming visit for this service at this MPP, if any
    correction: bool  # offered because the officer asked for a correction


def offer_for(application: Application, *, now_utc: dt.datetime) -> VisitOffer | None:
    """The counter visit the application's page offers, or None (no visit needed, or not bookable there)."""
    correction = application.status == ApplicationStatus.NEEDS_CORRECTION
    if application.mpp is None or not (
        correction or (application.status in UNDER_WAY and needs_counter_visit(application.service))
    ):
        return None
    place = queue_settings.place_at(application.service, application.mpp.slug)
    if place is None:
        return None
    today = local_now(now_utc, place.tz).date()
    booking = db.session.scalar(
        select(Booking)
        .where(
            Booking.user_id == application.user_id,
            Booking.service_id == application.service_id,
            Booking.mpp_id == application.mpp_id,
            Booking.status.in_(UPCOMING),
            Booking.local_day >= today,
        )
        .order_by(Booking.slot_start)
        .limit(1)
    )
    return VisitOffer(
        mpp_slug=place.mpp.slug,
        mpp_name=place.mpp.name,
        service_slug=application.service.slug,
        booking=booking,
        correction=correction,
    )


def application_for(user, number: str | None, service: Service) -> Application | None:
    """The citizen's own application with this tracking number for this service (a booking made from its page)."""
    if not number:
        return None
    from ..applications.lifecycle import get_application

    application = get_application(user, number[:40])
    if application is None or application.service_id != service.id:
        return None
    return application
