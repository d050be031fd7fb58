"""Reading tables that people keep in Excel, as they keep them.

Russian headers in any column order, not necessarily on the first row (a merged title may sit
above them), blank rows, and a closing «Итого» row are all expected. Every problem is reported
with its row number as the person sees it in Excel. Files are bounded in size, rows and
uncompressed content, and XML is parsed through defusedxml (openpyxl uses it when installed).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from openpyxl import load_workbook

from nastavnik.services.errors import InvalidInput

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 60 * 1024 * 1024
MAX_ROWS = 20_000
HEADER_SEARCH_ROWS = 15
TOTAL_ROW = re.compile(r"^\s*(итого|всего)\b", re.IGNORECASE)


def normalise_header(text: str) -> str:
    return " ".join(text.lower().replace("ё", "е").replace(".", " ").replace(":", " ").split())


@dataclass(frozen=True, slots=True)
class Column:
    field: str
    headers: tuple[str, ...]
    """Spellings of the header, any of which names this column (compared case- and ё-insensitively)."""
    required: bool = True


@dataclass
class Table:
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    """(row number in the sheet, values by field), data rows only."""


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


def _check_archive(data: bytes) -> None:
    if len(data) > MAX_FILE_BYTES:
        raise InvalidInput("Файл слишком большой.", [{"field": "file", "message": "не больше 5 МБ"}])
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNCOMPRESSED_BYTES:
                raise InvalidInput(
                    "Файл не читается.", [{"field": "file", "message": "слишком большое содержимое"}]
                )
    except zipfile.BadZipFile:
        raise InvalidInput(
            "Это не файл Excel (.xlsx).", [{"field": "file", "message": "сохраните таблицу в формате .xlsx"}]
        ) from None


def read_xlsx(data: bytes, columns: Sequence[Column]) -> Table:
    """The first sheet's rows under the header row that names every required column."""
    _check_archive(data)
    try:
        # Not read-only: that mode drops leading empty rows, and row numbers must be the ones people see.
        book = load_workbook(io.BytesIO(data), data_only=True)
    except Exception:
        raise InvalidInput(
            "Файл Excel не читается.", [{"field": "file", "message": "файл повреждён"}]
        ) from None
    try:
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(min_row=1, values_only=True)
        positions: dict[str, int] | None = None
        table = Table()
        for number, values in enumerate(rows, start=1):
            texts = [_cell_text(v) for v in values]
            if positions is None:
                positions = _match_header(texts, columns)
                if positions is None and number >= HEADER_SEARCH_ROWS:
                    break
                continue
            if not any(texts) or (texts and TOTAL_ROW.match(next((t for t in texts if t), ""))):
                continue
            if len(table.rows) >= MAX_ROWS:
                raise InvalidInput(
                    "Слишком много строк.", [{"field": "file", "message": f"не больше {MAX_ROWS}"}]
                )
            table.rows.append(
                (number, {f: values[i] if i < len(values) else None for f, i in positions.items()})
            )
    finally:
        book.close()
    if positions is None:
        missing = ", ".join(f"«{c.headers[0]}»" for c in columns if c.required)
        raise InvalidInput(
            "Не найдена строка заголовков.",
            [{"field": "file", "message": f"в первых {HEADER_SEARCH_ROWS} строках нужны столбцы {missing}"}],
        )
    return table


def _match_header(texts: Sequence[str], columns: Sequence[Column]) -> dict[str, int] | None:
    found: dict[str, int] = {}
    normalised = [normalise_header(t) for t in texts]
    for column in columns:
        wanted = {normalise_header(h) for h in column.headers}
        for index, text in enumerate(normalised):
            if text in wanted:
                found[column.field] = index
                break
    if all(c.field in found for c in columns if c.required):
        return found
    return None


def text(values: Mapping[str, Any], field_name: str) -> str:
    return _cell_text(values.get(field_name))
