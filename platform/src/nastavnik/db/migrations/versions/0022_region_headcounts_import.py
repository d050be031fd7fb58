"""the region writes its organisations' headcounts; the learners in pairs counted for it, as one number

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06

- ``headcount``: region staff insert and update the rows of organisations in municipalities of their own
  region (the organisations' import with headcounts, docs/statistics.md). Municipality coordinators keep
  reading only; curators keep writing their own organisation's rows (``tenant_member``).
- ``nastavnik_learners_in_pairs(year)``: per organisation, how many distinct learners are members (mentee
  or mentor) of a pair or group of that academic year's programmes that is active or completed. The region
  cannot read ``person`` or ``group_member`` rows, and must not: the function (SECURITY DEFINER, owned by
  the owner role, ``search_path`` pinned, executable by the application role only) returns a number per
  organisation and nothing else, and only for the organisations the session oversees
  (``nastavnik_oversight_orgs()``) or the one it is a member of (``nastavnik_current_org()``). It warns
  when a headcount is set below what the organisation already has in pairs.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from nastavnik.db.rls import migration_roles

revision: str = "0022"
down_revision: str | Sequence[str] | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The organisations in municipalities of the regions the acting identity is region staff of.
OWN_REGION_ORG = (
    "org_id IN (SELECT o.id FROM public.organisation o JOIN public.municipality m ON m.id = o.municipality_id"
    " WHERE m.region_id IN (SELECT s.region_id FROM public.staff_assignment s WHERE s.role = 'region'"
    " AND s.identity_id = NULLIF(current_setting('nastavnik.identity_id', true), '')::uuid))"
)

LEARNERS_IN_PAIRS_FUNCTION = """
CREATE FUNCTION nastavnik_learners_in_pairs(start_year integer) RETURNS TABLE (org_id uuid, learners bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT p.org_id, count(DISTINCT p.id)
      FROM public.group_member gm
      JOIN public.mentoring_group g ON g.org_id = gm.org_id AND g.id = gm.group_id
      JOIN public.programme pr ON pr.org_id = g.org_id AND pr.id = g.programme_id
      JOIN public.person p ON p.org_id = gm.org_id AND p.id = gm.person_id
     WHERE pr.academic_year = start_year
       AND g.status IN ('active', 'completed')
       AND p.category = 'learner'
       AND (gm.org_id IN (SELECT public.nastavnik_oversight_orgs())
            OR gm.org_id = public.nastavnik_current_org())
     GROUP BY p.org_id
$$
"""


def upgrade() -> None:
    roles = migration_roles()
    op.execute(
        f'CREATE POLICY region_write ON headcount FOR INSERT TO "{roles.app}" WITH CHECK ({OWN_REGION_ORG})'
    )
    op.execute(
        f'CREATE POLICY region_update ON headcount FOR UPDATE TO "{roles.app}"'
        f" USING ({OWN_REGION_ORG}) WITH CHECK ({OWN_REGION_ORG})"
    )
    op.execute(LEARNERS_IN_PAIRS_FUNCTION)
    op.execute("REVOKE ALL ON FUNCTION nastavnik_learners_in_pairs(integer) FROM PUBLIC")
    op.execute(f'GRANT EXECUTE ON FUNCTION nastavnik_learners_in_pairs(integer) TO "{roles.app}"')


def downgrade() -> None:
    op.execute("DROP FUNCTION nastavnik_learners_in_pairs(integer)")
    op.execute("DROP POLICY region_update ON headcount")
    op.execute("DROP POLICY region_write ON headcount")
