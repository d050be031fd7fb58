"""A bearer token acts for its identity in the database exactly as a page session does.

Tokens here are real: issued by the development issuer's password grant over HTTP, as a region's
integration would get them from Keycloak.
"""

from __future__ import annotations

import secrets
import uuid

import httpx
from litestar import Litestar
from sqlalchemy import select

from nastavnik.models.identity import Identity, StaffAssignment
from nastavnik.models.reference import Organisation
from nastavnik.runtime import Runtime
from nastavnik_dev.issuer.realm import Issuer, User
from tests.auth.conftest import WEB_SECRET, join_organization
from tests.support.http import asgi_transport
from tests.support.region import FreshRegion, new_region
from tests.support.tenant import Named, add_member, new_tenant
from tests.support.world import World

PASSWORD = "пароль-носителя"


async def token_of(issuer: Issuer, user: User) -> str:
    async with httpx.AsyncClient(base_url=issuer.issuer, timeout=10) as http:
        response = await http.post(
            "/protocol/openid-connect/token",
            data={
                "grant_type": "password",
                "username": user.username,
                "password": PASSWORD,
                "scope": "openid organization",
            },
            auth=("nastavnik-web", WEB_SECRET),
        )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def api(app: Litestar) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=asgi_transport(app), base_url="http://testserver")


async def region_staff(runtime: Runtime, issuer: Issuer, region: FreshRegion) -> tuple[User, uuid.UUID]:
    """A Keycloak user with the region's realm role, assigned to ``region`` in the platform."""
    user = issuer.realm.add_user(
        User(
            id=str(uuid.uuid4()),
            username=f"region-{secrets.token_hex(4)}",
            password=PASSWORD,
            first_name="Регина",
            last_name="Областная",
            realm_roles={"nastavnik-region"},
        )
    )
    async with runtime.owner_sessions() as db:
        identity = Identity(issuer=issuer.issuer, subject=user.id, display_name=user.display_name)
        db.add(identity)
        await db.flush()
        db.add(StaffAssignment(identity_id=identity.id, role="region", region_id=region.id))
        await db.commit()
        return user, identity.id


async def test_region_staff_write_through_the_api_with_a_token(
    sso_runtime: Runtime,
    sso_app: Litestar,
    issuer: Issuer,
    world: World,
) -> None:
    """Both writes are guarded by row-level security on the acting identity: without it set from the token,
    PostgreSQL refuses them (the organisation answered 404, the dictionary 404)."""
    region = await new_region(sso_runtime)
    school = await new_tenant(sso_runtime, world, municipality_id=region.municipality_id)
    user, _ = await region_staff(sso_runtime, issuer, region)
    token = await token_of(issuer, user)
    async with api(sso_app) as client:
        status = await client.put(
            f"/api/organisations/{school.id}/status", json={"status": "inactive"}, headers=bearer(token)
        )
        renamed = await client.put(
            "/api/region/dictionaries/form/learners/student_student",
            json={"organisation_type": "school", "title": "Обучающийся – обучающийся", "version": 0},
            headers=bearer(token),
        )
    assert status.status_code == 200, status.text
    assert status.json()["status"] == "inactive"
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["title"] == "Обучающийся – обучающийся"
    async with sso_runtime.owner_sessions() as db:
        assert await db.scalar(select(Organisation.status).where(Organisation.id == school.id)) == "inactive"


async def test_me_lists_memberships_and_staff_grants_for_a_token(
    sso_runtime: Runtime,
    sso_app: Litestar,
    issuer: Issuer,
    world: World,
) -> None:
    school_a, school_b = world.orgs["school_a"], world.orgs["school_b"]
    user = issuer.realm.add_user(
        User(
            id=str(uuid.uuid4()),
            username=f"two-schools-{secrets.token_hex(4)}",
            password=PASSWORD,
            first_name="Двоя",
            last_name="Школьная",
            realm_roles={"nastavnik-region"},
        )
    )
    for org in (school_a, school_b):
        join_organization(issuer, org, user.id)
    async with sso_runtime.owner_sessions() as db:
        identity = Identity(issuer=issuer.issuer, subject=user.id, display_name=user.display_name)
        db.add(identity)
        await db.flush()
        for org, roles in ((school_a, ("curator", "mentor")), (school_b, ("mentee",))):
            await add_member(db, org.id, identity.id, Named("Школьная", "Двоя"), *roles, category="staff")
        db.add(StaffAssignment(identity_id=identity.id, role="region", region_id=world.regions["R1"]))
        await db.commit()
    token = await token_of(issuer, user)
    async with api(sso_app) as client:
        me = await client.get("/api/me", headers=bearer(token))
    assert me.status_code == 200, me.text
    body = me.json()
    assert body["identity_id"] == str(identity.id)
    memberships = {m["slug"]: (m["short_name"], sorted(m["roles"])) for m in body["organisations"]}
    assert memberships == {
        school_a.slug: ("school_a", ["curator", "mentor"]),
        school_b.slug: ("school_b", ["mentee"]),
    }
    assert body["staff_roles"] == ["region"]
    [grant] = body["staff"]
    assert (grant["role"], grant["region_id"], grant["municipality_id"]) == (
        "region",
        str(world.regions["R1"]),
        None,
    )
    assert grant["region_name"]
