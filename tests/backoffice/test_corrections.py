"""A correction round-trip that is no chore: the officer points at a screen or a missing document, the citizen lands
there with the reason in view, and the confirmation says "Perbaikan terkirim"."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.applications.models import Application, StatusEvent
from app.applications.models import ApplicationStatus as S
from app.extensions import db
from app.notifications.models import Notification
from tests.accounts.fixtures import sign_in_test_client
from tests.helpers import PageClient, check_page

from ..applications.conftest import check_key, png_bytes
from .conftest import load

REASON = "KTP-el yang rusak belum dilampirkan. Unggah fotonya."


@pytest.fixture
def desk(app, client, officer, signed_in, application_number):
    """The Disdukcapil officer at Kendari, signed in, with one submitted application in the inbox."""
    signed_in(client, officer)
    client.application = app
    return client


@pytest.fixture
def applicant(app, citizen, signed_in):
    client = PageClient(app.test_client())
    signed_in(client, citizen)
    return client


def _ask_correction(desk, number, *, target=""):
    version = load(desk.application, number).version
    return desk.post(
        f"/petugas/permohonan/{number}/tindakan",
        data={"tindakan": "perbaikan", "versi": str(version), "alasan": REASON, "bagian": target},
    )


def _event(app, number) -> StatusEvent:
    with app.app_context():
        application = db.session.scalar(select(Application).where(Application.tracking_number == number))
        event = application.events[-1]
        db.session.expunge(event)
        return event


def test_the_officer_can_point_at_any_screen_or_document_of_the_form(desk, application_number):
    soup = desk.get_page(f"/petugas/permohonan/{application_number}")
    options = {o["value"]: o.get_text(strip=True) for o in soup.select("#f-bagian-perbaikan option")}
    assert options[""] == "Seluruh permohonan"
    assert options["kejadian"] == "Apa yang terjadi"
    # Every document requirement of the standard is a slot the officer can ask for, optional ones included.
    assert options["dokumen.ktp"] == "Dokumen: KTP-el yang rusak"
    assert options["dokumen.surat_kehilangan"] == "Dokumen: Surat keterangan kehilangan dari kepolisian"


def test_a_named_missing_document_opens_its_slot_and_must_be_attached(app, desk, application_number, applicant):
    number = application_number
    assert _ask_correction(desk, number, target="dokumen.ktp").status_code == 303
    assert _event(app, number).correction_target == "dokumen.ktp"
    history = desk.get_page(f"/petugas/permohonan/{number}").select_one(".bo-history").get_text(" ", strip=True)
    assert "Yang perlu diperbaiki: KTP-el yang rusak" in history

    detail = applicant.get_page(f"/permohonan/{number}").select_one(".notice.warning").get_text(" ", strip=True)
    assert REASON in detail and "Yang perlu diperbaiki: KTP-el yang rusak" in detail
    response = applicant.post(f"/permohonan/{number}/perbaiki")
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location.endswith("/dokumen?kembali=periksa")  # not "Langkah 1 dari 8"
    base = location.split("?")[0].rsplit("/", 1)[0]
    page = applicant.get_page(location)
    notice = page.select_one(".correction-request").get_text(" ", strip=True)
    assert REASON in notice and "KTP-el yang rusak" in notice
    legend = page.select_one("#f-dokumen-ktp-group legend").get_text(" ", strip=True)
    assert "Diminta petugas" in legend  # the standard says "if applicable"; the officer decided it applies

    # Without the document the correction cannot go out — on this screen and at the summary.
    kk = page.select_one("input[name='dokumen.kk'][checked]")["value"]
    missing = applicant.post(f"{base}/dokumen", data={"dokumen.kk": kk, "kembali": "periksa"})
    assert missing.status_code == 422
    assert check_page(missing.get_data(as_text=True)).select_one("#f-dokumen-ktp-error")

    uploaded = applicant.post(
        f"{base}/dokumen",
        data={"dokumen.kk": kk, "kembali": "periksa", "unggah.ktp": (io.BytesIO(png_bytes()), "ktp-rusak.png")},
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 303 and uploaded.headers["Location"].endswith("/periksa")
    check = applicant.get_page(f"{base}/periksa")
    assert REASON in check.select_one(".correction-request").get_text()  # still in view on the summary
    sent = applicant.post(f"{base}/periksa", data={"idempotency_key": check_key(check), "pernyataan": "ya"})
    assert sent.status_code == 303
    confirmation = applicant.get_page(sent.headers["Location"])
    assert confirmation.select_one(".confirmation h2").get_text(strip=True) == "Perbaikan terkirim"
    application = load(app, number)
    assert application.status == S.SUBMITTED
    with app.app_context():
        revision = db.session.get(Application, application.id).latest_revision
        assert revision.number == 2 and "ktp" in revision.documents


def test_a_correction_pointing_at_a_screen_opens_it_and_returns_to_the_summary(
    app, desk, application_number, applicant
):
    _ask_correction(desk, application_number, target="keterangan")
    location = applicant.post(f"/permohonan/{application_number}/perbaiki").headers["Location"]
    assert location.endswith("/keterangan?kembali=periksa")
    page = applicant.get_page(location)
    assert page.select_one("input[name=kembali]")["value"] == "periksa"
    assert REASON in page.select_one(".correction-request").get_text()


def test_without_a_target_or_with_a_forged_one_the_correction_opens_the_summary(
    app, desk, application_number, applicant
):
    _ask_correction(desk, application_number, target="../../admin")
    assert _event(app, application_number).correction_target is None
    location = applicant.post(f"/permohonan/{application_number}/perbaiki").headers["Location"]
    assert location.endswith("/periksa")


def test_the_correction_notification_has_the_mpps_zone_and_the_inbox_says_it(app, desk, application_number, applicant):
    _ask_correction(desk, application_number)
    with app.app_context():
        note = db.session.scalar(select(Notification).order_by(Notification.id.desc()))
        assert note.timezone == "Asia/Makassar"  # MPP Kota Kendari
    inbox = applicant.get_page("/notifikasi").get_text(" ", strip=True)
    assert "WITA" in inbox and "WIB" not in inbox


def test_the_audit_log_shows_an_applications_entries_in_its_mpps_zone(app, desk, application_number, make_staff):
    _ask_correction(desk, application_number)
    admin = PageClient(app.test_client())
    sign_in_test_client(app, admin, make_staff(Role.MPP_ADMIN, name="Admin Kendari"))
    rows = admin.get_page("/petugas/audit").select(".bo-audit tbody tr")
    about = [row for row in rows if application_number in row.get_text()]
    assert about and all(row.td.get_text(strip=True).endswith("WITA") for row in about)
