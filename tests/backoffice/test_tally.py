"""The national inbox counts from the application tally the database keeps, never a count of the whole table; every
back-office and citizen list loads a page in a number of statements that does not grow with the rows."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, event, func, select, update

from app.accounts.models import Role
from app.applications.models import Application, ApplicationStatus
from app.backoffice import inbox, tally
from app.backoffice.tally import ApplicationTally
from app.extensions import db

from ..applications.test_list_queries import _add_applications

S = ApplicationStatus


def _tally_and_recount(app) -> tuple[dict, dict]:
    with app.app_context():
        return tally.status_counts(), tally.recount()


def test_the_tally_follows_every_kind_of_change_and_survives_compaction(app, demo, citizen):
    _add_applications(app, citizen, 12)
    counted, real = _tally_and_recount(app)
    assert counted == real == {"diajukan": 12}
    with app.app_context():
        first = db.session.scalars(select(Application).order_by(Application.id)).first()
        first.status = S.VERIFIED  # through the ORM
        db.session.commit()
        # A bulk UPDATE the ORM never sees, a change of service, a delete, and an update that changes no status.
        db.session.execute(
            update(Application)
            .where(Application.id.in_(select(Application.id).limit(3).offset(1)))
            .values(status=S.IN_PROCESS)
        )
        other_service = db.session.scalar(select(Application.service_id).order_by(Application.id.desc()).limit(1))
        db.session.execute(update(Application).where(Application.id == first.id).values(service_id=other_service))
        db.session.execute(
            delete(Application).where(Application.id == select(func.max(Application.id)).scalar_subquery())
        )
        db.session.execute(update(Application).values(version=Application.version + 1))
        db.session.commit()
    counted, real = _tally_and_recount(app)
    assert counted == real and sum(real.values()) == 11
    _assert_scoped_counts_match(app)
    with app.app_context():
        by_service = tally.status_counts(service_id=other_service)
        real_for_service = {
            S(status).value: n
            for status, n in db.session.execute(
                select(Application.status, func.count())
                .where(Application.service_id == other_service)
                .group_by(Application.status)
            )
        }
        assert by_service == real_for_service
        rows_before = db.session.scalar(select(func.count(ApplicationTally.id)))
        every_row = sum(
            db.session.scalar(select(func.count(table.id)))
            for table in (ApplicationTally, tally.ApplicationMppTally, tally.ApplicationDueTally)
        )
        assert tally.compact() == every_row
        rows_after = db.session.scalar(select(func.count(ApplicationTally.id)))
    assert rows_after < rows_before
    counted, real = _tally_and_recount(app)
    assert counted == real
    _assert_scoped_counts_match(app)


def _assert_scoped_counts_match(app):
    """Per MPP (an MPP admin), per MPP and agency (an officer, one or two MPPs), and no MPP at all: the MPP tally's
    counts equal a count of the table under the same scope, with and without a service filter."""
    from app.backoffice.scope import Scope
    from app.catalog.models import Mpp, Service

    with app.app_context():
        mpps = list(db.session.scalars(select(Mpp.id).order_by(Mpp.id)))
        services = db.session.execute(select(Service.id, Service.agency_id).order_by(Service.id)).all()
        agency = services[0].agency_id
        agency_services = {agency: tuple(sid for sid, aid in services if aid == agency)}
        scopes = [
            Scope(user=None, admin_mpps=frozenset(mpps[:1])),
            Scope(user=None, admin_mpps=frozenset(mpps[1:3])),
            Scope(user=None, officer_pairs=frozenset({(agency, mpps[0])}), agency_services=agency_services),
            Scope(
                user=None,
                officer_pairs=frozenset({(agency, mpps[0]), (agency, mpps[2])}),
                agency_services=agency_services,
            ),
            Scope(user=None),
        ]
        seen = 0
        for scope in scopes:
            real = tally.recount_scoped(scope.application_filter)
            assert tally.scoped_status_counts(scope.application_filter) == real
            seen += sum(real.values())
            for service_id, _agency in services[:3]:
                assert tally.scoped_status_counts(scope.application_filter, service_id=service_id) == {
                    S(status).value: n
                    for status, n in db.session.execute(
                        select(Application.status, func.count())
                        .where(scope.application_filter(), Application.service_id == service_id)
                        .group_by(Application.status)
                    )
                }
        assert seen > 0


def _due_counts_by_scanning(now: dt.datetime) -> tuple[int, int]:
    from app.catalog.models import Mpp

    base = select(func.count()).select_from(Application).outerjoin(Mpp, Mpp.id == Application.mpp_id)
    return db.session.scalar(base.where(inbox._overdue(now))), db.session.scalar(base.where(inbox._due_today(now)))


def test_the_due_tally_follows_status_deadline_and_mpp_changes_and_survives_compaction(app, demo, citizen):
    """Overdue and due today for the whole country come from the due tally: it equals a scan of the table after
    changes through the ORM, bulk UPDATEs, a move to another MPP, deletes, and after compaction — and so do the two
    counts, each against its MPP's own today (a WIT MPP's today starts two hours before a WIB one's)."""
    _add_applications(app, citizen, 30)
    with app.app_context():
        ids = list(db.session.scalars(select(Application.id).order_by(Application.id)))
        today = dt.date(2026, 12, 7)
        for offset, application_id in enumerate(ids):  # due from 10 days ago to 19 days ahead, a few without a date
            due = None if offset % 10 == 9 else today + dt.timedelta(days=offset - 10)
            db.session.execute(update(Application).where(Application.id == application_id).values(due_date=due))
        db.session.commit()
        assert tally.due_sums() == tally.recount_due() and sum(tally.recount_due().values()) == 27
        first = db.session.get(Application, ids[0])
        first.status = S.NEEDS_CORRECTION  # waits on the citizen: no longer counted
        db.session.commit()
        db.session.execute(update(Application).where(Application.id.in_(ids[1:4])).values(status=S.VERIFIED))
        db.session.execute(update(Application).where(Application.id.in_(ids[4:6])).values(status=S.COMPLETED))
        db.session.execute(update(Application).where(Application.id == ids[0]).values(status=S.IN_PROCESS))
        db.session.execute(
            update(Application).where(Application.id.in_(ids[6:9])).values(due_date=Application.due_date + 1)
            if db.engine.dialect.name == "postgresql"
            else update(Application).where(Application.id.in_(ids[6:9])).values(due_date=today)
        )
        other_mpp = db.session.get(Application, ids[-1]).mpp_id
        db.session.execute(update(Application).where(Application.id == ids[10]).values(mpp_id=other_mpp))
        db.session.execute(update(Application).where(Application.id == ids[11]).values(mpp_id=None))
        db.session.execute(delete(Application).where(Application.id == ids[12]))
        db.session.execute(update(Application).values(version=Application.version + 1))  # counted nothing
        db.session.commit()
        assert tally.due_sums() == tally.recount_due()
        for now in (
            dt.datetime(2026, 12, 7, 3, 0, tzinfo=dt.UTC),  # the same day everywhere
            dt.datetime(2026, 12, 7, 15, 30, tzinfo=dt.UTC),  # already 8 Dec in WIT, still 7 Dec in WIB
        ):
            assert tally.due_counts(now) == _due_counts_by_scanning(now)
            assert tally.due_counts(now)[0] > 0
        rows_before = db.session.scalar(select(func.count(tally.ApplicationDueTally.id)))
        tally.compact()
        assert db.session.scalar(select(func.count(tally.ApplicationDueTally.id))) < rows_before
        assert tally.due_sums() == tally.recount_due()
        now = dt.datetime(2026, 12, 7, 15, 30, tzinfo=dt.UTC)
        assert tally.due_counts(now) == _due_counts_by_scanning(now)


