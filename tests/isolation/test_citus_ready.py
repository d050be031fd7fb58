"""The schema stays ready for Citus (docs/scaling.md, «The Citus path»).

On Citus every tenant table would be distributed by ``org_id`` and co-located with the others, and the
shared tables would become reference tables (copied to every node). Citus then requires what these checks
keep true on one PostgreSQL, so that the move needs no schema change:

* every primary key, unique constraint, unique index and exclusion constraint of a tenant table leads with
  ``org_id`` (Citus enforces uniqueness per shard, so the distribution column must be in it);
* a foreign key between tenant tables maps ``org_id`` to ``org_id`` (rows of one organisation live on one
  node), and never sets ``org_id`` to NULL or a default (the distribution column cannot change);
* no foreign key goes from a shared table to a tenant table (reference tables cannot point into shards);
* every shared table has a reviewed placement and size class, every table without a ``NOT NULL`` org_id
  is either shared or distributed by its own key on a reviewed list;
* sequences and identity columns are ``bigint`` (Citus gives every node its own range of a bigint
  sequence; smaller ones work only from the coordinator); no classic table inheritance;
* triggers, and functions whose body reads a tenant table, are reviewed: on Citus a function inside a
  row-level security policy runs on the shards, where reading another distributed table is refused.

Each check's query is also run against a planted fault in a rolled-back transaction
(``test_citus_checks_can_fail``), so that none of them passes by finding nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from nastavnik.runtime import Runtime
from tests.isolation.test_catalog import SHARED_TABLES

pytestmark = pytest.mark.isolation

# Where each shared table goes on Citus and why it is small enough for that. «reference»: copied to every
# node, so it must stay small and rarely written (every write goes to all nodes at once); «coordinator»:
# a Citus local table on the coordinator (citus_add_local_table_to_metadata), for what is large in bytes
# or never read by the shards. Size classes, for a federal installation (89 regions, about 2,500
# municipalities, up to about 90,000 organisations, millions of people):
#   constant       fixed or growing by a row a year;
#   regions        tens to a few hundred rows per region;
#   municipalities a few rows per municipality;
#   organisations  one row per organisation;
#   history        grows with time, a few rows per region per day at most;
#   people         one row per person who signs in.
PLACEMENT: dict[str, tuple[str, str, str]] = {
    "alembic_version": ("coordinator", "constant", "migrations run on the coordinator only"),
    "academic_year": ("reference", "constant", "one row per school year"),
    "region": ("reference", "constant", "the country's regions: at most 89"),
    "municipality": ("reference", "municipalities", "about 2,500 municipal districts in the country"),
    "organisation": (
        "reference",
        "organisations",
        "the tenants: up to ~90,000 short rows (a few MB); written when an organisation joins or changes",
    ),
    "identity": (
        "reference",
        "people",
        "NOT small at federal scale: one row per person who signs in (tens of thousands in a region,"
        " millions federally, ~150 bytes each, so ~150 MB per node at a million). It stays a reference"
        " table because person.identity_id, staff_assignment and the documents point to it and Citus"
        " allows a foreign key from a distributed table only to a co-located or a reference table;"
        " written on the first sign-in and when a name changes (each write goes to every node)."
        " Distributing it by its own id would mean dropping those foreign keys: see docs/scaling.md",
    ),
    "staff_assignment": ("reference", "regions", "a region's officials: tens to hundreds per region"),
    "staff_appointment": ("reference", "regions", "pending officials of a region: a handful"),
    "questionnaire_template": ("reference", "regions", "tens of templates per region"),
    "questionnaire_version": ("reference", "regions", "a few versions per template"),
    "region_dictionary_entry": ("reference", "regions", "a region's wording: hundreds per region"),
    "stat_area_snapshot": (
        "reference",
        "municipalities",
        "one header per municipality and region, school year and org type; replaced by each recompute",
    ),
    "stat_area_value": (
        "reference",
        "municipalities",
        "about 40 indicators × breakdowns per municipality snapshot: ~100,000 rows per year federally;"
        " replaced by each recompute (one multi-node write per recompute, not per request)",
    ),
    "stat_target": ("reference", "regions", "a target per indicator per region"),
    "stat_run": ("reference", "history", "one row per recompute: a few per region per day"),
    "stat_report": (
        "coordinator",
        "history",
        "the generated .xlsx/.docx files (bytea): large in bytes, read only by their download; kept on"
        " the coordinator rather than copied to every node",
    ),
    "region_document_template": (
        "reference",
        "regions",
        "a region's .docx templates: about ten per region, tens of KB each",
    ),
    "region_roadmap_item": ("reference", "regions", "a default roadmap per regime: tens of rows per region"),
    "region_notification_settings": ("reference", "constant", "one row per region"),
    "region_notification_template": ("reference", "regions", "one row per notification kind per region"),
}

# Tables with an org_id that may be NULL: Citus cannot distribute them by org_id (a NULL distribution value
# is refused), so they are distributed by their own key; nothing may point to them or from them into a
# tenant table (Citus allows foreign keys only between co-located tables or to reference tables).
OWN_KEY_TABLES = {
    "audit_log": "append-only; platform-level events (sign-in, a region's staff) have no organisation."
    " Distributed by id: an insert goes to one shard, an auditor's read by region and time fans out",
}

# Functions whose body reads a tenant table, and what they do on Citus. Those inside row-level security
# policies (the «one tenant» ones) run on the shards there, where reading another distributed table is a
# nested distributed query that Citus refuses: docs/scaling.md says what replaces them.
TENANT_READING_FUNCTIONS = {
    "nastavnik_current_org": "one tenant (org_id from the setting); in the tenant_member policies",
    "nastavnik_current_person": "one tenant; in policies",
    "nastavnik_current_is_manager": "one tenant; in policies",
    "nastavnik_current_mentees": "one tenant; in policies",
    "nastavnik_may_read_diagnostics": "one tenant; called by nastavnik_diagnostics_difficulties",
    "nastavnik_diagnostics_difficulties": "one tenant, called from a request: routed to one shard",
    "nastavnik_my_orgs": "across tenants by identity (a person's memberships): a multi-shard read",
    "nastavnik_my_memberships": "across tenants by identity: a multi-shard read",
    "nastavnik_audit_region": "audit_log's trigger: reads person across tenants by identity",
    "nastavnik_learners_in_pairs": "across the overseen organisations: a multi-shard read on the coordinator",
    "nastavnik_training_register": "across the overseen organisations: a multi-shard read on the coordinator",
    "nastavnik_notification_due_orgs": "the notification worker's scan across tenants: a multi-shard read",
}

# Triggers (table, trigger): on Citus, triggers on distributed tables run on the shards and need
# citus.enable_unsafe_triggers; on reference tables they run on every node.
TRIGGERS = {
    ("audit_log", "audit_region"): "fills region_id from organisation, staff_assignment or person",
    ("questionnaire_template", "identity_fixed"): "reads only the row itself",
    ("questionnaire_version", "immutable_when_published"): "reads only the row itself",
}


TENANT_TABLES = """
SELECT c.relname FROM pg_class c
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'org_id' AND NOT a.attisdropped AND a.attnotnull
 WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')"""
