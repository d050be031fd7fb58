"""Deleting a person clears the references that outlive them (migration 0029: no ON DELETE SET NULL, which
Citus refuses on a key holding org_id), and a reference nobody clears blocks the delete."""

from __future__ import annotations

from datetime import date

import pytest
from litestar import Litestar
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from nastavnik.db.references import clearing_columns
from nastavnik.domain.methodical.models import Association, AssociationEvent
from nastavnik.runtime import Runtime
from tests.core.test_deactivation import make_member
from tests.support.http import client_for
from tests.support.tenant import Named, add_member
from tests.support.world import World


def test_the_clearing_references_to_a_person_are_declared() -> None:
    found = {(table.name, column) for table, column in clearing_columns("person")}
    assert found == {
        ("journal_entry", "author_id"),
        ("methodical_association", "leader_id"),
        ("methodical_event", "responsible_id"),
    }


async def test_deleting_a_person_clears_what_they_led(runtime: Runtime, app: Litestar, world: World) -> None:
    org, curator, _ = await make_member(runtime, world)
    async with runtime.owner_sessions() as db:
        leaving = await add_member(db, org.id, None, Named("Уходящая", "Анна"), "mentor")
        club = Association(
            org_id=org.id, shape="council", academic_year=world.year, name="Совет", leader_id=leaving
        )
        db.add(club)
        await db.flush()
        event = AssociationEvent(
            org_id=org.id,
            association_id=club.id,
            held_on=date(world.year, 10, 1),
            topic="Заседание",
            form="meeting",
            responsible_id=leaving,
        )
        db.add(event)
        await db.commit()
        club_id, event_id = club.id, event.id
    async with client_for(app, curator.id) as client:
        assert (await client.delete(f"/api/o/{org.slug}/people/{leaving}")).status_code == 204
    async with runtime.owner_sessions() as db:
        kept = await db.execute(
            select(Association.leader_id, Association.version).where(Association.id == club_id)
        )
        assert kept.one() == (None, 2)
        held = await db.execute(
            select(AssociationEvent.responsible_id).where(AssociationEvent.id == event_id)
        )
        assert held.scalar_one() is None


async def test_a_reference_left_in_place_blocks_the_delete(runtime: Runtime, world: World) -> None:
    """The keys are plain ones now: deleting the person without clearing fails instead of dangling."""
    org, _, _ = await make_member(runtime, world)
    async with runtime.owner_sessions() as db:
        leaving = await add_member(db, org.id, None, Named("Остающийся", "Иван"), "mentor")
        db.add(
            Association(
                org_id=org.id, shape="council", academic_year=world.year, name="Совет", leader_id=leaving
            )
        )
        await db.commit()
        with pytest.raises(IntegrityError, match="fk_methodical_association_org_id_leader_id_person"):
            await db.execute(
                text("DELETE FROM person WHERE org_id = :org AND id = :id"), {"org": org.id, "id": leaving}
            )
