"""regional statistics: snapshots, targets, runs, reports; the aggregator role's policies

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02

Who may do what with the statistics tables:

* the aggregator role (the statistics worker) reads the tables the indicators count through explicit
  read-only ``aggregator_read`` policies, column by column (no names, no free text), and is the only role
  that writes the statistics tables;
* organisation rows (``stat_org_*``) are tenant rows: members read their own organisation's (the
  ``tenant_member`` policy, read-only), region staff and municipality coordinators read those of the
  organisations they oversee (``oversight_read``);
* municipality rows (``stat_area_*`` with scope ``municipality``) are read by the region staff of that
  region and the coordinators of that municipality only; region rows by the region staff of that region,
  and, for the regional average beside an organisation's own figures, by members of an organisation of
  that region: only the all-types row, and only where at least five organisations entered the sums (so
  that the region minus one's own organisation never isolates another organisation);
* targets are read by everyone of the region and written by its region staff; reports and runs are read
  by the region staff (runs also by the coordinators of the region).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from nastavnik.db.rls import (
    disable_aggregator_read,
    enable_aggregator_read,
    enable_oversight_read,
    migration_roles,
)

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# What the aggregator reads: the columns the indicators count, nothing else.
AGGREGATOR_READS: dict[str, tuple[str, ...] | None] = {
    "headcount": None,
    "person": ("org_id", "id", "status"),
    "person_role": None,
    "mentee_profile": (
        "org_id",
        "person_id",
        "kind",
        "birth_date",
        "profession_since",
        "left_on",
        "left_reason",
    ),
    "programme": (
        "org_id",
        "id",
        "academic_year",
        "regime",
        "status",
        "polozhenie_status",
        "polozhenie_order_no",
        "polozhenie_order_date",
        "programma_status",
        "programma_order_no",
        "programma_order_date",
    ),
    "mentoring_group": (
        "org_id",
        "id",
        "programme_id",
        "form_code",
        "kind_code",
        "starts_on",
        "ends_on",
        "status",
    ),
    "group_member": None,
    "mentoring_order": ("org_id", "id", "programme_id", "kind", "issued_on"),
    "org_plugin_setting": ("org_id", "plugin", "enabled"),
}
SHARED_READS = ("region", "municipality", "organisation", "academic_year")

# The regions and municipalities the acting identity oversees, in a transaction that asked for the
# oversight scope (as nastavnik_oversight_orgs()), and the region of the organisation it acts in.
FUNCTIONS = {
    "nastavnik_oversight_regions()": """
CREATE FUNCTION nastavnik_oversight_regions() RETURNS SETOF uuid
LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT s.region_id FROM public.staff_assignment s
     WHERE current_setting('nastavnik.scope', true) = 'oversight' AND s.role = 'region'
       AND s.identity_id = NULLIF(current_setting('nastavnik.identity_id', true), '')::uuid
$$""",
    "nastavnik_staff_municipalities()": """
CREATE FUNCTION nastavnik_staff_municipalities() RETURNS SETOF uuid
LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT s.municipality_id FROM public.staff_assignment s
     WHERE current_setting('nastavnik.scope', true) = 'oversight' AND s.role = 'municipality'
       AND s.identity_id = NULLIF(current_setting('nastavnik.identity_id', true), '')::uuid
$$""",
    "nastavnik_member_region()": """
CREATE FUNCTION nastavnik_member_region() RETURNS uuid
LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT m.region_id FROM public.organisation o JOIN public.municipality m ON m.id = o.municipality_id
     WHERE o.id = public.nastavnik_current_org()
