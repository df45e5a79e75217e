"""Two real web processes (gunicorn, as the national profile runs them) on one database and one Redis, used like a
load balancer would: each request may land on either. Everything a person does must work whichever process
answers — nothing per-process may leak through:

- a passkey ceremony begun on one process is finished on the other (WebAuthn challenges live in the database);
- the session it opens is honoured by both, and signing out on one ends it on both (sessions are database rows);
- a document uploaded through one is downloaded byte for byte through the other (the database upload store);
- the API's rate limit counts the requests of both (Flask-Limiter's storage is Redis);
- an admin's catalog edit on one is shown by the other at once, though its page cache held the old page with a
  10-minute TTL (the page-cache generation in Redis);
- a retried API change with the same Idempotency-Key is applied once, whichever process gets the retry;
- a queue place held through one process is full for the next person on the other (holds are rows with claims);
- the queue board shows a number called at the counter, polled from either process (state in the database; that
  unchanged polls are answered from memory and a call still fans out to every process: test_queue_fanout.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
import requests
from bs4 import BeautifulSoup
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import select

from app import pagecache_shared
from app.accounts.models import Passkey, Role, User
from app.accounts.sessions import start_session
from app.applications.models import Application, ApplicationStatus
from app.config import PROJECT_ROOT
from app.extensions import db
from app.personal.models import Document
from app.storage import StoredFile
from tests.accounts.authenticator import Credential, SoftAuthenticator
from tests.api.conftest import bearer, demo, make_token  # noqa: F401
from tests.backoffice.conftest import submit_application
from tests.helpers import free_port
from tests.personal.conftest import pdf_bytes

BOOT_TIMEOUT = 180  # seconds: a loaded 2-core machine imports the app slowly
API_LIMIT = 5


def _wait_ready(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + BOOT_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{url} exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if requests.get(f"{url}/readyz", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    pytest.fail(f"{url} was not ready within {BOOT_TIMEOUT}s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def two_processes(app, database_url, module_redis_url, tmp_path_factory):
    """Two gunicorn processes (one worker each) on the suite's database and Redis db 13; returns their URLs. Started
    once for the module (booting takes a while); each test wipes the tables as usual."""
    tmp_path = tmp_path_factory.mktemp("two-processes")
    redis_url = module_redis_url
    ports = [free_port(), free_port()]
    env = {
        **os.environ,
        "MPP_DATABASE_URL": database_url,
        "MPP_REDIS_URL": redis_url,
        "MPP_INSTANCE_DIR": str(tmp_path / "instance"),
        "MPP_SECRET_KEY": app.config["SECRET_KEY"],  # every node of a deployment shares the key
        "MPP_UPLOAD_STORAGE": "database",
        "MPP_INPROCESS_WORKER": "0",
        "MPP_PAGE_CACHE_SECONDS": "600",  # a TTL far longer than the test: only the shared generation can help
        "MPP_PUBLIC_ORIGIN": "http://localhost",  # the load balancer's origin, the same for every node
        "MPP_TEST_APP_CONFIG": json.dumps({"API_PUBLIC_RATE_LIMIT": f"{API_LIMIT} per minute"}),
    }
    processes = []
    for port in ports:
        log = tmp_path / f"gunicorn-{port}.log"
        command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1"]
        command += ["--worker-class", "gthread", "--threads", "4", "tests.ops.scale_app:create()"]
        with log.open("w") as out:
            process = subprocess.Popen(command, env=env, cwd=PROJECT_ROOT, stdout=out, stderr=subprocess.STDOUT)
        processes.append((process, log))
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for url, (process, log) in zip(urls, processes, strict=True):
            _wait_ready(url, process, log)
        yield urls
    finally:
        for process, _log in processes:
            process.send_signal(signal.SIGTERM)
        for process, _log in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _csrf(browser: requests.Session, url: str) -> str:
    html = browser.get(f"{url}/keluar", timeout=30).text
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def _post_json(browser: requests.Session, url: str, path: str, body: dict | None = None) -> requests.Response:
    headers = {"X-CSRFToken": _csrf(browser, url), "Origin": url}
    return browser.post(f"{url}{path}", json=body or {}, headers=headers, timeout=30)


def _with_passkey(app, user: User) -> SoftAuthenticator:
    """The citizen's phone: a passkey for RP ID localhost, registered on the account."""
    authenticator = SoftAuthenticator(origin="http://localhost")
    credential = Credential(
        credential_id=secrets.token_bytes(16),
        private_key=ec.generate_private_key(ec.SECP256R1()),
        rp_id="localhost",
        user_handle=user.webauthn_handle,
    )
    authenticator.credentials.append(credential)
    with app.app_context():
        db.session.add(
            Passkey(
                user_id=user.id,
                credential_id=credential.credential_id,
                public_key=credential.cose_public_key(),
                name="HP Siti",
            )
        )
        db.session.commit()
    return authenticator


