"""The JSON draft endpoint for devices, and exactly-once submission under real concurrency."""

from __future__ import annotations

import secrets
import threading

from app.accounts.models import User
from app.applications import drafts
from app.applications.submit import submit_draft
from app.extensions import db

from .conftest import SERVICE, applications, complete_draft, draft_id_of, draft_row, start


def _put(client, draft_id, body):
    return client.put(
        f"/permohonan/draf/{draft_id}",
        json=body,
        headers={"X-CSRFToken": client.csrf_token(), "Origin": "http://localhost"},
    )


def test_a_device_saves_with_the_server_revision_and_a_replay_changes_nothing(applicant, app):
    draft_id = draft_id_of(start(applicant, SERVICE))
    current = applicant.get(f"/permohonan/draf/{draft_id}").json["draft"]
    assert (
        current["id"] == draft_id
        and "no-store" in applicant.get(f"/permohonan/draf/{draft_id}").headers["Cache-Control"]
    )
    body = {"revision": current["revision"], "answers": {"nama": "Siti R.", "unknown": "x"}, "step": "pemohon"}
    saved = _put(applicant, draft_id, body)
    assert saved.status_code == 200 and saved.json["revision"] == current["revision"] + 1
    replay = _put(applicant, draft_id, body)  # Background Sync and the `online` handler both fired
    assert replay.status_code == 200 and replay.json["revision"] == saved.json["revision"]
    row = draft_row(app, draft_id)
    assert row.answers["nama"] == "Siti R." and "unknown" not in row.answers


def test_a_stale_device_copy_is_a_conflict_with_the_server_copy_never_an_overwrite(applicant, app):
    draft_id = draft_id_of(start(applicant, SERVICE))
    revision = applicant.get(f"/permohonan/draf/{draft_id}").json["revision"]
    assert (
        _put(applicant, draft_id, {"revision": revision, "answers": {"nama": "Dari HP"}, "step": ""}).status_code == 200
    )
    conflict = _put(applicant, draft_id, {"revision": revision, "answers": {"nama": "Dari laptop"}, "step": ""})
    assert conflict.status_code == 409
    assert conflict.json["draft"]["answers"]["nama"] == "Dari HP" and conflict.json["draft"]["revision"] == revision + 1
    assert draft_row(app, draft_id).answers["nama"] == "Dari HP"


def test_a_step_posted_as_a_form_also_moves_the_revision(applicant):
    first = start(applicant, SERVICE)
    draft_id = draft_id_of(first)
    before = applicant.get(f"/permohonan/draf/{draft_id}").json["revision"]
    applicant.post(first, data={"nama": "Siti"})
    assert applicant.get(f"/permohonan/draf/{draft_id}").json["revision"] > before
    assert _put(applicant, draft_id, {"revision": before, "answers": {"nama": "Lama"}, "step": ""}).status_code == 409


def test_bad_bodies_get_a_clear_answer_not_a_500(applicant):
    draft_id = draft_id_of(start(applicant, SERVICE))
    for body in (
        {},
        {"revision": "1", "answers": {}},
        {"revision": 1, "answers": []},
        {"revision": True, "answers": {}},
    ):
        assert _put(applicant, draft_id, body).status_code == 422
    response = applicant.put(
        f"/permohonan/draf/{draft_id}",
        data="not json",
        headers={
            "X-CSRFToken": applicant.csrf_token(),
            "Origin": "http://localhost",
            "Content-Type": "application/json",
        },
    )
    assert response.status_code == 422


def test_a_put_without_the_csrf_token_is_refused(applicant):
    draft_id = draft_id_of(start(applicant, SERVICE))
    response = applicant.put(
        f"/permohonan/draf/{draft_id}", json={"revision": 1, "answers": {}}, headers={"Origin": "http://localhost"}
    )
    assert response.status_code == 400


def test_a_submitted_draft_answers_gone_to_a_device(app, applicant, citizen):
    draft_id = complete_draft(app, citizen)
    key = secrets.token_urlsafe(24)
    applicant.post(f"/permohonan/draf/{draft_id}/kirim", data={"idempotency_key": key, "pernyataan": "ya"})
    response = _put(applicant, draft_id, {"revision": 99, "answers": {"nama": "x"}, "step": ""})
    assert response.status_code == 410


