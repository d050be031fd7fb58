"""Reading tables that people keep in Excel, as they keep them.

Russian headers in any column order, not necessarily on the first row (a merged title may sit
above them), blank rows, and a closing «Итого» row are all expected. Every problem is reported
with its row number as the person sees it in Excel. Files are bounded in size, rows and
uncompressed content before they are parsed (calamine, which expands no XML entities).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from python_calamine import CalamineWorkbook

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
    columns: set[str] = field(default_factory=set)
    """The fields whose columns the header row has."""


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


def read_table(data: bytes, filename: str, columns: Sequence[Column]) -> Table:
    """A table from an .xlsx or a .csv file, whichever it is."""
    if filename.lower().endswith(".csv") or not data.startswith(b"PK"):
        return _table_from_rows(_csv_rows(data), columns)
    return read_xlsx(data, columns)


def _csv_rows(data: bytes) -> list[list[Any]]:
    """CSV as curators save it: UTF-8 (with or without BOM) or Windows-1251, separated by «;» or «,»."""
    if len(data) > MAX_FILE_BYTES:
        raise InvalidInput("Файл слишком большой.", [{"field": "file", "message": "не больше 5 МБ"}])
    if b"\0" in data[:4096]:
        raise InvalidInput(
            "Это не таблица CSV.", [{"field": "file", "message": "сохраните как CSV или .xlsx"}]
        )
    try:
        text_data = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text_data = data.decode("cp1251", errors="replace")
    first_lines = "\n".join(text_data.splitlines()[:HEADER_SEARCH_ROWS])
    delimiter = ";" if first_lines.count(";") >= first_lines.count(",") else ","
    return [list(row) for row in csv.reader(io.StringIO(text_data), delimiter=delimiter)]


def _table_from_rows(rows: Sequence[Sequence[Any]], columns: Sequence[Column]) -> Table:
    positions: dict[str, int] | None = None
    table = Table()
    for number, values in enumerate(rows, start=1):
        texts = [_cell_text(v) for v in values]
        if positions is None:
            positions = _match_header(texts, columns)
            if positions is None and number >= HEADER_SEARCH_ROWS:
                break
            if positions is not None:
                table.columns = set(positions)
            continue
        if not any(texts) or TOTAL_ROW.match(next((t for t in texts if t), "")):
            continue
        if len(table.rows) >= MAX_ROWS:
            raise InvalidInput(
                "Слишком много строк.", [{"field": "file", "message": f"не больше {MAX_ROWS}"}]
            )
        table.rows.append((number, {f: values[i] if i < len(values) else None for f, i in positions.items()}))
    if positions is None:
        missing = ", ".join(f"«{c.headers[0]}»" for c in columns if c.required)
        raise InvalidInput(
            "Не найдена строка заголовков.",
            [{"field": "file", "message": f"в первых {HEADER_SEARCH_ROWS} строках нужны столбцы {missing}"}],
        )
    return table


def read_xlsx(data: bytes, columns: Sequence[Column]) -> Table:
    """The first sheet's rows under the header row that names every required column.

    calamine (Rust) reads a 10,000-row base several times faster than openpyxl, without expanding
    XML entities; the archive is checked for size and zip bombs first. The sheet is read from A1
    with its empty rows kept, so row numbers are the ones people see in Excel.
    """
    _check_archive(data)
    try:
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
        raw = sheet.to_python(skip_empty_area=False)
    except Exception:
        raise InvalidInput(
            "Файл Excel не читается.", [{"field": "file", "message": "файл повреждён"}]
        ) from None
    rows = [[None if value == "" else value for value in row] for row in raw]
    return _table_from_rows(rows, columns)


def _match_header(texts: Sequence[str], columns: Sequence[Column]) -> dict[str, int] | None:
    found: dict[str, int] = {}
    normalised = [normalise_header(t) for t in texts]
    for column in columns:
        wanted = {normalise_header(h) for h in column.headers}
        for index, text in enumerate(normalised):
            if text in wanted:
                found[column.field] = index
                break
    if found and all(c.field in found for c in columns if c.required):
        return found
    return None


def text(values: Mapping[str, Any], field_name: str) -> str:
    return _cell_text(values.get(field_name))


DATE_TEXT = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


class BadCell(ValueError):
    """A cell that does not hold what its column needs: the message says why, in Russian."""


class BadDate(BadCell):
    """A date cell that is no date."""


class BadNumber(BadCell):
    """A number cell that is no whole number."""


def date_value(values: Mapping[str, Any], field_name: str) -> date | None:
    """A date from an Excel date cell, «дд.мм.гггг» text or ISO text; None when empty."""
    value = values.get(field_name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raw = _cell_text(value)
    match = DATE_TEXT.match(raw)
    try:
        if match:
            day, month, year = (int(g) for g in match.groups())
            return date(year, month, day)
        return date.fromisoformat(raw)
    except ValueError:
        if match:
            raise BadDate(f"«{raw}» — такой даты нет") from None
        raise BadDate(f"«{raw}» — не дата; нужно дд.мм.гггг") from None


WHOLE_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]0+)?$")


def number_value(values: Mapping[str, Any], field_name: str) -> int | None:
    """A whole number from a number cell or its text («3», «3,0»); None when empty."""
    value = values.get(field_name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raw = _cell_text(value)
    if WHOLE_NUMBER.match(raw):
        return int(float(raw.replace(",", ".")))
    raise BadNumber(f"«{raw}» — нужно целое число")
