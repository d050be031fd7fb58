"""Reading values from submitted page forms; a bad value is a Russian error naming its field."""

from __future__ import annotations

from datetime import date

from nastavnik.services.errors import InvalidInput


def form_date(form: dict[str, str], name: str) -> date | None:
    """A date from an <input type="date"> (ISO), or None when left empty."""
    raw = form.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput("Дата указана неверно.", [{"field": name, "message": "укажите дату"}]) from None


def form_int(form: dict[str, str], name: str, default: int | None = None) -> int:
    """A whole number; ``default`` when left empty (without a default, empty is an error)."""
    raw = form.get(name, "").strip()
    if not raw and default is not None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise InvalidInput(
            "Число указано неверно.", [{"field": name, "message": "введите целое число"}]
        ) from None
