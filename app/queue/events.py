"""Signals other capabilities connect to, so the queue never imports them (and works without them).

``visit_served`` is sent (sender: the Booking) after a counter marks a visit served and the change is committed.
The feedback capability connects its survey invitation to it::

    from app.queue.events import visit_served
    visit_served.connect(lambda booking, **_: invite_after_visit(booking))

A receiver that fails must not undo the visit: the counter's action is already committed when this fires.

``booking_changed`` is sent (sender: the Booking; ``kind``: "confirmed", "cancelled" or "checked_in") INSIDE the
transaction of the change, just before its commit, so a receiver's rows (the agency webhooks' outbox) are committed
with the change or not at all. The booking object may still show its previous status; trust ``kind``.
"""

from __future__ import annotations

import logging

from blinker import Namespace

log = logging.getLogger(__name__)

_signals = Namespace()
visit_served = _signals.signal("queue-visit-served")
booking_changed = _signals.signal("queue-booking-changed")


def announce_served(booking) -> None:
    """Send ``visit_served``; a broken receiver is logged, never shown to the officer as a failed action."""
    try:
        visit_served.send(booking)
    except Exception:  # noqa: BLE001 - a receiver's bug must not turn a served visit into an error page
        log.exception("a visit_served receiver failed for booking %s", booking.id)
