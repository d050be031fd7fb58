"""Deactivating an organisation or a person removes access at once, and is reversible."""

from __future__ import annotations

import secrets
import uuid

from litestar import Litestar

from nastavnik.inn import with_inn_check_digit
from nastavnik.models.identity import Identity
from nastavnik.models.reference import Organisation
from nastavnik.runtime import Runtime
from tests.support.http import client_for
from tests.support.tenant import Named, add_member
from tests.support.world import World


async def make_member(
    runtime: Runtime, world: World, org: Organisation | None = None
) -> tuple[Organisation, Identity, uuid.UUID]:
    async with runtime.owner_sessions() as db:
        if org is None:
            n = secrets.randbelow(10**8)
            org = Organisation(
                municipality_id=world.municipalities["M1"],
                type="school",
                full_name="Гаснущая школа",
                short_name="Гаснущая",
                inn=with_inn_check_digit(f"2{n:08d}"),
                slug=f"fading-{n}",
            )
            db.add(org)
            await db.flush()
        identity = Identity(issuer="test-issuer", subject=secrets.token_hex(6), display_name="Уходящий")
        db.add(identity)
        await db.flush()
        person_id = await add_member(db, org.id, identity.id, Named("Уходящий", "Пётр"), "curator")
        await db.commit()
        return org, identity, person_id


async def test_a_deactivated_organisation_is_closed_to_its_members(
    runtime: Runtime, app: Litestar, world: World
) -> None:
    org, identity, _ = await make_member(runtime, world)
    async with client_for(app, identity.id) as member, client_for(app, world.staff["region"]) as region:
        assert (await member.get(f"/api/o/{org.slug}/people")).status_code == 200
        off = await region.put(f"/api/organisations/{org.id}/status", json={"status": "inactive"})
        assert off.status_code == 200
        assert off.json()["status"] == "inactive"
        assert (await member.get(f"/api/o/{org.slug}/people")).status_code == 404
        assert (await member.get("/api/me")).json()["organisations"] == []
        on = await region.put(f"/api/organisations/{org.id}/status", json={"status": "active"})
        assert on.status_code == 200
        assert (await member.get(f"/api/o/{org.slug}/people")).status_code == 200


async def test_only_the_organisations_region_may_deactivate_it(
    runtime: Runtime, app: Litestar, world: World
) -> None:
    org, _, _ = await make_member(runtime, world)
    async with (
        client_for(app, world.staff["region2"]) as other_region,
        client_for(app, world.staff["municipality"]) as municipality,
    ):
        assert (
            await other_region.put(f"/api/organisations/{org.id}/status", json={"status": "inactive"})
        ).status_code == 404
        assert (
            await municipality.put(f"/api/organisations/{org.id}/status", json={"status": "inactive"})
        ).status_code == 403
    async with client_for(app, world.staff["region"]) as region:
        bad = await region.put(f"/api/organisations/{org.id}/status", json={"status": "closed"})
    assert bad.status_code == 422


async def test_a_person_who_left_loses_access(runtime: Runtime, app: Litestar, world: World) -> None:
    org, curator, _ = await make_member(runtime, world)
    _, leaver, leaver_person = await make_member(runtime, world, org)
    async with client_for(app, leaver.id) as left, client_for(app, curator.id) as manager:
        assert (await left.get(f"/api/o/{org.slug}")).status_code == 200
        url = f"/api/o/{org.slug}/people/{leaver_person}"
        body = {"last_name": "Уходящий", "first_name": "Пётр", "category": "pedagogue", "version": 1}
        marked = await manager.patch(url, json={**body, "status": "left"})
        assert marked.status_code == 200
        assert marked.json()["status"] == "left"
        assert (await left.get(f"/api/o/{org.slug}")).status_code == 404
        back = await manager.patch(url, json={**body, "version": 2, "status": "active"})
        assert back.status_code == 200
        assert (await left.get(f"/api/o/{org.slug}")).status_code == 200
        own = (await manager.get("/api/me")).json()
        assert own["organisations"]