NULLABLE_ORG_ID = """
SELECT c.relname FROM pg_class c
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'org_id' AND NOT a.attisdropped
 WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND NOT a.attnotnull"""
# Unique indexes (primary keys and unique constraints included) and exclusion constraints of tenant
# tables whose first key column is not org_id (an expression as first key counts as not org_id).
UNIQUE_NOT_LEADING = """
SELECT c.relname, ic.relname
  FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_class ic ON ic.oid = i.indexrelid
  JOIN pg_attribute o ON o.attrelid = c.oid AND o.attname = 'org_id' AND NOT o.attisdropped AND o.attnotnull
 WHERE (i.indisunique OR i.indisexclusion) AND c.relnamespace = 'public'::regnamespace
   AND i.indkey[0] IS DISTINCT FROM o.attnum"""
FOREIGN_KEYS = """
SELECT con.conname, src.relname, dst.relname, con.confdeltype::text, con.confupdtype::text,
       (SELECT array_agg(a.attname || '=' || b.attname ORDER BY k.n)
          FROM unnest(con.conkey, con.confkey) WITH ORDINALITY AS k(f, t, n)
          JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.f
          JOIN pg_attribute b ON b.attrelid = con.confrelid AND b.attnum = k.t)
  FROM pg_constraint con JOIN pg_class src ON src.oid = con.conrelid JOIN pg_class dst ON dst.oid = con.confrelid
 WHERE con.contype = 'f' AND con.connamespace = 'public'::regnamespace"""
