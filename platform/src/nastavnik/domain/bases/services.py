"""The bases of mentees and mentors (stages 2 and 3 of a programme).

Who may take part is decided here, in one place: a mentee who left does not; a learner under 18
only with the recorded consent of a legal representative; a mentor only with their written
consent, and not from the reserve or after leaving.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from datetime import date
from typing import Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import audit
from nastavnik.db.collation import name_order
from nastavnik.domain.bases.models import MenteeProfile, MentorProfile
from nastavnik.errors import FieldError, InvalidInput
from nastavnik.models.people import Person, PersonCategory, ProgrammeRole
from nastavnik.tenancy import OrgContext

MANAGERS = (ProgrammeRole.CURATOR, ProgrammeRole.DIRECTOR)
ADULT_AGE = 18
KIND_FOR_REGIME = {"learners": "learner", "pedagogues": "young_pedagogue"}
MENTOR_LEARNER_AGES = (7, 25)
BIRTH_DATE_LEARNERS_ONLY = (
    "дату рождения указывают только для обучающегося, который наставляет сверстника: "
    "у педагога и сотрудника она не хранится"
)


@dataclass(frozen=True, slots=True)
class MenteeDraft:
    kind: str
    birth_date: date | None = None
    class_name: str | None = None
    profession_since: date | None = None
    requests: str = ""
    difficulties: str = ""
    guardian_consent_on: date | None = None
    left_on: date | None = None
    left_reason: str | None = None


@dataclass(frozen=True, slots=True)
class MentorDraft:
    competencies: str = ""
    subjects: str = ""
    experience_years: int = 0
    capacity: int = 1
    status: str = "current"
    training: str = ""
    consent_on: date | None = None
    left_on: date | None = None
    birth_date: date | None = None
    """A learner mentor's only: see :func:`validate_mentor`."""


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def mentee_participation(profile: MenteeProfile, today: date) -> str | None:
    """None if the mentee may take part, else the reason in Russian."""
    if profile.left_on is not None:
        return "выбыл(а)"
    minor = profile.birth_date is not None and age_on(profile.birth_date, today) < ADULT_AGE
    if profile.kind == "learner" and minor and profile.guardian_consent_on is None:
        return "нет согласия законного представителя"
    return None


def mentor_participation(profile: MentorProfile) -> str | None:
    if profile.left_on is not None:
        return "выбыл(а)"
    if profile.consent_on is None:
        return "нет письменного согласия наставника"
    if profile.status != "current":
        return "в резерве"
    return None


def _past(errors: list[FieldError], name: str, value: date | None, today: date) -> None:
    if value is not None and value > today:
        errors.append(FieldError(name, "дата не может быть в будущем"))


def validate_mentee(draft: MenteeDraft, today: date, category: str | None = None) -> None:
    """The entry's own rules; ``category`` (the person's) plays no part: a mentee's kind says it."""
    errors: list[FieldError] = []
    if draft.kind not in KIND_FOR_REGIME.values():
        errors.append(FieldError("kind", "обучающийся или молодой педагог"))
    if draft.kind == "learner":
        if draft.birth_date is None:
            errors.append(FieldError("birth_date", "укажите дату рождения"))
        elif not 5 <= age_on(draft.birth_date, today) <= 25:
            errors.append(FieldError("birth_date", "возраст обучающегося — от 5 до 25 лет"))
        if not (draft.class_name or "").strip():
            errors.append(FieldError("class_name", "укажите класс или группу"))
    if draft.kind == "young_pedagogue" and draft.profession_since is None:
        errors.append(FieldError("profession_since", "укажите дату начала педагогической работы"))
    for name in ("birth_date", "profession_since", "guardian_consent_on", "left_on"):
        _past(errors, name, getattr(draft, name), today)
    if (draft.left_on is None) != (draft.left_reason is None):
        errors.append(FieldError("left_reason", "укажите и дату, и причину выбытия"))
    elif draft.left_reason not in (None, "organisation", "profession"):
        errors.append(FieldError("left_reason", "из организации или из профессии"))
    if errors:
        raise InvalidInput("Данные наставляемого содержат ошибки.", errors)


