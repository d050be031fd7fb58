"""Mentors' and mentees' average satisfaction per questionnaire item (1–10 scales).

What the queries return:

* one row per (organisation, questionnaire item) of the final questionnaires of pairs and groups of the
  academic year answered on or before the snapshot date;
* ``breakdown`` = the item's stable code (``item:<code>``), '' for the average over all items;
* ``numerator`` = the sum of the scores, ``denominator`` = the number of scores, ``respondents`` = the
  number of distinct people who answered (distinct per organisation, so the sums stay exact);
* the dashboard shows an average only over at least five respondents (MIN_RESPONDENTS).
"""

from __future__ import annotations

from nastavnik.domain.statistics.definitions import SATISFACTION_MENTEES, SATISFACTION_MENTORS
from nastavnik.types import StatisticContributor


def _sql(role: str) -> str:
    """Scores of the final questionnaires of ``role`` answered by the snapshot date, per item and overall.

    The scores are ``stat_score`` (:data:`~nastavnik.domain.statistics.indicators.base.SCORE_ROWS`: the
    answers joined once for both roles); both levels come from one pass over them (``GROUPING SETS``).
    """
    return f"""
SELECT org_id, CASE WHEN grouping(item_key) = 0 THEN 'item:' || item_key ELSE '' END AS breakdown,
       sum(score) AS numerator, count(*) AS denominator, count(DISTINCT person_id) AS respondents
  FROM stat_score
 WHERE role = '{role}'
 GROUP BY GROUPING SETS ((org_id, item_key), (org_id))
"""


SQL_MENTORS = _sql("mentor")
SQL_MENTEES = _sql("mentee")

# Over a municipality or a region the planner expected one final questionnaire per programme where there
# were thousands and probed the assignments in nested loops (docs/statistics.md): hash joins instead, for
# these statements and for the ``stat_score`` they read (the recompute builds it so when they ask it).
MENTORS = StatisticContributor(
    key=SATISFACTION_MENTORS,
    title="Удовлетворённость наставников",
    description="Средний балл наставников по пунктам итоговой анкеты (шкала 1–10).",
    sql=SQL_MENTORS,
    kind="average",
    breakdowns=True,
    on_home_page=False,
    nested_loops=False,
)
MENTEES = StatisticContributor(
    key=SATISFACTION_MENTEES,
    title="Удовлетворённость наставляемых",
    description="Средний балл наставляемых по пунктам итоговой анкеты (шкала 1–10).",
    sql=SQL_MENTEES,
    kind="average",
    breakdowns=True,
    on_home_page=False,
    nested_loops=False,
)
