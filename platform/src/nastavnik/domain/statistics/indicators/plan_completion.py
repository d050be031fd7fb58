"""Completion of the individual development plans.

Numerator: tasks of the development plans of the pairs and groups of the academic year's programmes
ticked done on or before the snapshot date. Denominator: all tasks of those plans. An organisation
whose pairs have no task yet has no row: «нет данных», not 0 %.
"""

from __future__ import annotations

from nastavnik.domain.statistics.definitions import PLAN_COMPLETION
from nastavnik.domain.statistics.indicators.base import AS_OF, IN_SCOPE, YEAR
from nastavnik.types import StatisticContributor

SQL = f"""
SELECT i.org_id, '' AS breakdown,
       count(*) FILTER (WHERE i.done AND i.done_on <= {AS_OF}) AS numerator,
       count(*) AS denominator, NULL::bigint AS respondents
  FROM plan_item i
  JOIN mentoring_group g ON g.org_id = i.org_id AND g.id = i.group_id
  JOIN programme p ON p.org_id = g.org_id AND p.id = g.programme_id
 WHERE p.academic_year = {YEAR} AND i.org_id {IN_SCOPE}
 GROUP BY i.org_id
"""

STATISTIC = StatisticContributor(
    key=PLAN_COMPLETION,
    title="Выполнение индивидуальных планов",
    description="Доля выполненных пунктов индивидуальных планов развития наставляемых.",
    sql=SQL,
    kind="share",
    breakdowns=True,  # no row without a task: «нет данных», not 0 %
    on_home_page=False,
)
