"""Redis down (restarting, flushed, unreachable) never turns a rate-limited request into a 500: Flask-Limiter counts
in the process's memory meanwhile. Run in a separate process, since the limiter is one object per process."""

from __future__ import annotations

import os
import subprocess
import sys

from app.config import PROJECT_ROOT

PROBE = """
from app import create_app
app = create_app({"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1/13"})  # nothing listens on port 1
response = app.test_client().get("/api/v1/mpps")
print("STATUS", response.status_code)
"""


def test_a_rate_limited_request_is_answered_while_redis_is_down(app, database_url, tmp_path):
    env = {
        **os.environ,
        "MPP_DATABASE_URL": database_url,
        "MPP_INSTANCE_DIR": str(tmp_path),
        "MPP_INPROCESS_WORKER": "0",
        "MPP_SECRET_KEY": "probe",
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120
    )
    assert "STATUS 200" in result.stdout, result.stdout[-2000:] + result.stderr[-2000:]
