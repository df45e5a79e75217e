"""Agency-system endpoints: tokens (scope, expiry, revocation), the gap-free cursor, fetching with Riwayat akses,
transitions through the officer's workflow with Idempotency-Key, and completing with a result document."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from app.api.models import ApiToken, Permission
from app.applications.models import Application, ApplicationStatus, StatusEvent
from app.backoffice.models import AuditAction, AuditEntry
from app.extensions import db
from app.notifications.models import Notification
from app.personal.models import AccessLog
from app.results.models import ResultVerification

from ..backoffice.conftest import pdf_bytes
from .conftest import HOME_MPP, OTHER_MPP, bearer, submit_application


@pytest.fixture
def number(app, citizen, demo) -> str:
    return submit_application(app, citizen)


def _problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["code"] == code and body["title"] and body["title_en"]
    return body


def _version(app, number: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Application.version).where(Application.tracking_number == number))


def _post(client, url, raw, json, key="kunci-0001"):
    return client.raw.post(url, json=json, headers={**bearer(raw), "Idempotency-Key": key})


# --- tokens ----------------------------------------------------------------------------------------------------------


def test_the_token_is_stored_only_as_its_sha256(app, token):
    with app.app_context():
        row = db.session.scalar(select(ApiToken))
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert token not in (row.token_prefix, row.token_hash) and token.startswith(row.token_prefix)


def test_no_token_wrong_token_and_a_session_cookie_are_all_401(client, demo, citizen, signed_in):
    _problem(client.get("/api/v1/applications"), 401, "token-tidak-ada")
    _problem(client.get("/api/v1/applications", headers=bearer("mppd_salah")), 401, "token-tidak-valid")
    signed_in(client, citizen)  # a browser session is no credential for the API
    response = client.get("/api/v1/applications")
    _problem(response, 401, "token-tidak-ada")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_an_expired_token_is_refused_and_audited(app, client, make_token, number):
    raw = make_token(expires_in=dt.timedelta(days=1))
    with freeze_time(dt.datetime.now(dt.UTC) + dt.timedelta(days=2)):
        _problem(client.get("/api/v1/applications", headers=bearer(raw)), 401, "token-kedaluwarsa")
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == AuditAction.API_REFUSED))
        assert (
            entry is not None and "token-kedaluwarsa" in entry.reason and entry.actor_name == "Sistem SIAK Disdukcapil"
        )


def test_a_revoked_token_is_refused_and_audited(app, client, token, number):
    from app.api.tokens import revoke_token

    with app.app_context():
        revoke_token(db.session.scalar(select(ApiToken)), by=None)
    _problem(client.get(f"/api/v1/applications/{number}", headers=bearer(token)), 401, "token-dicabut")
    with app.app_context():
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == AuditAction.API_REFUSED))


def test_a_token_without_the_permission_is_a_403_and_audited(app, client, make_token, number):
    v = _version(app, number)
    raw = make_token(permissions=[Permission.READ_APPLICATIONS])
    body = _problem(
        _post(client, f"/api/v1/applications/{number}/transitions", raw, {"to": "diverifikasi", "expected_version": v}),
        403,
        "izin-kurang",
    )
    assert "applications:transition" in body["detail"]
    with app.app_context():
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == AuditAction.API_REFUSED))


def test_another_agencys_or_another_mpps_application_is_a_404(app, client, make_token, citizen, demo):
    number = submit_application(app, citizen)
    elsewhere = submit_application(app, citizen, mpp=OTHER_MPP)
    other_agency = make_token(agency="imigrasi", name="SIMKIM")
    _problem(client.get(f"/api/v1/applications/{number}", headers=bearer(other_agency)), 404, "tidak-ditemukan")
    home_only = make_token()
    _problem(client.get(f"/api/v1/applications/{elsewhere}", headers=bearer(home_only)), 404, "tidak-ditemukan")
    assert client.get("/api/v1/applications", headers=bearer(other_agency)).get_json()["data"] == []


def test_requests_past_the_per_token_limit_are_a_429_problem(app, client, token, demo):
    app.config["API_TOKEN_RATE_LIMIT"] = "3 per minute"
    try:
        for _ in range(3):
            assert client.get("/api/v1/applications", headers=bearer(token)).status_code == 200
        response = client.get("/api/v1/applications", headers=bearer(token))
        _problem(response, 429, "terlalu-banyak-permintaan")
        assert response.headers["Retry-After"]
    finally:
        app.config.pop("API_TOKEN_RATE_LIMIT")


# --- reading ---------------------------------------------------------------------------------------------------------


def test_the_cursor_walks_every_application_once_and_again_after_it_changes(app, client, token, citizen, demo):
    numbers = [submit_application(app, citizen) for _ in range(5)]
    v = _version(app, numbers[0])
    seen = []
    cursor = ""
    while True:
        body = client.get(f"/api/v1/applications?limit=2&cursor={cursor}", headers=bearer(token)).get_json()
        seen += [row["number"] for row in body["data"]]
        cursor = body["next_cursor"]
        if not body["has_more"]:
            break
    assert seen == numbers
    # Nothing new: the same cursor gives an empty page and itself back.
    again = client.get(f"/api/v1/applications?cursor={cursor}", headers=bearer(token)).get_json()
    assert again == {"data": [], "next_cursor": cursor, "has_more": False}
    # The first application changes: it comes once more, after everything already seen.
    moved = _post(
        client, f"/api/v1/applications/{numbers[0]}/transitions", token, {"to": "diverifikasi", "expected_version": v}
    )
    assert moved.status_code == 200, moved.get_data(as_text=True)
    changed = client.get(f"/api/v1/applications?cursor={cursor}", headers=bearer(token)).get_json()
    assert [(row["number"], row["status"]) for row in changed["data"]] == [(numbers[0], "diverifikasi")]


def test_the_walk_reads_the_sequence_in_batches_and_moves_past_changes_out_of_scope(
    app, client, token, citizen, demo, monkeypatch
):
    """The listing reads the next SCAN change numbers, then applies the token's scope (a plan that does not depend
    on the planner's guesses): a page can be short or empty while has_more, and nothing in scope is skipped."""
    from app.api import changes

    monkeypatch.setattr(changes, "SCAN", 2)
    home, elsewhere = [], []
    for _ in range(3):
        home.append(submit_application(app, citizen))
        elsewhere.append(submit_application(app, citizen, mpp=OTHER_MPP))
        elsewhere.append(submit_application(app, citizen, mpp=OTHER_MPP))
    seen, sizes, cursor = [], [], ""
    while True:
        body = client.get(f"/api/v1/applications?limit=2&cursor={cursor}", headers=bearer(token)).get_json()
        seen += [row["number"] for row in body["data"]]
        sizes.append(len(body["data"]))
        cursor = body["next_cursor"]
        if not body["has_more"]:
            break
    assert seen == home
    assert 0 in sizes or 1 in sizes  # pages cut short by changes out of scope, and the walk went on
    assert len(sizes) >= 4


