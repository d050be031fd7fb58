"""What the loaded plugins offer an organisation: dictionaries, navigation, indicators."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.domain.dictionaries.overrides import apply_overrides, overrides_of, plugin_entries
from nastavnik.domain.statistics.definitions import Kind
from nastavnik.domain.statistics.figures import Figure
from nastavnik.domain.statistics.indicators import catalogue
from nastavnik.domain.statistics.indicators.base import IndicatorQuery
from nastavnik.domain.statistics.organisation import organisation_figures
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


@dataclass(frozen=True, slots=True)
class IndicatorValue:
    key: str
    title: str
    description: str
    value: int | float | None


async def indicators_for(db: AsyncSession, plugins: Plugins, ctx: OrgContext) -> list[IndicatorValue]:
    """The indicators of the organisation's home page: what ``register_statistics`` contributes, each
    computed from its one query (the same the regional recompute runs) for this organisation today."""
    queries = _home_order([q for q in catalogue(plugins) if q.on_home_page])
    figures = await organisation_figures(db, queries, ctx)
    values = []
    for query in queries:
        found = figures.get(query.indicator.key)
        if found is None:  # not for this organisation
            continue
        headline = next((f for f in found if f.breakdown == ""), None)
        indicator = query.indicator
        values.append(IndicatorValue(indicator.key, indicator.title, indicator.description, _shown(headline)))
    return values


def _home_order(queries: list[IndicatorQuery]) -> list[IndicatorQuery]:
    """As the page has always shown them: the last loaded plugin's first (the order pluggy calls the hook
    in), each plugin's in the order it registers them."""
    sources = list(dict.fromkeys(q.indicator.source for q in queries))
    rank = {source: i for i, source in enumerate(reversed(sources))}
    return sorted(queries, key=lambda q: rank[q.indicator.source])


def _shown(figure: Figure | None) -> int | float | None:
    """A count as a whole number; a share or an average as its value (None: «нет данных»)."""
    if figure is None:
        return None
    if figure.indicator.kind is Kind.COUNT:
        return figure.numerator
    return figure.value
