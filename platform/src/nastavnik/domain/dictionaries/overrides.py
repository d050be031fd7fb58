"""A region's wording of the mentoring dictionaries, read side: loading it and laying it over the plugins'.

Why one query per request and no process cache: the web runs as several replicas, and a region's
edit must show at once in all of them (a curator forming pairs right after the region hid a form
must not be offered it). A cache per process would need a TTL of staleness or a cross-process
invalidation channel; the rows of one region are few and sit behind the unique index that leads
with ``region_id``, so reading them is one index scan of a handful of rows. They are read at most
once per request: the first call keeps them in the request's database session (``Session.info``),
and a write through this session forgets them.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.db import driver
from nastavnik.domain.dictionaries.models import RegionDictionaryEntry
from nastavnik.plugins import Plugins
from nastavnik.types import DictionaryEntry, DictionaryKind, Regime

MEMO_KEY = "nastavnik_region_wording"

Key = tuple[str, str, str]
"""(dictionary kind, regime, code)."""


@dataclass(frozen=True, slots=True)
class Override:
    """One row of a region's wording, detached from the database."""

    kind: str
    regime: str
    code: str
    organisation_type: str | None
    title: str | None
    hidden: bool = False
    added: bool = False
    description: str = ""
    mentor_categories: tuple[str, ...] = ()
    version: int = 1

    @property
    def key(self) -> Key:
        return (self.kind, self.regime, self.code)


@dataclass(frozen=True, slots=True)
class Effective:
    """What the region says about one entry for one organisation type."""

    title: str | None
    hidden: bool
    added: Override | None


_T = RegionDictionaryEntry
# Compiled once for the driver (nastavnik.db.driver): read on every page that words a dictionary, and
# SQLAlchemy's building and execution of it cost more than the statement. Every column is text, a
# boolean, an integer or a text array, which asyncpg gives as SQLAlchemy did.
_OVERRIDES = driver.DriverStatement(
    select(
        _T.kind,
        _T.regime,
        _T.code,
        _T.organisation_type,
        _T.title,
        _T.hidden,
        _T.added,
        _T.description,
        _T.mentor_categories,
        _T.version,
    ).where(_T.region_id == bindparam("region_id"))
)


async def overrides_of(db: AsyncSession, region_id: uuid.UUID) -> tuple[Override, ...]:
    """The region's rows, read once per database session (that is, per request)."""
    memo: dict[uuid.UUID, tuple[Override, ...]] = db.info.setdefault(MEMO_KEY, {})
    if region_id not in memo:
        rows = await driver.fetch(db, _OVERRIDES, {"region_id": region_id})
        memo[region_id] = tuple(
            Override(kind, regime, code, org_type, title, hidden, added, description, tuple(cats), version)
            for kind, regime, code, org_type, title, hidden, added, description, cats, version in rows
        )
    return memo[region_id]


def forget(db: AsyncSession) -> None:
    """After a write: the next read in this session goes to the database again."""
    db.info.pop(MEMO_KEY, None)


def plugin_entries(
    plugins: Plugins, org_type: str, regimes: Collection[str], active: Iterable[str] | None = None
) -> list[DictionaryEntry]:
    """The plugins' entries for one organisation type and the regimes it runs.

    ``active``: the plugins switched on for the organisation; by default every plugin serving the type.
    """
    names = plugins.active_for(org_type) if active is None else active
    return [
        entry
        for entry in plugins.dictionaries(names)
        if entry.regime in regimes and (not entry.organisation_types or org_type in entry.organisation_types)
    ]


def effective_for(overrides: Iterable[Override], org_type: str | None) -> dict[Key, Effective]:
    """The region's word on each entry for ``org_type``: its own row first, then the row for every type.

    A title or an added entry may come from either row; whether it is hidden, from the nearer one.
    ``org_type=None`` asks about the rows for every type alone.
    """
    general: dict[Key, Override] = {}
    specific: dict[Key, Override] = {}
    for o in overrides:
        if o.organisation_type is None:
            general[o.key] = o
        elif o.organisation_type == org_type:
            specific[o.key] = o
    found = {}
    for key in general.keys() | specific.keys():
        rows = [r for r in (specific.get(key), general.get(key)) if r is not None]
        found[key] = Effective(
            title=next((r.title for r in rows if r.title), None),
            hidden=rows[0].hidden,
            added=next((r for r in rows if r.added), None),
        )
    return found


def apply_overrides(
    entries: Sequence[DictionaryEntry],
    overrides: Iterable[Override],
    org_type: str,
    regimes: Collection[str],
) -> tuple[list[DictionaryEntry], list[DictionaryEntry]]:
    """(offered, hidden): the plugins' entries renamed as the region says, and its own added ones.

    Hidden entries are kept apart rather than dropped: groups formed under them still need their title.
    """
    said = effective_for(overrides, org_type)
    offered: list[DictionaryEntry] = []
    hidden: list[DictionaryEntry] = []
    seen: set[Key] = set()
    for entry in entries:
        key = (str(entry.kind), str(entry.regime), entry.code)
        seen.add(key)
        word = said.get(key)
        if word is None:
            offered.append(entry)
            continue
        renamed = replace(entry, title=word.title) if word.title else entry
        (hidden if word.hidden else offered).append(renamed)
    for key, word in said.items():
        own = word.added
        if key in seen or own is None or own.regime not in regimes:
            continue
        entry = DictionaryEntry(
            kind=DictionaryKind(own.kind),
            code=own.code,
            title=word.title or own.code,
            regime=Regime(own.regime),
            organisation_types=(own.organisation_type,) if own.organisation_type else (),
            description=own.description,
            mentor_categories=own.mentor_categories,
        )
        (hidden if word.hidden else offered).append(entry)
    return offered, hidden
