"""Share of learners aged 10–18 who are mentees in an active or completed pair or group.

Numerator: distinct learners of the organisation (mentee base, kind «обучающийся») aged 10 to 18 in
whole years on the snapshot date, who have not left by then, and who are mentees of a pair or group
that is active or completed, belongs to a programme of the academic year and started on or before the
snapshot date. Denominator: the organisation's headcount of learners aged 10–18 for the year (NULL
when the organisation gave no headcount: «нет данных»).
"""

from __future__ import annotations

from nastavnik.domain.statistics.definitions import LEARNERS_COVERED
from nastavnik.domain.statistics.indicators.base import AS_OF, RUNNING_MENTEES, YEAR
from nastavnik.types import StatisticContributor

SQL = f"""
SELECT s.org_id, '' AS breakdown, coalesce(c.covered, 0) AS numerator,
       h.learners_10_18 AS denominator, NULL::bigint AS respondents
  FROM scope_org s
  LEFT JOIN headcount h ON h.org_id = s.org_id AND h.academic_year = {YEAR}
  LEFT JOIN (
        SELECT m.org_id, count(DISTINCT m.person_id) AS covered
          FROM {RUNNING_MENTEES}
           AND m.kind = 'learner'
           AND m.birth_date <= {AS_OF} - interval '10 years'
           AND m.birth_date > {AS_OF} - interval '19 years'
         GROUP BY m.org_id
       ) c ON c.org_id = s.org_id
"""

STATISTIC = StatisticContributor(
    key=LEARNERS_COVERED,
    title="Обучающиеся 10–18 лет, охваченные наставничеством",
    description="Доля обучающихся 10–18 лет, которые состоят наставляемыми в действующей или завершённой паре"
    " (группе), от численности обучающихся 10–18 лет.",
    sql=SQL,
    kind="share",
    breakdowns=True,
    default_target=70.0,  # the federal target
    on_home_page=False,
)
