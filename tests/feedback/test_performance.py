"""Public performance pages: numbers per MPP/agency/service, SVG charts with their tables, small-count suppression."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from sqlalchemy import select

from app.applications.models import ApplicationStatus as S
from app.extensions import db
from app.feedback import performance, periods, surveys
from app.feedback.models import SurveyInvitation

from .conftest import move, submit_application

ALL = {f"u{i}": "3" for i in range(1, 10)}


def _served(app, make_user, officer, n: int, *, answer: bool = True) -> None:
    for index in range(n):
        owner = make_user(f"Warga {index}")
        number = submit_application(app, owner)
        move(app, number, officer, S.COMPLETED)
        if answer:
            with app.app_context():
                invitation = db.session.scalar(select(SurveyInvitation).order_by(SurveyInvitation.id.desc()))
                surveys.submit_response(invitation, surveys.parse_answers(ALL)[0])


def test_the_mpp_table_counts_applications_on_time_and_the_ikm(app, make_user, officer, demo):
    _served(app, make_user, officer, 6)
    with app.app_context():
        rows = performance.table(periods.current_quarter(), by="mpp")
        kendari = next(r for r in rows if r.slug == "kota-kendari")
        assert kendari.received == 6 and kendari.completed == 6 and kendari.on_time == 6
        assert kendari.ikm.respondents == 6 and str(kendari.ikm.score_shown) == "75.00" and kendari.ikm.grade == "C"
        assert kendari.median_days is not None
        batam = next(r for r in rows if r.slug == "kota-batam")
        assert batam.received == 0 and not batam.ikm.has_score


def test_the_public_page_renders_a_chart_with_its_table_and_suppresses_small_counts(
    app, client, make_user, officer, demo
):
    _served(app, make_user, officer, 5)
    _served(app, make_user, officer, 0)
    response = client.get("/kinerja")
    assert response.headers.get("Cache-Control", "").find("no-store") == -1  # public: the service worker may keep it
    soup = client.get_page("/kinerja")
    svg = soup.select_one("svg.chart-svg")
    assert svg.find("title").get_text() and svg.find("desc").get_text()
    assert "MPP Kota Kendari" in soup.select_one("#tabel-mpp-caption").find_parent("table").get_text()
    page = client.get_page("/kinerja/mpp/kota-kendari")
    assert page.select("svg.chart-svg title")
    assert client.get("/kinerja/mpp/tidak-ada").status_code == 404


def test_the_csv_suppresses_counts_under_five(app, client, make_user, officer, demo):
    _served(app, make_user, officer, 3)
    rows = list(csv.DictReader(io.StringIO(client.get("/kinerja/unduh").get_data(as_text=True))))
    kendari = next(r for r in rows if r["nama"] == "MPP Kota Kendari")
    assert kendari["permohonan_masuk"] == "<5" and kendari["responden"] == "<5" and kendari["ikm"] == ""
    batam = next(r for r in rows if r["nama"] == "MPP Kota Batam")
    assert batam["permohonan_masuk"] == "0"
    agencies = list(
        csv.DictReader(io.StringIO(client.get("/kinerja/mpp/kota-kendari/unduh?tabel=instansi").get_data(as_text=True)))
    )
    assert agencies[0]["permohonan_masuk"] == "<5"


def test_a_period_in_the_query_is_read_and_nonsense_falls_back(client, demo):
    assert client.get("/kinerja?periode=2026-11").status_code == 200
    assert client.get("/kinerja?periode=<script>").status_code == 200
    assert periods.parse("2026-T4").code == "2026-T4" and periods.parse("9999-99") == periods.current_quarter()


def test_percentiles_use_the_nearest_rank():
    assert performance.percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9) == 9
    assert performance.percentile([4, 1, 3], 0.5) == 3
    assert performance.percentile([], 0.5) is None
    assert [performance.shown_count(n) for n in (0, 1, 4, 5)] == ["0", "<5", "<5", "5"]


def test_the_performance_page_and_its_css_fit_the_first_round_trip(app, client, make_user, officer, demo):
    import gzip

    _served(app, make_user, officer, 5)
    html = client.get("/kinerja").get_data()
    css = Path(app.static_folder, "css", "app.css").read_bytes()
    assert len(gzip.compress(html, 9)) + len(gzip.compress(css, 9)) <= 14 * 1024


def _complaint_at(app, slug: str, moment, number: str) -> None:
    import datetime as dt

    from app.catalog.models import Mpp
    from app.feedback.models import Complaint

    with app.app_context():
        mpp_id = db.session.scalar(select(Mpp.id).where(Mpp.slug == slug))
        db.session.add(
            Complaint(
                number=number,
                kind="pengaduan",
                title="x",
                body="x" * 20,
                mpp_id=mpp_id,
                created_at=moment,
                status_changed_at=moment,
                resolution_due_on=dt.date(2027, 1, 30),
            )  # fmt: skip
        )
        db.session.commit()


def test_each_mpp_is_counted_over_its_own_local_month(app, demo):
    """31 Oct 2026 16.30 UTC is 23.30 WIB (still October in Batam) but 00.30 WITA on 1 November in Kendari."""
    import datetime as dt

    moment = dt.datetime(2026, 10, 31, 16, 30, tzinfo=dt.UTC)
    _complaint_at(app, "kota-kendari", moment, "ADU-KDRI-2345")
    _complaint_at(app, "kota-batam", moment, "ADU-BTMA-2345")
    with app.app_context():

        def counts(period):
            return {r.slug: r.complaints for r in performance.table(period) if r.complaints}

        assert counts(periods.Period(2026, month=10)) == {"kota-batam": 1}
        assert counts(periods.Period(2026, month=11)) == {"kota-kendari": 1}
        from app.catalog.models import Mpp

        kendari = db.session.scalar(select(Mpp.id).where(Mpp.slug == "kota-kendari"))
        october = performance.table(periods.Period(2026, month=10), by="agency", mpp_id=kendari)
        assert sum(r.complaints for r in october) == 0
        assert periods.Period(2026, month=11).bounds("Asia/Makassar")[0] == dt.datetime(2026, 10, 31, 16, tzinfo=dt.UTC)


def _visits(app, *, served: int, no_show: int, walk_ins: int = 0) -> None:
    """Queue visits at Kota Kendari today (its local date): served ones waited 10, 20, 30… minutes to be called."""
    import datetime as dt

    from app.applications.workdays import local_date
    from app.catalog.models import Agency, Mpp, Service, Tenancy
    from app.queue.models import Booking, BookingStatus

    with app.app_context():
        mpp = db.session.scalar(select(Mpp).where(Mpp.slug == "kota-kendari"))
        agency = db.session.scalar(select(Agency).where(Agency.slug == "disdukcapil"))
        tenancy = db.session.scalar(select(Tenancy).where(Tenancy.mpp_id == mpp.id, Tenancy.agency_id == agency.id))
        service = db.session.scalar(select(Service).where(Service.slug == "ktp-el-hilang-rusak"))
        now = dt.datetime.now(dt.UTC)
        day = local_date(now, mpp.timezone)  # the queue keeps the MPP's local day
        for index in range(served + no_show + walk_ins):
            is_served = index < served or index >= served + no_show
            checked_in = now - dt.timedelta(hours=2)
            db.session.add(
                Booking(
                    code=f"Q{index:07d}",
                    user_id=None,
                    mpp_id=mpp.id,
                    tenancy_id=tenancy.id,
                    service_id=service.id,
                    status=BookingStatus.SERVED if is_served else BookingStatus.NO_SHOW,
                    walk_in=index >= served + no_show,
                    local_day=day,
                    queue_number=f"A{index:03d}",
                    confirmed_at=None if index >= served + no_show else checked_in - dt.timedelta(days=1),
                    checked_in_at=checked_in if is_served else None,
                    called_at=checked_in + dt.timedelta(minutes=10 * (index + 1)) if is_served else None,
                    finished_at=checked_in + dt.timedelta(minutes=10 * (index + 1) + 5),
                )
            )
        db.session.commit()


def test_queue_no_shows_and_median_wait_are_read_from_the_queue_statistics(app, client, demo):
    _visits(app, served=6, no_show=2)
    with app.app_context():
        rows = performance.table(periods.current_quarter())
        kendari = next(r for r in rows if r.slug == "kota-kendari")
        assert (kendari.queue_booked, kendari.queue_no_show) == (8, 2)
        assert kendari.no_show_pct == 25.0 and kendari.median_wait == 35.0  # waits 10…60 minutes
        agencies = performance.table(periods.current_quarter(), by="agency", mpp_id=kendari.key)
        assert (agencies[0].queue_booked, agencies[0].median_wait) == (8, 35.0)
    page = client.get_page("/kinerja")
    table = page.select_one("#tabel-mpp-caption").find_parent("table")
    headers = [th.get_text(strip=True) for th in table.select("thead th")]
    row = next(tr for tr in table.select("tbody tr") if "Kendari" in tr.th.get_text())
    cells = dict(zip(headers[1:], [td.get_text(strip=True) for td in row.select("td")], strict=True))
    assert cells["Antrean dipesan"] == "8" and cells["Tidak hadir"] == "25%" and cells["Median tunggu (menit)"] == "35"
    rows = list(csv.DictReader(io.StringIO(client.get("/kinerja/unduh").get_data(as_text=True))))
    kendari_csv = next(r for r in rows if r["nama"] == "MPP Kota Kendari")
    assert kendari_csv["antrean_dipesan"] == "8" and kendari_csv["antrean_tidak_hadir"] == "<5"
    assert kendari_csv["persen_tidak_hadir"] == "25.0" and kendari_csv["median_menit_tunggu"] == "35.0"


def test_queue_figures_of_fewer_than_five_visits_are_not_published(app, client, demo):
    _visits(app, served=3, no_show=1, walk_ins=0)
    with app.app_context():
        kendari = next(r for r in performance.table(periods.current_quarter()) if r.slug == "kota-kendari")
        assert kendari.no_show_pct is None and kendari.median_wait is None


def test_complaints_received_answered_on_time_and_reopened_are_counted(app, demo):
    import datetime as dt

    from app.feedback.models import Complaint

    moment = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    for index, (on_time, reopened) in enumerate([(True, False), (True, True), (False, False), (None, False)]):
        _complaint_at(app, "kota-kendari", moment, f"ADU-PRF{index}-2345")
        with app.app_context():
            row = db.session.scalar(select(Complaint).where(Complaint.number == f"ADU-PRF{index}-2345"))
            row.answered_on_time, row.reopened = on_time, reopened
            db.session.commit()
    with app.app_context():
        kendari = next(r for r in performance.table(periods.current_quarter()) if r.slug == "kota-kendari")
        assert (kendari.complaints, kendari.complaints_answered) == (4, 3)
        assert (kendari.complaints_on_time, kendari.complaints_reopened) == (2, 1)


def _reference_completed(period, by: str, mpp_id: int | None) -> dict[int, tuple]:
    """The straightforward computation the table replaced: every completion of the period read and counted here."""
    from app.applications.models import Application, StatusEvent
    from app.applications.workdays import local_date
    from app.catalog.models import Mpp, Service

    zones = periods.mpp_zones([mpp_id] if mpp_id is not None else None)
    key = {"mpp": Application.mpp_id, "agency": Service.agency_id, "service": Application.service_id}[by]
    counted: dict[int, list] = {}
    for k, submitted_at, due_date, completed_at, tz in db.session.execute(
        select(key, Application.submitted_at, Application.due_date, StatusEvent.created_at, Mpp.timezone)
        .join(StatusEvent, StatusEvent.application_id == Application.id)
        .join(Service, Service.id == Application.service_id)
        .outerjoin(Mpp, Mpp.id == Application.mpp_id)
        .where(
            StatusEvent.to_status == S.COMPLETED,
            periods.within(period, StatusEvent.created_at, Application.mpp_id, zones),
        )
    ):
        entry = counted.setdefault(k, [0, 0, []])
        entry[0] += 1
        entry[1] += due_date is None or local_date(completed_at, tz) <= due_date
        entry[2].append((completed_at - submitted_at).total_seconds() / 86400)
    return {
        k: (n, on_time, *(performance.percentile(days, q) if n >= 5 else None for q in (0.5, 0.9)))
        for k, (n, on_time, days) in counted.items()
    }


def test_the_grouped_completions_match_counting_every_completion(app, make_user, demo):
    """Counts, on time and median / p90 days come out of the database grouped; they must equal reading every
    completion, on both databases: MPPs in the three zones, completions a second either side of local midnight on
    the due date and at the period's edges, no due date, other statuses, an MPP with fewer than five and one with
    none."""
    import datetime as dt
    import random
    from zoneinfo import ZoneInfo

    from app.applications.models import Application, StatusEvent
    from app.catalog.models import Mpp, Service

    citizen = make_user("Warga Banyak")
    rnd = random.Random(15)
    with app.app_context():
        mpps = db.session.scalars(select(Mpp).order_by(Mpp.id)).all()
        mpps[2].timezone = "Asia/Jayapura"  # the demo has WIB and WITA; one MPP in WIT for the third offset
        services = db.session.scalars(select(Service).where(Service.agency_id.is_not(None)).order_by(Service.id)).all()
        plan = {mpps[0]: 40, mpps[1]: 30, mpps[2]: 25, mpps[3]: 3, mpps[4]: 0}
        number = 0
        for mpp, count in plan.items():
            zone = ZoneInfo(mpp.timezone)
            for i in range(count):
                number += 1
                due = dt.date(2026, 10, 1) + dt.timedelta(days=rnd.randrange(0, 95))
                kind = i % 6
                if kind == 0:  # a second before local midnight at the end of the due date: on time
                    local = dt.datetime.combine(due, dt.time(23, 59, 59), zone)
                elif kind == 1:  # a second after it: late
                    local = dt.datetime.combine(due + dt.timedelta(days=1), dt.time(0, 0, 1), zone)
                elif kind == 2:  # at the period's edges, counted in the MPP's own zone
                    edge = rnd.choice([dt.date(2026, 10, 1), dt.date(2026, 11, 1), dt.date(2027, 1, 1)])
                    local = dt.datetime.combine(edge, dt.time(0, 0), zone) + dt.timedelta(
                        seconds=rnd.choice([-1, 0, 1])
                    )
                else:
                    local = dt.datetime.combine(due, dt.time(), zone) + dt.timedelta(
                        seconds=rnd.randrange(-5 * 86400, 5 * 86400), microseconds=rnd.randrange(10**6)
                    )
                completed_at = local.astimezone(dt.UTC)
                submitted_at = completed_at - dt.timedelta(
                    days=rnd.randrange(0, 30), seconds=rnd.randrange(86400), microseconds=rnd.randrange(10**6)
                )
                service = services[(number * 7) % len(services)]
                application = Application(
                    tracking_number=f"T{number:011d}", user_id=citizen.id, service_id=service.id, mpp_id=mpp.id,
                    status=S.COMPLETED, submitted_at=submitted_at, due_date=None if i % 11 == 5 else due,
                    created_at=submitted_at,
                )  # fmt: skip
                db.session.add(application)
                db.session.flush()
                db.session.add(StatusEvent(application_id=application.id, from_status=S.IN_PROCESS,
                                           to_status=S.COMPLETED, actor_role="petugas", created_at=completed_at))  # fmt: skip
                if i % 4 == 0:  # other statuses in the period are not completions
                    db.session.add(StatusEvent(application_id=application.id, from_status=S.SUBMITTED,
                                               to_status=S.REJECTED, actor_role="petugas", created_at=completed_at))  # fmt: skip
        db.session.commit()

        checked = 0
        for period in (periods.Period(2026, quarter=4), periods.Period(2026, month=10), periods.Period(2026, month=11)):
            for by, mpp_id in [("mpp", None), ("mpp", mpps[0].id)] + [
                (by, mpp.id) for mpp in mpps[:5] for by in ("agency", "service")
            ]:
                expected = _reference_completed(period, by, mpp_id)
                got = {
                    r.key: (r.completed, r.on_time, r.median_days, r.p90_days)
                    for r in performance.table(period, by=by, mpp_id=mpp_id)
                    if r.completed
                }
                assert got == expected, (period.code, by, mpp_id)
                checked += sum(n for n, *_ in expected.values())
        assert checked > 300
        quarter = {r.key: r for r in performance.table(periods.Period(2026, quarter=4))}
        assert quarter[mpps[3].id].completed == 3 and quarter[mpps[3].id].median_days is None
        assert quarter[mpps[4].id].completed == 0 and quarter[mpps[4].id].median_days is None
        assert 0 < quarter[mpps[0].id].on_time < quarter[mpps[0].id].completed

        # The monthly trend, grouped per local day in the database, against bucketing every moment here.
        for mpp_id in [None] + [mpp.id for mpp in mpps[:5]]:
            trend = performance.monthly_trend(mpp_id, periods.Period(2026, quarter=4))
            zone = ZoneInfo(db.session.get(Mpp, mpp_id).timezone) if mpp_id else periods.ZONE
            where = [Application.mpp_id == mpp_id] if mpp_id else []
            completions = db.session.scalars(
                select(StatusEvent.created_at)
                .join(Application, Application.id == StatusEvent.application_id)
                .where(StatusEvent.to_status == S.COMPLETED, *where)
            ).all()
            submissions = db.session.scalars(select(Application.submitted_at).where(*where)).all()
            for month, received, completed in trend:
                start, end = month.bounds(zone)
                assert received == sum(start <= moment < end for moment in submissions), (mpp_id, month.code)
                assert completed == sum(start <= moment < end for moment in completions), (mpp_id, month.code)
            assert (sum(completed for _m, _r, completed in trend) > 0) == (mpp_id != mpps[4].id)
