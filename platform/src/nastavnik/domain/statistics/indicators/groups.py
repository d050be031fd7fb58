"""Pairs and groups of the academic year by form, kind, status and shape.

Counts every pair and group of the organisation's programmes of the academic year, as recorded when
the snapshot is computed: the total (breakdown ''), and by ``form:<code>``, ``kind:<code>``,
``status:<draft|active|completed|ended_early>`` and ``shape:<pair|group>`` (a pair is exactly one
mentor with one mentee). No denominator.
"""

from __future__ import annotations

from nastavnik.domain.statistics.definitions import GROUPS
from nastavnik.domain.statistics.indicators.base import YEAR
from nastavnik.types import StatisticContributor

# Groups are counted once per combination of form, kind, status and shape, then spread over the four
# breakdowns: the expansion runs over the few combinations, not over every group.
SQL = f"""
WITH grp AS (
    SELECT m.org_id, m.form_code, m.kind_code, m.status,
           CASE WHEN count(*) FILTER (WHERE m.role = 'mentor') = 1
                 AND count(*) FILTER (WHERE m.role = 'mentee') = 1 THEN 'pair' ELSE 'group' END AS shape
      FROM stat_membership m
     WHERE m.academic_year = {YEAR}
     -- A group's form, kind and status are the same on each of its rows: grouped by, not min() of them
     -- (hashing the codes is cheaper than comparing them in the collation, row by row).
     GROUP BY m.org_id, m.group_id, m.form_code, m.kind_code, m.status
), combo AS (
    SELECT org_id, form_code, kind_code, status, shape, count(*) AS n
      FROM grp GROUP BY org_id, form_code, kind_code, status, shape
)
SELECT s.org_id, '' AS breakdown, coalesce(sum(combo.n), 0)::bigint AS numerator, NULL::bigint AS denominator,
       NULL::bigint AS respondents
  FROM scope_org s LEFT JOIN combo ON combo.org_id = s.org_id
 GROUP BY s.org_id
UNION ALL
SELECT combo.org_id, b.breakdown, sum(combo.n)::bigint, NULL::bigint, NULL::bigint
  FROM combo
 CROSS JOIN LATERAL (VALUES ('form:' || combo.form_code), ('kind:' || combo.kind_code),
                            ('status:' || combo.status), ('shape:' || combo.shape)) AS b(breakdown)
 GROUP BY combo.org_id, b.breakdown
"""

STATISTIC = StatisticContributor(
    key=GROUPS,
    title="Наставнические пары и группы",
    description="Пары и группы учебного года по формам, видам и состоянию.",
    sql=SQL,
    kind="breakdown",
    breakdowns=True,
    on_home_page=False,
)
