"""Onboarding an organisation: through the region's page and the API, into the development issuer
through python-keycloak, run twice with the same result; retried while Keycloak is unreachable."""

from __future__ import annotations

import dataclasses
import secrets

import pytest
from keycloak import KeycloakAdmin
from litestar import Litestar
from pydantic import SecretStr
from sqlalchemy import func, select

from nastavnik.domain.organisations.models import OnboardingStatus, OrgOnboarding
from nastavnik.domain.organisations.onboarding import run_onboarding
from nastavnik.domain.organisations.realm import KeycloakUnavailable
from nastavnik.inn import with_inn_check_digit
from nastavnik.models.identity import Identity
from nastavnik.models.people import Person, PersonRole
from nastavnik.models.reference import Organisation
from nastavnik.runtime import Runtime
from nastavnik.web.app import create_app
from nastavnik_dev.issuer.realm import Issuer
from tests.auth.conftest import enrol_staff
from tests.auth.tokens import sign, valid_claims
from tests.support.http import bearer_client, client_for
from tests.support.sso import trusting
from tests.support.worker import run_queued_jobs
from tests.support.world import World

ADMIN_SECRET = "nastavnik-admin-development-secret"


@pytest.fixture(scope="module")
async def region_token(onboarding_runtime: Runtime, issuer: Issuer, world: World) -> str:
    user = await enrol_staff(onboarding_runtime, issuer, role="region", region_id=world.regions["R1"])
    return sign(valid_claims(issuer, user.id), issuer.realm.keys.current)


@pytest.fixture(scope="module")
async def municipality_token(onboarding_runtime: Runtime, issuer: Issuer, world: World) -> str:
    user = await enrol_staff(
        onboarding_runtime,
        issuer,
        role="municipality",
        region_id=world.regions["R1"],
        municipality_id=world.municipalities["M1"],
    )
    return sign(valid_claims(issuer, user.id), issuer.realm.keys.current)


@pytest.fixture(scope="module")
async def onboarding_runtime(runtime: Runtime, issuer: Issuer) -> Runtime:
    return trusting(
        runtime,
        issuer,
        keycloak_admin_client_secret=SecretStr(ADMIN_SECRET),
        keycloak_client_secret=SecretStr("nastavnik-web-development-secret"),
    )


@pytest.fixture(scope="module")
def onboarding_app(onboarding_runtime: Runtime) -> Litestar:
    return create_app(onboarding_runtime)


def new_school(world: World) -> dict[str, str]:
    n = secrets.randbelow(10**8)
    return {
        "municipality_id": str(world.municipalities["M1"]),
        "type": "school",
        "full_name": f"Школа {n}",
        "short_name": f"Школа {n}",
        "inn": with_inn_check_digit(f"3{n:08d}"),
        "slug": f"onb-{n}",
        "curator_last_name": "Приглашённая",
        "curator_first_name": "Ольга",
        "curator_middle_name": "Ивановна",
        "curator_email": f"olga.{n}@school.example",
    }


def without_curator(body: dict[str, str]) -> dict[str, object]:
    """The organisation alone, as the JSON API creates it (without inviting a curator)."""
    return {k: v for k, v in body.items() if not k.startswith("curator_")}


async def set_status(app: Litestar, region_token: str, org_id: object, status: str) -> None:
    """The region opens (``active``) or closes (``inactive``) the organisation."""
    async with bearer_client(app, region_token) as region:
        changed = await region.put(f"/api/organisations/{org_id}/status", json={"status": status})
    assert changed.status_code == 200, changed.text


async def keycloak_state(issuer: Issuer, slug: str, email: str) -> tuple[int, int, int, int]:
    """(organizations with the alias, users with the e-mail, memberships, invitations) as python-keycloak sees them."""
    admin = KeycloakAdmin(
        server_url=issuer.base_url,
        realm_name="nastavnik",
        client_id="nastavnik-admin",
        client_secret_key=ADMIN_SECRET,
    )
    orgs = [o for o in await admin.a_get_organizations({"first": 0, "max": 1000}) if o["alias"] == slug]
    users = await admin.a_get_users({"email": email, "exact": True})
    members = await admin.a_get_organization_members(orgs[0]["id"]) if orgs else []
    invitations = [
        m
        for m in issuer.realm.sent_emails
        if m.get("email", m.get("to")) == email or (users and m.get("user_id") == users[0]["id"])
    ]
    return (
        len(orgs),
        len(users),
        len([m for m in members if users and m["id"] == users[0]["id"]]),
        len(invitations),
    )


