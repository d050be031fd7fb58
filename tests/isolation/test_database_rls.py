"""Row-level security seen from raw SQL as the application role, and a busy small pool."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from typing import Any

import pytest
from sqlalchemy import TextClause, text
from sqlalchemy.exc import DBAPIError, ProgrammingError
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.db.scope import DbScope, scoped_session
from nastavnik.runtime import Runtime, build_runtime
from nastavnik.web.app import create_app
from tests.support.http import client_for
from tests.support.world import World

pytestmark = pytest.mark.isolation

TENANT_TABLES = (
    "notification",
    "person",
    "person_role",
    "headcount",
    "org_plugin_setting",
    "methodical_association",
    "methodical_member",
    "methodical_event",
    "methodical_participant",
    "questionnaire_assignment",
    "questionnaire_answer",
    "stat_org_snapshot",
    "stat_org_value",
    "mentor_training",
    "methodical_association",
    "methodical_member",
    "methodical_event",
    "methodical_participant",
)


def _member(world: World, key: str) -> DbScope:
    org = world.orgs[key]
    return DbScope(identity_id=org.identities["curator"], org_id=org.id)


def _not_r1s_staff(world: World) -> tuple[DbScope, ...]:
    """Who may not write R1's own rows: another region's staff, R1's members and municipality, nobody."""
    return (
        DbScope(identity_id=world.staff["region2"]),
        _member(world, "school_a"),
        DbScope(identity_id=world.staff["municipality"]),
        DbScope(identity_id=None),
    )


async def _read_by_region(runtime: Runtime, world: World, query: TextClause) -> dict[str, list[Any]]:
    """What ``query`` reads for the members and staff of R1 and R2, R1's municipality, R1's member naming
    R2's school, and nobody."""
    member_of_r1 = _member(world, "school_a")
    reads = {}
    for label, scope in (
        ("member of R1", member_of_r1),
        ("member of R2", _member(world, "school_x")),
        ("staff of R1", DbScope(identity_id=world.staff["region"])),
        ("staff of R2", DbScope(identity_id=world.staff["region2"])),
        ("municipality of R1", DbScope(identity_id=world.staff["municipality"])),
        ("R1's member naming R2's school", DbScope(member_of_r1.identity_id, world.orgs["school_x"].id)),
        ("nobody", DbScope(identity_id=None)),
    ):
        async with scoped_session(runtime.app_sessions, scope) as db:
            reads[label] = list((await db.execute(query)).scalars())
    return reads


async def _changed_and_removed(db: AsyncSession, region: uuid.UUID) -> tuple[int, int]:
    """How many of the region's document templates an UPDATE and a DELETE reach (rolled back)."""
    changed = await db.execute(
        text("UPDATE region_document_template SET file_name = 'чужой.docx' WHERE region_id = :r"),
        {"r": region},
    )
    removed = await db.execute(
        text("DELETE FROM region_document_template WHERE region_id = :r"), {"r": region}
    )
    await db.rollback()
    return changed.rowcount, removed.rowcount  # type: ignore[attr-defined]


async def test_no_scope_sees_no_tenant_rows(runtime: Runtime, world: World) -> None:
    async with runtime.app_engine.connect() as conn:
        for table in TENANT_TABLES:
            assert await conn.scalar(text(f"SELECT count(*) FROM {table}")) == 0, table


async def test_member_sees_only_own_rows(runtime: Runtime, world: World) -> None:
    scope = _member(world, "school_a")
    async with scoped_session(runtime.app_sessions, scope) as db:
        for table in TENANT_TABLES:
            orgs = set((await db.execute(text(f"SELECT DISTINCT org_id FROM {table}"))).scalars())
            assert orgs == {scope.org_id}, table


async def test_naming_an_organisation_without_membership_sees_nothing(runtime: Runtime, world: World) -> None:
    """The database checks membership itself: claiming another organisation is not enough."""
    lying = DbScope(
        identity_id=world.orgs["school_a"].identities["curator"], org_id=world.orgs["school_b"].id
    )
    async with scoped_session(runtime.app_sessions, lying) as db:
        for table in TENANT_TABLES:
            assert await db.scalar(text(f"SELECT count(*) FROM {table}")) == 0, table


