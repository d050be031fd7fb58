"""The seam every indicator sits behind: one SELECT, the indicator's only definition.

Every indicator, the core's and the plugins', is a ``StatisticContributor`` returned by
``register_statistics``; the catalogue (:mod:`nastavnik.domain.statistics.indicators`) makes each an
:class:`IndicatorQuery`. The regional recompute wraps its SQL into an INSERT over the organisations of
its scope (as the aggregator role); an organisation's own page runs it for that organisation alone,
inside its tenant scope (:mod:`nastavnik.domain.statistics.organisation`). Each query returns the columns
``org_id, breakdown, numerator, denominator, respondents`` for the organisations of the CTE
``scope_org (org_id, municipality_id, org_type)`` (the active organisations of the job's scope, or the
one organisation). It may use the parameters ``:academic_year`` (the year it starts in) and ``:as_of``
(the snapshot date), and the rows prepared once per recompute (:data:`PREPARED`) so that the
indicators do not each join the biggest tables again: ``stat_membership``, the pairs' and groups'
members of the scope for this and the previous academic year, with the mentee base's fields
(:data:`MEMBERSHIP_ROWS`), and ``stat_score``, the scores of the final questionnaires of the academic
year (:data:`SCORE_ROWS`). The recompute makes each a temporary table of its transaction, built by
``CREATE TABLE … AS`` (whose SELECT may run in parallel workers, which an ``INSERT … SELECT`` never
does) and analysed; for one organisation each is a CTE of the same rows. Under the aggregator role it
sees only the columns that role was granted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nastavnik.domain.statistics.definitions import Indicator

AS_OF = "CAST(:as_of AS date)"
YEAR = "CAST(:academic_year AS integer)"
IN_SCOPE = "IN (SELECT org_id FROM scope_org)"

# A share of a regional recompute (recompute.py) names its organisations in ``:share_orgs``, and the
# prepared rows filter every table they join by that list, not only the first through its join:
# PostgreSQL does not carry a filter across a join's equality, and each share hashed the whole of the
# people and the mentee base for its half of the organisations. A list the planner counts, where a
# semi-join on ``scope_org`` in each join made it expect a handful of rows and loop over index probes.
LISTED = "= ANY(CAST(:share_orgs AS uuid[]))"


def _listed(alias: str, listed: bool) -> str:
    return f" AND {alias}.org_id {LISTED}" if listed else ""


def membership_rows(*, listed: bool = False) -> str:
    """One row per member of a pair or group of the scope's programmes of this and the previous academic
    year (a group without members keeps one row with no person), with the person's category, the mentee
    base's fields of every member who has a record there, for mentors the day they left the base of
    mentors, and ``learner_birth_date``: a learner's birth date from the base of mentees if it has one,
    else, for a learner who mentors a peer, from the base of mentors (which keeps it for learners only).
    ``listed``: of a share's organisations (``LISTED``)."""
    return f"""
SELECT g.org_id, g.id AS group_id, p.academic_year, g.status, g.starts_on, g.ends_on, g.form_code,
       g.kind_code, gm.person_id, gm.role, pe.category, mp.kind, mp.birth_date, mp.profession_since,
       mp.left_on, mp.left_reason, mr.left_on AS mentor_left_on,
       coalesce(CASE WHEN mp.kind = 'learner' THEN mp.birth_date END,
                CASE WHEN pe.category = 'learner' THEN mr.birth_date END) AS learner_birth_date
  FROM mentoring_group g
  JOIN programme p ON p.org_id = g.org_id AND p.id = g.programme_id{_listed("p", listed)}
  LEFT JOIN group_member gm ON gm.org_id = g.org_id AND gm.group_id = g.id{_listed("gm", listed)}
  LEFT JOIN person pe ON pe.org_id = gm.org_id AND pe.id = gm.person_id{_listed("pe", listed)}
  LEFT JOIN mentee_profile mp
    ON mp.org_id = gm.org_id AND mp.person_id = gm.person_id{_listed("mp", listed)}
  LEFT JOIN mentor_profile mr
    ON gm.role = 'mentor' AND mr.org_id = gm.org_id AND mr.person_id = gm.person_id{_listed("mr", listed)}
 WHERE p.academic_year IN ({YEAR}, {YEAR} - 1) AND g.org_id {IN_SCOPE}{_listed("g", listed)}
"""


