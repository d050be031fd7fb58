"""Each methodical table across organisations: another organisation's club, member, meeting and attendance
answer 404 through the API under one's own slug, change nothing, and PostgreSQL's row-level security
refuses the same rows to raw SQL as the application role."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from litestar import Litestar
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from nastavnik.db.scope import DbScope, scoped_session
from nastavnik.domain.methodical.models import (
    Association,
    AssociationEvent,
    AssociationMember,
    EventParticipant,
)
from nastavnik.runtime import Runtime
from tests.support.http import client_for
from tests.support.world import World

pytestmark = pytest.mark.isolation

# Each table, and a row of it as PostgreSQL takes it (the victim's ids filled in).
ROWS: dict[str, tuple[str, str]] = {
    "methodical_association": (
        "INSERT INTO methodical_association (org_id, id, shape, academic_year, name, subject_area, summary,"
        " products, version) VALUES (:org, :id, 'decade', :year, 'Чужая', '', '', '', 1)",
        "UPDATE methodical_association SET name = 'Чужая' WHERE org_id = :org",
    ),
    "methodical_member": (
        "INSERT INTO methodical_member (org_id, association_id, person_id, role, position)"
        " VALUES (:org, :club, :person, 'member', '')",
        "UPDATE methodical_member SET position = 'чужая' WHERE org_id = :org",
    ),
    "methodical_event": (
        "INSERT INTO methodical_event (org_id, id, association_id, held_on, topic, form, classes, status,"
        " outcome, version) VALUES (:org, :id, :club, make_date(:year, 10, 1), 'Чужая', 'seminar', '',"
        " 'planned', '', 1)",
        "UPDATE methodical_event SET topic = 'Чужая' WHERE org_id = :org",
    ),
    "methodical_participant": (
        "INSERT INTO methodical_participant (org_id, event_id, person_id, role)"
        " VALUES (:org, :event, :curator, 'attendee')",
        "UPDATE methodical_participant SET role = 'observer' WHERE org_id = :org",
    ),
}


async def _victims_rows(runtime: Runtime, org_id: uuid.UUID) -> list[Any]:
    async with runtime.owner_sessions() as db:
        return [
            sorted(
                (a.id, a.name, a.version)
                for a in await db.scalars(select(Association).where(Association.org_id == org_id))
            ),
            sorted(
                (m.person_id, m.position)
                for m in await db.scalars(select(AssociationMember).where(AssociationMember.org_id == org_id))
            ),
            sorted(
                (e.id, e.topic, e.version)
                for e in await db.scalars(select(AssociationEvent).where(AssociationEvent.org_id == org_id))
            ),
            sorted(
                (p.person_id, p.role)
                for p in await db.scalars(select(EventParticipant).where(EventParticipant.org_id == org_id))
            ),
        ]


async def test_another_organisations_ids_answer_404_under_ones_own_slug(
    runtime: Runtime, app: Litestar, world: World
) -> None:
    own, victim = world.orgs["school_a"], world.orgs["school_b"]
    base = f"/api/o/{own.slug}/methodical/club/{victim.club_id}"
    event = f"{base}/events/{victim.club_event_id}"
    member = f"{base}/members/{victim.persons['mentee']}"
    before = await _victims_rows(runtime, victim.id)
    async with client_for(app, own.identities["curator"]) as curator:
        answers = {
            "association": (await curator.get(base)).status_code,
            "association edit": (await curator.put(base, json={"version": 1, "name": "Чужой"})).status_code,
            "association delete": (await curator.delete(base)).status_code,
            "member edit": (await curator.put(member, json={"position": "секретарь"})).status_code,
            "member delete": (await curator.delete(member)).status_code,
            "event edit": (
                await curator.put(
                    event, json={"version": 1, "held_on": "2026-10-01", "topic": "Т", "form": "seminar"}
                )
            ).status_code,
            "event delete": (await curator.delete(event)).status_code,
            "participants": (await curator.put(f"{event}/participants", json={"attendees": []})).status_code,
            # The victim's event and member under one's own club: as unknown there as anywhere.
            "own club, foreign event": (
                await curator.put(
                    f"/api/o/{own.slug}/methodical/club/{own.club_id}/events/{victim.club_event_id}/participants",
                    json={"attendees": []},
                )
            ).status_code,
            "own club, foreign member": (
                await curator.delete(
                    f"/api/o/{own.slug}/methodical/club/{own.club_id}/members/{victim.persons['mentee']}"
                )
            ).status_code,
            "own club, foreign person": (
                await curator.post(
                    f"/api/o/{own.slug}/methodical/club/{own.club_id}/members",
                    json={"person_id": str(victim.persons["curator"])},
                )
            ).status_code,
            "the victim's slug": (
                await curator.get(f"/api/o/{victim.slug}/methodical/club/{victim.club_id}")
            ).status_code,
        }
        listed = await curator.get(f"/api/o/{own.slug}/methodical/club")
    assert answers == {**dict.fromkeys(answers, 404), "own club, foreign person": 422}
    assert victim.canary not in listed.text
    assert await _victims_rows(runtime, victim.id) == before


@pytest.mark.parametrize("table", sorted(ROWS))
async def test_row_level_security_hides_and_guards_each_table(
    runtime: Runtime, world: World, table: str
) -> None:
    own, victim = world.orgs["school_a"], world.orgs["school_b"]
    scope = DbScope(identity_id=own.identities["curator"], org_id=own.id)
    values = {
        "org": victim.id,
        "id": uuid.uuid4(),
        "year": world.year,
        "club": victim.club_id,
        "event": victim.club_event_id,
        "person": victim.persons["curator"],
        "curator": victim.persons["curator"],
    }
    insert, update = ROWS[table]
    async with scoped_session(runtime.app_sessions, scope) as db:
        seen = set((await db.execute(text(f"SELECT DISTINCT org_id FROM {table}"))).scalars())
        changed = await db.execute(text(update), values)
        assert changed.rowcount == 0  # type: ignore[attr-defined]
        await db.rollback()
    assert seen == {own.id}
    async with scoped_session(runtime.app_sessions, scope) as db:
        with pytest.raises(DBAPIError) as refused:
            await db.execute(text(insert), {k: v for k, v in values.items() if f":{k}" in insert})
    assert "row-level security" in str(refused.value)
