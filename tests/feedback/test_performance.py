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
