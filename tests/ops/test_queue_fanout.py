"""Live queue updates fan out across processes (issue 15, point 2; app/queue/live.py): two real gunicorn processes on
one database and one Redis, the hall's board open on B, the counter working through A.

- B answers the board's unchanged polls from memory: 204, not one SQL statement, no database connection taken;
- a number called through A is on B's board at B's next poll (read from the database then);
- Redis killed: B stops answering from memory at once and reads every poll from the database, so a number called
  through A meanwhile is shown all the same; Redis back: B answers from memory again by itself.

Redis here is a redis-server of the test's own (its database 12), since this test kills, freezes and restarts it.
The listener's own unit tests (versions, what a commit announces, no Redis) are in tests/queue/test_live.py.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time

import pytest
import redis
import requests
from sqlalchemy import select

from app.accounts.models import Role, User
from app.backoffice.models import StaffAssignment, StaffRole
from app.catalog.models import Service, Tenancy
from app.config import PROJECT_ROOT
from app.extensions import db
from app.queue import counter, live
from app.queue.board import BOARD_POLL_SECONDS
from app.queue.live import LiveQueue
from tests.helpers import free_port
from tests.ops.conftest import REQUIRE_REDIS
from tests.ops.test_two_processes import _csrf, _signed_in_browser, _wait_ready
from tests.queue.conftest import make_settings, sim_place

BOARD = "/mpp/kota-samarinda/antrean"
FRAGMENT = {"HX-Request": "true"}
QUICK_POLL = 0.25  # seconds between two polls of the test: a board's poll interval holds this many
POLLS_PER_INTERVAL = int(BOARD_POLL_SECONDS / QUICK_POLL)


class PrivateRedis:
    """A redis-server of this test's own on a free port, which the test may kill and start again."""

    def __init__(self) -> None:
        self.binary = shutil.which("redis-server")
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/12"

    def start(self) -> None:
        command = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)
        for _attempt in range(100):
            try:
                client.ping()
                return
            except redis.RedisError:
                time.sleep(0.1)
        pytest.fail("the test's redis-server did not start")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()


@pytest.fixture(scope="module")
def private_redis():
    server = PrivateRedis()
    if server.binary is None:
        message = "redis-server is not installed: the queue fan-out test across processes did not run"
        if REQUIRE_REDIS:
            pytest.fail(message)
        pytest.skip(message)
    server.start()
    yield server
    if server.process.poll() is None:
        server.kill()


@pytest.fixture(scope="module")
def a_and_b(app, database_url, private_redis, tmp_path_factory):
    """Two gunicorn processes (one worker each) that report their SQL statements per answer (fanout_app.py)."""
    tmp_path = tmp_path_factory.mktemp("queue-fanout")
    env = {
        **os.environ,
        "MPP_DATABASE_URL": database_url,
        "MPP_REDIS_URL": private_redis.url,
        "MPP_INSTANCE_DIR": str(tmp_path / "instance"),
        "MPP_SECRET_KEY": app.config["SECRET_KEY"],
        "MPP_INPROCESS_WORKER": "0",
        "MPP_PUBLIC_ORIGIN": "http://localhost",
    }
    processes, urls = [], []
    for _name in ("a", "b"):
        port = free_port()
        log = tmp_path / f"gunicorn-{port}.log"
        command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1"]
        command += ["--worker-class", "gthread", "--threads", "4", "tests.ops.fanout_app:create()"]
        with log.open("w") as out:
            process = subprocess.Popen(command, env=env, cwd=PROJECT_ROOT, stdout=out, stderr=subprocess.STDOUT)
        processes.append((process, log))
        urls.append(f"http://127.0.0.1:{port}")
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


class Screen:
    """The hall's TV on one process: polls as htmx does (the version it shows in ``versi``, 204 keeps the board)."""

    def __init__(self, url: str) -> None:
        self.url = url
        first = self._get({})
        assert first.status_code == 200, first.text[:500]
        self.html = first.text
        self.version = self._version(first.text)

    @staticmethod
    def _version(html: str) -> str:
        return re.search(r'hx-get="[^"]*versi=([0-9a-f]+)"', html).group(1)

    def _get(self, params: dict) -> requests.Response:
        return requests.get(f"{self.url}{BOARD}", params=params, headers=FRAGMENT, timeout=30)

    def poll(self) -> requests.Response:
        answer = self._get({"versi": self.version})
        assert answer.status_code in (200, 204), answer.text[:500]
        if answer.status_code == 200:
            self.html, self.version = answer.text, self._version(answer.text)
        return answer

    @property
    def now_serving(self) -> str:
        return self.html.split('queue-board-now">', 1)[1].split("</td>", 1)[0]

    def until(self, wanted, *, polls: int, pause: float = QUICK_POLL) -> requests.Response:
        """Poll until ``wanted(answer)``; fail after ``polls`` polls."""
        for _attempt in range(polls):
            answer = self.poll()
            if wanted(answer):
                return answer
            time.sleep(pause)
        pytest.fail(f"{self.url}: not seen within {polls} polls; last answer {answer.status_code}: {self.html[:300]}")


def _eventually(condition, *, what: str, tries: int = 100, pause: float = 0.1) -> None:
    for _attempt in range(tries):
        if condition():
            return
        time.sleep(pause)
    pytest.fail(f"not seen: {what}")


