"""The shape the two involvement indicators share: distinct people of a running pair or group, in total
and by the role they take part in, over a headcount.

A person who mentors in one pair and is mentored in another, or takes part in several pairs, is one person
in the total and one in each role's breakdown (``role:mentor``, ``role:mentee``): the breakdowns may add up
to more than the total.
"""

from __future__ import annotations

from nastavnik.domain.statistics.indicators.base import RUNNING_MEMBERS, YEAR


def involvement_sql(who: str, headcount_column: str) -> str:
    """The SELECT of an involvement indicator: ``who`` narrows :data:`RUNNING_MEMBERS` (an ``AND …``
    condition on ``m``), ``headcount_column`` is the denominator read from the year's headcount."""
    # One pass: each person once per organisation with the roles they hold, then the three counts of it.
    return f"""
WITH involved AS (
    SELECT m.org_id, m.person_id, bool_or(m.role = 'mentor') AS mentors, bool_or(m.role = 'mentee') AS mentees
      FROM {RUNNING_MEMBERS}
       {who}
     GROUP BY m.org_id, m.person_id
), counted AS (
    SELECT org_id, count(*) AS total, count(*) FILTER (WHERE mentors) AS as_mentor,
           count(*) FILTER (WHERE mentees) AS as_mentee
      FROM involved GROUP BY org_id
)
SELECT s.org_id, b.breakdown,
       coalesce(CASE b.breakdown WHEN '' THEN c.total WHEN 'role:mentor' THEN c.as_mentor
                                 ELSE c.as_mentee END, 0)::bigint AS numerator,
       h.{headcount_column}::bigint AS denominator, NULL::bigint AS respondents
  FROM scope_org s
 CROSS JOIN (VALUES (''), ('role:mentor'), ('role:mentee')) AS b(breakdown)
  LEFT JOIN headcount h ON h.org_id = s.org_id AND h.academic_year = {YEAR}
  LEFT JOIN counted c ON c.org_id = s.org_id
"""
