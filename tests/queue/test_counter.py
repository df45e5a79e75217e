"""The counter: check-in by code, walk-ins from the same queue, call order, recall after 5 minutes, served, no-show,
transfer — every action audited, out-of-scope officers get 404, and a served visit announces ``visit_served``."""

from __future__ import annotations

import datetime as dt

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from app.accounts.models import Role, User
from app.backoffice.models import AuditAction, AuditEntry, StaffAssignment, StaffRole
from app.catalog.models import Agency, Mpp, Service, Tenancy
from app.extensions import db
from app.queue import booking, counter
from app.queue.events import visit_served
from app.queue.models import Booking, BookingStatus, PriorityCategory

from .conftest import NIK, OTHER_NIK, make_settings, make_users, sim_place

# Tuesday 8 December 2026, 08.50 WITA: the day of the visits booked for 09.00.
VISIT_DAY = dt.datetime(2026, 12, 8, 0, 50, tzinfo=dt.UTC)
BOOKED_AT = dt.datetime(2026, 12, 6, 23, 0, tzinfo=dt.UTC)


@pytest.fixture
def sim_officer(app, make_user, demo_data):
    """A Polres officer at Samarinda (the SIM counter)."""
    user = make_user("Bripka Rudi", role=Role.OFFICER)
    with app.app_context():
        make_settings()
        mpp = db.session.scalar(select(Mpp).where(Mpp.slug == "kota-samarinda"))
        agency = db.session.scalar(select(Agency).where(Agency.slug == "polres"))
        db.session.add(StaffAssignment(user_id=user.id, role=StaffRole.OFFICER, mpp_id=mpp.id, agency_id=agency.id))
        db.session.commit()
    return user


def _booked(slot="2026-12-08T09:00", nik=NIK, priority=None) -> str:
    user = db.session.get(User, make_users(1)[0])
    held = booking.hold(user=user, place=sim_place(), slot_value=slot, priority_category=priority, now_utc=BOOKED_AT)
    booking.confirm(booking=held, nik=nik, now_utc=BOOKED_AT)
    return held.code


def _scope(user):
    """The officer's scope as the counter pages build it (scope_of needs a signed-in request)."""
    from app.backoffice.scope import Scope

    tenancy = _tenancy()
    return Scope(user=db.session.get(User, user.id), officer_pairs=frozenset({(tenancy.agency_id, tenancy.mpp_id)}))


def _tenancy():
    return sim_place().tenancy


def test_check_in_by_code_gives_a_queue_number_and_is_audited(app, sim_officer):
    with app.app_context():
        code = _booked()
        officer = db.session.get(User, sim_officer.id)
        found = counter.check_in(
            scope=_scope(officer),
            tenancy=_tenancy(),
            code=f"{code[:4]}-{code[4:].lower()}",
            actor=officer,
            now_utc=VISIT_DAY,
        )
        assert found.status == BookingStatus.CHECKED_IN and found.queue_number == "A001"
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == AuditAction.QUEUE))
        assert entry.object_id == found.id and "A001" in entry.reason


def test_a_code_of_another_day_or_nonsense_is_refused_clearly(app, sim_officer):
    with app.app_context():
        code = _booked("2026-12-09T09:00")
        officer = db.session.get(User, sim_officer.id)
        with pytest.raises(counter.CounterRefused) as refused:
            counter.check_in(scope=_scope(officer), tenancy=_tenancy(), code=code, actor=officer, now_utc=VISIT_DAY)
        assert refused.value.reason == "other_day"
        for bad in ("", "ZZZZZZZZ", "<script>", "x" * 500):
            with pytest.raises(counter.CounterRefused):
                counter.check_in(scope=_scope(officer), tenancy=_tenancy(), code=bad, actor=officer, now_utc=VISIT_DAY)


def test_booked_visitors_within_their_slot_are_called_before_walk_ins(app, sim_officer):
    with app.app_context():
        officer = db.session.get(User, sim_officer.id)
        tenancy = _tenancy()
        service = db.session.scalar(select(Service).where(Service.slug == "sim-a-baru"))
        walk_in = counter.issue_walk_in(tenancy=tenancy, service=service, actor=officer, now_utc=VISIT_DAY)
        assert walk_in.queue_number == "B001"
        code = _booked()
        booked = counter.check_in(
            scope=_scope(officer),
            tenancy=tenancy,
            code=code,
            actor=officer,
            now_utc=VISIT_DAY + dt.timedelta(minutes=1),
        )
        elderly = counter.issue_walk_in(
            tenancy=tenancy,
            service=service,
            actor=officer,
            priority_category=PriorityCategory.ELDERLY,
            now_utc=VISIT_DAY + dt.timedelta(minutes=2),
        )
        order = [row.queue_number for row in counter.waiting(tenancy.id, dt.date(2026, 12, 8))]
        assert order == [booked.queue_number, elderly.queue_number, walk_in.queue_number]
        first = counter.call_next(
            tenancy=tenancy, counter_label="Loket 12", actor=officer, now_utc=VISIT_DAY + dt.timedelta(minutes=3)
        )
        assert first.id == booked.id and first.status == BookingStatus.CALLED


