"""MPP Digital benchmarks: page weight and throughput. Reports numbers; asserts nothing.

    make bench            # or: .venv/bin/python bench/run.py --help  (rounds, duration, workers, --only, …)

1. Page weight (product.md, "Light"): for each catalog page, the compressed bytes of its HTML plus the CSS it needs
   to paint (goal ≤ 14 KB: the first round trip of a slow mobile connection), as the app sends them.
2. The first visit in Chromium: / with an empty profile until the service worker controls the page, then a second
   page — every byte as the browser received it (CDP Network events: response headers + encoded body, the worker's
   precache and scripts included; goal ≤ 50 KB, the second page only its HTML).
3. Throughput: gunicorn (gthread) serving the app on a migrated SQLite database with the demo data, twice — page
   cache on (every request a hit: "cached") and off ("uncached": every request rendered, searches over 20 different
   words) — and a bare Flask "hello" app under the same settings. Interleaved: every round measures hello, each
   target, hello again; a target's share is its rate over the two hellos around it. Reported per target: the
   median over rounds and the spread (min–max). Goals: cached ≥ 80 % of hello, uncached ≥ 50 %. Two references
   without a goal go with the uncached pages: the floor (bench/floor.py: the service page's HTML compressed and
   sent with the app's headers by a bare route, the most an uncached page can reach) and the app's own request
   cycle on /healthz, which renders no page. Load: `wrk` (a Python keep-alive client when it is missing), only
   ever talking to 127.0.0.1.

A run takes a few minutes. Results are printed and written to bench/results/ (not committed).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
BIN = Path(sys.executable).parent
FIRST_PAINT_GOAL = 14 * 1024
FIRST_VISIT_GOAL = 50 * 1024
THROUGHPUT_GOAL = 0.5  # uncached pages
CACHED_GOAL = 0.8  # cache hits
# The agreed demo slugs (see the demo-data loader): a popular service, a WITA MPP, the busiest agency.
SERVICE, MPP, AGENCY = "ktp-el-baru", "kota-kendari", "disdukcapil"
PAGES = [
    "/",
    "/layanan",
    "/layanan?q=ktp",
    f"/layanan/{SERVICE}",
    "/mpp",
    f"/mpp/{MPP}",
    f"/instansi/{AGENCY}",
    "/offline",
]
ENCODINGS = ("gzip", "br")


def kb(size: float) -> str:
    return f"{size / 1024:.1f} KB"


# --- setup ----------------------------------------------------------------------------------------------------


def app_environment(instance: Path) -> dict[str, str]:
    """The embedded profile on a scratch instance: SQLite, in-memory rate limits, no Redis."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MPP_")}
    env.update(
        MPP_ENV="development",
        MPP_INSTANCE_DIR=str(instance),
        MPP_DATABASE_URL=f"sqlite:///{instance / 'bench.db'}",
        MPP_SECRET_KEY="bench-only-secret-key-" + "x" * 32,
        # The notification worker's start-up sweep would land on the first path measured; pages are what is
        # measured here (bench/push_fanout.py measures the worker).
        MPP_INPROCESS_WORKER="0",
    )
    return env


def prepare_database(env: dict[str, str]) -> None:
    for command in (["db", "upgrade"], ["demo-data"]):
        done = subprocess.run(
            [str(BIN / "flask"), "--app", "app", *command], cwd=ROOT, env=env, capture_output=True, text=True
        )
        if done.returncode != 0 and command == ["demo-data"]:
            # Still measure what can be measured; pages that need the demo objects show their HTTP status.
            print(f"WARNING: `flask demo-data` failed, slug pages will be missing:\n{done.stderr[-500:]}")
        elif done.returncode != 0:
            sys.exit(f"`flask {' '.join(command)}` failed:\n{done.stderr[-2000:]}")


# --- page weight ----------------------------------------------------------------------------------------------


