"""The team view at scale: 100,000 customers and 1,000,000 check-ins on SQLite.

Prints the median of the in-process `team_view` (target at most 1 s) and of `holdfast report --format
html` as a whole process (target at most 5 s). Run: `.venv/bin/python -m bench.team_bench`.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.nudge_bench import TEAM, TODAY, build_in_child, verdict
from bot.operations.team_view import team_view
from bot.services import Services
from bot.settings import Settings
from storage.db import open_database

CUSTOMERS, OWNERS, CHECKINS = 100_000, 200, 1_000_000
RUNS = 5


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/team.db"
        print(f"building {CUSTOMERS:,} customers, {CHECKINS:,} check-ins…")
        if not build_in_child(url, CUSTOMERS, OWNERS, CHECKINS):
            return 1
        database = open_database(url)
        services = Services(Settings(_env_file=None, database_url=url), database)
        for period in (30, 90):
            times = []
            for _ in range(RUNS):
                start = time.perf_counter()
                view = team_view(services, TEAM, today=TODAY, period_days=period)
                times.append(time.perf_counter() - start)
            took = statistics.median(times)
            print(
                f"team_view, {period} days: {took:.3f} s median of {RUNS}"
                f" ({verdict(took, 1.0)}, target 1 s); "
                f"coverage {view.coverage.share:.1%}, {len(view.owners)} owners"
            )
        database.dispose()
        out = Path(tmp) / "report.html"
        env = {**os.environ, "DATABASE_URL": url}
        times = []
        for _ in range(3):
            start = time.perf_counter()
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "bot",
                    "report",
                    "--team",
                    TEAM,
                    "--format",
                    "html",
                    "--out",
                    str(out),
                ],
                check=True,
                env=env,
                capture_output=True,
            )
            times.append(time.perf_counter() - start)
        took = statistics.median(times)
        print(
            f"holdfast report --format html, whole process: {took:.2f} s median of 3"
            f" ({verdict(took, 5.0)}, target 5 s)"
        )
        print(f"page: {out.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
