"""Jinja filters for Russian pages: dates as dd.mm.yyyy, numbers with thin spaces, plurals that agree."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from nastavnik.words import plural_form


# The formats are written out rather than given to strftime, which costs about five times as much (it goes
# through the C library's time formatting) and shows in pages that list dates (tests/core/test_filters.py
# compares the two). ``%`` rather than an f-string: half the cost again, for the same digits.
def ru_date(value: date | datetime | None, timezone: str | None = None) -> str:
    """dd.mm.yyyy; a moment in time is shown in the region's time zone (docs/architecture.md)."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        if timezone and value.tzinfo is not None:
            value = value.astimezone(ZoneInfo(timezone))
        return "%02d.%02d.%d %02d:%02d" % (value.day, value.month, value.year, value.hour, value.minute)  # noqa: UP031
    return "%02d.%02d.%d" % (value.day, value.month, value.year)  # noqa: UP031


def ru_number(value: int | float | None) -> str:
    if value is None:
        return "нет данных"
    if isinstance(value, float):
        return f"{value:,.1f}".replace(",", "\u202f").replace(".", ",")
    if -1000 < value < 1000:  # no thousands to group: the plain digits (most counts on a page)
        return str(value)
    return f"{value:,}".replace(",", "\u202f")


def plural(n: int | None, one: str, few: str, many: str) -> str:
    """«1 пара», «2 пары», «5 пар», «11 пар», «21 пара»: the number and the noun in agreement."""
    count = int(n or 0)
    return f"{ru_number(count)}\u00a0{plural_form(count, one, few, many)}"


FILTERS: dict[str, Callable[..., str]] = {
    "ru_date": ru_date,
    "ru_number": ru_number,
    "plural": plural,
    "plural_form": plural_form,
}