class _Resources(HTMLParser):
    """The URLs a browser fetches for a page: stylesheets, scripts, manifest, icons, images."""

    def __init__(self):
        super().__init__()
        self.css: list[str] = []
        self.other: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        rel = (attrs.get("rel") or "").lower().split()
        if tag == "link" and "stylesheet" in rel and attrs.get("href"):
            self.css.append(attrs["href"])
        elif tag == "link" and {"manifest", "icon", "apple-touch-icon"} & set(rel) and attrs.get("href"):
            self.other.append(attrs["href"])
        elif tag in ("script", "img") and attrs.get("src"):
            self.other.append(attrs["src"])


class Fetcher:
    """Fetches through the app's own WSGI stack (compression included) and remembers every answer."""

    def __init__(self, client):
        self.client = client
        self.cache: dict[tuple[str, str], tuple[int, bytes, str]] = {}
        self.uncompressed: set[tuple[str, str]] = set()  # text sent as-is although the client accepts `encoding`

    def get(self, url: str, encoding: str) -> tuple[int, bytes, str]:
        key = (url, encoding)
        if key not in self.cache:
            response = self.client.get(url, headers={"Accept-Encoding": encoding})
            self.cache[key] = (response.status_code, response.get_data(), response.mimetype)
            textual = response.mimetype.startswith("text/") or response.mimetype.endswith(("json", "javascript", "xml"))
            if encoding != "identity" and textual and "Content-Encoding" not in response.headers:
                self.uncompressed.add(key)
        return self.cache[key]

    def size(self, url: str, encoding: str) -> int:
        return len(self.get(url, encoding)[1])

    def text(self, url: str) -> str:
        return self.get(url, "identity")[1].decode("utf-8", "replace")


def _same_site(base: str, url: str) -> str | None:
    absolute = urljoin("http://localhost" + base, url)
    parts = urlsplit(absolute)
    if parts.netloc != "localhost":
        return None  # never counted: the product contacts no third-party origin
    return parts.path + (f"?{parts.query}" if parts.query else "")


def page_weight(client) -> dict:
    fetcher = Fetcher(client)
    pages = []
    for url in PAGES:
        status, html, _ = fetcher.get(url, "identity")
        parser = _Resources()
        parser.feed(html.decode("utf-8", "replace"))
        css = [u for u in (_same_site(url, href) for href in parser.css) if u]
        row = {"url": url, "status": status, "html_raw": len(html), "css": css}
        for encoding in ENCODINGS:
            row[f"html_{encoding}"] = fetcher.size(url, encoding)
            row[f"css_{encoding}"] = sum(fetcher.size(u, encoding) for u in css)
            row[f"first_paint_{encoding}"] = row[f"html_{encoding}"] + row[f"css_{encoding}"]
        pages.append(row)

    uncompressed = sorted(f"{url} ({encoding})" for url, encoding in fetcher.uncompressed)
    return {"pages": pages, "sent_uncompressed": uncompressed}


def print_page_weight(result: dict) -> None:
    print(
        "\n== Page weight: HTML + the CSS it needs to paint (goal ≤ 14 KB compressed; judged on br, which phones use) =="
    )
    print(
        f"{'page':<28}{'status':>7}{'html raw':>11}{'html gz':>10}{'html br':>10}{'+css gz':>10}{'+css br':>10}  goal"
    )
    for row in result["pages"]:
        ok = "ok" if row["first_paint_br"] <= FIRST_PAINT_GOAL else "OVER"
        if row["status"] != 200:
            ok = f"HTTP {row['status']}"
        print(
            f"{row['url'][:27]:<28}{row['status']:>7}{kb(row['html_raw']):>11}{kb(row['html_gzip']):>10}"
            f"{kb(row['html_br']):>10}{kb(row['first_paint_gzip']):>10}{kb(row['first_paint_br']):>10}  {ok}"
        )
    if result["sent_uncompressed"]:
        print("  Text the app sent uncompressed although the client accepted the encoding (gzip-only clients pay this;")
        print("  Flask-Compress streams static files only with COMPRESS_ALGORITHM_STREAMING; a proxy may compress):")
        for item in result["sent_uncompressed"]:
            print(f"    {item}")


# --- the first visit in Chromium ----------------------------------------------------------------------------------


