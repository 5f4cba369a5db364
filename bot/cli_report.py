"""`holdfast report`: the team view in the terminal, as JSON, or as one HTML page."""

from __future__ import annotations

import io
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from bot.cli import TeamOption, console, database_or_exit, fail, settings_or_exit
from bot.operations.export_book import ExportError
from bot.operations.team_view import report_workspace, team_view
from bot.report_json import report_json
from bot.report_terminal import report_renderables
from bot.services import Services


class Format(StrEnum):
    TERMINAL = "terminal"
    JSON = "json"
    HTML = "html"


PERIODS = (30, 90)
TERMINAL_FILE_WIDTH = 120  # the tables' width when written to a file


def report(
    format: Annotated[
        Format, typer.Option("--format", help="terminal (tables), json, or html (needs --out).")
    ] = Format.TERMINAL,
    out: Annotated[
        Path | None, typer.Option("--out", dir_okay=False, help="Write to this file instead of stdout.")
    ] = None,
    period: Annotated[int, typer.Option("--period", help="The period in days: 30 or 90.")] = 30,
    team: TeamOption = None,
) -> None:
    """The team view: reason coverage, per owner, the lists, the reasons map, new versus tenured."""
    if period not in PERIODS:
        fail(f"--period must be 30 or 90, not {period}", 2)
    if format == Format.HTML and out is None:
        fail("--format html needs --out FILE", 2)
    settings = settings_or_exit()
    database = database_or_exit(settings)
    services = Services(settings, database)
    try:
        team_id = report_workspace(services, team)
        if team_id is None:
            fail("the database holds no customers yet: nothing to report")
        view = team_view(services, team_id, today=services.clock().date(), period_days=period)
    except ExportError as exc:
        fail(str(exc))
    finally:
        database.dispose()
    if format == Format.TERMINAL:
        if out is None:
            console.print(report_renderables(view))
            return
        buffer = io.StringIO()
        Console(file=buffer, width=TERMINAL_FILE_WIDTH).print(report_renderables(view))
        text = buffer.getvalue()
    elif format == Format.JSON:
        text = report_json(view)
    else:
        from bot.report_html import report_html  # matplotlib is imported only when a page is drawn

        text = report_html(view)
    if out is None:
        console.file.write(text)
    else:
        try:
            out.write_text(text, encoding="utf-8")
        except OSError as exc:
            fail(f"cannot write {out}: {exc}")
        console.print(f"Wrote the team view of {team_id} to {out}")
