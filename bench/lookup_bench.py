"""Lookup latency: `/customer <name>` and the check-in typeahead against `holdfast serve` over HTTP.

Builds a SQLite book of 10,000 customers and 200,000 check-ins, starts `holdfast serve` (HTTP mode,
a real subprocess) against a loopback Slack stand-in, and sends 1,000 signed `/customer <name>`
requests, 20 at a time, once the server has finished its start-up work. The same load goes to a
bare Bolt app on the same server and configuration that only acks, for the ratio. Finally the book
grows to 50,000 customers and 1,000 typeahead requests (block_suggestion) measure the customer
search. Each load runs in three rounds, the card's and the bare app's interleaved, and percentiles
are taken over all of them: on a shared two-core machine a single stall of a few milliseconds
holds up all 20 requests in flight, which is 2% of one round, enough to decide its p99 alone.
The servers' CPU time per request (from /proc, on Linux) is printed too, and is far steadier than
a p99. It is what the latencies are made of: with 20 requests always in flight the server is never
idle, so a request waits for about 20 requests' worth of server CPU. The latency ratio is therefore
close to the CPU ratio, and a p99 ratio strays from it only through pauses that hit both apps.

First it times the two views those lookups render, in-process: the card and 100 typeahead options,
hand-built as plain JSON (what they are) against the same blocks as slack_sdk models serialised
(what every other view is), the figures `handlers/views/hand_built.py` is kept for.

Run from the repository root:  python -m bench.lookup_bench  (only the views: --views-only)
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import urlsplit

from slack_sdk.models.blocks import Block
from sqlalchemy import insert

from bot.gc_pause import freeze_set_up
from bot.rules.facts import CheckInEntry
from bot.rules.health import health
from bot.rules.names import name_key
from bot.rules.policy import Policy
from bot.rules.vocabulary import Change, Expectation, Verdict
from handlers.views.common import option_model
from handlers.views.customer_card import customer_card
from handlers.views.hand_built import option
from storage.db import open_database
from storage.models import CheckIn, Customer
from tests.slack_requests import (
    BOT_TOKEN,
    SIGNING_SECRET,
    TEAM_ID,
    block_suggestion,
    interaction,
    signed_headers,
    slash_command,
)
from tests.slack_stub import SlackStub

ROOT = Path(__file__).resolve().parents[1]
CUSTOMERS = 10_000
CHECKINS = 200_000
TYPEAHEAD_CUSTOMERS = 50_000
REQUESTS = 1_000
CONCURRENCY = 20
WARMUP = 100
ROUNDS = 3
OWNERS = [f"U{n:04d}" for n in range(1, 51)]
WORDS = ["acme", "globex", "initech", "umbrella", "stark", "wayne", "wonka", "hooli", "vandelay", "tyrell"]
TODAY = date(2025, 3, 14)


def company(n: int) -> str:
    rng = random.Random(n)
    return f"{rng.choice(WORDS).title()} {rng.choice(WORDS).title()} {n:05d}"


def build_book(database_url: str) -> list[str]:
    """Customers and check-ins in bulk; the names to look up."""
    database = open_database(database_url)
    rng = random.Random(7)
    now = datetime.now(UTC)
    names = [company(n) for n in range(CUSTOMERS)]
    rows = [
        {
            "id": n + 1,
            "team_id": TEAM_ID,
            "name": name,
            "name_key": name_key(name),
            "owner_user_id": OWNERS[n % len(OWNERS)],
            "original_reason": "They needed a faster onboarding for new hires",
            "original_reason_on": date(2021, 1, 1),
            "customer_since": date(2021, 1, 1),
            "renewal_date": TODAY + timedelta(days=rng.randint(-30, 400)),
            "arr": float(rng.randint(5, 500) * 1000),
            "active": True,
            "last_checkin_on": TODAY - timedelta(days=rng.randint(0, 90)),
            "last_checkin_by": OWNERS[n % len(OWNERS)],
            "last_changes": [],
            "created_at": now,
            "updated_at": now,
        }
        for n, name in enumerate(names)
    ]
    checkins = [
        {
            "team_id": TEAM_ID,
            "customer_id": rng.randint(1, CUSTOMERS),
            "occurred_on": TODAY - timedelta(days=rng.randint(0, 1000)),
            "author_user_id": rng.choice(OWNERS),
            "spoke_with": "Jo (CFO)",
            "note": "Talked about the roadmap, their new team and the renewal. " * 2,
            "verdict": rng.choice(["holds", "weakened", "changed", "not_asked"]),
            "new_reason": "Cost",
            "expectation": rng.choice(["above", "meets", "below", "unknown"]),
            "changes": [],
            "source": "bench",
            "created_at": now,
        }
        for _ in range(CHECKINS)
    ]
    with database.transaction() as session:
        session.execute(insert(Customer), rows)
        for start in range(0, len(checkins), 20_000):
            session.execute(insert(CheckIn), checkins[start : start + 20_000])
    database.dispose()
    return names


def grow_book(database_url: str, total: int) -> None:
    database = open_database(database_url)
    now = datetime.now(UTC)
    rows = [
        {
            "id": n + 1,
            "team_id": TEAM_ID,
            "name": company(n),
            "name_key": name_key(company(n)),
            "owner_user_id": OWNERS[n % len(OWNERS)],
            "active": True,
            "last_changes": [],
            "created_at": now,
            "updated_at": now,
        }
        for n in range(CUSTOMERS, total)
    ]
    with database.transaction() as session:
        session.execute(insert(Customer), rows)
    database.dispose()


def start(args: Sequence[str], env: dict[str, str]) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if "listening" not in line:
        process.kill()
        raise SystemExit(f"server did not start: {line!r}")
    return process


def cpu_seconds(process: subprocess.Popen[str]) -> float | None:
    """The CPU time `process` has used (user + system), where /proc tells (Linux)."""
    stat = Path(f"/proc/{process.pid}/stat")
    if not stat.exists():
        return None
    fields = stat.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def settle(process: subprocess.Popen[str], *, window: float = 0.3, limit: float = 60.0) -> None:
    """Wait until the server's start-up work is done: its CPU time stops growing.

    `holdfast serve` starts with a digest run, which reads every customer. Measured alongside the
    requests, that one run would decide the p99 (it stalls the 20 requests in flight at once); it is
    not what this benchmark measures, and `bench/nudge_bench.py` measures it on its own.
    """
    before = cpu_seconds(process)
    if before is None:  # not Linux: give the start-up run time to finish
        time.sleep(5)
        return
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        time.sleep(window)
        after = cpu_seconds(process) or 0.0
        if after - before <= 0.02:
            return
        before = after


def load_on(
    process: subprocess.Popen[str], port: int, bodies: Sequence[str], check: Callable[[str], bool]
) -> tuple[list[float], float]:
    """`load` against the server `process` listening on `port`; also the server CPU seconds it took."""
    before = cpu_seconds(process)
    latencies = load(f"http://127.0.0.1:{port}", bodies, check)
    after = cpu_seconds(process)
    return latencies, (after - before) if after is not None and before is not None else 0.0


def stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    process.wait(timeout=60)


@contextmanager
def serving(args: Sequence[str], env: dict[str, str]) -> Iterator[subprocess.Popen[str]]:
    """A server running (start-up work done) for the duration of the block."""
    process = start(args, env)
    try:
        settle(process)
        yield process
    finally:
        stop(process)


def load(url: str, bodies: Sequence[str], check: Callable[[str], bool]) -> list[float]:
    """Send every body, CONCURRENCY at a time; the latency of each in milliseconds.

    The client shares the machine with the server, so it is kept cheap: bodies are signed before
    the clock starts (a signature stays valid for five minutes) and each worker thread keeps one
    plain keep-alive connection. Its own heap (the book's names, SQLAlchemy, the Slack stand-in) is
    exempt from garbage collection while it loads: one full collection of it was seen pausing the 20
    requests in flight for 38 ms, a pause of the client's, not the server's. Both apps get the same
    client.
    """
    address = urlsplit(url)
    local = threading.local()
    signed = [(body.encode(), signed_headers(body)) for body in bodies]
    freeze_set_up()

    def one(request: tuple[bytes, dict[str, str]]) -> float:
        connection = getattr(local, "connection", None)
        if connection is None:
            connection = local.connection = HTTPConnection(address.hostname or "", address.port, timeout=30)
        body, headers = request
        began = time.perf_counter()
        connection.request("POST", "/slack/events", body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode()
        elapsed = (time.perf_counter() - began) * 1000
        if response.status != 200 or not check(text):
            raise SystemExit(f"bad answer {response.status}: {text[:200]}")
        return elapsed

    with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
        list(pool.map(one, signed[REQUESTS:]))  # warm-up, not counted
        return list(pool.map(one, signed[:REQUESTS]))


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summary(label: str, rounds: Sequence[Sequence[float]]) -> tuple[float, float]:
    """Print p50 and p99 over every round (and each round's p99, to show the spread)."""
    values = [value for latencies in rounds for value in latencies]
    p50, p99 = statistics.median(values), percentile(values, 0.99)
    each = " / ".join(f"{percentile(latencies, 0.99):.1f}" for latencies in rounds)
    print(f"{label:<48} p50 {p50:6.1f} ms   p99 {p99:6.1f} ms   (p99 per round: {each})")
    return p50, p99


def bare_server(port: int) -> None:
    """A Bolt app that only acks `/customer`, on the same server, client and listener configuration."""
    from concurrent.futures import ThreadPoolExecutor as Executor

    from bot.app import LISTENER_THREADS, HoldfastApp
    from bot.server import HttpServer, make_wsgi_app
    from bot.services import Services
    from bot.settings import load_settings
    from bot.slack_client import make_web_client
    from storage.db import Database

    settings = load_settings()
    # The same edge as `holdfast serve` (size, signature and shape checks), in front of a bare app.
    app = HoldfastApp(
        Services(settings, Database(settings.database_url)),
        request_verification_enabled=False,
        client=make_web_client(settings),
        listener_executor=Executor(max_workers=LISTENER_THREADS),
        process_before_response=True,
    )
    app.command("/customer")(lambda ack: ack())
    server = HttpServer(make_wsgi_app(app, lambda: True), host="127.0.0.1", port=port)
    freeze_set_up()  # as `holdfast serve` does before serving
    print(f"bare app listening on {server.url}", flush=True)
    import signal

    signal.signal(signal.SIGTERM, lambda *_: server.stop())
    server.serve()


def best_ms(work: Callable[[], object], *, repeat: int = 7, number: int = 200) -> float:
    """The fastest of `repeat` runs of `number` calls, per call, in milliseconds."""
    runs = []
    for _ in range(repeat):
        began = time.perf_counter()
        for _ in range(number):
            work()
        runs.append((time.perf_counter() - began) / number * 1000)
    return min(runs)


def view_costs() -> None:
    """The card and 100 typeahead options, hand-built against slack_sdk models (the card's blocks parsed
    into models, the options built as models), serialised to JSON, in-process."""
    customer = Customer(
        id=1,
        team_id=TEAM_ID,
        name=company(1),
        name_key=name_key(company(1)),
        owner_user_id="U0001",
        original_reason="They needed a faster onboarding for new hires",
        original_reason_on=date(2021, 1, 1),
        current_reason="Price & speed of delivery",
        current_reason_on=TODAY - timedelta(days=30),
        customer_since=date(2021, 1, 1),
        renewal_date=TODAY + timedelta(days=40),
        arr=120_000.0,
        last_checkin_on=TODAY - timedelta(days=40),
        last_verdict=Verdict.WEAKENED,
        last_verdict_on=TODAY - timedelta(days=40),
        last_verdict_by="U0002",
        last_expectation=Expectation.BELOW,
        last_changes=[Change.REORG],
        last_changes_on=TODAY - timedelta(days=40),
        next_step="Call the CFO about the renewal",
        next_step_due=TODAY + timedelta(days=3),
    )
    latest = [
        CheckInEntry(
            TODAY - timedelta(days=40 + n),
            "U0002",
            "Jo (CFO)",
            "Talked about the roadmap. " * 4,
            Verdict.HOLDS,
            None,
            Expectation.MEETS,
        )
        for n in range(3)
    ]
    state = health(customer, today=TODAY, policy=Policy(), is_key=True)

    def card() -> list[dict[str, object]]:
        return customer_card(customer, latest=latest, health=state, today=TODAY)

    def card_as_models() -> list[dict[str, object]]:
        return [block.to_dict() for block in Block.parse_all(card())]

    labels = [(str(n), company(n)) for n in range(100)]
    card_ms, card_models_ms = best_ms(card), best_ms(card_as_models)
    options_ms = best_ms(lambda: [option(label, value) for value, label in labels], number=50)
    options_models_ms = best_ms(
        lambda: [option_model(label, value).to_dict() for value, label in labels], number=50
    )
    print(
        f"views: /customer card {card_ms:.3f} ms hand-built, {card_models_ms:.3f} ms as slack_sdk models "
        f"({card_models_ms / card_ms:.1f}x)"
    )
    print(
        f"views: 100 typeahead options {options_ms:.3f} ms hand-built, "
        f"{options_models_ms:.3f} ms as slack_sdk models ({options_models_ms / options_ms:.1f}x)"
    )


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--bare-server", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--views-only", action="store_true", help="Only time building the views.")
    options = parser.parse_args()
    if options.bare_server:
        bare_server(options.bare_server)
        return
    view_costs()
    if options.views_only:
        return

    with tempfile.TemporaryDirectory() as tmp, SlackStub() as slack:
        database_url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        began = time.perf_counter()
        names = build_book(database_url)
        built = time.perf_counter() - began
        print(f"book: {CUSTOMERS:,} customers, {CHECKINS:,} check-ins ({built:.1f} s to build)")
        slack.add_user("U0001", tz="Europe/London")
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1",
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack.api_url,
            "DATABASE_URL": database_url,
        }
        rng = random.Random(11)
        lookups = [
            slash_command("/customer", rng.choice(names), user_id="U0001", response_url=slack.response_url())
            for _ in range(REQUESTS + WARMUP)
        ]

        def is_card(text: str) -> bool:
            return '"header"' in text

        serve = ["-m", "bot", "serve", "--host", "127.0.0.1"]
        port, bare_port = free_port(), free_port()
        card: list[list[float]] = []
        acks: list[list[float]] = []
        card_cpu = bare_cpu = 0.0
        with (
            serving(serve, {**env, "PORT": str(port)}) as holdfast,
            serving([str(Path(__file__)), "--bare-server", str(bare_port)], env) as bare,
        ):
            for _ in range(ROUNDS):  # interleaved, so both see the machine in the same state
                latencies, cpu = load_on(holdfast, port, lookups, is_card)
                card.append(latencies)
                card_cpu += cpu
                latencies, cpu = load_on(bare, bare_port, lookups, lambda text: True)
                acks.append(latencies)
                bare_cpu += cpu

        grow_book(database_url, TYPEAHEAD_CUSTOMERS)
        queries = [rng.choice(WORDS)[: rng.randint(1, 5)] for _ in range(REQUESTS + WARMUP)]
        suggestions = [
            interaction(block_suggestion("checkin_customer", query, user_id="U0001")) for query in queries
        ]
        with serving(serve, {**env, "PORT": str(port)}):
            typeahead = [
                load(f"http://127.0.0.1:{port}", suggestions, lambda text: '"options"' in text)
                for _ in range(ROUNDS)
            ]

        print(
            f"load: {ROUNDS} rounds of {REQUESTS:,} signed requests, {CONCURRENCY} at a time, loopback, "
            f"{WARMUP} warm-up each; percentiles over all rounds"
        )
        _, card_p99 = summary("holdfast serve: /customer <name> (card)", card)
        _, bare_p99 = summary("bare Bolt app, same server: ack only", acks)
        _, typeahead_p99 = summary(
            f"holdfast serve: typeahead over {TYPEAHEAD_CUSTOMERS:,} customers", typeahead
        )
        ratio = card_p99 / bare_p99
        print(f"p99 ratio card / bare: {ratio:.2f}x")
        if card_cpu and bare_cpu:
            sent = ROUNDS * len(lookups) / 1000  # thousands, so seconds per request read as milliseconds
            print(
                f"server CPU per request (warm-up included): card {card_cpu / sent:.2f} ms, "
                f"bare {bare_cpu / sent:.2f} ms ({card_cpu / bare_cpu:.2f}x)"
            )
        print(
            f"targets: card p99 <= 100 ms: {'met' if card_p99 <= 100 else 'MISSED'}; "
            f"ratio <= 1.5x: {'met' if ratio <= 1.5 else 'MISSED'}; "
            f"typeahead p99 <= 100 ms: {'met' if typeahead_p99 <= 100 else 'MISSED'}"
        )


if __name__ == "__main__":
    main()