def browser_visit(port: int) -> dict:
    """A first visit to / in Chromium with an empty profile, until the service worker controls the page, then a
    second page: every byte as the browser received it (CDP Network events: headers + encoded body; the worker's
    own fetches included; see tests/wire.py)."""
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT))
    from tests.wire import measure_visits

    chromium = os.environ.get("MPP_CHROMIUM", "/usr/bin/chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"]
        )
        phone = {
            "viewport": {"width": 360, "height": 780},
            "device_scale_factor": 2,
            "is_mobile": True,
            "locale": "id-ID",
        }
        first, second = measure_visits(browser, f"http://127.0.0.1:{port}", phone)
        browser.close()
    return {
        name: {
            "total": visit.total,
            "requests_over_network": len(visit.over_network),
            "downloaded_twice": visit.downloaded_twice(),
            "fetches": [{"url": f.url, "bytes": f.bytes, "by": f.by} for f in visit.fetches],
        }
        for name, visit in (("first_visit", first), ("second_page", second))
    }


def print_browser_visit(result: dict) -> None:
    print("\n== First visit to / in Chromium, then /layanan: bytes on the wire (headers included, worker included) ==")
    for name in ("first_visit", "second_page"):
        visit = result[name]
        print(f"  {name.replace('_', ' ')}:")
        for fetch in visit["fetches"]:
            if fetch["bytes"]:
                print(f"    {fetch['by']:<7}{fetch['url'][:64]:<66}{kb(fetch['bytes']):>9}")
        twice = visit["downloaded_twice"] or "nothing"
        print(f"    total {kb(visit['total'])} in {visit['requests_over_network']} requests; downloaded twice: {twice}")
    verdict = "ok" if result["first_visit"]["total"] <= FIRST_VISIT_GOAL else "OVER"
    print(f"  first visit goal ≤ {kb(FIRST_VISIT_GOAL)}: {verdict}")


