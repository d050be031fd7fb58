"""Jinja filters for Russian pages: dates as dd.mm.yyyy, numbers with thin spaces."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo


def ru_date(value: date | datetime | None, timezone: str | None = None) -> str:
    """dd.mm.yyyy; a moment in time is shown in the region's time zone (DESIGN.md: Web)."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        if timezone and value.tzinfo is not None:
            value = value.astimezone(ZoneInfo(timezone))
        return value.strftime("%d.%m.%Y %H:%M")
    return value.strftime("%d.%m.%Y")


def ru_number(value: int | float | None) -> str:
    if value is None:
        return "нет данных"
    if isinstance(value, float):
        return f"{value:,.1f}".replace(",", "\u202f").replace(".", ",")
    return f"{value:,}".replace(",", "\u202f")


FILTERS: dict[str, Callable[..., str]] = {"ru_date": ru_date, "ru_number": ru_number}