def validate_mentor(draft: MentorDraft, today: date, category: str | None = None) -> None:
    """The entry's rules. A birth date is kept only for a mentor whose person ``category`` is a learner
    (a peer's mentor, counted in the federal indicator of learners aged 10–18 by it); an adult's is
    refused, not silently dropped, so that nobody believes it was stored (152-FZ: only what the purpose
    needs). The ages 7 to 25 are the mentee base's range for a learner (5 to 25) from the first class on."""
    errors: list[FieldError] = []
    if draft.birth_date is not None:
        if category != PersonCategory.LEARNER:
            errors.append(FieldError("birth_date", BIRTH_DATE_LEARNERS_ONLY))
        elif draft.birth_date > today:
            errors.append(FieldError("birth_date", "дата не может быть в будущем"))
        elif not MENTOR_LEARNER_AGES[0] <= age_on(draft.birth_date, today) <= MENTOR_LEARNER_AGES[1]:
            errors.append(FieldError("birth_date", "возраст обучающегося-наставника — от 7 до 25 лет"))
    if not 1 <= draft.capacity <= 20:
        errors.append(FieldError("capacity", "от 1 до 20 наставляемых"))
    if not 0 <= draft.experience_years <= 70:
        errors.append(FieldError("experience_years", "стаж от 0 до 70 лет"))
    if draft.status not in ("current", "reserve"):
        errors.append(FieldError("status", "действующий или резерв"))
    for name in ("consent_on", "left_on"):
        _past(errors, name, getattr(draft, name), today)
    if errors:
        raise InvalidInput("Данные наставника содержат ошибки.", errors)


def draft_values(draft: MenteeDraft | MentorDraft) -> dict[str, object]:
    values = {f.name: getattr(draft, f.name) for f in fields(draft)}
    return {k: (v.strip() if isinstance(v, str) else v) for k, v in values.items()}


Profile = TypeVar("Profile", MenteeProfile, MentorProfile)
Draft = TypeVar("Draft", MenteeDraft, MentorDraft)


@dataclass(frozen=True, slots=True)
class _Base(Generic[Profile, Draft]):
    """One of the two bases: its entries' table, their checks, who may take part, its audit kinds."""

    profile: type[Profile]
    validate: Callable[[Draft, date, str], None]
    participation: Callable[[Profile, date], str | None]
    entry_kind: audit.ObjectKind
    list_kind: audit.ObjectKind


MENTEE_ENTRIES: _Base[MenteeProfile, MenteeDraft] = _Base(
    MenteeProfile,
    validate_mentee,
    mentee_participation,
    audit.ObjectKind.MENTEE_PROFILE,
    audit.ObjectKind.MENTEE_BASE,
)
MENTOR_ENTRIES: _Base[MentorProfile, MentorDraft] = _Base(
    MentorProfile,
    validate_mentor,
    lambda profile, _: mentor_participation(profile),
    audit.ObjectKind.MENTOR_PROFILE,
    audit.ObjectKind.MENTOR_BASE,
)


async def _set_profile(
    db: AsyncSession, ctx: OrgContext, base: _Base[Profile, Draft], person_id: uuid.UUID, draft: Draft
) -> tuple[Person, Profile, str | None]:
    """Save a person's entry in the base; returns it as the base lists it."""
    ctx.require_role(*MANAGERS)
    person = await ctx.find(db, Person, person_id)
    base.validate(draft, ctx.today(), person.category)
    model, values = base.profile, draft_values(draft)
    await db.execute(
        insert(model)
        .values(org_id=ctx.org.id, person_id=person.id, **values)
        .on_conflict_do_update(index_elements=[model.org_id, model.person_id], set_=values)
    )
    await audit.commit_in(db, ctx, "update", base.entry_kind, person.id, subject_person_id=person.id)
    profile = (await db.scalars(select(model).where(model.person_id == person.id, ctx.owns(model)))).one()
    return person, profile, base.participation(profile, ctx.today())


