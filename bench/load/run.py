"""Load test at rising user counts until p95 passes 1 s; a table per step, and what the server's log says.

    make run-scale                                   # in another terminal: the national profile
    make load                                        # = this script with its defaults against it
    .venv/bin/python bench/load/run.py --host http://127.0.0.1:8000 --users 10,25,50,100,200 --seconds 60

Each step runs locust headless (bench/load/locustfile.py) for ``--seconds`` with that many simulated people (9
citizens to 1 officer), then prints, per endpoint: requests, p50 / p95 / p99 in ms, failures and how many of them
were 5xx. The steps stop after the first whose overall p95 passes 1 s (the point the issue asks for) — below it,
any 5xx is a defect, and the verdict line says so. ``--server-log`` names the gunicorn log to scan for worker
deaths (SIGSEGV, "Worker … was sent", timeouts) during the run; they are printed with their lines.
Sign-ins and drafts come from bench/load/prepare.py, run first against the same database.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from prepare import use_run_scale_environment

HERE = Path(__file__).resolve().parent
DEATHS = re.compile(r"SIGSEGV|signal 11|Worker \(pid:\d+\) was sent|WORKER TIMEOUT|Segmentation fault|core dumped")


def _step(host: str, users: int, seconds: int, workdir: Path) -> list[dict]:
    prefix = workdir / f"u{users}"
    command = [
        sys.executable, "-m", "locust", "-f", str(HERE / "locustfile.py"), "--headless", "--host", host,
        "-u", str(users), "-r", str(max(1, users // 5)), "-t", f"{seconds}s", "--csv", str(prefix),
        "--only-summary", "--stop-timeout", "5", "--loglevel", "WARNING",
    ]  # fmt: skip
    subprocess.run(command, check=False, cwd=HERE, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    with open(f"{prefix}_stats.csv", newline="") as handle:
        stats = list(csv.DictReader(handle))
    server_errors: dict[str, int] = {}
    with open(f"{prefix}_failures.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            if re.search(r"\b5\d\d\b", row["Error"]):
                server_errors[row["Name"]] = server_errors.get(row["Name"], 0) + int(row["Occurrences"])
    for row in stats:
        row["5xx"] = server_errors.get(row["Name"], 0) if row["Name"] != "Aggregated" else sum(server_errors.values())
    return stats


def _table(users: int, stats: list[dict]) -> str:
    lines = [f"\n### {users} simulated people", "", "| endpoint | requests | p50 ms | p95 ms | p99 ms | failures | 5xx |",
             "|---|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
    for row in sorted(stats, key=lambda r: (r["Name"] == "Aggregated", r["Name"])):
        name = f"{row['Type']} {row['Name']}" if row["Name"] != "Aggregated" else "**all**"
        lines.append(
            f"| {name} | {row['Request Count']} | {row['50%']} | {row['95%']} | {row['99%']} | {row['Failure Count']}"
            f" | {row['5xx']} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    state = use_run_scale_environment()
    parser.add_argument("--host", default=os.environ.get("MPP_LOAD_HOST", state.get("url", "http://127.0.0.1:8000")))
    parser.add_argument("--users", default="10,25,50,100,200,400")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--server-log", default=os.environ.get("MPP_SCALE_LOG"), help="gunicorn log to scan")
    args = parser.parse_args()
    log_start = Path(args.server_log).stat().st_size if args.server_log and Path(args.server_log).exists() else 0
    verdict, passed_at = "PASS", None
    with tempfile.TemporaryDirectory(prefix="mpp-load-") as tmp:
        for users in (int(u) for u in args.users.split(",")):
            stats = _step(args.host, users, args.seconds, Path(tmp))
            print(_table(users, stats), flush=True)
            total = next(row for row in stats if row["Name"] == "Aggregated")
            p95 = float(total["95%"] or 0)
            if p95 > 1000:
                passed_at = users
                print(f"\np95 {p95:.0f} ms > 1 s at {users} people: stopping here.")
                break
            if int(total["5xx"]):
                verdict = "FAIL"
                print(f"\nFAIL: {total['5xx']} responses 5xx at {users} people, below the 1 s point.")
    if args.server_log and Path(args.server_log).exists():
        with open(args.server_log, errors="replace") as handle:
            handle.seek(log_start)
            deaths = [line.rstrip() for line in handle if DEATHS.search(line)]
        print(f"\nworker deaths in {args.server_log}: {len(deaths)}")
        for line in deaths[:20]:
            print("   " + line)
        if deaths:
            verdict = "FAIL"
    print(f"\nverdict: {verdict}" + (f" (p95 passed 1 s at {passed_at} people)" if passed_at else ""))
    sys.exit(0 if verdict == "PASS" else 1)


if __name__ == "__main__":
    main()
