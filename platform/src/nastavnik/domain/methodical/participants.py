"""Who took part in an event: the members who attended a meeting; a decade's observers of an open lesson
and the learners taking part, with the winners and prize-winners among them.

The whole set is given at once and replaces what was recorded, after every name has been checked: a
winner who is not among the event's learners, an attendee who is not a member, an observer of anything
but an open lesson, a learner among the teachers (or the other way round) each refuse the whole set,
and nothing is written. Attendance and places are for an event whose day has come.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import audit
from nastavnik.domain.methodical.access import association_to_steward
from nastavnik.domain.methodical.events import event_of
from nastavnik.domain.methodical.models import AssociationEvent, AssociationMember, EventParticipant
from nastavnik.domain.methodical.people import LEARNERS, TEACHERS, check_person, people_by_id
from nastavnik.errors import FieldError, InvalidInput
from nastavnik.models.people import Person
from nastavnik.tenancy import OrgContext
from nastavnik.types import AssociationShape

OPEN_LESSON = "open_lesson"
"""The decade's form whose lessons are observed (the code keeps its meaning whatever a plugin calls it)."""
PLACE_TITLES = {"winner": "победитель", "prize_winner": "призёр"}
ROLE_TITLES = {"attendee": "присутствовал(а)", "observer": "наблюдатель", "learner": "участник"}


def _unique(ids: Sequence[uuid.UUID]) -> list[uuid.UUID]:
    return list(dict.fromkeys(ids))


@dataclass(frozen=True, slots=True)
class ParticipantsDraft:
    """The event's whole set of participants by role; a decade names learners and their places."""

    attendees: Sequence[uuid.UUID] = field(default_factory=list)
    observers: Sequence[uuid.UUID] = field(default_factory=list)
    learners: Sequence[uuid.UUID] = field(default_factory=list)
    winners: Sequence[uuid.UUID] = field(default_factory=list)
    prize_winners: Sequence[uuid.UUID] = field(default_factory=list)


def _roles_of(shape: str) -> tuple[str, ...]:
    """The roles an event of the shape records: a decade's observers and learners, else attendance."""
    return ("observer", "learner") if shape == AssociationShape.DECADE.value else ("attendee",)


async def _members(db: AsyncSession, ctx: OrgContext, association_id: uuid.UUID) -> set[uuid.UUID]:
    return set(
        await db.scalars(
            select(AssociationMember.person_id).where(
                AssociationMember.association_id == association_id, ctx.owns(AssociationMember)
            )
        )
    )


def _checked_rows(
    ctx: OrgContext,
    shape: str,
    event: AssociationEvent,
    draft: ParticipantsDraft,
    people: dict[uuid.UUID, Person],
    members: set[uuid.UUID],
) -> tuple[list[EventParticipant], list[FieldError]]:
    """The rows the draft stands for, and every problem with it (by the field that names the person)."""
    errors: list[FieldError] = []
    rows: list[EventParticipant] = []
    past = event.held_on <= ctx.today()

    def add(person_id: uuid.UUID, role: str, place: str | None = None) -> None:
        rows.append(
            EventParticipant(
                org_id=ctx.org.id, event_id=event.id, person_id=person_id, role=role, place=place
            )
        )

    decade = shape == AssociationShape.DECADE.value
    for name in ("observers", "learners", "winners", "prize_winners") if not decade else ("attendees",):
        if getattr(draft, name):
            errors.append(FieldError(name, "для этого мероприятия не отмечается"))
    if not decade:
        if draft.attendees and not past:
            errors.append(
                FieldError(
                    "attendees", f"встреча ещё не прошла: посещаемость отмечается с {event.held_on:%d.%m.%Y}"
                )
            )
        for person_id in _unique(draft.attendees):
            if person_id in members:
                add(person_id, "attendee")
            else:
                name = people[person_id].full_name if person_id in people else "человек"
                errors.append(
                    FieldError("attendees", f"{name} не в составе: посещаемость отмечается только членам")
                )
        return rows, errors
    if draft.observers and event.form != OPEN_LESSON:
        errors.append(FieldError("observers", "наблюдатели отмечаются только на открытом уроке"))
    for person_id in _unique(draft.observers):
        if check_person(
            errors, "observers", people.get(person_id), TEACHERS, "наблюдает урок педагог, не обучающийся"
        ):
            add(person_id, "observer")
    learners = _unique(draft.learners)
    winners, prize_winners = set(draft.winners), set(draft.prize_winners)
    if (winners or prize_winners) and not past:
        errors.append(
            FieldError("winners", f"мероприятие ещё не прошло: итоги подводятся с {event.held_on:%d.%m.%Y}")
        )
    for name, placed in (("winners", winners), ("prize_winners", prize_winners)):
        for person_id in placed - set(learners):
            who = people[person_id].full_name if person_id in people else "человек"
            errors.append(FieldError(name, f"{who} не среди участников мероприятия"))
    for person_id in winners & prize_winners:
        who = people[person_id].full_name if person_id in people else "человек"
        errors.append(FieldError("prize_winners", f"{who} не может быть и победителем, и призёром"))
    for person_id in learners:
        if check_person(
            errors,
            "learners",
            people.get(person_id),
            LEARNERS,
            "участником мероприятия декады указывается обучающийся",
        ):
            place = (
                "winner" if person_id in winners else "prize_winner" if person_id in prize_winners else None
            )
            add(person_id, "learner", place)
    return rows, errors


async def set_participants(
    db: AsyncSession,
    ctx: OrgContext,
    shape: str,
    association_id: uuid.UUID,
    event_id: uuid.UUID,
    draft: ParticipantsDraft,
) -> AssociationEvent:
    """Record the event's participants (replacing those recorded), all checked before anything is written."""
    _, association = await association_to_steward(db, ctx, shape, association_id)
    event = await event_of(db, ctx, association, event_id)
    named = [*draft.attendees, *draft.observers, *draft.learners, *draft.winners, *draft.prize_winners]
    people = await people_by_id(db, ctx, named)
    rows, errors = _checked_rows(ctx, shape, event, draft, people, await _members(db, ctx, association.id))
    if errors:
        raise InvalidInput("Участники не сохранены: исправьте ошибки.", errors)
    await db.execute(
        delete(EventParticipant).where(
            EventParticipant.event_id == event.id,
            EventParticipant.role.in_(_roles_of(shape)),
            ctx.owns(EventParticipant),
        )
    )
    db.add_all(rows)
    await db.flush()
    counts = {role: sum(1 for r in rows if r.role == role) for role in _roles_of(shape)}
    await audit.commit_in(
        db, ctx, "update", audit.ObjectKind.METHODICAL_PARTICIPANTS, event.id, details=counts
    )
    return event


async def participants_of(
    db: AsyncSession, ctx: OrgContext, event_ids: Sequence[uuid.UUID]
) -> list[EventParticipant]:
    """The participants of the events, in one read."""
    if not event_ids:
        return []
    return list(
        await db.scalars(
            select(EventParticipant).where(
                EventParticipant.event_id.in_(event_ids), ctx.owns(EventParticipant)
            )
        )
    )
