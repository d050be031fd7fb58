"""Office files in the tests: the .xlsx a curator uploads, the .docx and .xlsx the platform gives back."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

import docx
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet


def xlsx(rows: Iterable[Sequence[object]], *, merge: str | None = None) -> bytes:
    """A workbook of one sheet holding ``rows``; ``merge`` merges a range, e.g. a title across ``A1:F1``."""
    book = Workbook()
    sheet = book.worksheets[0]
    for row in rows:
        sheet.append(list(row))
    if merge:
        sheet.merge_cells(merge)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def first_sheet(content: bytes) -> Worksheet:
    """The first sheet of a workbook the platform sent."""
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    assert isinstance(sheet, Worksheet), f"the first sheet is a {type(sheet).__name__}"
    return sheet


def docx_with(*lines: str) -> bytes:
    """A .docx of one paragraph per line: a template as a region or a plugin would write it."""
    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def docx_paragraphs(content: bytes) -> list[str]:
    """The paragraphs of a .docx, outside its tables."""
    return [p.text for p in docx.Document(io.BytesIO(content)).paragraphs]


def docx_text(content: bytes) -> str:
    """Every paragraph of a .docx, then every table cell, one a line."""
    document = docx.Document(io.BytesIO(content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)