def _race(app, user_id: int, public_id: str, keys: list[str]) -> list:
    barrier = threading.Barrier(len(keys))
    results, errors = [], []

    def attempt(key: str) -> None:
        with app.app_context():
            try:
                user = db.session.get(User, user_id)
                draft = drafts.get_draft(user, public_id)
                barrier.wait()
                results.append(submit_draft(user, draft, idempotency_key=key).application.tracking_number)
            except Exception as error:  # noqa: BLE001 — reported below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt, args=(key,)) for key in keys]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    return results


def test_concurrent_duplicate_submissions_with_one_key_make_one_application(app, citizen, demo_forms):
    public_id = complete_draft(app, citizen)
    key = secrets.token_urlsafe(24)
    numbers = _race(app, citizen.id, public_id, [key] * 6)
    assert len(numbers) == 6 and len(set(numbers)) == 1
    assert len(applications(app)) == 1


def test_concurrent_submissions_of_one_draft_from_two_tabs_make_one_application(app, citizen, demo_forms):
    public_id = complete_draft(app, citizen)
    numbers = _race(app, citizen.id, public_id, [secrets.token_urlsafe(24) for _ in range(4)])
    assert len(set(numbers)) == 1
    assert len(applications(app)) == 1


def test_a_device_edit_on_top_of_a_step_posted_as_a_form_is_merged_not_a_conflict(applicant, app):
    first = start(applicant, SERVICE)
    draft_id = draft_id_of(first)
    before = applicant.get(f"/permohonan/draf/{draft_id}").json["revision"]
    applicant.post(first, data={"nama": "Siti", "tempat_lahir": "Kendari"})  # the plain form moved the revision

    # The device never saw that revision: it sends its own edit with the value it started from.
    body = {"revision": before, "answers": {"nik": "7471014101900001"}, "base": {"nik": ""}, "step": "pemohon"}
    saved = _put(applicant, draft_id, body)
    assert saved.status_code == 200 and saved.json["conflicts"] == []
    assert saved.json["revision"] > before and saved.json["draft"]["answers"]["tempat_lahir"] == "Kendari"
    # The same answers the account already holds are no change at all (no new revision).
    again = {"revision": before, "answers": {"nama": "Siti"}, "base": {"nama": ""}, "step": "pemohon"}
    assert _put(applicant, draft_id, again).json["revision"] == saved.json["revision"]
    row = draft_row(app, draft_id)
    assert row.answers["nik"] == "7471014101900001" and row.answers["nama"] == "Siti"


def test_an_answer_changed_on_another_device_to_something_else_is_a_conflict_naming_it(applicant, app):
    draft_id = draft_id_of(start(applicant, SERVICE))
    revision = applicant.get(f"/permohonan/draf/{draft_id}").json["revision"]
    laptop = {"revision": revision, "answers": {"nama": "Dari laptop"}, "base": {"nama": ""}, "step": ""}
    assert _put(applicant, draft_id, laptop).status_code == 200

    phone = {"revision": revision, "answers": {"nama": "Dari HP", "nik": "7471014101900001"}}
    conflict = _put(applicant, draft_id, {**phone, "base": {"nama": "", "nik": ""}})
    assert conflict.status_code == 409 and conflict.json["conflicts"] == ["nama"]
    assert draft_row(app, draft_id).answers["nama"] == "Dari laptop"  # nothing overwritten, not even nik
    assert draft_row(app, draft_id).answers.get("nik", "") == ""

    # "Keep mine": the device sends again from the account's value.
    keep = {"revision": conflict.json["revision"], "answers": {"nama": "Dari HP"}, "base": {"nama": "Dari laptop"}}
    assert _put(applicant, draft_id, keep).status_code == 200
    assert draft_row(app, draft_id).answers["nama"] == "Dari HP"


def test_a_base_that_is_not_an_object_gets_a_clear_answer(applicant):
    draft_id = draft_id_of(start(applicant, SERVICE))
    body = {"revision": 1, "answers": {"nama": "Siti"}, "base": ["nama"]}
    assert _put(applicant, draft_id, body).status_code == 422
