"""The citizen's pages of the journey: the declaration error, deleting a draft, and times in the MPP's zone."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.accounts.models import Role, User
from app.applications import workflow
from app.applications.models import Application, ApplicationStatus, Draft
from app.extensions import db
from tests.helpers import check_page

from .conftest import applications, check_key, complete_draft


def test_a_missing_declaration_is_summarised_at_the_top_and_the_address_stays_the_summary(app, applicant, citizen):
    draft_id = complete_draft(app, citizen)
    url = f"/permohonan/draf/{draft_id}/periksa"
    check = applicant.get_page(url)
    assert check.select_one("form[action$='/periksa'] #f-pernyataan")  # the declaration posts to this address
    response = applicant.post(url, data={"idempotency_key": check_key(check)})
    assert response.status_code == 422
    soup = check_page(response.get_data(as_text=True))
    summary = soup.select_one(".error-summary")
    assert summary.has_attr("autofocus") and summary["tabindex"] == "-1"
    # The summary sits right under the heading, not three screens down; its link goes to the checkbox.
    assert soup.select_one("#langkah h1").find_next_sibling("div") is summary
    assert summary.select_one("a")["href"] == "#f-pernyataan"
    assert summary.select_one("a").get_text(strip=True) == "Centang pernyataan untuk mengajukan permohonan Anda."
    assert soup.find(id="f-pernyataan-error")
    assert applications(app) == []
    assert applicant.get(url).status_code == 200  # reloading the address is the summary again, never a 404


def test_deleting_a_draft_asks_first_and_keeping_it_changes_nothing(app, applicant, citizen):
    draft_id = complete_draft(app, citizen)
    listing = applicant.get_page("/permohonan")
    link = listing.select_one(".draft-delete a")
    assert link["href"] == f"/permohonan/draf/{draft_id}/hapus" and link.get_text().startswith("Hapus draf")
    assert not listing.select(f"form[action='/permohonan/draf/{draft_id}/hapus']")  # no one-tap delete
    confirm = applicant.get_page(link["href"])
    assert confirm.h1.get_text(strip=True) == "Hapus draf ini?"
    keep = confirm.find("a", string="Tidak, simpan draf")
    assert keep and f"/permohonan/draf/{draft_id}/" in keep["href"]
    with app.app_context():
        assert db.session.scalar(select(Draft).where(Draft.public_id == draft_id)) is not None
    response = applicant.post(f"/permohonan/draf/{draft_id}/hapus")
    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(Draft).where(Draft.public_id == draft_id)) is None
    assert "Draf telah dihapus." in applicant.get_page("/permohonan").get_text()


def test_the_list_shows_the_status_and_its_time_in_the_mpps_zone(app, applicant, submitted):
    with app.app_context():
        application = db.session.get(Application, submitted)
        zone = application.mpp.timezone
    text = " ".join(applicant.get_page("/permohonan").get_text(" ").split())
    label = {"Asia/Makassar": "WITA", "Asia/Jakarta": "WIB", "Asia/Jayapura": "WIT"}[zone]
    assert re.search(rf"Diajukan · \d{{1,2}} \w{{3}} \d{{4}}, \d\d\.\d\d {label}", text), text
    assert "Diajukan · Diajukan" not in text


def test_the_expected_completion_is_gone_once_the_application_is_finished(app, applicant, submitted, make_user):
    officer = make_user("Petugas", role=Role.OFFICER)
    with app.app_context():
        application = db.session.get(Application, submitted)
        number = application.tracking_number
    assert "Perkiraan selesai" in applicant.get_page(f"/permohonan/{number}").get_text()
    with app.app_context():
        application = db.session.get(Application, submitted)
        actor = db.session.get(User, officer.id)
        workflow.transition(application, ApplicationStatus.REJECTED, actor=actor, reason="Data tidak sesuai.")
        db.session.commit()
    assert "Perkiraan selesai" not in applicant.get_page(f"/permohonan/{number}").get_text()