def _signed_in_browser(app, user: User) -> requests.Session:
    """A browser holding a live session of ``user`` (the cookie a passkey sign-in sets)."""
    with app.app_context():
        fresh = db.session.get(User, user.id)
        start_session(fresh, user_agent="pytest", ip="127.0.0.1")
        db.session.commit()
        token = fresh.get_id()
        db.session.remove()
    cookie = app.session_interface.get_signing_serializer(app).dumps({"_user_id": token, "_fresh": True})
    browser = requests.Session()
    browser.cookies.set(app.config["SESSION_COOKIE_NAME"], cookie, domain="127.0.0.1", path="/")
    return browser


def _form_values(html: str, field_name: str) -> dict[str, str]:
    """What the browser would send from the form that holds ``field_name``, as the page filled it in."""
    form = BeautifulSoup(html, "html.parser").find(attrs={"name": field_name}).find_parent("form")
    values = {}
    for field in form.find_all(["input", "textarea", "select"]):
        name = field.get("name")
        if not name or field.get("type") in ("submit", "button"):
            continue
        if field.name == "textarea":
            values[name] = field.text
        elif field.name == "select":
            chosen = field.find("option", selected=True) or field.find("option")
            values[name] = chosen.get("value", chosen.text) if chosen else ""
        elif field.get("type") in ("checkbox", "radio"):
            if field.has_attr("checked"):
                values[name] = field.get("value", "on")
        else:
            values[name] = field.get("value", "")
    return values


def test_everything_per_person_works_whichever_process_answers(
    app, two_processes, citizen, make_user, make_token, demo_data
):
    a, b = two_processes

    # A passkey sign-in begun on A (the challenge is stored) and finished on B (the challenge is consumed there).
    authenticator = _with_passkey(app, citizen)
    browser = requests.Session()
    options = _post_json(browser, a, "/masuk/opsi")
    assert options.status_code == 200, options.text
    finished = _post_json(browser, b, "/masuk/verifikasi", authenticator.get(options.json()))
    assert finished.status_code == 200, finished.text
    # Replaying the same assertion on A: the challenge was used up on B.
    replay = _post_json(browser, a, "/masuk/verifikasi", authenticator.get(options.json()))
    assert replay.status_code != 200

    # The session opened on B is honoured by A.
    for url in (a, b):
        assert browser.get(f"{url}/akun/dokumen", allow_redirects=False, timeout=30).status_code == 200

    # A document uploaded through A comes back byte for byte through B.
    original = pdf_bytes(pages=2)
    uploaded = browser.post(
        f"{a}/akun/dokumen",
        data={"document_type": "kk", "title": "", "csrf_token": _csrf(browser, a)},
        files={"file": ("kk.pdf", original, "application/pdf")},
        headers={"Origin": a},
        allow_redirects=False,
        timeout=30,
    )
    assert uploaded.status_code == 303, uploaded.text[:500]
    with app.app_context():
        document = db.session.scalar(select(Document).where(Document.user_id == citizen.id))
        stored = db.session.get(StoredFile, document.storage_name)
        assert stored is not None and stored.sha256 == hashlib.sha256(original).hexdigest()
        document_id = document.id
        db.session.remove()
    downloaded = browser.get(f"{b}/akun/dokumen/{document_id}/unduh", timeout=30)
    assert downloaded.status_code == 200 and downloaded.content == original

    # Signing out on B ends the session on A too.
    signed_out = browser.post(
        f"{b}/keluar", data={"csrf_token": _csrf(browser, b)}, headers={"Origin": b}, allow_redirects=False
    )
    assert signed_out.status_code in (302, 303)
    assert browser.get(f"{a}/akun/dokumen", allow_redirects=False, timeout=30).status_code in (302, 303)


