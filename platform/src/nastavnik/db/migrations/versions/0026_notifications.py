"""notifications: the outbox, people's preferences and quiet hours, the region's settings and wording

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06

- ``notification`` (tenant): one row per event and person, idempotent per organisation by its key; the
  in-app list and the e-mail's delivery state. A member reads and marks read only their own rows; any
  member's transaction may write one for a colleague (the event's producer).
- ``notification_preference`` and ``notification_quiet_hours`` (tenant): a person's own choices.
- ``region_notification_settings`` and ``region_notification_template`` (shared, region-keyed): the
  region's default quiet hours and digest hour, its own wording of a kind. Read by its organisations'
  members and its staff, written by its staff only.
- The delivery job and the no-login unsubscribe act as the provisioner role, in the one organisation the
  transaction names; ``nastavnik_notification_due_orgs()`` tells the job which organisations have e-mail
  due (ids only, docs/security.md).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from nastavnik.db.rls import enable_tenant_rls, migration_roles

revision: str = "0026"
down_revision: str | Sequence[str] | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OWN_PERSON = "person_id = (SELECT nastavnik_current_person())"
JOB_ORG = "org_id = NULLIF(current_setting('nastavnik.org_id', true), '')::uuid"
OWN_REGION = (
    "region_id IN (SELECT s.region_id FROM public.staff_assignment s"
    " WHERE s.role = 'region'"
    " AND s.identity_id = NULLIF(current_setting('nastavnik.identity_id', true), '')::uuid)"
)
MEMBERS_REGION = (
    "region_id IN (SELECT m.region_id FROM public.organisation o"
    " JOIN public.municipality m ON m.id = o.municipality_id WHERE o.id = nastavnik_current_org())"
)
JOB_REGION = (
    "region_id IN (SELECT m.region_id FROM public.organisation o"
    " JOIN public.municipality m ON m.id = o.municipality_id"
    " WHERE o.id = NULLIF(current_setting('nastavnik.org_id', true), '')::uuid)"
)
# Ids only: which organisations have an e-mail due now, or one whose sending was cut off by a crash
# (``sending`` for longer than the stale interval). The job then works in each one alone.
DUE_ORGS_FUNCTION = """
CREATE FUNCTION nastavnik_notification_due_orgs(at timestamptz, stale timestamptz) RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT DISTINCT n.org_id FROM public.notification n
     WHERE (n.email_state = 'pending' AND n.email_due_at <= at)
        OR (n.email_state = 'sending' AND n.email_due_at <= stale)
