"""The public catalog pages: each renders as a proper page, shows the standard, and never leaks a 500."""

from __future__ import annotations

import datetime as dt

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from app.catalog.models import Agency, Service, ServiceFee
from app.extensions import db
from app.security import OFFLINE_HEADER

from ..helpers import assert_no_axe_violations

# Tuesday 24 November 2026, 10.30 WITA = 09.30 WIB = 02.30 UTC.
TUESDAY_MORNING = dt.datetime(2026, 11, 24, 2, 30, tzinfo=dt.UTC)
# The same Tuesday, 12.30 WITA: the Polres counter at Samarinda closed at 12.00, the building is still open.
TUESDAY_AFTER_NOON = dt.datetime(2026, 11, 24, 4, 30, tzinfo=dt.UTC)


def text(soup) -> str:
    return " ".join(soup.get_text(" ", strip=True).split())


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/layanan",
        "/layanan?q=ktp",
        "/layanan/ktp-el-baru",
        "/layanan/paspor-biasa",
        "/mpp",
        "/mpp/kab-banyuwangi",
        "/mpp/kota-samarinda",
        "/instansi/disdukcapil",
        "/instansi/polres",
    ],
)
def test_every_catalog_page_renders_as_a_public_page(client, small_catalog, url):
    client.get_page(url)
    response = client.get(url)
    assert response.headers[OFFLINE_HEADER] == "public"
    assert "no-store" not in response.headers["Cache-Control"]


@pytest.mark.parametrize("url", ["/layanan/tidak-ada", "/mpp/kota-atlantis", "/instansi/tidak-ada"])
def test_an_unknown_slug_is_the_indonesian_404_page(client, small_catalog, url):
    soup = client.get_page(url, expected_status=404)
    assert soup.h1.get_text(strip=True) == "Halaman tidak ditemukan"


def test_pages_render_on_an_empty_catalog(client):
    for url in ("/", "/layanan", "/layanan?q=ktp", "/mpp"):
        client.get_page(url)


def test_home_offers_search_popular_services_and_mpps_by_province(client, small_catalog):
    soup = client.get_page("/")
    form = soup.find("form", attrs={"role": "search"})
    assert form["action"] == "/layanan" and form["method"] == "get"
    assert form.find("input", attrs={"name": "q"})
    popular = [a.get_text(strip=True) for a in soup.select(".service-title a")]
    assert popular[:2] == ["Penerbitan KTP-el Baru", "Pembuatan Paspor Biasa"]
    provinces = [h.get_text(strip=True) for h in soup.select("h3.province")]
    assert provinces == ["Jawa Timur", "Kalimantan Timur"]
    assert soup.find("a", href="/mpp/kota-samarinda")


def test_service_page_shows_the_whole_standard(client, small_catalog):
    soup = client.get_page("/layanan/paspor-biasa")
    page = text(soup)
    assert soup.h1.get_text(strip=True) == "Pembuatan Paspor Biasa"
    # Requirements as a checklist with the document type each one is.
    checklist = soup.select(".checklist li")
    assert len(checklist) == 2
    assert checklist[0].find("input", type="checkbox")
    assert "KTP-el" in checklist[0].get_text()
    # Fees in rupiah with legal basis and effective date; the card shows the lowest.
    assert "Rp350.000" in page and "Rp950.000" in page
    assert "PP 45/2024" in page and "17 Desember 2024" in page
    assert "mulai Rp350.000" in text(soup.select_one(".glance"))
    assert "SK Kakanim 12/2025" in page
    # Online application link, a way to the counters, and queue booking for this service (issue 10).
    assert soup.find("a", href="/layanan/paspor-biasa/ajukan").get_text(strip=True) == "Ajukan online"
    assert soup.find("a", href="#lokasi").get_text(strip=True) == "Loket dan jam layanan"
    assert soup.find("a", href="/antrean/baru?layanan=paspor-biasa").get_text(strip=True) == "Ambil antrean"
    # Where: Banyuwangi's Imigrasi counter, open Senin, Rabu, Jumat only, in WIB.
    where = text(soup.find("section", attrs={"aria-labelledby": "lokasi"}))
    assert "MPP Kabupaten Banyuwangi" in where and "Loket 7" in where
    assert "Senin 08.00–14.00 WIB" in where and "Selasa Tutup" in where and "Rabu 08.00–14.00 WIB" in where


