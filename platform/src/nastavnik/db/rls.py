"""Row-level security for migrations, the core's and the plugins'.

Every organisation-owned table gets the same treatment from :func:`enable_tenant_rls`:
RLS enabled and forced; the application role sees and writes only rows of the
organisation it is a member of (``nastavnik_current_org()`` checks the membership in
the database itself, so a service that forgot to check still leaks nothing); the owner
keeps a maintenance policy for migrations and seeds. Tables the region reads as
aggregates add :func:`enable_oversight_read`. The statistics worker's role reads the tables its
indicators need through :func:`enable_aggregator_read` (read-only, and only the columns named).
"""

from __future__ import annotations

from alembic import context, op

from nastavnik.db.roles import DbRoles

ROLES_ATTRIBUTE = "nastavnik_roles"

# The membership check as a scalar subquery: PostgreSQL runs it once per statement (an InitPlan)
# instead of once per row, which a 10,000-row import or a long list would otherwise pay for.
TENANT_MEMBER = (
    "USING (org_id = (SELECT nastavnik_current_org())) WITH CHECK (org_id = (SELECT nastavnik_current_org()))"
)


def migration_roles() -> DbRoles:
    """The role names of the running migration (set by our Alembic environment)."""
    roles = context.config.attributes.get(ROLES_ATTRIBUTE)
    if not isinstance(roles, DbRoles):
        raise RuntimeError("run migrations through `nastavnik db upgrade`, which names the database roles")
    return roles


def enable_tenant_rls(table: str, *, app_writes: bool = True) -> None:
    """Enable and force RLS on an ``org_id`` table and grant the application role its rows only."""
    roles = migration_roles()
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    op.execute(f'CREATE POLICY tenant_member ON {table} TO "{roles.app}" {TENANT_MEMBER}')
    op.execute(
        f'CREATE POLICY owner_maintenance ON {table} TO "{roles.owner}" USING (true) WITH CHECK (true)'
    )
    privileges = "SELECT, INSERT, UPDATE, DELETE" if app_writes else "SELECT"
    op.execute(f'GRANT {privileges} ON {table} TO "{roles.app}"')


def enable_oversight_read(table: str) -> None:
    """Let region and municipality staff read rows of the organisations they oversee (aggregates only)."""
    roles = migration_roles()
    op.execute(
        f'CREATE POLICY oversight_read ON {table} FOR SELECT TO "{roles.app}"'
        " USING (org_id IN (SELECT nastavnik_oversight_orgs()))"
    )


def grant_shared_read(table: str) -> None:
    """Shared reference data: readable by the application and the auditor, written by the owner only."""
    roles = migration_roles()
    op.execute(f'GRANT SELECT ON {table} TO "{roles.app}", "{roles.auditor}"')


def enable_aggregator_read(table: str, columns: tuple[str, ...] | None = None) -> None:
    """Let the statistics aggregator read every organisation's rows of ``table``: read-only, and where
    ``columns`` are named only those (no free text, no names: what an indicator counts, nothing more)."""
    roles = migration_roles()
    op.execute(f'CREATE POLICY aggregator_read ON {table} FOR SELECT TO "{roles.aggregator}" USING (true)')
    privilege = f"SELECT ({', '.join(columns)})" if columns else "SELECT"
    op.execute(f'GRANT {privilege} ON {table} TO "{roles.aggregator}"')


def disable_aggregator_read(table: str) -> None:
    """Undo :func:`enable_aggregator_read` (for downgrades)."""
    roles = migration_roles()
    op.execute(f"DROP POLICY IF EXISTS aggregator_read ON {table}")
    op.execute(f'REVOKE ALL ON {table} FROM "{roles.aggregator}"')
