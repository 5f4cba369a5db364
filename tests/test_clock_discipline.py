"""Only the clock service reads the time: product code takes `now` from it (an injected clock)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = ("bot", "handlers", "storage")
CLOCK_READS = {("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"), ("date", "today")}

# (file, function): the clock service and its primitive. Column defaults (`default_factory=utcnow` in
# storage/models.py) pass the function, they do not call it, and stay allowed.
ALLOWED = {
    ("storage/types.py", "utcnow"),
    ("bot/services.py", "system_clock"),
}
# Reads the lead is removing; this list is to be emptied, never added to.
TO_REMOVE: set[tuple[str, str]] = set()


def _is_clock_read(call: ast.Call) -> bool:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id == "utcnow"
    if not isinstance(func, ast.Attribute):
        return False
    if func.attr == "utcnow":
        return True
    owner = func.value
    name = (
        owner.attr if isinstance(owner, ast.Attribute) else owner.id if isinstance(owner, ast.Name) else None
    )
    return (name, func.attr) in CLOCK_READS


def clock_reads() -> set[tuple[str, str]]:
    """(file, enclosing function or `<module>`) of every call that reads the time in product code."""
    found: set[tuple[str, str]] = set()
    for folder in PRODUCT:
        for path in sorted((ROOT / folder).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=relative)
            found.update((relative, where) for where in _reads_in(tree, "<module>"))
    return found


def _reads_in(node: ast.AST, where: str) -> list[str]:
    reads = []
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
            reads.extend(_reads_in(child, child.name))
            continue
        if isinstance(child, ast.Call) and _is_clock_read(child):
            reads.append(where)
        reads.extend(_reads_in(child, where))
    return reads


def test_product_code_reads_the_time_only_through_the_clock_service() -> None:
    unexpected = clock_reads() - ALLOWED - TO_REMOVE
    assert unexpected == set(), "take `now` from Services.clock (or the caller) instead"


def test_the_allow_lists_name_only_reads_that_exist() -> None:
    assert clock_reads() >= (ALLOWED | TO_REMOVE)


def test_the_scan_finds_each_way_of_reading_the_time() -> None:
    source = """
import datetime as dt
from datetime import UTC, date, datetime

def f():
    datetime.now(UTC); datetime.utcnow(); date.today(); dt.datetime.now(); dt.date.today(); utcnow()
    clock.utcnow()

def g():
    datetime.fromisoformat("2026-06-10"); date(2026, 6, 10); now()
"""
    assert _reads_in(ast.parse(source), "<module>") == ["f"] * 7
