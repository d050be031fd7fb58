"""The mentoring programme: its seven stages, what each still lacks, the roadmap, the founding documents.

A stage moves on only when everything it needs is there; the curator or the director moves it.
A closed programme (its academic year over) is read-only.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, fields
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import audit
from nastavnik.db.collation import name_order
from nastavnik.db.locks import lock_for_transaction
from nastavnik.domain.bases import services as bases
from nastavnik.domain.bases.models import MentorTraining
from nastavnik.domain.programmes.models import STAGES, DocumentStatus, Programme, RoadmapItem
from nastavnik.domain.programmes.pairs.models import GroupMember, GroupStatus, MemberRole, MentoringGroup
from nastavnik.domain.programmes.roadmap_defaults import default_lines
from nastavnik.errors import Conflict, FieldError, InvalidInput
from nastavnik.models.people import Person, PersonRole, ProgrammeRole
from nastavnik.models.reference import AcademicYear
from nastavnik.tenancy import OrgContext
from nastavnik.types import Regime
from nastavnik.words import plural_form

MANAGERS = (ProgrammeRole.CURATOR, ProgrammeRole.DIRECTOR)
DOCUMENTS = {"polozhenie": "Положение о наставничестве", "programma": "Программа наставничества"}


@dataclass(frozen=True, slots=True)
class StageState:
    number: int
    title: str
    state: str  # done, current, ahead
    lacks: list[str]


async def create_programme(
    db: AsyncSession, ctx: OrgContext, start_year: int, regime: str, org_regimes: set[str]
) -> Programme:
    ctx.require_role(*MANAGERS)
    if regime not in set(Regime):
        raise InvalidInput("Неизвестный режим.", [FieldError("regime", "learners или pedagogues")])
    if regime not in org_regimes:
        raise InvalidInput(
            "Этот режим наставничества не ведётся в организациях такого типа.",
            [FieldError("regime", "недоступен для организации")],
        )
    if await db.get(AcademicYear, start_year) is None:
        raise InvalidInput("Нет такого учебного года.", [FieldError("academic_year", "неизвестный год")])
    programme = Programme(org_id=ctx.org.id, academic_year=start_year, regime=regime)
    db.add(programme)
    try:
        await db.flush()
    except IntegrityError:
        await db.rollback()
        raise Conflict("Программа на этот учебный год и режим уже есть.", "academic_year") from None
    await audit.commit_in(db, ctx, "create", audit.ObjectKind.PROGRAMME, programme.id)
    return programme


async def list_programmes(db: AsyncSession, ctx: OrgContext) -> list[Programme]:
    query = (
        select(Programme)
        .where(ctx.owns(Programme))
        .order_by(Programme.academic_year.desc(), Programme.regime)
    )
    return list(await db.scalars(query))


async def get_programme(db: AsyncSession, ctx: OrgContext, programme_id: uuid.UUID) -> Programme:
    return await ctx.find(db, Programme, programme_id)


async def managed_programme(db: AsyncSession, ctx: OrgContext, programme_id: uuid.UUID) -> Programme:
    """The programme as a manager changes it: Forbidden for anyone else, refused once its year is closed."""
    ctx.require_role(*MANAGERS)
    programme = await get_programme(db, ctx, programme_id)
    writable(programme)
    return programme


def writable(programme: Programme) -> None:
    if programme.status == "closed":
        raise InvalidInput(
            "Учебный год закрыт: программа доступна только для чтения.",
            [FieldError("status", "программа закрыта")],
        )


async def roadmap(db: AsyncSession, ctx: OrgContext, programme: Programme) -> list[RoadmapItem]:
    query = (
        select(RoadmapItem)
        .where(RoadmapItem.programme_id == programme.id, ctx.owns(RoadmapItem))
        .order_by(RoadmapItem.stage, RoadmapItem.due_on, RoadmapItem.title)
    )
    return list(await db.scalars(query))


async def _role_count(db: AsyncSession, ctx: OrgContext, role: ProgrammeRole) -> int:
    count = await db.scalar(
        select(func.count()).select_from(PersonRole).where(PersonRole.role == role, ctx.owns(PersonRole))
    )
    return int(count or 0)


def _document_lacks(programme: Programme, name: str) -> list[str]:
    status = getattr(programme, f"{name}_status")
    if status != DocumentStatus.APPROVED:
        return [
            f"{DOCUMENTS[name]} не утверждено" if name == "polozhenie" else f"{DOCUMENTS[name]} не утверждена"
        ]
    if not getattr(programme, f"{name}_order_no") or not getattr(programme, f"{name}_order_date"):
        return [f"{DOCUMENTS[name]}: укажите номер и дату приказа"]
    return []


async def stage_lacks(db: AsyncSession, ctx: OrgContext, programme: Programme, stage: int) -> list[str]:
    """What stage ``stage`` still needs before the programme can move past it."""
    items = [i for i in await roadmap(db, ctx, programme) if i.stage == stage]
    lacks = [f"не выполнено мероприятие «{i.title}»" for i in items if not i.done]
    if stage == 1:
        lacks += _document_lacks(programme, "polozhenie") + _document_lacks(programme, "programma")
        if await _role_count(db, ctx, ProgrammeRole.CURATOR) == 0:
            lacks.append("не назначен куратор")
        if not await roadmap(db, ctx, programme):
            lacks.append("в дорожной карте нет ни одного мероприятия")
    elif stage == 2 and await bases.able_mentees(db, ctx, programme.regime) == 0:
        lacks.append("в базе нет ни одного наставляемого, который может участвовать")
    elif stage == 3 and await bases.able_mentors(db, ctx) == 0:
        lacks.append("в базе нет ни одного наставника с письменным согласием")
    elif stage == 4:
        untrained = len(await untrained_mentors(db, ctx, programme))
        if untrained:
            noun = plural_form(untrained, "наставник", "наставника", "наставников")
            lacks.append(f"{untrained} {noun} без обучения")
    elif stage == 5:
        counts = await _group_counts(db, ctx, programme)
        if not counts:
            lacks.append("нет ни одной наставнической пары или группы")
        elif counts.get(GroupStatus.DRAFT):
            lacks.append(f"пар и групп без приказа о формировании: {counts[GroupStatus.DRAFT]}")
    elif stage == 6:
        counts = await _group_counts(db, ctx, programme)
        worked = (GroupStatus.ACTIVE, GroupStatus.COMPLETED, GroupStatus.ENDED_EARLY)
        if not any(counts.get(status) for status in worked):
            lacks.append("нет ни одной действующей наставнической пары или группы")
    return lacks


OPEN_GROUPS = (GroupStatus.DRAFT, GroupStatus.ACTIVE)
"""A pair being formed (awaiting its order) or working: its mentors should have been trained (stage 4)."""


async def untrained_mentors(db: AsyncSession, ctx: OrgContext, programme: Programme) -> list[Person]:
    """The mentors of the programme's open pairs and groups without a single training record, by name.

    The free text of the base's old «Обучение» field does not count: it says neither hours nor dates."""
    trained = select(MentorTraining.person_id).where(ctx.owns(MentorTraining))
    in_groups = (
        select(GroupMember.person_id)
        .join(
            MentoringGroup,
            (MentoringGroup.org_id == GroupMember.org_id) & (MentoringGroup.id == GroupMember.group_id),
        )
        .where(
            MentoringGroup.programme_id == programme.id,
            MentoringGroup.status.in_(OPEN_GROUPS),
            GroupMember.role == MemberRole.MENTOR,
            ctx.owns(GroupMember),
        )
    )
    return list(
        await db.scalars(
            select(Person)
            .where(Person.id.in_(in_groups), Person.id.not_in(trained), ctx.owns(Person))
            .order_by(*name_order(Person.last_name, Person.first_name))
        )
    )


