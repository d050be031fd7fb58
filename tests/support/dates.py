"""The test regions' dates, from the platform's one clock (pinned by ``--clock``), never the server's.

Every region the support code builds is in Yekaterinburg time (UTC+5), so a test's «today» is that
region's date: at 19:30 UTC it is already tomorrow there.

A test takes its dates when it runs (the ``dates`` fixture, or these functions called inside it), never
when its module is imported: a run that crosses the region's midnight would otherwise compare
yesterday's «today» with the server's. ``tests/test_dates_at_import.py`` keeps it so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from nastavnik import clock
from nastavnik.models.reference import AcademicYear
from nastavnik.testing import TIMEZONE

__all__ = ["TIMEZONE", "RegionDates", "region_dates", "region_today", "region_year"]


def region_today() -> date:
    """Today in the test regions."""
    return clock.today_in(TIMEZONE)


def region_year() -> int:
    """The academic year under way in the test regions (its starting calendar year)."""
    return AcademicYear.start_year_of(region_today())


@dataclass(frozen=True)
class RegionDates:
    """The test regions' today and the academic year under way on it."""

    today: date

    @property
    def year(self) -> int:
        """The academic year under way (its starting calendar year)."""
        return AcademicYear.start_year_of(self.today)

    @property
    def starts(self) -> date:
        """1 September of the year."""
        return AcademicYear.bounds(self.year)[0]

    @property
    def ends(self) -> date:
        """31 August of the year's second calendar year."""
        return AcademicYear.bounds(self.year)[1]

    @property
    def term(self) -> dict[str, str]:
        """A pair's or group's term: from 1 September to 31 May, as the API takes it."""
        return {"starts_on": str(self.starts), "ends_on": str(self.ends.replace(month=5, day=31))}

    @property
    def met_on(self) -> date:
        """A day a meeting could have been held: yesterday, or 1 September if the year began today."""
        return max(self.starts, self.today - timedelta(days=1))


def region_dates() -> RegionDates:
    """The test regions' dates now."""
    return RegionDates(region_today())
