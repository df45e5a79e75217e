"""Service-level agreement (SLA) per procedure step: allowed vs elapsed working days, due dates, overdue flags.

Jangka waktu is counted in working days (PermenPANRB 15/2014; see applications/workdays.py for the calendar:
weekends, national holidays, cuti bersama) in the MPP's own time zone. Penundaan berlarut (undue delay) is the
maladministration the Ombudsman receives most reports of, so every application shows its clock to the officer.

How workflow statuses map onto the published steps (the workflow has 3 agency statuses, a standard has any number
of steps, and steps are free text, so the mapping is by position and actor, never by title):

* leading steps whose actor is the applicant ("Pemohon": take a number, submit the form) are done at submission;
* ``diajukan`` (waiting for the agency's check) is the FIRST agency step — every standard starts with a check of
  the file ("Verifikasi berkas");
* ``diverifikasi`` and ``diproses`` cover the remaining agency steps; the workflow cannot tell them apart, so the
  current one is the first whose cumulative deadline has not passed yet (or the last one, which is then late);
* ``selesai`` completes every step; ``perlu_perbaikan`` stops the clock (it waits on the citizen; the time limit
  restarts from the resubmission, as ``Application.due_date`` does); ``ditolak``/``dibatalkan`` have no SLA.

Step limits add up cumulatively from the (last) submission day: sub-day limits (minutes, hours) are fractions of
a working day, and a step is due on the working day its cumulative limit reaches (rounded up). The OVERALL due
date is ``Application.due_date`` — the date promised to the citizen and used by the inbox — not the sum of steps.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from fractions import Fraction
from zoneinfo import ZoneInfo

from ..applications.models import Application, ApplicationStatus, StatusEvent
from ..applications.workdays import DEFAULT_TIMEZONE, WorkingCalendar, local_date, service_working_days
from ..catalog.models import DurationUnit, ProcedureStep
from ..database import utcnow

S = ApplicationStatus
OPEN_STATUSES = frozenset({S.SUBMITTED, S.VERIFIED, S.IN_PROCESS})
APPLICANT_ACTORS = ("pemohon", "warga", "masyarakat")
WORKDAY_MINUTES = 24 * 60  # "1×24 jam" is one working day in published standards


class StepState:
    DONE = "selesai"
    CURRENT = "berjalan"
    PENDING = "menunggu"


def step_allowance(step: ProcedureStep) -> Fraction:
    """A step's time limit in working days (a fraction for minutes and hours)."""
    value = max(step.duration_value or 0, 0)
    unit = DurationUnit(step.duration_unit or DurationUnit.WORKING_DAYS)
    if unit == DurationUnit.MINUTES:
        return Fraction(value, WORKDAY_MINUTES)
    if unit == DurationUnit.HOURS:
        return Fraction(value, 24)
    return Fraction(value)  # working days; calendar days are counted as working days, like workdays.py does


def working_days_between(start: dt.date, end: dt.date, calendar: WorkingCalendar) -> int:
    """Working days after ``start`` up to and including ``end`` (the start day is day 0, as in add_working_days)."""
    if end <= start:
        return 0
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        if calendar.is_working_day(day):
            count += 1
    return count


def is_applicant_step(step: ProcedureStep) -> bool:
    return (step.actor or "").strip().lower().startswith(APPLICANT_ACTORS)


@dataclass
class StepSla:
    position: int
    title: str
    actor: str
    allowed: Fraction  # working days
    due_on: dt.date  # cumulative deadline, MPP local date
    state: str
    elapsed: int | None = None  # working days spent in this step so far (current) or in total (done, when known)
    overdue: bool = False

    @property
    def allowed_days(self) -> int | float:
        whole = int(self.allowed)
        return whole if whole == self.allowed else round(float(self.allowed), 2)

    @property
    def sub_day(self) -> bool:
        return 0 < self.allowed < 1


