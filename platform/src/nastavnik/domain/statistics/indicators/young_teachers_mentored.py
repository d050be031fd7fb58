"""Share of young teachers (0–3 whole years in the profession) who have a mentor.

Numerator: distinct young teachers of the organisation (mentee base, kind «молодой педагог») whose
start in the profession lies 0 to 3 whole years before the snapshot date (from that day until the day
before the fourth anniversary), who have not left by then, and who are mentees of a pair or group that
is active or completed, belongs to a programme of the academic year and started on or before the
snapshot date (every pair and group has a mentor: the platform refuses one without). Denominator: the
organisation's headcount of young teachers for the year (NULL without a headcount: «нет данных»).
"""

from __future__ import annotations

from nastavnik.domain.statistics.definitions import YOUNG_TEACHERS_MENTORED
from nastavnik.domain.statistics.indicators.base import AS_OF, RUNNING_MENTEES, YEAR
from nastavnik.types import StatisticContributor

SQL = f"""
SELECT s.org_id, '' AS breakdown, coalesce(c.mentored, 0) AS numerator,
       h.young_pedagogues AS denominator, NULL::bigint AS respondents
  FROM scope_org s
  LEFT JOIN headcount h ON h.org_id = s.org_id AND h.academic_year = {YEAR}
  LEFT JOIN (
        SELECT m.org_id, count(DISTINCT m.person_id) AS mentored
          FROM {RUNNING_MENTEES}
           AND m.kind = 'young_pedagogue'
           AND m.profession_since <= {AS_OF}
           AND m.profession_since > {AS_OF} - interval '4 years'
         GROUP BY m.org_id
       ) c ON c.org_id = s.org_id
"""

STATISTIC = StatisticContributor(
    key=YOUNG_TEACHERS_MENTORED,
    title="Молодые педагоги с наставником",
    description="Доля молодых педагогов (стаж 0–3 года), у которых есть наставник в действующей или"
    " завершённой паре (группе), от численности молодых педагогов.",
    sql=SQL,
    kind="share",
    breakdowns=True,
    on_home_page=False,
)
