"""MPP Digital benchmarks: page weight and throughput. Reports numbers; asserts nothing.

    make bench            # or: .venv/bin/python bench/run.py --help  (duration, workers, threads, load generator)

1. Page weight (product.md, "Light"): for each catalog page, the compressed bytes of its HTML plus the CSS it needs
   to paint (goal ≤ 14 KB: it fits the first round trip of a slow mobile connection), and the whole first visit —
   HTML, CSS, JS, htmx, manifest, icons, service worker and what the worker precaches (goal ≤ 100 KB). Sizes are
   what the app itself sends for `Accept-Encoding: gzip` and `br` (Flask-Compress), so they match production.
2. Throughput: gunicorn (gthread) serving the app on a migrated SQLite database with the demo data, and a bare
   Flask "hello" app under the same gunicorn settings, in the same run; requests/second for a service page and
   a search, as a share of hello (goal ≥ 50 %). The load generator is a small keep-alive HTTP client on threads
   (or `wrk` when it is installed), only ever talking to 127.0.0.1.

A run takes about a minute. Results are printed and written to bench/results/ (not committed).
"""

from __future__ import annotations

import argparse
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
FIRST_VISIT_GOAL = 100 * 1024
THROUGHPUT_GOAL = 0.5
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
THROUGHPUT_PATHS = [f"/layanan/{SERVICE}", "/layanan?q=ktp"]
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


def _js_imports(fetcher: Fetcher, url: str) -> list[str]:
    source = fetcher.text(url)
    found = re.findall(r"""(?:\bfrom\s*|\bimport\s*\(?\s*)["']([^"']+\.m?js[^"']*)["']""", source)
    return [u for u in (_same_site(url, f) for f in found) if u]


def _precache(fetcher: Fetcher) -> list[str]:
    """What the service worker downloads when it installs (the PRECACHE list the server writes into /sw.js)."""
    match = re.search(r"const PRECACHE = (\[.*?\])", fetcher.text("/sw.js"), re.S)
    try:
        return [u for u in json.loads(match.group(1)) if isinstance(u, str)] if match else []
    except json.JSONDecodeError:
        return []


def _manifest_icons(fetcher: Fetcher, url: str) -> list[str]:
    try:
        manifest = json.loads(fetcher.text(url))
    except json.JSONDecodeError:
        return []
    return [u for u in (_same_site(url, icon.get("src", "")) for icon in manifest.get("icons", [])) if u]


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

    # A complete first visit to the home page, with an empty cache: everything the browser and the worker fetch.
    parser = _Resources()
    parser.feed(fetcher.text("/"))
    queue = ["/"] + [u for u in (_same_site("/", h) for h in parser.css + parser.other) if u] + ["/sw.js"]
    queue += _precache(fetcher)
    seen: list[str] = []
    while queue:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.append(url)
        mimetype = fetcher.get(url, "identity")[2]
        if mimetype in ("text/javascript", "application/javascript"):
            queue += _js_imports(fetcher, url)
        elif "manifest" in mimetype or url.endswith(".webmanifest"):
            queue += _manifest_icons(fetcher, url)
    resources = [
        {"url": url, "status": fetcher.get(url, "identity")[0], **{e: fetcher.size(url, e) for e in ENCODINGS}}
        for url in seen
    ]
    visit = {"resources": resources, **{e: sum(r[e] for r in resources) for e in ENCODINGS}}
    uncompressed = sorted(f"{url} ({encoding})" for url, encoding in fetcher.uncompressed)
    return {"pages": pages, "first_visit": visit, "sent_uncompressed": uncompressed}


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
    visit = result["first_visit"]
    print("\n== Complete first visit to / (HTML, CSS, JS, htmx, manifest, icons, service worker + precache) ==")
    for item in visit["resources"]:
        flag = "" if item["status"] == 200 else f"  HTTP {item['status']}"
        print(f"  {item['url'][:60]:<62}{kb(item['gzip']):>10}{kb(item['br']):>10}{flag}")
    verdict = "ok" if visit["br"] <= FIRST_VISIT_GOAL else "OVER"
    print(f"  {'total (gzip / br), goal ≤ 100 KB':<62}{kb(visit['gzip']):>10}{kb(visit['br']):>10}  {verdict}")
    if result["sent_uncompressed"]:
        print("  Text the app sent uncompressed although the client accepted the encoding (gzip-only clients pay this;")
        print("  Flask-Compress streams static files only with COMPRESS_ALGORITHM_STREAMING; a proxy may compress):")
        for item in result["sent_uncompressed"]:
            print(f"    {item}")


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
        self.process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def wait_ready(self, path: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"gunicorn exited:\n{self.process.stderr.read().decode()[-2000:]}")
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

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def load_python(port: int, path: str, *, duration: float, concurrency: int) -> dict:
    """Keep-alive clients on threads for `duration` seconds (after a 1 s warm-up); counts only 200 answers."""
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    errors = [0] * concurrency
    headers = {"Accept-Encoding": "gzip, br", "User-Agent": "mpp-bench"}
    start_gate = threading.Barrier(concurrency + 1)
    window: dict[str, float] = {}

    def worker(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        start_gate.wait()
        while True:
            now = time.monotonic()
            if now >= window["end"]:
                break
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
        "p90_ms": done[int(len(done) * 0.9) - 1] * 1000 if len(done) >= 10 else None,
    }


