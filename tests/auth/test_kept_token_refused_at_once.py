"""A token the app keeps verified never outlives the person behind it: deactivation, leaving and a
role taken away are refused at the very next request, in every instance of the app (each keeps its
own verified tokens), because who the token's person is and what they may do is read from the
database with every request, in the statement that sets the request's scope."""

from __future__ import annotations

import dataclasses

import httpx
from litestar import Litestar
from sqlalchemy import Executable, delete, update

from nastavnik.models.identity import Identity
from nastavnik.models.people import Person, PersonRole
from nastavnik.runtime import Runtime, token_verifier
from nastavnik.web.app import create_app
from nastavnik_dev.issuer.realm import Issuer
from tests.auth.conftest import enrol
from tests.auth.tokens import sign, valid_claims
from tests.support.http import asgi_transport
from tests.support.world import World


def instance(sso_runtime: Runtime) -> tuple[Runtime, Litestar]:
    """Another instance of the app on the same database: a verifier (and its kept tokens) of its own."""
    assert sso_runtime.http is not None
    runtime = dataclasses.replace(
        sso_runtime, verifier=token_verifier(sso_runtime.settings, sso_runtime.http)
    )
    return runtime, create_app(runtime)


async def statuses(apps: list[Litestar], url: str, token: str) -> list[int]:
    found = []
    for app in apps:
        async with httpx.AsyncClient(transport=asgi_transport(app), base_url="http://testserver") as client:
            found.append((await client.get(url, headers={"Authorization": f"Bearer {token}"})).status_code)
    return found


async def test_deactivation_leaving_and_a_lost_role_are_refused_at_once_in_every_instance(
    sso_runtime: Runtime, runtime: Runtime, issuer: Issuer, world: World
) -> None:
    who = await enrol(runtime, issuer, world.orgs["school_a"], "derzhatel", "curator")
    token = sign(valid_claims(issuer, who.user.id), issuer.realm.keys.current)
    url = f"/api/o/{who.org.slug}/people"
    (first, app_a), (second, app_b) = instance(sso_runtime), instance(sso_runtime)
    apps = [app_a, app_b]
    assert await statuses(apps, url, token) == [200, 200]
    assert first.verifier is not None
    assert second.verifier is not None
    assert (first.verifier.kept, second.verifier.kept) == (1, 1)  # both keep the token verified now

    async def owner(statement: Executable) -> None:
        async with runtime.owner_sessions() as db:
            await db.execute(statement)
            await db.commit()

    await owner(update(Identity).where(Identity.id == who.identity_id).values(active=False))
    assert await statuses(apps, url, token) == [401, 401]
    await owner(update(Identity).where(Identity.id == who.identity_id).values(active=True))
    assert await statuses(apps, url, token) == [200, 200]

    await owner(delete(PersonRole).where(PersonRole.person_id == who.person_id))
    assert await statuses(apps, url, token) == [403, 403]  # a member still, no longer the curator

    await owner(update(Person).where(Person.id == who.person_id).values(status="left"))
    assert await statuses(apps, url, token) == [404, 404]
    assert (first.verifier.kept, second.verifier.kept) == (1, 1)  # the token itself is still valid
