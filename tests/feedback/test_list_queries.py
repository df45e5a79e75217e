"""The complaint lists (the complainant's own on /pengaduan, the back office's /petugas/pengaduan) are cut into
pages, and a page costs the same number of SQL statements whatever the number of complaints behind it."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.catalog.models import Agency, Mpp
from app.database import utcnow
from app.extensions import db
from app.feedback import complaints
from app.feedback.models import Complaint, ComplaintKind, ComplaintStatus

from ..statements import assert_same_statements, statements_of

_numbers = itertools.count(1)


def add_complaints(app, count: int, *, user=None, mpp: str | None = "kota-kendari", late: bool = False) -> None:
    """``count`` forwarded complaints spread over every agency (and every MPP when ``mpp`` is None), newest last."""
    with app.app_context():
        agencies = db.session.scalars(select(Agency).order_by(Agency.id)).all()
        mpps = db.session.scalars(select(Mpp).order_by(Mpp.id).where(Mpp.slug == mpp if mpp else True)).all()
        now = utcnow()
        today = now.date()
        for i in range(count):
            n = next(_numbers)
            db.session.add(
                Complaint(
                    number=f"ADU-T{n:03d}-LIST",
                    kind=ComplaintKind.COMPLAINT,
                    title=f"Keluhan nomor {n}",
                    body="Antrean terlalu lama.",
                    user_id=user.id if user else None,
                    mpp_id=mpps[i % len(mpps)].id,
                    agency_id=agencies[i % len(agencies)].id,
                    status=ComplaintStatus.FORWARDED,
                    created_at=now - dt.timedelta(minutes=1000 - n),
                    status_changed_at=now,
                    stage_due_on=today - dt.timedelta(days=3) if late else today + dt.timedelta(days=5),
                    resolution_due_on=today + dt.timedelta(days=60),
                )
            )
        db.session.commit()


def test_my_complaints_take_the_same_statements_for_3_or_several_pages(app, client, citizen, signed_in, demo):
    signed_in(client, citizen)
    add_complaints(app, 3, user=citizen)
    few = statements_of(app, client, "/pengaduan")
    assert few.html.count('class="tracking-number"') == 3 and 'rel="next"' not in few.html
    add_complaints(app, 3 * complaints.PAGE_SIZE, user=citizen)
    many = statements_of(app, client, "/pengaduan")
    assert_same_statements(few, many, "/pengaduan")
    assert many.html.count('class="tracking-number"') == complaints.PAGE_SIZE
    assert 'rel="next"' in many.html and 'rel="prev"' not in many.html


def test_my_complaints_page_through_newest_first_and_promise_no_page_that_does_not_exist(
    app, client, citizen, other_citizen, signed_in, demo
):
    signed_in(client, citizen)
    add_complaints(app, complaints.PAGE_SIZE + 2, user=citizen)
    add_complaints(app, 4, user=other_citizen)
    first = client.get_page("/pengaduan")
    second = client.get_page("/pengaduan?halaman=2")
    shown_first = [s.get_text() for s in first.select(".tracking-number")]
    shown_second = [s.get_text() for s in second.select(".tracking-number")]
    assert len(shown_first) == complaints.PAGE_SIZE and len(shown_second) == 2
    assert not set(shown_first) & set(shown_second)
    assert shown_first[0] > shown_first[-1] > shown_second[0]  # numbered in filing order: newest first
    assert first.select_one('a[rel="next"]')["href"] == "/pengaduan?halaman=2"
    assert second.select_one('a[rel="prev"]')["href"] == "/pengaduan"
    assert second.select_one('a[rel="next"]') is None
    past = client.get_page("/pengaduan?halaman=7")
    assert not past.select(".tracking-number") and past.find("a", href="/pengaduan") is not None
    assert "Halaman ini kosong" in past.get_text()
    for bad in ("0", "-1", "abc", "9" * 30):
        assert len(client.get_page(f"/pengaduan?halaman={bad}").select(".tracking-number")) == complaints.PAGE_SIZE


@pytest.mark.parametrize("role", [Role.MPP_ADMIN, Role.NATIONAL_ADMIN])
def test_the_staff_complaint_list_takes_the_same_statements_for_any_number_of_complaints(
    app, client, make_staff, signed_in, demo, role
):
    mpp = "kota-kendari" if role == Role.MPP_ADMIN else None
    staff = make_staff(role, mpp=mpp, agency=None, name="Admin Pengaduan")
    signed_in(client, staff)
    add_complaints(app, 4, mpp=mpp, late=True)
    few = statements_of(app, client, "/petugas/pengaduan")
    assert few.html.count('class="tracking-number"') == 4
    add_complaints(app, 5 * complaints.PAGE_SIZE, mpp=mpp, late=True)  # every agency, and every MPP for national
    many = statements_of(app, client, "/petugas/pengaduan")
    assert_same_statements(few, many, "/petugas/pengaduan")
    assert many.html.count('class="tracking-number"') == complaints.PAGE_SIZE
    assert 'rel="next"' in many.html


def test_the_overdue_notice_counts_the_whole_list_not_only_the_page(app, client, make_staff, signed_in, demo):
    signed_in(client, make_staff(Role.MPP_ADMIN, agency=None, name="Admin Pengaduan"))
    add_complaints(app, 3, late=True)
    add_complaints(app, complaints.PAGE_SIZE)  # on time, newer: the late ones are on page 2
    first = client.get_page("/petugas/pengaduan")
    assert "3 pengaduan melewati batas waktu" in first.get_text(" ", strip=True)
    assert not first.select(".complaint-overdue")
    second = client.get_page("/petugas/pengaduan?halaman=2")
    assert len(second.select(".complaint-overdue")) == 3
    link = second.select_one('a[rel="prev"]')["href"]
    assert link == "/petugas/pengaduan"
    filtered = client.get_page("/petugas/pengaduan?status=diterima")
    assert "melewati batas waktu" not in filtered.get_text(" ", strip=True)


def test_the_status_filter_is_kept_on_the_page_links(app, client, make_staff, signed_in, demo):
    signed_in(client, make_staff(Role.MPP_ADMIN, agency=None, name="Admin Pengaduan"))
    add_complaints(app, complaints.PAGE_SIZE + 1)
    status = ComplaintStatus.FORWARDED.value
    first = client.get_page(f"/petugas/pengaduan?status={status}")
    assert first.select_one('a[rel="next"]')["href"] == f"/petugas/pengaduan?status={status}&halaman=2"
    second = client.get_page(f"/petugas/pengaduan?status={status}&halaman=2")
    assert len(second.select(".tracking-number")) == 1
    assert second.select_one('a[rel="prev"]')["href"] == f"/petugas/pengaduan?status={status}"


def add_responses(app, user, count: int) -> None:
    """``count`` survey answers at Kota Kendari, each with a suggestion, this quarter."""
    from app.feedback.models import SurveyInvitation, SurveyOutcome, SurveyResponse

    with app.app_context():
        mpp_id = db.session.scalar(select(Mpp.id).where(Mpp.slug == "kota-kendari"))
        now = utcnow()
        for _ in range(count):
            n = next(_numbers)
            invitation = SurveyInvitation(
                token=f"uji{n:010d}", user_id=user.id, outcome=SurveyOutcome.COMPLETED, mpp_id=mpp_id
            )
            db.session.add(invitation)
            db.session.flush()
            db.session.add(
                SurveyResponse(
                    invitation_id=invitation.id,
                    mpp_id=mpp_id,
                    outcome=SurveyOutcome.COMPLETED,
                    **{f"u{k}": 3 + k % 2 for k in range(1, 10)},
                    suggestion=f"Saran nomor {n:05d}",
                    created_at=now - dt.timedelta(seconds=100_000 - n),
                )
            )
        db.session.commit()


def test_survey_suggestions_are_paged_in_the_same_statements_for_any_number(
    app, client, citizen, make_staff, signed_in, demo
):
    from app.feedback import surveys

    signed_in(client, make_staff(Role.MPP_ADMIN, agency=None, name="Admin SKM"))
    add_responses(app, citizen, 6)
    few = statements_of(app, client, "/petugas/survei")
    assert few.html.count("Saran nomor") == 6
    add_responses(app, citizen, 3 * surveys.SUGGESTIONS_PAGE_SIZE)
    many = statements_of(app, client, "/petugas/survei")
    assert_same_statements(few, many, "/petugas/survei")
    page = client.get_page("/petugas/survei")
    shown = [li.get_text(strip=True) for li in page.select(".suggestion-list li")]
    assert len(shown) == surveys.SUGGESTIONS_PAGE_SIZE and shown == sorted(shown, reverse=True)
    next_link = page.select_one('a[rel="next"]')["href"]
    assert "halaman=2" in next_link and "periode=" in next_link and next_link.endswith("#saran")
    last = client.get_page(next_link.replace("halaman=2", "halaman=4"))
    assert len(last.select(".suggestion-list li")) == 6 and last.select_one('a[rel="next"]') is None
