"""The database catalogue: every tenant table protected, every other table reviewed, roles harmless."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from nastavnik.runtime import Runtime

pytestmark = pytest.mark.isolation

# Shared tables, reviewed: reference data and login identities, no personal data of a tenant.
SHARED_TABLES = {
    "alembic_version": "migration bookkeeping",
    "academic_year": "calendar reference data",
    "region": "reference data",
    "municipality": "reference data",
    "organisation": "the tenants themselves: public registry facts",
    "identity": "login identity (issuer, subject, display name) only; personal data stays in person",
    "staff_assignment": "who oversees which region or municipality, or administers a region",
    "staff_appointment": "a region's staff asked for by its administrator until their account is made: adult"
    " officials' names and work e-mails, shown on that region's staff list only (forced RLS: the region's"
    " administrators, the platform administrator for what they asked)",
    "questionnaire_template": "questionnaire templates a region owns (NULL: the platform's); no personal data",
    "questionnaire_version": "a template's versions: wording and scales only, immutable once published",
    "region_dictionary_entry": "a region's wording of the mentoring dictionaries: titles and codes, no"
    " personal data; written only by that region's staff (its own RLS policies)",
    # Regional statistics: aggregates over many organisations, no person in them; forced RLS, read by the
    # region staff of that region and the municipality's coordinators only (region rows also by members of
    # the region's organisations, over at least five organisations); written by the aggregator alone.
    "stat_area_snapshot": "a municipality's or the region's snapshot header: counts of organisations",
    "stat_area_value": "sums of the organisations' numerators and denominators per municipality and region",
    "stat_target": "a region's targets for its indicators, in percent",
    "stat_run": "when a recompute ran and over how many organisations",
    "stat_report": "the region's monitoring reports (figures of organisations, never of a person)",
    "region_document_template": "a region's .docx templates of the generated documents: wording and fields,"
    " no personal data (the uploader by login identity); read by the region's organisations and staff,"
    " written and deleted only by that region's staff (its own RLS policies, as for the dictionaries)",
    "region_roadmap_item": "a region's default roadmap per regime: activities, roles and relative dates, no"
    " personal data; read by the region's organisations and staff, written and deleted only by that"
    " region's staff (its own RLS policies, as for the document templates)",
    "region_notification_settings": "a region's default quiet hours and digest hour: no personal data; read"
    " by the region's organisations and staff, written only by that region's staff (its own RLS policies)",
    "region_notification_template": "a region's wording of the notification kinds (subject, body): no"
    " personal data; read by the region's organisations and staff, written only by its staff",
}


# The catalogue queries, run by the checks below and, against a planted fault, by their self-check.
TABLES_WITHOUT_ORG_ID = """
SELECT c.relname FROM pg_class c
 WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
   AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'org_id'
                   AND NOT a.attisdropped)"""
TENANT_TABLES = """
SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
       (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid)
  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'org_id' AND NOT a.attisdropped
 WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')"""
LEAKING_VIEWS = """
SELECT c.relname, c.relkind FROM pg_class c
 WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('v', 'm')
   AND has_table_privilege(:app, c.oid, 'SELECT')
   AND (c.relkind = 'm' OR NOT coalesce(c.reloptions::text[] @> ARRAY['security_invoker=true'], false))"""


async def _rows(runtime: Runtime, sql: str, **params: str) -> list[tuple[object, ...]]:
    async with runtime.owner_engine.connect() as conn:
        return await _query(conn, runtime, sql, **params)


async def _query(
    conn: AsyncConnection, runtime: Runtime, sql: str, **params: str
) -> list[tuple[object, ...]]:
    return [tuple(r) for r in await conn.execute(text(sql), {"app": runtime.roles.app, **params})]


def _unreviewed(rows: list[tuple[object, ...]]) -> list[str]:
    return sorted(str(r[0]) for r in rows if r[0] not in SHARED_TABLES)


