"""What the loaded plugins offer an organisation: its dictionaries, as its region words them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.domain.dictionaries.overrides import apply_overrides, overrides_of, plugin_entries
from nastavnik.plugins import Plugins
from nastavnik.tenancy import OrgContext
from nastavnik.types import DictionaryEntry


@dataclass(frozen=True, slots=True)
class OrgDictionaries:
    """An organisation's dictionaries as its region words them.

    Iterating gives what may be chosen for new groups; ``hidden`` holds what the region has hidden
    since, which still names the groups formed under it.
    """

    offered: tuple[DictionaryEntry, ...]
    hidden: tuple[DictionaryEntry, ...] = ()

    def __iter__(self) -> Iterator[DictionaryEntry]:
        return iter(self.offered)


def _ordered(entries: list[DictionaryEntry]) -> tuple[DictionaryEntry, ...]:
    return tuple(sorted(entries, key=lambda e: (e.kind, e.regime, e.title)))


async def dictionaries_for(db: AsyncSession, plugins: Plugins, ctx: OrgContext) -> OrgDictionaries:
    """Entries for the organisation's type and only for the regimes that type runs, worded by its region.

    Reads the region's rows at most once per request (see :mod:`dictionary_overrides` for why no cache).
    """
    org_type = plugins.organisation_types().get(ctx.org.type)
    regimes = {str(r) for r in org_type.regimes} if org_type else set()
    entries = plugin_entries(plugins, ctx.org.type, regimes, ctx.active_plugins)
    overrides = await overrides_of(db, ctx.org.region_id)
    offered, hidden = apply_overrides(entries, overrides, ctx.org.type, regimes)
    return OrgDictionaries(_ordered(offered), _ordered(hidden))
