"""Reading values from submitted page forms; a bad value is a Russian error naming its field."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body

from nastavnik.errors import InvalidInput
from nastavnik.types import INT4_MAX, YEAR_MAX, YEAR_MIN

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
"""A submitted page form."""
Upload = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]
"""A submitted form with a file in its «file» field."""

MAX_FILE_BYTES = 5 * 1024 * 1024
"""The largest spreadsheet an import reads (5 MiB)."""


async def uploaded_file(form: dict[str, Any]) -> tuple[bytes, str]:
    """(content, file name) of the form's «file», read within the imports' size limit."""
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise InvalidInput("Выберите файл Excel.", [{"field": "file", "message": "файл не выбран"}])
    content = await upload.read(MAX_FILE_BYTES + 1)
    if len(content) > MAX_FILE_BYTES:
        raise InvalidInput("Файл слишком большой.", [{"field": "file", "message": "не больше 5 МБ"}])
    return content, upload.filename or ""


async def uploaded_file_or_none(form: dict[str, Any], limit: int) -> tuple[bytes | None, str]:
    """(content, file name) of the form's «file», read to one byte past ``limit``; (None, "") without one.

    The service decides what a missing or oversized file means, after checking who is asking.
    """
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        return None, ""
    return await upload.read(limit + 1), upload.filename or ""


def form_date(form: dict[str, str], name: str) -> date | None:
    """A date from an <input type="date"> (ISO), or None when left empty."""
    raw = form.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput("Дата указана неверно.", [{"field": name, "message": "укажите дату"}]) from None


def form_int(
    form: dict[str, str],
    name: str,
    default: int | None = None,
    *,
    ge: int = -INT4_MAX - 1,
    le: int = INT4_MAX,
) -> int:
    """A whole number from ``ge`` to ``le`` (by default, any a PostgreSQL ``integer`` holds); ``default``
    when left empty (without a default, empty is an error)."""
    raw = form.get(name, "").strip()
    if not raw and default is not None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InvalidInput(
            "Число указано неверно.", [{"field": name, "message": "введите целое число"}]
        ) from None
    if not ge <= value <= le:
        raise InvalidInput(
            "Число вне допустимых пределов.", [{"field": name, "message": f"число от {ge} до {le}"}]
        )
    return value


def form_year(form: dict[str, str], name: str = "year") -> int | None:
    """An academic year's start year (2000–2100) from a form, or None when none was chosen."""
    if not form.get(name, "").strip():
        return None
    return form_int(form, name, ge=YEAR_MIN, le=YEAR_MAX)
