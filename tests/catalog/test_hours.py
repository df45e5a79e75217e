"""Opening hours: open now, next opening and Indonesian day groups, across WIB, WITA and WIT."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from app.catalog.hours import (
    effective_hours,
    format_period,
    format_periods,
    group_hours,
    is_open,
    next_opening,
    opening_status,
)

T = dt.time
WIB, WITA, WIT = "Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"


@dataclass
class Row:
    weekday: int
    opens: dt.time
    closes: dt.time


def weekdays(opens, closes, days=range(5)):
    return [Row(day, opens, closes) for day in days]


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


OFFICE = weekdays(T(8), T(15, 30))  # Senin–Jumat 08.00–15.30
MORNINGS = weekdays(T(8), T(12))  # a SIM counter that serves only until 12.00
# Monday 23 November 2026.
MONDAY = dt.date(2026, 11, 23)


@pytest.mark.parametrize(
    ("tz", "moment", "expected"),
    [
        # 01.00 UTC is 08.00 WIB (just opened), 09.00 WITA, 10.00 WIT.
        (WIB, utc(2026, 11, 23, 1, 0), True),
        (WITA, utc(2026, 11, 23, 0, 0), True),  # 08.00 WITA
        (WITA, utc(2026, 11, 22, 23, 59), False),  # 07.59 WITA
        (WIT, utc(2026, 11, 23, 6, 30), False),  # 15.30 WIT: the closing minute is closed
        (WIT, utc(2026, 11, 23, 6, 29), True),  # 15.29 WIT
        (WIB, utc(2026, 11, 23, 8, 29), True),  # 15.29 WIB = 16.29 WITA: open in Jakarta
        (WITA, utc(2026, 11, 23, 8, 29), False),  # … but not in Makassar
    ],
)
def test_is_open_is_judged_in_the_mpps_own_zone(tz, moment, expected):
    assert is_open(OFFICE, tz, moment) is expected


def test_a_counter_serving_until_noon_is_closed_in_the_afternoon_while_the_building_is_open():
    half_past_twelve_wita = utc(2026, 11, 24, 4, 30)
    assert is_open(OFFICE, WITA, half_past_twelve_wita)
    assert not is_open(MORNINGS, WITA, half_past_twelve_wita)
    status = opening_status(MORNINGS, WITA, half_past_twelve_wita)
    assert status.next_opening == dt.datetime(2026, 11, 25, 8, 0, tzinfo=status.next_opening.tzinfo)
    assert status.checked_at.strftime("%H.%M") == "12.30"


def test_weekend_is_closed_and_the_next_opening_is_monday_morning():
    saturday_noon_wib = utc(2026, 11, 28, 5, 0)
    status = opening_status(OFFICE, WIB, saturday_noon_wib)
    assert not status.is_open and status.closes_at is None
    assert status.next_opening.date() == MONDAY + dt.timedelta(days=7)
    assert status.next_opening.time() == T(8)
    assert status.next_opening.utcoffset() == dt.timedelta(hours=7)


def test_while_open_the_status_says_until_when():
    status = opening_status(OFFICE, WIT, utc(2026, 11, 23, 1, 0))  # 10.00 WIT
    assert status.is_open and status.closes_at == T(15, 30) and status.next_opening is None


def test_a_split_day_reopens_after_the_break():
    friday = [Row(4, T(8), T(11)), Row(4, T(13), T(16))]
    friday_noon_wib = utc(2026, 11, 27, 5, 0)
    assert not is_open(friday, WIB, friday_noon_wib)
    assert next_opening(friday, WIB, friday_noon_wib).time() == T(13)
    assert is_open(friday, WIB, utc(2026, 11, 27, 6, 0))


def test_today_before_opening_is_the_next_opening():
    early_monday = utc(2026, 11, 22, 23, 0)  # 06.00 WIB Monday
    assert next_opening(OFFICE, WIB, early_monday).date() == MONDAY


def test_a_counter_with_no_hours_never_opens():
    status = opening_status([], WIB, utc(2026, 11, 23, 3, 0))
    assert not status.is_open and status.next_opening is None


def test_three_days_a_week_next_opening_skips_the_closed_days():
    three_days = weekdays(T(8), T(14), (0, 2, 4))
    tuesday = utc(2026, 11, 24, 3, 0)
    assert next_opening(three_days, WITA, tuesday).weekday() == 2


def test_naive_now_is_refused():
    with pytest.raises(ValueError, match="aware"):
        is_open(OFFICE, WIB, dt.datetime(2026, 11, 23, 9, 0))


def test_groups_read_like_a_published_schedule():
    rows = weekdays(T(8), T(15, 30), range(4)) + [Row(4, T(8), T(11)), Row(4, T(13), T(16))] + [Row(5, T(8), T(12))]
    groups = [(group.days, format_periods(group.periods) or "Tutup") for group in group_hours(rows)]
    assert groups == [
        ("Senin–Kamis", "08.00–15.30"),
        ("Jumat", "08.00–11.00, 13.00–16.00"),
        ("Sabtu", "08.00–12.00"),
        ("Minggu", "Tutup"),
    ]


def test_closed_days_in_the_middle_of_the_week_are_their_own_groups():
    rows = weekdays(T(8), T(14), (0, 2, 4))
    assert [group.days for group in group_hours(rows)] == ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu–Minggu"]
    assert [group.days for group in group_hours(rows, include_closed=False)] == ["Senin", "Rabu", "Jumat"]


def test_day_names_follow_the_language():
    assert group_hours(OFFICE, locale="en")[0].days == "Monday–Friday"


def test_rows_in_any_order_group_the_same():
    assert group_hours(list(reversed(OFFICE))) == group_hours(OFFICE)


def test_periods_use_the_indonesian_dot_and_an_en_dash():
    assert format_period(T(8), T(15, 30)) == "08.00–15.30"


@dataclass
class FakeMpp:
    hours: list


@dataclass
class FakeTenancy:
    hours: list
    mpp: FakeMpp


def test_a_tenancy_without_hours_keeps_the_mpp_hours():
    mpp = FakeMpp(hours=OFFICE)
    assert effective_hours(FakeTenancy(hours=[], mpp=mpp)) == OFFICE
    assert effective_hours(FakeTenancy(hours=MORNINGS, mpp=mpp)) == MORNINGS
