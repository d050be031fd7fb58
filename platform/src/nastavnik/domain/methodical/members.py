"""Who is in an association: a club's, the council's or a creative group's members, a decade's
responsible teachers; managed by a manager or the association's leader while its year is open.

A club is for the organisation's young teachers (a pedagogue in the base of mentees as a young teacher,
who has not left, in the profession at most the plugin's ``member_limit_years`` before the year's
1 September, or since an unknown date). The club may admit anybody else of the teachers by its own
decision: that is accepted with a warning, never refused. A learner is never in any association. A member
who is a mentee of an active or completed pair of the teachers' regime shows their mentor.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from nastavnik import audit
from nastavnik.domain.bases.models import MenteeProfile
from nastavnik.domain.methodical.access import association_to_steward
from nastavnik.domain.methodical.models import (
    Association,
    AssociationEvent,
    AssociationMember,
    EventParticipant,
)
from nastavnik.domain.methodical.people import TEACHERS, check_person, people_by_id
from nastavnik.domain.programmes.models import Programme
from nastavnik.domain.programmes.pairs.models import GroupMember, GroupStatus, MemberRole, MentoringGroup
from nastavnik.domain.programmes.pairs.services import alphabetical
from nastavnik.errors import Conflict, FieldError, InvalidInput, trimmed
from nastavnik.models.people import Person, PersonCategory
from nastavnik.tenancy import NotFound, OrgContext
from nastavnik.types import AssociationKind, AssociationShape, Regime

POSITION_MAX = 200
MENTORED = (GroupStatus.ACTIVE.value, GroupStatus.COMPLETED.value)
"""The pairs whose mentor a club member shows: working now, or completed."""


def member_role(shape: str) -> str:
    """A decade's people are its responsible teachers; every other shape has members."""
    return "responsible" if shape == AssociationShape.DECADE.value else "member"


async def young_teachers(
    db: AsyncSession, ctx: OrgContext, people: Iterable[Person], academic_year: int, limit_years: int | None
) -> set[uuid.UUID]:
    """Which of ``people`` are young teachers of the organisation in the academic year."""
    pedagogues = [p.id for p in people if p.category == PersonCategory.PEDAGOGUE.value]
    if not pedagogues:
        return set()
    query = select(MenteeProfile.person_id).where(
        MenteeProfile.person_id.in_(pedagogues),
        MenteeProfile.kind == "young_pedagogue",
        MenteeProfile.left_on.is_(None),
        ctx.owns(MenteeProfile),
    )
    if limit_years is not None:
        since = date(academic_year - limit_years, 9, 1)
        query = query.where(
            MenteeProfile.profession_since.is_(None) | (MenteeProfile.profession_since >= since)
        )
    return set(await db.scalars(query))


def admission_warning(kind: AssociationKind, person: Person, young: set[uuid.UUID]) -> str | None:
    """The club's note on a member who is not one of its young teachers (None for anyone else)."""
    if kind.shape is not AssociationShape.CLUB or person.id in young:
        return None
    return f"{person.full_name} не молодой педагог: принят решением клуба"


async def mentors_of(
    db: AsyncSession, ctx: OrgContext, person_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, list[Person]]:
    """The mentors of each person who is a mentee of an active or completed pair of the teachers' regime."""
    ids = list(person_ids)
    if not ids:
        return {}
    mentee, mentor = aliased(GroupMember), aliased(GroupMember)
    rows = await db.execute(
        select(mentee.person_id, Person)
        .join(
            MentoringGroup, (MentoringGroup.org_id == mentee.org_id) & (MentoringGroup.id == mentee.group_id)
        )
        .join(
            Programme,
            (Programme.org_id == MentoringGroup.org_id) & (Programme.id == MentoringGroup.programme_id),
        )
        .join(
            mentor,
            (mentor.org_id == mentee.org_id)
            & (mentor.group_id == mentee.group_id)
            & (mentor.role == MemberRole.MENTOR),
        )
        .join(Person, (Person.org_id == mentor.org_id) & (Person.id == mentor.person_id))
        .where(
            mentee.person_id.in_(ids),
            mentee.role == MemberRole.MENTEE,
            MentoringGroup.status.in_(MENTORED),
            Programme.regime == Regime.PEDAGOGUES.value,
            ctx.owns(mentee),
        )
        .order_by(Programme.academic_year.desc(), Person.last_name, Person.first_name)
    )
    found: dict[uuid.UUID, list[Person]] = defaultdict(list)
    for mentee_id, person in rows:
        if all(p.id != person.id for p in found[mentee_id]):
            found[mentee_id].append(person)
    return dict(found)


@dataclass(frozen=True, slots=True)
class MemberView:
    member: AssociationMember
    person: Person
    warning: str | None
    """A club's note on a member who is not its young teacher (admitted by the club's decision)."""
    mentors: list[Person]
    """The member's mentors, if they are a mentee of an active or completed pair of the teachers' regime."""


