"""Organisations that have introduced the target model of mentoring.

Per organisation, 1 or 0 with denominator 1, so that the sums give «N из M организаций»: a curator is
appointed (a working person with the curator's role), the Положение and the Программа наставничества of
a programme of the academic year are approved with an order number and an order date on or before the
snapshot date, and an order on forming pairs (groups) of a programme of the year was issued on or before
the snapshot date. The breakdowns ``curator``, ``polozhenie``, ``programma`` and ``pairs_order`` count
each condition alone; the total (breakdown '') needs all four.
"""

from __future__ import annotations

from nastavnik.domain.statistics.definitions import MODEL_INTRODUCED
from nastavnik.domain.statistics.indicators.base import AS_OF, IN_SCOPE, YEAR
from nastavnik.types import StatisticContributor


def _approved(document: str) -> str:
    return (
        f"p.{document}_status = 'approved' AND coalesce(p.{document}_order_no, '') <> ''"
        f" AND p.{document}_order_date <= {AS_OF}"
    )


SQL = f"""
WITH cur AS (
    SELECT DISTINCT pr.org_id
      FROM person_role pr JOIN person pe ON pe.org_id = pr.org_id AND pe.id = pr.person_id
     WHERE pr.role = 'curator' AND pe.status = 'active' AND pr.org_id {IN_SCOPE}
), docs AS (
    SELECT p.org_id, bool_or({_approved("polozhenie")}) AS polozhenie,
           bool_or({_approved("programma")}) AS programma
      FROM programme p
     WHERE p.academic_year = {YEAR} AND p.org_id {IN_SCOPE}
     GROUP BY p.org_id
), ord AS (
    SELECT DISTINCT o.org_id
      FROM mentoring_order o JOIN programme p ON p.org_id = o.org_id AND p.id = o.programme_id
     WHERE o.kind = 'pairs_formation' AND o.issued_on <= {AS_OF} AND p.academic_year = {YEAR}
       AND o.org_id {IN_SCOPE}
), flags AS (
    SELECT s.org_id, cur.org_id IS NOT NULL AS curator, coalesce(docs.polozhenie, false) AS polozhenie,
           coalesce(docs.programma, false) AS programma, ord.org_id IS NOT NULL AS pairs_order
      FROM scope_org s
      LEFT JOIN cur ON cur.org_id = s.org_id
      LEFT JOIN docs ON docs.org_id = s.org_id
      LEFT JOIN ord ON ord.org_id = s.org_id
)
SELECT f.org_id, b.breakdown, b.flag::int::bigint AS numerator, 1::bigint AS denominator,
       NULL::bigint AS respondents
  FROM flags f
 CROSS JOIN LATERAL (VALUES ('', f.curator AND f.polozhenie AND f.programma AND f.pairs_order),
                            ('curator', f.curator), ('polozhenie', f.polozhenie),
                            ('programma', f.programma), ('pairs_order', f.pairs_order)) AS b(breakdown, flag)
"""

STATISTIC = StatisticContributor(
    key=MODEL_INTRODUCED,
    title="Организации, внедрившие целевую модель",
    description="Назначен куратор, утверждены Положение и Программа наставничества (с номером и датой"
    " приказа), издан приказ о формировании наставнических пар (групп).",
    sql=SQL,
    kind="share",
    breakdowns=True,
    on_home_page=False,
)
