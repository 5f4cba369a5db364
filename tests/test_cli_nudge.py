"""`holdfast nudge`: the job now, for every owner or one, for a given day; --dry-run sends nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from storage.db import open_database
from storage.models import Owner
from tests.cli_runner import Ran, holdfast, holdfast_process
from tests.nudge_helpers import digests_posted, ledger, seed
from tests.slack_requests import BOT_TOKEN
from tests.slack_stub import SlackStub

DAY = date(2026, 6, 10)


def run(args: list[str], tmp_path: Path, **env: str) -> Ran:
    """`holdfast nudge ARGS`, in this process, on a terminal wide enough for a digest line."""
    return holdfast(["nudge", *args], tmp_path, COLUMNS="200", **env)


@pytest.fixture
def book(tmp_path: Path, slack: SlackStub) -> str:
    url = f"sqlite:///{tmp_path / 'holdfast.db'}"
    database = open_database(url)
    seed(database, "U1", ["Acme [bold]Corp[/bold]", "Globex"], today=DAY)
    seed(database, "U2", ["Initech"], today=DAY)
    seed(database, "U3", ["Umbrella"], today=DAY)
    with database.transaction() as session:
        session.add(Owner(team_id="T0001", user_id="U3", deactivated=True, display_name="Gone"))
        session.add(Owner(team_id="T0001", user_id="U1", display_name="Ana"))
    database.dispose()
    slack.add_user("U1", name="Ana")
    slack.add_user("U2", tz="America/New_York")
    slack.add_user("U3", deleted=True)
    return url


def test_dry_run_prints_the_digests_and_skipped_owners_and_touches_nothing(
    book: str, tmp_path: Path, slack: SlackStub
) -> None:
    # As its own process once: the entry point and what a terminal-less run prints.
    result = holdfast_process(
        ["nudge", "--dry-run", "--date", DAY.isoformat()], tmp_path, COLUMNS="200", DATABASE_URL=book
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Dry run: nothing was sent or recorded." in out
    assert "Digest for Ana (U1) on Wednesday 10 June: 2 customers" in out
    assert "Acme [bold]Corp[/bold]" in out  # printed as typed, not as Rich markup
    assert "Why now: Last check-in 45 days ago" in out
    assert "Digest for U2 on Wednesday 10 June: 1 customer" in out
    assert "Skipped Gone (U3): deactivated in Slack" in out
    assert slack.calls == []
    database = open_database(book)
    assert ledger(database) == []
    database.dispose()


def test_nudge_sends_now_whatever_the_hour_and_only_once(book: str, tmp_path: Path, slack: SlackStub) -> None:
    env = {"DATABASE_URL": book, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_API_URL": slack.api_url}
    result = run(["--owner", "U2"], tmp_path, **env)
    assert result.returncode == 0, result.stderr
    assert "U2: sent, 1 due" in result.stdout
    assert digests_posted(slack) == {"U2": 1}
    result = run([], tmp_path, **env)
    assert result.returncode == 0, result.stderr
    assert "Ana (U1): sent, 2 due" in result.stdout
    assert "U2: already sent, 1 due" in result.stdout
    assert "Skipped U3: deactivated in Slack" in result.stdout  # Slack's answer, just asked
    assert digests_posted(slack) == {"U1": 1, "U2": 1}


def test_a_failed_send_exits_1_and_says_why(book: str, tmp_path: Path, slack: SlackStub) -> None:
    slack.on("chat.postMessage", lambda call: {"ok": False, "error": "channel_not_found"})
    env = {"DATABASE_URL": book, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_API_URL": slack.api_url}
    result = run(["--owner", "U1"], tmp_path, **env)
    assert result.returncode == 1
    assert "Ana (U1): failed (channel_not_found)" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--date", "10/06/2026"], "--date must be a date as YYYY-MM-DD"),
        (["--owner", "bob"], "--owner must be a Slack user ID"),
        ([], "sending digests needs SLACK_BOT_TOKEN"),
        (["--date", "2026-06-10"], "--date only plans (use it with --dry-run)"),
    ],
)
def test_usage_errors_are_one_line_with_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    result = run(args, tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_nudge_has_help(tmp_path: Path) -> None:
    result = run(["--help"], tmp_path)
    assert result.returncode == 0
    assert "--dry-run" in result.stdout


def test_a_date_without_dry_run_sends_and_records_nothing(
    book: str, tmp_path: Path, slack: SlackStub
) -> None:
    env = {"DATABASE_URL": book, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_API_URL": slack.api_url}
    result = run(["--date", DAY.isoformat()], tmp_path, **env)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "holdfast: --date only plans (use it with --dry-run): digests are sent for each owner's today"
    ]
    assert slack.calls == []
    database = open_database(book)
    assert ledger(database) == []
    database.dispose()
    # The day's own run still sends.
    assert run([], tmp_path, **env).returncode == 0
    assert digests_posted(slack) == {"U1": 1, "U2": 1}


def test_an_owner_turned_guest_is_listed_with_the_customers_needing_a_new_owner(
    book: str, tmp_path: Path, slack: SlackStub
) -> None:
    slack.add_user("U1", name="Ana", is_restricted=True)
    env = {"DATABASE_URL": book, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_API_URL": slack.api_url}
    result = run([], tmp_path, **env)
    assert result.returncode == 0, result.stderr
    assert "Skipped Ana (U1): cannot use Holdfast (guest); 2 customers need a new owner" in result.stdout
    assert "U2: sent, 1 due" in result.stdout
    assert digests_posted(slack) == {"U2": 1}
    assert [call.args["channel"] for call in slack.calls_to("chat.postMessage")] == ["U2"]
    database = open_database(book)
    assert [row.owner_user_id for row in ledger(database)] == ["U2"]
    database.dispose()
