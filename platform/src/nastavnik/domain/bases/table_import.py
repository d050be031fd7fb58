"""Reading tables that people keep in Excel, as they keep them (.xlsx, .xls or CSV).

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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from python_calamine import CalamineWorkbook

from nastavnik.errors import FieldError, InvalidInput
from nastavnik.web.forms import MAX_FILE_BYTES

MAX_UNCOMPRESSED_BYTES = 60 * 1024 * 1024
MAX_ROWS = 20_000
HEADER_SEARCH_ROWS = 15
TOTAL_ROW = re.compile(r"^\s*(итого|всего)\b", re.IGNORECASE)


def normalise_header(text: str) -> str:
    return " ".join(text.lower().replace("ё", "е").replace(".", " ").replace(":", " ").split())


def header_words(text: str) -> list[str]:
    """A header as words: lower case, «е» for «ё», punctuation dropped, and a run of single letters
    read as one word («Ф. И. О.» is «фио», «Д.Р.» is «др»)."""
    words = re.sub(r"[^\w]+", " ", text.lower().replace("ё", "е").replace("_", " ")).split()
    joined: list[str] = []
    run = ""
    for word in [*words, ""]:
        if len(word) == 1:
            run += word
            continue
        if run:
            joined.append(run)
            run = ""
        if word:
            joined.append(word)
    return joined


def header_key(text: str) -> str:
    """How a header is remembered: its words, whatever the case, «ё» or punctuation."""
    return " ".join(header_words(text))


def _stem(word: str) -> str:
    # A crude Russian stem: a long word without its ending matches its other cases and numbers
    # («согласие», «согласия»; «наставляемых», «наставляемого»); a short one matches itself.
    if len(word) > 5:
        return word[:-2]
    return word[:-1] if len(word) == 5 else word


# Words a header adds around what it names: whose column it is, units, «дата». They never name a
# field on their own; a header of nothing but these is not recognised.
NOISE_STEMS = (
    "дата",
    "наставни",
    "наставляем",
    "обучающ",
    "ученик",
    "ученица",
    "педагог",
    "сотрудник",
    "работник",
    "молод",
    "специалист",
    "лет",
    "год",
    "чел",
    "шт",
    "полн",
    "письменн",
    "законн",
    "представител",
    "родител",
    "эл",
    "электрон",
    "адрес",
    "сведени",
    "отметк",
    "при",
    "наличи",
)
NUMBER_HEADERS = {"", "пп", "номер", "номер пп", "n", "n пп", "no"}
"""Headers of the row number column («№», «№ п/п»): read as such, not as lost data."""


def _is_noise(word: str) -> bool:
    return any(word.startswith(stem) for stem in NOISE_STEMS)


def _match_score(words: Sequence[str], synonym: Sequence[str]) -> int:
    """How many words of the header a synonym names (0: it does not name this header).

    Every word of the synonym must be found in the header; every other word of the header must be
    one that only surrounds a name (:data:`NOISE_STEMS`).
    """
    left = list(words)
    for stem in (_stem(w) for w in synonym):
        found = next((i for i, w in enumerate(left) if w.startswith(stem)), None)
        if found is None:
            return 0
        left.pop(found)
    if not synonym or not all(_is_noise(w) for w in left):
        return 0
    return len(synonym)


def recognise(title: str, columns: Sequence[Column]) -> str | None:
    """The field a header names, by its words and the fields' synonyms; None when it names none.

    What is in parentheses is a clarification («Запрос (трудности)», «Стаж (лет)»): the words
    outside them are tried first, then the whole header.
    """
    outside = re.sub(r"\([^)]*\)?", " ", title)
    for text_ in (outside, title):
        words = header_words(text_)
        if not words:
            continue
        best: tuple[int, str] | None = None
        for column in columns:
            score = max((_match_score(words, header_words(h)) for h in column.headers), default=0)
            if score and (best is None or score > best[0]):
                best = (score, column.field)
        if best is not None:
            return best[1]
    return None


def column_letter(index: int) -> str:
    """The column's letter as Excel shows it: 0 is A, 26 is AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


