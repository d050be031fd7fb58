"""Single sign-on fixtures: the development issuer on a loopback port, and an app that trusts it."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from litestar import Litestar

from nastavnik.models.identity import Identity
from nastavnik.runtime import Runtime, token_verifier
from nastavnik.settings import Settings
from nastavnik.web.app import create_app
from nastavnik_dev.issuer.realm import Issuer, Organization, User
from nastavnik_dev.issuer.server import running_issuer
from tests.support.tenant import Named, add_member
from tests.support.world import OrgWorld, World

WEB_SECRET = "nastavnik-web-development-secret"


@pytest.fixture(scope="session")
async def issuer() -> AsyncIterator[Issuer]:
    async with running_issuer(Settings(dev_issuer=True)) as running:
        yield running


@pytest.fixture(scope="session")
def sso_runtime(runtime: Runtime, issuer: Issuer) -> Runtime:
    settings = runtime.settings.model_copy(update={"keycloak_url": issuer.base_url})
    assert runtime.http is not None
    return dataclasses.replace(runtime, settings=settings, verifier=token_verifier(settings, runtime.http))


@pytest.fixture(scope="session")
def sso_app(sso_runtime: Runtime) -> Litestar:
    return create_app(sso_runtime)


@dataclass
class SsoPerson:
    user: User
    identity_id: uuid.UUID
    person_id: uuid.UUID
    org: OrgWorld


def join_organization(issuer: Issuer, org: OrgWorld, user_id: str) -> None:
    """Make the user a member of the organisation's Keycloak organization (created on first use)."""
    organization = next((o for o in issuer.realm.organizations.values() if o.alias == org.slug), None)
    if organization is None:
        organization = Organization(id=str(uuid.uuid4()), alias=org.slug, name=org.key)
        issuer.realm.organizations[organization.id] = organization
    organization.members.append(user_id)


async def enrol(runtime: Runtime, issuer: Issuer, org: OrgWorld, username: str, role: str) -> SsoPerson:
    """A Keycloak user who is a member of the organization there and holds ``role`` in the platform."""
    user = issuer.realm.add_user(
        User(
            id=str(uuid.uuid4()),
            username=username,
            password="пароль-1",
            first_name="Ирина",
            last_name="Ключева",
        )
    )
    join_organization(issuer, org, user.id)
    async with runtime.owner_sessions() as db:
        identity = Identity(issuer=issuer.issuer, subject=user.id, display_name=user.display_name)
        db.add(identity)
        await db.flush()
        person_id = await add_member(db, org.id, identity.id, Named("Ключева", "Ирина"), role)
        await db.commit()
        return SsoPerson(user, identity.id, person_id, org)


@pytest.fixture(scope="session")
async def sso_curator(runtime: Runtime, issuer: Issuer, world: World) -> SsoPerson:
    return await enrol(runtime, issuer, world.orgs["school_a"], "klyucheva", "curator")


async def enrol_staff(
    runtime: Runtime,
    issuer: Issuer,
    *,
    role: str,
    region_id: uuid.UUID,
    municipality_id: uuid.UUID | None = None,
) -> User:
    """A Keycloak user with the realm role of ``role`` and the platform's assignment to its scope."""
    from nastavnik.models.identity import StaffAssignment

    realm_role = {
        "region": "nastavnik-region",
        "municipality": "nastavnik-municipality",
        "auditor": "nastavnik-auditor",
    }[role]
    user = issuer.realm.add_user(
        User(
            id=str(uuid.uuid4()),
            username=f"{role}-{uuid.uuid4().hex[:6]}",
            last_name=f"Сотрудник ({role})",
            realm_roles={realm_role},
        )
    )
    async with runtime.owner_sessions() as db:
        identity = Identity(issuer=issuer.issuer, subject=user.id, display_name=user.display_name)
        db.add(identity)
        await db.flush()
        db.add(
            StaffAssignment(
                identity_id=identity.id, role=role, region_id=region_id, municipality_id=municipality_id
            )
        )
        await db.commit()
    return user
