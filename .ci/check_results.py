"""Judge one CI test run from pytest's exit status and its JUnit XML report.

Usage: python3 .ci/check_results.py REPORT.xml EXIT_STATUS LABEL  (the status of pytest, or of `make test`)

The run fails when pytest failed, when nothing was collected (pytest exit 5, which `make` would otherwise turn
into a vague error), and when any browser test was skipped or none ran at all: a skipped browser suite looks
green while proving nothing about offline reading, passkeys or accessibility. Browser tests are recognised by
the browser name pytest-playwright puts in their ids (`test_x[chromium]`), so no marker bookkeeping is needed.
"""

from __future__ import annotations

import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

BROWSER_ID = re.compile(r"\[(?:.*-)?(chromium|firefox|webkit)(?:-.*)?\]$")


def main(report_path: str, status: str, label: str) -> int:
    status_code = int(status)
    report = Path(report_path)
    if status_code == 5:
        print(f"[{label}] FAIL: pytest collected no tests (exit 5).")
        return 1
    if not report.exists():
        print(f"[{label}] FAIL: no test report at {report} (pytest exit {status_code}): the run did not start.")
        return 1

    cases = ET.parse(report).getroot().iter("testcase")  # noqa: S314 (our own pytest wrote this file)
    total = skipped_total = 0
    browser_ran, browser_skipped = 0, []
    for case in cases:
        total += 1
        name = f"{case.get('classname')}::{case.get('name')}"
        skipped = case.find("skipped")
        if skipped is not None:
            skipped_total += 1
        if BROWSER_ID.search(case.get("name", "")):
            if skipped is not None:
                browser_skipped.append(f"{name}: {skipped.get('message', '')}")
            else:
                browser_ran += 1

    if total == 0:
        print(f"[{label}] FAIL: no test ran: nothing was collected, or pytest stopped first (see its output above).")
        return 1
    print(
        f"[{label}] {total} tests, {skipped_total} skipped, {browser_ran} browser tests ran (exit status {status_code})"
    )
    failed = False
    if status_code != 0:
        print(f"[{label}] FAIL: the test suite failed.")
        failed = True
    if browser_skipped:
        print(f"[{label}] FAIL: {len(browser_skipped)} browser tests were skipped; CI must run them:")
        for line in browser_skipped[:20]:
            print(f"  - {line}")
        failed = True
    if browser_ran == 0:
        print(f"[{label}] FAIL: no browser test ran; the suite must exercise the product in Chromium.")
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
