"""Share of pedagogical workers involved in mentoring, as mentor or mentee, in either regime.

Numerator: distinct people of the organisation in the category «педагогический работник» (``person.category``
pedagogue) who are members, as mentor or as mentee, of a pair or group of either regime (mentoring of
pedagogues or of learners, where a teacher mentors learners) that is active or completed, belongs to a
programme of the academic year, started on or before the snapshot date and whose term overlaps the year;
who have not left, by the snapshot date, the base they take part from (a mentee the base of mentees, a
mentor the base of mentors). A pair ended early and a draft count for nobody. Each person once, whatever
their pairs and roles; breakdowns ``role:mentor`` and ``role:mentee`` count each role's people.
Denominator: the organisation's headcount of pedagogical workers for the year (NULL without a headcount:
«нет данных»). Target: a region setting, 70 % by default.
"""

from __future__ import annotations

from nastavnik.domain.statistics.definitions import TEACHERS_INVOLVED
from nastavnik.domain.statistics.indicators.involvement import involvement_sql
from nastavnik.types import StatisticContributor

SQL = involvement_sql("AND m.category = 'pedagogue'", "pedagogues")

STATISTIC = StatisticContributor(
    key=TEACHERS_INVOLVED,
    title="Педагоги, вовлечённые в наставничество",
    description="Доля педагогических работников, которые участвуют наставником или наставляемым в действующей"
    " или завершённой паре (группе) учебного года — в наставничестве педагогов или обучающихся, — от"
    " численности педагогических работников. Каждый считается один раз; пары, завершённые досрочно, не"
    " учитываются.",
    sql=SQL,
    kind="share",
    breakdowns=True,
    default_target=70.0,  # the federal target: at least 70 % of teachers involved
    on_home_page=False,
)
