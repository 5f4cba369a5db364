"""Digest benchmark: plan one day's digests for a large book, send them through a flaky Slack, then
time the runs that follow, when nobody is due, and `holdfast nudge --dry-run` as a process.

    python -m bench.nudge_bench [--customers 100000] [--owners 2000] [--checkins 1000000]
                                [--database-url URL] [--threads 8] [--rate-limited 0.05]

1. Builds the book (in a child process, so its memory does not count): customers with their
   denormalised latest state, owners with cached time zones, and the check-ins.
2. Plans a full day's digests in-process with the job's own code and prints the time and the peak
   memory (targets: 1.5 s, 300 MB).
3. Sends every planned digest through a loopback Slack stand-in that answers 429 (Retry-After: 1)
   to a share of calls, and prints messages sent, duplicates and missing (both must be 0).
4. Times a scheduled run a few minutes later, when every digest due is sent and the other owners'
   hour has not come: nobody is due (target: 50 ms).
5. Times `holdfast nudge --dry-run` for the whole book as a process, its output to a file (target: 5 s).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from bot.nudge_job import NudgeJob, Outcome
from bot.rules.names import name_key
from bot.rules.vocabulary import Change, Expectation, Verdict
from bot.services import Services
from bot.settings import load_settings
from storage.db import Database, open_database
from storage.enums import DigestStatus
from storage.models import CheckIn, Customer, NudgeDigest, Owner
from tests.slack_stub import Call, SlackStub, rate_limited

NOW = datetime(2026, 6, 10, 10, 0, tzinfo=UTC)  # a Wednesday
TODAY = NOW.date()
TEAM = "T0BENCH"
ZONES = ["Europe/London", "Europe/Berlin", "America/New_York", "America/Los_Angeles", "Asia/Tokyo", "UTC"]
BATCH = 20_000


def owner_id(n: int) -> str:
    return f"U{n:06d}"


def build(database_url: str, customers: int, owners: int, checkins: int, seed: int = 7) -> None:
    """Fill an empty database with a realistic book."""
    rng = random.Random(seed)
    database = open_database(database_url)
    customer_table: Any = Customer.__table__  # type: ignore[attr-defined]
    checkin_table: Any = CheckIn.__table__  # type: ignore[attr-defined]
    owner_table: Any = Owner.__table__  # type: ignore[attr-defined]
    created = datetime(2026, 1, 1, tzinfo=UTC)

    def day(lo: int, hi: int) -> date:
        return TODAY - timedelta(days=rng.randint(lo, hi))

    with database.engine.begin() as connection:
        connection.execute(
            owner_table.insert(),
            [
                {
                    "team_id": TEAM,
                    "user_id": owner_id(n),
                    "tz": ZONES[n % len(ZONES)],
                    "tz_refreshed_at": NOW - timedelta(hours=1),
                    "deactivated": False,
                }
                for n in range(owners)
            ],
        )
        rows: list[dict[str, Any]] = []
        for n in range(customers):
            verdict = rng.choice([None, Verdict.HOLDS, Verdict.HOLDS, Verdict.WEAKENED, Verdict.CHANGED])
            verdict_on = day(0, 200) if verdict else None
            changes = [rng.choice(list(Change))] if rng.random() < 0.1 else []
            changes_on = day(0, 120) if changes else None
            concerns = [
                d
                for d in (verdict_on if verdict in (Verdict.WEAKENED, Verdict.CHANGED) else None, changes_on)
                if d
            ]
            step = rng.random() < 0.2
            name = f"Customer {n:06d}"
            rows.append(
                {
                    "team_id": TEAM,
                    "name": name,
                    "name_key": name_key(name),
                    "owner_user_id": owner_id(n % owners),
                    "original_reason": rng.choice(
                        ["faster onboarding", "audit trail", "price", "support", None]
                    ),
                    "current_reason": "self-serve reporting" if verdict == Verdict.CHANGED else None,
                    "customer_since": day(30, 2000),
                    "renewal_date": TODAY + timedelta(days=rng.randint(-30, 400))
                    if rng.random() < 0.8
                    else None,
                    "arr": round(rng.lognormvariate(10, 1.2), 2),
                    "cadence_days": rng.choice([7, 21, 45]) if rng.random() < 0.05 else None,
                    "active": rng.random() > 0.03,
                    "snoozed_until": TODAY + timedelta(days=rng.randint(1, 20))
                    if rng.random() < 0.02
                    else None,
                    "last_checkin_on": day(0, 90) if rng.random() > 0.05 else None,
                    "last_verdict": verdict,
                    "last_verdict_on": verdict_on,
                    "reason_confirmed_on": day(0, 200) if rng.random() < 0.6 else None,
                    "last_expectation": rng.choice(list(Expectation)),
                    "last_expectation_on": day(0, 200),
                    "concern_on": max(concerns) if concerns else None,
                    "last_changes": changes,
                    "last_changes_on": changes_on,
                    "next_step": "Send the renewal proposal" if step else None,
                    "next_step_due": TODAY + timedelta(days=rng.randint(-10, 20)) if step else None,
                    "next_step_on": day(0, 30) if step else None,
                    "created_at": created,
                    "updated_at": created,
                }
            )
            if len(rows) == BATCH:
                connection.execute(customer_table.insert(), rows)
                rows = []
        if rows:
            connection.execute(customer_table.insert(), rows)
        ids = [row[0] for row in connection.execute(sa.select(customer_table.c.id))]
        notes = ["Quarterly review", "Renewal call", "Support escalation", "Exec sponsor lunch"]
        batch: list[dict[str, Any]] = []
        for n in range(checkins):
            batch.append(
                {
                    "team_id": TEAM,
                    "customer_id": ids[n % len(ids)],
                    "occurred_on": day(0, 700),
                    "author_user_id": owner_id(n % owners),
                    "note": notes[n % len(notes)],
                    "verdict": rng.choice(list(Verdict)),
                    "expectation": rng.choice(list(Expectation)),
                    "changes": [],
                    "source": "import",
                    "created_at": created,
                }
            )
            if len(batch) == BATCH:
                connection.execute(checkin_table.insert(), batch)
                batch = []
        if batch:
            connection.execute(checkin_table.insert(), batch)
    analyze(database)
    database.dispose()


def build_in_child(database_url: str, customers: int, owners: int, checkins: int) -> bool:
    """`build` in a child process, so the book's memory is not the bench's; whether it worked."""
    child = multiprocessing.get_context("spawn").Process(
        target=build, args=(database_url, customers, owners, checkins)
    )
    child.start()
    child.join()
    if child.exitcode != 0:
        print(f"building the book failed (exit {child.exitcode})")
    return child.exitcode == 0


def analyze(database: Database) -> None:
    """On PostgreSQL, fresh planner statistics, as autovacuum keeps them after bulk changes."""
    if database.url.get_backend_name() == "postgresql":
        with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("ANALYZE"))


def services_for(database: Database, api_url: str, now: datetime = NOW) -> Services:
    settings = load_settings(
        slack_bot_token="xoxb-bench",
        slack_api_url=api_url,
        database_url=database.url.render_as_string(hide_password=False),
    )
    return Services(settings, database, lambda: now)


def verdict(elapsed: float, target: float) -> str:
    return "OK" if elapsed <= target else "OVER"


def nobody_due(database: Database, api_url: str, runs: int = 20) -> tuple[float, int]:
    """The median time of a scheduled run five minutes after the sends, and how many it planned."""
    job = NudgeJob(services_for(database, api_url, NOW + timedelta(minutes=5)))
    timings, planned = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        report = job()
        timings.append(time.perf_counter() - started)
        planned += len(report.plans)
    return statistics.median(timings), planned


def cli_dry_run(database_url: str, out: Path) -> float:
    """Seconds `holdfast nudge --dry-run` takes for the whole book, its output written to `out`."""
    root = Path(__file__).resolve().parents[1]
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(root),
        "DATABASE_URL": database_url,
    }
    command = [sys.executable, "-m", "bot", "nudge", "--dry-run", "--date", TODAY.isoformat()]
    with out.open("w", encoding="utf-8") as stdout:
        started = time.perf_counter()
        subprocess.run(command, stdout=stdout, env=env, cwd=out.parent, check=True)
        return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--owners", type=int, default=2_000)
    parser.add_argument("--checkins", type=int, default=1_000_000)
    parser.add_argument("--database-url", help="an empty database (default: a new SQLite file)")
    parser.add_argument("--threads", type=int, default=8, help="digest sender threads")
    parser.add_argument("--rate-limited", type=float, default=0.05, help="share of Slack calls answered 429")
    args = parser.parse_args(argv)

    workdir = tempfile.TemporaryDirectory(prefix="holdfast-bench-")
    url = args.database_url or f"sqlite:///{Path(workdir.name) / 'bench.db'}"
    started = time.perf_counter()
    if not build_in_child(url, args.customers, args.owners, args.checkins):
        return 1
    database = open_database(url)
    with database.engine.connect() as connection:
        counts = [
            connection.execute(sa.select(sa.func.count()).select_from(table)).scalar()
            for table in (Customer.__table__, Owner.__table__, CheckIn.__table__)  # type: ignore[attr-defined]
        ]
    backend = database.url.get_backend_name()
    print(
        f"book: {counts[0]:,} customers, {counts[1]:,} owners, {counts[2]:,} check-ins ({backend}), "
        f"built in {time.perf_counter() - started:.1f} s"
    )

    with SlackStub(team_id=TEAM) as slack:
        for n in range(args.owners):  # members of the workspace, who may receive their digests
            slack.add_user(owner_id(n), tz=ZONES[n % len(ZONES)])
        job = NudgeJob(services_for(database, slack.api_url), send_threads=args.threads)

        # Plan: timed cold (the first run in the process) and warm (every later run of the scheduler),
        # then once more under tracemalloc for the peak of Python allocations.
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        timings = []
        for _ in range(2):
            started = time.perf_counter()
            planned = job.plan(NOW, force=True)
            timings.append(time.perf_counter() - started)
            del planned
        cold, elapsed = timings
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        tracemalloc.start()
        planned = job.plan(NOW, force=True)
        _, heap_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        shown = sum(len(p.items) for p in planned.plans)
        due = sum(p.total for p in planned.plans)
        queued = sum(p.queued for p in planned.plans)
        print(
            f"full day's plan, in-process: {len(planned.plans):,} digests ({due:,} customers due, "
            f"{shown:,} shown, {queued:,} new ones queued) in {elapsed:.2f} s warm, {cold:.2f} s cold "
            f"(target 1.5 s): {verdict(elapsed, 1.5)}"
        )
        print(
            f"plan memory: peak Python heap {heap_peak / 2**20:.0f} MB; process peak RSS "
            f"{rss_after:.0f} MB (was {rss_before:.0f} MB before planning) (target 300 MB): "
            f"{'OK' if rss_after <= 300 else 'OVER'}"
        )

        # Send through a Slack that answers 429 to a share of calls.
        rng = random.Random(11)
        lock = threading.Lock()
        limited = [0]

        def flaky(call: Call) -> Any:
            with lock:
                hit = rng.random() < args.rate_limited
                limited[0] += hit
            return rate_limited(1) if hit else None

        for method in ("chat.postMessage", "conversations.history", "conversations.open", "users.info"):
            slack.on(method, flaky)
        started = time.perf_counter()
        report = job.run(force=True)
        elapsed = time.perf_counter() - started
        per_owner: dict[str, int] = {}
        for message in slack.posted():
            payload = (message.get("metadata") or {}).get("event_payload") or {}
            owner = str(payload.get("owner"))
            per_owner[owner] = per_owner.get(owner, 0) + 1
        wanted = {p.owner_user_id for p in report.plans}
        duplicates = sum(n - 1 for n in per_owner.values() if n > 1)
        missing = len(wanted - set(per_owner))
        with database.engine.connect() as connection:
            sent_rows = connection.execute(
                sa.select(sa.func.count()).where(col(NudgeDigest.status) == DigestStatus.SENT)
            ).scalar()
        calls = len(slack.calls)
        print(
            f"send: {len(per_owner):,} messages sent to {len(wanted):,} owners in {elapsed:.1f} s "
            f"with {args.threads} threads; {limited[0]:,} of {calls:,} Slack calls answered 429 "
            "(Retry-After: 1)"
        )
        print(f"send: duplicates {duplicates}, missing {missing}; ledger rows sent: {sent_rows:,}")
        again = job.run(force=True)
        print(
            f"send again the same day: {again.count(Outcome.SENT)} sent, "
            f"{again.count(Outcome.ALREADY_SENT):,} already sent"
        )
        analyze(database)  # the day's 2,000 ledger rows are new
        elapsed, planned_later = nobody_due(database, slack.api_url)
        print(
            f"a run with nobody due: {elapsed * 1000:.1f} ms (median of 20), {planned_later} digests "
            f"planned (target 50 ms): {verdict(elapsed, 0.05)}"
        )
    output = Path(workdir.name) / "dry-run.txt"
    elapsed = cli_dry_run(url, output)
    lines = len(output.read_text(encoding="utf-8").splitlines())
    print(
        f"holdfast nudge --dry-run, whole book, output to a file ({lines:,} lines): {elapsed:.2f} s "
        f"(target 5 s): {verdict(elapsed, 5)}"
    )
    database.dispose()
    workdir.cleanup()
    return 0 if duplicates == 0 and missing == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
