"""The seam every indicator sits behind: one SELECT, the indicator's only definition.

The regional recompute wraps it into an INSERT over the organisations of its scope (as the aggregator
role); an organisation's own page runs it for that organisation alone, inside its tenant scope
(:mod:`nastavnik.domain.statistics.organisation`). Each query returns the columns
``org_id, breakdown, numerator, denominator, respondents`` for the organisations of the CTE
``scope_org (org_id, municipality_id, org_type)`` (the active organisations of the job's scope, or the
one organisation). It may use the parameters ``:academic_year`` (the year it starts in) and ``:as_of``
(the snapshot date), and ``stat_membership``: the pairs' and groups' members of the scope for this and
the previous academic year, with the mentee base's fields, prepared once per recompute (see
:data:`MEMBERSHIP`) so that the indicators do not each join the biggest tables again; for one
organisation it is a CTE of the same rows (:data:`MEMBERSHIP_ROWS`). Under the aggregator role it sees
only the columns that role was granted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from nastavnik.domain.statistics.definitions import Indicator

AS_OF = "CAST(:as_of AS date)"
YEAR = "CAST(:academic_year AS integer)"
IN_SCOPE = "IN (SELECT org_id FROM scope_org)"

# One row per member of a pair or group of the scope's programmes of this and the previous academic
# year (a group without members keeps one row with no person), with the mentee base's fields for
# mentees. A temporary table of the recompute's transaction: gone at its end, whatever happens.
MEMBERSHIP_TABLE = """
CREATE TEMPORARY TABLE stat_membership (
    org_id uuid NOT NULL, group_id uuid NOT NULL, academic_year integer NOT NULL, status varchar(16) NOT NULL,
    starts_on date NOT NULL, form_code varchar(64) NOT NULL, kind_code varchar(64) NOT NULL, person_id uuid,
    role varchar(16), kind varchar(16), birth_date date, profession_since date, left_on date,
    left_reason varchar(16)
) ON COMMIT DROP
"""
MEMBERSHIP_ROWS = f"""
SELECT g.org_id, g.id AS group_id, p.academic_year, g.status, g.starts_on, g.form_code, g.kind_code,
       gm.person_id, gm.role, mp.kind, mp.birth_date, mp.profession_since, mp.left_on, mp.left_reason
  FROM mentoring_group g
  JOIN programme p ON p.org_id = g.org_id AND p.id = g.programme_id
  LEFT JOIN group_member gm ON gm.org_id = g.org_id AND gm.group_id = g.id
  LEFT JOIN mentee_profile mp ON gm.role = 'mentee' AND mp.org_id = gm.org_id AND mp.person_id = gm.person_id
 WHERE p.academic_year IN ({YEAR}, {YEAR} - 1) AND g.org_id {IN_SCOPE}
"""
MEMBERSHIP = f"INSERT INTO stat_membership {MEMBERSHIP_ROWS}"

# The mentees of pairs and groups that run on the snapshot date (active or completed, of the year,
# started on or before it): what the coverage indicators count.
RUNNING_MENTEES = f"""
stat_membership m
 WHERE m.role = 'mentee' AND m.academic_year = {YEAR}
   AND m.status IN ('active', 'completed') AND m.starts_on <= {AS_OF}
   AND (m.left_on IS NULL OR m.left_on > {AS_OF})
"""


@dataclass(frozen=True, slots=True)
class IndicatorQuery:
    indicator: Indicator
    sql: str | None
    """None: the data it needs does not exist yet; the indicator reports «нет данных»."""
    source_tables: tuple[str, ...] = ()
    """Tables it reads; if one is missing the indicator is skipped («нет данных»)."""
    plugin: str | None = None
    """The contributing plugin, whose per-organisation switch is honoured (None: the core)."""
    organisation_types: tuple[str, ...] | None = None
    """Organisation types it applies to (None: every type)."""
    bind: dict[str, Any] = field(default_factory=dict)
    """Parameters of its own, beside the recompute's."""
    on_home_page: bool = False
    """Shown on the organisation's home page and at ``GET /api/o/{slug}/indicators`` (what plugins
    contribute through ``register_statistics``), computed there for that organisation from ``sql``."""
    nested_loops: bool = True
    """False: over a municipality or a region the statement is planned without nested loops. The planner
    multiplies the selectivities of ``org_id`` and the id in a composite-key join, expects one row where a
    thousand come, and loops over index probes of the largest tables (measured at size L: 4.8 s instead of
    1.5 s). One organisation's recompute keeps them: there an index probe is the right plan."""


async def missing_tables(db: AsyncConnection | AsyncSession, queries: Iterable[IndicatorQuery]) -> set[str]:
    """The source tables of ``queries`` that do not exist: their indicators are skipped («нет данных»)."""
    names = sorted({t for q in queries for t in q.source_tables})
    if not names:
        return set()
    rows = await db.execute(
        text("SELECT t FROM unnest(CAST(:names AS text[])) AS t WHERE to_regclass(t) IS NULL"),
        {"names": names},
    )
    return {str(r[0]) for r in rows}
