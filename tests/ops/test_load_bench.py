"""The load benchmark keeps working: a short run with a few users ends with passing verification
lines (budgets are the benchmark's business, not a timed test's)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_short_load_run_verifies(app_config):
    args = [sys.executable, "-m", "bench", "load", "--users", "6", "--seconds", "6", "--workers", "1"]
    database = app_config["SQLALCHEMY_DATABASE_URI"]
    if not database.startswith("sqlite"):
        args += ["--database", database]  # a scratch database is created beside the test database
    result = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=600,
                            env={**os.environ, "PYTHONWARNINGS": "ignore"})
    out = result.stdout
    assert "verification:" in out, out + result.stderr
    lines = out.split("verification:")[1].split("budgets")[0].strip().splitlines()
    assert len(lines) >= 8
    failing = [line for line in lines if line.strip().startswith("FAIL")]
    assert not failing, out
    assert "PASS  zero 5xx" in out and "p95 / trivial" in out