async def test_cannot_insert_or_update_another_organisations_rows(runtime: Runtime, world: World) -> None:
    scope = _member(world, "school_a")
    victim = world.orgs["school_b"]
    async with scoped_session(runtime.app_sessions, scope) as db:
        with pytest.raises(DBAPIError) as refused:
            await db.execute(
                text(
                    "INSERT INTO person (org_id, id, last_name, first_name, category, status, version)"
                    " VALUES (:org, :id, 'X', 'Y', 'pedagogue', 'active', 1)"
                ),
                {"org": victim.id, "id": uuid.uuid4()},
            )
        assert "row-level security" in str(refused.value)
    async with scoped_session(runtime.app_sessions, scope) as db:
        updated = await db.execute(
            text("UPDATE person SET last_name = 'X' WHERE org_id = :org"), {"org": victim.id}
        )
        deleted = await db.execute(text("DELETE FROM person_role WHERE org_id = :org"), {"org": victim.id})
        assert updated.rowcount == 0  # type: ignore[attr-defined]
        assert deleted.rowcount == 0  # type: ignore[attr-defined]
        await db.rollback()


async def test_moving_a_row_to_another_organisation_is_refused(runtime: Runtime, world: World) -> None:
    scope = _member(world, "school_a")
    async with scoped_session(runtime.app_sessions, scope) as db:
        with pytest.raises(DBAPIError):
            await db.execute(
                text("UPDATE headcount SET org_id = :other WHERE org_id = :own"),
                {"other": world.orgs["school_b"].id, "own": scope.org_id},
            )


async def test_scope_does_not_outlive_its_transaction(runtime: Runtime, world: World) -> None:
    """set_config(..., true) is transaction-local: the next user of the connection starts empty."""
    async with runtime.app_engine.connect() as conn:
        async with conn.begin():
            await conn.execute(
                text(
                    "SELECT set_config('nastavnik.identity_id', :i, true), set_config('nastavnik.org_id', :o, true)"
                ),
                {"i": str(world.orgs["school_a"].identities["curator"]), "o": str(world.orgs["school_a"].id)},
            )
            assert await conn.scalar(text("SELECT count(*) FROM person")) > 0
        async with conn.begin():
            assert await conn.scalar(text("SELECT current_setting('nastavnik.org_id', true)")) == ""
            assert await conn.scalar(text("SELECT count(*) FROM person")) == 0


async def test_application_role_cannot_read_the_audit_log(runtime: Runtime) -> None:
    async with runtime.app_engine.connect() as conn:
        with pytest.raises(ProgrammingError, match="permission denied"):
            await conn.execute(text("SELECT count(*) FROM audit_log"))


async def test_region_cannot_read_a_persons_record(runtime: Runtime, world: World) -> None:
    """Even in the oversight scope, region staff read aggregates only: no person rows."""
    scope = DbScope(identity_id=world.staff["region"], oversight=True)
    async with scoped_session(runtime.app_sessions, scope) as db:
        assert await db.scalar(text("SELECT count(*) FROM person")) == 0
        assert await db.scalar(text("SELECT count(*) FROM person_role")) == 0
        assert await db.scalar(text("SELECT count(*) FROM questionnaire_answer")) == 0
        assert await db.scalar(text("SELECT count(*) FROM questionnaire_assignment")) == 0
        visible = set((await db.execute(text("SELECT org_id FROM headcount"))).scalars())
    region_orgs = {o.id for o in world.orgs.values() if o.region_id == world.regions["R1"]}
    # Its own region's headcounts (other suites may add organisations with headcounts to R1), none of R2's.
    assert region_orgs <= visible
    assert await _placed(runtime, visible, "region_id") == {world.regions["R1"]}


async def _placed(runtime: Runtime, org_ids: set[uuid.UUID], column: str) -> set[uuid.UUID]:
    """The regions or municipalities (``column`` of municipality: ``region_id`` or ``id``) the organisations
    ``org_ids`` belong to, read as the owner."""
    async with runtime.owner_sessions() as db:
        rows = await db.execute(
            text(
                f"SELECT DISTINCT m.{column} FROM organisation o JOIN municipality m ON m.id = o.municipality_id"
                " WHERE o.id = ANY(:ids)"
            ),
            {"ids": list(org_ids)},
        )
        return set(rows.scalars())


async def test_municipality_reads_only_its_municipality(runtime: Runtime, world: World) -> None:
    scope = DbScope(identity_id=world.staff["municipality"], oversight=True)
    async with scoped_session(runtime.app_sessions, scope) as db:
        visible = set((await db.execute(text("SELECT org_id FROM headcount"))).scalars())
    assert {o.id for o in world.orgs.values() if o.municipality_id == world.municipalities["M1"]} <= visible
    assert await _placed(runtime, visible, "id") == {world.municipalities["M1"]}