async def _group_counts(db: AsyncSession, ctx: OrgContext, programme: Programme) -> dict[str, int]:
    rows = await db.execute(
        select(MentoringGroup.status, func.count())
        .where(MentoringGroup.programme_id == programme.id, ctx.owns(MentoringGroup))
        .group_by(MentoringGroup.status)
    )
    return {status: int(count) for status, count in rows}


async def stages(db: AsyncSession, ctx: OrgContext, programme: Programme) -> list[StageState]:
    result = []
    for number, title in enumerate(STAGES, start=1):
        if number < programme.stage:
            result.append(StageState(number, title, "done", []))
        elif number == programme.stage:
            result.append(StageState(number, title, "current", await stage_lacks(db, ctx, programme, number)))
        else:
            result.append(StageState(number, title, "ahead", []))
    return result


async def programme_to_change(
    db: AsyncSession, ctx: OrgContext, programme_id: uuid.UUID, expected_version: int
) -> Programme:
    """The programme a manager changes: open, and as they last read it (else Conflict: someone changed it)."""
    programme = await managed_programme(db, ctx, programme_id)
    if programme.version != expected_version:
        raise Conflict("Программу уже изменил другой пользователь. Обновите страницу.", "version")
    return programme


async def advance(
    db: AsyncSession, ctx: OrgContext, programme_id: uuid.UUID, expected_version: int
) -> Programme:
    """Move the programme to its next stage, if the current one lacks nothing."""
    programme = await programme_to_change(db, ctx, programme_id, expected_version)
    if programme.stage >= len(STAGES):
        raise InvalidInput("Программа уже на последнем этапе.", [FieldError("stage", "последний этап")])
    lacks = await stage_lacks(db, ctx, programme, programme.stage)
    if lacks:
        raise InvalidInput(
            f"Этап «{STAGES[programme.stage - 1]}» нельзя завершить.",
            [FieldError("stage", lack) for lack in lacks],
        )
    programme.stage += 1
    await db.flush()
    await audit.commit_in(
        db, ctx, "update", audit.ObjectKind.PROGRAMME, programme.id, details={"stage": programme.stage}
    )
    return programme


