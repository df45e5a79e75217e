"""SLA per procedure step: working days across weekends, a national holiday and cuti bersama, in WIB/WITA/WIT."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from app.applications.models import Application, ApplicationStatus, StatusEvent
from app.applications.workdays import WorkingCalendar
from app.backoffice.sla import StepState, sla_for, step_allowance, working_days_between
from app.catalog.models import DurationUnit, Mpp, ProcedureStep, Service

S = ApplicationStatus
UTC = dt.UTC
# 17 Aug 2026 (Monday) is Independence Day; the test's cuti bersama is Tuesday 18 August.
CUTI_BERSAMA = dt.date(2026, 8, 18)
CALENDAR = WorkingCalendar([CUTI_BERSAMA])

# Magelang's SIP workflow (domain.md §3.1): 0/1/3/2/2/1/0 working days = 9.
MAGELANG = [
    ("Pendaftaran", "Pemohon", 0),
    ("Pemeriksaan DPMPTSP", "Petugas DPMPTSP", 1),
    ("Pemeriksaan dan rekomendasi Dinkes", "Petugas Dinkes", 3),
    ("Penomoran", "Petugas DPMPTSP", 2),
    ("Tanda tangan elektronik", "Kepala DPMPTSP", 2),
    ("Pemeriksaan akhir", "Petugas DPMPTSP", 1),
    ("Penyerahan", "Petugas DPMPTSP", 0),
]


def make_application(
    *,
    submitted_at: dt.datetime,
    status: ApplicationStatus = S.SUBMITTED,
    tz: str = "Asia/Jakarta",
    steps=MAGELANG,
    due_date: dt.date | None = None,
    events: list[tuple[ApplicationStatus, dt.datetime]] = (),
    duration: int = 9,
) -> Application:
    service = Service(
        name="Surat Izin Praktik Bidan",
        duration_value=duration,
        duration_unit=DurationUnit.WORKING_DAYS,
        steps=[
            ProcedureStep(position=i, title=t, actor=a, duration_value=v, duration_unit=DurationUnit.WORKING_DAYS)
            for i, (t, a, v) in enumerate(steps)
        ],
    )
    application = Application(
        status=status,
        submitted_at=submitted_at,
        due_date=due_date or CALENDAR.add_working_days(submitted_at.astimezone(_zone(tz)).date(), duration),
        service=service,
        mpp=Mpp(name="MPP Uji", timezone=tz),
    )
    previous = S.SUBMITTED
    for to_status, at in events:
        application.events.append(StatusEvent(from_status=previous, to_status=to_status, created_at=at))
        previous = to_status
    return application


def _zone(tz):
    from zoneinfo import ZoneInfo

    return ZoneInfo(tz)


def wib(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=_zone("Asia/Jakarta")).astimezone(UTC)


def test_sub_day_limits_are_fractions_of_a_working_day():
    assert step_allowance(ProcedureStep(duration_value=10, duration_unit=DurationUnit.MINUTES)) == Fraction(1, 144)
    assert step_allowance(ProcedureStep(duration_value=4, duration_unit=DurationUnit.HOURS)) == Fraction(1, 6)
    assert step_allowance(ProcedureStep(duration_value=3, duration_unit=DurationUnit.WORKING_DAYS)) == 3


def test_magelang_sip_steps_add_up_to_nine_working_days():
    application = make_application(submitted_at=wib(2026, 2, 2, 9, 0))  # Monday, no holidays that fortnight
    sla = sla_for(application, now=wib(2026, 2, 2, 10, 0), calendar=CALENDAR)
    due = [step.due_on.day for step in sla.steps]
    assert due == [2, 3, 6, 10, 12, 13, 13]  # cumulative 0,1,4,6,8,9,9 working days, weekend of 7–8 Feb skipped
    assert sla.due_on == dt.date(2026, 2, 13) and sla.allowed == 9


def test_weekend_national_holiday_and_cuti_bersama_are_not_working_days():
    assert CALENDAR.add_working_days(dt.date(2026, 8, 14), 1) == dt.date(2026, 8, 19)  # Fri → Wed
    assert working_days_between(dt.date(2026, 8, 14), dt.date(2026, 8, 19), CALENDAR) == 1
    application = make_application(submitted_at=wib(2026, 8, 14, 10, 0))
    sla = sla_for(application, now=wib(2026, 8, 19, 9, 0), calendar=CALENDAR)
    assert sla.elapsed == 1
    assert sla.steps[1].due_on == dt.date(2026, 8, 19)  # one working day: Wednesday, not Saturday or Monday
    assert sla.steps[1].state == StepState.CURRENT and not sla.steps[1].overdue
    later = sla_for(application, now=wib(2026, 8, 20, 9, 0), calendar=CALENDAR)
    assert later.steps[1].overdue and later.steps[1].elapsed == 2 and not later.overdue


def test_submitted_at_2330_wib_is_the_next_day_in_wita_and_wit():
    moment = wib(2026, 2, 5, 23, 30)  # Thursday night in Jakarta
    in_wib = sla_for(make_application(submitted_at=moment), now=moment, calendar=CALENDAR)
    in_wita = sla_for(make_application(submitted_at=moment, tz="Asia/Makassar"), now=moment, calendar=CALENDAR)
    in_wit = sla_for(make_application(submitted_at=moment, tz="Asia/Jayapura"), now=moment, calendar=CALENDAR)
    assert in_wib.started_on == dt.date(2026, 2, 5)
    assert in_wita.started_on == in_wit.started_on == dt.date(2026, 2, 6)
    assert in_wib.steps[1].due_on == dt.date(2026, 2, 6)
    assert in_wita.steps[1].due_on == dt.date(2026, 2, 9)  # Friday + 1 working day = Monday


@pytest.mark.parametrize(
    ("tz", "overdue", "due_today"),
    [("Asia/Jakarta", False, True), ("Asia/Makassar", True, False), ("Asia/Jayapura", True, False)],
)
def test_due_today_in_wib_is_already_overdue_in_wita_and_wit(tz, overdue, due_today):
    due = dt.date(2026, 2, 6)  # Friday
    application = make_application(submitted_at=wib(2026, 2, 2, 9, 0), tz=tz, due_date=due)
    sla = sla_for(application, now=wib(2026, 2, 6, 23, 30), calendar=CALENDAR)  # 00.30 WITA / 01.30 WIT Saturday
    assert (sla.overdue, sla.due_today) == (overdue, due_today)


def test_statuses_map_onto_steps():
    start = wib(2026, 2, 2, 9, 0)
    submitted = sla_for(make_application(submitted_at=start), now=start, calendar=CALENDAR)
    assert [s.state for s in submitted.steps][:3] == [StepState.DONE, StepState.CURRENT, StepState.PENDING]

    verified = make_application(submitted_at=start, status=S.IN_PROCESS, events=[(S.VERIFIED, wib(2026, 2, 3, 10, 0))])
    sla = sla_for(verified, now=wib(2026, 2, 9, 10, 0), calendar=CALENDAR)  # 5 working days in
    states = [s.state for s in sla.steps]
    assert states[:2] == [StepState.DONE, StepState.DONE]
    assert states[2] == StepState.DONE and states[3] == StepState.CURRENT  # Dinkes due 6 Feb, numbering due 10 Feb
    assert sla.steps[1].elapsed == 1 and not sla.steps[1].overdue

    done = make_application(
        submitted_at=start,
        status=S.COMPLETED,
        events=[
            (S.VERIFIED, wib(2026, 2, 3, 10, 0)),
            (S.IN_PROCESS, wib(2026, 2, 3, 11, 0)),
            (S.COMPLETED, wib(2026, 2, 12, 15, 0)),
        ],  # fmt: skip
    )
    sla = sla_for(done, now=wib(2026, 3, 1, 9, 0), calendar=CALENDAR)
    assert all(s.state == StepState.DONE for s in sla.steps)
    assert sla.on_time is True and sla.elapsed == 8 and not sla.overdue


def test_correction_pauses_the_clock_and_final_refusals_have_no_sla():
    start = wib(2026, 2, 2, 9, 0)
    paused = make_application(
        submitted_at=start, status=S.NEEDS_CORRECTION, events=[(S.NEEDS_CORRECTION, wib(2026, 2, 3, 9, 0))]
    )
    sla = sla_for(paused, now=wib(2026, 2, 27, 9, 0), calendar=CALENDAR)
    assert sla.paused and sla.elapsed == 1 and not sla.overdue
    rejected = make_application(submitted_at=start, status=S.REJECTED)
    assert not sla_for(rejected, now=start, calendar=CALENDAR).tracked


def test_a_standard_without_steps_still_has_an_overall_clock():
    application = make_application(submitted_at=wib(2026, 2, 2, 9, 0), steps=[], duration=3)
    sla = sla_for(application, now=wib(2026, 2, 6, 9, 0), calendar=CALENDAR)
    assert sla.steps == [] and sla.due_on == dt.date(2026, 2, 5) and sla.overdue and sla.elapsed == 4