async def test_oversight_needs_the_oversight_scope(runtime: Runtime, world: World) -> None:
    scope = DbScope(identity_id=world.staff["region"], oversight=False)
    async with scoped_session(runtime.app_sessions, scope) as db:
        assert await db.scalar(text("SELECT count(*) FROM headcount")) == 0


async def test_two_connections_thousands_of_interleaved_requests(runtime: Runtime, world: World) -> None:
    """A pool of two connections serving alternating organisations leaks no canary."""
    settings = runtime.settings.model_copy(update={"db_pool_size": 2})
    small = await build_runtime(settings, plugins=runtime.plugins)
    app = create_app(small)
    keys = ["school_a", "school_b", "kindergarten_c"]
    requests_total, concurrency = 2100, 30
    failures: list[str] = []
    stack = contextlib.AsyncExitStack()
    try:
        clients = {}
        for key in keys:
            clients[key] = await stack.enter_async_context(
                client_for(app, world.orgs[key].identities["curator"])
            )
        semaphore = asyncio.Semaphore(concurrency)

        async def one(i: int) -> None:
            key = keys[i % len(keys)]
            org = world.orgs[key]
            async with semaphore:
                response = await clients[key].get(f"/api/o/{org.slug}/people")
            if response.status_code != 200 or org.canary not in response.text:
                failures.append(f"{i}: {key} got {response.status_code}")
            leaked = [c for k, c in world.canaries.items() if k != key and c in response.text]
            if leaked:
                failures.append(f"{i}: {key} saw {leaked}")

        await asyncio.gather(*(one(i) for i in range(requests_total)))
    finally:
        await stack.aclose()
        await small.close()
    assert not failures, failures[:10]


async def test_only_a_regions_own_staff_write_its_dictionaries(runtime: Runtime, world: World) -> None:
    """A region's wording: its organisations' members and its staff read it, only its staff write it."""
    insert = text(
        "INSERT INTO region_dictionary_entry (id, region_id, kind, regime, code, title, hidden, added,"
        " description, mentor_categories, version)"
        " VALUES (:id, :region, 'kind', 'learners', :code, 'Чужое', false, true, '', '{}', 1)"
    )
    canaries = text("SELECT title FROM region_dictionary_entry WHERE code = 'canary_role' ORDER BY title")
    r1 = world.regions["R1"]
    for scope in _not_r1s_staff(world):
        async with scoped_session(runtime.app_sessions, scope) as db:
            with pytest.raises(DBAPIError) as refused:
                await db.execute(insert, {"id": uuid.uuid4(), "region": r1, "code": "intruder"})
            assert "row-level security" in str(refused.value)
        async with scoped_session(runtime.app_sessions, scope) as db:
            updated = await db.execute(
                text("UPDATE region_dictionary_entry SET title = 'Чужое' WHERE region_id = :region"),
                {"region": r1},
            )
            assert updated.rowcount == 0  # type: ignore[attr-defined]
            await db.rollback()
    r1_canary, r2_canary = world.region_canaries["R1"], world.region_canaries["R2"]
    assert await _read_by_region(runtime, world, canaries) == {
        "member of R1": [r1_canary],
        "member of R2": [r2_canary],
        "staff of R1": [r1_canary],
        "staff of R2": [r2_canary],
        "municipality of R1": [],
        "R1's member naming R2's school": [],
        "nobody": [],
    }
    async with scoped_session(runtime.app_sessions, DbScope(identity_id=world.staff["region"])) as db:
        await db.execute(insert, {"id": uuid.uuid4(), "region": r1, "code": "own_entry"})
        with pytest.raises(DBAPIError) as no_delete:
            await db.execute(
                text("DELETE FROM region_dictionary_entry WHERE region_id = :region"), {"region": r1}
            )
        assert "permission denied" in str(no_delete.value)  # never deleted: groups keep their codes
        await db.rollback()


