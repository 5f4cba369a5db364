"""`holdfast export`: a workspace's customers and check-ins as CSV (what the imports read) and JSON."""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from bot.csv_format import CHECKINS, CUSTOMERS, checkin_cells, customer_cells
from storage.checkins import checkin_rows
from storage.customers import customer_rows, workspace_ids
from storage.db import Database

CUSTOMERS_CSV = "customers.csv"
CHECKINS_CSV = "checkins.csv"
CUSTOMERS_JSON = "customers.json"
CHECKINS_JSON = "checkins.json"


class ExportError(Exception):
    """The export cannot run; the message says why in one line."""


@dataclass(frozen=True, slots=True)
class ExportResult:
    team_id: str | None
    customers: int
    checkins: int
    files: list[Path]


def _json_value(value: object) -> str:
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _write_pair(
    out_dir: Path,
    csv_name: str,
    json_name: str,
    columns: Sequence[str],
    rows: Iterable[Mapping[Any, Any]],
    cells: Callable[[Mapping[Any, Any]], list[str]],
) -> int:
    """Write rows to `<csv_name>.tmp` and `<json_name>.tmp` in one pass; returns how many."""
    count = 0
    with (
        (out_dir / f"{csv_name}.tmp").open("w", encoding="utf-8", newline="") as csv_file,
        (out_dir / f"{json_name}.tmp").open("w", encoding="utf-8") as json_file,
    ):
        writer = csv.writer(csv_file, lineterminator="\n")
        writer.writerow(columns)
        json_file.write("[")
        for row in rows:
            writer.writerow(cells(row))
            json_file.write(",\n" if count else "\n")
            json_file.write(json.dumps(dict(row), default=_json_value, ensure_ascii=False))
            count += 1
        json_file.write("\n]\n")
    return count


def choose_workspace(team_id: str | None, stored: Sequence[str]) -> str | None:
    """The workspace to export: the one asked for, else the only one stored (None when there is none)."""
    if team_id is not None or len(stored) <= 1:
        return team_id or next(iter(stored), None)
    raise ExportError(f"the database holds several workspaces ({', '.join(stored)}): choose one with --team")


def export_workspace(database: Database, out_dir: Path, team_id: str | None) -> ExportResult:
    """Write customers.csv, checkins.csv, customers.json and checkins.json from one consistent snapshot."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with database.snapshot() as session:
        team = choose_workspace(team_id, workspace_ids(session=session))
        customers = _write_pair(
            out_dir,
            CUSTOMERS_CSV,
            CUSTOMERS_JSON,
            CUSTOMERS.columns,
            customer_rows(team, session=session) if team else (),
            customer_cells,
        )
        checkins = _write_pair(
            out_dir,
            CHECKINS_CSV,
            CHECKINS_JSON,
            CHECKINS.columns,
            checkin_rows(team, session=session) if team else (),
            checkin_cells,
        )
    files = [out_dir / name for name in (CUSTOMERS_CSV, CHECKINS_CSV, CUSTOMERS_JSON, CHECKINS_JSON)]
    for path in files:
        os.replace(path.with_name(f"{path.name}.tmp"), path)
    return ExportResult(team_id=team, customers=customers, checkins=checkins, files=files)