def _statements(app, client, url: str) -> tuple[int, str]:
    seen = []

    def count(conn, cursor, statement, *_args):
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200, url
    return len(seen), response.get_data(as_text=True), seen


def test_the_national_inbox_counts_from_the_tally_in_the_same_statements_for_any_number_of_rows(
    app, client, demo, citizen, make_staff, signed_in
):
    signed_in(client, make_staff(Role.NATIONAL_ADMIN, mpp=None, agency=None, name="Admin Nasional"))
    _add_applications(app, citizen, 3)
    few, _page, _ = _statements(app, client, "/petugas")
    _add_applications(app, citizen, 60)
    many, page, statements = _statements(app, client, "/petugas")
    assert many == few
    grouped = [s for s in statements if "GROUP BY" in s.upper() and "FROM APPLICATION " in s.upper() + " "]
    assert not grouped, f"the national inbox counted the application table: {grouped}"
    counted = [s for s in statements if "COUNT(" in s.upper() and "FROM APPLICATION " in s.upper() + " "]
    assert not counted, f"the national inbox counted overdue applications in the table: {counted}"
    assert "63" in page  # the "Diajukan" count, from the tally


def test_an_officers_inbox_page_takes_the_same_statements_for_60_or_300_applications(
    app, client, demo, citizen, officer, signed_in
):
    signed_in(client, officer)
    _add_applications(app, citizen, 60)  # spread over every service and MPP: a few in this officer's scope
    few, page, _ = _statements(app, client, "/petugas?status=semua")
    assert 'class="tracking-number"' in page or "7401-26-Q" in page
    _add_applications(app, citizen, 240)
    many, _page, statements = _statements(app, client, "/petugas?status=semua")
    assert many == few
    grouped = [s for s in statements if "GROUP BY" in s.upper() and "FROM APPLICATION " in s.upper() + " "]
    assert not grouped, f"the officer's inbox counted the application table: {grouped}"


def test_the_notification_inbox_takes_the_same_statements_for_any_number_of_notices(app, client, citizen, signed_in):
    from ..notifications.test_fanout import write_notices

    signed_in(client, citizen)
    write_notices(app, [citizen], 2)
    few, _page, _ = _statements(app, client, "/notifikasi")
    write_notices(app, [citizen], 70)
    many, page, _ = _statements(app, client, "/notifikasi")
    assert many == few
