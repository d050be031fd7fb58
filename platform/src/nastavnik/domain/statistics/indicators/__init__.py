"""The catalogue of indicators: exactly what ``register_statistics`` returns, in that order.

Every indicator, the core's included, is a ``StatisticContributor`` of some plugin: the core's ten
regional indicators (one module each in this package, with their written definition and their SQL) and
``core.people``/``core.mentors`` come through the core's default plugin
(:mod:`nastavnik.default_plugins.core`) like any plugin's, first, since the default plugins load first.
Nothing here lists them: an indicator no plugin returns is not computed, stored or shown anywhere. The
dashboards, the reports and the organisation's statistics page show them in this order.
"""

from __future__ import annotations

from nastavnik.domain.statistics.definitions import Indicator, Kind
from nastavnik.domain.statistics.indicators.base import IndicatorQuery
from nastavnik.plugins import LoadedPlugin, Plugins
from nastavnik.types import StatisticContributor


def catalogue(plugins: Plugins) -> list[IndicatorQuery]:
    """Each contributor of ``Plugins.statistics()`` as the query the recompute and the pages run.

    The key, the kind and a default target are checked when the plugins load (a key offered twice, an
    unknown kind, a target on anything but a share refuse to start).
    """
    return [_query(plugin, contributor) for plugin, contributor in plugins.statistics()]


def indicators(plugins: Plugins) -> list[Indicator]:
    return [q.indicator for q in catalogue(plugins)]


def _query(plugin: LoadedPlugin, contributor: StatisticContributor) -> IndicatorQuery:
    served = None if plugin.default else tuple(plugin.info.organisation_types)
    types = contributor.organisation_types
    if served is not None:
        types = tuple(t for t in (types or served) if t in served)
    indicator = Indicator(
        key=contributor.key,
        title=contributor.title,
        kind=Kind(contributor.kind),
        description=contributor.description,
        default_target=contributor.default_target,
        source=plugin.name,
        organisation_types=types,
    )
    switch = None if plugin.default else plugin.name
    bind: dict[str, object] = {}
    if contributor.breakdowns and switch is None and types is None:
        # A default plugin's indicator for every organisation: its rows as they come, the statement
        # untouched (the planner sees exactly what was written and measured).
        sql = contributor.sql
    else:
        bind["plugin"] = switch
        if types is not None:
            bind["org_types"] = list(types)
        sql = _wrapped(contributor.sql, types, breakdowns=contributor.breakdowns)
    return IndicatorQuery(
        indicator,
        sql,
        plugin=switch,
        organisation_types=types,
        bind=bind,
        on_home_page=contributor.on_home_page,
        nested_loops=contributor.nested_loops,
    )


def _wrapped(sql: str, types: tuple[str, ...] | None, *, breakdowns: bool) -> str:
    """None of the rows where the plugin is switched off or does not serve the organisation's type; without
    breakdowns, every other organisation gets a row (a count of nothing is 0)."""
    where = [
        "(CAST(:plugin AS text) IS NULL OR NOT EXISTS (SELECT 1 FROM org_plugin_setting ps"
        " WHERE ps.org_id = s.org_id AND ps.plugin = CAST(:plugin AS text) AND NOT ps.enabled))"
    ]
    if types is not None:
        where.append("s.org_type = ANY(CAST(:org_types AS text[]))")
    # The plugin's statement is computed once (MATERIALIZED): as a subquery joined to the scope, the planner
    # expected one organisation where there were hundreds and ran its aggregate again for every one of
    # them (measured at size S: the club attendance 2.4 s per plugin instead of 50 ms).
    if breakdowns:
        return f"""
WITH r(org_id, breakdown, numerator, denominator, respondents) AS MATERIALIZED ({sql})
SELECT r.org_id, r.breakdown, r.numerator, r.denominator, r.respondents
  FROM r
  JOIN scope_org s ON s.org_id = r.org_id
 WHERE {" AND ".join(where)}
"""
    return f"""
WITH r(org_id, numerator, denominator, respondents) AS MATERIALIZED ({sql})
SELECT s.org_id, '' AS breakdown, coalesce(r.numerator, 0)::bigint AS numerator,
       r.denominator::bigint AS denominator, r.respondents::bigint AS respondents
  FROM scope_org s
  LEFT JOIN r ON r.org_id = s.org_id
 WHERE {" AND ".join(where)}
"""