@dataclass
class SlaView:
    """Everything the work page and the inbox need to say about one application's clock."""

    tracked: bool  # False for drafts, rejected and cancelled applications: nothing to measure
    paused: bool  # perlu_perbaikan: waiting on the citizen
    timezone: str
    today: dt.date
    started_on: dt.date | None
    due_on: dt.date | None
    allowed: int | None  # overall working days from the service standard
    elapsed: int  # working days since the (last) submission, up to today or completion
    finished_on: dt.date | None
    overdue: bool
    due_today: bool
    steps: list[StepSla] = field(default_factory=list)

    @property
    def on_time(self) -> bool | None:
        if self.finished_on is None or self.due_on is None:
            return None
        return self.finished_on <= self.due_on

    @property
    def remaining(self) -> int | None:
        if self.due_on is None or self.finished_on is not None:
            return None
        return None if self.today > self.due_on else working_days_between(self.today, self.due_on, self._calendar)

    _calendar: WorkingCalendar = field(default_factory=WorkingCalendar, repr=False)


def _events_since(application: Application, since: dt.datetime) -> list[StatusEvent]:
    return [event for event in application.events if event.created_at >= since]


def _first_event_to(events: list[StatusEvent], statuses: set[ApplicationStatus]) -> StatusEvent | None:
    return next((event for event in events if event.to_status in statuses), None)


def sla_for(
    application: Application,
    *,
    now: dt.datetime | None = None,
    calendar: WorkingCalendar | None = None,
) -> SlaView:
    """The SLA view of one application, in its MPP's time zone. Pure apart from reading the calendar."""
    now = now or utcnow()
    calendar = calendar or WorkingCalendar.from_database()
    tz_name = (application.mpp.timezone if application.mpp is not None else None) or DEFAULT_TIMEZONE
    today = now.astimezone(ZoneInfo(tz_name)).date()
    status = S(application.status)
    tracked = status in OPEN_STATUSES or status in (S.COMPLETED, S.NEEDS_CORRECTION)
    if not tracked or application.submitted_at is None:
        return SlaView(False, False, tz_name, today, None, None, None, 0, None, False, False, _calendar=calendar)

    started = application.submitted_at
    start_day = local_date(started, tz_name)
    events = _events_since(application, started)
    completed = _first_event_to(events, {S.COMPLETED}) if status == S.COMPLETED else None
    finished_on = local_date(completed.created_at, tz_name) if completed else None
    paused = status == S.NEEDS_CORRECTION
    paused_event = _first_event_to(events, {S.NEEDS_CORRECTION}) if paused else None
    clock_end = finished_on or (local_date(paused_event.created_at, tz_name) if paused_event else today)
    elapsed = working_days_between(start_day, clock_end, calendar)

    due_on = application.due_date
    waiting = status in OPEN_STATUSES and due_on is not None
    steps = _steps(application, status, events, start_day, clock_end, tz_name, calendar)
    return SlaView(
        tracked=True,
        paused=paused,
        timezone=tz_name,
        today=today,
        started_on=start_day,
        due_on=due_on,
        allowed=service_working_days(application.service),
        elapsed=elapsed,
        finished_on=finished_on,
        overdue=waiting and today > due_on,
        due_today=waiting and today == due_on,
        steps=steps,
        _calendar=calendar,
    )


def _steps(
    application: Application,
    status: ApplicationStatus,
    events: list[StatusEvent],
    start_day: dt.date,
    clock_end: dt.date,
    tz_name: str,
    calendar: WorkingCalendar,
) -> list[StepSla]:
    steps = list(application.service.steps)
    if not steps:
        return []
    # Cumulative deadlines: step i is due on the working day its running total reaches (rounded up).
    running = Fraction(0)
    rows: list[StepSla] = []
    for step in steps:
        allowed = step_allowance(step)
        running += allowed
        due = calendar.add_working_days(start_day, math.ceil(running))
        rows.append(StepSla(step.position, step.title, step.actor, allowed, due, StepState.PENDING))

    applicant_lead = 0
    while applicant_lead < len(steps) and is_applicant_step(steps[applicant_lead]):
        applicant_lead += 1
    agency = list(range(applicant_lead, len(rows)))
    for index in range(applicant_lead):
        rows[index].state = StepState.DONE
        rows[index].elapsed = 0
    if not agency:
        return rows

    verified = _first_event_to(events, {S.VERIFIED})
    verified_on = local_date(verified.created_at, tz_name) if verified else None
    if status == S.COMPLETED:
        for index in agency:
            rows[index].state = StepState.DONE
        first = rows[agency[0]]
        first.elapsed = working_days_between(start_day, verified_on or clock_end, calendar)
        first.overdue = (verified_on or clock_end) > first.due_on
        return rows

    if status in (S.SUBMITTED, S.NEEDS_CORRECTION):
        current = agency[0]
        current_start = start_day
    else:
        rows[agency[0]].state = StepState.DONE
        rows[agency[0]].elapsed = working_days_between(start_day, verified_on or start_day, calendar)
        rows[agency[0]].overdue = (verified_on or start_day) > rows[agency[0]].due_on
        later = agency[1:] or agency[-1:]
        current = next((index for index in later if rows[index].due_on >= clock_end), later[-1])
        for index in later:
            if index < current:
                rows[index].state = StepState.DONE
        previous = current - 1
        phase_start = verified_on or start_day
        current_start = max(phase_start, rows[previous].due_on) if previous in later else phase_start
    row = rows[current]
    row.state = StepState.CURRENT
    row.elapsed = working_days_between(current_start, clock_end, calendar)
    row.overdue = clock_end > row.due_on
    return rows


