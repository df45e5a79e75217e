"""Kinerja: the public performance numbers per MPP, agency and service, per month or quarter (issue 11, 10–12).

One query module: every number on /kinerja comes from here, each with what it is counted over.

    IKM                  survey responses received in the period (ikm.py: exact, with interval, grade and n)
    received             applications submitted in the period
    completed / on time  applications completed in the period; on time = completed on or before the expected date
                         computed from the Standar Pelayanan in working days (Application.due_date)
    median / p90 days    calendar days from submission to completion, of those completed in the period
    complaints           received in the period; answered on time (≤ 5 working days after forwarding); reopened
    queue                online bookings for days in the period, no-shows among them, and the median minutes
                         from check-in to the first call (read from app/queue/stats.py, the queue's one query
                         module, so /kinerja and the queue's own pages say the same numbers)

Each MPP's figures are counted over its own local month or quarter (WIB, WITA or WIT; periods.within), and its
IKM with its own unsur weights (unsur.py). Agency and service tables belong to one MPP, so one zone and one set of
weights apply.

Counts from 1 to 4 are shown as "<5" (small-cell suppression: a count of 1 in a small agency can point at a
person); 0 is shown as 0.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import Date, bindparam, case, cast, func, select, text

from ..applications.models import Application, ApplicationStatus, StatusEvent
from ..catalog.models import Agency, Mpp, Service
from ..extensions import db
from ..queue import stats as queue_stats
from . import ikm, periods, unsur
from .models import SCORE_COLUMNS, Complaint, SurveyInvitation, SurveyResponse
from .periods import Period
from .summary import CompletionMonth, CompletionMppMonth, ReceivedMonth

SUPPRESS_BELOW = 5


def shown_count(n: int | None) -> str:
    """A count as published: 1–4 suppressed."""
    if n is None:
        return "–"
    return "<5" if 0 < n < SUPPRESS_BELOW else str(n)


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (the value below which q of the values fall)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Row:
    key: int
    label: str
    slug: str | None = None
    ikm: ikm.IkmResult | None = None
    received: int = 0
    completed: int = 0
    on_time: int = 0
    days: list[float] = field(default_factory=list)
    # Median and p90 of ``days`` when the database worked them out (PostgreSQL), so ``days`` stays empty there.
    days_percentiles: tuple[float, float] | None = None
    complaints: int = 0
    complaints_answered: int = 0
    complaints_on_time: int = 0
    complaints_reopened: int = 0
    queue_booked: int = 0
    queue_no_show: int = 0
    queue_waits: list[float] = field(default_factory=list)

    @property
    def no_show_pct(self) -> float | None:
        return None if self.queue_booked < SUPPRESS_BELOW else 100 * self.queue_no_show / self.queue_booked

    @property
    def median_wait(self) -> float | None:
        """Median minutes from check-in to the first call (of at least 5 visits)."""
        return None if len(self.queue_waits) < SUPPRESS_BELOW else statistics.median(self.queue_waits)

    @property
    def on_time_pct(self) -> float | None:
        return None if self.completed < SUPPRESS_BELOW else 100 * self.on_time / self.completed

    @property
    def median_days(self) -> float | None:
        if self.completed < SUPPRESS_BELOW:
            return None
        return self.days_percentiles[0] if self.days_percentiles else percentile(self.days, 0.5)

    @property
    def p90_days(self) -> float | None:
        if self.completed < SUPPRESS_BELOW:
            return None
        return self.days_percentiles[1] if self.days_percentiles else percentile(self.days, 0.9)

    @property
    def has_data(self) -> bool:
        return bool(
            self.received
            or self.completed
            or self.complaints
            or self.queue_booked
            or self.queue_waits
            or (self.ikm and self.ikm.respondents)
        )


DIMENSIONS = ("mpp", "agency", "service")


def _labels(by: str, mpp_id: int | None) -> dict[int, tuple[str, str | None]]:
    # Three columns, not whole catalog objects (with their descriptions) for every MPP, agency or service.
    if by == "mpp":
        query = select(Mpp.id, Mpp.name, Mpp.slug).order_by(Mpp.name)
    elif by == "agency":
        query = select(Agency.id, Agency.short_name, Agency.slug).order_by(Agency.short_name)
    else:
        query = select(Service.id, Service.name, Service.slug).order_by(Service.name)
    return {key: (label, slug) for key, label, slug in db.session.execute(query)}


def table(period: Period, *, by: str = "mpp", mpp_id: int | None = None) -> list[Row]:
    """One row per MPP / agency / service that had anything in the period (all MPPs on the national table)."""
    return tables(period, (by,), mpp_id=mpp_id)[by]


def tables(period: Period, bys: tuple[str, ...] = ("mpp",), *, mpp_id: int | None = None) -> dict[str, list[Row]]:
    """The tables of ``bys`` (any of "mpp", "agency", "service") side by side, each source read once for all of them:
    one MPP's page shows its totals, agencies and services, and counting them three times was three passes."""
    assert bys and all(by in DIMENSIONS for by in bys)
    labels = {by: _labels(by, mpp_id) for by in bys}
    zones = periods.mpp_zones([mpp_id] if mpp_id is not None else None)
    rows: dict[str, dict[int, Row]] = {by: {} for by in bys}

    def row(by: str, key: int | None) -> Row | None:
        if key is None or key not in labels[by]:
            return None
        if key not in rows[by]:
            rows[by][key] = Row(key, *labels[by][key])
        return rows[by][key]

    _fill_received(row, period, bys, mpp_id=mpp_id)
    _fill_completed(row, period, bys, mpp_id=mpp_id)

    for mpp, agency, service, answered_on_time, reopened in db.session.execute(
        select(
            Complaint.mpp_id, Complaint.agency_id, Complaint.service_id, Complaint.answered_on_time, Complaint.reopened
        ).where(periods.within(period, Complaint.created_at, Complaint.mpp_id, zones))
    ):
        keys = {"mpp": mpp, "agency": agency, "service": service}
        for by in bys:
            if (r := row(by, keys[by])) is None:
                continue
            r.complaints += 1
            if answered_on_time is not None:
                r.complaints_answered += 1
                r.complaints_on_time += bool(answered_on_time)
            r.complaints_reopened += bool(reopened)

    _fill_queue(row, period, bys, mpp_id=mpp_id)

    scores: dict[tuple[str, int], list] = defaultdict(list)
    # Responses counted per answer pattern in the database (a national quarter is tens of thousands of responses,
    # a few patterns each); ikm.compute_grouped gives exactly what reading them one by one gave.
    keys_and_scores = [
        SurveyResponse.mpp_id,
        SurveyResponse.agency_id,
        SurveyResponse.service_id,
        *(getattr(SurveyResponse, code) for code in SCORE_COLUMNS),
    ]
    for mpp, agency, service, *values, count in db.session.execute(
        select(*keys_and_scores, func.count())
        .where(periods.within(period, SurveyResponse.created_at, SurveyResponse.mpp_id, zones))
        .group_by(*keys_and_scores)
    ):
        answers = dict(zip(SCORE_COLUMNS, values, strict=True))
        keys = {"mpp": mpp, "agency": agency, "service": service}
        for by in bys:
            scores[(by, keys[by])].append((answers, count))
    population: dict[tuple[str, int], int] = defaultdict(int)
    for mpp, agency, service, invited in db.session.execute(
        select(SurveyInvitation.mpp_id, Service.agency_id, SurveyInvitation.service_id, func.count(SurveyInvitation.id))
        .outerjoin(Service, Service.id == SurveyInvitation.service_id)
        .where(periods.within(period, SurveyInvitation.created_at, SurveyInvitation.mpp_id, zones))
        .group_by(SurveyInvitation.mpp_id, Service.agency_id, SurveyInvitation.service_id)
    ):
        keys = {"mpp": mpp, "agency": agency, "service": service}
        for by in bys:
            population[(by, keys[by])] += invited
    # Each MPP's IKM with its own weights; an agency or service table is one MPP's, so its weights apply.
    by_mpp = unsur.weights_by_mpp(labels["mpp"]) if "mpp" in bys else {}
    one = unsur.weights_for(mpp_id) if any(by != "mpp" for by in bys) else None

    def weights_of(by: str, key: int):
        return by_mpp.get(key) if by == "mpp" else one

    for (by, key), answers in scores.items():
        if (r := row(by, key)) is not None:
            r.ikm = ikm.compute_grouped(answers, weights_of(by, key), population=population.get((by, key)) or None)

    if "mpp" in bys and mpp_id is None:
        for key in labels["mpp"]:  # the national table lists every MPP, with or without data
            row("mpp", key)
    out = {}
    for by in bys:
        out[by] = sorted(rows[by].values(), key=lambda r: r.label)
        for r in out[by]:
            if r.ikm is None:
                r.ikm = ikm.compute([], weights_of(by, r.key), population=population.get((by, r.key)) or None)
    return out


