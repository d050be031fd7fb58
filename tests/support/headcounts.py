"""Helpers of the headcount tests: learners in pairs of an organisation, a municipality's coordinator."""

from __future__ import annotations

import secrets
import uuid
from datetime import date

from nastavnik.domain.programmes.models import Programme
from nastavnik.domain.programmes.pairs.models import GroupMember, MentoringGroup
from nastavnik.models.identity import Identity, StaffAssignment, StaffRole
from nastavnik.models.people import Person
from nastavnik.models.reference import Municipality
from nastavnik.runtime import Runtime
from nastavnik.testing.people import ISSUER
from tests.support.region import FreshRegion

__all__ = ["add_learners_in_pairs", "coordinator_of"]


async def add_learners_in_pairs(runtime: Runtime, org_id: uuid.UUID, year: int) -> None:
    """Two learner mentees and a learner who mentors them in an active group of the year, a learner in a
    draft group (not counted) and a pedagogue mentor (not a learner): three learners in pairs."""
    async with runtime.owner_sessions() as db:
        programme = Programme(org_id=org_id, academic_year=year, regime="learners")
        db.add(programme)
        await db.flush()
        people = [
            Person(org_id=org_id, last_name=f"Ученик{i}", first_name="Имя", category=category)
            for i, category in enumerate(["learner", "learner", "learner", "learner", "pedagogue"])
        ]
        db.add_all(people)
        await db.flush()
        groups = [
            MentoringGroup(
                org_id=org_id,
                id=uuid.uuid4(),
                programme_id=programme.id,
                form_code="learner_learner",
                kind_code="group",
                starts_on=date(year, 9, 15),
                ends_on=date(year + 1, 5, 31),
                status=status,
            )
            for status in ("active", "draft", "active")
        ]
        db.add_all(groups)
        await db.flush()
        members = [
            (groups[0], people[0], "mentor"),
            (groups[0], people[1], "mentee"),
            (groups[0], people[2], "mentee"),
            (groups[1], people[3], "mentee"),
            (groups[2], people[4], "mentor"),
            (groups[2], people[1], "mentee"),
        ]
        db.add_all(
            GroupMember(org_id=org_id, group_id=g.id, person_id=p.id, role=role) for g, p, role in members
        )
        await db.commit()


async def coordinator_of(runtime: Runtime, region: FreshRegion, name: str) -> tuple[uuid.UUID, uuid.UUID]:
    """A second municipality of the region and its coordinator (identity)."""
    async with runtime.owner_sessions() as db:
        municipality = Municipality(region_id=region.id, name=name)
        coordinator = Identity(
            issuer=ISSUER, subject=f"coordinator-{secrets.token_hex(4)}", display_name="Муниц"
        )
        db.add_all([municipality, coordinator])
        await db.flush()
        db.add(
            StaffAssignment(
                identity_id=coordinator.id,
                role=StaffRole.MUNICIPALITY,
                region_id=region.id,
                municipality_id=municipality.id,
            )
        )
        await db.commit()
        return municipality.id, coordinator.id
