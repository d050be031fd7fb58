"""Reading the people list is logged in the statement that reads it: who read, in which organisation (and
its region), from where, and how many people they saw; a refused read writes no such event."""

from __future__ import annotations

from litestar import Litestar
from sqlalchemy import select

from nastavnik.models.audit import AuditEvent
from nastavnik.runtime import Runtime
from tests.support.http import client_for
from tests.support.world import World


async def list_reads(runtime: Runtime, org_id: object) -> list[AuditEvent]:
    async with runtime.owner_sessions() as db:
        return list(
            await db.scalars(
                select(AuditEvent)
                .where(AuditEvent.org_id == org_id, AuditEvent.object_type == "person_list")
                .order_by(AuditEvent.id)
            )
        )


async def test_the_list_read_is_logged_with_who_where_and_how_many(
    runtime: Runtime, app: Litestar, world: World
) -> None:
    org = world.orgs["school_a"]
    before = len(await list_reads(runtime, org.id))
    async with client_for(app, org.identities["curator"]) as client:
        response = await client.get(f"/api/o/{org.slug}/people")
    assert response.status_code == 200
    people = response.json()
    assert len(people) >= 2
    events = (await list_reads(runtime, org.id))[before:]
    assert len(events) == 1
    event = events[0]
    assert event.actor_identity_id == org.identities["curator"]
    assert event.action == "read"
    assert event.outcome == "success"
    assert event.object_id is None
    assert event.subject_person_id is None
    assert str(event.client_ip) == "127.0.0.1"
    assert event.details == {"count": len(people)}
    assert event.region_id is not None  # set by the database's trigger, as for every event


async def test_a_refused_list_read_logs_no_read(runtime: Runtime, app: Litestar, world: World) -> None:
    org = world.orgs["school_a"]
    before = [e.id for e in await list_reads(runtime, org.id)]
    async with client_for(app, org.identities["mentor"]) as client:
        assert (await client.get(f"/api/o/{org.slug}/people")).status_code == 403
    after = [e for e in await list_reads(runtime, org.id) if e.id not in before]
    assert [e.action for e in after if e.outcome == "success"] == []