# The MPPs' zones have fixed offsets (no daylight saving in Indonesia), so SQLite can shift a UTC moment to its local
# date with date(moment, '+N hours'); PostgreSQL converts with the zone itself.
_OFFSET_HOURS = {
    zone: int(ZoneInfo(zone).utcoffset(dt.datetime(2000, 1, 1)).total_seconds() // 3600)
    for zone in ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")
}


def _local_day(moment, zone, dialect: str):
    """SQL: the local calendar date of the UTC ``moment`` in ``zone`` (a zone name, or a column holding one)."""
    if dialect == "postgresql":
        return cast(func.timezone(zone, moment), Date)
    if isinstance(zone, str):
        return func.date(moment, f"{_OFFSET_HOURS[zone]:+d} hours")
    shift = case(*((zone == name, f"{hours:+d} hours") for name, hours in _OFFSET_HOURS.items()), else_=None)
    return func.date(moment, shift)


def _months(period: Period) -> list[dt.date]:
    """The first days of the period's months: each MPP's summary rows are kept per its own local month."""
    return [dt.date(period.year, period.first_month + i, 1) for i in range(period.months)]


def _summary_keys(table, bys: tuple[str, ...]) -> list:
    columns = {"mpp": lambda: table.mpp_id, "agency": lambda: Service.agency_id, "service": lambda: table.service_id}
    return [columns[by]() for by in bys]


def _summary_scope(query, table, period: Period, bys: tuple[str, ...], mpp_id: int | None):
    if "agency" in bys:
        query = query.join(Service, Service.id == table.service_id)
    query = query.where(table.local_month.in_(_months(period)))
    return query.where(table.mpp_id == mpp_id) if mpp_id is not None else query


def _fill_received(row, period: Period, bys: tuple[str, ...], *, mpp_id: int | None) -> None:
    """Applications submitted in the period (drafts left out), from the monthly summary the database keeps."""
    keys = _summary_keys(ReceivedMonth, bys)
    query = select(*keys, func.sum(ReceivedMonth.received)).group_by(*keys)
    for *values, count in db.session.execute(_summary_scope(query, ReceivedMonth, period, bys, mpp_id)):
        for by, key in zip(bys, values, strict=True):
            if count and (r := row(by, key)) is not None:
                r.received += int(count)


def _place(histogram: list[tuple[int, int]], rank: int) -> tuple[int, int]:
    """The whole day (of (whole days, count) in ascending days) where the rank-th shortest duration is, and how many
    durations of that day come before it."""
    before = 0
    for whole_days, n in histogram:
        if before + n >= rank:
            return whole_days, rank - before - 1
        before += n
    raise ValueError(f"rank {rank} beyond {before} values")


# The place-th shortest duration of one whole day in a scope (column names, placeholders and integers go into it).
_LOOKUP = "(SELECT micros FROM kinerja_completion WHERE {scope} AND whole_days = {days} ORDER BY micros LIMIT 1 OFFSET {place})"


def _fill_completed(row, period: Period, bys: tuple[str, ...], *, mpp_id: int | None) -> None:
    """Applications completed in the period, on time, and the median / p90 calendar days from submission.

    Two statements whatever the number of completions and tables (summary.py keeps the rows): the monthly summary
    grouped by whole days of duration gives the counts and a histogram; for each row and quantile the nearest rank
    (``percentile``'s rule, percentile_disc's too) falls in one whole day at one place, and the exact duration at that
    place is one index lookup in the per-completion summary — all lookups in one statement.
    """
    national = all(by == "mpp" for by in bys)  # per MPP only: the smaller summary
    m = CompletionMppMonth if national else CompletionMonth
    keys = _summary_keys(m, bys)
    if "agency" in bys and "service" not in bys:  # an agency's lookups name its services
        keys.append(m.service_id)
    query = select(*keys, m.whole_days, func.sum(m.completed), func.sum(m.on_time)).group_by(*keys, m.whole_days)
    histograms: dict[tuple[str, int], dict[int, int]] = defaultdict(lambda: defaultdict(int))
    agency_services: dict[int, set[int]] = defaultdict(set)
    for *values, whole_days, completed, punctual in db.session.execute(_summary_scope(query, m, period, bys, mpp_id)):
        if not completed:
            continue
        keyed = dict(zip(bys, values, strict=False))
        if "agency" in bys:
            agency_services[keyed["agency"]].add(values[-1] if "service" not in bys else keyed["service"])
        for by, key in keyed.items():
            if (r := row(by, key)) is None:
                continue
            r.completed += int(completed)
            r.on_time += int(punctual)
            histograms[(by, key)][whole_days] += int(completed)

    # Each lookup: the place-th shortest duration of one whole day in the row's scope, from the rank index alone. All
    # of them in one statement, written as text: one MPP's page asks for ~80, and building (and binding) that many
    # subqueries through the expression language cost more CPU than the database spends answering them. The months
    # are bound; the rest are integers this function computed, written in with int().
    months = _months(period)
    params: dict[str, object] = {f"month{j}": month for j, month in enumerate(months)}
    in_months = ", ".join(f":month{j}" for j in range(len(months)))
    columns: list[str] = []
    rows_asked: list[Row] = []
    for (by, key), histogram in histograms.items():
        r = row(by, key)
        if r.completed < SUPPRESS_BELOW:
            continue
        rows_asked.append(r)
        scope = f"local_month IN ({in_months})"
        owner = key if by == "mpp" else mpp_id
        if owner is not None:
            scope += f" AND mpp_id = {int(owner)}"
        services = [key] if by == "service" else sorted(agency_services[key]) if by == "agency" else []
        if services:
            scope += f" AND service_id IN ({', '.join(str(int(service)) for service in services)})"
        for q in (0.5, 0.9):
            whole_days, place = _place(sorted(histogram.items()), max(1, math.ceil(q * r.completed)))
            columns.append(_LOOKUP.format(scope=scope, days=int(whole_days), place=int(place)))
    if not columns:
        return
    statement = text("SELECT " + ", ".join(columns)).bindparams(
        *(bindparam(f"month{j}", type_=Date()) for j in range(len(months)))
    )
    values = db.session.execute(statement, params).one()
    for r, median, p90 in zip(rows_asked, values[::2], values[1::2], strict=True):
        r.days_percentiles = (median / 10**6 / 86400, p90 / 10**6 / 86400)  # as timedelta.total_seconds() / 86400


def _fill_queue(row, period: Period, bys: tuple[str, ...], *, mpp_id: int | None) -> None:
    """Queue figures from the queue's statistics module: its days are already each MPP's local dates."""
    days = queue_stats.daily_stats(first=period.start_date, last=period.last_date, mpp_id=mpp_id)
    for by in bys:
        field_name = {"mpp": "mpp_id", "agency": "agency_id", "service": "service_id"}[by]
        for total in queue_stats.combine(days, by=(field_name,)):
            if (r := row(by, getattr(total, field_name))) is None:
                continue
            r.queue_booked = total.booked
            r.queue_no_show = total.no_show
            r.queue_waits = list(total.waits_to_call)


def monthly_trend(mpp_id: int | None, last: Period, months: int = 6) -> list[tuple[Period, int, int]]:
    """(month, applications received, completed) for the ``months`` months up to ``last``'s final month: two
    queries over the whole window, grouped by the MPP's local day (WIB for all MPPs together)."""
    tz = db.session.scalar(select(Mpp.timezone).where(Mpp.id == mpp_id)) if mpp_id is not None else None
    zone = ZoneInfo(tz) if tz else periods.ZONE

    month = Period(last.year, month=last.first_month + last.months - 1)
    window = [month]
    for _ in range(months - 1):
        window.append(window[-1].previous())
    window.reverse()
    start, end = window[0].bounds(zone)[0], window[-1].bounds(zone)[1]
    where_mpp = [Application.mpp_id == mpp_id] if mpp_id is not None else []

    if mpp_id is not None:  # the MPP's own local months: the summaries the database keeps
        firsts = [m.start_date for m in window]
        counts = []
        for table, column in (
            (ReceivedMonth, ReceivedMonth.received),
            (CompletionMppMonth, CompletionMppMonth.completed),
        ):
            counts.append(
                {
                    month: int(n or 0)
                    for month, n in db.session.execute(
                        select(table.local_month, func.sum(column))
                        .where(table.mpp_id == mpp_id, table.local_month.in_(firsts))
                        .group_by(table.local_month)
                    )
                }
            )
        return [(m, counts[0].get(m.start_date, 0), counts[1].get(m.start_date, 0)) for m in window]

    dialect = db.session.get_bind().dialect.name

    def monthly(moment, query) -> dict[tuple[int, int], int]:
        """Counted per local day in the database (at most ~190 rows back), summed per local month here."""
        day = _local_day(moment, zone.key, dialect)
        counts: dict[tuple[int, int], int] = defaultdict(int)
        for value, n in db.session.execute(query.add_columns(day, func.count()).group_by(day)):
            text = str(value)  # a date on PostgreSQL, 'YYYY-MM-DD' on SQLite
            counts[(int(text[:4]), int(text[5:7]))] += n
        return counts

    received = monthly(
        Application.submitted_at,
        select().where(
            Application.status != ApplicationStatus.DRAFT,
            Application.submitted_at >= start,
            Application.submitted_at < end,
            *where_mpp,
        ),
    )
    completed = monthly(
        StatusEvent.created_at,
        select()
        .select_from(StatusEvent)
        .join(Application, Application.id == StatusEvent.application_id)
        .where(
            StatusEvent.to_status == ApplicationStatus.COMPLETED,
            StatusEvent.created_at >= start,
            StatusEvent.created_at < end,
            *where_mpp,
        ),
    )
    return [(m, received[(m.year, m.month)], completed[(m.year, m.month)]) for m in window]


CSV_FIELDS = (
    "nama",
    "ikm",
    "mutu",
    "ikm_selang_bawah",
    "ikm_selang_atas",
    "responden",
    "permohonan_masuk",
    "permohonan_selesai",
    "selesai_tepat_waktu",
    "persen_tepat_waktu",
    "median_hari",
    "p90_hari",
    "pengaduan_masuk",
    "pengaduan_ditanggapi_tepat_waktu",
    "pengaduan_dibuka_kembali",
    "antrean_dipesan",
    "antrean_tidak_hadir",
    "persen_tidak_hadir",
    "median_menit_tunggu",
)


def csv_rows(rows: list[Row]) -> list[dict]:
    """The open-data shape of a table: counts of 1–4 suppressed, and every figure derived from fewer than 5
    records left out with them."""
    out = []
    for r in rows:
        res = r.ikm
        out.append(
            {
                "nama": r.label,
                "ikm": str(res.score_shown) if res and res.has_score else "",
                "mutu": res.grade if res and res.has_score else "",
                "ikm_selang_bawah": f"{res.interval[0]:.2f}" if res and res.interval and res.has_score else "",
                "ikm_selang_atas": f"{res.interval[1]:.2f}" if res and res.interval and res.has_score else "",
                "responden": shown_count(res.respondents if res else 0),
                "permohonan_masuk": shown_count(r.received),
                "permohonan_selesai": shown_count(r.completed),
                "selesai_tepat_waktu": shown_count(r.on_time),
                "persen_tepat_waktu": f"{r.on_time_pct:.1f}" if r.on_time_pct is not None else "",
                "median_hari": f"{r.median_days:.1f}" if r.median_days is not None else "",
                "p90_hari": f"{r.p90_days:.1f}" if r.p90_days is not None else "",
                "pengaduan_masuk": shown_count(r.complaints),
                "pengaduan_ditanggapi_tepat_waktu": shown_count(r.complaints_on_time),
                "pengaduan_dibuka_kembali": shown_count(r.complaints_reopened),
                "antrean_dipesan": shown_count(r.queue_booked),
                "antrean_tidak_hadir": shown_count(r.queue_no_show),
                "persen_tidak_hadir": f"{r.no_show_pct:.1f}" if r.no_show_pct is not None else "",
                "median_menit_tunggu": f"{r.median_wait:.1f}" if r.median_wait is not None else "",
            }
        )
    return out