def _unprotected(rows: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
    """(table, rls, forced, policies) of the ``org_id`` tables without forced row-level security and a policy."""
    return [r for r in rows if not (r[1] and r[2] and int(str(r[3])) > 0)]


async def test_tables_without_org_id_are_reviewed(runtime: Runtime) -> None:
    unreviewed = _unreviewed(await _rows(runtime, TABLES_WITHOUT_ORG_ID))
    assert not unreviewed, f"tables without org_id must be reviewed and listed in SHARED_TABLES: {unreviewed}"


async def test_tables_with_org_id_have_forced_rls_and_policies(runtime: Runtime) -> None:
    rows = await _rows(runtime, TENANT_TABLES)
    assert len(rows) >= 5
    bad = _unprotected(rows)
    assert not bad, f"(table, rls, forced, policies) unprotected: {bad}"


async def test_tenant_primary_keys_lead_with_org_id(runtime: Runtime) -> None:
    rows = await _rows(
        runtime,
        """
        SELECT c.relname, a.attname
          FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
          JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0]
         WHERE i.indisprimary AND c.relnamespace = 'public'::regnamespace
           AND EXISTS (SELECT 1 FROM pg_attribute o WHERE o.attrelid = c.oid AND o.attname = 'org_id'
                       AND NOT o.attnotnull = false)""",
    )
    bad = [r for r in rows if r[1] != "org_id"]
    assert not bad, f"primary keys of tenant tables must start with org_id: {bad}"


async def test_application_role_owns_nothing_and_cannot_bypass(runtime: Runtime) -> None:
    role = await _rows(
        runtime,
        "SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = :app",
    )
    assert role == [(False, False, False, False)]
    owned = await _rows(
        runtime,
        """
        SELECT c.relname FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE r.rolname = :app
        UNION ALL SELECT p.proname FROM pg_proc p JOIN pg_roles r ON r.oid = p.proowner WHERE r.rolname = :app
        UNION ALL SELECT n.nspname FROM pg_namespace n JOIN pg_roles r ON r.oid = n.nspowner WHERE r.rolname = :app""",
    )
    assert owned == []


async def test_no_view_leaks_past_rls(runtime: Runtime) -> None:
    """A view without security_invoker, or any materialized view, readable by the app would bypass RLS."""
    assert await _rows(runtime, LEAKING_VIEWS) == []


async def test_catalog_checks_can_fail(runtime: Runtime) -> None:
    """The very queries of the checks above find what they look for: a planted leaking view, an unreviewed
    shared table and an unprotected tenant table, in a transaction that is rolled back."""
    async with runtime.owner_engine.connect() as conn:
        planted = await conn.begin()
        try:
            await conn.execute(text("CREATE VIEW leaky_people AS SELECT * FROM person"))
            await conn.execute(text(f'GRANT SELECT ON leaky_people TO "{runtime.roles.app}"'))
            await conn.execute(text("CREATE TABLE unreviewed_notes (note text)"))
            await conn.execute(text("CREATE TABLE unprotected_notes (org_id uuid PRIMARY KEY, note text)"))
            views = await _query(conn, runtime, LEAKING_VIEWS)
            shared = _unreviewed(await _query(conn, runtime, TABLES_WITHOUT_ORG_ID))
            tenant = _unprotected(await _query(conn, runtime, TENANT_TABLES))
        finally:
            await planted.rollback()
    assert [str(name) for name, _kind in views] == ["leaky_people"]
    assert shared == ["unreviewed_notes"]
    assert tenant == [("unprotected_notes", False, False, 0)]


STATISTICS_TABLES = {
    "stat_org_snapshot",
    "stat_org_value",
    "stat_area_snapshot",
    "stat_area_value",
    "stat_run",
    "stat_report",
}


async def test_shared_statistics_tables_have_forced_rls(runtime: Runtime) -> None:
    rows = await _rows(
        runtime,
        """
        SELECT c.relname, c.relrowsecurity AND c.relforcerowsecurity FROM pg_class c
         WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND c.relname LIKE 'stat\\_%'""",
    )
    assert {str(r[0]) for r in rows} == STATISTICS_TABLES | {"stat_target"}
    assert all(r[1] for r in rows), rows


async def test_aggregator_role_writes_only_statistics_and_reads_no_free_text(runtime: Runtime) -> None:
    """The statistics worker's role: no superuser, owns nothing, writes nothing but the statistics tables,
    and of the bases reads only what the indicators count (no names, no requests, no audit log)."""
    role = await _rows(
        runtime,
        "SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = :agg",
        agg=runtime.roles.aggregator,
    )
    assert role == [(False, False, False, False)]
    writable = await _rows(
        runtime,
        """
        SELECT c.relname FROM pg_class c
         WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
           AND (has_table_privilege(:agg, c.oid, 'INSERT') OR has_table_privilege(:agg, c.oid, 'UPDATE')
                OR has_table_privilege(:agg, c.oid, 'DELETE') OR has_table_privilege(:agg, c.oid, 'TRUNCATE'))""",
        agg=runtime.roles.aggregator,
    )
    assert {str(r[0]) for r in writable} == STATISTICS_TABLES
    checks = await _rows(
        runtime,
        """
        SELECT has_column_privilege(:agg, 'mentee_profile', 'birth_date', 'SELECT'),
               has_column_privilege(:agg, 'mentee_profile', 'requests', 'SELECT'),
               has_column_privilege(:agg, 'person', 'last_name', 'SELECT'),
               has_table_privilege(:agg, 'audit_log', 'SELECT'),
               has_table_privilege(:agg, 'identity', 'SELECT'),
               has_column_privilege(:agg, 'person', 'category', 'SELECT'),
               has_column_privilege(:agg, 'mentor_profile', 'left_on', 'SELECT'),
               has_column_privilege(:agg, 'mentor_profile', 'training', 'SELECT'),
               has_column_privilege(:agg, 'mentor_profile', 'competencies', 'SELECT')""",
        agg=runtime.roles.aggregator,
    )
    # The involvement indicators read whether a member is a pedagogue and when a mentor left the base of
    # mentors (migration 0023), nothing else of a mentor.
    assert checks == [(True, False, False, False, False, True, True, False, False)]
    owned = await _rows(
        runtime,
        "SELECT c.relname FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE r.rolname = :agg",
        agg=runtime.roles.aggregator,
    )
    assert owned == []
