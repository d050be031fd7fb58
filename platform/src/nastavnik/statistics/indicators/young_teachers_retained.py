"""Young teachers who stayed in the profession a year later.

Cohort (denominator): distinct young teachers of the organisation (mentee base, kind «молодой
педагог») who were mentees of an active or completed pair or group of a programme of the previous
academic year. Numerator: those of the cohort who, on the snapshot date, have not left the profession
(no leaving with the reason «profession» on or before that date; leaving for another organisation is
staying in the profession). An organisation with an empty cohort has no denominator («нет данных»).
"""

from __future__ import annotations

from nastavnik.statistics.definitions import YOUNG_TEACHERS_RETAINED, Indicator, Kind
from nastavnik.statistics.indicators.base import AS_OF, IN_SCOPE, YEAR, IndicatorQuery

INDICATOR = Indicator(
    key=YOUNG_TEACHERS_RETAINED,
    title="Молодые педагоги, оставшиеся в профессии через год",
    kind=Kind.SHARE,
    description="Из молодых педагогов, у которых был наставник в прошлом учебном году, доля не ушедших"
    " из профессии.",
)

SQL = f"""
SELECT s.org_id, '' AS breakdown, coalesce(c.stayed, 0) AS numerator,
       NULLIF(coalesce(c.cohort, 0), 0) AS denominator, NULL::bigint AS respondents
  FROM scope_org s
  LEFT JOIN (
        SELECT mp.org_id, count(*) AS cohort,
               count(*) FILTER (WHERE mp.left_reason IS DISTINCT FROM 'profession' OR mp.left_on > {AS_OF})
                 AS stayed
          FROM (SELECT DISTINCT gm.org_id, gm.person_id
                  FROM group_member gm
                  JOIN mentoring_group g ON g.org_id = gm.org_id AND g.id = gm.group_id
                  JOIN programme p ON p.org_id = g.org_id AND p.id = g.programme_id
                 WHERE gm.role = 'mentee' AND g.status IN ('active', 'completed')
                   AND p.academic_year = {YEAR} - 1 AND gm.org_id {IN_SCOPE}) AS cohort
          JOIN mentee_profile mp ON mp.org_id = cohort.org_id AND mp.person_id = cohort.person_id
         WHERE mp.kind = 'young_pedagogue'
         GROUP BY mp.org_id
       ) c ON c.org_id = s.org_id
"""

QUERY = IndicatorQuery(INDICATOR, SQL)