def test_a_free_in_person_service_says_gratis_and_explains_the_counter_visit(client, small_catalog):
    soup = client.get_page("/layanan/ktp-el-baru")
    page = text(soup)
    assert "Gratis" in text(soup.select_one(".glance"))
    assert not soup.find("a", href="/layanan/ktp-el-baru/ajukan")
    assert "Perekaman sidik jari" in page
    # Steps with actor and per-step time, and their total.
    steps = soup.select(".steps li")
    assert [s.h3.get_text(strip=True) for s in steps] == ["Ambil antrean", "Perekaman biometrik", "Pencetakan"]
    assert "Petugas Disdukcapil" in text(steps[1]) and "15 menit" in text(steps[1])
    assert "1 hari kerja + 20 menit" in page
    # Legal basis on several lines becomes a list.
    assert [li.get_text(strip=True) for li in soup.select("#dasar-hukum + ul li")] == [
        "UU 24/2013 tentang Administrasi Kependudukan",
        "Perpres 96/2018",
    ]
    # Offered in two MPPs, each in its own zone.
    where = text(soup.find("section", attrs={"aria-labelledby": "lokasi"}))
    assert "WIB" in where and "WITA" in where


def test_service_page_shows_where_the_counter_is_open_now(client, small_catalog):
    with freeze_time(TUESDAY_AFTER_NOON):
        soup = client.get_page("/layanan/sim-c-perpanjangan")
    where = text(soup.find("section", attrs={"aria-labelledby": "lokasi"}))
    assert "Senin–Jumat 08.00–12.00 WITA" in where
    assert "Tutup · buka besok 08.00 WITA" in where


def test_mpp_list_shows_region_zone_and_open_now(client, small_catalog):
    with freeze_time(TUESDAY_MORNING):
        soup = client.get_page("/mpp")
    cards = {card.h3.get_text(strip=True): text(card) for card in soup.select(".mpp-card")}
    assert "Kabupaten Banyuwangi · WIB" in cards["MPP Kabupaten Banyuwangi"]
    assert "Buka sekarang sampai 15.30 WIB" in cards["MPP Kabupaten Banyuwangi"]
    assert "Kota Samarinda · WITA" in cards["MPP Kota Samarinda"]


def test_mpp_page_shows_hours_in_its_own_zone_and_each_counter(client, small_catalog):
    with freeze_time(TUESDAY_AFTER_NOON):
        soup = client.get_page("/mpp/kota-samarinda")
    page = text(soup)
    assert "Graha Tepian" in page
    hours = text(soup.find("section", attrs={"aria-labelledby": "jam-buka"}))
    assert "Buka sekarang sampai 16.00 WITA" in hours
    assert "pukul 12.30 WITA" in hours
    assert "Senin–Jumat 08.00–16.00 WITA" in hours and "Sabtu–Minggu Tutup" in hours
    counters = {card.h3.get_text(strip=True): text(card) for card in soup.select(".counter")}
    assert "Tutup" in counters["Polres"] and "08.00–12.00 WITA" in counters["Polres"]
    assert "Buka sekarang" in counters["Disdukcapil"] and "Sama dengan jam buka MPP" in counters["Disdukcapil"]
    assert soup.find("a", href="/layanan/sim-c-perpanjangan")
    assert soup.find("a", href="/layanan?mpp=kota-samarinda")


def test_mpp_page_groups_a_split_friday(client, small_catalog):
    soup = client.get_page("/mpp/kab-banyuwangi")
    hours = text(soup.find("section", attrs={"aria-labelledby": "jam-buka"}))
    assert "Senin–Kamis 08.00–15.30 WIB" in hours
    assert "Jumat 08.00–11.00, 13.00–16.00 WIB" in hours
    assert "(0333) 123456" in text(soup)


def test_agency_page_lists_its_services_and_where_it_serves(client, small_catalog):
    soup = client.get_page("/instansi/disdukcapil")
    assert soup.h1.get_text(strip=True) == "Dinas Kependudukan dan Pencatatan Sipil"
    services = [a.get_text(strip=True) for a in soup.select(".service-title a")]
    assert services == ["Akta Kelahiran", "Penerbitan KTP-el Baru"]
    where = [card.h3.get_text(strip=True) for card in soup.select(".counter")]
    assert where == ["MPP Kabupaten Banyuwangi", "MPP Kota Samarinda"]


def test_catalog_is_grouped_by_agency_and_filterable(client, small_catalog):
    soup = client.get_page("/layanan")
    groups = [h.get_text(strip=True) for h in soup.select(".agency-group h2")]
    assert groups == ["Disdukcapil", "Imigrasi", "Polres"]
    soup = client.get_page("/layanan?instansi=imigrasi")
    assert [a.get_text(strip=True) for a in soup.select(".service-title a")] == ["Pembuatan Paspor Biasa"]
    assert soup.find("option", value="imigrasi").has_attr("selected")
    soup = client.get_page("/layanan?mpp=kota-samarinda")
    names = {a.get_text(strip=True) for a in soup.select(".service-title a")}
    assert names == {"Penerbitan KTP-el Baru", "Perpanjangan SIM C"}
    # An unknown filter value is ignored, not an error.
    client.get_page("/layanan?mpp=tidak-ada&instansi=%3Cscript%3E")


