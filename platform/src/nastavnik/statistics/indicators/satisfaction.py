"""Mentors' and mentees' average satisfaction per questionnaire item (1–10 scales). NOT YET AVAILABLE.

The questionnaires are being built in another branch; until their tables exist these indicators report
«нет данных». The contract the query must keep when it is written (``SQL_MENTORS``/``SQL_MENTEES``):

* one row per (organisation, questionnaire item) of the final questionnaires of pairs and groups of the
  academic year answered on or before the snapshot date;
* ``breakdown`` = the item's stable code (``item:<code>``), '' for the average over all items;
* ``numerator`` = the sum of the scores, ``denominator`` = the number of scores, ``respondents`` = the
  number of distinct people who answered (distinct per organisation, so the sums stay exact);
* the dashboard shows an average only over at least five respondents (MIN_RESPONDENTS).
"""

from __future__ import annotations

from nastavnik.statistics.definitions import SATISFACTION_MENTEES, SATISFACTION_MENTORS, Indicator, Kind
from nastavnik.statistics.indicators.base import IndicatorQuery

SOURCE_TABLES = ("questionnaire_answer",)

MENTORS = Indicator(
    key=SATISFACTION_MENTORS,
    title="Удовлетворённость наставников",
    kind=Kind.AVERAGE,
    description="Средний балл наставников по пунктам итоговой анкеты (шкала 1–10).",
)
MENTEES = Indicator(
    key=SATISFACTION_MENTEES,
    title="Удовлетворённость наставляемых",
    kind=Kind.AVERAGE,
    description="Средний балл наставляемых по пунктам итоговой анкеты (шкала 1–10).",
)

SQL_MENTORS: str | None = None
SQL_MENTEES: str | None = None

QUERIES = (
    IndicatorQuery(MENTORS, SQL_MENTORS, SOURCE_TABLES),
    IndicatorQuery(MENTEES, SQL_MENTEES, SOURCE_TABLES),
)
