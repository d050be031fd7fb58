"""Share of young teachers (0–3 whole years in the profession) who have a mentor.

Numerator: distinct young teachers of the organisation (mentee base, kind «молодой педагог») whose
start in the profession lies 0 to 3 whole years before the snapshot date (from that day until the day
before the fourth anniversary), who have not left by then, and who are mentees of a pair or group that
is active or completed, belongs to a programme of the academic year and started on or before the
snapshot date (every pair and group has a mentor: the platform refuses one without). Denominator: the
organisation's headcount of young teachers for the year (NULL without a headcount: «нет данных»).
"""

from __future__ import annotations

from nastavnik.statistics.definitions import YOUNG_TEACHERS_MENTORED, Indicator, Kind
from nastavnik.statistics.indicators.base import AS_OF, IN_SCOPE, YEAR, IndicatorQuery

INDICATOR = Indicator(
    key=YOUNG_TEACHERS_MENTORED,
    title="Молодые педагоги с наставником",
    kind=Kind.SHARE,
    description="Доля молодых педагогов (стаж 0–3 года), у которых есть наставник в действующей или"
    " завершённой паре (группе), от численности молодых педагогов.",
)

SQL = f"""
SELECT s.org_id, '' AS breakdown, coalesce(c.mentored, 0) AS numerator,
       h.young_pedagogues AS denominator, NULL::bigint AS respondents
  FROM scope_org s
  LEFT JOIN headcount h ON h.org_id = s.org_id AND h.academic_year = {YEAR}
  LEFT JOIN (
        SELECT gm.org_id, count(DISTINCT gm.person_id) AS mentored
          FROM group_member gm
          JOIN mentoring_group g ON g.org_id = gm.org_id AND g.id = gm.group_id
          JOIN programme p ON p.org_id = g.org_id AND p.id = g.programme_id
          JOIN mentee_profile mp ON mp.org_id = gm.org_id AND mp.person_id = gm.person_id
         WHERE gm.role = 'mentee'
           AND g.status IN ('active', 'completed') AND g.starts_on <= {AS_OF}
           AND p.academic_year = {YEAR}
           AND mp.kind = 'young_pedagogue'
           AND mp.profession_since <= {AS_OF}
           AND mp.profession_since > {AS_OF} - interval '4 years'
           AND (mp.left_on IS NULL OR mp.left_on > {AS_OF})
           AND gm.org_id {IN_SCOPE}
         GROUP BY gm.org_id
       ) c ON c.org_id = s.org_id
"""

QUERY = IndicatorQuery(INDICATOR, SQL)
