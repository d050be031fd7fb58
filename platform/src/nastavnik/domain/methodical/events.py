"""An association's events: a club's or the council's meetings, a decade's open lessons and olympiads,
a creative group's workshops; planned, held or cancelled, with their outcome.

Each is dated inside the association's academic year (a decade's inside the decade), takes a form the
offering plugin words, and is marked held only once its day has come (the region's local date).
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import audit
from nastavnik.domain.methodical.access import association_to_steward, year_title
from nastavnik.domain.methodical.models import Association, AssociationEvent
from nastavnik.domain.methodical.people import TEACHERS, check_person, people_by_id
from nastavnik.errors import Conflict, FieldError, InvalidInput, trimmed
from nastavnik.models.reference import AcademicYear
from nastavnik.tenancy import OrgContext
from nastavnik.types import AssociationKind

STATUS_TITLES = {"planned": "запланировано", "held": "проведено", "cancelled": "отменено"}
LIMITS = {"topic": 500, "classes": 200, "outcome": 20000}
STALE = "Мероприятие уже изменил другой пользователь. Обновите страницу и повторите."


@dataclass(frozen=True, slots=True)
class EventDraft:
    held_on: date | None
    topic: str
    form: str
    classes: str = ""
    responsible_id: uuid.UUID | None = None
    status: str = "planned"
    outcome: str = ""


def _text(errors: list[FieldError], name: str, value: str, missing: str | None = None) -> str:
    return trimmed(errors, name, value, LIMITS[name], missing)


def _date(errors: list[FieldError], association: Association, day: date | None, today: date) -> None:
    if day is None:
        errors.append(FieldError("held_on", "укажите дату"))
        return
    starts, ends = AcademicYear.bounds(association.academic_year)
    if not starts <= day <= ends:
        errors.append(
            FieldError(
                "held_on",
                f"в пределах {year_title(association.academic_year)} учебного года:"
                f" {starts:%d.%m.%Y} – {ends:%d.%m.%Y}",
            )
        )
    elif (
        association.starts_on
        and association.ends_on
        and not association.starts_on <= day <= association.ends_on
    ):
        errors.append(
            FieldError(
                "held_on",
                f"в дни декады: {association.starts_on:%d.%m.%Y} – {association.ends_on:%d.%m.%Y}",
            )
        )


async def _checked(
    db: AsyncSession, ctx: OrgContext, kind: AssociationKind, association: Association, draft: EventDraft
) -> EventDraft:
    errors: list[FieldError] = []
    today = ctx.today()
    topic = _text(errors, "topic", draft.topic, "укажите тему")
    classes = _text(errors, "classes", draft.classes)
    outcome = _text(errors, "outcome", draft.outcome)
    if draft.form not in kind.event_forms:
        offered = ", ".join(f"«{t}»" for t in kind.event_forms.values())
        errors.append(FieldError("form", f"выберите форму из списка: {offered}"))
    _date(errors, association, draft.held_on, today)
    if draft.status not in STATUS_TITLES:
        errors.append(FieldError("status", "запланировано, проведено или отменено"))
    elif draft.status == "held" and draft.held_on is not None and draft.held_on > today:
        errors.append(FieldError("status", f"мероприятие ещё не прошло: его дата {draft.held_on:%d.%m.%Y}"))
    if draft.responsible_id is not None:
        people = await people_by_id(db, ctx, [draft.responsible_id])
        check_person(
            errors,
            "responsible_id",
            people.get(draft.responsible_id),
            TEACHERS,
            "ответственным может быть только педагог",
        )
    if errors:
        raise InvalidInput("Мероприятие не сохранено: исправьте ошибки.", errors)
    return EventDraft(draft.held_on, topic, draft.form, classes, draft.responsible_id, draft.status, outcome)


async def event_of(
    db: AsyncSession, ctx: OrgContext, association: Association, event_id: uuid.UUID
) -> AssociationEvent:
    """The association's event ``event_id``; NotFound for anything else."""
    return await ctx.find(db, AssociationEvent, event_id, AssociationEvent.association_id == association.id)


async def add_event(
    db: AsyncSession, ctx: OrgContext, shape: str, association_id: uuid.UUID, draft: EventDraft
) -> AssociationEvent:
    kind, association = await association_to_steward(db, ctx, shape, association_id)
    cleaned = await _checked(db, ctx, kind, association, draft)
    event = AssociationEvent(
        org_id=ctx.org.id, id=uuid.uuid4(), association_id=association.id, **asdict(cleaned)
    )
    db.add(event)
    await db.flush()
    await audit.commit_in(db, ctx, "create", audit.ObjectKind.METHODICAL_EVENT, event.id)
    return event


async def update_event(
    db: AsyncSession,
    ctx: OrgContext,
    shape: str,
    association_id: uuid.UUID,
    event_id: uuid.UUID,
    draft: EventDraft,
    expected_version: int,
) -> AssociationEvent:
    """Change an event as last read (a stale edit is refused, not merged): plan, status, outcome."""
    kind, association = await association_to_steward(db, ctx, shape, association_id)
    event = await event_of(db, ctx, association, event_id)
    if event.version != expected_version:
        raise Conflict(STALE, "version")
    cleaned = await _checked(db, ctx, kind, association, draft)
    for name, value in asdict(cleaned).items():
        setattr(event, name, value)
    await db.flush()
    await audit.commit_in(db, ctx, "update", audit.ObjectKind.METHODICAL_EVENT, event.id)
    return event


async def delete_event(
    db: AsyncSession, ctx: OrgContext, shape: str, association_id: uuid.UUID, event_id: uuid.UUID
) -> None:
    """Delete an event with its attendance and participants."""
    _, association = await association_to_steward(db, ctx, shape, association_id)
    event = await event_of(db, ctx, association, event_id)
    await db.delete(event)
    await db.flush()
    await audit.commit_in(db, ctx, "delete", audit.ObjectKind.METHODICAL_EVENT, event.id)
