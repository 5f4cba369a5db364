"""The command line's contract: clear one-line errors with exit code 2, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_runner import holdfast, holdfast_process


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"DATABASE_URL": "nonsense"}, "DATABASE_URL"),
        ({"SLACK_BOT_TOKEN": "not-a-token"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_APP_TOKEN": "xoxb-wrong-kind"}, "SLACK_APP_TOKEN"),
    ],
)
def test_malformed_setting_stops_with_one_line_and_exit_2(
    tmp_path: Path, env: dict[str, str], variable: str
) -> None:
    result = holdfast(["db", "upgrade"], tmp_path, **env)
    assert result.returncode == 2
    assert variable in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_serve_without_slack_settings_says_what_to_set(tmp_path: Path) -> None:
    result = holdfast(["serve"], tmp_path)
    assert result.returncode == 2
    assert "SLACK_BOT_TOKEN" in result.stderr
    assert "SLACK_SIGNING_SECRET" in result.stderr
    assert "holdfast demo" in result.stderr
    assert "Traceback" not in result.stderr


def test_db_upgrade_creates_the_default_sqlite_file(tmp_path: Path) -> None:
    result = holdfast(["db", "upgrade"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "holdfast.db").exists()


@pytest.mark.parametrize("command", [[], ["db"], ["db", "upgrade"], ["serve"], ["demo"]])
def test_every_command_has_help(tmp_path: Path, command: list[str]) -> None:
    result = holdfast([*command, "--help"], tmp_path)
    assert result.returncode == 0
    assert "Usage" in result.stdout


# -- as its own process: the entry point on a real run, and the exit code the shell sees ----------


def test_demo_needs_no_configuration_and_shows_a_card_and_nudges(tmp_path: Path) -> None:
    result = holdfast_process(["demo"], tmp_path, COLUMNS="120")
    assert result.returncode == 0, result.stderr
    assert "Northwind Logistics" in result.stdout
    assert "Why they chose us" in result.stdout
    assert "Health" in result.stdout
    assert "Today's nudges for" in result.stdout
    assert "Reason weakened and new leadership on" in result.stdout
    assert list(tmp_path.iterdir()) == []  # the throwaway database is gone


def test_a_malformed_setting_is_exit_2_from_the_process_with_no_traceback(tmp_path: Path) -> None:
    result = holdfast_process(["db", "upgrade"], tmp_path, DATABASE_URL="nonsense")
    assert result.returncode == 2
    assert "DATABASE_URL" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