def test_shared_limits_cache_generation_and_idempotency(
    app, two_processes, module_redis_url, citizen, make_user, make_token
):
    a, b = two_processes

    # The API's public limit counts both processes' requests: API_LIMIT in all, then 429 with Retry-After.
    answers = [requests.get(f"{url}/api/v1/mpps", timeout=30) for url in (a, b, a, b, a)]
    assert [answer.status_code for answer in answers] == [200] * API_LIMIT
    refused = requests.get(f"{b}/api/v1/mpps", timeout=30)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0

    # B keeps the MPP page in its cache (TTL 10 minutes)…
    page = f"{b}/mpp/kota-kendari"
    for _attempt in range(3):  # a copy lives until the end of the minute it was made in: one may expire at once
        cached = requests.get(page, timeout=30)
        assert cached.status_code == 200
        if cached.headers.get("X-MPP-Page-Cache") == "hit":
            break
    assert cached.headers.get("X-MPP-Page-Cache") == "hit"
    assert "Diperbarui lewat proses A" not in cached.text
    # …a national admin edits the MPP's description through A…
    admin = _signed_in_browser(app, make_user("Admin Nasional", role=Role.NATIONAL_ADMIN))
    form = admin.get(f"{a}/admin/mpp/kota-kendari/profil", timeout=30)
    assert form.status_code == 200, form.text[:500]
    values = _form_values(form.text, "deskripsi")
    values["deskripsi"] = "Diperbarui lewat proses A"
    saved = admin.post(
        f"{a}/admin/mpp/kota-kendari/profil", data=values, headers={"Origin": a}, allow_redirects=False, timeout=30
    )
    assert saved.status_code == 303, saved.text[:1000]
    # …and B shows the edit on its very next answer.
    fresh = requests.get(page, timeout=30)
    assert "Diperbarui lewat proses A" in fresh.text
    assert fresh.headers.get("X-MPP-Page-Cache") != "hit"
    assert int(redis.Redis.from_url(module_redis_url).get(pagecache_shared.KEY)) >= 1  # A announced its commit

    # An agency system's retry with the same Idempotency-Key lands on the other process: applied once.
    number = submit_application(app, citizen)
    token = make_token()
    version = requests.get(f"{a}/api/v1/applications/{number}", headers=bearer(token), timeout=30).json()["version"]
    headers = {**bearer(token), "Idempotency-Key": secrets.token_hex(16)}
    body = {"to": ApplicationStatus.VERIFIED.value, "expected_version": version}
    first = requests.post(f"{a}/api/v1/applications/{number}/transitions", json=body, headers=headers, timeout=30)
    retry = requests.post(f"{b}/api/v1/applications/{number}/transitions", json=body, headers=headers, timeout=30)
    assert first.status_code == retry.status_code == 200, (first.text, retry.text)
    assert retry.json() == first.json()
    with app.app_context():
        application = db.session.scalar(select(Application).where(Application.tracking_number == number))
        assert application.status == ApplicationStatus.VERIFIED and application.version == version + 1
        db.session.remove()


def test_a_hold_taken_on_one_process_fills_the_place_on_the_other_and_the_board_shows_calls_on_both(
    app, two_processes, make_user, demo_data
):
    from app.database import utcnow
    from app.queue.models import Booking, BookingStatus
    from app.queue.slots import local_now
    from tests.queue.conftest import make_settings

    a, b = two_processes
    with app.app_context():
        make_settings(capacity=1, priority_capacity=0)  # one place per slot: the second person must be refused
    first = _signed_in_browser(app, make_user("Siti Rahayu", email="siti@contoh.id"))
    second = _signed_in_browser(app, make_user("Budi Santoso", email="budi@contoh.id"))
    choice = first.get(f"{a}/antrean/baru", params={"layanan": "sim-a-baru", "mpp": "kota-samarinda"}, timeout=30)
    assert choice.status_code == 200, choice.text[:500]
    free = BeautifulSoup(choice.text, "html.parser").select('input[name="slot"]:not([disabled])')
    assert free, "no free slot offered"
    slot = free[0]["value"]

    def hold(browser: requests.Session, url: str) -> requests.Response:
        data = {"layanan": "sim-a-baru", "mpp": "kota-samarinda", "slot": slot, "csrf_token": _csrf(browser, url)}
        return browser.post(
            f"{url}/antrean/baru", data=data, headers={"Origin": url}, allow_redirects=False, timeout=30
        )

    assert hold(first, a).status_code == 303  # held on A…
    refused = hold(second, b)  # …so B has no place left in that slot
    assert refused.status_code == 409, refused.text[:500]
    with app.app_context():
        held = db.session.scalars(select(Booking)).all()
        assert [booking.status for booking in held] == [BookingStatus.HOLD]

        # The counter calls a number (the state the counter's action writes); the hall's board, polled from either
        # process, shows it at the next poll (a poll naming no version always reads the database).
        booking = held[0]
        now = utcnow()
        booking.status, booking.queue_number, booking.last_called_at = BookingStatus.CALLED, "A007", now
        booking.local_day = local_now(now, booking.mpp.timezone).date()
        db.session.commit()
        db.session.remove()
    for url in (a, b):
        board = requests.get(f"{url}/mpp/kota-samarinda/antrean", headers={"HX-Request": "true"}, timeout=30)
        assert board.status_code == 200 and "A007" in board.text