$$
"""
DUE_ORGS = "nastavnik_notification_due_orgs(timestamptz, timestamptz)"
EMAIL_COLUMNS = "email_state, email_due_at, email_attempts, email_digest, email_error, emailed_at, message_id"
REGION_TABLES = ("region_notification_settings", "region_notification_template")
TENANT_TABLES = ("notification", "notification_preference", "notification_quiet_hours")


def _timestamps() -> list[sa.Column[object]]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
    ]


def _person_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["org_id", "person_id"],
        ["person.org_id", "person.id"],
        name=op.f(f"fk_{table}_org_id_person_id_person"),
        ondelete="CASCADE",
    )


def _create_tables() -> None:
    op.create_table(
        "notification",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=48), nullable=False),
        sa.Column("params", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("link", sa.String(length=500), nullable=True),
        sa.Column("dedup_key", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("email_state", sa.String(length=16), nullable=False),
        sa.Column("email_due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("email_attempts", sa.Integer(), nullable=False),
        sa.Column("email_digest", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("email_error", sa.Text(), nullable=True),
        sa.Column("emailed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("message_id", sa.String(length=200), nullable=True),
        sa.CheckConstraint(
            "email_state IN ('pending', 'sending', 'sent', 'failed', 'skipped')",
            name=op.f("ck_notification_email_state_known"),
        ),
        sa.CheckConstraint("email_attempts >= 0", name=op.f("ck_notification_attempts_positive")),
        _person_fk("notification"),
        sa.PrimaryKeyConstraint("org_id", "id", name=op.f("pk_notification")),
        sa.UniqueConstraint("org_id", "dedup_key", name=op.f("uq_notification_org_id_dedup_key")),
    )
    op.create_index("ix_notification_person_created", "notification", ["org_id", "person_id", "created_at"])
    op.create_index(
        "ix_notification_unread",
        "notification",
        ["org_id", "person_id"],
        postgresql_where=sa.text("read_at IS NULL"),
    )
    op.create_index(
        "ix_notification_email_due",
        "notification",
        ["email_due_at"],
        postgresql_where=sa.text("email_state IN ('pending', 'sending')"),
    )
    op.create_table(
        "notification_preference",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=48), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        *_timestamps(),
        sa.CheckConstraint(
            "mode IN ('immediate', 'digest')", name=op.f("ck_notification_preference_mode_known")
        ),
        _person_fk("notification_preference"),
        sa.PrimaryKeyConstraint("org_id", "person_id", "kind", name=op.f("pk_notification_preference")),
    )
    op.create_table(
        "notification_quiet_hours",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("starts", sa.Time(), nullable=True),
        sa.Column("ends", sa.Time(), nullable=True),
        *_timestamps(),
        _person_fk("notification_quiet_hours"),
        sa.PrimaryKeyConstraint("org_id", "person_id", name=op.f("pk_notification_quiet_hours")),
    )
    op.create_table(
        "region_notification_settings",
        sa.Column("region_id", sa.Uuid(), nullable=False),
        sa.Column("quiet_starts", sa.Time(), nullable=True),
        sa.Column("quiet_ends", sa.Time(), nullable=True),
        sa.Column("digest_hour", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "digest_hour BETWEEN 0 AND 23", name=op.f("ck_region_notification_settings_digest_hour_range")
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["region.id"], name=op.f("fk_region_notification_settings_region_id_region")
        ),
        sa.PrimaryKeyConstraint("region_id", name=op.f("pk_region_notification_settings")),
    )
    op.create_table(
        "region_notification_template",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("region_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=48), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_id"], ["region.id"], name=op.f("fk_region_notification_template_region_id_region")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_region_notification_template")),
        sa.UniqueConstraint("region_id", "kind", name=op.f("uq_region_notification_template_region_id_kind")),
    )


def upgrade() -> None:
    roles = migration_roles()
    app, provisioner = f'"{roles.app}"', f'"{roles.provisioner}"'
    _create_tables()

    for table in TENANT_TABLES:
        enable_tenant_rls(table, app_writes=False)
    # The outbox: any member's transaction writes one for a colleague (the event's producer), but a person
    # reads and marks read only their own.
    op.execute(f"GRANT INSERT, UPDATE (read_at) ON notification TO {app}")
    op.execute(
        f"CREATE POLICY own_rows ON notification AS RESTRICTIVE FOR SELECT TO {app} USING ({OWN_PERSON})"
    )
    op.execute(
        f"CREATE POLICY own_updates ON notification AS RESTRICTIVE FOR UPDATE TO {app}"
        f" USING ({OWN_PERSON}) WITH CHECK ({OWN_PERSON})"
    )
    for table in ("notification_preference", "notification_quiet_hours"):
        op.execute(f"GRANT INSERT, UPDATE, DELETE ON {table} TO {app}")
        op.execute(
            f"CREATE POLICY own_rows ON {table} AS RESTRICTIVE TO {app} USING ({OWN_PERSON})"
            f" WITH CHECK ({OWN_PERSON})"
        )

    for table in REGION_TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(f"GRANT SELECT, INSERT, UPDATE ON {table} TO {app}")
        op.execute(
            f"CREATE POLICY region_read ON {table} FOR SELECT TO {app}"
            f" USING ({MEMBERS_REGION} OR {OWN_REGION})"
        )
        op.execute(f"CREATE POLICY region_insert ON {table} FOR INSERT TO {app} WITH CHECK ({OWN_REGION})")
        op.execute(
            f"CREATE POLICY region_update ON {table} FOR UPDATE TO {app}"
            f" USING ({OWN_REGION}) WITH CHECK ({OWN_REGION})"
        )
        op.execute(
            f'CREATE POLICY owner_maintenance ON {table} TO "{roles.owner}" USING (true) WITH CHECK (true)'
        )
        op.execute(f"GRANT SELECT ON {table} TO {provisioner}")
        op.execute(
            f"CREATE POLICY provisioner_job ON {table} FOR SELECT TO {provisioner} USING ({JOB_REGION})"
        )
    # A region returns to the platform's wording by deleting its own.
    op.execute(f"GRANT DELETE ON region_notification_template TO {app}")
    op.execute(
        f"CREATE POLICY region_delete ON region_notification_template FOR DELETE TO {app}"
        f" USING ({OWN_REGION})"
    )

    # The delivery job and the unsubscribe link (no login): the provisioner, in the transaction's
    # organisation.
    provisioner_grants = {
        "notification": f"SELECT, INSERT, UPDATE ({EMAIL_COLUMNS})",
        "notification_preference": "SELECT, INSERT, UPDATE (enabled, mode, updated_at)",
        "notification_quiet_hours": "SELECT",
    }
    for table, privileges in provisioner_grants.items():
        op.execute(f"GRANT {privileges} ON {table} TO {provisioner}")
        op.execute(
            f"CREATE POLICY provisioner_job ON {table} TO {provisioner}"
            f" USING ({JOB_ORG}) WITH CHECK ({JOB_ORG})"
        )
    op.execute(DUE_ORGS_FUNCTION)
    op.execute(f"REVOKE ALL ON FUNCTION {DUE_ORGS} FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION {DUE_ORGS} TO {provisioner}")


def downgrade() -> None:
    op.execute(f"DROP FUNCTION {DUE_ORGS}")
    for table in (*REGION_TABLES, *reversed(TENANT_TABLES)):
        op.drop_table(table)
