"""`make run-scale`: the national profile on one machine — gunicorn web workers, separate job workers, PostgreSQL and
Redis — started together, watched, and stopped together on Ctrl+C (or SIGTERM).

    python -m app.ops.run_scale        (what `make run-scale` runs)

Settings (environment; the defaults suit this machine's own PostgreSQL and Redis):

    MPP_DATABASE_URL     postgresql+psycopg://postgres@127.0.0.1:5432/mpp_scale   (created when missing)
    MPP_REDIS_URL        redis://127.0.0.1:6379/1      job queue, rate limits, page-cache generation
    SCALE_HOST           127.0.0.1                     where gunicorn listens
    SCALE_PORT           8000
    SCALE_WEB_WORKERS    3                             gunicorn worker processes (gthread)
    SCALE_WEB_THREADS    4                             threads per web worker
    SCALE_JOB_WORKERS    2                             `flask worker` processes (RedisHuey consumers)
    SCALE_JOB_THREADS    4                             threads per job worker
    SCALE_STATE_FILE     instance/run-scale.json       pids and addresses, rewritten when a job worker restarts
    SCALE_DEMO_DATA      1                             load the demo catalog into an empty database (0: never)

What runs (each line a separate process; on several machines each becomes its own service, README):
    web       gunicorn master + SCALE_WEB_WORKERS workers: stateless; sessions, passkey challenges, holds and
              idempotency in PostgreSQL, rate limits and the page-cache generation in Redis, files in PostgreSQL
    worker-N  `flask worker`: push and e-mail delivery from the outboxes and queue jobs; any number of them share the
              one Redis queue; worker-1 also schedules the periodic jobs (sweeps, reminders, escalation), the
              others run with --no-periodic so that no periodic job runs twice

A job worker that dies (a crash, `kill -9`) is started again after a short pause; gunicorn restarts its own web
workers. If gunicorn itself stops, everything is stopped and the command exits non-zero.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from ..config import PROJECT_ROOT

DEFAULT_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:5432/mpp_scale"
DEFAULT_REDIS = "redis://127.0.0.1:6379/1"
STOP_GRACE = 15.0  # seconds between SIGTERM and SIGKILL
RESTART_PAUSE = 2.0  # seconds before a dead job worker is started again
READY_TIMEOUT = 180.0  # a loaded 2-core machine boots three workers in about a minute


def _setting(name: str, default: str) -> str:
    return os.environ.get(name) or default


def say(message: str) -> None:
    print(f"[run-scale] {message}", flush=True)


@dataclass
class Child:
    name: str
    command: list[str]
    process: subprocess.Popen | None = None
    stop_signal: signal.Signals = signal.SIGTERM  # gunicorn: graceful on SIGTERM
    restarts: int = 0
    started_at: float = 0.0

    def start(self, env: dict[str, str]) -> None:
        # Each child in its own process group: Ctrl+C in the terminal reaches only this supervisor, which then
        # stops the children in order (a job worker finishes its current delivery first).
        self.process = subprocess.Popen(self.command, env=env, cwd=PROJECT_ROOT, start_new_session=True)  # noqa: S603
        self.started_at = time.monotonic()

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def exited(self) -> int | None:
        return self.process.poll() if self.process else None


@dataclass
class Supervisor:
    env: dict[str, str]
    web: Child
    workers: list[Child]
    state_file: Path
    address: str
    stopping: bool = False
    children: list[Child] = field(init=False)

    def __post_init__(self) -> None:
        self.children = [self.web, *self.workers]

    def write_state(self) -> None:
        state = {
            "url": self.address,
            "database_url": self.env["MPP_DATABASE_URL"],
            "redis_url": self.env["MPP_REDIS_URL"],
            "supervisor_pid": os.getpid(),
            "web": {"pid": self.web.pid},
            "workers": [{"name": child.name, "pid": child.pid, "restarts": child.restarts} for child in self.workers],
        }
        self.state_file.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.state_file.with_name(self.state_file.name + ".part")
        temporary.write_text(json.dumps(state, indent=2))
        temporary.replace(self.state_file)

    def start(self) -> None:
        for child in self.children:
            child.start(self.env)
            say(f"started {child.name} (pid {child.pid})")
        self.write_state()

    def stop(self) -> None:
        self.stopping = True
        running = [child for child in self.children if child.exited() is None]
        for child in running:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child.pid, child.stop_signal)
        deadline = time.monotonic() + STOP_GRACE
        for child in running:
            try:
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                say(f"{child.name} (pid {child.pid}) did not stop in {STOP_GRACE:.0f}s: killing it")
                os.killpg(child.pid, signal.SIGKILL)
                child.process.wait()
        self.state_file.unlink(missing_ok=True)
        say("all processes stopped")

    def watch(self) -> int:
        """Until a signal or gunicorn's end: restart dead job workers. Returns the exit status."""
        while not self.stopping:
            code = self.web.exited()
            if code is not None:
                say(f"gunicorn exited with status {code}: stopping everything")
                self.stop()
                return code or 1
            for child in self.workers:
                code = child.exited()
                if code is not None and time.monotonic() - child.started_at >= RESTART_PAUSE:
                    child.restarts += 1
                    say(f"{child.name} (pid {child.pid}) exited with status {code}; starting it again")
                    child.start(self.env)
                    say(f"started {child.name} (pid {child.pid}, restart {child.restarts})")
                    self.write_state()
            time.sleep(0.5)
        return 0


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database when it does not exist yet (connecting to the server's 'postgres' db)."""
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    target = make_url(url)
    if target.get_backend_name() != "postgresql":
        return
    engine = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            exists = connection.scalar(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
            )
            if not exists:
                connection.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
                say(f"created database {target.database}")
    except sa.exc.OperationalError as error:
        raise SystemExit(
            f"[run-scale] PostgreSQL is not reachable at {target.render_as_string(hide_password=True)}: "
            f"{error.orig}\n  start it: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
        ) from None
    finally:
        engine.dispose()


def ensure_redis(url: str) -> None:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        raise SystemExit(
            f"[run-scale] Redis is not reachable at {url}: {error}\n"
            '  start it: redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no'
        ) from None


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env["MPP_DATABASE_URL"] = _setting("MPP_DATABASE_URL", DEFAULT_DATABASE)
    env["MPP_REDIS_URL"] = _setting("MPP_REDIS_URL", DEFAULT_REDIS)
    env["MPP_INPROCESS_WORKER"] = "0"  # jobs run in the separate workers only
    env.setdefault("MPP_UPLOAD_STORAGE", "database")  # every web node serves every file
    port = _setting("SCALE_PORT", "8000")
    env.setdefault("MPP_PUBLIC_ORIGIN", f"http://localhost:{port}")
    env["FLASK_RUN_PORT"] = port
    env["PYTHONUNBUFFERED"] = "1"
    return env


def flask(env: dict[str, str], *args: str) -> None:
    command = [sys.executable, "-m", "flask", "--app", "app", *args]
    result = subprocess.run(command, env=env, cwd=PROJECT_ROOT, check=False)  # noqa: S603
    if result.returncode != 0:
        raise SystemExit(f"[run-scale] `flask {' '.join(args)}` failed with status {result.returncode}")


def wait_ready(address: str, web: Child) -> bool:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline and web.exited() is None:
        try:
            with urllib.request.urlopen(f"{address}/readyz", timeout=2) as response:  # noqa: S310 (our own address)
                if response.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.5)
    return False


