"""Headcounts written by the region (migration 0022), and the learners in pairs it is told as one number.

Row-level security admits a region's staff to the headcounts of their own region's organisations only,
whatever the service checks; the counting function answers only for the organisations the session
oversees or is a member of, and only a number: proven in raw SQL as the application role.
"""

from __future__ import annotations

import secrets

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from nastavnik.db.scope import DbScope, scoped_session
from nastavnik.runtime import Runtime
from tests.support.dates import RegionDates
from tests.support.headcounts import add_learners_in_pairs, coordinator_of
from tests.support.region import new_region
from tests.support.tenant import new_tenant
from tests.support.world import World

pytestmark = pytest.mark.isolation

UPSERT = text(
    "INSERT INTO headcount (org_id, academic_year, learners_total, learners_10_18, pedagogues, young_pedagogues)"
    " VALUES (:org, 2035, 10, 5, 3, 1)"
    " ON CONFLICT (org_id, academic_year) DO UPDATE SET learners_total = excluded.learners_total"
)
COUNTED = text("SELECT org_id, learners FROM nastavnik_learners_in_pairs(:year)")


async def test_region_staff_write_headcounts_of_their_own_region_only(runtime: Runtime, world: World) -> None:
    own = world.orgs["school_a"]
    foreign = next(o for o in world.orgs.values() if o.region_id == world.regions["R2"])
    oversight = DbScope(identity_id=world.staff["region"], oversight=True)
    async with scoped_session(runtime.app_sessions, oversight) as db:
        await db.execute(UPSERT, {"org": own.id})
        await db.execute(UPSERT, {"org": own.id})  # the update path too
        await db.rollback()
    async with scoped_session(runtime.app_sessions, oversight) as db:
        with pytest.raises(DBAPIError, match="row-level security"):
            await db.execute(UPSERT, {"org": foreign.id})
    # Nobody else writes another organisation's figures: a coordinator, an auditor, another region's staff.
    for key in ("municipality", "auditor", "region2"):
        async with scoped_session(
            runtime.app_sessions, DbScope(identity_id=world.staff[key], oversight=True)
        ) as db:
            with pytest.raises(DBAPIError, match="row-level security"):
                await db.execute(UPSERT, {"org": own.id})


async def test_learners_in_pairs_are_counted_only_for_the_sessions_own_organisations(
    runtime: Runtime, world: World, dates: RegionDates
) -> None:
    year = dates.year
    region, other = await new_region(runtime), await new_region(runtime)
    municipality, coordinator = await coordinator_of(runtime, region, f"Район {secrets.token_hex(4)}")
    a = await new_tenant(runtime, world, municipality_id=region.municipality_id)
    a2 = await new_tenant(runtime, world, municipality_id=municipality)
    b = await new_tenant(runtime, world, municipality_id=other.municipality_id)
    for tenant in (a, a2, b):
        await add_learners_in_pairs(runtime, tenant.id, year)  # three learners each
    mine = {a.id, a2.id, b.id}
    for identity, expected in (
        (region.staff, {a.id: 3, a2.id: 3}),
        (coordinator, {a2.id: 3}),
        (other.staff, {b.id: 3}),
        (region.auditor, {}),
    ):
        async with scoped_session(runtime.app_sessions, DbScope(identity_id=identity, oversight=True)) as db:
            counted = {o: n for o, n in await db.execute(COUNTED, {"year": year}) if o in mine}
            assert counted == expected, identity
    # Without the oversight scope the region is told nothing; a curator only of their own organisation,
    # and still reads no other organisation's members.
    async with scoped_session(runtime.app_sessions, DbScope(identity_id=region.staff)) as db:
        assert (await db.execute(COUNTED, {"year": year})).all() == []
    curator = DbScope(identity_id=a.identities["curator"], org_id=a.id)
    async with scoped_session(runtime.app_sessions, curator) as db:
        assert {o: n for o, n in await db.execute(COUNTED, {"year": year})} == {a.id: 3}
        assert await db.scalar(text("SELECT count(*) FROM group_member WHERE org_id <> :o"), {"o": a.id}) == 0
