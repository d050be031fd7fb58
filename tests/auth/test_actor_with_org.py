"""A bearer request inside an organisation finds its actor and the organisation in one statement, which
also scopes the transaction to it; nothing is looked up that the request would refuse anyway."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from litestar import Litestar

from nastavnik.db import driver
from nastavnik.runtime import Runtime
from nastavnik_dev.issuer.realm import Issuer
from tests.auth.conftest import SsoPerson, enrol
from tests.auth.tokens import sign, valid_claims
from tests.support.http import asgi_transport
from tests.support.world import World


@contextmanager
def driver_statements() -> Iterator[list[str]]:
    """The SQL of every statement run on the driver's connection meanwhile."""
    seen: list[str] = []

    def record(sql: str, arguments: Sequence[Any]) -> None:
        seen.append(sql)

    driver.listeners.append(record)
    try:
        yield seen
    finally:
        driver.listeners.remove(record)


async def get(app: Litestar, url: str, token: str) -> httpx.Response:
    async with httpx.AsyncClient(transport=asgi_transport(app), base_url="http://testserver") as client:
        return await client.get(url, headers={"Authorization": f"Bearer {token}"})


def reads_organisation(sql: str) -> bool:
    return "FROM organisation" in sql or "JOIN organisation" in sql


@pytest.fixture
async def curator(runtime: Runtime, issuer: Issuer, world: World) -> SsoPerson:
    return await enrol(runtime, issuer, world.orgs["school_a"], "kuratorova", "curator")


async def test_the_people_list_finds_actor_and_organisation_in_one_statement(
    sso_app: Litestar, issuer: Issuer, curator: SsoPerson
) -> None:
    token = sign(valid_claims(issuer, curator.user.id), issuer.realm.keys.current)
    with driver_statements() as seen:
        response = await get(sso_app, f"/api/o/{curator.org.slug}/people", token)
    assert response.status_code == 200
    assert str(curator.person_id) in {p["id"] for p in response.json()}
    # The actor with the organisation (and the scope), the membership, the people with their audit event.
    assert len(seen) == 3
    assert "FROM identity" in seen[0]
    assert reads_organisation(seen[0])
    assert not any(reads_organisation(sql) for sql in seen[1:])


async def test_an_unknown_slug_is_a_404_after_the_one_statement(
    sso_app: Litestar, issuer: Issuer, curator: SsoPerson
) -> None:
    # The token admits the slug (else it is refused without a look-up, as below).
    claims = valid_claims(issuer, curator.user.id, organization=[curator.org.slug, "no-such-school"])
    token = sign(claims, issuer.realm.keys.current)
    with driver_statements() as seen:
        response = await get(sso_app, "/api/o/no-such-school/people", token)
    assert response.status_code == 404
    assert len(seen) == 1
    assert reads_organisation(seen[0])


async def test_an_organisation_the_token_does_not_admit_is_never_looked_up(
    sso_app: Litestar, issuer: Issuer, curator: SsoPerson, world: World
) -> None:
    token = sign(valid_claims(issuer, curator.user.id), issuer.realm.keys.current)
    with driver_statements() as seen:
        response = await get(sso_app, f"/api/o/{world.orgs['school_b'].slug}/people", token)
    assert response.status_code == 404
    assert len(seen) == 1
    assert not reads_organisation(seen[0])


async def test_a_route_without_an_organisation_looks_none_up(
    sso_app: Litestar, issuer: Issuer, curator: SsoPerson
) -> None:
    token = sign(valid_claims(issuer, curator.user.id), issuer.realm.keys.current)
    with driver_statements() as seen:
        response = await get(sso_app, "/api/me", token)
    assert response.status_code == 200, response.text
    assert seen
    assert not reads_organisation(seen[0])
