"""What a ticket shows and carries: the QR (segno SVG, inline), the calendar file, the counter and the visit time."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import segno
from markupsafe import Markup

from ..formatting import clock, zone_label
from .models import Booking


def qr_svg(booking: Booking) -> Markup:
    """The booking code as an inline SVG QR (about 1.5 KB, no request, works offline with the page).

    It holds only the code, never a URL or a name: the officer's scanner types it into the check-in form, and a
    photo of someone's ticket reveals nothing but a code that is useless without the person and their NIK.
    """
    qr = segno.make_qr(booking.code, error="q", boost_error=False)
    svg = qr.svg_inline(scale=6, border=2, dark="#111", light="#fff", omitsize=True, svgclass="ticket-qr")
    # Safe: segno builds the SVG from our own 8-character code (no user text reaches it).
    return Markup(svg.replace("<svg ", '<svg role="img" aria-labelledby="kode-tiket" ', 1))  # noqa: S704


def visit_window(booking: Booking) -> str:
    """ "09.30–10.00 WITA" in the MPP's zone."""
    if booking.slot_start is None or booking.slot_end is None:
        return ""
    tz = booking.mpp.timezone
    start = booking.slot_start.astimezone(ZoneInfo(tz))
    end = booking.slot_end.astimezone(ZoneInfo(tz))
    return f"{clock(start.time())}–{clock(end.time())} {zone_label(tz)}"


def _ics_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _ics_time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def ics(booking: Booking, *, summary: str, description: str, origin: str, now_utc: dt.datetime) -> str:
    """An RFC 5545 event. Times are written in UTC ("…Z"): every calendar shows them in the phone's own zone, so
    a citizen in WIB booking at a WITA MPP sees the right moment, and the description states the MPP's own time."""
    host = origin.split("//", 1)[-1]
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//MPP Digital//Antrean//ID",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:antrean-{booking.code}-{booking.version}@{host}",
        f"SEQUENCE:{booking.version}",
        f"DTSTAMP:{_ics_time(now_utc)}",
        f"DTSTART:{_ics_time(booking.slot_start)}",
        f"DTEND:{_ics_time(booking.slot_end)}",
        f"SUMMARY:{_ics_text(summary)}",
        f"LOCATION:{_ics_text(booking.mpp.name + ', ' + booking.mpp.address)}",
        f"DESCRIPTION:{_ics_text(description)}",
        f"URL:{origin}/antrean/{booking.code}",
        "BEGIN:VALARM",
        "TRIGGER:-PT1H",
        "ACTION:DISPLAY",
        f"DESCRIPTION:{_ics_text(summary)}",
        "END:VALARM",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"


def _fold(line: str) -> str:
    """Lines longer than 75 octets are folded (RFC 5545 §3.1)."""
    data = line.encode()
    if len(data) <= 75:
        return line
    parts, current = [], b""
    for char in line:
        encoded = char.encode()
        if len(current) + len(encoded) > 74:
            parts.append(current.decode())
            current = b""
        current += encoded
    parts.append(current.decode())
    return "\r\n ".join(parts)
