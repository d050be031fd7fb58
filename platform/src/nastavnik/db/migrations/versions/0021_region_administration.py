"""a region administered without the demo seed: administrators, retired municipalities, staff appointments

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06

- ``staff_assignment`` knows the role ``admin`` (a region's administrator).
- ``municipality.retired_at``: a retired municipality is hidden from pickers, its history kept.
- ``staff_appointment`` (shared, forced RLS): a staff member asked for by an administrator, until the worker
  has made their Keycloak account and written their grant under the appointment's id.
- Who writes what, as narrowly as the rules allow:
  * the application role inserts and renames/retires ``municipality`` rows, and deletes ``staff_assignment``
    rows, only in the regions the acting identity administers (``nastavnik_admin_regions()``);
  * it inserts, reads and deletes ``staff_appointment`` rows of those regions; it may also insert the first
    administrator's appointment of a region that has no administrator yet (the platform administrator
    creating a region, who is also its first region staff; that realm role lives in Keycloak only, so the
    service checks it), and read the appointments the acting identity asked for;
  * it inserts ``region`` rows (only the platform administrator's service does, checked in the service for
    the same reason);
  * the provisioner role (the worker) reads the appointments, updates their progress, and inserts a grant
    only where an open appointment with the same id, region, role and municipality asks for it.
  Everyone keeps reading ``municipality`` and ``staff_assignment`` as before (``shared_read``).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from nastavnik.db.rls import migration_roles

revision: str = "0021"
down_revision: str | Sequence[str] | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# SECURITY DEFINER: the policies of staff_assignment itself use it, and a policy reading its own table
# through the caller's rights would recurse.
ADMIN_REGIONS_FUNCTION = """
CREATE FUNCTION nastavnik_admin_regions() RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT s.region_id FROM public.staff_assignment s
     WHERE s.role = 'admin'
       AND s.identity_id = NULLIF(current_setting('nastavnik.identity_id', true), '')::uuid
