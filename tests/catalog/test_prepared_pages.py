"""Catalog pages built from pieces prepared once per catalog version (app/catalog/prepared.py, pages.py).

Two promises: a page costs a bounded number of SQL statements whatever the size of the catalog (and none at all
once its pieces are prepared), and a catalog edit shows on the very next render — through the session, through a
statement on a connection of its own, and when another process announces it through Redis.
"""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from freezegun import freeze_time
from sqlalchemy import event

from app.catalog.models import (
    Agency,
    Mpp,
    Requirement,
    RequirementKind,
    Service,
    ServiceOffering,
    Tenancy,
)
from app.extensions import db

PAGES = ["/layanan/ktp-el-baru", "/mpp/kab-banyuwangi", "/layanan?q=ktp", "/layanan?q=pasprt", "/instansi/disdukcapil"]


def _statements(app, client, url: str) -> list[str]:
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert response.status_code == 200, url
    return seen


def _grow_catalog(app, services: int = 30, requirements: int = 12) -> None:
    """Many more services (each matching "ktp", with many requirements), all offered at both MPPs, and many more
    agencies serving there."""
    with app.app_context():
        mpps = list(db.session.scalars(sa.select(Mpp)))
        disdukcapil = db.session.scalar(sa.select(Agency).where(Agency.slug == "disdukcapil"))
        ktp = db.session.scalar(sa.select(Service).where(Service.slug == "ktp-el-baru"))
        for index in range(requirements):
            ktp.requirements.append(
                Requirement(position=10 + index, kind=RequirementKind.CONDITION, description=f"Syarat tambahan {index}")
            )
        for index in range(services):
            agency = Agency(slug=f"instansi-{index}", name=f"Instansi Contoh {index}", short_name=f"Instansi {index}")
            db.session.add_all([Tenancy(mpp=mpp, agency=agency, counter=f"Loket {index}") for mpp in mpps])
            service = Service(
                slug=f"layanan-ktp-{index}",
                name=f"Layanan KTP Contoh {index}",
                agency=disdukcapil if index % 2 else agency,
                summary="Contoh layanan yang menyebut KTP.",
                duration_text="1 hari kerja",
                product="Dokumen",
                complaint_handling="Loket pengaduan",
                legal_basis="UU 25/2009",
                requirements=[
                    Requirement(position=n, kind=RequirementKind.CONDITION, description=f"Fotokopi KTP {n}")
                    for n in range(requirements)
                ],
            )
            db.session.add_all([ServiceOffering(service=service, mpp=mpp) for mpp in mpps])
        db.session.commit()


@pytest.mark.parametrize("url", PAGES)
def test_a_page_runs_the_same_statements_whatever_the_size_of_the_catalog(app, client, small_catalog, url):
    cold_small = _statements(app, client, url)
    warm_small = _statements(app, client, url)
    _grow_catalog(app)
    cold_large = _statements(app, client, url)
    warm_large = _statements(app, client, url)

    # (<=: the service channels are read once per app context, which the test client may keep between requests)
    assert len(cold_large) <= len(cold_small), "\n".join(cold_large)
    assert len(warm_large) == len(warm_small), "\n".join(warm_large)
    assert len(cold_small) <= 12, "\n".join(cold_small)
    if url.startswith("/layanan?"):
        assert len(warm_small) <= 2  # the search itself: one query (two when a typo is corrected), whatever it finds
    else:
        assert warm_small == []  # everything of the catalog prepared; only "open now" is computed again


def test_an_edit_through_the_session_shows_on_the_next_render(app, client, small_catalog):
    assert "Penerbitan KTP-el Baru" in client.get("/layanan/ktp-el-baru").text
    assert "Penerbitan KTP-el Baru" in client.get("/layanan?q=ktp").text
    assert "Graha Tepian" in client.get("/mpp/kota-samarinda").text
    with app.app_context():
        service = db.session.scalar(sa.select(Service).where(Service.slug == "ktp-el-baru"))
        service.name = "KTP-el untuk Pemula"
        mpp = db.session.scalar(sa.select(Mpp).where(Mpp.slug == "kota-samarinda"))
        mpp.address = "Jl. Baru No. 2"
        db.session.commit()

    page = client.get("/layanan/ktp-el-baru").text
    assert "KTP-el untuk Pemula" in page and "Penerbitan KTP-el Baru" not in page
    assert "KTP-el untuk Pemula" in client.get("/layanan?q=ktp").text  # the search card too
    assert "KTP-el untuk Pemula" in client.get("/mpp/kab-banyuwangi").text  # and the MPP's list of services
    page = client.get("/mpp/kota-samarinda").text
    assert "Jl. Baru No. 2" in page and "Graha Tepian" not in page


def test_a_statement_on_a_connection_of_its_own_shows_on_the_next_render(app, client, small_catalog):
    page = client.get("/layanan/sim-c-perpanjangan").text
    assert "Perpanjangan SIM C" in page and "MPP Kota Samarinda" in page
    with app.app_context(), db.engine.begin() as conn:  # a bulk loader, raw SQL: no session, no ORM hook
        conn.execute(sa.update(Service).where(Service.slug == "sim-c-perpanjangan").values(name="SIM C Diperpanjang"))
    assert "SIM C Diperpanjang" in client.get("/layanan/sim-c-perpanjangan").text
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(
            sa.text(
                "DELETE FROM service_offering WHERE service_id IN (SELECT id FROM service WHERE slug = 'sim-c-perpanjangan')"
            )
        )
    assert "MPP Kota Samarinda" not in client.get("/layanan/sim-c-perpanjangan").text  # no counter left


