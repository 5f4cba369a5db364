"""Import 100,000 customers and 500,000 check-ins into a fresh SQLite file, the way `holdfast import` does,
then import the customers again: unchanged (no history written), and with a tenth of them changed.

Run: python -m bench.import_bench [--customers N] [--checkins N] [--keep DIR] [--trace]
Owners and authors are Slack user IDs, so no Slack calls are made. The files are read and validated
by the same functions the command line calls. The changed file gives every tenth customer another
owner, ARR and cadence, and makes every twentieth inactive, so each re-import of it records one
history row per changed field. Prints rows per second for each import (wall clock,
and the process's CPU time, which other load on the machine disturbs less) and the peak RSS; with
--trace also the peak of Python allocations traced by tracemalloc (which slows the run several-fold,
so its timings are not comparable).
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import TextIO

from bot.operations.import_book import CustomerImport, import_checkins, import_customers
from storage.db import open_database
from storage.types import utcnow

TEAM = "T0BENCH"
TARGET_SECONDS = 20
TARGET_MB = 500
VERDICTS = ("holds", "weakened", "changed", "not asked", "")
EXPECTATIONS = ("above", "meets", "below", "unknown", "")


CHANGED_EVERY = 10
INACTIVE_EVERY = 20


def write_customers(path: Path, count: int, rng: random.Random) -> None:
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(("name", "owner", "reason", "since", "renewal_date", "arr", "cadence_days"))
        for n in range(count):
            since = date(2018, 1, 1) + timedelta(days=rng.randrange(2500))
            writer.writerow(
                (
                    f"Customer {n:06d} GmbH",
                    f"U{rng.randrange(200):05d}",
                    f"Chose us for reason {rng.randrange(50)}",
                    since.isoformat(),
                    (since + timedelta(days=365 * rng.randint(1, 5))).isoformat(),
                    rng.randrange(1_000, 2_000_000),
                    rng.choice(("", "", "", "14", "30")),
                )
            )


def write_changed_customers(source: Path, path: Path) -> int:
    """`source` with an `active` column and some customers changed; returns the fields changed."""
    changed = 0
    with (
        source.open(encoding="utf-8", newline="") as old,
        path.open("w", encoding="utf-8", newline="") as new,
    ):
        reader, writer = csv.reader(old), csv.writer(new)
        writer.writerow([*next(reader), "active"])
        for n, (name, owner, reason, since, renewal, arr, cadence) in enumerate(reader):
            active = "true"
            if n % CHANGED_EVERY == 0:
                owner, arr, cadence = f"W{owner[1:]}", str(int(arr) + 1), str(int(cadence or "7") + 1)
                changed += 3
            if n % INACTIVE_EVERY == 0:
                active = "false"
                changed += 1
            writer.writerow((name, owner, reason, since, renewal, arr, cadence, active))
    return changed


def write_checkins(path: Path, count: int, customers: int, rng: random.Random) -> None:
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(
            ("customer", "date", "author", "note", "verdict", "expectation", "changes", "next_step")
        )
        for n in range(count):
            changed = rng.random() < 0.05
            writer.writerow(
                (
                    f"Customer {rng.randrange(customers):06d} GmbH",
                    (date(2022, 1, 1) + timedelta(days=rng.randrange(1400))).isoformat(),
                    f"U{rng.randrange(200):05d}",
                    f"Call {n}: talked about the roadmap and the budget for next year",
                    rng.choice(VERDICTS),
                    rng.choice(EXPECTATIONS),
                    "reorg;budget_cut" if changed else "",
                    "Send the proposal" if rng.random() < 0.1 else "",
                )
            )


def timed(label: str, rows: int, run: Callable[[], object]) -> tuple[float, float]:
    """Run an import; print and return its wall-clock and CPU seconds."""
    started, cpu_started = time.perf_counter(), time.process_time()
    result = run()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    print(f"{label}: {rows:,} rows in {seconds:.2f} s = {rows / seconds:,.0f} rows/s (CPU {cpu:.2f} s)")
    print(f"  {result}")
    return seconds, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--checkins", type=int, default=500_000)
    parser.add_argument("--trace", action="store_true", help="also trace allocations (slow)")
    parser.add_argument("--keep", type=Path, help="write the files and database here instead of a temp dir")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        work = args.keep or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        rng = random.Random(2026)
        customers_csv, checkins_csv = work / "customers.csv", work / "checkins.csv"
        write_customers(customers_csv, args.customers, rng)
        write_checkins(checkins_csv, args.checkins, args.customers, rng)
        database_file = work / "bench.db"
        database_file.unlink(missing_ok=True)
        database = open_database(f"sqlite:///{database_file}")

        def read(path: Path) -> TextIO:
            return path.open(encoding="utf-8-sig", newline="")

        if args.trace:
            tracemalloc.start()
        with read(customers_csv) as stream:
            first = timed(
                "import customers",
                args.customers,
                lambda: import_customers(
                    stream,
                    database=database,
                    team_id=TEAM,
                    resolve_emails=None,
                    today=date.today(),
                    now=utcnow(),
                ),
            )
        with read(checkins_csv) as stream:
            second = timed(
                "import check-ins",
                args.checkins,
                lambda: import_checkins(
                    stream, database=database, team_id=TEAM, resolve_emails=None, now=utcnow()
                ),
            )

        def import_again(path: Path) -> CustomerImport:
            with read(path) as stream:
                return import_customers(
                    stream,
                    database=database,
                    team_id=TEAM,
                    resolve_emails=None,
                    today=date.today(),
                    now=utcnow(),
                )

        timed("re-import customers, unchanged", args.customers, lambda: import_again(customers_csv))
        changed_csv = work / "customers-changed.csv"
        changes = write_changed_customers(customers_csv, changed_csv)
        timed(
            f"re-import customers, {changes:,} fields changed",
            args.customers,
            lambda: import_again(changed_csv),
        )
        database.dispose()
        # ru_maxrss is in kilobytes on Linux (bytes on macOS).
        scale = 1 if sys.platform == "darwin" else 1024
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20
        wall, cpu = first[0] + second[0], first[1] + second[1]
        print(f"total: {wall:.2f} s wall clock, {cpu:.2f} s CPU (target < {TARGET_SECONDS} s)")
        print(f"peak RSS: {rss_mb:.0f} MB (target < {TARGET_MB} MB)")
        if args.trace:
            _, traced_peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            print(f"peak traced by tracemalloc: {traced_peak / 2**20:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