$$
"""

REGION_HAS_ADMIN_FUNCTION = """
CREATE FUNCTION nastavnik_region_has_admin(region uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT EXISTS (SELECT FROM public.staff_assignment s WHERE s.role = 'admin' AND s.region_id = region)
$$
"""

ADMINISTERED = "region_id IN (SELECT nastavnik_admin_regions())"
REQUESTED_BY_ME = "requested_by = NULLIF(current_setting('nastavnik.identity_id', true), '')::uuid"
OPEN_APPOINTMENT = (
    "EXISTS (SELECT FROM public.staff_appointment a WHERE a.id = staff_assignment.id"
    " AND a.region_id = staff_assignment.region_id AND a.role = staff_assignment.role"
    " AND a.municipality_id IS NOT DISTINCT FROM staff_assignment.municipality_id"
    " AND a.status IN ('pending', 'retrying'))"
)


def upgrade() -> None:
    roles = migration_roles()
    app, provisioner, owner = roles.app, roles.provisioner, roles.owner

    _role_check("'region', 'municipality', 'auditor', 'admin'")
    op.add_column("municipality", sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True))

    op.create_table(
        "staff_appointment",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("region_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("municipality_id", sa.Uuid(), nullable=True),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("middle_name", sa.String(length=100), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("keycloak_user_id", sa.String(length=64), nullable=True),
        sa.Column("requested_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "role IN ('region', 'municipality', 'auditor', 'admin')",
            name=op.f("ck_staff_appointment_role_known"),
        ),
        sa.CheckConstraint(
            "role <> 'municipality' OR municipality_id IS NOT NULL",
            name=op.f("ck_staff_appointment_municipality_bound"),
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'retrying', 'done', 'failed')",
            name=op.f("ck_staff_appointment_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_staff_appointment_municipality_id_municipality"),
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["region.id"], name=op.f("fk_staff_appointment_region_id_region")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"], ["identity.id"], name=op.f("fk_staff_appointment_requested_by_identity")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_appointment")),
    )
    op.create_index(op.f("ix_staff_appointment_region_id"), "staff_appointment", ["region_id"], unique=False)

    op.execute(ADMIN_REGIONS_FUNCTION)
    op.execute(REGION_HAS_ADMIN_FUNCTION)
    for function in ("nastavnik_admin_regions()", "nastavnik_region_has_admin(uuid)"):
        op.execute(f"REVOKE ALL ON FUNCTION {function} FROM PUBLIC")
        op.execute(f'GRANT EXECUTE ON FUNCTION {function} TO "{app}"')

    # Reads stay as they were (the grants decide who reads at all); writes only where a policy says.
    for table in ("municipality", "staff_assignment", "staff_appointment"):
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(f'CREATE POLICY owner_maintenance ON {table} TO "{owner}" USING (true) WITH CHECK (true)')
    for table in ("municipality", "staff_assignment"):
        op.execute(f"CREATE POLICY shared_read ON {table} FOR SELECT USING (true)")

    op.execute(
        "GRANT INSERT (id, region_id, name, retired_at), UPDATE (name, retired_at)"
        f' ON municipality TO "{app}"'
    )
    op.execute(
        f'CREATE POLICY admin_insert ON municipality FOR INSERT TO "{app}" WITH CHECK ({ADMINISTERED})'
    )
    op.execute(
        f'CREATE POLICY admin_update ON municipality FOR UPDATE TO "{app}"'
        f" USING ({ADMINISTERED}) WITH CHECK ({ADMINISTERED})"
    )

    op.execute(f'GRANT DELETE ON staff_assignment TO "{app}"')
    op.execute(f'CREATE POLICY admin_delete ON staff_assignment FOR DELETE TO "{app}" USING ({ADMINISTERED})')
    op.execute(f'GRANT SELECT, INSERT ON staff_assignment TO "{provisioner}"')
    op.execute(
        f'CREATE POLICY provisioner_grant ON staff_assignment FOR INSERT TO "{provisioner}"'
        f" WITH CHECK ({OPEN_APPOINTMENT})"
    )

    op.execute(f'GRANT SELECT, INSERT, DELETE ON staff_appointment TO "{app}"')
    op.execute(
        f'CREATE POLICY admin_manage ON staff_appointment TO "{app}"'
        f" USING ({ADMINISTERED}) WITH CHECK ({ADMINISTERED})"
    )
    op.execute(
        f'CREATE POLICY requested_read ON staff_appointment FOR SELECT TO "{app}" USING ({REQUESTED_BY_ME})'
    )
    op.execute(
        f'CREATE POLICY first_admin ON staff_appointment FOR INSERT TO "{app}"'
        " WITH CHECK (role IN ('admin', 'region') AND NOT nastavnik_region_has_admin(region_id))"
    )
    op.execute(
        f"GRANT SELECT, UPDATE (status, attempts, last_error, keycloak_user_id, updated_at)"
        f' ON staff_appointment TO "{provisioner}"'
    )
    op.execute(
        f'CREATE POLICY provisioner_job ON staff_appointment TO "{provisioner}"'
        " USING (true) WITH CHECK (true)"
    )

    op.execute(f'GRANT INSERT (id, code, name, timezone) ON region TO "{app}"')


def downgrade() -> None:
    roles = migration_roles()
    app, provisioner = roles.app, roles.provisioner
    op.execute(f'REVOKE INSERT ON region FROM "{app}"')
    for table, policies in (
        ("municipality", ("owner_maintenance", "shared_read", "admin_insert", "admin_update")),
        ("staff_assignment", ("owner_maintenance", "shared_read", "admin_delete", "provisioner_grant")),
    ):
        for policy in policies:
            op.execute(f"DROP POLICY {policy} ON {table}")
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    op.execute(f'REVOKE DELETE ON staff_assignment FROM "{app}"')
    op.execute(f'REVOKE ALL ON staff_assignment FROM "{provisioner}"')
    op.execute(f'REVOKE INSERT, UPDATE ON municipality FROM "{app}"')
    op.drop_index(op.f("ix_staff_appointment_region_id"), table_name="staff_appointment")
    op.drop_table("staff_appointment")
    op.execute("DROP FUNCTION nastavnik_region_has_admin(uuid)")
    op.execute("DROP FUNCTION nastavnik_admin_regions()")
    op.drop_column("municipality", "retired_at")
    op.execute("DELETE FROM staff_assignment WHERE role = 'admin'")
    _role_check("'region', 'municipality', 'auditor'")


def _role_check(roles: str) -> None:
    op.execute("ALTER TABLE staff_assignment DROP CONSTRAINT ck_staff_assignment_role_known")
    op.execute(
        "ALTER TABLE staff_assignment ADD CONSTRAINT ck_staff_assignment_role_known"
        f" CHECK (role IN ({roles}))"
    )
