"""How money, dates and times are shown: rupiah with dots ("Rp350.000"), times in the MPP's own zone."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask_babel import format_date, gettext

# Indonesia's three zones. Times are stored in UTC and shown in the zone of the MPP concerned.
ZONES = {
    "Asia/Jakarta": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}


def rupiah(amount: int | Decimal | None) -> str:
    """Rp350.000 — Indonesian thousands separator, no decimals, no space (the form used on official tariffs)."""
    if amount is None:
        return ""
    if amount == 0:
        return gettext("Free")
    return "Rp" + f"{int(amount):,}".replace(",", ".")


def zone_label(tz_name: str) -> str:
    return ZONES.get(tz_name, tz_name)


def local_time(moment: dt.datetime, tz_name: str) -> dt.datetime:
    return moment.astimezone(ZoneInfo(tz_name))


def clock(value: dt.time | None) -> str:
    """08.00 — Indonesian writes hours with a dot."""
    return value.strftime("%H.%M") if value else ""


def local_datetime(moment: dt.datetime | None, tz_name: str = "Asia/Jakarta") -> str:
    """ "22 Nov 2026, 14.05 WITA" in the zone of the MPP — the zone always named, so one event never reads as
    two different clock times. Times not tied to an MPP pass nothing and are shown (and labelled) in WIB."""
    if moment is None:
        return ""
    local = local_time(moment, tz_name)
    return f"{format_date(local.date(), 'd MMM y')}, {clock(local.time())} {zone_label(tz_name)}"


def long_date(value: dt.date | None) -> str:
    return format_date(value, "d MMMM y") if value else ""


def init_app(app) -> None:
    app.jinja_env.filters["rupiah"] = rupiah
    app.jinja_env.filters["clock"] = clock
    app.jinja_env.filters["local_datetime"] = local_datetime
    app.jinja_env.filters["long_date"] = long_date
    app.jinja_env.filters["zone_label"] = zone_label