def test_recall_waits_five_minutes_then_served_fires_visit_served(app, sim_officer):
    received = []

    def on_served(sender, **_):
        received.append(sender.id)

    visit_served.connect(on_served)
    try:
        with app.app_context():
            officer = db.session.get(User, sim_officer.id)
            tenancy = _tenancy()
            counter.check_in(scope=_scope(officer), tenancy=tenancy, code=_booked(), actor=officer, now_utc=VISIT_DAY)
            called = counter.call_next(tenancy=tenancy, counter_label="Loket 12", actor=officer, now_utc=VISIT_DAY)
            with pytest.raises(counter.CounterRefused) as refused:
                counter.recall(
                    tenancy=tenancy, booking_id=called.id, actor=officer, now_utc=VISIT_DAY + dt.timedelta(minutes=4)
                )
            assert refused.value.reason == "recall_early" and "WITA" in refused.value.message
            again = counter.recall(
                tenancy=tenancy, booking_id=called.id, actor=officer, now_utc=VISIT_DAY + dt.timedelta(minutes=5)
            )
            assert again.call_count == 2
            served = counter.mark_served(
                tenancy=tenancy, booking_id=called.id, actor=officer, now_utc=VISIT_DAY + dt.timedelta(minutes=9)
            )
            assert served.status == BookingStatus.SERVED
            assert received == [served.id]
            actions = db.session.scalars(select(AuditEntry.reason).where(AuditEntry.action == AuditAction.QUEUE)).all()
            assert len(actions) == 4  # check-in, call, recall, served
    finally:
        visit_served.disconnect(on_served)


def test_a_no_show_is_released_and_may_check_in_again_later(app, sim_officer):
    with app.app_context():
        officer = db.session.get(User, sim_officer.id)
        tenancy = _tenancy()
        code = _booked()
        # Not checked in 15 minutes after the 09.00 slot: released.
        assert counter.release_no_shows(tenancy=tenancy, now_utc=dt.datetime(2026, 12, 8, 1, 15, tzinfo=dt.UTC)) == 1
        row = db.session.scalar(select(Booking).where(Booking.code == code))
        assert row.status == BookingStatus.NO_SHOW
        # Arriving later: checked in, and queued after those who came within their slot.
        late = counter.check_in(
            scope=_scope(officer),
            tenancy=tenancy,
            code=code,
            actor=officer,
            now_utc=dt.datetime(2026, 12, 8, 2, 0, tzinfo=dt.UTC),
        )
        assert late.status == BookingStatus.CHECKED_IN


def test_transfer_sends_the_visitor_to_another_counter_of_the_mpp(app, sim_officer):
    with app.app_context():
        officer = db.session.get(User, sim_officer.id)
        tenancy = _tenancy()
        counter.check_in(
            scope=_scope(officer), tenancy=tenancy, code=_booked(nik=OTHER_NIK), actor=officer, now_utc=VISIT_DAY
        )
        called = counter.call_next(tenancy=tenancy, counter_label="Loket 12", actor=officer, now_utc=VISIT_DAY)
        other = db.session.scalar(select(Tenancy).where(Tenancy.mpp_id == tenancy.mpp_id, Tenancy.id != tenancy.id))
        moved = counter.transfer(tenancy=tenancy, booking_id=called.id, to=other, actor=officer, now_utc=VISIT_DAY)
        assert (
            moved.tenancy_id == other.id and moved.status == BookingStatus.CHECKED_IN and moved.queue_number == "A001"
        )


