"""The shared organisation registry: everybody reads it, only a region's own staff write it.

Row-level security on ``organisation`` (migration 0017) holds even where the service forgets to check:
proven in raw SQL as the application role, and over HTTP with the service's checks switched off.
"""

from __future__ import annotations

import dataclasses
import uuid

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from nastavnik.db.scope import DbScope, scoped_session
from nastavnik.models.reference import Organisation
from nastavnik.runtime import Runtime
from nastavnik.web.app import create_app
from tests.support.http import client_for
from tests.support.region import new_region
from tests.support.tenant import new_tenant
from tests.support.world import World

pytestmark = pytest.mark.isolation

INSERT = text(
    "INSERT INTO organisation (id, municipality_id, type, full_name, short_name, inn, slug, status)"
    " VALUES (:id, :municipality, 'school', 'Школа', 'Школа', :inn, :slug, 'active')"
)


def _staff(world: World, key: str) -> DbScope:
    return DbScope(identity_id=world.staff[key])


async def test_region_staff_update_only_their_regions_organisations(runtime: Runtime, world: World) -> None:
    own = world.orgs["school_a"]
    foreign = next(o for o in world.orgs.values() if o.region_id == world.regions["R2"])
    rename = text("UPDATE organisation SET short_name = short_name || '!' WHERE id = :id")
    async with scoped_session(runtime.app_sessions, _staff(world, "region")) as db:
        assert (await db.execute(rename, {"id": own.id})).rowcount == 1  # type: ignore[attr-defined]
        assert (await db.execute(rename, {"id": foreign.id})).rowcount == 0  # type: ignore[attr-defined]
        await db.rollback()
    # Nobody else writes: a municipality's coordinator, an auditor, a curator, or no identity at all.
    for scope in (
        _staff(world, "municipality"),
        _staff(world, "auditor"),
        DbScope(identity_id=own.identities["curator"], org_id=own.id),
        DbScope(identity_id=None),
    ):
        async with scoped_session(runtime.app_sessions, scope) as db:
            assert (await db.execute(rename, {"id": own.id})).rowcount == 0, scope  # type: ignore[attr-defined]
            await db.rollback()
    # Everybody still reads the registry.
    async with scoped_session(runtime.app_sessions, DbScope(identity_id=None)) as db:
        assert (
            await db.scalar(text("SELECT count(*) FROM organisation WHERE id = :id"), {"id": foreign.id}) == 1
        )


async def test_region_staff_insert_only_into_their_region(runtime: Runtime, world: World) -> None:
    async with scoped_session(runtime.app_sessions, _staff(world, "region")) as db:
        with pytest.raises(DBAPIError, match="row-level security"):
            await db.execute(
                INSERT,
                {
                    "id": uuid.uuid4(),
                    "municipality": world.municipalities["M3"],
                    "inn": "7700000001",
                    "slug": "x-r2",
                },
            )
    async with scoped_session(runtime.app_sessions, _staff(world, "region")) as db:
        await db.execute(
            INSERT,
            {
                "id": uuid.uuid4(),
                "municipality": world.municipalities["M1"],
                "inn": "7700000002",
                "slug": "x-r1",
            },
        )
        await db.rollback()  # the control: allowed in its own region


async def test_an_organisation_cannot_be_moved_to_another_region(runtime: Runtime, world: World) -> None:
    move = text("UPDATE organisation SET municipality_id = :m WHERE id = :id")
    async with scoped_session(runtime.app_sessions, _staff(world, "region")) as db:
        with pytest.raises(DBAPIError, match="row-level security"):
            await db.execute(move, {"m": world.municipalities["M3"], "id": world.orgs["school_a"].id})


async def test_over_http_with_service_checks_off_another_regions_organisation_is_404(
    runtime: Runtime, world: World
) -> None:
    """The service no longer filters by region; PostgreSQL alone refuses R1's staff an R2 organisation."""
    region = await new_region(runtime)
    victim = await new_tenant(runtime, world, municipality_id=region.municipality_id)
    own = await new_tenant(runtime, world)  # municipality M1 of region R1
    settings = runtime.settings.model_copy(update={"service_tenant_filter": False})
    unguarded = dataclasses.replace(runtime, settings=settings)
    async with client_for(create_app(unguarded), world.staff["region"]) as client:
        refused = await client.put(f"/api/organisations/{victim.id}/status", json={"status": "inactive"})
        allowed = await client.put(f"/api/organisations/{own.id}/status", json={"status": "inactive"})
    assert refused.status_code == 404, refused.text
    assert allowed.status_code == 200, allowed.text
    async with runtime.owner_sessions() as db:
        statuses = dict(
            (
                await db.execute(
                    select(Organisation.id, Organisation.status).where(
                        Organisation.id.in_([victim.id, own.id])
                    )
                )
            ).all()
        )
    assert statuses == {victim.id: "active", own.id: "inactive"}
