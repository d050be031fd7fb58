"""Filling a .docx template (docxtpl) in memory, with filters that put names in their cases.

Templates may come from a region or an organisation, so they are treated as untrusted: the
Jinja environment is sandboxed and immutable (no reaching into Python internals, no mutating
the data), autoescaping is on (a «<» or «&» in a name cannot break the document's XML), an
unknown field is an error rather than a silently empty gap in an order, and the archive's size
is bounded before anything is unpacked. Whatever goes wrong with a template surfaces as
``TemplateBroken`` with a message in Russian.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate  # type: ignore[import-untyped]
from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from nastavnik.domain.documents.names import GrammaticalCase, PersonName

logger = logging.getLogger(__name__)

MAX_TEMPLATE_BYTES = 5 * 1024 * 1024
# The declared unpacked sizes bound what zipfile will ever inflate: a guard against zip bombs.
MAX_UNPACKED_BYTES = 64 * 1024 * 1024
MAX_ARCHIVE_MEMBERS = 1000

MONTHS_GENITIVE = (
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
)

# Short filter names a template author types most: {{ mentor|acc }}.
_CASE_ALIASES: dict[str, GrammaticalCase] = {
    "nom": GrammaticalCase.NOMINATIVE,
    "gen": GrammaticalCase.GENITIVE,
    "dat": GrammaticalCase.DATIVE,
    "acc": GrammaticalCase.ACCUSATIVE,
    "ins": GrammaticalCase.INSTRUMENTAL,
    "pre": GrammaticalCase.PREPOSITIONAL,
}

# Characters XML 1.0 forbids; a stray one pasted into a name would make Word refuse the file.
# Form feed and bell are docxtpl's page and paragraph breaks: user text must not insert those.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_QUOTED = re.compile(r"'([^']+)'")


class TemplateBroken(Exception):
    """A template that cannot be filled; ``message`` is for the person who supplied it."""

    def __init__(self, message: str, detail: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail  # the underlying error, for logs; not for the user


def _parse_case(value: object) -> GrammaticalCase:
    text = str(value).strip().lower()
    if text in _CASE_ALIASES:
        return _CASE_ALIASES[text]
    try:
        return GrammaticalCase(text)
    except ValueError:
        raise TemplateBroken(
            f"В шаблоне указан неизвестный падеж «{value}». Допустимые: "
            + ", ".join(case.value for case in GrammaticalCase)
            + "."
        ) from None


def _in_case(value: object, case: GrammaticalCase) -> str:
    if value is None:
        return ""
    if isinstance(value, PersonName):
        return value.full(case)
    return str(value)  # plain text passes through: a filter on it is the author's slip, not a crash


def case_filter(value: object, case: object = GrammaticalCase.NOMINATIVE) -> str:
    """{{ mentor|case("dative") }}: the full name in the case."""
    return _in_case(value, _parse_case(case))


def _case_filter_for(case: GrammaticalCase) -> Callable[[object], str]:
    def apply(value: object) -> str:
        return _in_case(value, case)

    return apply


def initials_filter(value: object) -> str:
    """{{ director|initials }}: «Г. П. Сидорова», as under a signature."""
    if value is None:
        return ""
    if isinstance(value, PersonName):
        return value.initials_first()
    return str(value)


def short_filter(value: object, case: object = GrammaticalCase.NOMINATIVE) -> str:
    """{{ mentor|short }}: «Сидорова Г. П.»; {{ mentor|short("dative") }}: «Сидоровой Г. П.»."""
    if value is None:
        return ""
    if isinstance(value, PersonName):
        return value.short(_parse_case(case))
    return str(value)


def names_filter(values: Iterable[object] | None, case: object = GrammaticalCase.NOMINATIVE) -> str:
    """{{ g.mentees|names("genitive") }}: full names in the case, comma-joined."""
    if values is None:
        return ""
    parsed = _parse_case(case)
    return ", ".join(_in_case(value, parsed) for value in values)


def _dated(value: object, written: Callable[[date], str]) -> str:
    """A date as ``written`` puts it; None as nothing, anything else as it is."""
    if value is None:
        return ""
    return written(value) if isinstance(value, date) else str(value)


def date_ru(value: object) -> str:
    """01.09.2026."""
    return _dated(value, lambda d: f"{d.day:02d}.{d.month:02d}.{d.year}")


def date_long(value: object) -> str:
    """1 сентября 2026 г."""
    return _dated(value, lambda d: f"{d.day} {MONTHS_GENITIVE[d.month - 1]} {d.year} г.")


def _finalize(value: object) -> object:
    """Every {{ … }} output: None prints as nothing, XML-forbidden characters are dropped."""
    if value is None:
        return ""
    if isinstance(value, Markup):  # the author's explicit |safe: theirs to answer for
        return value
    if isinstance(value, str):
        return _XML_FORBIDDEN.sub("", value)
    return value


def _build_environment() -> ImmutableSandboxedEnvironment:
    environment = ImmutableSandboxedEnvironment(
        autoescape=True,
        undefined=StrictUndefined,
        finalize=_finalize,
    )
    filters: dict[str, Callable[..., str]] = {
        alias: _case_filter_for(case) for alias, case in _CASE_ALIASES.items()
    }
    filters.update(
        case=case_filter,
        initials=initials_filter,
        short=short_filter,
        names=names_filter,
        date_ru=date_ru,
        date_long=date_long,
    )
    environment.filters.update(filters)
    return environment


_ENVIRONMENT = _build_environment()


def _read(template: bytes | Path) -> bytes:
    if isinstance(template, bytes | bytearray | memoryview):
        raw = bytes(template)
    else:
        try:
            if template.stat().st_size > MAX_TEMPLATE_BYTES:
                raise _too_large()
            raw = template.read_bytes()
        except OSError as exc:
            raise TemplateBroken("Файл шаблона не удалось прочитать.", detail=repr(exc)) from exc
    if len(raw) > MAX_TEMPLATE_BYTES:
        raise _too_large()
    return raw


def _too_large() -> TemplateBroken:
    return TemplateBroken(
        f"Шаблон слишком большой: допускается не более {MAX_TEMPLATE_BYTES // (1024 * 1024)} МБ."
    )


def _check_archive(raw: bytes) -> None:
    """A .docx is a zip with word/document.xml inside; anything else is refused before parsing."""
    not_docx = "Файл шаблона не является документом Word (.docx)."
    if not zipfile.is_zipfile(io.BytesIO(raw)):
        raise TemplateBroken(not_docx)
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:  # a corrupt directory
        raise TemplateBroken(not_docx, detail=repr(exc)) from exc
    if len(members) > MAX_ARCHIVE_MEMBERS or sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
        raise TemplateBroken("Шаблон после распаковки слишком большой.")
    if "word/document.xml" not in {member.filename for member in members}:
        raise TemplateBroken(not_docx)


def _context_excerpt(exc: BaseException) -> str:
    # docxtpl attaches the document text around a Jinja error: the best pointer for the author.
    lines = getattr(exc, "docx_context", None)
    if lines is None:
        return ""
    text = " ".join(" ".join(line.split()) for line in lines).strip()
    return f" Фрагмент: «{text[:200]}»." if text else ""


def _translate(exc: TemplateError) -> TemplateBroken:
    detail = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, TemplateSyntaxError):
        return TemplateBroken(
            "В шаблоне ошибка разметки полей: проверьте парность скобок {{ }} и {% %}"
            " и правильность выражений." + _context_excerpt(exc),
            detail=detail,
        )
    if isinstance(exc, UndefinedError):
        quoted = _QUOTED.findall(str(exc))
        name = f" «{quoted[-1]}»" if quoted else ""
        return TemplateBroken(
            f"В шаблоне используется поле{name}, которого нет в данных документа." + _context_excerpt(exc),
            detail=detail,
        )
    if isinstance(exc, SecurityError):
        return TemplateBroken("Шаблон обращается к недоступным данным.", detail=detail)
    return TemplateBroken("Шаблон не удалось заполнить." + _context_excerpt(exc), detail=detail)


def render(template: bytes | Path, context: Mapping[str, Any]) -> bytes:
    """The filled document as .docx bytes; ``TemplateBroken`` for any fault of the template."""
    raw = _read(template)
    _check_archive(raw)
    try:
        document = DocxTemplate(io.BytesIO(raw))
        document.render(dict(context), jinja_env=_ENVIRONMENT, autoescape=True)
        output = io.BytesIO()
        document.save(output)
    except TemplateBroken:
        raise
    except TemplateError as exc:
        raise _translate(exc) from exc
    except Exception as exc:  # python-docx, lxml, docxtpl internals: a template they cannot digest
        logger.info("template could not be rendered", exc_info=True)
        raise TemplateBroken(
            "Документ по шаблону сформировать не удалось: файл повреждён или содержит недопустимую разметку.",
            detail=f"{type(exc).__name__}: {exc}",
        ) from exc
    return output.getvalue()