# --- the per-agency summary for MPP admins ------------------------------------------------------------------------


@dataclass
class SummaryRow:
    mpp: str
    agency: str
    service: str
    open_on_time: int = 0
    open_overdue: int = 0
    done_on_time: int = 0
    done_late: int = 0

    @property
    def done(self) -> int:
        return self.done_on_time + self.done_late

    @property
    def on_time_percent(self) -> int | None:
        return round(100 * self.done_on_time / self.done) if self.done else None


SUMMARY_WINDOW_DAYS = 90


def agency_summary(
    application_filter, *, mpp_id: int | None = None, now: dt.datetime | None = None, days: int = SUMMARY_WINDOW_DAYS
) -> list[SummaryRow]:
    """Counts per MPP, agency and service: open on time / overdue now, completed on time / late in ``days``.

    ``application_filter`` is the scope's WHERE clause (``Scope.application_filter()``), so an MPP admin only
    ever counts their own MPP. Completion is judged on the MPP's local date of the ``selesai`` event against
    ``due_date``; the grouping happens here because the local date needs each MPP's zone.
    """
    from sqlalchemy import func, or_, select

    from ..catalog.models import Agency, Mpp, Service
    from ..extensions import db

    now = now or utcnow()
    completed_at = (
        select(StatusEvent.application_id, func.max(StatusEvent.created_at).label("at"))
        .where(StatusEvent.to_status == S.COMPLETED, StatusEvent.created_at >= now - dt.timedelta(days=days))
        .group_by(StatusEvent.application_id)
        .subquery()
    )
    query = (
        select(
            Mpp.name,
            Mpp.timezone,
            Agency.short_name,
            Service.name,
            Application.status,
            Application.due_date,
            completed_at.c.at,
        )
        .join(Service, Service.id == Application.service_id)
        .join(Agency, Agency.id == Service.agency_id)
        .join(Mpp, Mpp.id == Application.mpp_id)
        .outerjoin(completed_at, completed_at.c.application_id == Application.id)
        .where(
            application_filter,
            or_(Application.status.in_(OPEN_STATUSES), completed_at.c.at.is_not(None)),
        )
    )
    if mpp_id is not None:
        query = query.where(Application.mpp_id == mpp_id)
    rows: dict[tuple[str, str, str], SummaryRow] = {}
    for mpp_name, tz_name, agency, service, status, due, done_at in db.session.execute(query):
        row = rows.setdefault((mpp_name, agency, service), SummaryRow(mpp_name, agency, service))
        zone = ZoneInfo(tz_name or DEFAULT_TIMEZONE)
        if S(status) in OPEN_STATUSES:
            late = due is not None and now.astimezone(zone).date() > due
            if late:
                row.open_overdue += 1
            else:
                row.open_on_time += 1
        elif done_at is not None and S(status) == S.COMPLETED:
            if due is not None and done_at.astimezone(zone).date() > due:
                row.done_late += 1
            else:
                row.done_on_time += 1
    return sorted(rows.values(), key=lambda r: (r.mpp, r.agency, r.service))
