"""One query module per indicator; :func:`catalogue` lists the core's and the plugins' in display order."""

from __future__ import annotations

from nastavnik.domain.statistics.definitions import Indicator, Kind
from nastavnik.domain.statistics.indicators import (
    groups,
    learners_covered,
    model_introduced,
    plan_completion,
    satisfaction,
    young_teachers_mentored,
    young_teachers_retained,
)
from nastavnik.domain.statistics.indicators.base import IndicatorQuery
from nastavnik.plugins import Plugins

CORE_QUERIES: tuple[IndicatorQuery, ...] = (
    learners_covered.QUERY,
    young_teachers_mentored.QUERY,
    model_introduced.QUERY,
    young_teachers_retained.QUERY,
    plan_completion.QUERY,
    *satisfaction.QUERIES,
    groups.QUERY,
)

_KINDS = {"count": Kind.COUNT, "share": Kind.SHARE, "average": Kind.AVERAGE}


def plugin_queries(plugins: Plugins) -> list[IndicatorQuery]:
    """What plugins (the core's default one included) contribute through ``register_statistics``.

    Each contributor's ``sql`` becomes the indicator's one query: the regional recompute runs it over its
    scope, and the organisation's home page runs it for that organisation (``on_home_page``).
    """
    queries = []
    for plugin, contributor in plugins.statistics():
        if contributor.kind not in _KINDS:
            raise ValueError(f"statistic {contributor.key!r}: unknown kind {contributor.kind!r}")
        served = None if plugin.default else tuple(plugin.info.organisation_types)
        types = contributor.organisation_types
        if served is not None:
            types = tuple(t for t in (types or served) if t in served)
        indicator = Indicator(
            key=contributor.key,
            title=contributor.title,
            kind=_KINDS[contributor.kind],
            description=contributor.description,
            source=plugin.name,
            organisation_types=types,
        )
        switch = None if plugin.default else plugin.name
        bind: dict[str, object] = {"plugin": switch}
        if types is not None:
            bind["org_types"] = list(types)
        queries.append(
            IndicatorQuery(
                indicator,
                _plugin_sql(contributor.sql, types),
                plugin=switch,
                organisation_types=types,
                bind=bind,
                on_home_page=True,
            )
        )
    return queries


def _plugin_sql(sql: str, types: tuple[str, ...] | None) -> str:
    """Every applicable organisation gets a row (a count of nothing is 0); none where the plugin is off."""
    where = [
        "(CAST(:plugin AS text) IS NULL OR NOT EXISTS (SELECT 1 FROM org_plugin_setting ps"
        " WHERE ps.org_id = s.org_id AND ps.plugin = CAST(:plugin AS text) AND NOT ps.enabled))"
    ]
    if types is not None:
        where.append("s.org_type = ANY(CAST(:org_types AS text[]))")
    return f"""
SELECT s.org_id, '' AS breakdown, coalesce(r.numerator, 0)::bigint AS numerator,
       r.denominator::bigint AS denominator, r.respondents::bigint AS respondents
  FROM scope_org s
  LEFT JOIN ({sql}) AS r(org_id, numerator, denominator, respondents) ON r.org_id = s.org_id
 WHERE {" AND ".join(where)}
"""


def catalogue(plugins: Plugins) -> list[IndicatorQuery]:
    queries = [*CORE_QUERIES, *plugin_queries(plugins)]
    keys = [q.indicator.key for q in queries]
    duplicates = {k for k in keys if keys.count(k) > 1}
    if duplicates:
        raise ValueError(f"statistics registered twice: {sorted(duplicates)}")
    return queries


def indicators(plugins: Plugins) -> list[Indicator]:
    return [q.indicator for q in catalogue(plugins)]