async def set_mentee_profile(
    db: AsyncSession, ctx: OrgContext, person_id: uuid.UUID, draft: MenteeDraft
) -> tuple[Person, MenteeProfile, str | None]:
    return await _set_profile(db, ctx, MENTEE_ENTRIES, person_id, draft)


async def set_mentor_profile(
    db: AsyncSession, ctx: OrgContext, person_id: uuid.UUID, draft: MentorDraft
) -> tuple[Person, MentorProfile, str | None]:
    return await _set_profile(db, ctx, MENTOR_ENTRIES, person_id, draft)


async def _entries(
    db: AsyncSession, ctx: OrgContext, base: _Base[Profile, Draft]
) -> list[tuple[Person, Profile, str | None]]:
    """Every person in the base with their entry and, if they may not take part now, why."""
    ctx.require_role(*MANAGERS)
    model = base.profile
    rows = await db.execute(
        select(Person, model)
        .join(model, (model.org_id == Person.org_id) & (model.person_id == Person.id))
        .where(ctx.owns(Person))
        .order_by(*name_order(Person.last_name, Person.first_name))
    )
    today = ctx.today()
    result = [(person, profile, base.participation(profile, today)) for person, profile in rows]
    await audit.commit_in(db, ctx, "read", base.list_kind, details={"count": len(result)})
    return result


async def mentee_base(db: AsyncSession, ctx: OrgContext) -> list[tuple[Person, MenteeProfile, str | None]]:
    return await _entries(db, ctx, MENTEE_ENTRIES)


async def mentor_base(db: AsyncSession, ctx: OrgContext) -> list[tuple[Person, MentorProfile, str | None]]:
    return await _entries(db, ctx, MENTOR_ENTRIES)


async def able_mentees(db: AsyncSession, ctx: OrgContext, regime: str) -> int:
    """Mentees of the regime who may take part today (stage 2 of a programme)."""
    profiles = await db.scalars(
        select(MenteeProfile).where(MenteeProfile.kind == KIND_FOR_REGIME[regime], ctx.owns(MenteeProfile))
    )
    today = ctx.today()
    return sum(1 for p in profiles if mentee_participation(p, today) is None)


async def able_mentors(db: AsyncSession, ctx: OrgContext) -> int:
    profiles = await db.scalars(select(MentorProfile).where(ctx.owns(MentorProfile)))
    return sum(1 for p in profiles if mentor_participation(p) is None)


async def profiles_of(
    db: AsyncSession, ctx: OrgContext, person_id: uuid.UUID
) -> tuple[MenteeProfile | None, MentorProfile | None]:
    """The person's entries in the two bases, for their card (the card's own read is audited already)."""
    mentee = (
        await db.scalars(
            select(MenteeProfile).where(MenteeProfile.person_id == person_id, ctx.owns(MenteeProfile))
        )
    ).one_or_none()
    mentor = (
        await db.scalars(
            select(MentorProfile).where(MentorProfile.person_id == person_id, ctx.owns(MentorProfile))
        )
    ).one_or_none()
    return mentee, mentor


async def class_names(
    db: AsyncSession, ctx: OrgContext, person_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, str]:
    """The class (a college's study group) of each learner among ``person_ids`` whose entry in the base of
    mentees records one; the others are absent. The caller audits the read."""
    wanted = set(person_ids)
    if not wanted:
        return {}
    rows = await db.execute(
        select(MenteeProfile.person_id, MenteeProfile.class_name).where(
            MenteeProfile.person_id.in_(wanted),
            ctx.owns(MenteeProfile),
        )
    )
    return {person_id: class_name for person_id, class_name in rows if class_name}
