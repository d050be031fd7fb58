"""The run's clock: no test starts in the last minutes of a day it checks dates in, and no run crosses the
end of the test regions' academic year.

Each case runs a one-test suite in its own pytest process at a chosen ``--clock``; the test prints the
instant it started at. Close before a midnight of the test regions (UTC+5) or of Moscow time (UTC+3), the
run's clock has moved on to that midnight; in the academic year's last two hours, a run starts at the next
year's first instant; further from either, the clock has not moved.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

SUITE = """
from nastavnik import clock


def test_prints_when_it_starts():
    print("STARTED", clock.now().isoformat())
"""


def started_at(tmp_path: Path, at: str | None) -> datetime:
    """The instant a test started at, in a run begun at ``at`` (``None``: with no ``--clock``)."""
    (tmp_path / "test_one.py").write_text(SUITE, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "NASTAVNIK_TEST_CLOCK"}
    clock = ["--clock", at] if at else []
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider", *clock, "test_one.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    line = next(line for line in run.stdout.splitlines() if line.startswith("STARTED"))
    return datetime.fromisoformat(line.split()[1])


@pytest.mark.parametrize(
    ("at", "moved_to"),
    [
        ("2026-12-04T18:58:30+00:00", "2026-12-04T19:00:00+00:00"),  # 23:58:30 in the test regions
        ("2026-12-04T20:59:00+00:00", "2026-12-04T21:00:00+00:00"),  # 23:59 in Moscow
        ("2026-08-31T18:57:30+00:00", "2026-08-31T19:00:00+00:00"),  # the academic year's last minutes
        ("2027-08-31T17:30:00+00:00", "2027-08-31T19:00:00+00:00"),  # its last two hours: a run of one year
    ],
)
def test_a_test_about_to_cross_midnight_starts_after_it(tmp_path: Path, at: str, moved_to: str) -> None:
    started = started_at(tmp_path, at)
    assert (
        datetime.fromisoformat(moved_to) <= started < datetime.fromisoformat(moved_to) + timedelta(minutes=1)
    )


@pytest.mark.parametrize(
    "at",
    [
        "2026-12-04T18:50:00+00:00",
        "2026-12-04T19:00:00+00:00",
        "2026-12-05T07:30:00+00:00",
        "2027-08-31T16:30:00+00:00",  # 21:30 on 31 August in the test regions: the year does not end yet
    ],
)
def test_a_test_far_from_midnight_starts_at_the_runs_clock(tmp_path: Path, at: str) -> None:
    started = started_at(tmp_path, at)
    assert datetime.fromisoformat(at) <= started < datetime.fromisoformat(at) + timedelta(minutes=1)


def test_without_clock_the_run_starts_now(tmp_path: Path) -> None:
    """With no ``--clock`` the run's clock is the real one (moved on at most to a midnight minutes away)."""
    before = datetime.now(UTC)
    started = started_at(tmp_path, None)
    assert before <= started < datetime.now(UTC) + timedelta(minutes=3)