# Columns filled from a sequence (serial or identity) that are not bigint, and sequences no column owns.
SMALL_SEQUENCES = """
SELECT c.relname || '.' || a.attname
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
 WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND a.attnum > 0
   AND NOT a.attisdropped AND a.atttypid <> 'bigint'::regtype
   AND (a.attidentity <> '' OR pg_get_expr(d.adbin, d.adrelid) LIKE 'nextval(%')
UNION ALL
SELECT s.relname FROM pg_class s
 WHERE s.relnamespace = 'public'::regnamespace AND s.relkind = 'S'
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = s.oid
                   AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i'))"""
# Classic inheritance (not declarative partitioning), which Citus does not distribute.
INHERITANCE = """
SELECT child.relname FROM pg_inherits i
  JOIN pg_class child ON child.oid = i.inhrelid JOIN pg_class parent ON parent.oid = i.inhparent
 WHERE child.relnamespace = 'public'::regnamespace AND parent.relkind = 'r'"""
TRIGGERS_SQL = """
SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
 WHERE NOT t.tgisinternal AND c.relnamespace = 'public'::regnamespace"""
FUNCTIONS = "SELECT p.proname, p.prosrc FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace"


async def _rows(runtime: Runtime, sql: str) -> list[tuple[object, ...]]:
    async with runtime.owner_engine.connect() as conn:
        return await _query(conn, sql)


async def _query(conn: AsyncConnection, sql: str) -> list[tuple[object, ...]]:
    return [tuple(r) for r in await conn.execute(text(sql))]


def _names(rows: Iterable[tuple[object, ...]]) -> list[str]:
    return sorted(str(r[0]) for r in rows)


def _placements(tenant: set[str]) -> dict[str, str]:
    """Where each table would live on Citus: tenant (distributed by org_id), own key, reference, coordinator."""
    return (
        {table: where for table, (where, _, _) in PLACEMENT.items()}
        | dict.fromkeys(OWN_KEY_TABLES, "own key")
        | dict.fromkeys(tenant, "tenant")
    )


# What Citus allows a foreign key to point to, by where its table lives.
_MAY_REFERENCE = {
    "tenant": {"tenant", "reference"},
    "own key": {"reference"},
    "reference": {"reference"},
    "coordinator": {"reference", "coordinator"},
}


def _foreign_key_faults(rows: list[tuple[object, ...]], placements: dict[str, str]) -> list[str]:
    """Why each foreign key would be refused by Citus, or break its invariants."""
    faults = []
    for name, src, dst, on_delete, on_update, pairs in rows:
        source, target = placements.get(str(src), "unreviewed"), placements.get(str(dst), "unreviewed")
        columns = [str(p) for p in pairs] if isinstance(pairs, list) else []
        if target not in _MAY_REFERENCE.get(source, set()):
            faults.append(f"{name}: {source} table {src} -> {target} table {dst}")
            continue
        with_org = any(p.startswith("org_id=") for p in columns)
        if source == "tenant" and target == "tenant" and "org_id=org_id" not in columns:
            faults.append(f"{name}: tenant foreign key without org_id = org_id: {columns}")
        if source == "tenant" and with_org and (on_delete in ("n", "d") or on_update not in ("a", "r")):
            # Citus refuses SET NULL or SET DEFAULT on a key holding the distribution column even where
            # PostgreSQL 15's column list would leave org_id alone (citusdata/citus#7132).
            faults.append(f"{name}: on delete {on_delete}, on update {on_update} with org_id in the key")
    return sorted(faults)


def _tenant_reading(rows: list[tuple[object, ...]], tenant: set[str]) -> list[str]:
    pattern = re.compile(r"\b(" + "|".join(sorted(tenant)) + r")\b")
    return sorted({str(name) for name, body in rows if pattern.search(str(body))})


async def _tenant(runtime: Runtime) -> set[str]:
    return set(_names(await _rows(runtime, TENANT_TABLES)))


def test_every_shared_table_has_a_reviewed_placement_and_size() -> None:
    assert set(PLACEMENT) == set(SHARED_TABLES), "give every shared table a Citus placement and size class"
    sizes = {"constant", "regions", "municipalities", "organisations", "history", "people"}
    assert {size for _, size, _ in PLACEMENT.values()} <= sizes
    assert {where for where, _, _ in PLACEMENT.values()} <= {"reference", "coordinator"}
    # What grows with people is not small: its reason must say how Citus copes (docs/scaling.md).
    assert all("docs/scaling.md" in why for _, size, why in PLACEMENT.values() if size == "people")


async def test_tables_with_a_nullable_org_id_are_distributed_by_their_own_key(runtime: Runtime) -> None:
    assert _names(await _rows(runtime, NULLABLE_ORG_ID)) == sorted(OWN_KEY_TABLES)


