"""The region works with aggregates of the methodical work. The statistics aggregator reads only the columns
its indicators count (migration 0018), never a name, a topic or a text; the region's staff reads none of
its rows; the regional statistics show the figures and no name. Two schools of two municipalities name
their clubs, decades and events with a canary that must never reach the region."""

from __future__ import annotations

import secrets
from datetime import date

import pytest
from litestar import Litestar
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from nastavnik.db.scope import DbScope, scoped_session
from nastavnik.domain.statistics.recompute import ScopeKind, Snapshot, recompute
from nastavnik.runtime import Runtime
from tests.statistics.spec import (
    AssociationSpec,
    BuiltRegion,
    EventSpec,
    MenteeSpec,
    OrgSpec,
    RegionSpec,
    build_region,
    held_decade,
)
from tests.support.http import client_for

YEAR, AS_OF = 2026, date(2026, 11, 20)
CANARY = f"Канарейка-{secrets.token_hex(3)}"
TABLES = ("methodical_association", "methodical_member", "methodical_event", "methodical_participant")
# What the methodical work says in words or names somebody by: the aggregator may read none of it.
UNREADABLE = (
    ("methodical_association", "name"),
    ("methodical_association", "subject_area"),
    ("methodical_association", "summary"),
    ("methodical_association", "products"),
    ("methodical_association", "leader_id"),
    ("methodical_member", "position"),
    ("methodical_event", "topic"),
    ("methodical_event", "classes"),
    ("methodical_event", "outcome"),
    ("methodical_event", "responsible_id"),
    ("methodical_association", "*"),
)


def _school(key: str, municipality: str, learners: int) -> OrgSpec:
    people = [MenteeSpec(f"{key}-Y", "young_pedagogue", profession_since=date(2025, 9, 1))]
    people += [MenteeSpec(f"{key}-L{i}", birth_date=date(2013, 1, 1 + i)) for i in range(learners)]
    keys = [m.key for m in people]
    return OrgSpec(
        key,
        municipality,
        headcounts={YEAR: (20, 3)},
        mentees=people,
        methodical=[
            AssociationSpec("club", YEAR, members=keys[:1], events=[EventSpec(attendees=keys[:1])]),
            held_decade(YEAR, EventSpec(form="olympiad", learners=keys[1:], winners=keys[1:2])),
        ],
    )


@pytest.fixture(scope="module")
async def region(runtime: Runtime) -> BuiltRegion:
    built = await build_region(
        runtime, RegionSpec(["MA", "MB"], [_school("A1", "MA", 2), _school("B1", "MB", 3)])
    )
    async with runtime.owner_engine.begin() as conn:
        orgs = {"orgs": list(built.orgs.values())}
        await conn.execute(
            text(
                "UPDATE methodical_association SET name = CAST(:c AS text), subject_area = CAST(:c AS text),"
                " summary = CAST(:c AS text), products = CAST(:c AS text)"
                " WHERE org_id = ANY(:orgs)"
            ),
            {"c": f"{CANARY} объединение", **orgs},
        )
        await conn.execute(
            text(
                "UPDATE methodical_event SET topic = CAST(:c AS text), classes = CAST(:c AS text), outcome = CAST(:c AS text) WHERE org_id = ANY(:orgs)"
            ),
            {"c": f"{CANARY} мероприятие", **orgs},
        )
        await conn.execute(
            text("UPDATE methodical_member SET position = :c WHERE org_id = ANY(:orgs)"),
            {"c": CANARY, **orgs},
        )
    await recompute(
        runtime.aggregator_engine, runtime.plugins, Snapshot(ScopeKind.REGION, built.id, YEAR, AS_OF)
    )
    return built


async def test_the_aggregator_reads_what_it_counts_and_no_name(runtime: Runtime, region: BuiltRegion) -> None:
    orgs = {"orgs": list(region.orgs.values())}
    async with runtime.aggregator_engine.connect() as conn:
        # Across organisations, as its indicators need: both schools' clubs and decades.
        counted = await conn.execute(
            text(
                "SELECT shape, count(DISTINCT org_id) FROM methodical_association"
                " WHERE org_id = ANY(:orgs) GROUP BY shape ORDER BY shape"
            ),
            orgs,
        )
        assert counted.all() == [("club", 2), ("decade", 2)]
        learners = await conn.scalar(
            text(
                "SELECT count(*) FROM methodical_participant WHERE role = 'learner' AND org_id = ANY(:orgs)"
            ),
            orgs,
        )
        assert learners == 2 + 3
    for table, column in UNREADABLE:
        async with runtime.aggregator_engine.connect() as conn:
            with pytest.raises(DBAPIError, match="permission denied"):
                await conn.execute(text(f"SELECT {column} FROM {table}"))
    for statement in (
        "UPDATE methodical_event SET status = 'held'",
        "DELETE FROM methodical_participant",
        "INSERT INTO methodical_member (org_id, association_id, person_id, role, position, created_at,"
        " updated_at) SELECT org_id, association_id, person_id, 'member', '', now(), now() FROM methodical_member",
    ):
        async with runtime.aggregator_engine.connect() as conn:
            with pytest.raises(DBAPIError, match="permission denied"):
                await conn.execute(text(statement))


async def test_the_regions_staff_reads_no_row_of_it(runtime: Runtime, region: BuiltRegion) -> None:
    """No oversight policy on the methodical work: the region and the municipality read its figures only."""
    for identity in (region.region_staff, region.coordinators["MA"]):
        async with scoped_session(runtime.app_sessions, DbScope(identity_id=identity, oversight=True)) as db:
            for table in TABLES:
                assert await db.scalar(text(f"SELECT count(*) FROM {table}")) == 0, table
    # The control: a school's curator reads its own rows, and only those.
    own = DbScope(identity_id=region.curators["A1"], org_id=region.orgs["A1"])
    async with scoped_session(runtime.app_sessions, own) as db:
        for table in TABLES:
            seen = set((await db.execute(text(f"SELECT DISTINCT org_id FROM {table}"))).scalars())
            assert seen == {region.orgs["A1"]}, table


async def test_the_regional_statistics_show_figures_and_no_name(app: Litestar, region: BuiltRegion) -> None:
    async with client_for(app, region.region_staff) as client:
        summary = await client.get(f"/api/region/statistics?year={YEAR}")
        organisations = await client.get(f"/api/region/statistics/organisations?year={YEAR}")
        page = await client.get(f"/region/statistics?year={YEAR}")
    async with client_for(app, region.coordinators["MB"]) as client:
        municipality = await client.get(f"/m/{region.municipalities['MB']}/statistics?year={YEAR}")
    shown = [summary, organisations, page, municipality]
    assert [r.status_code for r in shown] == [200] * 4
    # The figures are there (2 + 3 learners took part in the schools' decades), the names are not.
    assert "Обучающихся — участников предметных декад" in page.text
    assert "schools.decade_learners" in summary.text
    for response in shown:
        assert CANARY not in response.text
