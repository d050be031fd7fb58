"""Matching suggestions for a programme, from its bases, and accepting them as pairs and groups.

The scoring and the assignment live in :mod:`nastavnik.domain.programmes.pairs.matching` (pure); this module
loads who may take part, hands them over, and turns what the curator accepts into groups. An
accepted pair is scored again here, never taken from the client, so the reasons kept with a group
are the platform's own.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import audit
from nastavnik.db.collation import name_order
from nastavnik.domain.bases.models import MenteeProfile, MentorProfile
from nastavnik.domain.bases.services import KIND_FOR_REGIME, mentee_participation
from nastavnik.domain.dictionaries.catalogue import OrgDictionaries
from nastavnik.domain.programmes.pairs import matching
from nastavnik.domain.programmes.pairs.models import MentoringGroup
from nastavnik.domain.programmes.pairs.services import (
    MANAGERS,
    Dictionaries,
    GroupDraft,
    create_groups,
    lock_for_forming,
    mentees_taken,
    mentor_load,
)
from nastavnik.domain.programmes.services import get_programme, managed_programme
from nastavnik.errors import FieldError, InvalidInput
from nastavnik.models.people import Person, PersonStatus
from nastavnik.tenancy import OrgContext

GROUP_KIND = "group"
PAIR_KIND = "traditional"


@dataclass(frozen=True, slots=True)
class Candidates:
    people: dict[uuid.UUID, Person]
    mentees: list[matching.MenteeCandidate]
    mentors: list[matching.MentorCandidate]
    forms: list[matching.FormRule]
    taken: set[uuid.UUID]  # mentees already in a group of the programme
    load: dict[uuid.UUID, int]  # mentees each mentor has over all open programmes
    capacity: dict[uuid.UUID, int]


@dataclass(frozen=True, slots=True)
class SuggestionsView:
    result: matching.MatchResult
    people: dict[uuid.UUID, Person]


async def _candidates(
    db: AsyncSession, ctx: OrgContext, programme_id: uuid.UUID, regime: str, dictionaries: Dictionaries
) -> Candidates:
    """Mentees of the regime who may take part and are in no open group; mentors with places left
    (a mentor's mentees in every open programme of the organisation count against their capacity)."""
    taken = await mentees_taken(db, ctx, programme_id)
    load = await mentor_load(db, ctx)
    today = ctx.today()
    people: dict[uuid.UUID, Person] = {}
    mentees = []
    for person, profile in await db.execute(
        select(Person, MenteeProfile)
        .join(MenteeProfile, (MenteeProfile.org_id == Person.org_id) & (MenteeProfile.person_id == Person.id))
        .where(
            Person.status == PersonStatus.ACTIVE,
            MenteeProfile.kind == KIND_FOR_REGIME[regime],
            ctx.owns(Person),
        )
        .order_by(*name_order(Person.last_name, Person.first_name), Person.id)
    ):
        if person.id in taken or mentee_participation(profile, today) is not None:
            continue
        people[person.id] = person
        mentees.append(
            matching.MenteeCandidate(
                id=person.id,
                kind=profile.kind,
                requests=profile.requests,
                difficulties=profile.difficulties,
                class_name=profile.class_name,
            )
        )
    mentors = []
    capacity: dict[uuid.UUID, int] = {}
    for person, mentor in await db.execute(
        select(Person, MentorProfile)
        .join(MentorProfile, (MentorProfile.org_id == Person.org_id) & (MentorProfile.person_id == Person.id))
        .where(Person.status == PersonStatus.ACTIVE, MentorProfile.left_on.is_(None), ctx.owns(Person))
        .order_by(*name_order(Person.last_name, Person.first_name), Person.id)
    ):
        people[person.id] = person
        capacity[person.id] = mentor.capacity
        mentors.append(
            matching.MentorCandidate(
                id=person.id,
                category=person.category,
                competencies=mentor.competencies,
                subjects=mentor.subjects,
                capacity_left=max(mentor.capacity - load.get(person.id, 0), 0),
                status=mentor.status,
                has_consent=mentor.consent_on is not None,
            )
        )
    forms = [
        matching.FormRule(code=e.code, title=e.title, regime=e.regime, mentor_categories=e.mentor_categories)
        for e in dictionaries.forms.values()
    ]
    return Candidates(people, mentees, mentors, forms, taken, load, capacity)


async def suggest(
    db: AsyncSession,
    ctx: OrgContext,
    programme_id: uuid.UUID,
    dictionaries_of: OrgDictionaries,
    exclude: Iterable[tuple[uuid.UUID, uuid.UUID]] = (),
) -> SuggestionsView:
    """The best assignment of the programme's free mentees to mentors with places, explained."""
    ctx.require_role(*MANAGERS)
    programme = await get_programme(db, ctx, programme_id)
    found = await _candidates(
        db, ctx, programme.id, programme.regime, Dictionaries.of(dictionaries_of, programme.regime)
    )
    result = matching.suggest(
        found.mentees, found.mentors, found.forms, programme.regime, exclude=set(exclude)
    )
    await audit.commit_in(
        db,
        ctx,
        "read",
        audit.ObjectKind.MATCHING,
        programme.id,
        details={"mentees": len(found.mentees), "mentors": len(found.mentors)},
    )
    return SuggestionsView(result, found.people)


@dataclass(frozen=True, slots=True)
class AcceptedPair:
    mentee_id: uuid.UUID
    mentor_id: uuid.UUID


def _reasons(accepted: Sequence[matching.Suggestion], people: dict[uuid.UUID, Person]) -> list[str]:
    """A pair keeps its reasons as they are; a group's name the mentee each reason is about."""
    if len(accepted) == 1:
        return list(accepted[0].reasons)
    return [f"{people[s.mentee_id].full_name}: {reason}" for s in accepted for reason in s.reasons]


def _why_not(found: Candidates, pair: AcceptedPair) -> str:
    """Why an accepted suggestion cannot be formed now, naming the person where it can."""
    if pair.mentee_id in found.taken:
        return "наставляемый уже в другой паре или группе этой программы"
    if pair.mentee_id not in found.people:
        return "наставляемый не может участвовать в этой программе"
    mentor = found.people.get(pair.mentor_id)
    if mentor is None:
        return "наставник не найден среди работающих в организации"
    capacity, load = found.capacity.get(pair.mentor_id, 0), found.load.get(pair.mentor_id, 0)
    if load >= capacity:
        return (
            f"у наставника {mentor.full_name} нет свободных мест: наставляемых {load}"
            f" в открытых программах организации, а можно не больше {capacity}"
        )
    return "наставник не подходит для этой пары"


async def accept(
    db: AsyncSession,
    ctx: OrgContext,
    programme_id: uuid.UUID,
    dictionaries_of: OrgDictionaries,
    pairs: Sequence[AcceptedPair],
    starts_on: date,
    ends_on: date,
) -> list[MentoringGroup]:
    """Form the accepted suggestions: a mentor with several accepted mentees gets one group, all or none."""
    programme = await managed_programme(db, ctx, programme_id)
    entries = dictionaries_of
    # Locked before the candidates are read: a concurrent acceptance is seen whole or not at all.
    await lock_for_forming(db, ctx, programme, (pair.mentor_id for pair in pairs))
    found = await _candidates(
        db, ctx, programme.id, programme.regime, Dictionaries.of(entries, programme.regime)
    )
    mentees = {m.id: m for m in found.mentees}
    mentors = {m.id: m for m in found.mentors}
    errors = []
    by_mentor: dict[tuple[uuid.UUID, str], list[matching.Suggestion]] = defaultdict(list)
    for n, pair in enumerate(pairs, start=1):
        mentee, mentor = mentees.get(pair.mentee_id), mentors.get(pair.mentor_id)
        scored = (
            matching.score_pair(mentee, mentor, found.forms, programme.regime) if mentee and mentor else None
        )
        if scored is None:
            errors.append(FieldError(f"pairs[{n}]", f"пара {n}: {_why_not(found, pair)}"))
            continue
        by_mentor[(scored.mentor_id, scored.form_code)].append(scored)
    if errors:
        raise InvalidInput("Предложения не приняты: исправьте ошибки.", errors)
    drafts = [
        GroupDraft(
            mentor_ids=[mentor_id],
            mentee_ids=[s.mentee_id for s in accepted],
            form_code=form_code,
            kind_code=GROUP_KIND if len(accepted) > 1 else PAIR_KIND,
            starts_on=starts_on,
            ends_on=ends_on,
            score=round(sum(s.score for s in accepted) / len(accepted), 1),
            reasons=_reasons(accepted, found.people),
        )
        for (mentor_id, form_code), accepted in by_mentor.items()
    ]
    return await create_groups(db, ctx, programme.id, entries, drafts)


async def choices(
    db: AsyncSession, ctx: OrgContext, programme_id: uuid.UUID
) -> tuple[list[Person], list[Person]]:
    """(mentors with places left, mentees in no open group) for forming a group by hand."""
    ctx.require_role(*MANAGERS)
    programme = await get_programme(db, ctx, programme_id)
    found = await _candidates(db, ctx, programme.id, programme.regime, Dictionaries({}, {}, {}))
    mentors = [found.people[m.id] for m in found.mentors if m.capacity_left > 0 and m.has_consent]
    mentees = [found.people[m.id] for m in found.mentees]
    return mentors, mentees