def score_rows(*, listed: bool = False) -> str:
    """One row per score of the final questionnaires (moment ``end``) of the pairs and groups of the
    scope's programmes of the academic year, answered on or before the snapshot date: the organisation,
    the role the questionnaire was for, the item, who answered, the score. Both satisfaction indicators
    read it, so the largest table of the recompute (the answers) is joined once rather than once per
    role. ``listed``: of a share's organisations (``LISTED``).

    The final assignments of the year are found first (``OFFSET 0`` keeps the subquery whole, the
    planner's fence): the planner multiplies the selectivities of a composite key's two columns and
    expected a twentieth of the answers to match their assignments, so it joined all the answers to the
    assignments and only then the groups of the year, probing 625,000 rows where 110,000 assignments
    remain (measured at size L: 1.5 s a share instead of 2.0 s)."""
    return f"""
SELECT x.org_id, a.role, x.item_key, a.person_id, x.score
  FROM questionnaire_answer x
  JOIN (SELECT a.org_id, a.id, a.role, a.person_id
          FROM questionnaire_assignment a
          JOIN mentoring_group g ON g.org_id = a.org_id AND g.id = a.group_id{_listed("g", listed)}
          JOIN programme p ON p.org_id = g.org_id AND p.id = g.programme_id{_listed("p", listed)}
         WHERE a.moment = 'end' AND (a.completed_at AT TIME ZONE 'UTC')::date <= {AS_OF}
           AND p.academic_year = {YEAR} AND a.org_id {IN_SCOPE}{_listed("a", listed)}
        OFFSET 0) a ON a.org_id = x.org_id AND a.id = x.assignment_id
 WHERE x.score IS NOT NULL AND x.org_id {IN_SCOPE}{_listed("x", listed)}
"""


MEMBERSHIP_ROWS = membership_rows()
SCORE_ROWS = score_rows()

# The rows every recompute prepares once, by table name: the recompute makes each a temporary table of its
# transaction, an organisation's page a CTE of the same name; a share of a regional recompute makes them
# of its listed organisations.
PREPARED = {"stat_membership": MEMBERSHIP_ROWS, "stat_score": SCORE_ROWS}
PREPARED_LISTED = {"stat_membership": membership_rows(listed=True), "stat_score": score_rows(listed=True)}

# The mentees of pairs and groups that run on the snapshot date (active or completed, of the year,
# started on or before it): what the coverage indicators count.
RUNNING_MENTEES = f"""
stat_membership m
 WHERE m.role = 'mentee' AND m.academic_year = {YEAR}
   AND m.status IN ('active', 'completed') AND m.starts_on <= {AS_OF}
   AND (m.left_on IS NULL OR m.left_on > {AS_OF})
"""

# Every member, mentor or mentee, of a pair or group that runs on the snapshot date and has not left the
# base they take part from (a mentee the base of mentees, a mentor the base of mentors) by then: what the
# involvement indicators count, each person once. The pair's term overlaps the academic year (from
# 1 September): the programme's year keeps it there today, and a term written otherwise is not counted.
RUNNING_MEMBERS = f"""
stat_membership m
 WHERE m.academic_year = {YEAR}
   AND m.status IN ('active', 'completed') AND m.starts_on <= {AS_OF}
   AND m.ends_on >= make_date({YEAR}, 9, 1)
   AND ((m.role = 'mentee' AND (m.left_on IS NULL OR m.left_on > {AS_OF}))
        OR (m.role = 'mentor' AND (m.mentor_left_on IS NULL OR m.mentor_left_on > {AS_OF})))
"""


@dataclass(frozen=True, slots=True)
class IndicatorQuery:
    """One indicator of the catalogue, as the recompute and the organisation's page run it."""

    indicator: Indicator
    sql: str
    """The contributor's ``sql``, wrapped where the core adds a row per organisation or filters them."""
    plugin: str | None = None
    """The contributing plugin, whose per-organisation switch is honoured (None: a default plugin, the
    core, which no organisation switches off)."""
    organisation_types: tuple[str, ...] | None = None
    """Organisation types it applies to (None: every type)."""
    bind: dict[str, Any] = field(default_factory=dict)
    """Parameters of its own, beside the recompute's."""
    on_home_page: bool = True
    """Shown on the organisation's home page and at ``GET /api/o/{slug}/indicators``, computed there for
    that organisation from ``sql`` (the contributor's ``on_home_page``)."""
    nested_loops: bool = True
    """False (the contributor's ``nested_loops``): over a municipality or a region the statement is
    planned without nested loops. The planner multiplies the selectivities of ``org_id`` and the id in a
    composite-key join, expects one row where a thousand come, and loops over index probes of the largest
    tables (measured at size L: 4.8 s instead of 1.5 s). One organisation's recompute keeps them: there an
    index probe is the right plan."""
