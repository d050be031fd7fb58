"""Spreadsheet helpers shared by every export."""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """A text cell that no spreadsheet will run as a formula (CSV/formula injection)."""
    if value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
