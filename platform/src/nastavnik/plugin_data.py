"""What a plugin offers as data rather than code: its words, read from a TOML file it ships.

The plugins offer the same building blocks in their own words; written as code, three plugins would
repeat one call three times with other strings. As data each plugin's hook is one line, and the
file is what a reviewer (or a region's methodist) reads.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from nastavnik.types import AssociationKind, AssociationShape


class PluginDataError(ValueError):
    """A plugin's data file that cannot be read; the message names the file and the entry."""


def _text(entry: Mapping[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise PluginDataError(f"{where}: {key!r} must be a non-empty string")
    return value


def _titles(entry: Mapping[str, Any], key: str, where: str) -> dict[str, str]:
    titles = entry.get(key, {})
    if not isinstance(titles, dict) or not all(isinstance(v, str) and v.strip() for v in titles.values()):
        raise PluginDataError(f"{where}: {key!r} must map codes to titles")
    return dict(titles)


def load_associations(path: Path) -> list[AssociationKind]:
    """The ``[[association]]`` tables of ``path`` as :class:`AssociationKind` items, in file order.

    Each names its ``shape``, ``title``, ``plural`` and ``event_forms`` (a table of code = title, in the
    order forms are offered), and optionally ``organisation_types``, ``member_limit_years``,
    ``nav_order`` and ``indicator_titles`` (a table of indicator code = title).
    """
    with path.open("rb") as file:
        data = tomllib.load(file)
    kinds = []
    for number, entry in enumerate(data.get("association", []), start=1):
        where = f"{path.name}, association {number}"
        try:
            shape = AssociationShape(entry.get("shape"))
        except ValueError:
            raise PluginDataError(f"{where}: unknown shape {entry.get('shape')!r}") from None
        forms = _titles(entry, "event_forms", where)
        limit = entry.get("member_limit_years")
        kinds.append(
            AssociationKind(
                shape=shape,
                title=_text(entry, "title", where),
                plural=_text(entry, "plural", where),
                event_forms=forms,
                organisation_types=tuple(entry.get("organisation_types", ())),
                member_limit_years=int(limit) if limit is not None else None,
                nav_order=int(entry.get("nav_order", 60)),
                indicator_titles=_titles(entry, "indicator_titles", where),
            )
        )
    return kinds
