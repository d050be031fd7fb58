"""Page forms read into the JSON API's own body types: one validation path, one Russian message per field.

A page form and its API twin decode into the same ``msgspec.Struct`` (:func:`decode_form`), so the
schema's checks (types, bounds) and their Russian messages are the same on both; what the domain checks
is the service's, which both call. A refused form comes back filled in (web/form_state.py).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Annotated, Any, TypeVar

import msgspec
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body
from msgspec import inspect

from nastavnik.errors import FieldError, InvalidInput
from nastavnik.web.errors import INVALID_REQUEST, field_problem

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
"""A submitted page form."""
Upload = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]
"""A submitted form with a file in its «file» field."""

MAX_FILE_BYTES = 5 * 1024 * 1024
"""The largest spreadsheet an import reads (5 MiB)."""
S = TypeVar("S", bound=msgspec.Struct)
TICKED = {"on", "true", "1", "yes"}
"""What a ticked checkbox sends (browsers send «on» unless the box has a value of its own)."""


def decode_form(
    data: Mapping[str, Any],
    into: type[S],
    *,
    names: Mapping[str, str] | None = None,
    nested: Collection[str] = (),
    keep_blank: Collection[str] = (),
) -> S:
    """The form's values as ``into``, the type the API decodes its JSON body into; or InvalidInput naming
    the form's field with the same Russian message the API gives for the same value.

    Each field of ``into`` is read, as text, from the form field of its name (or the one ``names`` gives
    for it) and converted as the JSON would be: numbers, dates, ids. A checkbox (a ``bool`` field) is true
    when ticked and false when not sent. An empty value counts as not given (the default, or «обязательное
    поле»), except in a field of plain text and in those named in ``keep_blank``, where "" means something
    («remove the address»). Values already shaped (a list of ticked ids) pass as they are. A struct field
    named in ``nested`` is read from the form fields ``<name>_<field>``.
    """
    fields = {**{n: f"{n}_" for n in nested}, **(names or {})}
    try:
        return msgspec.convert(_values(data, inspect.type_info(into), fields, keep_blank), into, strict=False)
    except msgspec.ValidationError as exc:
        message, _, where = str(exc).partition(" - at `$.")
        problem = field_problem(where.rstrip("`"), message)
        head, dot, rest = problem.field.partition(".")
        if head in nested and dot:
            problem = FieldError(f"{head}_{rest}", problem.message)
        elif head in fields and head not in nested:
            problem = FieldError(fields[head] + dot + rest, problem.message)
        raise InvalidInput(INVALID_REQUEST, [problem]) from None


def _values(
    data: Mapping[str, Any], shape: inspect.Type, fields: Mapping[str, str], keep_blank: Collection[str]
) -> dict[str, Any]:
    assert isinstance(shape, inspect.StructType), "decode_form reads into a msgspec.Struct"
    values: dict[str, Any] = {}
    for f in shape.fields:
        kinds = f.type.types if isinstance(f.type, inspect.UnionType) else (f.type,)
        name = fields.get(f.name, f.name)
        struct = next((k for k in kinds if isinstance(k, inspect.StructType)), None)
        if struct is not None and name.endswith("_"):
            inner = {k[len(name) :]: v for k, v in data.items() if k.startswith(name)}
            values[f.name] = _values(inner, struct, {}, keep_blank)
            continue
        raw = data.get(name)
        text = isinstance(f.type, inspect.StrType) or f.name in keep_blank
        if isinstance(raw, str) and not text:
            raw = raw.strip()
        if any(isinstance(k, inspect.BoolType) for k in kinds) and (raw is None or isinstance(raw, str)):
            values[f.name] = (raw or "").lower() in TICKED
        elif not (raw is None or (raw == "" and not text) or isinstance(raw, UploadFile)):
            values[f.name] = raw
    return values


def confirmed(data: Mapping[str, str], message: str) -> None:
    """A form that removes something needs its «confirm» box ticked; refused with ``message`` if not."""
    if data.get("confirm") != "yes":
        raise InvalidInput(message, [FieldError("confirm", "отметьте подтверждение")])


def ticked(data: Mapping[str, str], prefix: str) -> list[str]:
    """The ticked checkboxes named ``<prefix><value>``: their values (ids, codes), in the form's order."""
    return [name[len(prefix) :] for name, value in data.items() if name.startswith(prefix) and value == "on"]


async def uploaded_file(form: dict[str, Any]) -> tuple[bytes, str]:
    """(content, file name) of the form's «file», read within the imports' size limit."""
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise InvalidInput("Выберите файл Excel.", [FieldError("file", "файл не выбран")])
    content = await upload.read(MAX_FILE_BYTES + 1)
    if len(content) > MAX_FILE_BYTES:
        raise InvalidInput("Файл слишком большой.", [FieldError("file", "не больше 5 МБ")])
    return content, upload.filename or ""


async def uploaded_file_or_none(form: dict[str, Any], limit: int) -> tuple[bytes | None, str]:
    """(content, file name) of the form's «file», read to one byte past ``limit``; (None, "") without one.

    The service decides what a missing or oversized file means, after checking who is asking.
    """
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        return None, ""
    return await upload.read(limit + 1), upload.filename or ""