def main() -> int:
    env = environment()
    host, port = _setting("SCALE_HOST", "127.0.0.1"), env["FLASK_RUN_PORT"]
    web_workers, web_threads = _setting("SCALE_WEB_WORKERS", "3"), _setting("SCALE_WEB_THREADS", "4")
    job_workers, job_threads = int(_setting("SCALE_JOB_WORKERS", "2")), _setting("SCALE_JOB_THREADS", "4")
    state_file = Path(_setting("SCALE_STATE_FILE", str(PROJECT_ROOT / "instance" / "run-scale.json")))

    ensure_database(env["MPP_DATABASE_URL"])
    ensure_redis(env["MPP_REDIS_URL"])
    say("applying migrations")
    flask(env, "db", "upgrade")
    if _setting("SCALE_DEMO_DATA", "1") == "1":
        flask(env, "demo-data", "--if-empty")
        flask(env, "demo-forms")
    # Prometheus: each gunicorn worker writes its samples here and /metrics merges them (app/ops/metrics.py).
    metrics_dir = tempfile.mkdtemp(prefix="mpp-metrics-")
    env["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir

    python_bin = Path(sys.executable).parent
    web = Child(
        "web",
        [
            str(python_bin / "gunicorn"),
            "--bind",
            f"{host}:{port}",
            "--workers",
            web_workers,
            "--worker-class",
            "gthread",
            "--threads",
            web_threads,
            "--timeout",
            "30",
            "--graceful-timeout",
            "10",
            "app:create_app()",
        ],
    )
    workers = [
        # huey stops gracefully on SIGINT (finishes the deliveries in hand); SIGTERM would cut them off. Only
        # worker-1 schedules the periodic jobs: every scheduler enqueues each of them, so two would run each twice.
        Child(
            f"worker-{n}",
            [sys.executable, "-m", "flask", "--app", "app", "worker", "--threads", job_threads]
            + ([] if n == 1 else ["--no-periodic"]),
            stop_signal=signal.SIGINT,
        )
        for n in range(1, job_workers + 1)
    ]
    address = f"http://{host}:{port}"
    supervisor = Supervisor(env=env, web=web, workers=workers, state_file=state_file, address=address)

    def on_signal(signum, _frame) -> None:
        if not supervisor.stopping:
            say(f"{signal.Signals(signum).name}: stopping")
            supervisor.stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    supervisor.start()
    try:
        if wait_ready(address, web):
            say(f"ready: {address} — {web_workers} web workers × {web_threads} threads, {job_workers} job workers")
            say(f"state (pids for scripts): {state_file}; Ctrl+C stops everything")
        else:
            say(f"{address}/readyz did not answer 200 within {READY_TIMEOUT:.0f}s; see the log above")
        status = supervisor.watch()
    finally:
        if any(child.exited() is None for child in supervisor.children):
            supervisor.stop()
        shutil.rmtree(metrics_dir, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
