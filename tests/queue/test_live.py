"""The live queue's versions in one process (app/queue/live.py; the embedded profile, no Redis): which commits move an
MPP's version, what is remembered and for how long, and a board poll answered from memory without a single SQL
statement — until a counter calls a number, when the next poll reads and shows it. Across processes, with Redis:
tests/ops/test_queue_fanout.py."""

from __future__ import annotations

import re

import pytest
from freezegun import freeze_time
from sqlalchemy import event, select

from app.accounts.models import Role, User
from app.backoffice.models import StaffAssignment, StaffRole
from app.catalog.models import Mpp, Service, Tenancy
from app.extensions import db
from app.queue import booking, counter, live
from app.queue.live import EVERY_MPP, LiveQueue, Versions, live_of
from app.queue.models import Booking, BookingStatus

from .conftest import NIK, NOW, SLOT, make_settings, sim_place
from .test_counter import VISIT_DAY

BOARD = "/mpp/kota-samarinda/antrean"
FRAGMENT = {"HX-Request": "true"}


def test_versions_move_per_mpp_and_all_at_once():
    versions = Versions()
    first, other = versions.token(1), versions.token(2)
    versions.changed({1})
    assert versions.token(1) != first and versions.token(2) == other
    moved = versions.token(1)
    versions.changed(EVERY_MPP)  # a catalog edit, or announcements that may have been missed
    assert versions.token(1) != moved and versions.token(2) != other


def test_a_remembered_answer_lasts_until_its_mpp_changes_or_its_minute_ends():
    queue = LiveQueue(None)
    now = 600.0 * 60 + 10  # ten seconds into a minute
    queue.remember(("board", "a"), mpp_id=1, token=queue.token(1), value="v1", now=now)
    queue.remember(("board", "b"), mpp_id=2, token=queue.token(2), value="v2", now=now)
    assert queue.recall(("board", "a"), now=now + 49) == "v1"
    assert queue.recall(("board", "a"), now=now + 50) is None  # the next minute: "Updated" says another time
    queue.announce({1})
    assert queue.recall(("board", "a"), now=now) is None
    assert queue.recall(("board", "b"), now=now) == "v2"  # another MPP's board is still the same
    queue.remember(("board", "c"), mpp_id=3, token=None, value="v3", now=now)  # read while changes could be missed
    assert queue.recall(("board", "c"), now=now) is None


def test_without_redis_answering_nothing_is_answered_from_memory(monkeypatch):
    monkeypatch.setattr(live, "DEAD_AFTER", 0.5)
    queue = LiveQueue("redis://127.0.0.1:1/12")  # nothing listens on port 1
    try:
        assert queue.token(1) is None
        queue.remember(("board", "a"), mpp_id=1, token=queue.token(1), value="v1", now=0.0)
        assert queue.recall(("board", "a"), now=0.0) is None
        queue.announce({1})  # a change committed meanwhile is logged, never raised into the commit
    finally:
        queue.feed.close()


@pytest.fixture
def officer_at_sim(app, make_user, demo_data):
    officer = make_user("Bripka Rudi", role=Role.OFFICER)
    with app.app_context():
        make_settings()
        tenancy = sim_place().tenancy
        db.session.add(
            StaffAssignment(
                user_id=officer.id, role=StaffRole.OFFICER, mpp_id=tenancy.mpp_id, agency_id=tenancy.agency_id
            )
        )
        db.session.commit()
        return officer.id, tenancy.id, tenancy.mpp_id


def _walk_in(tenancy_id: int, officer_id: int) -> None:
    tenancy = db.session.get(Tenancy, tenancy_id)
    service = db.session.scalar(select(Service).where(Service.slug == "sim-a-baru"))
    counter.issue_walk_in(tenancy=tenancy, service=service, actor=db.session.get(User, officer_id))


