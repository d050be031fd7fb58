"""The JSON API's response bodies, built from the records they show."""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec

S = TypeVar("S", bound=msgspec.Struct)


def shown_as(schema: type[S], record: object, **given: Any) -> S:
    """``schema`` filled from ``record``'s attributes of the same names, ``given`` supplying the others
    (or replacing what the record holds): for a body that mostly repeats its record's columns."""
    copied = {name: getattr(record, name) for name in schema.__struct_fields__ if name not in given}
    return schema(**copied, **given)