$$""",
}

# The smallest number of organisations behind a regional average that a member may see.
MEMBER_AVERAGE_MIN_ORGS = 5

AREA_READ = (
    "region_id IN (SELECT nastavnik_oversight_regions())"
    " OR (scope = 'municipality' AND scope_id IN (SELECT nastavnik_staff_municipalities()))"
    " OR (scope = 'region' AND org_type = '' AND {count} >= {min}"
    " AND region_id = (SELECT nastavnik_member_region()))"
)
REGION_OF_COORDINATOR = (
    "region_id IN (SELECT m.region_id FROM municipality m"
    " WHERE m.id IN (SELECT nastavnik_staff_municipalities()))"
)


def _key(*columns: str) -> list[sa.Column[object]]:
    return [sa.Column(c, sa.Uuid(), nullable=False) for c in columns]


def upgrade() -> None:
    roles = migration_roles()
    op.create_table(
        "stat_org_snapshot",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("academic_year", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("region_id", sa.Uuid(), nullable=False),
        sa.Column("municipality_id", sa.Uuid(), nullable=False),
        sa.Column("org_type", sa.String(length=32), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisation.id"], name=op.f("fk_stat_org_snapshot_org_id_organisation")
        ),
        sa.ForeignKeyConstraint(
            ["academic_year"],
            ["academic_year.start_year"],
            name=op.f("fk_stat_org_snapshot_academic_year_academic_year"),
        ),
        sa.PrimaryKeyConstraint("org_id", "academic_year", "as_of", name=op.f("pk_stat_org_snapshot")),
    )
    op.create_index(
        "ix_stat_org_snapshot_region", "stat_org_snapshot", ["region_id", "academic_year", "as_of"]
    )
    op.create_table(
        "stat_org_value",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("academic_year", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("indicator", sa.String(length=64), nullable=False),
        sa.Column("breakdown", sa.String(length=128), nullable=False),
        sa.Column("numerator", sa.BigInteger(), nullable=False),
        sa.Column("denominator", sa.BigInteger(), nullable=True),
        sa.Column("respondents", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint(
            "org_id", "academic_year", "as_of", "indicator", "breakdown", name=op.f("pk_stat_org_value")
        ),
    )
    op.create_index(
        "ix_stat_org_value_indicator", "stat_org_value", ["academic_year", "as_of", "indicator", "breakdown"]
    )
    op.create_table(
        "stat_area_snapshot",
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("scope_id", sa.Uuid(), nullable=False),
        sa.Column("org_type", sa.String(length=32), nullable=False),
        sa.Column("academic_year", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("region_id", sa.Uuid(), nullable=False),
        sa.Column("municipality_id", sa.Uuid(), nullable=True),
        sa.Column("organisations", sa.Integer(), nullable=False),
        sa.Column("computed", sa.Integer(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "scope IN ('municipality', 'region')", name=op.f("ck_stat_area_snapshot_scope_known")
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["region.id"], name=op.f("fk_stat_area_snapshot_region_id_region")
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_stat_area_snapshot_municipality_id_municipality"),
        ),
        sa.ForeignKeyConstraint(
            ["academic_year"],
            ["academic_year.start_year"],
            name=op.f("fk_stat_area_snapshot_academic_year_academic_year"),
        ),
        sa.PrimaryKeyConstraint(
            "scope", "scope_id", "org_type", "academic_year", "as_of", name=op.f("pk_stat_area_snapshot")
        ),
    )
    op.create_index(
        "ix_stat_area_snapshot_region", "stat_area_snapshot", ["region_id", "academic_year", "as_of"]
    )
    op.create_table(
        "stat_area_value",
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("scope_id", sa.Uuid(), nullable=False),
        sa.Column("org_type", sa.String(length=32), nullable=False),
        sa.Column("academic_year", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("indicator", sa.String(length=64), nullable=False),
        sa.Column("breakdown", sa.String(length=128), nullable=False),
        sa.Column("numerator", sa.BigInteger(), nullable=False),
        sa.Column("denominator", sa.BigInteger(), nullable=True),
        sa.Column("respondents", sa.BigInteger(), nullable=True),
        sa.Column("reporting", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Uuid(), nullable=False),
        sa.Column("municipality_id", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint(
            "scope",
            "scope_id",
            "org_type",
            "academic_year",
            "as_of",
            "indicator",
            "breakdown",
            name=op.f("pk_stat_area_value"),
        ),
    )
    op.create_index("ix_stat_area_value_region", "stat_area_value", ["region_id", "academic_year", "as_of"])
    op.create_table(
        "stat_target",
        sa.Column("region_id", sa.Uuid(), nullable=False),
        sa.Column("indicator", sa.String(length=64), nullable=False),
        sa.Column("target", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("target >= 0 AND target <= 100", name=op.f("ck_stat_target_target_range")),
        sa.ForeignKeyConstraint(["region_id"], ["region.id"], name=op.f("fk_stat_target_region_id_region")),
        sa.PrimaryKeyConstraint("region_id", "indicator", name=op.f("pk_stat_target")),
    )
    op.create_table(
        "stat_run",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("region_id", sa.Uuid(), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("scope_id", sa.Uuid(), nullable=False),
        sa.Column("academic_year", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("organisations", sa.Integer(), nullable=False),
        sa.Column("job_try", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["region_id"], ["region.id"], name=op.f("fk_stat_run_region_id_region")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stat_run")),
    )
    op.create_index("ix_stat_run_region", "stat_run", ["region_id", "finished_at"])
    op.create_table(
        "stat_report",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("region_id", sa.Uuid(), nullable=False),
        sa.Column("academic_year", sa.Integer(), nullable=False),
        sa.Column("org_type", sa.String(length=32), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=True),
        sa.Column("requested_by", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("xlsx", sa.LargeBinary(), nullable=True),
        sa.Column("docx", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'done', 'failed')", name=op.f("ck_stat_report_status_known")
        ),
        sa.CheckConstraint("progress BETWEEN 0 AND 100", name=op.f("ck_stat_report_progress_range")),
        sa.ForeignKeyConstraint(["region_id"], ["region.id"], name=op.f("fk_stat_report_region_id_region")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stat_report")),
    )
    op.create_index("ix_stat_report_region", "stat_report", ["region_id", "created_at"])

    for name, body in FUNCTIONS.items():
        op.execute(body)
        op.execute(f"REVOKE ALL ON FUNCTION {name} FROM PUBLIC")
        op.execute(f'GRANT EXECUTE ON FUNCTION {name} TO "{roles.app}"')

    # The aggregator: what the indicators count, read-only; the statistics tables, written.
    op.execute(f'GRANT USAGE ON SCHEMA public TO "{roles.aggregator}"')
    for table in SHARED_READS:
        op.execute(f'GRANT SELECT ON {table} TO "{roles.aggregator}"')
    for table, columns in AGGREGATOR_READS.items():
        enable_aggregator_read(table, columns)
    # Organisation rows: tenant rows, read-only for the application. The member's organisation is read
    # once per statement (an InitPlan), not once per row: the dashboards read thousands of these rows.
    for table in ("stat_org_snapshot", "stat_org_value"):
        _force_rls(table)
        op.execute(
            f'CREATE POLICY tenant_member ON {table} TO "{roles.app}"'
            " USING (org_id = (SELECT nastavnik_current_org()))"
            " WITH CHECK (org_id = (SELECT nastavnik_current_org()))"
        )
        op.execute(f'GRANT SELECT ON {table} TO "{roles.app}"')
        enable_oversight_read(table)
    area_read = {
        "stat_area_snapshot": AREA_READ.format(count="organisations", min=MEMBER_AVERAGE_MIN_ORGS),
        "stat_area_value": AREA_READ.format(count="reporting", min=MEMBER_AVERAGE_MIN_ORGS),
    }
    for table, using in area_read.items():
        _force_rls(table)
        op.execute(f'CREATE POLICY area_read ON {table} FOR SELECT TO "{roles.app}" USING ({using})')
        op.execute(f'GRANT SELECT ON {table} TO "{roles.app}"')
    for table in ("stat_org_snapshot", "stat_org_value", "stat_area_snapshot", "stat_area_value"):
        op.execute(
            f'CREATE POLICY aggregator_write ON {table} TO "{roles.aggregator}"'
            " USING (true) WITH CHECK (true)"
        )
        op.execute(f'GRANT SELECT, INSERT, DELETE ON {table} TO "{roles.aggregator}"')

    _force_rls("stat_target")
    op.execute(
        f'CREATE POLICY region_read ON stat_target FOR SELECT TO "{roles.app}" USING ('
        "region_id IN (SELECT nastavnik_oversight_regions())"
        " OR region_id = (SELECT nastavnik_member_region())"
        f" OR {REGION_OF_COORDINATOR})"
    )
    for command, clause in (
        ("INSERT", "WITH CHECK (region_id IN (SELECT nastavnik_oversight_regions()))"),
        (
            "UPDATE",
            "USING (region_id IN (SELECT nastavnik_oversight_regions()))"
            " WITH CHECK (region_id IN (SELECT nastavnik_oversight_regions()))",
        ),
        ("DELETE", "USING (region_id IN (SELECT nastavnik_oversight_regions()))"),
    ):
        op.execute(
            f'CREATE POLICY region_{command.lower()} ON stat_target FOR {command} TO "{roles.app}" {clause}'
        )
    op.execute(f'GRANT SELECT, INSERT, UPDATE, DELETE ON stat_target TO "{roles.app}"')
    op.execute(
        f'CREATE POLICY aggregator_read ON stat_target FOR SELECT TO "{roles.aggregator}" USING (true)'
    )
    op.execute(f'GRANT SELECT ON stat_target TO "{roles.aggregator}"')

    _force_rls("stat_run")
    op.execute(
        f'CREATE POLICY region_read ON stat_run FOR SELECT TO "{roles.app}" USING ('
        f"region_id IN (SELECT nastavnik_oversight_regions()) OR {REGION_OF_COORDINATOR})"
    )
    op.execute(f'GRANT SELECT ON stat_run TO "{roles.app}"')
    op.execute(
        f'CREATE POLICY aggregator_write ON stat_run TO "{roles.aggregator}" USING (true) WITH CHECK (true)'
    )
    op.execute(f'GRANT SELECT, INSERT ON stat_run TO "{roles.aggregator}"')
    op.execute(f'GRANT USAGE ON SEQUENCE stat_run_id_seq TO "{roles.aggregator}"')

    _force_rls("stat_report")
    op.execute(
        f'CREATE POLICY region_read ON stat_report FOR SELECT TO "{roles.app}"'
        " USING (region_id IN (SELECT nastavnik_oversight_regions()))"
    )
    op.execute(
        f'CREATE POLICY region_request ON stat_report FOR INSERT TO "{roles.app}"'
        " WITH CHECK (region_id IN (SELECT nastavnik_oversight_regions()))"
    )
    op.execute(f'GRANT SELECT, INSERT ON stat_report TO "{roles.app}"')
    op.execute(
        f'CREATE POLICY aggregator_write ON stat_report FOR ALL TO "{roles.aggregator}"'
        " USING (true) WITH CHECK (true)"
    )
    op.execute(f'GRANT SELECT, UPDATE ON stat_report TO "{roles.aggregator}"')


def _force_rls(table: str) -> None:
    roles = migration_roles()
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    op.execute(
        f'CREATE POLICY owner_maintenance ON {table} TO "{roles.owner}" USING (true) WITH CHECK (true)'
    )


def downgrade() -> None:
    roles = migration_roles()
    for table in ("stat_report", "stat_run", "stat_target", "stat_area_value", "stat_area_snapshot"):
        op.drop_table(table)
    op.drop_index("ix_stat_org_value_indicator", table_name="stat_org_value")
    op.drop_table("stat_org_value")
    op.drop_index("ix_stat_org_snapshot_region", table_name="stat_org_snapshot")
    op.drop_table("stat_org_snapshot")
    for name in FUNCTIONS:
        op.execute(f"DROP FUNCTION {name}")
    for table in AGGREGATOR_READS:
        disable_aggregator_read(table)
    for table in SHARED_READS:
        op.execute(f'REVOKE ALL ON {table} FROM "{roles.aggregator}"')
    op.execute(f'REVOKE ALL ON SCHEMA public FROM "{roles.aggregator}"')
