"""A first `holdfast crm sync` of 50,000 HubSpot companies into a fresh SQLite file, then an
incremental sync after 500 of them changed, each run as its own `python -m bot` process against the
HubSpot and Slack stand-ins (which answer at once) started here.

Run: python -m bench.crm_bench [--companies N] [--changed N] [--owners N] [--keep DIR]
Companies are modified a second apart, with 50 owners (each a Slack user found by e-mail), an ARR,
a renewal date, customer since and a reason. The changed ones are modified an hour after the last,
so the incremental run reads them and the overlap's few. Prints each run's wall time, the peak RSS
of its process, and its HTTP requests to HubSpot (as the command reports them and as the stand-in
counted them), against the targets.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from tests.hubspot_stub import HubSpotStub
from tests.slack_stub import SlackStub

ROOT = Path(__file__).resolve().parents[1]
FIRST_SECONDS = 60
INCREMENTAL_SECONDS = 5
TARGET_MB = 400


def populate(
    hubspot: HubSpotStub, slack: SlackStub, companies: int, owners: int, rng: random.Random
) -> list[str]:
    owner_ids = []
    for n in range(owners):
        email = f"owner{n:03d}@example.com"
        slack.add_user(f"U{n:05d}", email=email)
        owner_ids.append(hubspot.add_owner(email))
    ids = []
    for n in range(companies):
        since = date(2018, 1, 1) + timedelta(days=rng.randrange(2500))
        ids.append(
            hubspot.add_company(
                f"Company {n:06d} GmbH",
                owner_id=rng.choice(owner_ids),
                arr=rng.randrange(1_000, 2_000_000),
                renewal_date=(since + timedelta(days=365 * rng.randint(2, 9))).isoformat(),
                hs_lifecyclestage_customer_date=f"{since.isoformat()}T00:00:00.000Z",
                reason_chosen=f"Chose us for reason {rng.randrange(50)}",
            )
        )
    return ids


def run_sync(
    label: str, hubspot: HubSpotStub, directory: Path, environment: dict[str, str], target: float
) -> bool:
    """Run `holdfast crm sync` as a process; print its figures; whether it met the targets."""
    before = len(hubspot.calls)
    out, err = directory / "sync.out", directory / "sync.err"
    started = time.perf_counter()
    with out.open("w") as stdout, err.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "crm", "sync"],
            cwd=directory,
            env=environment,
            stdout=stdout,
            stderr=stderr,
        )
        # wait4 gives this process's own peak RSS (ru_maxrss, in KiB on Linux).
        _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    text = out.read_text()
    if code != 0:
        print(f"{label}: failed with exit code {code}\n{err.read_text()}")
        return False
    peak_mb = usage.ru_maxrss / 1024
    reported = re.search(r"HTTP requests to HubSpot: (\d+)", text)
    print(f"{label}: {text.splitlines()[0]}")
    print(
        f"  {seconds:.1f} s (target {target:.0f} s), peak RSS {peak_mb:.0f} MB (target {TARGET_MB} MB), "
        f"HTTP requests: {reported.group(1) if reported else '?'} (the stand-in counted "
        f"{len(hubspot.calls) - before})"
    )
    return seconds <= target and peak_mb <= TARGET_MB


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--companies", type=int, default=50_000)
    parser.add_argument("--changed", type=int, default=500)
    parser.add_argument("--owners", type=int, default=50)
    parser.add_argument(
        "--keep", type=Path, help="Write the database here (kept) instead of a temporary directory."
    )
    args = parser.parse_args()
    rng = random.Random(15)
    with tempfile.TemporaryDirectory() as scratch, HubSpotStub() as hubspot, SlackStub("T0BENCH") as slack:
        directory = args.keep or Path(scratch)
        directory.mkdir(parents=True, exist_ok=True)
        database = directory / "crm-bench.db"
        database.unlink(missing_ok=True)
        started = time.perf_counter()
        ids = populate(hubspot, slack, args.companies, args.owners, rng)
        print(f"The stand-in holds {len(ids):,} companies ({time.perf_counter() - started:.1f} s to build).")
        environment = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "PYTHONPATH": str(ROOT),
            "DATABASE_URL": f"sqlite:///{database}",
            "HUBSPOT_TOKEN": hubspot.token,
            "HUBSPOT_API_URL": hubspot.url,
            "SLACK_BOT_TOKEN": "xoxb-bench",
            "SLACK_API_URL": slack.api_url,
            "SLACK_TEAM_ID": "T0BENCH",
        }
        first = run_sync(
            f"First sync of {len(ids):,} companies", hubspot, directory, environment, FIRST_SECONDS
        )
        hubspot.now_ms += 3_600_000
        for company in rng.sample(ids, args.changed):
            hubspot.change(company, arr=rng.randrange(1_000, 2_000_000))
        incremental = run_sync(
            f"Incremental sync, {args.changed} changed", hubspot, directory, environment, INCREMENTAL_SECONDS
        )
    return 0 if first and incremental else 1


if __name__ == "__main__":
    sys.exit(main())