def load_wrk(port: int, path: str, *, duration: float, concurrency: int) -> dict:
    seconds = max(1, round(duration))
    command = ["wrk", f"-t{min(concurrency, 4)}", f"-c{concurrency}", f"-d{seconds}s", "--latency"]
    command += ["-H", "Accept-Encoding: gzip, br", f"http://127.0.0.1:{port}{path}"]
    output = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30).stdout
    total = re.search(r"(\d+) requests in ([\d.]+)(ms|s|m)", output)
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", output)
    p90 = re.search(r"90%\s+([\d.]+)(us|ms|s)", output)
    requests = int(total.group(1)) if total else 0
    elapsed = float(total.group(2)) * {"ms": 0.001, "s": 1, "m": 60}[total.group(3)] if total else seconds
    failed = (int(errors.group(1)) if errors else 0) + (sum(map(int, socket_errors.groups())) if socket_errors else 0)

    def ms(match):
        if not match:
            return None
        return float(match.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[match.group(2)]

    return {  # like the Python client, only successful answers count
        "requests": requests - failed,
        "errors": failed,
        "rps": max(requests - failed, 0) / elapsed,
        "p50_ms": ms(p50),
        "p90_ms": ms(p90),
    }


def throughput(
    env: dict[str, str], *, workers: int, threads: int, duration: float, concurrency: int, generator: str
) -> dict:
    use_wrk = generator == "wrk" or (generator == "auto" and shutil.which("wrk"))
    load = load_wrk if use_wrk else load_python
    settings = {
        "worker_class": "gthread",
        "workers": workers,
        "threads": threads,
        "concurrency": concurrency,
        "duration_s": duration,
        "load_generator": "wrk" if load is load_wrk else "python threads + http.client keep-alive",
    }
    results = {}
    with Gunicorn("app:create_app()", env=env, workers=workers, threads=threads, cwd=ROOT) as server:
        server.wait_ready("/healthz")
        for path in THROUGHPUT_PATHS:
            results[path] = load(server.port, path, duration=duration, concurrency=concurrency)
    with Gunicorn("hello:app", env=env, workers=workers, threads=threads, cwd=ROOT / "bench") as server:
        server.wait_ready("/")
        results["hello"] = load(server.port, "/", duration=duration, concurrency=concurrency)
    hello = results["hello"]["rps"] or 1.0
    for path in THROUGHPUT_PATHS:
        results[path]["share_of_hello"] = results[path]["rps"] / hello
    return {"settings": settings, "results": results}


def print_throughput(result: dict) -> None:
    s = result["settings"]
    print(
        f"\n== Throughput: gunicorn {s['worker_class']} -w {s['workers']} --threads {s['threads']}, "
        f"{s['concurrency']} connections, {s['duration_s']:.0f} s each, {s['load_generator']} =="
    )
    print(f"{'path':<28}{'req/s':>9}{'p50 ms':>9}{'p90 ms':>9}{'errors':>8}{'vs hello':>10}  goal ≥ 50%")
    for path, row in result["results"].items():
        share = row.get("share_of_hello")
        verdict = "" if share is None else ("ok" if share >= THROUGHPUT_GOAL else "BELOW")
        p50 = f"{row['p50_ms']:.1f}" if row["p50_ms"] is not None else "-"
        p90 = f"{row['p90_ms']:.1f}" if row["p90_ms"] is not None else "-"
        share_text = "" if share is None else f"{share:.0%}"
        print(f"{path:<28}{row['rps']:>9.0f}{p50:>9}{p90:>9}{row['errors']:>8}{share_text:>10}  {verdict}")


# --- main -----------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=8.0, help="seconds of measured load per path")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (both apps)")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker (both apps)")
    parser.add_argument("--concurrency", type=int, default=8, help="simultaneous keep-alive connections")
    parser.add_argument(
        "--load-generator", choices=["auto", "python", "wrk"], default="auto", help="auto: wrk if installed"
    )
    parser.add_argument("--skip-throughput", action="store_true", help="measure page weight only")
    args = parser.parse_args()

    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="mpp-bench-") as scratch:
        env = app_environment(Path(scratch))
        prepare_database(env)
        os.environ.update(env)
        from app import create_app

        weight = page_weight(create_app().test_client())
        print_page_weight(weight)
        report = {"when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "page_weight": weight}
        if not args.skip_throughput:
            report["throughput"] = throughput(
                env,
                workers=args.workers,
                threads=args.threads,
                duration=args.duration,
                concurrency=args.concurrency,
                generator=args.load_generator,
            )
            print_throughput(report["throughput"])

    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    for name in (f"bench-{stamp}.json", "latest.json"):
        (RESULTS / name).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nWritten to bench/results/bench-{stamp}.json ({time.monotonic() - started:.0f} s)")


if __name__ == "__main__":
    main()
