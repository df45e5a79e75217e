"""Benchmark: the public performance pages (/kinerja, /kinerja/mpp/<slug>) over a year of data — 100k applications,
their completion events, survey responses and complaints — cold (page cache off) and cached (the minute-long
page cache of app/pagecache.py). Reports numbers, asserts nothing. Fills a SCRATCH database:

    .venv/bin/python bench/kinerja.py                                  # SQLite file in a temporary folder
    .venv/bin/python bench/kinerja.py --applications 20000 --repeat 3
    .venv/bin/python bench/kinerja.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test_bench
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import sqlalchemy as sa  # noqa: E402
from inbox import _fill, _prepare  # noqa: E402  (the same 100k applications as the inbox benchmark)


def _fill_feedback(seed: int = 11) -> None:
    """Completion events for completed applications, a survey response for a third of them, complaints for 1 %."""
    from app.applications.models import Application, ApplicationStatus, StatusEvent
    from app.extensions import db
    from app.feedback.models import Complaint, SurveyInvitation, SurveyOutcome, SurveyResponse

    rng = random.Random(seed)
    rows = db.session.execute(
        sa.select(Application.id, Application.user_id, Application.mpp_id, Application.service_id,
                  Application.submitted_at).where(Application.status == ApplicationStatus.COMPLETED)
    ).all()  # fmt: skip
    events, invitations = [], []
    for app_id, user_id, mpp_id, service_id, submitted in rows:
        done = submitted + dt.timedelta(hours=rng.randrange(2, 24 * 20))
        events.append({"application_id": app_id, "from_status": ApplicationStatus.IN_PROCESS,
                       "to_status": ApplicationStatus.COMPLETED, "actor_role": "petugas", "created_at": done})  # fmt: skip
        invitations.append({"token": f"t{app_id}", "user_id": user_id, "application_id": app_id,
                            "outcome": SurveyOutcome.COMPLETED, "mpp_id": mpp_id, "service_id": service_id,
                            "created_at": done})  # fmt: skip
    db.session.execute(sa.insert(StatusEvent), events)
    db.session.execute(sa.insert(SurveyInvitation), invitations)
    invited = db.session.execute(
        sa.select(
            SurveyInvitation.id, SurveyInvitation.mpp_id, SurveyInvitation.service_id, SurveyInvitation.created_at
        )
    ).all()
    responses = []
    for inv_id, mpp_id, service_id, created in invited:
        if rng.random() < 0.33:
            scores = {f"u{i}": rng.choice((2, 3, 3, 4, 4)) for i in range(1, 10)}
            responses.append({"invitation_id": inv_id, "mpp_id": mpp_id, "service_id": service_id,
                              "outcome": SurveyOutcome.COMPLETED, "created_at": created, **scores})  # fmt: skip
    db.session.execute(sa.insert(SurveyResponse), responses)
    complaints = []
    for i, (_app_id, _user, mpp_id, service_id, submitted) in enumerate(rows[: max(1, len(rows) // 100)]):
        complaints.append({"number": f"ADU-{i:04d}-BNCH", "kind": "pengaduan", "title": "x", "body": "x" * 20,
                           "mpp_id": mpp_id, "service_id": service_id, "status": "ditanggapi", "version": 1,
                           "created_at": submitted, "status_changed_at": submitted, "confidential": False,
                           "anonymous": False, "reopened": rng.random() < 0.1, "answered_on_time": rng.random() < 0.8,
                           "resolution_due_on": submitted.date() + dt.timedelta(days=84), "channel": "web"})  # fmt: skip
    db.session.execute(sa.insert(Complaint), complaints)
    db.session.commit()


def _time(client, url: str, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        out.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--applications", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='mpp-bench-kinerja-')}/bench.db"
    app = _prepare(url)
    with app.app_context():
        _fill(args.applications)
        _fill_feedback()
    client = app.test_client()
    year = dt.datetime.now(dt.UTC).year
    quarter = (dt.datetime.now(dt.UTC).month - 1) // 3 + 1
    for label, cache_seconds in (("cold (no page cache)", 0), ("cached (page cache, same minute)", 60)):
        app.config["PAGE_CACHE_SECONDS"] = cache_seconds
        for path in (f"/kinerja?periode={year}-T{quarter}", f"/kinerja/mpp/kota-kendari?periode={year}-T{quarter}"):
            times = _time(client, path, args.repeat)
            print(
                f"{label:34} {path:50} median {statistics.median(times) * 1000:8.1f} ms  max {max(times) * 1000:8.1f} ms"
            )


if __name__ == "__main__":
    main()