@dataclass(frozen=True, slots=True)
class Column:
    field: str
    headers: tuple[str, ...]
    """Synonyms of the header, any of which names this column: compared by their words (see
    :func:`recognise`), so case, «ё», punctuation, units and words in parentheses do not matter."""
    required: bool = True


@dataclass
class SheetColumn:
    """One column of the file, as the preview shows it."""

    index: int
    title: str
    field: str | None
    """The field it is read as, or None when it is not used."""
    chosen: bool = False
    """The field (or «not used») is the curator's remembered choice, not the automatic recognition."""
    has_data: bool = False
    note: str = ""
    """Why a column is not used, when that is not simply an unknown header."""

    @property
    def letter(self) -> str:
        return column_letter(self.index)


@dataclass
class Table:
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    """(row number in the sheet, values by field), data rows only."""
    columns: set[str] = field(default_factory=set)
    """The fields whose columns the header row has."""
    sheet_columns: list[SheetColumn] = field(default_factory=list)
    """Every column of the file, used or not."""
    header_row: int = 0


class HeaderNotFound(InvalidInput):
    """No header row names the columns needed; ``columns`` are those of the likeliest header row,
    so the curator can say by hand what each one holds."""

    def __init__(self, message: str, errors: list[FieldError], columns: list[SheetColumn]) -> None:
        super().__init__(message, errors)
        self.columns = columns


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


def _too_big() -> InvalidInput:
    return InvalidInput("Файл слишком большой.", [FieldError("file", "не больше 5 МБ")])


def _check_archive(data: bytes) -> None:
    if len(data) > MAX_FILE_BYTES:
        raise _too_big()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNCOMPRESSED_BYTES:
                raise InvalidInput("Файл не читается.", [FieldError("file", "слишком большое содержимое")])
    except zipfile.BadZipFile:
        raise InvalidInput(
            "Это не файл Excel (.xlsx).", [FieldError("file", "сохраните таблицу в формате .xlsx")]
        ) from None


OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
"""The first bytes of an Excel 97–2003 workbook (.xls)."""


Choices = Mapping[str, str | None]
"""Remembered choices: a header's key (:func:`header_key`) → the field it holds, or None: not used."""


def read_table(
    data: bytes,
    filename: str,
    columns: Sequence[Column],
    *,
    choices: Choices | None = None,
    accept: Callable[[set[str]], bool] | None = None,
) -> Table:
    """A table from an .xlsx, an .xls or a .csv file, whichever it is (by its content, not its name)."""
    if data.startswith(OLE2_SIGNATURE):
        return _table_from_rows(_xls_rows(data), columns, choices, accept)
    if filename.lower().endswith(".csv") or not data.startswith(b"PK"):
        return _table_from_rows(_csv_rows(data), columns, choices, accept)
    return read_xlsx(data, columns, choices=choices, accept=accept)


def _xls_rows(data: bytes) -> list[list[Any]]:
    """An Excel 97–2003 workbook's first sheet: calamine reads the binary format as well."""
    if len(data) > MAX_FILE_BYTES:
        raise _too_big()
    return _calamine_rows(data)


def _calamine_rows(data: bytes) -> list[list[Any]]:
    try:
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
        raw = sheet.to_python(skip_empty_area=False)
    except Exception:
        raise InvalidInput("Файл Excel не читается.", [FieldError("file", "файл повреждён")]) from None
    return [[None if value == "" else value for value in row] for row in raw]


def _csv_rows(data: bytes) -> list[list[Any]]:
    """CSV as curators save it: UTF-8 (with or without BOM) or Windows-1251, separated by «;» or «,»."""
    if len(data) > MAX_FILE_BYTES:
        raise _too_big()
    if b"\0" in data[:4096]:
        raise InvalidInput("Это не таблица CSV.", [FieldError("file", "сохраните как .xlsx, .xls или CSV")])
    try:
        text_data = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text_data = data.decode("cp1251", errors="replace")
    first_lines = "\n".join(text_data.splitlines()[:HEADER_SEARCH_ROWS])
    delimiter = ";" if first_lines.count(";") >= first_lines.count(",") else ","
    return [list(row) for row in csv.reader(io.StringIO(text_data), delimiter=delimiter)]


NUMBER_NOTE = "номер по порядку"