def test_commits_move_the_version_of_the_mpp_whose_board_they_change(app, officer_at_sim, citizen):
    officer_id, tenancy_id, mpp_id = officer_at_sim
    with app.app_context():
        queue = live_of(app)
        other_mpp = db.session.scalar(select(Mpp.id).where(Mpp.id != mpp_id))
        before, other = queue.token(mpp_id), queue.token(other_mpp)
        _walk_in(tenancy_id, officer_id)  # a number on the board
        after_walk_in = queue.token(mpp_id)
        assert after_walk_in != before and queue.token(other_mpp) == other

        counter.call_next(
            tenancy=db.session.get(Tenancy, tenancy_id), counter_label="Loket 2", actor=db.session.get(User, officer_id)
        )
        after_call = queue.token(mpp_id)
        assert after_call != after_walk_in

        # A booking made online is on no board until its holder checks in: the boards stay as they are.
        held = booking.hold(user=db.session.get(User, citizen.id), place=sim_place(), slot_value=SLOT, now_utc=NOW)
        booking.confirm(booking=held, nik=NIK, now_utc=NOW)
        assert queue.token(mpp_id) == after_call

        # A change rolled back is announced nowhere.
        called = db.session.scalar(select(Booking).where(Booking.status == BookingStatus.CALLED))
        called.counter_label = "Loket 9"
        db.session.flush()
        db.session.rollback()
        assert queue.token(mpp_id) == after_call

        # A counter renamed in the catalog: every board may show it.
        tenancy = db.session.get(Tenancy, tenancy_id)
        tenancy.counter = "Loket 12–14"
        db.session.commit()
        assert queue.token(mpp_id) != after_call and queue.token(other_mpp) != other


def _version(html: str) -> str:
    return re.search(r'hx-get="[^"]*versi=([0-9a-f]+)"', html).group(1)


def test_an_unchanged_poll_is_answered_without_the_database_and_a_call_shows_at_the_next(app, client, officer_at_sim):
    officer_id, tenancy_id, _mpp_id = officer_at_sim
    with app.app_context():
        _walk_in(tenancy_id, officer_id)
        _walk_in(tenancy_id, officer_id)
    statements = []
    with app.app_context():
        engine = db.engine

    def count(*_args, **_kwargs):
        statements.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        first = client.get(BOARD, headers=FRAGMENT)
        assert first.status_code == 200 and "B001" in first.text
        version = _version(first.text)

        statements.clear()
        for _ in range(3):
            unchanged = client.get(BOARD, query_string={"versi": version}, headers=FRAGMENT)
            assert unchanged.status_code == 204 and unchanged.data == b""
        assert statements == []  # not one statement: the answer came from this process's memory

        with app.app_context():
            counter.call_next(
                tenancy=db.session.get(Tenancy, tenancy_id),
                counter_label="Loket 2",
                actor=db.session.get(User, officer_id),
            )
        statements.clear()
        changed = client.get(BOARD, query_string={"versi": version}, headers=FRAGMENT)
        assert changed.status_code == 200 and statements
        shown = changed.text
        assert "B001" in shown.split('queue-board-now">')[1].split("</td>")[0]
        assert _version(shown) != version

        # A screen that still holds an old board (another minute, another process) gets the current one.
        stale = client.get(BOARD, query_string={"versi": "0" * 16}, headers=FRAGMENT)
        assert stale.status_code == 200 and _version(stale.text) == _version(shown)
        # The full page is never a 204, whatever it is asked.
        page = client.get(BOARD, query_string={"versi": _version(shown)})
        assert page.status_code == 200 and "B001" in page.text
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_a_ticket_poll_unchanged_reads_only_the_session_and_a_call_shows_at_the_next(
    app, client, signed_in, citizen, officer_at_sim
):
    officer_id, tenancy_id, mpp_id = officer_at_sim
    with app.app_context():
        held = booking.hold(user=db.session.get(User, citizen.id), place=sim_place(), slot_value=SLOT, now_utc=NOW)
        booking.confirm(booking=held, nik=NIK, now_utc=NOW)
        code = held.code
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    with freeze_time(VISIT_DAY):
        with app.app_context():
            counter.self_check_in(mpp_id=mpp_id, code=code)  # at the kiosk: number A001, first in the queue
        signed_in(client, citizen)
        signed_in_client = client
        ticket = signed_in_client.get(f"/antrean/{code}")
        assert ticket.status_code == 200 and "A001" in ticket.text
        version = _version(ticket.text)
        event.listen(engine, "before_cursor_execute", record)
        try:
            for poll in range(4):
                unchanged = signed_in_client.get(
                    f"/antrean/{code}/status", query_string={"versi": version}, headers=FRAGMENT
                )
                assert unchanged.status_code == 204
                if poll == 0:  # the first poll reads the queue (the ticket page does not remember its version)
                    statements.clear()
            assert not [s for s in statements if "queue_booking" in s]  # the session only, never the queue

            with app.app_context():
                counter.call_next(
                    tenancy=db.session.get(Tenancy, tenancy_id),
                    counter_label="Loket 2",
                    actor=db.session.get(User, officer_id),
                )
            statements.clear()
            called = signed_in_client.get(f"/antrean/{code}/status", query_string={"versi": version}, headers=FRAGMENT)
            assert called.status_code == 200 and "Loket 2" in called.text
            assert [s for s in statements if "queue_booking" in s]
        finally:
            event.remove(engine, "before_cursor_execute", record)
