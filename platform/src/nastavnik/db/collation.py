"""Sorting people's names as a Russian reader expects: «Ёлкин» among the «Е», not after «Я» or before «А».

PostgreSQL sorts with the ICU collation ``ru_icu`` (migration 0018), where «ё» differs from «е» only at
the second level. The names are also compared with «ё» read as «е» first: that holds on a server built
without ICU too (the demo's embedded PostgreSQL), and costs nothing on the few hundred people of an
organisation. Python sorts with :func:`name_key`, the same rule.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlalchemy.sql.elements import ColumnElement

RU = "ru_icu"


def by_name(column: Any) -> ColumnElement[Any]:
    return func.translate(column, "Ёё", "Ее").collate(RU)


def name_order(*columns: Any) -> list[ColumnElement[Any]]:
    """ORDER BY terms for name columns: each with «ё» as «е» in the Russian collation, then as written."""
    return [by_name(c) for c in columns] + [c.collate(RU) for c in columns]


def name_key(*parts: str | None) -> tuple[str, ...]:
    """A Python sort key with the same rule: case and «ё» folded first, the exact spelling breaking ties."""
    folded = tuple((p or "").casefold().replace("ё", "е") for p in parts)
    return (*folded, *(p or "" for p in parts))