async def platform_state(runtime: Runtime, slug: str) -> tuple[str, int, list[str]]:
    async with runtime.owner_sessions() as db:
        org = (await db.scalars(select(Organisation).where(Organisation.slug == slug))).one()
        row = await db.get(OrgOnboarding, org.id)
        people = await db.scalar(select(func.count()).select_from(Person).where(Person.org_id == org.id))
        roles = list(await db.scalars(select(PersonRole.role).where(PersonRole.org_id == org.id)))
    assert row is not None
    return row.status, int(people or 0), roles


async def test_onboarding_through_the_regions_page_twice_gives_the_same_result(
    onboarding_runtime: Runtime, onboarding_app: Litestar, issuer: Issuer, world: World, region_token: str
) -> None:
    form = new_school(world)
    async with bearer_client(onboarding_app, region_token) as client:
        created = await client.post("/region/organisations", data=form)
        assert created.status_code == 302
        page = await client.get("/region/organisations")
        assert form["slug"] in page.text
        assert "ожидает подключения" in page.text
    await run_queued_jobs(onboarding_runtime)
    first = (
        await keycloak_state(issuer, form["slug"], form["curator_email"]),
        await platform_state(onboarding_runtime, form["slug"]),
    )
    assert first == ((1, 1, 1, 1), ("done", 1, ["curator"]))
    # Again, from the start: every step finds what it would create.
    async with onboarding_runtime.owner_sessions() as db:
        org_id = await db.scalar(select(Organisation.id).where(Organisation.slug == form["slug"]))
        row = await db.get(OrgOnboarding, org_id)
        assert row is not None
        row.status = OnboardingStatus.PENDING
        await db.commit()
    assert org_id is not None
    assert await run_onboarding(onboarding_runtime, org_id) == "done"
    second = (
        await keycloak_state(issuer, form["slug"], form["curator_email"]),
        await platform_state(onboarding_runtime, form["slug"]),
    )
    assert second == first
    async with bearer_client(onboarding_app, region_token) as client:
        page = await client.get("/region/organisations")
    assert "подключена" in page.text