def _map_header(texts: Sequence[str], columns: Sequence[Column], choices: Choices) -> list[SheetColumn]:
    """Every titled cell of a row read as a column: a remembered choice first, then recognition.

    A field is read from one column only: the one the curator chose, else the first that names it;
    another column naming it is shown as a repeat.
    """
    known = {c.field for c in columns}
    result: list[SheetColumn] = []
    for index, title in enumerate(texts):
        key = header_key(title)
        if key in choices and (choices[key] is None or choices[key] in known):
            result.append(SheetColumn(index, title, choices[key], chosen=True))
        else:
            result.append(SheetColumn(index, title, recognise(title, columns) if key else None))
            if key in NUMBER_HEADERS and title.strip():
                result[-1].note = NUMBER_NOTE
    taken: dict[str, str] = {}
    for column in sorted(result, key=lambda c: (not c.chosen, c.index)):
        if column.field is None:
            continue
        if column.field in taken:
            column.note = f"повторяет столбец «{taken[column.field]}»"
            column.field = None
        else:
            taken[column.field] = column.title
    return result


def _required(columns: Sequence[Column]) -> Callable[[set[str]], bool]:
    needed = {c.field for c in columns if c.required}
    return lambda found: bool(found) and needed <= found


def _table_from_rows(
    rows: Sequence[Sequence[Any]],
    columns: Sequence[Column],
    choices: Choices | None = None,
    accept: Callable[[set[str]], bool] | None = None,
) -> Table:
    accept = accept or _required(columns)
    header: list[SheetColumn] | None = None
    positions: dict[str, int] = {}
    header_row = 0
    # Without a header row, the likeliest one is shown: the row naming most fields, then the fullest.
    candidate: tuple[tuple[int, int], list[str]] = ((0, 0), [])
    table = Table()
    widths: dict[int, bool] = {}
    for number, values in enumerate(rows, start=1):
        texts = [_cell_text(v) for v in values]
        if header is None:
            mapped = _map_header(texts, columns, choices or {})
            if accept({c.field for c in mapped if c.field}):
                header, header_row = mapped, number
                table.columns = {c.field for c in mapped if c.field}
                positions = {c.field: c.index for c in mapped if c.field}
                continue
            likeness = (sum(1 for c in mapped if c.field), sum(1 for t in texts if t))
            if likeness > candidate[0]:
                candidate = (likeness, texts)
            if number >= HEADER_SEARCH_ROWS:
                break
            continue
        if not any(texts) or TOTAL_ROW.match(next((t for t in texts if t), "")):
            continue
        if len(table.rows) >= MAX_ROWS:
            raise InvalidInput("Слишком много строк.", [FieldError("file", f"не больше {MAX_ROWS}")])
        for index, cell in enumerate(texts):
            if cell:
                widths[index] = True
        table.rows.append((number, {f: values[i] if i < len(values) else None for f, i in positions.items()}))
    if header is None:
        missing = ", ".join(f"«{c.headers[0]}»" for c in columns if c.required)
        raise HeaderNotFound(
            "Не найдена строка заголовков.",
            [FieldError("file", f"в первых {HEADER_SEARCH_ROWS} строках нужны столбцы {missing}")],
            [c for c in _map_header(candidate[1], columns, choices or {}) if c.title],
        )
    # Every column that holds data is shown, a column without a header too: nothing is dropped unseen.
    for index in sorted(widths):
        if index >= len(header):
            header.extend(SheetColumn(i, "", None) for i in range(len(header), index + 1))
        header[index].has_data = True
    table.sheet_columns = [c for c in header if c.title or c.has_data]
    table.header_row = header_row
    return table


def read_xlsx(
    data: bytes,
    columns: Sequence[Column],
    *,
    choices: Choices | None = None,
    accept: Callable[[set[str]], bool] | None = None,
) -> Table:
    """The first sheet's rows under the header row that names every required column.

    calamine (Rust) reads a 10,000-row base several times faster than openpyxl, without expanding
    XML entities; the archive is checked for size and zip bombs first. The sheet is read from A1
    with its empty rows kept, so row numbers are the ones people see in Excel.
    """
    _check_archive(data)
    return _table_from_rows(_calamine_rows(data), columns, choices, accept)


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
