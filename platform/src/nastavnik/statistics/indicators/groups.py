"""Pairs and groups of the academic year by form, kind, status and shape.

Counts every pair and group of the organisation's programmes of the academic year, as recorded when
the snapshot is computed: the total (breakdown ''), and by ``form:<code>``, ``kind:<code>``,
``status:<draft|active|completed|ended_early>`` and ``shape:<pair|group>`` (a pair is exactly one
mentor with one mentee). No denominator.
"""

from __future__ import annotations

from nastavnik.statistics.definitions import GROUPS, Indicator, Kind
from nastavnik.statistics.indicators.base import IN_SCOPE, YEAR, IndicatorQuery

INDICATOR = Indicator(
    key=GROUPS,
    title="Наставнические пары и группы",
    kind=Kind.BREAKDOWN,
    description="Пары и группы учебного года по формам, видам и состоянию.",
)

SQL = f"""
WITH grp AS (
    SELECT g.org_id, g.id, g.form_code, g.kind_code, g.status,
           CASE WHEN count(*) FILTER (WHERE gm.role = 'mentor') = 1
                 AND count(*) FILTER (WHERE gm.role = 'mentee') = 1 THEN 'pair' ELSE 'group' END AS shape
      FROM mentoring_group g
      JOIN programme p ON p.org_id = g.org_id AND p.id = g.programme_id
      LEFT JOIN group_member gm ON gm.org_id = g.org_id AND gm.group_id = g.id
     WHERE p.academic_year = {YEAR} AND g.org_id {IN_SCOPE}
     GROUP BY g.org_id, g.id, g.form_code, g.kind_code, g.status
)
SELECT s.org_id, '' AS breakdown, count(grp.id) AS numerator, NULL::bigint AS denominator,
       NULL::bigint AS respondents
  FROM scope_org s LEFT JOIN grp ON grp.org_id = s.org_id
 GROUP BY s.org_id
UNION ALL
SELECT grp.org_id, b.breakdown, count(*), NULL::bigint, NULL::bigint
  FROM grp
 CROSS JOIN LATERAL (VALUES ('form:' || grp.form_code), ('kind:' || grp.kind_code),
                            ('status:' || grp.status), ('shape:' || grp.shape)) AS b(breakdown)
 GROUP BY grp.org_id, b.breakdown
"""

QUERY = IndicatorQuery(INDICATOR, SQL)