@dataclass(frozen=True, slots=True)
class DocumentsDraft:
    polozhenie_status: str
    polozhenie_order_no: str | None
    polozhenie_order_date: date | None
    programma_status: str
    programma_order_no: str | None
    programma_order_date: date | None


async def record_documents(
    db: AsyncSession, ctx: OrgContext, programme_id: uuid.UUID, draft: DocumentsDraft, expected_version: int
) -> Programme:
    programme = await programme_to_change(db, ctx, programme_id, expected_version)
    errors = []
    for name in DOCUMENTS:
        status = getattr(draft, f"{name}_status")
        if status not in set(DocumentStatus):
            errors.append(FieldError(f"{name}_status", "нет, проект или утверждён(а)"))
        order_date = getattr(draft, f"{name}_order_date")
        if order_date is not None and order_date > ctx.today():
            errors.append(FieldError(f"{name}_order_date", "дата приказа не может быть в будущем"))
    if errors:
        raise InvalidInput("Документы указаны с ошибками.", errors)
    for item in fields(draft):
        value = getattr(draft, item.name)
        setattr(programme, item.name, (value.strip() or None) if isinstance(value, str) else value)
    await db.flush()
    await audit.commit_in(db, ctx, "update", audit.ObjectKind.PROGRAMME_DOCUMENTS, programme.id)
    return programme


@dataclass(frozen=True, slots=True)
class RoadmapDraft:
    stage: int
    title: str
    due_on: date
    responsible: str
    result: str


def checked_roadmap(draft: RoadmapDraft, programme: Programme) -> RoadmapDraft:
    """The draft with its texts trimmed; InvalidInput naming each field that is wrong."""
    starts_on, ends_on = AcademicYear.bounds(programme.academic_year)
    errors = []
    if not 1 <= draft.stage <= len(STAGES):
        errors.append(FieldError("stage", "этап от 1 до 7"))
    if not draft.title.strip():
        errors.append(FieldError("title", "укажите мероприятие"))
    if not draft.responsible.strip():
        errors.append(FieldError("responsible", "укажите ответственного"))
    if not starts_on <= draft.due_on <= ends_on:
        errors.append(
            FieldError("due_on", f"срок в пределах учебного года: {starts_on:%d.%m.%Y} – {ends_on:%d.%m.%Y}")
        )
    if errors:
        raise InvalidInput("Мероприятие не сохранено: исправьте ошибки.", errors)
    return RoadmapDraft(
        draft.stage, draft.title.strip(), draft.due_on, draft.responsible.strip(), draft.result.strip()
    )


def new_roadmap_item(ctx: OrgContext, programme: Programme, draft: RoadmapDraft) -> RoadmapItem:
    return RoadmapItem(
        org_id=ctx.org.id,
        id=uuid.uuid4(),
        programme_id=programme.id,
        stage=draft.stage,
        title=draft.title,
        due_on=draft.due_on,
        responsible=draft.responsible,
        result=draft.result,
    )


async def add_roadmap_item(
    db: AsyncSession, ctx: OrgContext, programme_id: uuid.UUID, draft: RoadmapDraft
) -> RoadmapItem:
    programme = await managed_programme(db, ctx, programme_id)
    item = new_roadmap_item(ctx, programme, checked_roadmap(draft, programme))
    db.add(item)
    await db.flush()
    await audit.commit_in(db, ctx, "create", audit.ObjectKind.ROADMAP_ITEM, item.id)
    return item


