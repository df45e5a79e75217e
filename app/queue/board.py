"""What the MPP hall's screen and a checked-in ticket show: numbers now serving, next numbers, how many are ahead.

Live updates are htmx polling, not Server-Sent Events. Why:
  * a citizen's phone on a flaky 3G link drops connections all the time; a poll that fails simply tries again at
    the next tick, while an SSE stream must be re-established and can silently stall behind a carrier proxy that
    buffers responses;
  * reverse proxies and gunicorn's gthread workers hold one thread per open SSE stream: a hall with 50 waiting
    phones and two TV screens would pin 52 threads of a small embedded server for hours;
  * the TV board runs for hours: a poll that swaps one small fragment keeps no growing state in the page (no
    EventSource buffers, no listeners added per message), so memory stays flat.
The cost is a small request every few seconds (the board's numbers change a few times a minute at most); the
figure per connected screen is measured in bench/queue_booking.py. A poll names the version the screen shows; when
nothing changed at that MPP since this process handed that version out, the answer is a 204 from memory without a
database read, whichever process or node answers (live.py: the change fan-out across processes).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..catalog.models import Mpp, Tenancy
from ..extensions import db
from ..formatting import local_datetime
from . import counter
from . import settings as queue_settings
from .models import Booking, BookingStatus
from .slots import local_now

BOARD_POLL_SECONDS = 5
TICKET_POLL_SECONDS = 15
NEXT_SHOWN = 4


@dataclass(frozen=True)
class CounterRow:
    label: str  # "Loket 12–13 · Polres"
    serving: list[str]  # numbers called, newest first (e.g. ["A004"])
    next_numbers: list[str]


@dataclass(frozen=True)
class BoardView:
    rows: list[CounterRow]
    updated: str  # "7 Des 2026 09.41 WITA"


def board_of(mpp: Mpp, *, now_utc: dt.datetime) -> BoardView:
    """Only numbers and counters: no names, no services a person could be recognised by. Two queries whatever the
    number of counters (the board is polled by every screen in the hall)."""
    day = local_now(now_utc, mpp.timezone).date()
    tenancies = db.session.scalars(
        select(Tenancy).where(Tenancy.mpp_id == mpp.id).options(selectinload(Tenancy.agency)).order_by(Tenancy.id)
    ).all()
    active = db.session.scalars(
        select(Booking).where(
            Booking.mpp_id == mpp.id,
            Booking.local_day == day,
            Booking.status.in_((BookingStatus.CHECKED_IN, BookingStatus.CALLED)),
        )
    ).all()
    by_counter: dict[int, list[Booking]] = {}
    for booking in active:
        by_counter.setdefault(booking.tenancy_id, []).append(booking)
    rows = []
    for tenancy in tenancies:
        present = by_counter.get(tenancy.id, [])
        if not present:
            continue
        called = sorted(
            (b for b in present if b.status == BookingStatus.CALLED), key=lambda b: b.last_called_at, reverse=True
        )
        waiting = sorted((b for b in present if b.status == BookingStatus.CHECKED_IN), key=counter.order_key)
        label = " · ".join(part for part in (tenancy.counter, tenancy.agency.short_name) if part)
        rows.append(
            CounterRow(
                label=label,
                serving=[b.queue_number for b in called[:2]],
                next_numbers=[b.queue_number for b in waiting[:NEXT_SHOWN]],
            )
        )
    return BoardView(rows=rows, updated=local_datetime(now_utc, mpp.timezone))


def version_of(shown: BoardView | TicketLive | None) -> str:
    """What a screen shows (a board, a ticket's live part), as a short hash of its facts and its "Updated" minute:
    the same in every process that read the same queue in the same minute, so a poll may carry it to any of them."""
    return hashlib.blake2b(repr(shown).encode(), digest_size=8).hexdigest()


def board_key(slug: str, language: str) -> tuple:
    """What a remembered board version is kept under (live.py): the MPP's address and the screen's language."""
    return ("board", slug, language)


@dataclass(frozen=True)
class TicketLive:
    number: str
    status: BookingStatus
    now_serving: str | None
    ahead: int
    estimate_minutes: int
    counter_label: str | None
    updated: str


def ticket_status(booking: Booking, *, now_utc: dt.datetime) -> TicketLive | None:
    """After check-in: the visitor's number, the number now served at that counter, how many are ahead of them
    and an estimate (minutes per visitor = slot length ÷ places per slot, the counter's own planning figure)."""
    if booking.status not in (BookingStatus.CHECKED_IN, BookingStatus.CALLED) or booking.queue_number is None:
        return None
    tenancy: Tenancy = booking.tenancy
    queue = counter.waiting(booking.tenancy_id, booking.local_day)
    ahead = next((i for i, row in enumerate(queue) if row.id == booking.id), 0)
    calls = counter.called(booking.tenancy_id, booking.local_day)
    rules = queue_settings.rules_for(booking.tenancy_id, booking.service_id)
    per_visit = max(1, rules.slot_minutes // max(1, rules.capacity + rules.priority_capacity))
    return TicketLive(
        number=booking.queue_number,
        status=booking.status,
        now_serving=calls[0].queue_number if calls else None,
        ahead=ahead if booking.status == BookingStatus.CHECKED_IN else 0,
        estimate_minutes=ahead * per_visit if booking.status == BookingStatus.CHECKED_IN else 0,
        counter_label=booking.counter_label or tenancy.counter,
        updated=local_datetime(now_utc, booking.mpp.timezone),
    )