# --- throughput -----------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    def __init__(self, spec: str, *, env: dict[str, str], workers: int, threads: int, cwd: Path):
        self.port = free_port()
        command = [str(BIN / "gunicorn"), "-k", "gthread", "-w", str(workers), "--threads", str(threads)]
        command += ["-b", f"127.0.0.1:{self.port}", "--keep-alive", "5", "--log-level", "warning", spec]
        # The app logs every request (JSON lines on stderr): into a file, as a pipe nobody reads would fill and stall
        # the server.
        self.log = tempfile.TemporaryFile()  # noqa: SIM115  (closed in stop())
        self.process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=self.log)

    def log_tail(self) -> str:
        self.log.seek(0)
        return self.log.read().decode("utf-8", "replace")[-2000:]

    def wait_ready(self, path: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"gunicorn exited:\n{self.log_tail()}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                connection.request("GET", path)
                if connection.getresponse().status < 500:
                    return
            except OSError:
                time.sleep(0.2)
        sys.exit(f"gunicorn did not answer {path} within {timeout:.0f}s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def load_python(port: int, paths: list[str], *, duration: float, concurrency: int) -> dict:
    """Keep-alive clients on threads for `duration` seconds (after a 1 s warm-up); counts only 200 answers.
    Each client walks ``paths`` in turn (a different start per client), so varied URLs really vary."""
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    errors = [0] * concurrency
    headers = {"Accept-Encoding": "gzip, br", "User-Agent": "mpp-bench"}
    start_gate = threading.Barrier(concurrency + 1)
    window: dict[str, float] = {}

    def worker(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        start_gate.wait()
        turn = index
        while True:
            now = time.monotonic()
            if now >= window["end"]:
                break
            path = paths[turn % len(paths)]
            turn += concurrency
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
            except (OSError, http.client.HTTPException):
                ok = False
                connection.close()
            finished = time.monotonic()
            if now >= window["start"]:  # warm-up requests are not counted
                if ok:
                    latencies[index].append(finished - now)
                else:
                    errors[index] += 1
        connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    window["start"] = time.monotonic() + 1.0
    window["end"] = window["start"] + duration
    start_gate.wait()
    for thread in threads:
        thread.join()
    done = sorted(x for per_thread in latencies for x in per_thread)
    return {
        "requests": len(done),
        "errors": sum(errors),
        "rps": len(done) / duration,
        "p50_ms": statistics.median(done) * 1000 if done else None,
    }


# wrk walks the list of paths, each connection from its own place in it, and counts non-200 answers as errors.
_WRK_SCRIPT = """
local paths = {%s}
local counter = 0
local failed = 0
function setup(thread) thread:set("offset", counter); counter = counter + 1 end
function init(args) turn = offset * 7919 end
function request()
  turn = turn + 1
  return wrk.format("GET", paths[(turn %% #paths) + 1], {["Accept-Encoding"] = "gzip, br"})
end
function response(status, headers, body) if status ~= 200 then failed = failed + 1 end end
function done(summary, latency, requests) io.write(string.format("p50_us %%d\\n", latency:percentile(50))) end
"""


def load_wrk(port: int, paths: list[str], *, duration: float, concurrency: int) -> dict:
    seconds = max(1, round(duration))
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_WRK_SCRIPT % ", ".join(json.dumps(p) for p in paths))
    try:
        command = ["wrk", f"-t{min(concurrency, 2)}", f"-c{concurrency}", f"-d{seconds}s", "--timeout", "10s"]
        command += ["-s", script.name]
        command.append(f"http://127.0.0.1:{port}/")
        output = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30).stdout
    finally:
        os.unlink(script.name)
    total = re.search(r"(\d+) requests in ([\d.]+)(ms|s|m)", output)
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    p50 = re.search(r"p50_us (\d+)", output)
    requests = int(total.group(1)) if total else 0
    elapsed = float(total.group(2)) * {"ms": 0.001, "s": 1, "m": 60}[total.group(3)] if total else seconds
    failed = (int(errors.group(1)) if errors else 0) + (sum(map(int, socket_errors.groups())) if socket_errors else 0)
    return {  # like the Python client, only successful answers count
        "requests": requests - failed,
        "errors": failed,
        "rps": max(requests - failed, 0) / elapsed,
        "p50_ms": int(p50.group(1)) / 1000 if p50 else None,
    }


# Words a citizen types: every uncached search round walks all of them (the cache is off there, and each word
# searches differently), the cached search repeats a few popular ones.
SEARCH_WORDS = [
    "ktp", "akta kelahiran", "paspor", "nikah", "izin usaha", "sim", "npwp", "kartu keluarga", "pindah",
    "kematian", "bpjs", "sertifikat tanah", "imb", "pbb", "halal", "skck", "pajak kendaraan", "nib", "cerai", "ijazah",
]  # fmt: skip


def _search(word: str) -> str:
    return "/layanan?q=" + word.replace(" ", "+")


FLOOR = "floor: compress + headers only"
APP_CYCLE = "app cycle: /healthz, no page"
FLOOR_DROPPED = {"content-length", "content-encoding", "date", "server", "connection"}  # made per answer


def capture_floor_page(port: int, instance: Path) -> Path:
    """The service page as the app renders it uncompressed, and the headers it sends, for bench/floor.py."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", f"/layanan/{SERVICE}", headers={"Accept-Encoding": "identity"})
    response = connection.getresponse()
    body = response.read().decode("utf-8")
    headers = [(name, value) for name, value in response.getheaders() if name.lower() not in FLOOR_DROPPED]
    connection.close()
    path = instance / "floor-page.json"
    path.write_text(json.dumps({"body": body, "headers": headers}), encoding="utf-8")
    return path


# (name, server, paths): "cached" is the app with its page cache on, warmed before measuring (every request a hit);
# "uncached" is the same app with the page cache off (MPP_PAGE_CACHE_SECONDS=0), every request rendered.
TARGETS = [
    ("service page, cached", "cached", [f"/layanan/{SERVICE}"]),
    ("MPP page, cached", "cached", [f"/mpp/{MPP}"]),
    ("search, cached", "cached", [_search(w) for w in SEARCH_WORDS[:3]]),
    ("service page, uncached", "uncached", [f"/layanan/{SERVICE}"]),
    ("MPP page, uncached", "uncached", [f"/mpp/{MPP}"]),
    ("search, uncached (20 words)", "uncached", [_search(w) for w in SEARCH_WORDS]),
    # A reference, not a target (bench/floor.py): the service page's HTML compressed and sent with the app's
    # headers by a bare route — the ceiling for any uncached page, measured in the same rounds.
    (FLOOR, "floor", ["/"]),
    # A reference too: the app's own request cycle answering a route that renders no page (a `SELECT 1`).
    (APP_CYCLE, "uncached", ["/healthz"]),
]
REFERENCES = {FLOOR, APP_CYCLE}


def _selected(target: tuple[str, str, list[str]], only: str) -> bool:
    """--only: "cached" or "uncached" picks that server (every name with "uncached" also contains "cached"), anything
    else the targets whose name contains it ("search", "MPP page"). The floor goes with the uncached pages."""
    name, server_name, _paths = target
    if only in ("cached", "uncached"):
        return server_name == only or (only == "uncached" and server_name == "floor")
    return only in name


def _spread(values: list[float]) -> str:
    return f"{min(values):.0f}–{max(values):.0f}"


def throughput(
    env: dict[str, str],
    *,
    workers: int,
    threads: int,
    duration: float,
    concurrency: int,
    rounds: int,
    generator: str,
    only: str = "",
) -> dict:
    """Baseline and targets interleaved: each round measures hello, then every target, then hello again; a target's
    share is its rate over the mean of the two hello runs around it, so a machine that slows down (other jobs on
    shared cores) slows both sides of each ratio. Reported: per target the median over rounds and the spread."""
    use_wrk = generator == "wrk" or (generator == "auto" and shutil.which("wrk"))
    load = load_wrk if use_wrk else load_python
    settings = {
        "worker_class": "gthread",
        "workers": workers,
        "threads": threads,
        "concurrency": concurrency,
        "duration_s": duration,
        "rounds": rounds,
        "load_generator": "wrk" if load is load_wrk else "python threads + http.client keep-alive",
    }
    uncached_env = {**env, "MPP_PAGE_CACHE_SECONDS": "0"}
    targets = [target for target in TARGETS if _selected(target, only)]
    runs: dict[str, list[dict]] = {name: [] for name, _, _ in targets}
    runs["hello"] = []
    with (
        Gunicorn("hello:app", env=env, workers=workers, threads=threads, cwd=ROOT / "bench") as hello,
        Gunicorn("app:create_app()", env=env, workers=workers, threads=threads, cwd=ROOT) as cached,
        Gunicorn("app:create_app()", env=uncached_env, workers=workers, threads=threads, cwd=ROOT) as uncached,
        contextlib.ExitStack() as stack,
    ):
        servers = {"cached": cached, "uncached": uncached}
        hello.wait_ready("/")
        if any(server_name == "floor" for _name, server_name, _paths in targets):
            uncached.wait_ready("/healthz")  # the floor's page is captured from it
            floor_page = capture_floor_page(uncached.port, Path(env["MPP_INSTANCE_DIR"]))
            floor_env = {**env, "MPP_BENCH_FLOOR": str(floor_page)}
            servers["floor"] = stack.enter_context(
                Gunicorn("floor:app", env=floor_env, workers=workers, threads=threads, cwd=ROOT / "bench")
            )
        for _name, server_name, paths in targets:
            if server_name != "floor":  # the app: up before its pages are asked for
                servers[server_name].wait_ready("/healthz")
            for path in paths:  # warm: templates compiled, connections open, cached pages stored
                servers[server_name].wait_ready(path)
        for round_number in range(rounds):
            before = load(hello.port, ["/"], duration=duration, concurrency=concurrency)
            runs["hello"].append(before)
            for name, server_name, paths in targets:
                row = load(servers[server_name].port, paths, duration=duration, concurrency=concurrency)
                runs[name].append(row)
            after = load(hello.port, ["/"], duration=duration, concurrency=concurrency)
            runs["hello"].append(after)
            baseline = (before["rps"] + after["rps"]) / 2 or 1.0
            for name, _, _ in targets:
                runs[name][-1]["share_of_hello"] = runs[name][-1]["rps"] / baseline
            print(f"  round {round_number + 1}/{rounds} done", flush=True)
    summary = {}
    for name, rows in runs.items():
        rps = [row["rps"] for row in rows]
        entry = {
            "rps_median": statistics.median(rps),
            "rps_spread": [min(rps), max(rps)],
            "p50_ms_median": statistics.median([r["p50_ms"] for r in rows if r["p50_ms"] is not None] or [0]),
            "errors": sum(row["errors"] for row in rows),
        }
        if name != "hello":
            shares = [row["share_of_hello"] for row in rows]
            entry["share_median"] = statistics.median(shares)
            entry["share_spread"] = [min(shares), max(shares)]
            if name not in REFERENCES:  # no goal of their own
                entry["goal"] = CACHED_GOAL if "uncached" not in name else THROUGHPUT_GOAL
        summary[name] = entry
    return {"settings": settings, "summary": summary, "runs": runs}


def print_throughput(result: dict) -> None:
    s = result["settings"]
    print(
        f"\n== Throughput: gunicorn {s['worker_class']} -w {s['workers']} --threads {s['threads']}, "
        f"{s['concurrency']} connections, {s['rounds']} interleaved rounds of {s['duration_s']:.0f} s, "
        f"{s['load_generator']} =="
    )
    print(
        f"{'target':<30}{'req/s median':>13}{'spread':>13}{'p50 ms':>8}{'errors':>7}{'vs hello':>10}{'spread':>12}  goal"
    )
    for name, row in result["summary"].items():
        share = row.get("share_median")
        if share is None:
            share_text = spread_text = verdict = ""
        else:
            share_text = f"{share:.0%}"
            spread_text = f"{row['share_spread'][0]:.0%}–{row['share_spread'][1]:.0%}"
            goal = row.get("goal")
            verdict = "reference" if goal is None else ("ok" if share >= goal else "BELOW") + f" (≥ {goal:.0%})"
        print(
            f"{name:<30}{row['rps_median']:>13.0f}{_spread(row['rps_spread']):>13}{row['p50_ms_median']:>8.1f}"
            f"{row['errors']:>7}{share_text:>10}{spread_text:>12}  {verdict}"
        )


# --- main -----------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=3.0, help="seconds of measured load per target and round")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (hello, every target, hello)")
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers (every server)")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker (both apps)")
    parser.add_argument("--concurrency", type=int, default=8, help="simultaneous keep-alive connections")
    parser.add_argument(
        "--load-generator", choices=["auto", "python", "wrk"], default="auto", help="auto: wrk if installed"
    )
    parser.add_argument("--skip-throughput", action="store_true", help="measure page weight only")
    parser.add_argument(
        "--only", default="", help='"cached" or "uncached" (one server), or a part of the targets\' names ("search")'
    )
    parser.add_argument("--skip-weight", action="store_true", help="measure throughput only")
    args = parser.parse_args()

    started = time.monotonic()
    import logging

    logging.disable(logging.INFO)  # the app's per-request log lines (the in-process page weight) are not the report
    with tempfile.TemporaryDirectory(prefix="mpp-bench-") as scratch:
        env = app_environment(Path(scratch))
        prepare_database(env)
        os.environ.update(env)
        from app import create_app

        report = {"when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
        if not args.skip_weight:
            report["page_weight"] = page_weight(create_app().test_client())
            print_page_weight(report["page_weight"])
            with Gunicorn("app:create_app()", env=env, workers=1, threads=4, cwd=ROOT) as server:
                server.wait_ready("/healthz")
                report["browser_visit"] = browser_visit(server.port)
            print_browser_visit(report["browser_visit"])
        if not args.skip_throughput:
            report["throughput"] = throughput(
                env,
                workers=args.workers,
                threads=args.threads,
                duration=args.duration,
                concurrency=args.concurrency,
                rounds=args.rounds,
                generator=args.load_generator,
                only=args.only,
            )
            print_throughput(report["throughput"])

    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    for name in (f"bench-{stamp}.json", "latest.json"):
        (RESULTS / name).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nWritten to bench/results/bench-{stamp}.json ({time.monotonic() - started:.0f} s)")


if __name__ == "__main__":
    main()