def test_a_bad_cursor_is_a_400_problem(client, token, demo):
    for cursor in ("abc", "Yzk6MTA", "YzE6LTE", "!!"):
        _problem(client.get(f"/api/v1/applications?cursor={cursor}", headers=bearer(token)), 400, "kursor-tidak-valid")


def test_fetching_an_application_gives_answers_and_exact_documents_and_is_on_riwayat_akses(
    app, client, token, number, citizen
):
    body = client.get(f"/api/v1/applications/{number}", headers=bearer(token)).get_json()
    assert body["number"] == number and body["status"] == "diajukan" and body["answers"]
    document = next(d for d in body["documents"] if d["url"])
    download = client.get(document["url"])
    assert download.status_code == 200
    data = download.get_data()
    assert len(data) == document["size"] and hashlib.sha256(data).hexdigest() == document["sha256"]
    with app.app_context():
        rows = db.session.scalars(select(AccessLog).where(AccessLog.subject_id == citizen.id)).all()
        assert {row.actor_name for row in rows} == {"Sistem SIAK Disdukcapil"}
        assert len(rows) == 2 and all(number in row.what for row in rows)  # the data, then the document


def test_a_document_link_expires_and_cannot_be_forged(app, client, token, number):
    url = next(
        d["url"]
        for d in client.get(f"/api/v1/applications/{number}", headers=bearer(token)).get_json()["documents"]
        if d["url"]
    )
    with freeze_time(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10)):
        _problem(client.get(url), 404, "tidak-ditemukan")
    _problem(client.get(url[:-3] + "abc"), 404, "tidak-ditemukan")


# --- writing ---------------------------------------------------------------------------------------------------------