async def test_tenant_unique_keys_lead_with_org_id(runtime: Runtime) -> None:
    bad = await _rows(runtime, UNIQUE_NOT_LEADING)
    assert not bad, f"(table, index) unique or exclusion keys of tenant tables must start with org_id: {bad}"


async def test_foreign_keys_are_ones_citus_allows(runtime: Runtime) -> None:
    rows = await _rows(runtime, FOREIGN_KEYS)
    assert len(rows) > 20
    assert not _foreign_key_faults(rows, _placements(await _tenant(runtime)))


async def test_sequences_are_bigint_and_no_table_inherits(runtime: Runtime) -> None:
    assert await _rows(runtime, SMALL_SEQUENCES) == []
    assert await _rows(runtime, INHERITANCE) == []


async def test_triggers_and_tenant_reading_functions_are_reviewed(runtime: Runtime) -> None:
    triggers = {(str(t), str(g)) for t, g in await _rows(runtime, TRIGGERS_SQL)}
    assert triggers == set(TRIGGERS)
    functions = _tenant_reading(await _rows(runtime, FUNCTIONS), await _tenant(runtime))
    assert functions == sorted(TENANT_READING_FUNCTIONS)


async def test_citus_checks_can_fail(runtime: Runtime) -> None:
    """Each check's query finds a planted fault: a global unique key, a nullable org_id, foreign keys
    Citus refuses, an int serial, an inheriting table, a trigger and a function reading a tenant table;
    in a transaction that is rolled back."""
    tenant = await _tenant(runtime)
    async with runtime.owner_engine.connect() as conn:
        planted = await conn.begin()
        try:
            for sql in (
                "CREATE TABLE planted_notes (org_id uuid NOT NULL, id uuid NOT NULL, person_id uuid,"
                " author_id uuid, n serial, PRIMARY KEY (org_id, id), UNIQUE (id),"
                " FOREIGN KEY (person_id) REFERENCES planted_notes (id)"
                " , FOREIGN KEY (org_id, author_id) REFERENCES person (org_id, id) ON DELETE SET NULL)",
                "CREATE UNIQUE INDEX planted_notes_lower ON planted_notes (lower(id::text), org_id)",
                "CREATE TABLE planted_log (id bigint PRIMARY KEY, org_id uuid)",
                "CREATE TABLE planted_region_note (region_id uuid REFERENCES region (id),"
                " org_id_ref uuid, person_org uuid, person_id uuid,"
                " FOREIGN KEY (person_org, person_id) REFERENCES person (org_id, id))",
                "CREATE TABLE planted_child () INHERITS (region)",
                "CREATE FUNCTION planted_count() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM person'",
                "CREATE FUNCTION planted_guard() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END'",
                "CREATE TRIGGER planted BEFORE INSERT ON region FOR EACH ROW EXECUTE FUNCTION planted_guard()",
            ):
                await conn.execute(text(sql))
            unique = await _query(conn, UNIQUE_NOT_LEADING)
            nullable = _names(await _query(conn, NULLABLE_ORG_ID))
            fks = _foreign_key_faults(
                [r for r in await _query(conn, FOREIGN_KEYS) if str(r[1]).startswith("planted_")],
                _placements(tenant | {"planted_notes"}) | {"planted_region_note": "reference"},
            )
            sequences = await _query(conn, SMALL_SEQUENCES)
            inheriting = await _query(conn, INHERITANCE)
            triggers = {(str(t), str(g)) for t, g in await _query(conn, TRIGGERS_SQL)} - set(TRIGGERS)
            functions = set(_tenant_reading(await _query(conn, FUNCTIONS), tenant)) - set(
                TENANT_READING_FUNCTIONS
            )
        finally:
            await planted.rollback()
    assert sorted((str(t), str(i)) for t, i in unique) == [
        ("planted_notes", "planted_notes_id_key"),
        ("planted_notes", "planted_notes_lower"),
    ]
    assert nullable == sorted([*OWN_KEY_TABLES, "planted_log"])
    assert [f.split(":")[0] for f in fks] == [
        "planted_notes_org_id_author_id_fkey",
        "planted_notes_person_id_fkey",
        "planted_region_note_person_org_person_id_fkey",
    ], fks
    assert [str(r[0]) for r in sequences] == ["planted_notes.n"]
    assert inheriting == [("planted_child",)]
    assert triggers == {("region", "planted")}
    assert functions == {"planted_count"}
