"""The change cursor is gap-free under concurrent writers: a reader that only ever moves forward ends up having seen
the final state of every application, although officers' and agency transitions and new submissions commit while
it pages. Run on SQLite and on PostgreSQL (MPP_TEST_DATABASE_URL), where writers really overlap."""

from __future__ import annotations

import secrets
import threading

from sqlalchemy import select

from app.applications.models import Application
from app.extensions import db

from .conftest import bearer, submit_application

WRITERS = 4
PER_WRITER = 4


def test_a_forward_only_reader_sees_every_final_change_while_writers_commit(app, token, citizen, demo):
    numbers = [submit_application(app, citizen) for _ in range(WRITERS * PER_WRITER)]
    done = threading.Event()
    errors: list[str] = []
    seen: dict[str, int] = {}

    def writer(mine: list[str]) -> None:
        client = app.test_client()
        try:
            for target in ("diverifikasi", "diproses"):
                for number in mine:
                    for _attempt in range(20):  # another writer may hold the counter: a 409 is retried
                        listing = client.get(f"/api/v1/applications/{number}", headers=bearer(token)).get_json()
                        response = client.post(
                            f"/api/v1/applications/{number}/transitions",
                            json={"to": target, "expected_version": listing["version"]},
                            headers={**bearer(token), "Idempotency-Key": secrets.token_hex(8)},
                        )
                        if response.status_code == 200:
                            break
                    else:
                        errors.append(f"{number} → {target}: {response.status_code}")
        except Exception as error:  # surfaced by the assertion below
            errors.append(repr(error))

    def submitter() -> None:
        try:
            for _ in range(PER_WRITER):
                submit_application(app, citizen)
        except Exception as error:
            errors.append(repr(error))

    def reader() -> None:
        client = app.test_client()
        cursor = ""
        try:
            while True:
                finished = done.is_set()  # read the flag BEFORE the page: the last walk starts after every commit
                body = client.get(f"/api/v1/applications?limit=3&cursor={cursor}", headers=bearer(token)).get_json()
                for row in body["data"]:
                    seen[row["number"]] = row["version"]
                cursor = body["next_cursor"]
                if finished and not body["has_more"]:
                    return
        except Exception as error:
            errors.append(repr(error))

    app.config["API_TOKEN_RATE_LIMIT"] = "100000 per minute"
    try:
        threads = [threading.Thread(target=writer, args=(numbers[i::WRITERS],)) for i in range(WRITERS)]
        threads.append(threading.Thread(target=submitter))
        read = threading.Thread(target=reader)
        read.start()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        done.set()
        read.join(timeout=120)
    finally:
        app.config.pop("API_TOKEN_RATE_LIMIT")
    assert not errors, errors
    with app.app_context():
        final = dict(db.session.execute(select(Application.tracking_number, Application.version)).all())
    assert len(final) == WRITERS * PER_WRITER + PER_WRITER
    assert seen == final