def test_the_counter_page_works_for_its_officer_and_is_404_for_others(client, app, sim_officer, make_user, signed_in):
    with freeze_time(VISIT_DAY):
        signed_in(client, sim_officer)
        with app.app_context():
            code = _booked()
            tenancy_id = _tenancy().id
        page = client.get_page("/petugas/loket")
        assert page.find("form", action="/petugas/loket/hadir")
        response = client.get("/petugas/loket")
        assert "camera=(self)" in response.headers["Permissions-Policy"]
        bad = client.post("/petugas/loket/hadir", data={"loket": tenancy_id, "kode": "SALAHKODE"})
        assert bad.status_code == 422 and "Tidak ada antrean dengan kode ini" in bad.get_data(as_text=True)
        assert 'value="SALAHKODE"' in bad.get_data(as_text=True)
        ok = client.post("/petugas/loket/hadir", data={"loket": tenancy_id, "kode": code})
        assert ok.status_code == 303
        assert "A001" in client.get_page(ok.headers["Location"]).get_text(" ")
        walk_in = client.post("/petugas/loket/tanpa-janji", data={"loket": tenancy_id, "layanan": "999999"})
        assert walk_in.status_code == 422

        # A Disdukcapil officer at Kendari: the SIM counter at Samarinda does not exist for them.
        stranger = make_user("Petugas Lain", role=Role.OFFICER)
        with app.app_context():
            kendari = db.session.scalar(select(Mpp).where(Mpp.slug == "kota-kendari"))
            dukcapil = db.session.scalar(select(Agency).where(Agency.slug == "disdukcapil"))
            db.session.add(
                StaffAssignment(user_id=stranger.id, role=StaffRole.OFFICER, mpp_id=kendari.id, agency_id=dukcapil.id)
            )
            db.session.commit()
        signed_in(client, stranger)
        assert client.get(f"/petugas/loket?loket={tenancy_id}").status_code == 404
        assert client.post("/petugas/loket/hadir", data={"loket": tenancy_id, "kode": code}).status_code == 404


def test_a_citizen_gets_404_at_the_counter(client, signed_in, citizen, demo_data):
    signed_in(client, citizen)
    assert client.get("/petugas/loket").status_code == 404


def test_the_board_shows_numbers_and_no_names(client, app, sim_officer):
    with freeze_time(VISIT_DAY):
        with app.app_context():
            officer = db.session.get(User, sim_officer.id)
            tenancy = _tenancy()
            counter.check_in(scope=_scope(officer), tenancy=tenancy, code=_booked(), actor=officer, now_utc=VISIT_DAY)
            counter.check_in(
                scope=_scope(officer),
                tenancy=tenancy,
                code=_booked(slot="2026-12-08T09:30", nik=OTHER_NIK),
                actor=officer,
                now_utc=VISIT_DAY,
            )
            counter.call_next(tenancy=tenancy, counter_label="Loket 12", actor=officer, now_utc=VISIT_DAY)
        page = client.get_page("/mpp/kota-samarinda/antrean")
        text = page.get_text(" ")
        assert "A001" in text and "A002" in text and "WITA" in text
        assert "Warga" not in text  # no names of the visitors (make_users calls them "Warga n")
        rule = page.select_one(".queue-rule").get_text(" ")  # the call order is said on the board (point 7)
        assert "daring" in rule and "dipanggil lebih dulu" in rule and "Pasal 29" in rule
        fragment = client.get("/mpp/kota-samarinda/antrean", headers={"HX-Request": "true"})
        assert fragment.status_code == 200 and "<html" not in fragment.get_data(as_text=True)


def test_after_check_in_the_ticket_shows_now_serving_ahead_and_an_estimate(app, client, signed_in, sim_officer):
    from app.queue import board

    with app.app_context():
        officer = db.session.get(User, sim_officer.id)
        tenancy = _tenancy()
        first = counter.check_in(
            scope=_scope(officer), tenancy=tenancy, code=_booked(), actor=officer, now_utc=VISIT_DAY
        )
        second_code = _booked(slot="2026-12-08T09:30", nik=OTHER_NIK)
        second = counter.check_in(
            scope=_scope(officer), tenancy=tenancy, code=second_code, actor=officer, now_utc=VISIT_DAY
        )
        live = board.ticket_status(second, now_utc=VISIT_DAY)
        assert (live.number, live.ahead, live.now_serving) == ("A002", 1, None)
        assert live.estimate_minutes == 7  # 30-minute slots of 3 + 1 places: about 7 minutes per visitor
        counter.call_next(tenancy=tenancy, counter_label="Loket 12", actor=officer, now_utc=VISIT_DAY)
        db.session.refresh(second)
        live = board.ticket_status(second, now_utc=VISIT_DAY)
        assert (live.ahead, live.now_serving) == (0, first.queue_number)
        owner = db.session.get(User, second.user_id)
    with freeze_time(VISIT_DAY):
        signed_in(client, owner)
        fragment = client.get(f"/antrean/{second_code}/status", headers={"HX-Request": "true"})
        text = fragment.get_data(as_text=True)
        assert fragment.status_code == 200 and "A002" in text and "A001" in text and "<html" not in text
