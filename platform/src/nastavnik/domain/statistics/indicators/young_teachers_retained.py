"""Young teachers who stayed in the profession a year later.

Cohort (denominator): distinct young teachers of the organisation (mentee base, kind «молодой
педагог») who were mentees of an active or completed pair or group of a programme of the previous
academic year. Numerator: those of the cohort who, on the snapshot date, have not left the profession
(no leaving with the reason «profession» on or before that date; leaving for another organisation is
staying in the profession). An organisation with an empty cohort has no denominator («нет данных»).
"""

from __future__ import annotations

from nastavnik.domain.statistics.definitions import YOUNG_TEACHERS_RETAINED
from nastavnik.domain.statistics.indicators.base import AS_OF, YEAR
from nastavnik.types import StatisticContributor

SQL = f"""
SELECT s.org_id, '' AS breakdown, coalesce(c.stayed, 0) AS numerator,
       NULLIF(coalesce(c.cohort, 0), 0) AS denominator, NULL::bigint AS respondents
  FROM scope_org s
  LEFT JOIN (
        SELECT org_id, count(*) AS cohort,
               count(*) FILTER (WHERE left_reason IS DISTINCT FROM 'profession' OR left_on > {AS_OF})
                 AS stayed
          FROM (SELECT DISTINCT m.org_id, m.person_id, m.left_reason, m.left_on
                  FROM stat_membership m
                 WHERE m.role = 'mentee' AND m.kind = 'young_pedagogue'
                   AND m.status IN ('active', 'completed') AND m.academic_year = {YEAR} - 1) AS cohort
         GROUP BY org_id
       ) c ON c.org_id = s.org_id
"""

STATISTIC = StatisticContributor(
    key=YOUNG_TEACHERS_RETAINED,
    title="Молодые педагоги, оставшиеся в профессии через год",
    description="Из молодых педагогов, у которых был наставник в прошлом учебном году, доля не ушедших"
    " из профессии.",
    sql=SQL,
    kind="share",
    breakdowns=True,
    on_home_page=False,
)