async def member_views(
    db: AsyncSession,
    ctx: OrgContext,
    kind: AssociationKind,
    association: Association,
    only: uuid.UUID | None = None,
) -> list[MemberView]:
    """The association's members (``only``: that one) with the club's notes and their mentors, by name."""
    query = (
        select(AssociationMember, Person)
        .join(
            Person, (Person.org_id == AssociationMember.org_id) & (Person.id == AssociationMember.person_id)
        )
        .where(AssociationMember.association_id == association.id, ctx.owns(AssociationMember))
    )
    if only is not None:
        query = query.where(AssociationMember.person_id == only)
    rows = [(m, p) for m, p in await db.execute(query)]
    people = [p for _, p in rows]
    young = await young_teachers(db, ctx, people, association.academic_year, kind.member_limit_years)
    mentors = await mentors_of(db, ctx, [p.id for p in people])
    shown = [MemberView(m, p, admission_warning(kind, p, young), mentors.get(p.id, [])) for m, p in rows]
    return sorted(shown, key=lambda v: alphabetical(v.person))


@dataclass(frozen=True, slots=True)
class Admitted:
    """A member just added, and what the club should know about the admission."""

    view: MemberView
    warnings: list[FieldError]


def _position(errors: list[FieldError], value: str) -> str:
    return trimmed(errors, "position", value, POSITION_MAX)


async def add_member(
    db: AsyncSession,
    ctx: OrgContext,
    shape: str,
    association_id: uuid.UUID,
    person_id: uuid.UUID,
    position: str = "",
) -> Admitted:
    """Add a person to the association (a decade: as a responsible teacher); a club warns of a member who
    is not its young teacher, and no association takes a learner."""
    kind, association = await association_to_steward(db, ctx, shape, association_id)
    errors: list[FieldError] = []
    cleaned = _position(errors, position)
    people = await people_by_id(db, ctx, [person_id])
    refused = (
        "обучающийся не может входить в состав"
        if member_role(shape) == "member"
        else "ответственным может быть только педагог"
    )
    person = check_person(errors, "person_id", people.get(person_id), TEACHERS, refused)
    if errors or person is None:
        raise InvalidInput(f"{kind.title}: человек не добавлен, исправьте ошибки.", errors)
    if await db.get(AssociationMember, (ctx.org.id, association.id, person.id)) is not None:
        raise Conflict(f"{person.full_name} уже в составе.", "person_id")
    member = AssociationMember(
        org_id=ctx.org.id,
        association_id=association.id,
        person_id=person.id,
        role=member_role(shape),
        position=cleaned,
    )
    db.add(member)
    try:
        await db.flush()
    except IntegrityError:  # added by someone else a moment ago
        await db.rollback()
        raise Conflict(f"{person.full_name} уже в составе.", "person_id") from None
    await audit.commit_in(
        db, ctx, "create", audit.ObjectKind.METHODICAL_MEMBER, association.id, subject_person_id=person.id
    )
    (view,) = await member_views(db, ctx, kind, association, person.id)
    return Admitted(view, [FieldError("person_id", view.warning)] if view.warning else [])


async def _member(
    db: AsyncSession, ctx: OrgContext, association: Association, person_id: uuid.UUID
) -> AssociationMember:
    member = await db.get(AssociationMember, (ctx.org.id, association.id, person_id))
    if member is None:
        raise NotFound
    return member


async def update_member(
    db: AsyncSession,
    ctx: OrgContext,
    shape: str,
    association_id: uuid.UUID,
    person_id: uuid.UUID,
    position: str,
) -> MemberView:
    """Change what a member does in the association (e.g. «секретарь» of the council)."""
    kind, association = await association_to_steward(db, ctx, shape, association_id)
    member = await _member(db, ctx, association, person_id)
    errors: list[FieldError] = []
    cleaned = _position(errors, position)
    if errors:
        raise InvalidInput(f"{kind.title}: изменения не сохранены, исправьте ошибки.", errors)
    member.position = cleaned
    await db.flush()
    await audit.commit_in(
        db, ctx, "update", audit.ObjectKind.METHODICAL_MEMBER, association.id, subject_person_id=person_id
    )
    (view,) = await member_views(db, ctx, kind, association, person_id)
    return view


async def remove_member(
    db: AsyncSession, ctx: OrgContext, shape: str, association_id: uuid.UUID, person_id: uuid.UUID
) -> None:
    """Take a person out of the association, and out of its meetings' attendance (kept for members only)."""
    _, association = await association_to_steward(db, ctx, shape, association_id)
    member = await _member(db, ctx, association, person_id)
    events = select(AssociationEvent.id).where(
        AssociationEvent.association_id == association.id, ctx.owns(AssociationEvent)
    )
    await db.execute(
        delete(EventParticipant).where(
            EventParticipant.event_id.in_(events),
            EventParticipant.person_id == person_id,
            EventParticipant.role == "attendee",
            ctx.owns(EventParticipant),
        )
    )
    await db.delete(member)
    await db.flush()
    await audit.commit_in(
        db, ctx, "delete", audit.ObjectKind.METHODICAL_MEMBER, association.id, subject_person_id=person_id
    )
