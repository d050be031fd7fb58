"""the diagnostics' results for the young teachers' club's leader: aggregates only, from the database

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-12

Who reads the results of an academic year's diagnostics of young teachers' difficulties: the curator and
the director, and the leader of the organisation's young teachers' club of that year (their club's plan
addresses those difficulties). One SQL function says it, ``nastavnik_may_read_diagnostics(year)``; the
service asks it (``questionnaires.diagnostics.may_read_diagnostics``), so the questionnaires domain never
imports the methodical one, and the database applies the same rule on its own.

The answers' read policy (migration 0019, ``respondent_or_manager``) is deliberately NOT widened for the
leader. A policy decides which rows a session may select, not what it may compute from them: a clause
admitting the leader to the year's diagnostics answers, so that their averages count everyone, would also
let their session run ``SELECT * FROM questionnaire_answer`` and read each young teacher's scores and
free text one by one. Instead the per-area figures come from ``nastavnik_diagnostics_difficulties
(campaign)``, a ``SECURITY DEFINER`` function (owned by the owner role, ``search_path`` pinned, executable
by the application role only) that

- returns nothing unless the acting person may read that campaign's year (and only of the organisation of
  the transaction: ``nastavnik_current_org()`` checks the membership);
- returns per scale item only: how many answered, and the average and how many rated it hard (a score in
  the top third of the item's scale, ``nastavnik_hard_from``), the last two NULL under five respondents —
  the withholding of every other average (``questionnaires.results.MIN_RESPONDENTS``), applied inside the
  database where the caller cannot choose the threshold; never a person, a row or a free-text answer.

The leader's session thus selects from ``questionnaire_answer`` what it did before: their own answers,
and, as a mentor, the diagnostics of the mentees of their own pairs. The curator's and the director's
figures come from the same function, so that everyone who reads the results reads the same numbers.

What withholding cannot prevent: whoever reads the figures before and after one more young teacher answers
can tell that teacher's score by the difference (the completion of each questionnaire is visible inside the
organisation). It is the limit of a threshold on aggregates, the same for the curator's other averages.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from nastavnik.db.rls import migration_roles

revision: str = "0020"
down_revision: str | Sequence[str] | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The curator or director, or the leader of the organisation's club of the academic year. Invoker's rights:
# the application reads its organisation's associations anyway.
MAY_READ_FUNCTION = """
CREATE FUNCTION nastavnik_may_read_diagnostics(for_year integer) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT public.nastavnik_current_is_manager() OR EXISTS (
        SELECT 1 FROM public.methodical_association c
         WHERE c.org_id = public.nastavnik_current_org()
           AND c.shape = 'club'
           AND c.academic_year = for_year
           AND c.leader_id = public.nastavnik_current_person())
$$
"""

# The lowest score that rates an area hard: the top third of the scale (7 on 1-10, 4 on 1-5), the same
# whole-number arithmetic as questionnaires.diagnostics.hard_from (a test compares them).
HARD_FROM_FUNCTION = """
CREATE FUNCTION nastavnik_hard_from(low integer, high integer) RETURNS integer
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT low + (2 * (high - low) + 2) / 3
$$
"""

# Owner's rights: it counts every young teacher's answers, which the caller may not select, and returns
# per-item figures only, withheld under five respondents.
DIFFICULTIES_FUNCTION = """
CREATE FUNCTION nastavnik_diagnostics_difficulties(for_campaign uuid)
RETURNS TABLE (item_key text, answered integer, average numeric, rated_hard integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    WITH campaign AS (
        SELECT c.org_id, c.id, c.version_id
          FROM public.questionnaire_campaign c
         WHERE c.org_id = public.nastavnik_current_org()
           AND c.id = for_campaign
           AND public.nastavnik_may_read_diagnostics(c.academic_year)
    ), scale AS (
        SELECT i.value ->> 'key' AS key,
               public.nastavnik_hard_from(COALESCE((i.value ->> 'min')::integer, 1),
                                          COALESCE((i.value ->> 'max')::integer, 10)) AS hard_from
          FROM campaign
          JOIN public.questionnaire_version v ON v.id = campaign.version_id
         CROSS JOIN LATERAL jsonb_array_elements(v.items) AS i (value)
         WHERE i.value ->> 'kind' = 'scale'
    ), scored AS (
        SELECT s.key, ans.score, s.hard_from
          FROM campaign
          JOIN public.questionnaire_assignment a ON a.org_id = campaign.org_id AND a.campaign_id = campaign.id
          JOIN public.questionnaire_answer ans ON ans.org_id = a.org_id AND ans.assignment_id = a.id
          JOIN scale s ON s.key = ans.item_key
         WHERE ans.score IS NOT NULL
    )
    SELECT scored.key,
           count(*)::integer,
           CASE WHEN count(*) >= 5 THEN round(avg(scored.score), 2) END,
           CASE WHEN count(*) >= 5
                THEN (count(*) FILTER (WHERE scored.score >= scored.hard_from))::integer END
      FROM scored
     GROUP BY scored.key
$$
"""

FUNCTIONS = (
    "nastavnik_may_read_diagnostics(integer)",
    "nastavnik_hard_from(integer, integer)",
    "nastavnik_diagnostics_difficulties(uuid)",
)


def upgrade() -> None:
    roles = migration_roles()
    for sql in (MAY_READ_FUNCTION, HARD_FROM_FUNCTION, DIFFICULTIES_FUNCTION):
        op.execute(sql)
    for function in FUNCTIONS:
        op.execute(f"REVOKE ALL ON FUNCTION {function} FROM PUBLIC")
        op.execute(f'GRANT EXECUTE ON FUNCTION {function} TO "{roles.app}"')


def downgrade() -> None:
    for function in reversed(FUNCTIONS):
        op.execute(f"DROP FUNCTION {function}")
