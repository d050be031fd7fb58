"""The colleges plugin's regional indicators, each one query: the college's home page runs it for the college
(this academic year, as of today), the regional recompute over every college (the year and date it
computes). The aggregator reads only the columns counted (migration colleges_0002): agreement dates, terms
and pairs, never names, INNs, places or contacts."""

from __future__ import annotations

from nastavnik import StatisticContributor

COLLEGE = ("college",)

# Partners whose cooperation agreement was signed by the date computed.
PARTNERS_WITH_AGREEMENT = """
SELECT p.org_id, count(*), NULL, NULL
  FROM colleges_partner p
 WHERE p.agreement_date <= CAST(:as_of AS date)
   AND p.org_id IN (SELECT org_id FROM scope_org)
 GROUP BY p.org_id"""

# Students (the mentees of the pairs) whose internship at a partner fell within the academic year and had
# begun by the date computed; a student with two internships counts once.
STUDENTS_ON_INTERNSHIP = """
SELECT i.org_id, count(DISTINCT m.person_id), NULL, NULL
  FROM colleges_internship i
  JOIN group_member m ON m.org_id = i.org_id AND m.group_id = i.group_id AND m.role = 'mentee'
 WHERE i.starts_on <= LEAST(CAST(:as_of AS date), make_date(CAST(:academic_year AS integer) + 1, 8, 31))
   AND i.ends_on >= make_date(CAST(:academic_year AS integer), 9, 1)
   AND i.org_id IN (SELECT org_id FROM scope_org)
 GROUP BY i.org_id"""

STATISTICS = [
    StatisticContributor(
        key="colleges.partners_with_agreement",
        title="Предприятий-партнёров с договором",
        description="Предприятия-партнёры, с которыми заключён договор о сотрудничестве.",
        sql=PARTNERS_WITH_AGREEMENT,
        organisation_types=COLLEGE,
    ),
    StatisticContributor(
        key="colleges.students_on_internship",
        title="Обучающихся на практике у партнёров",
        description="Студенты пар «работодатель – студент», проходящие или прошедшие практику"
        " на предприятиях-партнёрах в учебном году.",
        sql=STUDENTS_ON_INTERNSHIP,
        organisation_types=COLLEGE,
    ),
]