def test_open_now_is_computed_for_every_request_from_the_kept_hours(app, client, small_catalog):
    # Tuesday 24 November 2026: 10.30 WITA, then 12.30 WITA when the Polres counter at Samarinda (until 12.00) is shut.
    with freeze_time(dt.datetime(2026, 11, 24, 2, 30, tzinfo=dt.UTC)):
        morning = client.get("/layanan/sim-c-perpanjangan").text
    with freeze_time(dt.datetime(2026, 11, 24, 4, 30, tzinfo=dt.UTC)):
        noon = client.get("/layanan/sim-c-perpanjangan").text
        mpp = client.get("/mpp/kota-samarinda").text
    assert "Buka sekarang" in morning and "sampai 12.00 WITA" in morning
    assert "Tutup" in noon and "buka besok 08.00 WITA" in noon
    assert "Status pada pukul 12.30 WITA" in mpp


def test_a_change_announced_by_another_process_shows_on_the_next_render(app, client, small_catalog, monkeypatch):
    """The national profile: another gunicorn worker or node commits the edit and bumps the shared generation in
    Redis; this process has not seen the commit, yet its next render is fresh."""
    from app import pagecache_shared

    from ..ops.conftest import _empty_redis

    redis_client = _empty_redis()
    url = redis_client.connection_pool.connection_kwargs
    redis_url = f"redis://{url.get('host', '127.0.0.1')}:{url.get('port', 6379)}/{url.get('db')}"
    monkeypatch.setitem(app.config, "REDIS_URL", redis_url)
    monkeypatch.setitem(app.extensions, pagecache_shared.EXTENSION, None)
    pagecache_shared.init_app(app)
    try:
        assert "Perpanjangan SIM C" in client.get("/layanan/sim-c-perpanjangan").text
        # The other process's write, which no hook of this one sees (its own SQLAlchemy engine)…
        engine = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
        with engine.begin() as conn:
            conn.execute(
                sa.text("UPDATE service SET name = 'SIM C Lewat Proses Lain' WHERE slug = 'sim-c-perpanjangan'")
            )
        engine.dispose()
        pagecache_shared.SharedGeneration(redis_url).bump()  # …and its announcement
        assert "SIM C Lewat Proses Lain" in client.get("/layanan/sim-c-perpanjangan").text
    finally:
        redis_client.flushdb()
        redis_client.close()


def test_open_now_changes_at_the_very_minute_a_counter_closes(app, client, small_catalog):
    """The live part is made once a minute and reused within it: never across the minute a counter closes."""
    # Tuesday 24 November 2026, WITA: the Polres counter at Samarinda serves until 12.00.
    with freeze_time(dt.datetime(2026, 11, 24, 3, 59, 0, tzinfo=dt.UTC)):
        first = client.get("/layanan/sim-c-perpanjangan").text
    with freeze_time(dt.datetime(2026, 11, 24, 3, 59, 59, 999_999, tzinfo=dt.UTC)):
        last = client.get("/layanan/sim-c-perpanjangan").text
        mpp_last = client.get("/mpp/kota-samarinda").text
        agency_last = client.get("/instansi/polres").text
    with freeze_time(dt.datetime(2026, 11, 24, 4, 0, 0, tzinfo=dt.UTC)):
        shut = client.get("/layanan/sim-c-perpanjangan").text
        mpp_shut = client.get("/mpp/kota-samarinda").text
        agency_shut = client.get("/instansi/polres").text
    assert first == last and "sampai 12.00 WITA" in last
    assert "sampai 12.00 WITA" not in shut and "buka besok 08.00 WITA" in shut
    assert "Status pada pukul 11.59 WITA" in mpp_last and "Status pada pukul 12.00 WITA" in mpp_shut
    assert "sampai 12.00 WITA" in agency_last and "sampai 12.00 WITA" not in agency_shut


def test_each_language_keeps_its_own_live_part_of_the_minute(client, small_catalog):
    client.get("/bahasa/en?next=/")  # before any page (the fixture's app context keeps the first locale)
    with freeze_time(dt.datetime(2026, 11, 24, 3, 59, 30, tzinfo=dt.UTC)):
        english = client.get("/layanan/sim-c-perpanjangan").text
    assert "until 12.00 WITA" in english and "sampai" not in english


def test_the_prepared_search_form_shows_each_request_its_own_words_and_filters(client, small_catalog):
    from bs4 import BeautifulSoup

    filtered = BeautifulSoup(client.get("/layanan?q=sim&instansi=polres").text, "html.parser")
    plain = BeautifulSoup(client.get('/layanan?q=<b>"paspor"</b>').text, "html.parser")
    by_mpp = BeautifulSoup(client.get("/layanan?mpp=kota-samarinda").text, "html.parser")

    assert filtered.find("input", id="q")["value"] == "sim"
    assert [option["value"] for option in filtered.select("#instansi option[selected]")] == ["polres"]
    assert filtered.select("#mpp option[selected]") == []
    assert plain.find("input", id="q")["value"] == '<b>"paspor"</b>'  # escaped in the page, read back as typed
    assert plain.select("option[selected]") == []
    assert by_mpp.find("input", id="q")["value"] == ""
    assert [option["value"] for option in by_mpp.select("#mpp option[selected]")] == ["kota-samarinda"]
