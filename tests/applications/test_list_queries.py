"""/permohonan is paginated and loads each page in a fixed number of SQL statements, whatever the number of rows."""

from __future__ import annotations

import datetime as dt
import itertools

from sqlalchemy import event, select

from app.applications.lifecycle import PAGE_SIZE
from app.applications.models import Application, ApplicationStatus, StatusEvent
from app.catalog.models import Mpp, Service
from app.database import utcnow
from app.extensions import db

_numbers = itertools.count(1)


def _add_applications(app, user, count: int) -> None:
    """Submitted applications spread over every demo service and MPP, each with a status event."""
    with app.app_context():
        services = db.session.scalars(select(Service)).all()
        mpps = db.session.scalars(select(Mpp)).all()
        now = utcnow()
        for i in range(count):
            number = next(_numbers)
            application = Application(
                tracking_number=f"7401-26-Q{number:03d}-TST",
                user_id=user.id,
                service_id=services[i % len(services)].id,
                mpp_id=mpps[i % len(mpps)].id,
                status=ApplicationStatus.SUBMITTED,
                submitted_at=now - dt.timedelta(minutes=number),
            )
            application.events.append(
                StatusEvent(
                    from_status=ApplicationStatus.DRAFT,
                    to_status=ApplicationStatus.SUBMITTED,
                    actor_id=user.id,
                    actor_role="citizen",
                )
            )
            db.session.add(application)
        db.session.commit()


def _statements(app, client, url: str) -> tuple[int, str]:
    seen = []

    def count(*_args, **_kwargs):
        seen.append(1)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return len(seen), response.get_data(as_text=True)


def test_the_list_of_applications_takes_the_same_number_of_queries_for_3_or_a_full_page(
    app, client, citizen, signed_in, demo_forms
):
    signed_in(client, citizen)
    _add_applications(app, citizen, 3)
    few, _page = _statements(app, client, "/permohonan")
    _add_applications(app, citizen, 2 * PAGE_SIZE)
    many, page = _statements(app, client, "/permohonan")
    assert many == few
    assert page.count('class="tracking-number"') == PAGE_SIZE
    assert 'rel="next"' in page


def test_the_second_page_shows_the_older_applications(app, client, citizen, signed_in, demo_forms):
    signed_in(client, citizen)
    _add_applications(app, citizen, PAGE_SIZE + 3)
    first = client.get_page("/permohonan")
    second = client.get_page("/permohonan?halaman=2")
    shown_first = {span.get_text() for span in first.select(".tracking-number")}
    shown_second = {span.get_text() for span in second.select(".tracking-number")}
    assert len(shown_first) == PAGE_SIZE and len(shown_second) == 3 and not shown_first & shown_second
    assert second.select_one('a[rel="prev"]')["href"] == "/permohonan"
    assert client.get_page("/permohonan?halaman=9").find("a", href="/permohonan") is not None


def test_the_application_table_keeps_only_the_indexes_the_lists_use(app):
    """ix_application_status and ix_application_mpp_id were redundant with the inbox's composite indexes (whose
    first columns they are) and only cost writes: they are gone, from the models and from the migrated database."""
    from sqlalchemy import inspect

    with app.app_context():
        names = {index["name"] for index in inspect(db.engine).get_indexes("application")}
        declared = {index.name for index in Application.__table__.indexes}
    for redundant in ("ix_application_status", "ix_application_mpp_id"):
        assert redundant not in names and redundant not in declared
    assert {"ix_application_inbox_mpp", "ix_application_inbox_status", "ix_application_user_id"} <= names
