"""organisations written only by their region; the audit log read per region; the provisioner role

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04

- ``organisation`` gets forced row-level security: everybody reads the registry, but only region staff
  insert and update it, and only in municipalities of their own region.
- ``audit_log`` records the region of each event (a trigger, so no writer can forget or forge it): the
  organisation's region; for an event outside any organisation, the acting person's region (their staff
  assignment, else an organisation they are a member of). An auditor reads the rows of the regions they
  audit, and the few rows no region can be told for (a failed sign-in of an unknown account), which
  belong to the whole deployment.
- ``nastavnik_my_memberships()``: the acting identity's organisations with its programme roles there.
- The provisioner role: what the onboarding and account jobs need, and only in the organisation the job's
  transaction names (``nastavnik.org_id``).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from nastavnik.db.rls import migration_roles

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The municipalities of the regions the acting identity is region staff of (as 0011's OWN_REGION).
OWN_REGION_MUNICIPALITY = (
    "municipality_id IN (SELECT m.id FROM public.municipality m WHERE m.region_id IN"
    " (SELECT s.region_id FROM public.staff_assignment s WHERE s.role = 'region'"
    " AND s.identity_id = NULLIF(current_setting('nastavnik.identity_id', true), '')::uuid))"
)

MY_MEMBERSHIPS_FUNCTION = """
CREATE FUNCTION nastavnik_my_memberships() RETURNS TABLE (org_id uuid, role text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT p.org_id, r.role
      FROM public.person p
      LEFT JOIN public.person_role r ON r.org_id = p.org_id AND r.person_id = p.id
     WHERE p.identity_id = NULLIF(current_setting('nastavnik.identity_id', true), '')::uuid
       AND p.status = 'active'
$$
"""

# SECURITY DEFINER: the application appends events but cannot read people of other organisations,
# and a login event's actor may be a member of any of them.
AUDIT_REGION_FUNCTION = """
CREATE FUNCTION nastavnik_audit_region() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    NEW.region_id := NULL;
    IF NEW.org_id IS NOT NULL THEN
        SELECT m.region_id INTO NEW.region_id
          FROM public.organisation o JOIN public.municipality m ON m.id = o.municipality_id
         WHERE o.id = NEW.org_id;
    END IF;
    IF NEW.region_id IS NULL AND NEW.actor_identity_id IS NOT NULL THEN
        SELECT s.region_id INTO NEW.region_id
          FROM public.staff_assignment s
         WHERE s.identity_id = NEW.actor_identity_id
         ORDER BY s.role, s.region_id
         LIMIT 1;
    END IF;
    IF NEW.region_id IS NULL AND NEW.actor_identity_id IS NOT NULL THEN
        SELECT m.region_id INTO NEW.region_id
          FROM public.person p
          JOIN public.organisation o ON o.id = p.org_id
          JOIN public.municipality m ON m.id = o.municipality_id
         WHERE p.identity_id = NEW.actor_identity_id
         ORDER BY p.status, p.org_id
         LIMIT 1;
    END IF;
    RETURN NEW;
END
$$
"""

AUDITOR_REGIONS_FUNCTION = """
CREATE FUNCTION nastavnik_auditor_regions() RETURNS SETOF uuid
LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT s.region_id FROM public.staff_assignment s
     WHERE s.role = 'auditor'
       AND s.identity_id = NULLIF(current_setting('nastavnik.identity_id', true), '')::uuid
$$
"""

AUDITOR_SEES = (
    "region_id IN (SELECT nastavnik_auditor_regions())"
    " OR (region_id IS NULL AND EXISTS (SELECT FROM nastavnik_auditor_regions()))"
)

# The provisioner acts in the one organisation its job's transaction names.
JOB_ORG = "org_id = NULLIF(current_setting('nastavnik.org_id', true), '')::uuid"
PROVISIONER_TABLES = {
    # table: privileges (only what onboarding, account provisioning and the access sync do)
    "org_onboarding": (
        "SELECT, UPDATE (status, attempts, last_error, keycloak_org_id, keycloak_user_id, updated_at)"
    ),
    "account_batch": "SELECT, UPDATE (attempts, updated_at)",
    "account_entry": (
        "SELECT, UPDATE (status, delivery, username, keycloak_user_id, error, attempts, delivered_at,"
        " password_expires_at, updated_at)"
    ),
    "person": "SELECT, INSERT, UPDATE (identity_id, updated_at, version)",
    "person_role": "SELECT, INSERT",
    "mentor_profile": "SELECT",
    "mentee_profile": "SELECT",
}


def upgrade() -> None:
    roles = migration_roles()
    readers = f'"{roles.app}", "{roles.auditor}", "{roles.aggregator}", "{roles.provisioner}"'

    # The organisation registry: read by all, written by the region's own staff only.
    op.execute("ALTER TABLE organisation ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE organisation FORCE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY shared_read ON organisation FOR SELECT TO {readers} USING (true)")
    op.execute(
        f'CREATE POLICY region_insert ON organisation FOR INSERT TO "{roles.app}"'
        f" WITH CHECK ({OWN_REGION_MUNICIPALITY})"
    )
    op.execute(
        f'CREATE POLICY region_update ON organisation FOR UPDATE TO "{roles.app}"'
        f" USING ({OWN_REGION_MUNICIPALITY}) WITH CHECK ({OWN_REGION_MUNICIPALITY})"
    )
    op.execute(
        f'CREATE POLICY owner_maintenance ON organisation TO "{roles.owner}" USING (true) WITH CHECK (true)'
    )

    op.execute(MY_MEMBERSHIPS_FUNCTION)
    op.execute("REVOKE ALL ON FUNCTION nastavnik_my_memberships() FROM PUBLIC")
    op.execute(f'GRANT EXECUTE ON FUNCTION nastavnik_my_memberships() TO "{roles.app}"')

    # The audit log per region.
    op.add_column("audit_log", sa.Column("region_id", sa.Uuid(), nullable=True))
    op.create_index("ix_audit_log_region_at", "audit_log", ["region_id", "at"])
    op.execute(AUDIT_REGION_FUNCTION)
    op.execute("REVOKE ALL ON FUNCTION nastavnik_audit_region() FROM PUBLIC")
    op.execute(
        "CREATE TRIGGER audit_region BEFORE INSERT ON audit_log"
        " FOR EACH ROW EXECUTE FUNCTION nastavnik_audit_region()"
    )
    # The rows already written: the same rule, once (an UPDATE does not fire the INSERT trigger).
    op.execute(
        """
        UPDATE audit_log a SET region_id = coalesce(
            (SELECT m.region_id FROM organisation o JOIN municipality m ON m.id = o.municipality_id
              WHERE o.id = a.org_id),
            (SELECT s.region_id FROM staff_assignment s WHERE s.identity_id = a.actor_identity_id
              ORDER BY s.role, s.region_id LIMIT 1),
            (SELECT m.region_id FROM person p JOIN organisation o ON o.id = p.org_id
               JOIN municipality m ON m.id = o.municipality_id
              WHERE p.identity_id = a.actor_identity_id ORDER BY p.status, p.org_id LIMIT 1))
        """
    )
    op.execute(AUDITOR_REGIONS_FUNCTION)
    op.execute("REVOKE ALL ON FUNCTION nastavnik_auditor_regions() FROM PUBLIC")
    op.execute(f'GRANT EXECUTE ON FUNCTION nastavnik_auditor_regions() TO "{roles.auditor}"')
    op.execute("DROP POLICY audit_read ON audit_log")
    op.execute(
        f'CREATE POLICY audit_read ON audit_log FOR SELECT TO "{roles.auditor}" USING ({AUDITOR_SEES})'
    )

    # The provisioner.
    op.execute(f'GRANT USAGE ON SCHEMA public TO "{roles.provisioner}"')
    op.execute(f'GRANT SELECT, INSERT ON identity TO "{roles.provisioner}"')
    op.execute(f'GRANT SELECT ON organisation, municipality, region TO "{roles.provisioner}"')
    for table, privileges in PROVISIONER_TABLES.items():
        op.execute(f'GRANT {privileges} ON {table} TO "{roles.provisioner}"')
        op.execute(
            f'CREATE POLICY provisioner_job ON {table} TO "{roles.provisioner}" USING ({JOB_ORG})'
            f" WITH CHECK ({JOB_ORG})"
        )


def downgrade() -> None:
    roles = migration_roles()
    for table in PROVISIONER_TABLES:
        op.execute(f"DROP POLICY provisioner_job ON {table}")
        op.execute(f'REVOKE ALL ON {table} FROM "{roles.provisioner}"')
    op.execute(f'REVOKE ALL ON identity, organisation, municipality, region FROM "{roles.provisioner}"')
    op.execute(f'REVOKE USAGE ON SCHEMA public FROM "{roles.provisioner}"')

    op.execute("DROP POLICY audit_read ON audit_log")
    op.execute(f'CREATE POLICY audit_read ON audit_log FOR SELECT TO "{roles.auditor}" USING (true)')
    op.execute("DROP FUNCTION nastavnik_auditor_regions()")
    op.execute("DROP TRIGGER audit_region ON audit_log")
    op.execute("DROP FUNCTION nastavnik_audit_region()")
    op.drop_index("ix_audit_log_region_at", table_name="audit_log")
    op.drop_column("audit_log", "region_id")

    op.execute("DROP FUNCTION nastavnik_my_memberships()")

    for policy in ("shared_read", "region_insert", "region_update", "owner_maintenance"):
        op.execute(f"DROP POLICY {policy} ON organisation")
    op.execute("ALTER TABLE organisation NO FORCE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE organisation DISABLE ROW LEVEL SECURITY")