def test_cards_show_fee_and_time_at_a_glance(client, small_catalog):
    soup = client.get_page("/layanan")
    cards = {
        card.select_one(".service-title").get_text(strip=True): text(card) for card in soup.select(".service-card")
    }
    assert "Biaya Gratis" in cards["Penerbitan KTP-el Baru"]
    assert "Biaya mulai Rp350.000" in cards["Pembuatan Paspor Biasa"]
    assert "Waktu 4 hari kerja" in cards["Pembuatan Paspor Biasa"]
    assert "Biaya Rp75.000" in cards["Perpanjangan SIM C"]


def test_a_fee_that_depends_on_the_case_is_not_shown_as_a_from_amount(app, client, small_catalog):
    with app.app_context():
        polres = db.session.scalar(select(Agency).where(Agency.slug == "polres"))
        db.session.add(
            Service(
                slug="pajak-kendaraan-tahunan",
                name="Pajak Kendaraan Tahunan",
                agency=polres,
                summary="Pembayaran PKB dan SWDKLLJ.",
                duration_text="Hari yang sama",
                product="STNK yang disahkan",
                complaint_handling="Samsat",
                legal_basis="UU 1/2022; Perpres 5/2015",
                fee_note="PKB sesuai nilai jual kendaraan.",
                fees=[ServiceFee(label="SWDKLLJ roda dua", amount=35000, legal_basis="PMK 16/2017")],
            )
        )
        db.session.commit()
    soup = client.get_page("/layanan/pajak-kendaraan-tahunan")
    assert "Rp35.000 + biaya lain" in text(soup.select_one(".glance"))
    assert "PKB sesuai nilai jual kendaraan." in text(soup)
    assert [li.get_text(strip=True) for li in soup.select("#dasar-hukum + ul li")] == ["UU 1/2022", "Perpres 5/2015"]


# --- in a real browser at 360 px ----------------------------------------------------------------------------------

BROWSER_PAGES = [
    "/",
    "/layanan",
    "/layanan?q=zzqxv",
    "/layanan/paspor-biasa",
    "/layanan/ktp-el-baru",
    "/mpp",
    "/mpp/kota-samarinda",
    "/instansi/disdukcapil",
]


def test_catalog_pages_have_no_axe_violations(page, base_url, small_catalog):
    for url in BROWSER_PAGES:
        page.goto(base_url + url)
        assert_no_axe_violations(page)


def test_active_search_updates_the_results_in_place_and_the_address(page, base_url, small_catalog):
    page.goto(base_url + "/layanan")
    page.wait_for_function("() => window.htmx !== undefined")
    page.evaluate("document.body.dataset.marker = 'same-document'")
    page.get_by_label("Cari layanan").fill("pasport")
    page.wait_for_url("**/layanan?q=pasport*")
    first = page.locator("#hasil .service-title a").first
    assert first.inner_text() == "Pembuatan Paspor Biasa"
    assert page.locator("#jumlah-hasil").inner_text() == "Ditemukan 1 layanan"
    assert page.evaluate("document.body.dataset.marker") == "same-document", "no full page load"
    page.get_by_label("Instansi").select_option("polres")
    page.wait_for_url("**instansi=polres*")
    assert "Tidak ditemukan" in page.locator("#hasil").inner_text()
    assert_no_axe_violations(page)


def test_search_works_without_javascript(browser, base_url, small_catalog):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 780})
    page = context.new_page()
    page.goto(base_url + "/")
    page.get_by_label("Cari layanan").fill("akte lahir")
    page.get_by_role("button", name="Cari").click()
    page.wait_for_url("**/layanan?q=akte+lahir")
    assert page.locator(".service-title a").first.inner_text() == "Akta Kelahiran"
    context.close()


def test_no_requirement_chip_repeats_its_line_on_any_service_page_at_360_px(page, base_url, demo_catalog):
    """Issue 14.13: chips said "KTP-el [KTP-el]". On every demo service page, a chip adds something the line lacks."""
    repeats = []
    slugs = db.session.scalars(select(Service.slug).order_by(Service.slug)).all()
    assert len(slugs) >= 20
    for slug in slugs:
        page.goto(f"{base_url}/layanan/{slug}")
        for label in page.locator(".checklist label").all():
            tag = label.locator(".tag")
            if tag.count():
                chip = tag.inner_text().strip().lower()
                line = label.inner_text().strip().lower().removesuffix(chip).strip()
                if chip in line:
                    repeats.append(f"{slug}: {line!r} [{chip}]")
    assert not repeats, "\n".join(repeats)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
