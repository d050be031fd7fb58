"""An organisation's own figures, from the very queries the regional recompute runs; the indicators of its
home page among them (:func:`indicators_for`).

Every indicator has one definition, its :class:`~nastavnik.domain.statistics.indicators.base.IndicatorQuery`:
a SELECT of ``org_id, breakdown, numerator, denominator, respondents`` over the organisations of
``scope_org``. The recompute runs it over a municipality or a region as the aggregator role
(:mod:`nastavnik.domain.statistics.recompute`); here the same SQL runs for one organisation, in the session of
its request: the application role under row-level security for that organisation. ``scope_org`` is that
organisation alone, and ``stat_membership`` and ``stat_score`` CTEs of its memberships and final scores
instead of the recompute's temporary tables (the same rows,
:data:`~nastavnik.domain.statistics.indicators.base.PREPARED`).
``tests/statistics/test_one_definition.py`` holds the two paths to the same figures. The organisation's
home page shows the indicators contributed for it (``on_home_page``) this way (:func:`indicators_for`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.domain.statistics.definitions import Kind
from nastavnik.domain.statistics.figures import Figure
from nastavnik.domain.statistics.indicators import catalogue
from nastavnik.domain.statistics.indicators.base import PREPARED, IndicatorQuery
from nastavnik.models.reference import AcademicYear
from nastavnik.plugins import Plugins
from nastavnik.tenancy import OrgContext


def _one_organisation(sql: str) -> str:
    # Only the prepared rows the indicator reads: a CTE nobody reads would not run, but costs its planning.
    prepared = "".join(f", {table} AS ({rows})" for table, rows in PREPARED.items() if table in sql)
    return f"""
WITH scope_org AS (
    SELECT CAST(:org_id AS uuid) AS org_id, CAST(:municipality_id AS uuid) AS municipality_id,
           CAST(:org_type AS text) AS org_type
){prepared}
SELECT r.breakdown, r.numerator, r.denominator, r.respondents
  FROM ({sql}) AS r
 WHERE r.org_id = CAST(:org_id AS uuid)
 ORDER BY r.breakdown"""


def applies(query: IndicatorQuery, ctx: OrgContext) -> bool:
    """Whether the indicator is computed for the organisation: its plugin is active there and serves its
    type (the recompute's query leaves such organisations out the same way)."""
    types = query.organisation_types
    return query.indicator.source in ctx.active_plugins and (types is None or ctx.org.type in types)


async def organisation_figures(
    db: AsyncSession,
    queries: Iterable[IndicatorQuery],
    ctx: OrgContext,
    *,
    academic_year: int | None = None,
    as_of: date | None = None,
) -> dict[str, list[Figure]]:
    """The organisation's figures by indicator key (each breakdown a figure; '' first), as of ``as_of``
    (default: the organisation's today) for ``academic_year`` (default: the year ``as_of`` lies in).

    Indicators that do not apply to the organisation are left out.
    The figures are what its managers may read: an indicator that counts answers sees only the answers
    the acting person's row-level security lets them read (a curator or director: all of them).
    """
    as_of = as_of or ctx.today()
    year = academic_year if academic_year is not None else AcademicYear.start_year_of(as_of)
    chosen = [q for q in queries if applies(q, ctx)]
    params = {
        "org_id": ctx.org.id,
        "municipality_id": ctx.org.municipality_id,
        "org_type": ctx.org.type,
        "academic_year": year,
        "as_of": as_of,
    }
    figures: dict[str, list[Figure]] = {}
    for query in chosen:
        rows = await db.execute(text(_one_organisation(query.sql)), {**params, **query.bind})
        figures[query.indicator.key] = [
            Figure(query.indicator, int(n), _whole(d), _whole(r), breakdown=b) for b, n, d, r in rows
        ]
    return figures


def _whole(value: int | None) -> int | None:
    """A sum of PostgreSQL comes back a Decimal: the figures hold whole numbers."""
    return None if value is None else int(value)


@dataclass(frozen=True, slots=True)
class IndicatorValue:
    key: str
    title: str
    description: str
    value: int | float | None


async def indicators_for(db: AsyncSession, plugins: Plugins, ctx: OrgContext) -> list[IndicatorValue]:
    """The indicators of the organisation's home page: those contributed with ``on_home_page``, each
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