async def _roadmap_item(
    db: AsyncSession, ctx: OrgContext, programme_id: uuid.UUID, item_id: uuid.UUID
) -> tuple[Programme, RoadmapItem]:
    """A manager's programme, open, and its roadmap line (another programme's or organisation's: 404)."""
    programme = await managed_programme(db, ctx, programme_id)
    item = await ctx.find(db, RoadmapItem, item_id, RoadmapItem.programme_id == programme.id)
    return programme, item


async def update_roadmap_item(
    db: AsyncSession,
    ctx: OrgContext,
    programme_id: uuid.UUID,
    item_id: uuid.UUID,
    draft: RoadmapDraft,
    expected_version: int,
) -> RoadmapItem:
    """Edit a roadmap line; a stale edit (someone changed or ticked it meanwhile) is refused, not merged."""
    programme, item = await _roadmap_item(db, ctx, programme_id, item_id)
    if item.version != expected_version:
        raise Conflict("Мероприятие уже изменил другой пользователь. Обновите страницу.", "version")
    cleaned = checked_roadmap(draft, programme)
    item.stage, item.title, item.due_on = cleaned.stage, cleaned.title, cleaned.due_on
    item.responsible, item.result = cleaned.responsible, cleaned.result
    await db.flush()
    await audit.commit_in(db, ctx, "update", audit.ObjectKind.ROADMAP_ITEM, item.id)
    return item


async def delete_roadmap_item(
    db: AsyncSession, ctx: OrgContext, programme_id: uuid.UUID, item_id: uuid.UUID
) -> None:
    """Remove a roadmap line (the pages ask to confirm first; the API's DELETE is the confirmed action)."""
    _, item = await _roadmap_item(db, ctx, programme_id, item_id)
    await db.delete(item)
    await audit.commit_in(
        db, ctx, "delete", audit.ObjectKind.ROADMAP_ITEM, item.id, details={"title": item.title}
    )


@dataclass(frozen=True, slots=True)
class Filled:
    added: int
    skipped: int
    """Default lines already in the roadmap (same stage and title): not added twice."""
    regional: bool
    """Whether the lines came from the region's own default rather than the platform's."""


def _same(title: str) -> str:
    return " ".join(title.casefold().replace("ё", "е").split())


async def fill_roadmap(
    db: AsyncSession, ctx: OrgContext, programme_id: uuid.UUID, *, confirmed: bool
) -> Filled:
    """Fill the roadmap from the default of the programme's regime (the region's, else the platform's).

    An empty roadmap fills at once. One with lines needs ``confirmed``; then only the default lines it
    lacks (by stage and title) are appended: what the curator wrote, edited or marked done stays.
    """
    programme = await managed_programme(db, ctx, programme_id)
    # Two clicks at once take turns, so the second sees the first's lines and adds none twice.
    await lock_for_transaction(db, [f"roadmap-fill:{ctx.org.id}:{programme.id}"])
    present = {(i.stage, _same(i.title)) for i in await roadmap(db, ctx, programme)}
    if present and not confirmed:
        raise InvalidInput(
            "В дорожной карте уже есть мероприятия: подтвердите, что нужно добавить недостающие"
            " мероприятия типовой дорожной карты.",
            [FieldError("confirm", "отметьте подтверждение")],
        )
    lines, regional = await default_lines(db, ctx.org.region_id, programme.regime)
    fresh = [line for line in lines if (line.stage, _same(line.title)) not in present]
    db.add_all(
        new_roadmap_item(
            ctx,
            programme,
            RoadmapDraft(
                line.stage, line.title, line.due_on(programme.academic_year), line.responsible, line.result
            ),
        )
        for line in fresh
    )
    await db.flush()
    filled = Filled(len(fresh), len(lines) - len(fresh), regional)
    await audit.commit_in(
        db,
        ctx,
        "create",
        audit.ObjectKind.ROADMAP,
        programme.id,
        details={"added": filled.added, "skipped": filled.skipped, "regional": regional},
    )
    return filled


async def set_roadmap_done(
    db: AsyncSession, ctx: OrgContext, programme_id: uuid.UUID, item_id: uuid.UUID, done: bool
) -> RoadmapItem:
    _, item = await _roadmap_item(db, ctx, programme_id, item_id)
    item.done = done
    await audit.commit_in(db, ctx, "update", audit.ObjectKind.ROADMAP_ITEM, item.id)
    return item
