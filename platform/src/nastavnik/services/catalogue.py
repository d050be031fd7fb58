"""What the loaded plugins offer an organisation: dictionaries, navigation, indicators."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.plugins import Plugins, resolve
from nastavnik.tenancy import OrgContext
from nastavnik.types import DictionaryEntry, NavigationContext, NavItem, StatisticContributor


def dictionaries_for(plugins: Plugins, ctx: OrgContext) -> list[DictionaryEntry]:
    """Entries for the organisation's type and only for the regimes that type runs."""
    org_type = plugins.organisation_types().get(ctx.org.type)
    regimes = set(org_type.regimes) if org_type else set()
    entries = plugins.call_for("register_dictionaries", ctx.active_plugins)
    flat = [
        entry
        for result in entries
        for entry in result
        if entry.regime in regimes
        and (not entry.organisation_types or ctx.org.type in entry.organisation_types)
    ]
    return sorted(flat, key=lambda e: (e.kind, e.regime, e.title))


def navigation_for(plugins: Plugins, ctx: OrgContext) -> list[NavItem]:
    nav_ctx = NavigationContext(org_slug=ctx.org.slug, org_type=ctx.org.type, roles=ctx.roles)
    items = [
        item
        for result in plugins.call_for("register_navigation", ctx.active_plugins, context=nav_ctx)
        for item in result
    ]
    visible = [i for i in items if i.roles is None or i.roles & ctx.roles]
    return sorted(visible, key=lambda i: (i.order, i.title))


@dataclass(frozen=True, slots=True)
class IndicatorValue:
    key: str
    title: str
    description: str
    value: int | float | None


async def indicators_for(db: AsyncSession, plugins: Plugins, ctx: OrgContext) -> list[IndicatorValue]:
    contributors: list[StatisticContributor] = [
        c for result in plugins.call_for("register_statistics", ctx.active_plugins) for c in result
    ]
    values = []
    for contributor in contributors:
        if contributor.organisation_types is not None and ctx.org.type not in contributor.organisation_types:
            continue
        value = await resolve(contributor.compute(db, ctx.org.id))
        values.append(IndicatorValue(contributor.key, contributor.title, contributor.description, value))
    return values
