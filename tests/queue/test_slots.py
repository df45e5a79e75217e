"""Slot generation is a pure function: hours, holidays, closures, the booking window and its release hour."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from app.queue.slots import (
    Calendar,
    Refusal,
    Rules,
    bookable_days,
    bookable_slots,
    find_slot,
    last_open_day,
    slots_of_day,
)

WITA = "Asia/Makassar"
WIB = "Asia/Jakarta"


def hours(*rows):
    return [
        SimpleNamespace(weekday=w, opens=dt.time.fromisoformat(o), closes=dt.time.fromisoformat(c)) for w, o, c in rows
    ]


MORNINGS = hours(*[(day, "08:00", "12:00") for day in range(5)])  # Samarinda's SIM counter: until 12.00 WITA
THREE_DAYS = hours((0, "08:00", "15:30"), (2, "08:00", "15:30"), (3, "08:00", "15:30"))  # BPOM
FRIDAY_BREAK = hours((4, "08:00", "11:30"), (4, "13:30", "16:00"))
RULES = Rules(slot_minutes=30, window_days=7, release_hour=6)
# Monday 7 December 2026, 07.00 WITA (23.00 UTC the day before).
MONDAY_7_WITA = dt.datetime(2026, 12, 6, 23, 0, tzinfo=dt.UTC)


def test_a_morning_counter_has_its_last_slot_before_noon_in_its_own_zone():
    slots = slots_of_day(dt.date(2026, 12, 8), rules=RULES, hours=MORNINGS, tz=WITA)
    assert [s.local_start.strftime("%H.%M") for s in slots][:2] == ["08.00", "08.30"]
    assert slots[-1].local_start.strftime("%H.%M") == "11.30"
    assert len(slots) == 8
    # Stored in UTC: 08.00 WITA is 00.00 UTC.
    assert slots[0].start == dt.datetime(2026, 12, 8, 0, 0, tzinfo=dt.UTC)
    assert slots[-1].end.astimezone(dt.UTC).hour == 4


def test_a_slot_that_would_run_past_closing_is_not_offered():
    rows = hours((1, "08:00", "09:45"))
    slots = slots_of_day(dt.date(2026, 12, 8), rules=RULES, hours=rows, tz=WIB)
    assert [s.key for s in slots] == ["2026-12-08T08:00", "2026-12-08T08:30", "2026-12-08T09:00"]


def test_the_friday_prayer_break_has_no_slots():
    slots = slots_of_day(dt.date(2026, 12, 11), rules=RULES, hours=FRIDAY_BREAK, tz=WIB)
    times = [s.local_start.strftime("%H.%M") for s in slots]
    assert "11.00" in times and "11.30" not in times and "12.30" not in times and "13.30" in times


def test_a_counter_serving_three_days_a_week_offers_only_those_days():
    days = bookable_days(rules=RULES, hours=THREE_DAYS, tz=WITA, calendar=Calendar(), now_utc=MONDAY_7_WITA)
    assert {d.weekday() for d in days} <= {0, 2, 3}
    assert dt.date(2026, 12, 8) not in days  # a Tuesday
    refusal = find_slot(
        "2026-12-08T09:00", rules=RULES, hours=THREE_DAYS, tz=WITA, calendar=Calendar(), now_utc=MONDAY_7_WITA
    )
    assert refusal == Refusal.NOT_SERVING


def test_holidays_and_closures_are_not_bookable():
    calendar = Calendar(holidays={dt.date(2026, 12, 9)}, closures={dt.date(2026, 12, 10)})
    days = bookable_days(rules=RULES, hours=MORNINGS, tz=WITA, calendar=calendar, now_utc=MONDAY_7_WITA)
    assert dt.date(2026, 12, 9) not in days and dt.date(2026, 12, 10) not in days
    assert (
        find_slot("2026-12-09T09:00", rules=RULES, hours=MORNINGS, tz=WITA, calendar=calendar, now_utc=MONDAY_7_WITA)
        == Refusal.HOLIDAY
    )
    assert (
        find_slot("2026-12-10T09:00", rules=RULES, hours=MORNINGS, tz=WITA, calendar=calendar, now_utc=MONDAY_7_WITA)
        == Refusal.CLOSURE
    )


def test_the_window_opens_a_new_day_at_the_release_hour_local_time():
    before = dt.datetime(2026, 12, 6, 21, 59, tzinfo=dt.UTC)  # Monday 05.59 WITA
    after = dt.datetime(2026, 12, 6, 22, 0, tzinfo=dt.UTC)  # Monday 06.00 WITA
    assert last_open_day(RULES, WITA, before) == dt.date(2026, 12, 13)
    assert last_open_day(RULES, WITA, after) == dt.date(2026, 12, 14)
    far = find_slot("2026-12-14T09:00", rules=RULES, hours=MORNINGS, tz=WITA, calendar=Calendar(), now_utc=before)
    assert far == Refusal.BEYOND_WINDOW
    assert (
        find_slot("2026-12-14T09:00", rules=RULES, hours=MORNINGS, tz=WITA, calendar=Calendar(), now_utc=after).key
        == "2026-12-14T09:00"
    )


def test_past_slots_outside_hours_and_garbage_are_refused_with_their_reason():
    now = dt.datetime(2026, 12, 7, 1, 10, tzinfo=dt.UTC)  # Monday 09.10 WITA
    calendar = Calendar()
    assert (
        find_slot("2026-12-07T09:00", rules=RULES, hours=MORNINGS, tz=WITA, calendar=calendar, now_utc=now)
        == Refusal.PAST
    )
    assert (
        find_slot("2026-12-04T09:00", rules=RULES, hours=MORNINGS, tz=WITA, calendar=calendar, now_utc=now)
        == Refusal.PAST
    )
    assert (
        find_slot("2026-12-08T12:00", rules=RULES, hours=MORNINGS, tz=WITA, calendar=calendar, now_utc=now)
        == Refusal.OUTSIDE_HOURS
    )
    assert (
        find_slot("2026-12-08T09:10", rules=RULES, hours=MORNINGS, tz=WITA, calendar=calendar, now_utc=now)
        == Refusal.OUTSIDE_HOURS
    )
    for garbage in ("", None, "x" * 16, "2026-13-40T99:99", "<script>", "2026-12-08 09:00:00"):
        assert (
            find_slot(garbage, rules=RULES, hours=MORNINGS, tz=WITA, calendar=calendar, now_utc=now) == Refusal.UNKNOWN
        )
    today = bookable_slots(dt.date(2026, 12, 7), rules=RULES, hours=MORNINGS, tz=WITA, calendar=calendar, now_utc=now)
    assert today[0].local_start.strftime("%H.%M") == "09.30"


def test_the_release_hour_is_reached_at_a_different_moment_in_each_zone():
    now = dt.datetime(2026, 12, 6, 22, 30, tzinfo=dt.UTC)  # Monday 05.30 WIB, 06.30 WITA
    assert last_open_day(RULES, WIB, now) == dt.date(2026, 12, 13)
    assert last_open_day(RULES, WITA, now) == dt.date(2026, 12, 14)
