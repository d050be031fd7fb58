"""The seam every indicator sits behind: a SELECT that the recompute wraps into an INSERT.

Each query returns the columns ``org_id, breakdown, numerator, denominator, respondents`` for the
organisations being recomputed. It may read the CTE ``scope_org (org_id, municipality_id, org_type)``
(the active organisations of the job's scope) and the parameters ``:academic_year`` (the year it
starts in) and ``:as_of`` (the snapshot date). It runs as the aggregator role, so it sees only the
columns that role was granted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nastavnik.statistics.definitions import Indicator

AS_OF = "CAST(:as_of AS date)"
YEAR = "CAST(:academic_year AS integer)"
IN_SCOPE = "IN (SELECT org_id FROM scope_org)"


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
