"""No test module reads the clock when it is imported.

A date taken at import (``TODAY = region_today()``, a default argument, a ``parametrize`` list) is the
date the run started on; a run that crosses the test regions' midnight then compares it with the
server's new «today», and tests fail for the hour they ran at. Tests take their dates as they run: the
``dates`` fixture, or ``tests/support/dates.py``'s functions called inside the test.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TEST_FILES = sorted([*ROOT.glob("tests/**/*.py"), *ROOT.glob("plugins/*/tests/**/*.py")])

# Whatever these return depends on when it is called.
CLOCK_READS = {
    "region_today",
    "region_year",
    "region_dates",
    "today_in",
    "now_in",
    "now",
    "today",
    "current_start_year",
    "utcnow",
}


def evaluated_at_import(body: list[ast.stmt]) -> Iterator[ast.AST]:
    """What Python evaluates when the module (or a class in it) is executed: every statement but the bodies
    of functions, whose decorators and default arguments are evaluated all the same."""
    for statement in body:
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
            yield from statement.decorator_list
            yield from statement.args.defaults
            yield from (d for d in statement.args.kw_defaults if d is not None)
        elif isinstance(statement, ast.ClassDef):
            yield from statement.decorator_list
            yield from statement.bases
            yield from evaluated_at_import(statement.body)
        else:
            yield statement


def clock_reads(node: ast.AST) -> Iterator[ast.Call]:
    """Calls in ``node`` that read the clock, leaving out lambdas (called later, if at all)."""
    if isinstance(node, ast.Lambda):
        return
    if isinstance(node, ast.Call):
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
        if name in CLOCK_READS:
            yield node
    for child in ast.iter_child_nodes(node):
        yield from clock_reads(child)


def reads_at_import(source: str) -> list[str]:
    """Each clock read of the module executed at import, as ``line: code``."""
    found = []
    for node in evaluated_at_import(ast.parse(source).body):
        for call in clock_reads(node):
            found.append(f"{call.lineno}: {ast.unparse(call)}")
    return found


@pytest.mark.parametrize("path", TEST_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_test_module_reads_the_clock_at_import(path: Path) -> None:
    assert reads_at_import(path.read_text(encoding="utf-8")) == []


def test_the_check_finds_a_date_taken_at_import() -> None:
    """The check itself: each way a module can take a date at import is found, none inside a test."""
    source = """
TODAY = region_today()
YEAR = AcademicYear.start_year_of(clock.today_in(TIMEZONE))

class Dates:
    LATER = date.today()

def order(issued_on=dates.region_dates().today): ...

@pytest.mark.parametrize("year", [region_year()])
async def test_x(dates):
    today = region_today()
    later = lambda: clock.now()
"""
    assert reads_at_import(source) == [
        "2: region_today()",
        "3: clock.today_in(TIMEZONE)",
        "6: date.today()",
        "8: dates.region_dates()",
        "10: region_year()",
    ]