def test_a_transition_goes_through_the_officers_workflow_with_audit_and_notification(app, client, token, number):
    v = _version(app, number)
    response = _post(
        client, f"/api/v1/applications/{number}/transitions", token, {"to": "diverifikasi", "expected_version": v}
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["status"] == "diverifikasi"
    with app.app_context():
        application = db.session.scalar(select(Application).where(Application.tracking_number == number))
        event = db.session.scalar(
            select(StatusEvent).where(
                StatusEvent.application_id == application.id, StatusEvent.to_status == ApplicationStatus.VERIFIED
            )
        )
        assert event.actor_role == "petugas"
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == AuditAction.TRANSITION))
        assert entry.actor_name == "Sistem SIAK Disdukcapil"
        assert db.session.scalar(select(Notification).where(Notification.user_id == application.user_id))


def test_the_same_idempotency_key_gives_the_same_answer_and_changes_nothing_twice(app, client, token, number):
    v = _version(app, number)
    url = f"/api/v1/applications/{number}/transitions"
    first = _post(client, url, token, {"to": "diverifikasi", "expected_version": v}, key="sekali-saja")
    second = _post(client, url, token, {"to": "diverifikasi", "expected_version": v}, key="sekali-saja")
    assert second.status_code == 200 and second.get_json() == first.get_json()
    assert second.headers["Idempotent-Replayed"] == "true"
    with app.app_context():
        assert len(db.session.scalars(select(AuditEntry).where(AuditEntry.action == AuditAction.TRANSITION)).all()) == 1
    _problem(
        _post(client, url, token, {"to": "diproses", "expected_version": v + 1}, key="sekali-saja"),
        409,
        "kunci-idempotensi-dipakai",
    )


def test_a_write_without_idempotency_key_is_a_428(app, client, token, number):
    v = _version(app, number)
    response = client.raw.post(
        f"/api/v1/applications/{number}/transitions",
        json={"to": "diverifikasi", "expected_version": v},
        headers=bearer(token),
    )
    _problem(response, 428, "kunci-idempotensi-wajib")


def test_a_stale_version_is_a_409_and_a_refused_move_a_422_with_the_workflows_reason(app, client, token, number):
    v = _version(app, number)
    url = f"/api/v1/applications/{number}/transitions"
    _problem(
        _post(client, url, token, {"to": "diverifikasi", "expected_version": v - 1}, key="k-versi-lama"),
        409,
        "konflik-versi",
    )
    body = _problem(
        _post(client, url, token, {"to": "diproses", "expected_version": v}, key="k-langsung-proses"),
        422,
        "transisi-ditolak",
    )
    assert "tidak dapat diubah" in body["detail"]
    body = _problem(
        _post(client, url, token, {"to": "ditolak", "expected_version": v}, key="k-tanpa-alasan"),
        422,
        "tidak-dapat-diproses",
    )
    assert "reason" in body["errors"]
    _problem(
        _post(client, url, token, {"to": "terbang", "expected_version": v}, key="k-status-aneh"),
        422,
        "tidak-dapat-diproses",
    )
    _problem(_post(client, url, token, {"expected_version": str(v)}, key="k-tanpa-to"), 422, "tidak-dapat-diproses")


def test_completing_with_the_agencys_pdf_adds_the_verification_code(app, client, token, number):
    v = _version(app, number)
    url = f"/api/v1/applications/{number}"
    _post(client, f"{url}/transitions", token, {"to": "diverifikasi", "expected_version": v}, key="k1-verifikasi")
    _post(client, f"{url}/transitions", token, {"to": "diproses", "expected_version": v + 1}, key="k2-proses")
    response = client.raw.post(
        f"{url}/result?expected_version={v + 2}&note=Ambil+di+loket+12",
        data=pdf_bytes(),
        content_type="application/pdf",
        headers={**bearer(token), "Idempotency-Key": "k3-hasil"},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["status"] == "selesai" and body["result"]["verification_code"]
    with app.app_context():
        assert db.session.scalar(select(ResultVerification))


def test_a_result_that_is_not_a_pdf_is_refused(app, client, token, number):
    v = _version(app, number)
    response = client.raw.post(
        f"/api/v1/applications/{number}/result?expected_version={v}",
        data=b"MZ\x90\x00 not a pdf",
        content_type="application/pdf",
        headers={**bearer(token), "Idempotency-Key": "k-bukan-pdf"},
    )
    assert response.status_code in (415, 422) and response.mimetype == "application/problem+json"


def test_unused_import_guard():
    assert HOME_MPP
