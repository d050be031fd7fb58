"""The pages' filters write dates and numbers as before their formats were written out (web/filters.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from nastavnik.web.filters import plural, ru_date, ru_number

MOMENTS = [
    datetime(2026, 1, 1, 0, 0, tzinfo=UTC) + timedelta(days=d, minutes=37 * d) for d in range(0, 800, 7)
]


@pytest.mark.parametrize("timezone", [None, "Europe/Moscow", "Asia/Yekaterinburg", "Asia/Kamchatka"])
def test_a_moment_reads_as_strftime_wrote_it(timezone: str | None) -> None:
    for moment in MOMENTS:
        local = moment.astimezone(ZoneInfo(timezone)) if timezone else moment
        assert ru_date(moment, timezone) == local.strftime("%d.%m.%Y %H:%M")
        naive = moment.replace(tzinfo=None)
        assert ru_date(naive, timezone) == naive.strftime("%d.%m.%Y %H:%M")


def test_a_day_reads_as_strftime_wrote_it() -> None:
    for day in [date(2000, 1, 1), date(2026, 9, 1), date(2099, 12, 31), *(m.date() for m in MOMENTS)]:
        assert ru_date(day) == day.strftime("%d.%m.%Y")
    assert ru_date(None) == "—"


def test_numbers_are_grouped_by_thousands_with_thin_spaces() -> None:
    for n in [0, 7, -7, 999, -999, 1000, -1000, 12345, 1234567, -1234567]:
        assert ru_number(n) == f"{n:,}".replace(",", "\u202f")
    assert ru_number(1234.56) == "1\u202f234,6"
    assert ru_number(None) == "нет данных"
    assert plural(1000, "пара", "пары", "пар") == "1\u202f000\u00a0пар"
    assert plural(21, "пара", "пары", "пар") == "21\u00a0пара"
