"""the diagnostics of young teachers' difficulties: yearly questionnaire campaigns

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-10

- Questionnaire templates and assignments know the moment ``year``: given once an academic year through a
  campaign, not at a pair's start or end (the templates plugins offer, ``register_questionnaire_templates``;
  ``nastavnik db upgrade`` installs them after the migrations).
- ``questionnaire_campaign``: an organisation's diagnostics of one academic year, with the version it was
  started with (tenant data, forced row-level security).
- ``questionnaire_assignment`` belongs to a pair (``group_id``) or to a campaign (``campaign_id``):
  exactly one; a person is given a campaign's questionnaire once.
- The answers' read policy admits a mentor too, for the diagnostics of the mentees of their own pairs and
  groups (their development plans address those difficulties); the rest stays the respondent's and the
  curator's or director's.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from nastavnik.db.rls import enable_tenant_rls, migration_roles

revision: str = "0019"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The people the acting person mentors: the mentees of the pairs and groups they are a mentor of. Read
# under the tenant policy of group_member (invoker's rights), so only the current organisation's.
CURRENT_MENTEES_FUNCTION = """
CREATE FUNCTION nastavnik_current_mentees() RETURNS SETOF uuid
LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT mentee.person_id
      FROM public.group_member mentor
      JOIN public.group_member mentee
        ON mentee.org_id = mentor.org_id AND mentee.group_id = mentor.group_id AND mentee.role = 'mentee'
     WHERE mentor.org_id = public.nastavnik_current_org()
       AND mentor.person_id = public.nastavnik_current_person()
       AND mentor.role = 'mentor'
$$
"""

OWN = "SELECT a.id FROM questionnaire_assignment a WHERE a.person_id = (SELECT nastavnik_current_person())"
MENTEES_DIAGNOSTICS = (
    "SELECT a.id FROM questionnaire_assignment a"
    " WHERE a.campaign_id IS NOT NULL AND a.person_id IN (SELECT nastavnik_current_mentees())"
)


def _answers_policy(readers: str) -> None:
    roles = migration_roles()
    op.execute("DROP POLICY respondent_or_manager ON questionnaire_answer")
    op.execute(
        "CREATE POLICY respondent_or_manager ON questionnaire_answer AS RESTRICTIVE"
        f' FOR SELECT TO "{roles.app}" USING ({readers})'
    )


def upgrade() -> None:
    roles = migration_roles()
    for table in ("questionnaire_template", "questionnaire_assignment"):
        op.drop_constraint(op.f(f"ck_{table}_moment_known"), table, type_="check")
        op.create_check_constraint(
            op.f(f"ck_{table}_moment_known"), table, "moment IN ('start', 'end', 'year')"
        )

    op.create_table(
        "questionnaire_campaign",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("academic_year", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "purpose IN ('diagnostics')", name=op.f("ck_questionnaire_campaign_purpose_known")
        ),
        sa.CheckConstraint(
            "academic_year BETWEEN 2000 AND 2100", name=op.f("ck_questionnaire_campaign_year_range")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["questionnaire_version.id"],
            name=op.f("fk_questionnaire_campaign_version_id_questionnaire_version"),
        ),
        sa.PrimaryKeyConstraint("org_id", "id", name=op.f("pk_questionnaire_campaign")),
        sa.UniqueConstraint(
            "org_id",
            "purpose",
            "academic_year",
            name=op.f("uq_questionnaire_campaign_org_id_purpose_academic_year"),
        ),
    )
    enable_tenant_rls("questionnaire_campaign")

    op.add_column("questionnaire_assignment", sa.Column("campaign_id", sa.Uuid(), nullable=True))
    op.alter_column("questionnaire_assignment", "group_id", existing_type=sa.Uuid(), nullable=True)
    op.create_foreign_key(
        op.f("fk_questionnaire_assignment_org_id_campaign_id_questionnaire_campaign"),
        "questionnaire_assignment",
        "questionnaire_campaign",
        ["org_id", "campaign_id"],
        ["org_id", "id"],
        ondelete="CASCADE",
    )
    op.create_check_constraint(
        op.f("ck_questionnaire_assignment_pair_or_campaign"),
        "questionnaire_assignment",
        "(group_id IS NOT NULL AND campaign_id IS NULL AND moment IN ('start', 'end'))"
        " OR (group_id IS NULL AND campaign_id IS NOT NULL AND moment = 'year')",
    )
    op.create_unique_constraint(
        op.f("uq_questionnaire_assignment_org_id_campaign_id_person_id"),
        "questionnaire_assignment",
        ["org_id", "campaign_id", "person_id"],
    )

    op.execute(CURRENT_MENTEES_FUNCTION)
    op.execute("REVOKE ALL ON FUNCTION nastavnik_current_mentees() FROM PUBLIC")
    op.execute(f'GRANT EXECUTE ON FUNCTION nastavnik_current_mentees() TO "{roles.app}"')
    _answers_policy(
        f"(SELECT nastavnik_current_is_manager()) OR assignment_id IN ({OWN})"
        f" OR assignment_id IN ({MENTEES_DIAGNOSTICS})"
    )


def downgrade() -> None:
    _answers_policy(f"(SELECT nastavnik_current_is_manager()) OR assignment_id IN ({OWN})")
    op.execute("DROP FUNCTION nastavnik_current_mentees()")
    # The campaigns' questionnaires and answers go with them (the foreign keys cascade).
    op.execute("DELETE FROM questionnaire_assignment WHERE campaign_id IS NOT NULL")
    op.drop_constraint(
        op.f("uq_questionnaire_assignment_org_id_campaign_id_person_id"),
        "questionnaire_assignment",
        type_="unique",
    )
    op.drop_constraint(
        op.f("ck_questionnaire_assignment_pair_or_campaign"), "questionnaire_assignment", type_="check"
    )
    op.drop_constraint(
        op.f("fk_questionnaire_assignment_org_id_campaign_id_questionnaire_campaign"),
        "questionnaire_assignment",
        type_="foreignkey",
    )
    op.drop_column("questionnaire_assignment", "campaign_id")
    op.alter_column("questionnaire_assignment", "group_id", existing_type=sa.Uuid(), nullable=False)
    op.drop_table("questionnaire_campaign")
    # The yearly templates (the plugins' and the regions' copies of them) cannot exist before this revision.
    # Their published versions are immutable by a trigger: it is set aside for this removal only.
    yearly = "SELECT id FROM questionnaire_template WHERE moment = 'year'"
    op.execute("ALTER TABLE questionnaire_version DISABLE TRIGGER immutable_when_published")
    op.execute(f"DELETE FROM questionnaire_version WHERE template_id IN ({yearly})")
    op.execute("ALTER TABLE questionnaire_version ENABLE TRIGGER immutable_when_published")
    op.execute(f"DELETE FROM questionnaire_template WHERE id IN ({yearly})")
    for table in ("questionnaire_template", "questionnaire_assignment"):
        op.drop_constraint(op.f(f"ck_{table}_moment_known"), table, type_="check")
        op.create_check_constraint(op.f(f"ck_{table}_moment_known"), table, "moment IN ('start', 'end')")