async def test_only_a_regions_own_staff_write_its_document_templates(runtime: Runtime, world: World) -> None:
    """A region's templates: its organisations' members and its staff read them, only its staff write them."""
    r1, r2 = world.regions["R1"], world.regions["R2"]
    upsert = text(
        "INSERT INTO region_document_template (region_id, code, content, file_name, uploaded_by)"
        " VALUES (:region, :code, '\\x00', 'чужой.docx', :who)"
    )
    names = text("SELECT file_name FROM region_document_template ORDER BY file_name")
    async with runtime.owner_sessions() as db:  # R1's own, for this test only: R1 keeps the standard ones
        await db.execute(
            text(
                "INSERT INTO region_document_template (region_id, code, content, file_name, uploaded_by)"
                " VALUES (:region, 'mentor_journal', '\\x00', 'Журнал R1.docx', :who)"
            ),
            {"region": r1, "who": world.staff["region"]},
        )
        await db.commit()
    try:
        for scope in _not_r1s_staff(world):
            async with scoped_session(runtime.app_sessions, scope) as db:
                with pytest.raises(DBAPIError) as refused:
                    await db.execute(
                        upsert, {"region": r1, "code": "pairs_formation", "who": world.staff["region"]}
                    )
                assert "row-level security" in str(refused.value)
            async with scoped_session(runtime.app_sessions, scope) as db:
                assert await _changed_and_removed(db, r1) == (0, 0)
        # Region staff write their own region's templates, never another's.
        async with scoped_session(runtime.app_sessions, DbScope(identity_id=world.staff["region"])) as db:
            assert await _changed_and_removed(db, r2) == (0, 0)
        assert await _read_by_region(runtime, world, names) == {
            "member of R1": ["Журнал R1.docx"],
            "member of R2": ["Благодарность R2.docx"],
            "staff of R1": ["Журнал R1.docx"],
            "staff of R2": ["Благодарность R2.docx"],
            "municipality of R1": [],
            "R1's member naming R2's school": [],
            "nobody": [],
        }
        async with scoped_session(runtime.app_sessions, DbScope(identity_id=world.staff["region"])) as db:
            removed = await db.execute(
                text("DELETE FROM region_document_template WHERE region_id = :r"), {"r": r1}
            )
            assert removed.rowcount == 1  # type: ignore[attr-defined]  # its own staff revert it
            await db.rollback()
    finally:
        async with runtime.owner_sessions() as db:
            await db.execute(
                text("DELETE FROM region_document_template WHERE region_id = :r AND code = 'mentor_journal'"),
                {"r": r1},
            )
            await db.commit()


async def test_only_a_regions_own_staff_write_its_default_roadmap(runtime: Runtime, world: World) -> None:
    """A region's default roadmap: its organisations' members and its staff read it, only its staff write it."""
    r1, r2 = world.regions["R1"], world.regions["R2"]
    insert = text(
        "INSERT INTO region_roadmap_item (region_id, regime, position, stage, month, day, title, responsible,"
        " result) VALUES (:region, 'learners', :position, 1, 1, 1, :title, 'куратор', '')"
    )
    titles = text("SELECT title FROM region_roadmap_item ORDER BY title")
    async with runtime.owner_sessions() as db:  # for this test only: the world's regions keep the standard
        await db.execute(insert, {"region": r1, "position": 1, "title": "Семинар R1"})
        await db.execute(insert, {"region": r2, "position": 1, "title": "Семинар R2"})
        await db.commit()
    try:
        for scope in _not_r1s_staff(world):
            async with scoped_session(runtime.app_sessions, scope) as db:
                with pytest.raises(DBAPIError) as refused:
                    await db.execute(insert, {"region": r1, "position": 2, "title": "Чужое"})
                assert "row-level security" in str(refused.value)
            async with scoped_session(runtime.app_sessions, scope) as db:
                changed = await db.execute(
                    text("UPDATE region_roadmap_item SET title = 'Чужое' WHERE region_id = :r"), {"r": r1}
                )
                removed = await db.execute(
                    text("DELETE FROM region_roadmap_item WHERE region_id = :r"), {"r": r1}
                )
                assert (changed.rowcount, removed.rowcount) == (0, 0)  # type: ignore[attr-defined]
                await db.rollback()
        assert await _read_by_region(runtime, world, titles) == {
            "member of R1": ["Семинар R1"],
            "member of R2": ["Семинар R2"],
            "staff of R1": ["Семинар R1"],
            "staff of R2": ["Семинар R2"],
            "municipality of R1": [],
            "R1's member naming R2's school": [],
            "nobody": [],
        }
        async with scoped_session(runtime.app_sessions, DbScope(identity_id=world.staff["region"])) as db:
            removed = await db.execute(
                text("DELETE FROM region_roadmap_item WHERE region_id = :r"), {"r": r1}
            )
            assert removed.rowcount == 1  # type: ignore[attr-defined]  # its own staff revert it
            await db.rollback()
    finally:
        async with runtime.owner_sessions() as db:
            await db.execute(
                text("DELETE FROM region_roadmap_item WHERE region_id IN (:a, :b)"), {"a": r1, "b": r2}
            )
            await db.commit()
