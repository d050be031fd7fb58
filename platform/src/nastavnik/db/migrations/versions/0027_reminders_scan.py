"""the reminders' scan reads what is due, as the provisioner, in its job's organisation only

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-06

The daily scan (``nastavnik.domain.reminders``) runs with no signed-in person, so the application role's
membership policies show it nothing. It acts as the provisioner role, which already writes the outbox of
the one organisation its transaction names (0026): here it may also *read*, in that organisation only, the
columns that tell what is due — questionnaire assignments, plan tasks, groups and their members, the
programme and its roadmap (whole rows: a stage's checks read them), whether a mentor has a training
record (stage 4's check), the methodical associations, their
members and events — and the shared questionnaire titles. No answer, no journal, no free text beyond the
titles the reminders quote.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from nastavnik.db.rls import migration_roles

revision: str = "0027"
down_revision: str | Sequence[str] | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JOB_ORG = "org_id = NULLIF(current_setting('nastavnik.org_id', true), '')::uuid"
TENANT_COLUMNS: dict[str, str | None] = {
    "questionnaire_assignment": "org_id, id, person_id, version_id, assigned_at, completed_at",
    "plan_item": "org_id, id, group_id, mentee_id, task, due_on, done",
    "mentoring_group": "org_id, id, programme_id, status",
    "group_member": "org_id, group_id, person_id, role",
    # Whole rows: a stage's checks (programmes.services.stage_lacks) read the programme's documents and
    # its roadmap; neither holds a person's data beyond the name of who answers for an item.
    "programme": None,
    "roadmap_item": None,
    # Stage 4's check (untrained mentors of the open pairs): whether a mentor has a record, nothing of it.
    "mentor_training": "org_id, person_id",
    "methodical_association": "org_id, id, shape, name, leader_id",
    "methodical_member": "org_id, association_id, person_id",
    "methodical_event": "org_id, id, association_id, held_on, topic, status",
}
SHARED_COLUMNS = {
    "questionnaire_template": "id, title",
    "questionnaire_version": "id, template_id",
}


def upgrade() -> None:
    provisioner = f'"{migration_roles().provisioner}"'
    for table, columns in TENANT_COLUMNS.items():
        privilege = f"SELECT ({columns})" if columns else "SELECT"
        op.execute(f"GRANT {privilege} ON {table} TO {provisioner}")
        op.execute(f"CREATE POLICY reminders_read ON {table} FOR SELECT TO {provisioner} USING ({JOB_ORG})")
    for table, columns in SHARED_COLUMNS.items():
        op.execute(f"GRANT SELECT ({columns}) ON {table} TO {provisioner}")
        op.execute(f"CREATE POLICY reminders_read ON {table} FOR SELECT TO {provisioner} USING (true)")


def downgrade() -> None:
    provisioner = f'"{migration_roles().provisioner}"'
    for table in (*TENANT_COLUMNS, *SHARED_COLUMNS):
        op.execute(f"DROP POLICY reminders_read ON {table}")
        op.execute(f"REVOKE SELECT ON {table} FROM {provisioner}")
