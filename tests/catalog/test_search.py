"""Search the way citizens type, on the real demo catalog, and stay calm whatever they send."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from playwright.sync_api import expect
from sqlalchemy import select, update

from app.catalog.models import Agency, Requirement, RequirementKind, Service
from app.catalog.search import MAX_QUERY_LENGTH, clean_query, reindex_all, search_services, terms
from app.extensions import db
from tests.helpers import assert_no_axe_violations, shot


def slugs(query: str, **filters) -> list[str]:
    """Every service found, best first: the strong matches, then the ones folded under "Hasil lain"."""
    result = search_services(query, **filters)
    return [service.slug for service in result.services + result.other_services]


# --- what citizens type, on the real demo data -------------------------------------------------------------------


# Loading the demo catalog takes seconds, so each test below checks many cases against one load and reports
# every miss at once.
CITIZEN_QUERIES = [
    ("ktp", {"ktp-el-baru", "ktp-el-hilang-rusak"}),
    ("KTP", {"ktp-el-baru", "ktp-el-hilang-rusak"}),
    ("e-ktp", {"ktp-el-baru", "ktp-el-hilang-rusak"}),
    ("E-KTP!", {"ktp-el-baru", "ktp-el-hilang-rusak"}),
    ("ktp el", {"ktp-el-baru", "ktp-el-hilang-rusak"}),
    ("akte lahir", {"akta-kelahiran"}),
    ("akta kelahiran", {"akta-kelahiran"}),
    ("Akte Kelahiran", {"akta-kelahiran"}),
    ("perpanjang sim", {"sim-c-perpanjangan"}),
    ("perpanjangan SIM", {"sim-c-perpanjangan"}),
    ("paspor", {"paspor-biasa"}),
    ("pasport", {"paspor-biasa"}),
    ("passport", {"paspor-biasa"}),
    ("skck", {"skck-baru", "skck-perpanjangan"}),
    ("perpanjang skck", {"skck-perpanjangan"}),
    ("nib", {"nib-perseorangan"}),
    ("bpjs", {"bpjs-kesehatan-mandiri"}),
    ("kartu keluarga", {"kk-perubahan-data"}),
    ("nikah", {"pendaftaran-nikah"}),
    ("ijin praktik bidan", {"sip-bidan"}),
    ("izin praktik dokter", {"sip-dokter"}),
    ("pajak kendaraan", {"pajak-kendaraan-tahunan"}),
    ("kartu kuning", {"kartu-pencari-kerja"}),
]


def test_what_citizens_type_finds_the_right_service_first(demo_catalog):
    misses = []
    for query, expected_first in CITIZEN_QUERIES:
        found = slugs(query)
        if set(found[: len(expected_first)]) != expected_first:
            misses.append(f"{query!r} → {found[:5]}, expected {sorted(expected_first)} first")
    assert not misses, "\n".join(misses)


def test_typos_prefixes_and_filters_on_the_demo_catalog(client, demo_catalog):
    # A typo is corrected when nothing matches, and the page says what was searched instead.
    result = search_services("pasprt")
    assert result.services[0].slug == "paspor-biasa"
    assert result.corrected == "paspor"
    # Search as you type: the start of a word is enough.
    assert slugs("pasp")[0] == "paspor-biasa"
    assert slugs("aktivasi ik")[0] == "aktivasi-ikd"
    # Narrowed to one MPP or one agency.
    samarinda = slugs("sim", mpp_id=_mpp_id("kota-samarinda"))
    assert samarinda and all(_offered_at(slug, "kota-samarinda") for slug in samarinda)
    polres = search_services("ktp", agency_id=_agency_id("polres")).services
    assert all(service.agency.slug == "polres" for service in polres)
    # The page lists the right service first and keeps what was typed.
    soup = client.get_page("/layanan?q=akte+lahir")
    assert soup.select_one(".service-title a")["href"] == "/layanan/akta-kelahiran"
    assert soup.find("input", attrs={"name": "q"})["value"] == "akte lahir"
    assert "Ditemukan" in soup.find(id="jumlah-hasil").get_text()
    soup = client.get_page("/layanan?q=pasprt")
    assert "menampilkan hasil untuk “paspor”" in soup.find(id="hasil").get_text()


def _mpp_id(slug):
    from app.catalog.models import Mpp

    return db.session.scalar(select(Mpp.id).where(Mpp.slug == slug))


def _agency_id(slug):
    return db.session.scalar(select(Agency.id).where(Agency.slug == slug))


def _offered_at(service_slug, mpp_slug):
    service = db.session.scalar(select(Service).where(Service.slug == service_slug))
    return any(offering.mpp.slug == mpp_slug for offering in service.offerings)


# --- normalisation ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("e-KTP", ["ktp"]),
        ("KTP-el", ["ktp"]),
        ("Kartu Tanda Penduduk Elektronik", ["ktp"]),
        ("akte", ["akta"]),
        ("ijin", ["izin"]),
        ("Perpanjangan", ["panjang"]),
        ("kelahiran", ["lahir"]),
        ("cara urus paspor", ["paspor"]),
        ("Pásport!!", ["paspor"]),
    ],
)
def test_spelling_variants_and_word_forms_fold_to_one_term(typed, expected):
    assert [term.stem for term in terms(typed)] == expected


# --- search_text stays fresh without the writer knowing -----------------------------------------------------------


def _service(agency, **fields):
    values = dict(
        slug="layanan-uji",
        name="Layanan Uji",
        agency=agency,
        summary="Ringkasan.",
        duration_text="1 hari",
        product="Surat",
        complaint_handling="Loket pengaduan",
        legal_basis="Perda 1/2020",
    )
    values.update(fields)
    return Service(**values)


def test_search_text_is_written_on_insert_and_kept_fresh_on_update(app_ctx):
    agency = Agency(slug="dpmptsp", name="Dinas Penanaman Modal dan PTSP", short_name="DPMPTSP")
    service = _service(agency, name="Nomor Induk Berusaha (NIB) Perseorangan", keywords="oss, izin usaha")
    db.session.add(service)
    db.session.commit()
    assert " nib " in service.search_text and " oss " in service.search_text and "dpmptsp" in service.search_text
    assert slugs("nib") == ["layanan-uji"]

    service.name = "Sertifikat Halal"
    db.session.commit()
    assert slugs("halal") == ["layanan-uji"]

    service.requirements.append(
        Requirement(position=1, kind=RequirementKind.DOCUMENT, description="Surat rekomendasi kelurahan")
    )
    db.session.commit()
    assert slugs("rekomendasi") == ["layanan-uji"]

    agency.short_name = "Perizinan Terpadu"
    db.session.commit()
    assert slugs("perizinan terpadu") == ["layanan-uji"]


def test_reindex_all_rebuilds_text_written_behind_the_orms_back(app_ctx):
    db.session.add(_service(Agency(slug="kua", name="Kantor Urusan Agama", short_name="KUA"), name="Pendaftaran Nikah"))
    db.session.commit()
    db.session.execute(update(Service).values(search_text=""))
    db.session.commit()
    assert slugs("nikah") == []
    assert reindex_all() == 1
    assert slugs("nikah") == ["layanan-uji"]


def test_a_name_hit_ranks_above_a_requirement_hit(app_ctx):
    agency = Agency(slug="polres", name="Kepolisian Resor", short_name="Polres")
    db.session.add_all(
        [
            _service(agency, slug="skck-baru", name="SKCK Baru", popularity=1),
            _service(
                agency,
                slug="sim-a-baru",
                name="SIM A Baru",
                popularity=100,
                requirements=[Requirement(position=1, kind=RequirementKind.DOCUMENT, description="SKCK aktif")],
            ),
        ]
    )
    db.session.commit()
    assert slugs("skck") == ["skck-baru", "sim-a-baru"]
    # The requirement hit is a weak match: folded under "Hasil lain", not among the results.
    result = search_services("skck")
    assert [s.slug for s in result.services] == ["skck-baru"]
    assert [s.slug for s in result.other_services] == ["sim-a-baru"]


def test_ktp_shows_the_ktp_services_and_folds_those_that_only_ask_for_a_copy(client, demo_catalog):
    result = search_services("ktp")
    strong = [service.slug for service in result.services]
    assert set(strong[:2]) == {"ktp-el-baru", "ktp-el-hilang-rusak"}, strong
    assert len(strong) <= 5 and len(result.other_services) >= 10
    soup = client.get_page("/layanan?q=ktp")
    assert soup.find(id="jumlah-hasil").get_text().strip() == (
        f"Ditemukan {len(strong)} layanan dan {len(result.other_services)} hasil lain"
    )
    folded = soup.select_one("details.other-results")
    assert folded is not None and not folded.has_attr("open")
    assert f"Hasil lain ({len(result.other_services)})" in folded.summary.get_text()
    assert len(folded.select(".service-card")) == len(result.other_services)


def test_when_only_weak_matches_exist_they_are_the_results(app_ctx):
    agency = Agency(slug="polres", name="Kepolisian Resor", short_name="Polres")
    requirement = Requirement(position=1, kind=RequirementKind.DOCUMENT, description="Surat keterangan sehat")
    db.session.add(_service(agency, slug="sim-a-baru", name="SIM A Baru", requirements=[requirement]))
    db.session.commit()
    result = search_services("sehat")
    assert [s.slug for s in result.services] == ["sim-a-baru"] and result.other_services == []


# --- bad input never breaks the page ------------------------------------------------------------------------------

ABSURD = [
    "x" * 10_000,
    "ktp " * 3000,
    "'; DROP TABLE service; --",
    "' OR 1=1 --",
    "%",
    "_",
    "\\",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "😀🙈🔥",
    "\x00\x01\x1b[31m",
    "   ",
    "ktp\u202e",
    "{{ 7*7 }}",
]


@pytest.mark.parametrize("query", ABSURD)
def test_an_absurd_query_gets_a_normal_results_page(client, small_catalog, query):
    soup = client.get_page("/layanan", query_string={"q": query})
    assert not soup.find("img", src="x") and not soup.find("script", string=lambda s: s and "alert" in s)
    field = soup.find("input", attrs={"name": "q"})
    assert len(field.get("value", "")) <= MAX_QUERY_LENGTH
    assert "49" not in soup.find(id="hasil").get_text()


def test_an_absurd_query_is_echoed_escaped(client, small_catalog):
    response = client.get("/layanan", query_string={"q": "<script>alert(1)</script>"})
    body = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_nothing_found_shows_suggestions(client, small_catalog):
    soup = client.get_page("/layanan?q=zzqxv")
    results = soup.find(id="hasil")
    assert results.h2.get_text(strip=True) == "Tidak ditemukan"
    assert "zzqxv" in results.get_text()
    assert results.find("a", href="/layanan?q=paspor")
    assert results.select(".service-card"), "popular services are suggested"


def test_a_query_of_only_symbols_is_not_found_rather_than_everything(client, small_catalog):
    soup = client.get_page("/layanan", query_string={"q": "😀 !!"})
    assert soup.find(id="hasil").h2.get_text(strip=True) == "Tidak ditemukan"


def test_clean_query_cuts_long_input_and_control_characters():
    assert clean_query("  ktp \n  baru\x00 ") == "ktp baru"
    assert len(clean_query("a" * 10_000)) == MAX_QUERY_LENGTH
    assert clean_query(None) == ""


# --- htmx active search -------------------------------------------------------------------------------------------


def test_the_search_box_is_an_htmx_active_search_inside_a_real_get_form(client, small_catalog):
    soup = client.get_page("/layanan")
    form = soup.find("form", id="cari-layanan")
    assert form["action"] == "/layanan" and form["method"] == "get"
    field = form.find("input", attrs={"name": "q"})
    assert field["type"] == "search" and field["hx-get"] == "/layanan"
    assert field["hx-trigger"] == "input changed delay:300ms, search"
    assert field["hx-target"] == "#hasil" and field["hx-push-url"] == "true"
    assert form.find("button", type="submit")


def test_an_htmx_search_gets_only_the_results_fragment(client, small_catalog):
    response = client.get("/layanan?q=paspor", headers={"HX-Request": "true", "HX-Target": "hasil"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in body and "<h1" not in body
    assert 'href="/layanan/paspor-biasa"' in body
    assert 'id="jumlah-hasil" hx-swap-oob="innerHTML"' in body
    assert "HX-Request" in response.headers["Vary"]


@pytest.mark.parametrize("header", ["HX-Boosted", "HX-History-Restore-Request"])
def test_boosted_and_history_restore_requests_get_the_whole_page(client, small_catalog, header):
    response = client.get("/layanan?q=paspor", headers={"HX-Request": "true", header: "true"})
    assert "<h1>" in response.get_data(as_text=True)


def test_ktp_in_a_phone_browser_shows_the_strong_matches_and_folds_the_rest(page, base_url, demo_catalog):
    """Typing "ktp" at 360 px: the KTP-el services on screen, the services that only ask for a copy folded under
    "Hasil lain" until tapped (issue 14.13: 19 of 20 services used to come back as equals)."""
    result = search_services("ktp")
    strong, other = len(result.services), len(result.other_services)
    page.goto(base_url + "/layanan")
    page.wait_for_function("() => window.htmx !== undefined")
    page.get_by_label("Cari layanan").fill("ktp")
    page.wait_for_url("**/layanan?q=ktp*")
    expect(page.locator("#jumlah-hasil")).to_have_text(f"Ditemukan {strong} layanan dan {other} hasil lain")
    expect(page.locator("#hasil .service-card:visible")).to_have_count(strong)
    titles = page.locator("#hasil .service-card:visible .service-title").all_inner_texts()
    assert any("KTP-el" in title for title in titles[:2]), titles
    folded = page.locator("details.other-results")
    expect(folded).not_to_have_attribute("open", "")
    expect(folded.locator("summary")).to_have_text(f"Hasil lain ({other})")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, "cari-ktp-360")
    assert_no_axe_violations(page)

    folded.locator("summary").click()
    expect(folded).to_have_attribute("open", "")
    expect(page.locator("#hasil .service-card:visible")).to_have_count(strong + other)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, "cari-ktp-hasil-lain-360")
    assert_no_axe_violations(page)


# --- ranking reads each search text once --------------------------------------------------------------------------


def _best_weights_by_words(search_text: str, query_terms) -> list[float]:
    """The ranking rule written the plain way (split every field, test every word): what ``_best_weights`` must
    agree with, now that it reads each text's fields once and tests prefixes as one substring search."""
    from app.catalog.search import FIELD_SEPARATOR, FIELD_WEIGHTS, PREFIX_FACTOR

    fields = [part.split() for part in search_text.split(FIELD_SEPARATOR.strip())]
    weights = []
    for term in query_terms:
        best = 0.0
        for weight, words in zip(FIELD_WEIGHTS, fields, strict=False):
            for variant in term.variants:
                if variant in words:
                    best = max(best, weight)
                elif len(variant) >= 3 and any(word.startswith(variant) for word in words):
                    best = max(best, weight * PREFIX_FACTOR)
        weights.append(best)
    return weights


_WORDS = ["ktp", "kk", "akta", "akt", "lahir", "kelahiran", "paspor", "pas", "sim", "si", "izin", "usaha", "usa"]


@settings(max_examples=300, deadline=None)
@given(
    fields=st.lists(st.lists(st.sampled_from(_WORDS), max_size=6), min_size=1, max_size=4),
    query=st.lists(st.sampled_from(_WORDS), min_size=1, max_size=4),
)
def test_ranking_weights_agree_with_the_word_by_word_rule(fields, query):
    from app.catalog.search import FIELD_SEPARATOR, Term, _best_weights

    text = " " + FIELD_SEPARATOR.join(" ".join(words) for words in fields) + " "
    query_terms = [Term(word, word) for word in query] + [Term(query[0], query[-1] + "x")]  # variants too
    candidate = type("Row", (), {"search_text": text})()
    assert _best_weights(candidate, query_terms) == _best_weights_by_words(text, query_terms)
