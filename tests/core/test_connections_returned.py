"""Every request gives its database connections back to the pool, whatever it answers.

A request's session is a generator dependency (``provide_db``). Litestar finalises such a dependency only
once all of the handler's dependencies are resolved: when a later one refuses (the actor: 401, the
organisation: 404 or 403), the session's cleanup never ran and its connection stayed checked out until the
garbage collector found it (SQLAlchemy then warns «The garbage collector is trying to clean up
non-checked-in connection» and terminates it). Under a burst of such refusals that is a pool emptied by
requests long answered.

Each case below is one request; after it, no engine of the process may hold a connection. The collector
is off meanwhile, so a connection left behind stays counted instead of being reaped unseen.
"""

from __future__ import annotations

import dataclasses
import gc
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from litestar import Litestar
from sqlalchemy.pool import QueuePool

from nastavnik.models.identity import Identity
from nastavnik.runtime import Runtime
from nastavnik.testing.people import ISSUER
from nastavnik.web.app import create_app
from tests.support.http import Client, client_for
from tests.support.world import World

pytestmark = pytest.mark.filterwarnings("error::sqlalchemy.exc.SAWarning")


@pytest.fixture
def no_collector() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def checked_out(runtime: Runtime) -> dict[str, int]:
    """Connections held per pooled engine (only the nonzero ones; the recompute's shares' engine has no
    pool to hold any)."""
    held = {
        str(engine.url): engine.pool.checkedout()
        for engine in runtime.engines
        if isinstance(engine.pool, QueuePool)
    }
    return {url: n for url, n in held.items() if n}


async def answered(runtime: Runtime, client: Client, method: str, url: str, **kwargs: Any) -> int:
    response = await client.request(method, url, **kwargs)
    assert checked_out(runtime) == {}, f"{method} {url} answered {response.status_code} and kept a connection"
    return response.status_code


async def test_refused_and_failed_requests_return_their_connections(
    runtime: Runtime, app: Litestar, world: World, no_collector: None
) -> None:
    own = world.orgs["school_a"]
    foreign = world.orgs["school_x"]  # another region's
    assert checked_out(runtime) == {}
    async with client_for(app, own.identities["curator"]) as curator:
        statuses = [
            await answered(runtime, curator, "GET", f"/api/o/{own.slug}/people"),
            # The organisation's dependency refuses: none of that name, or not the curator's.
            await answered(runtime, curator, "GET", "/api/o/no-such-organisation/people"),
            await answered(runtime, curator, "GET", f"/api/o/{foreign.slug}/people"),
            await answered(runtime, curator, "GET", f"/o/{foreign.slug}/people"),
            await answered(runtime, curator, "GET", f"/api/o/{foreign.slug}/statistics"),
            # The handler refuses: a region's page for a curator.
            await answered(runtime, curator, "GET", "/api/region/statistics"),
            # Validation: of the query, of the body, of what PostgreSQL cannot store (U+0000 in a text).
            await answered(runtime, curator, "GET", f"/api/o/{own.slug}/statistics?year=abc"),
            await answered(runtime, curator, "POST", f"/api/o/{own.slug}/people", json={"last_name": 5}),
            await answered(
                runtime,
                curator,
                "POST",
                f"/api/o/{own.slug}/people",
                json={"last_name": "Нуль\u0000", "first_name": "Ася", "category": "learner"},
            ),
            await answered(runtime, curator, "GET", f"/api/o/{own.slug}/people/{secrets.token_hex(4)}"),
        ]
    assert statuses == [200, 404, 404, 404, 404, 403, 422, 422, 422, 404]
    async with client_for(app, own.identities["mentor"]) as mentor:
        # A mentor's organisation resolves; the statistics are its managers'.
        assert await answered(runtime, mentor, "GET", f"/api/o/{own.slug}/statistics") == 403
    async with client_for(app, world.staff["region"]) as region:
        # Region staff are no member: the organisation's dependency refuses them.
        assert await answered(runtime, region, "GET", f"/api/o/{own.slug}/people") in (403, 404)


async def test_a_deactivated_person_is_refused_without_keeping_a_connection(
    runtime: Runtime, app: Litestar, no_collector: None
) -> None:
    async with runtime.owner_sessions() as db:
        gone = Identity(issuer=ISSUER, subject=f"gone-{secrets.token_hex(4)}", display_name="Ушедший")
        gone.active = False
        db.add(gone)
        await db.commit()
    async with client_for(app, gone.id) as client:
        # The actor's dependency reads the identity, finds it deactivated and refuses.
        assert await answered(runtime, client, "GET", "/api/me") == 401
        assert await answered(runtime, client, "GET", "/o/no-such-organisation/people") in (302, 303, 401)


async def test_a_refusal_by_row_level_security_returns_its_connection(
    runtime: Runtime, world: World, no_collector: None
) -> None:
    """With the services' own tenant checks off, PostgreSQL alone refuses another region's organisation."""
    settings = runtime.settings.model_copy(update={"service_tenant_filter": False})
    unguarded = create_app(dataclasses.replace(runtime, settings=settings))
    foreign = world.orgs["school_x"]
    async with client_for(unguarded, world.staff["region"]) as region:
        status = await answered(
            runtime, region, "PUT", f"/api/organisations/{foreign.id}/status", json={"status": "inactive"}
        )
    assert status == 404
