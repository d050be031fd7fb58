"""Share of learners aged 10–18 involved in mentoring: as mentees and as mentors of their peers.

Numerator: distinct learners of the organisation (a record of kind «обучающийся» in the base of mentees,
or, for a learner mentor in no such record, the person category «обучающийся» and the birth date the base
of mentors keeps for a learner: ``learner_birth_date`` of the membership, one expression) aged 10 to 18
in whole years on the snapshot date, who are members, as mentee or as mentor (the peer forms «ученик –
ученик», «студент – студент»), of a pair or group that is active or completed, belongs to a programme of the
academic year, started on or before the snapshot date and whose term overlaps the year; who have not
left, by the snapshot date, the base they take part from. A pair ended early and a draft count for
nobody. Each learner once; breakdowns ``role:mentor`` and ``role:mentee``. Denominator: the
organisation's headcount of learners aged 10–18 for the year (NULL without a headcount: «нет данных»).
Target: a region setting, 70 % by default. ``learners_covered`` stays beside it: the mentees alone.
"""

from __future__ import annotations

from nastavnik.domain.statistics.definitions import LEARNERS_INVOLVED
from nastavnik.domain.statistics.indicators.base import AS_OF
from nastavnik.domain.statistics.indicators.involvement import involvement_sql
from nastavnik.types import StatisticContributor

SQL = involvement_sql(
    f"""AND m.learner_birth_date <= {AS_OF} - interval '10 years'
       AND m.learner_birth_date > {AS_OF} - interval '19 years'""",
    "learners_10_18",
)

STATISTIC = StatisticContributor(
    key=LEARNERS_INVOLVED,
    title="Обучающиеся 10–18 лет, вовлечённые в наставничество",
    description="Доля обучающихся 10–18 лет, которые участвуют в действующей или завершённой паре (группе)"
    " учебного года наставляемым или наставником (формы «ученик – ученик», «студент – студент»), от"
    " численности обучающихся 10–18 лет. Каждый считается один раз; возраст — по дате рождения в базе"
    " наставляемых, а у обучающегося, которого там нет, — в базе наставников.",
    sql=SQL,
    kind="share",
    breakdowns=True,
    default_target=70.0,  # the federal target: at least 70 % of learners involved
    on_home_page=False,
)
