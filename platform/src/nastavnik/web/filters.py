"""Jinja filters for Russian pages: dates as dd.mm.yyyy, numbers with thin spaces."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any


def ru_date(value: date | datetime | None) -> str:
    if value is None:
        return "—"
    return value.strftime("%d.%m.%Y %H:%M" if isinstance(value, datetime) else "%d.%m.%Y")


def ru_number(value: int | float | None) -> str:
    if value is None:
        return "нет данных"
    if isinstance(value, float):
        return f"{value:,.1f}".replace(",", "\u202f").replace(".", ",")
    return f"{value:,}".replace(",", "\u202f")


FILTERS: dict[str, Callable[[Any], str]] = {"ru_date": ru_date, "ru_number": ru_number}
