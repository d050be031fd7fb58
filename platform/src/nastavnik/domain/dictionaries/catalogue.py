"""What the loaded plugins offer an organisation: dictionaries, navigation, indicators."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.domain.dictionaries.overrides import apply_overrides, overrides_of, plugin_entries
from nastavnik.plugins import Plugins, resolve
from nastavnik.tenancy import OrgContext
from nastavnik.types import DictionaryEntry, NavigationContext, NavItem, StatisticContributor


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


async def navigation_for(plugins: Plugins, ctx: OrgContext) -> list[NavItem]:
    nav_ctx = NavigationContext(org_slug=ctx.org.slug, org_type=ctx.org.type, roles=ctx.roles)
    items = await plugins.navigation(nav_ctx, ctx.active_plugins)
    visible = [i for i in items if i.roles is None or i.roles & ctx.roles]
    return sorted(visible, key=lambda i: (i.order, i.title))


@dataclass(frozen=True, slots=True)
class IndicatorValue:
    key: str
    title: str
    description: str
    value: int | float | None


async def indicators_for(db: AsyncSession, plugins: Plugins, ctx: OrgContext) -> list[IndicatorValue]:
    contributors: list[StatisticContributor] = [c for _, c in plugins.statistics(ctx.active_plugins)]
    values = []
    for contributor in contributors:
        if contributor.organisation_types is not None and ctx.org.type not in contributor.organisation_types:
            continue
        value = await resolve(contributor.compute(db, ctx.org.id))
        values.append(IndicatorValue(contributor.key, contributor.title, contributor.description, value))
    return values
