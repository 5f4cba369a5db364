"""`holdfast ARGS` for tests: in this process (`holdfast`), or as the real `python -m bot` process.

Both run in `directory` (so no stray `.env` is read) with no Holdfast setting but the ones passed,
and give back what a process leaves: its exit code, stdout and stderr. In process, an exception the
command line does not handle fails the test with its traceback, where a process would print one.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

from bot import cli
from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
# What a terminal-less process gets: Rich's default width, and no setting from the caller's shell.
BASE_ENV: dict[str, str | None] = {
    "COLUMNS": "80",
    **{name.upper(): None for name in Settings.model_fields},
}


@dataclass(frozen=True)
class Ran:
    """How a `holdfast` run ended."""

    returncode: int
    stdout: str
    stderr: str


def holdfast(args: list[str], directory: Path, **env: str) -> Ran:
    """Run the command line in this process (Typer's CliRunner): far quicker than a process."""
    with contextlib.chdir(directory):
        result = CliRunner().invoke(
            cli.app, args, env={**BASE_ENV, **env}, catch_exceptions=False, prog_name="holdfast"
        )
    return Ran(result.exit_code, result.stdout, result.stderr)


def holdfast_process(args: list[str], directory: Path, **env: str) -> Ran:
    """Run `python -m bot` as its own process: for what only a process shows (entry point, exit code)."""
    environment = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), **env}
    done = subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=directory,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return Ran(done.returncode, done.stdout, done.stderr)
