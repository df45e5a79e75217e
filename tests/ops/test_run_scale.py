"""`make run-scale` for real (app/ops/run_scale.py): on PostgreSQL and Redis it creates a missing database, migrates,
starts gunicorn and two job workers, starts a job worker again after `kill -9`, and stops every process on Ctrl+C.

It needs PostgreSQL (the national profile's database): it runs in the PostgreSQL suite, on a database of its own
named after the suite's (scale_run_<name>), dropped afterwards."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from app.config import PROJECT_ROOT
from tests.conftest import _free_port

BOOT_TIMEOUT = 240


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped by its parent) is gone for our purpose.
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ", 1)[1][0] != "Z"
    except FileNotFoundError:
        return False


def _until(condition, timeout: float, what: str, log) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    pytest.fail(f"{what} within {timeout:.0f}s; supervisor log:\n{log.read_text()[-4000:]}")


@pytest.fixture
def scale_database(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("make run-scale runs on PostgreSQL: this test runs in the PostgreSQL suite (MPP_TEST_DATABASE_URL)")
    url = make_url(database_url)
    name = f"scale_run_{url.database}"
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))  # the supervisor must create it
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_run_scale_starts_restarts_a_killed_worker_and_stops_everything(scale_database, redis_url, tmp_path):
    port = _free_port()
    state_file = tmp_path / "run-scale.json"
    log = tmp_path / "run-scale.log"
    env = {
        **os.environ,
        "MPP_DATABASE_URL": scale_database,
        "MPP_REDIS_URL": redis_url,
        "MPP_INSTANCE_DIR": str(tmp_path / "instance"),
        "SCALE_PORT": str(port),
        "SCALE_WEB_WORKERS": "2",
        "SCALE_WEB_THREADS": "2",
        "SCALE_JOB_WORKERS": "2",
        "SCALE_JOB_THREADS": "1",
        "SCALE_STATE_FILE": str(state_file),
        "SCALE_DEMO_DATA": "0",
    }
    with log.open("w") as out:
        supervisor = subprocess.Popen(
            [sys.executable, "-m", "app.ops.run_scale"],
            env=env,
            cwd=PROJECT_ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _until(lambda: "[run-scale] ready:" in log.read_text(), BOOT_TIMEOUT, "not ready", log)
        assert f"created database {make_url(scale_database).database}" in log.read_text()
        state = json.loads(state_file.read_text())
        assert state["url"] == f"http://127.0.0.1:{port}" and state["supervisor_pid"] == supervisor.pid
        ready = requests.get(f"{state['url']}/readyz", timeout=10)
        assert ready.json() == {"status": "ready", "database": "ok", "migrations": "ok", "redis": "ok"}
        workers = [worker["pid"] for worker in state["workers"]]
        assert len(workers) == 2 and all(_alive(pid) for pid in [state["web"]["pid"], *workers])
        # Only worker-1 schedules the periodic jobs (two schedulers would run each one twice).
        commands = [Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0") for pid in workers]
        assert b"--no-periodic" not in commands[0] and b"--no-periodic" in commands[1]

        os.kill(workers[0], signal.SIGKILL)  # a job worker dies mid-work
        _until(
            lambda: json.loads(state_file.read_text())["workers"][0]["restarts"] == 1,
            30,
            "the killed job worker was not started again",
            log,
        )
        restarted = json.loads(state_file.read_text())["workers"][0]["pid"]
        assert restarted != workers[0] and _alive(restarted)
        assert requests.get(f"{state['url']}/healthz", timeout=10).status_code == 200

        supervisor.send_signal(signal.SIGINT)  # Ctrl+C
        assert supervisor.wait(timeout=60) == 0
        assert "[run-scale] all processes stopped" in log.read_text()
        assert not any(_alive(pid) for pid in [state["web"]["pid"], restarted, workers[1]])
        assert not state_file.exists()
        with pytest.raises(requests.ConnectionError):
            requests.get(f"{state['url']}/healthz", timeout=5)
    finally:
        if supervisor.poll() is None:  # a failed run: leave no process behind (each child has its own group)
            if state_file.exists():
                state = json.loads(state_file.read_text())
                for pid in [state["web"]["pid"], *(worker["pid"] for worker in state["workers"])]:
                    if _alive(pid):
                        os.killpg(pid, signal.SIGKILL)
            os.killpg(supervisor.pid, signal.SIGKILL)
            supervisor.wait()