async def test_the_invited_curator_signs_in_as_curator(
    onboarding_runtime: Runtime, onboarding_app: Litestar, issuer: Issuer, world: World, region_token: str
) -> None:
    body = new_school(world)
    api_body = without_curator(body)
    api_body["curator"] = {
        "last_name": body["curator_last_name"],
        "first_name": body["curator_first_name"],
        "email": body["curator_email"],
    }
    async with bearer_client(onboarding_app, region_token) as client:
        created = await client.post("/api/organisations", json=api_body)
    assert created.status_code == 201, created.text
    assert created.json()["onboarding"] == "pending"
    await run_queued_jobs(onboarding_runtime)
    user = next(u for u in issuer.realm.users.values() if u.email == body["curator_email"])
    token = sign(valid_claims(issuer, user.id), issuer.realm.keys.current)
    async with client_for(onboarding_app) as client:
        me = await client.get(f"/api/o/{body['slug']}", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200, me.text
    assert me.json()["my_roles"] == ["curator"]
    async with onboarding_runtime.owner_sessions() as db:
        identity = (await db.scalars(select(Identity).where(Identity.subject == user.id))).one()
    assert identity.issuer == issuer.issuer


async def test_keycloak_unreachable_is_retried_and_shown(
    onboarding_runtime: Runtime, onboarding_app: Litestar, issuer: Issuer, world: World, region_token: str
) -> None:
    form = new_school(world)
    async with bearer_client(onboarding_app, region_token) as client:
        assert (await client.post("/region/organisations", data=form)).status_code == 302
    # Keycloak goes away: the job records why and asks to be retried.
    down = onboarding_runtime.settings.model_copy(update={"keycloak_url": "http://127.0.0.1:9"})
    unreachable = dataclasses.replace(onboarding_runtime, settings=down)
    async with onboarding_runtime.owner_sessions() as db:
        org_id = await db.scalar(select(Organisation.id).where(Organisation.slug == form["slug"]))
    assert org_id is not None
    with pytest.raises(KeycloakUnavailable):
        await run_onboarding(unreachable, org_id)
    status, people, _ = await platform_state(onboarding_runtime, form["slug"])
    assert (status, people) == ("retrying", 0)
    async with bearer_client(onboarding_app, region_token) as client:
        page = await client.get("/region/organisations")
        assert "повторим" in page.text
        retried = await client.post(f"/api/organisations/{org_id}/onboarding/retry")
    assert retried.status_code == 202
    await run_queued_jobs(onboarding_runtime)
    assert (await platform_state(onboarding_runtime, form["slug"]))[0] == "done"


async def test_bad_curator_is_refused_and_nothing_is_created(
    onboarding_runtime: Runtime, onboarding_app: Litestar, world: World, region_token: str
) -> None:
    form = {**new_school(world), "curator_email": "не почта", "curator_last_name": " "}
    async with bearer_client(onboarding_app, region_token) as client:
        response = await client.post("/region/organisations", data=form)
    assert response.status_code == 422
    assert "Электронная почта куратора" in response.text
    async with onboarding_runtime.owner_sessions() as db:
        assert await db.scalar(select(Organisation.id).where(Organisation.slug == form["slug"])) is None


async def test_only_the_region_onboards(
    onboarding_app: Litestar, world: World, municipality_token: str
) -> None:
    async with bearer_client(onboarding_app, municipality_token) as client:
        response = await client.post("/region/organisations", data=new_school(world))
    assert response.status_code == 403


async def test_deactivation_reaches_keycloak(
    onboarding_runtime: Runtime, onboarding_app: Litestar, issuer: Issuer, world: World, region_token: str
) -> None:
    body = new_school(world)
    api_body = without_curator(body)
    api_body["curator"] = {"last_name": "Кураторова", "first_name": "Инна", "email": body["curator_email"]}
    async with bearer_client(onboarding_app, region_token) as region:
        org_id = (await region.post("/api/organisations", json=api_body)).json()["id"]
    await run_queued_jobs(onboarding_runtime)
    admin = KeycloakAdmin(
        server_url=issuer.base_url,
        realm_name="nastavnik",
        client_id="nastavnik-admin",
        client_secret_key=ADMIN_SECRET,
    )
    kc_org = next(
        o for o in await admin.a_get_organizations({"first": 0, "max": 1000}) if o["alias"] == body["slug"]
    )
    # A teacher joins (in Keycloak and in the platform), then leaves.
    teacher_id = await admin.a_create_user({"username": f"t-{secrets.token_hex(4)}", "enabled": True})
    await admin.a_organization_user_add(teacher_id, kc_org["id"])
    async with onboarding_runtime.owner_sessions() as db:
        identity = Identity(issuer=issuer.issuer, subject=teacher_id, display_name="Учитель")
        db.add(identity)
        await db.flush()
        teacher = Person(
            org_id=org_id,
            identity_id=identity.id,
            last_name="Учитель",
            first_name="Иван",
            category="pedagogue",
        )
        db.add(teacher)
        await db.commit()
    curator = next(u for u in issuer.realm.users.values() if u.email == body["curator_email"])
    curator_token = sign(valid_claims(issuer, curator.id), issuer.realm.keys.current)
    async with bearer_client(onboarding_app, curator_token) as client:
        left = await client.patch(
            f"/api/o/{body['slug']}/people/{teacher.id}",
            json={
                "last_name": "Учитель",
                "first_name": "Иван",
                "category": "pedagogue",
                "version": 1,
                "status": "left",
            },
        )
    assert left.status_code == 200, left.text
    await run_queued_jobs(onboarding_runtime)
    members = {m["id"] for m in await admin.a_get_organization_members(kc_org["id"])}
    assert teacher_id not in members
    assert curator.id in members
    # The region closes the organisation: Keycloak's organization is disabled, and opened again.
    await set_status(onboarding_app, region_token, org_id, "inactive")
    await run_queued_jobs(onboarding_runtime)
    assert (await admin.a_get_organization(kc_org["id"]))["enabled"] is False
    assert body["slug"] not in valid_claims(issuer, curator.id)["organization"]
    await set_status(onboarding_app, region_token, org_id, "active")
    await run_queued_jobs(onboarding_runtime)
    assert (await admin.a_get_organization(kc_org["id"]))["enabled"] is True