def test_an_announcement_of_one_process_moves_only_that_mpp_in_the_other(private_redis):
    """Two processes' live queues on one Redis channel (the listener's unit test; the real processes follow)."""
    here, there = LiveQueue(private_redis.url), LiveQueue(private_redis.url)
    try:
        for queue in (here, there):
            queue.token(5)  # the first look starts the listener
            _eventually(lambda queue=queue: queue.feed.healthy, what="subscribed")
        before, other = there.token(5), there.token(6)
        here.announce({5})
        _eventually(lambda: there.token(5) != before, what="the announcement reached the other process")
        assert there.token(6) == other
    finally:
        here.feed.close()
        there.feed.close()


def test_a_redis_that_stops_answering_is_noticed_and_nothing_is_answered_from_memory(private_redis):
    """Redis frozen (SIGSTOP: the connection stays open, nothing comes back): the listener's pings go unanswered,
    and after a few seconds the process answers every poll from the database; answering again, it trusts memory."""
    queue = LiveQueue(private_redis.url)
    try:
        queue.token(5)
        _eventually(lambda: queue.feed.healthy, what="subscribed")
        private_redis.process.send_signal(signal.SIGSTOP)
        try:
            _eventually(lambda: queue.token(5) is None, what="a silent Redis noticed", tries=int(live.DEAD_AFTER * 30))
        finally:
            private_redis.process.send_signal(signal.SIGCONT)
        _eventually(lambda: queue.token(5) is not None, what="subscribed again", tries=int(live.DEAD_AFTER * 30))
    finally:
        queue.feed.close()


def _from_memory(answer: requests.Response) -> bool:
    return answer.status_code == 204 and answer.headers["X-Test-Statements"] == "0"


def _call_next(browser: requests.Session, url: str, tenancy_id: int) -> None:
    """The officer presses "Panggil berikutnya" on the counter page served by ``url``.

    Not in the last 15 seconds of a minute: at a new minute every board is read again anyway ("Updated" changes),
    which would show the call even if the announcement had been lost — the poll that shows it must be one that
    only the announcement could have caused."""
    if (left := 60 - time.time() % 60) < 15:
        time.sleep(left + 0.5)
    data = {"loket": str(tenancy_id), "meja": "Loket 2", "csrf_token": _csrf(browser, url)}
    called = browser.post(
        f"{url}/petugas/loket/panggil", data=data, headers={"Origin": url}, allow_redirects=False, timeout=30
    )
    assert called.status_code == 303, called.text[:500]


def test_a_call_through_one_process_is_on_the_board_of_the_other_and_unchanged_polls_cost_no_query(
    app, a_and_b, private_redis, make_user, demo_data
):
    a, b = a_and_b
    officer = make_user("Bripka Rudi", role=Role.OFFICER)
    with app.app_context():
        make_settings()
        tenancy = sim_place().tenancy
        tenancy_id = tenancy.id
        db.session.add(
            StaffAssignment(
                user_id=officer.id, role=StaffRole.OFFICER, mpp_id=tenancy.mpp_id, agency_id=tenancy.agency_id
            )
        )
        db.session.commit()
        service = db.session.scalar(select(Service).where(Service.slug == "sim-a-baru"))
        for _ in range(3):  # B001, B002, B003 waiting at the counter
            counter.issue_walk_in(
                tenancy=db.session.get(Tenancy, tenancy_id), service=service, actor=db.session.get(User, officer.id)
            )
        db.session.remove()
    desk = _signed_in_browser(app, officer)

    # The board is open on B. Its first polls start B's listener; from then on B answers them from memory.
    screen = Screen(b)
    assert "B001" in screen.html and "—" in screen.now_serving
    screen.until(_from_memory, polls=10 * POLLS_PER_INTERVAL)
    for _ in range(3):
        unchanged = screen.poll()
        if unchanged.status_code == 200:  # a new minute: "Updated" changed, the board was read once
            continue
        assert _from_memory(unchanged) and unchanged.headers["X-Test-Checkouts"] == "0"

    # The counter calls B001 through A; B's next poll reads the queue and shows it.
    _call_next(desk, a, tenancy_id)
    shown = screen.until(lambda answer: answer.status_code == 200, polls=POLLS_PER_INTERVAL)
    assert "B001" in screen.now_serving
    assert int(shown.headers["X-Test-Statements"]) > 0  # read from the database, as it had to be
    screen.until(_from_memory, polls=POLLS_PER_INTERVAL)  # and unchanged again from then on

    # Redis dies. A's call is still made (the announcement is lost, logged); B no longer trusts its memory and
    # reads every poll from the database, so the call is on B's board all the same.
    private_redis.kill()
    _call_next(desk, a, tenancy_id)
    screen.until(lambda answer: "B002" in screen.now_serving, polls=POLLS_PER_INTERVAL)
    for _ in range(3):
        while_down = screen.poll()
        assert int(while_down.headers["X-Test-Statements"]) > 0, "answered from memory while Redis was down"
        time.sleep(QUICK_POLL)

    # Redis is back: B subscribes again and answers from memory by itself; a call through A fans out again.
    private_redis.start()
    screen.until(_from_memory, polls=10 * POLLS_PER_INTERVAL)
    _call_next(desk, a, tenancy_id)
    screen.until(lambda answer: answer.status_code == 200, polls=POLLS_PER_INTERVAL)
    assert "B003" in screen.now_serving
