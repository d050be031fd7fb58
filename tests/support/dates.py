"""The test regions' dates, from the platform's one clock (pinned by ``--clock``), never the server's.

Every region the support code builds is in Yekaterinburg time (UTC+5), so a test's «today» is that
region's date: at 19:30 UTC it is already tomorrow there.
"""

from __future__ import annotations

from datetime import date

from nastavnik import clock
from nastavnik.models.reference import AcademicYear
from nastavnik.testing import TIMEZONE

__all__ = ["TIMEZONE", "region_today", "region_year"]


def region_today() -> date:
    """Today in the test regions."""
    return clock.today_in(TIMEZONE)


def region_year() -> int:
    """The academic year under way in the test regions (its starting calendar year)."""
    return AcademicYear.start_year_of(region_today())
