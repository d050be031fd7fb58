"""An association as its page and the API show it: its people, its events and who took part in them.

Reading it is recorded in the audit log; a decade's learners, named by the page, are children's personal
data, so each learner shown is recorded as a read of their data.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import audit
from nastavnik.domain.methodical.access import association_in, is_closed, is_steward, year_title
from nastavnik.domain.methodical.events import STATUS_TITLES
from nastavnik.domain.methodical.members import MemberView, member_views
from nastavnik.domain.methodical.models import Association, AssociationEvent, EventParticipant
from nastavnik.domain.methodical.participants import participants_of
from nastavnik.domain.methodical.people import people_by_id
from nastavnik.domain.methodical.topics import reads_diagnostics, suggested_topics
from nastavnik.domain.programmes.pairs.services import alphabetical
from nastavnik.models.people import Person
from nastavnik.tenancy import MANAGERS, OrgContext
from nastavnik.types import AssociationKind, AssociationShape


@dataclass(frozen=True, slots=True)
class ParticipantView:
    participant: EventParticipant
    person: Person


@dataclass(frozen=True, slots=True)
class EventView:
    event: AssociationEvent
    form_title: str
    responsible: Person | None
    participants: list[ParticipantView]

    @property
    def status_title(self) -> str:
        return STATUS_TITLES.get(self.event.status, self.event.status)

    def of_role(self, role: str) -> list[ParticipantView]:
        return [p for p in self.participants if p.participant.role == role]

    def ids_of(self, role: str, place: str | None = None) -> set[uuid.UUID]:
        return {
            p.person.id
            for p in self.participants
            if p.participant.role == role and (place is None or p.participant.place == place)
        }


@dataclass(frozen=True, slots=True)
class AssociationView:
    kind: AssociationKind
    association: Association
    leader: Person | None
    members: list[MemberView]
    events: list[EventView]
    can_manage: bool
    """The curator or the director: changes everything of it."""
    can_steward: bool
    """A manager or its leader: manages its members, events and participants."""
    closed: bool
    """Its academic year is over: nothing of it changes."""
    suggested_topics: list[str]
    reads_diagnostics: bool
    """A club whose year's diagnostics results the acting person may read (a manager, its leader)."""

    @property
    def year_title(self) -> str:
        return year_title(self.association.academic_year)

    @property
    def can_edit(self) -> bool:
        return self.can_steward and not self.closed

    def event(self, event_id: uuid.UUID) -> EventView | None:
        return next((e for e in self.events if e.event.id == event_id), None)


async def event_views(
    db: AsyncSession, ctx: OrgContext, kind: AssociationKind, events: list[AssociationEvent]
) -> list[EventView]:
    """The events with their forms' titles, responsible teachers and participants, in the given order."""
    participants = await participants_of(db, ctx, [e.id for e in events])
    people = await people_by_id(
        db, ctx, [*(p.person_id for p in participants), *(e.responsible_id for e in events)]
    )
    views = []
    for event in events:
        taking_part = [
            ParticipantView(p, people[p.person_id])
            for p in participants
            if p.event_id == event.id and p.person_id in people
        ]
        views.append(
            EventView(
                event,
                kind.event_forms.get(event.form, event.form),
                people.get(event.responsible_id) if event.responsible_id else None,
                sorted(taking_part, key=lambda v: alphabetical(v.person)),
            )
        )
    return views


async def _events(
    db: AsyncSession, ctx: OrgContext, kind: AssociationKind, association: Association
) -> list[EventView]:
    events = list(
        await db.scalars(
            select(AssociationEvent)
            .where(AssociationEvent.association_id == association.id, ctx.owns(AssociationEvent))
            .order_by(AssociationEvent.held_on, AssociationEvent.created_at, AssociationEvent.id)
        )
    )
    return await event_views(db, ctx, kind, events)


async def gathered(
    db: AsyncSession, ctx: OrgContext, kind: AssociationKind, association: Association
) -> AssociationView:
    """The association found for someone who may read it, with its people and events; nothing audited:
    its callers record the read (:func:`association_view`) or the export (``documents``) themselves."""
    leader = (
        (await people_by_id(db, ctx, [association.leader_id])).get(association.leader_id)
        if association.leader_id
        else None
    )
    # The diagnostics of young teachers' difficulties feed the club's plan only, for those who read them.
    reads = kind.shape is AssociationShape.CLUB and await reads_diagnostics(
        db, ctx, association.academic_year
    )
    return AssociationView(
        kind=kind,
        association=association,
        leader=leader,
        members=await member_views(db, ctx, kind, association),
        events=await _events(db, ctx, kind, association),
        can_manage=ctx.has_role(*MANAGERS),
        can_steward=is_steward(ctx, association),
        closed=is_closed(ctx, association.academic_year),
        suggested_topics=await suggested_topics(db, ctx, association.academic_year) if reads else [],
        reads_diagnostics=reads,
    )


async def association_view(
    db: AsyncSession, ctx: OrgContext, shape: str, association_id: uuid.UUID
) -> AssociationView:
    """The association for someone who may read it, its read (and each learner named) audited."""
    kind, association = await association_in(db, ctx, shape, association_id)
    shown = await gathered(db, ctx, kind, association)
    learners = {p.person.id for e in shown.events for p in e.of_role("learner")}
    for learner in sorted(learners):
        await audit.record_in(
            db,
            ctx,
            "read",
            audit.ObjectKind.METHODICAL_PARTICIPANTS,
            association.id,
            subject_person_id=learner,
        )
    await audit.commit_in(db, ctx, "read", audit.ObjectKind.METHODICAL_ASSOCIATION, association.id)
    return shown
