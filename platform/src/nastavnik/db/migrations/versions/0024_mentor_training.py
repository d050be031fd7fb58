"""mentors' training records (stage 4) and the region's narrow read of its register of trained mentors

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-14

- ``mentor_training``: a course a mentor took (курс, организация, часы, даты, номер удостоверения) with an
  optional scan of the certificate (bytea, PDF/JPEG/PNG checked by its first bytes in the service); tenant
  data under the usual forced row-level security. The old free text ``mentor_profile.training`` stays as it
  was and is shown as «прежняя запись»: it cannot be split into course, hours and dates without guessing.
- ``nastavnik_training_register()``: what region and municipality staff may read of it, and nothing more.
  The region has no policy on ``person``, ``group_member`` or ``mentor_training`` (it must not read a
  person's record, a mentee, a certificate); this ``SECURITY DEFINER`` function (owner's rights,
  ``search_path`` pinned, executable by the application role only) returns, for the organisations of the
  caller's oversight scope (``nastavnik_oversight_orgs()``: empty unless the transaction asked for the
  oversight scope, a coordinator's municipality only), one row per mentor who is in an active pair or group
  or has a training record: the organisation, whether they are in a pair, whether trained, their hours, and
  their name only if they are trained — adult mentors who gave written consent; never a mentee, a
  certificate, a course's text or any other column.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from nastavnik.db.rls import enable_tenant_rls, migration_roles

revision: str = "0024"
down_revision: str | Sequence[str] | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REGISTER_FUNCTION = """
CREATE FUNCTION nastavnik_training_register()
RETURNS TABLE (org_id uuid, full_name text, in_pair boolean, trained boolean, hours integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    WITH scope AS (
        SELECT o.id FROM public.organisation o
         WHERE o.id IN (SELECT public.nastavnik_oversight_orgs()) AND o.status = 'active'
    ), paired AS (
        SELECT DISTINCT m.org_id, m.person_id
          FROM public.group_member m
          JOIN public.mentoring_group g ON g.org_id = m.org_id AND g.id = m.group_id
         WHERE m.org_id IN (SELECT id FROM scope) AND m.role = 'mentor' AND g.status = 'active'
    ), trained AS (
        SELECT t.org_id, t.person_id, sum(t.hours)::integer AS hours
          FROM public.mentor_training t
         WHERE t.org_id IN (SELECT id FROM scope)
         GROUP BY t.org_id, t.person_id
    ), mentors AS (
        SELECT COALESCE(p.org_id, t.org_id) AS org_id, COALESCE(p.person_id, t.person_id) AS person_id,
               p.person_id IS NOT NULL AS in_pair, t.person_id IS NOT NULL AS trained,
               COALESCE(t.hours, 0) AS hours
          FROM paired p FULL JOIN trained t ON t.org_id = p.org_id AND t.person_id = p.person_id
    )
    SELECT m.org_id,
           CASE WHEN m.trained
                THEN concat_ws(' ', person.last_name, person.first_name, person.middle_name) END,
           m.in_pair, m.trained, m.hours
      FROM mentors m
      JOIN public.person person ON person.org_id = m.org_id AND person.id = m.person_id
$$
"""
FUNCTION = "nastavnik_training_register()"


def upgrade() -> None:
    roles = migration_roles()
    op.create_table(
        "mentor_training",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("course", sa.String(length=300), nullable=False),
        sa.Column("provider", sa.String(length=300), nullable=False),
        sa.Column("hours", sa.Integer(), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("finished_on", sa.Date(), nullable=False),
        sa.Column("certificate_no", sa.String(length=100), nullable=True),
        sa.Column("certificate_type", sa.String(length=8), nullable=True),
        sa.Column("certificate_name", sa.String(length=200), nullable=True),
        sa.Column("certificate", sa.LargeBinary(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("hours BETWEEN 1 AND 2000", name=op.f("ck_mentor_training_hours_range")),
        sa.CheckConstraint("finished_on >= started_on", name=op.f("ck_mentor_training_dates_ordered")),
        sa.CheckConstraint(
            "(certificate IS NULL) = (certificate_type IS NULL)"
            " AND (certificate_type IS NULL OR certificate_type IN ('pdf', 'jpeg', 'png'))",
            name=op.f("ck_mentor_training_certificate_typed"),
        ),
        sa.ForeignKeyConstraint(
            ["org_id", "person_id"],
            ["person.org_id", "person.id"],
            name=op.f("fk_mentor_training_org_id_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("org_id", "id", name=op.f("pk_mentor_training")),
    )
    op.create_index("ix_mentor_training_person", "mentor_training", ["org_id", "person_id", "finished_on"])
    enable_tenant_rls("mentor_training")
    op.execute(REGISTER_FUNCTION)
    op.execute(f"REVOKE ALL ON FUNCTION {FUNCTION} FROM PUBLIC")
    op.execute(f'GRANT EXECUTE ON FUNCTION {FUNCTION} TO "{roles.app}"')


def downgrade() -> None:
    op.execute(f"DROP FUNCTION {FUNCTION}")
    op.drop_index("ix_mentor_training_person", table_name="mentor_training")
    op.drop_table("mentor_training")
