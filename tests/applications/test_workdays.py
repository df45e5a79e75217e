"""Working days: weekends, national holidays (holidays package) and cuti bersama (data), in the MPP's zone."""

from __future__ import annotations

import datetime as dt

import pytest

from app.applications.models import CollectiveLeave
from app.applications.workdays import WorkingCalendar, add_working_days, expected_completion, service_working_days
from app.catalog.models import DurationUnit, Service
from app.extensions import db

D = dt.date
CALENDAR = WorkingCalendar(collective_leave=[D(2026, 12, 24)])


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (D(2026, 11, 18), 1, D(2026, 11, 19)),  # Wednesday → Thursday
        (D(2026, 11, 20), 1, D(2026, 11, 23)),  # Friday → Monday: the weekend does not count
        (D(2026, 11, 20), 5, D(2026, 11, 27)),
        (D(2026, 8, 14), 1, D(2026, 8, 18)),  # Friday before Independence Day (Mon 17 Aug) → Tuesday
        (D(2026, 12, 23), 1, D(2026, 12, 28)),  # cuti bersama 24, Christmas 25, weekend → Monday 28
        (D(2026, 11, 21), 0, D(2026, 11, 23)),  # same-day service submitted on a Saturday: Monday
        (D(2026, 11, 19), 0, D(2026, 11, 19)),
    ],
)
def test_working_days_skip_weekends_holidays_and_cuti_bersama(start, days, due):
    assert CALENDAR.add_working_days(start, days) == due


def test_cuti_bersama_is_read_from_the_table_an_admin_edits(app_ctx):
    assert add_working_days(D(2026, 12, 23), 1) == D(2026, 12, 24)
    db.session.add(CollectiveLeave(day=D(2026, 12, 24), name="Cuti bersama Natal"))
    db.session.commit()
    assert add_working_days(D(2026, 12, 23), 1) == D(2026, 12, 28)


def test_the_clock_starts_on_the_mpps_local_date():
    service = Service(duration_value=1, duration_unit=DurationUnit.WORKING_DAYS)
    moment = dt.datetime(2026, 11, 19, 16, 30, tzinfo=dt.UTC)  # Thu 23.30 WIB = Fri 00.30 WITA
    assert expected_completion(service, moment, "Asia/Jakarta", calendar=CALENDAR) == D(2026, 11, 20)
    assert expected_completion(service, moment, "Asia/Makassar", calendar=CALENDAR) == D(2026, 11, 23)
    assert expected_completion(service, moment, "Asia/Jayapura", calendar=CALENDAR) == D(2026, 11, 23)


def test_service_durations_become_working_days():
    assert service_working_days(Service(duration_value=24, duration_unit=DurationUnit.HOURS)) == 1
    assert service_working_days(Service(duration_value=10, duration_unit=DurationUnit.MINUTES)) == 0
    assert service_working_days(Service(duration_value=9, duration_unit=DurationUnit.WORKING_DAYS)) == 9
    assert service_working_days(Service(duration_value=None, duration_unit=None)) is None
