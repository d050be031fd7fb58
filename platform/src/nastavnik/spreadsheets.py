"""Spreadsheet helpers shared by every export."""

from __future__ import annotations

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """A text cell that no spreadsheet will run as a formula (CSV/formula injection) and that a
    workbook can hold: control characters, which a hostile request can leave in the audit log's
    paths, are dropped instead of failing the whole export."""
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
