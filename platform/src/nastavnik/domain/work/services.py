"""The work of a pair or group (stage 6): the mentee's development plan and the mentor's journal.

Who may do what is decided here, on top of the group access of ``services.pairs`` (a manager
sees every group, a member only their own, and another's answers 404 like a missing one):
the group's mentors and the curator or director write the plan and the journal; a mentee sees
only their own plan (another mentee's is 404) and may tick its tasks done, never edit or delete
them; every member reads the journal. A closed programme and a group that has ended are
read-only.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import audit
from nastavnik.domain.documents.work import Progress
from nastavnik.domain.programmes.models import Programme
from nastavnik.domain.programmes.pairs.models import GroupMember, MentoringGroup
from nastavnik.domain.programmes.pairs.services import (
    MANAGERS,
    OPEN_STATUSES,
    Dictionaries,
    GroupView,
    group_for,
    views,
)
from nastavnik.domain.programmes.services import get_programme, writable
from nastavnik.domain.questionnaires.diagnostics_results import OwnDiagnostics, own_diagnostics
from nastavnik.domain.work.models import JournalEntry, PlanItem
from nastavnik.errors import Conflict, FieldError, InvalidInput, trimmed
from nastavnik.models.people import Person
from nastavnik.models.reference import AcademicYear
from nastavnik.tenancy import NIL_PERSON, Forbidden, NotFound, OrgContext
from nastavnik.types import DictionaryEntry

# The longest texts a plan item and a journal entry take (the columns' own bounds).
Shown = TypeVar("Shown")
Row = TypeVar("Row", PlanItem, JournalEntry)
LIMITS = {"goal": 500, "task": 1000, "result": 2000, "topic": 300, "content": 5000, "assignment": 2000}


def local_today(ctx: OrgContext) -> date:
    """Today in the region's time zone: a meeting held this evening in Yekaterinburg is not «future»
    although the server's clock may still be on yesterday."""
    return ctx.today()


@dataclass(frozen=True, slots=True)
class GroupWork:
    """A group as the acting person may work with it: what they are in it, what they may do."""

    programme: Programme
    view: GroupView
    person_id: uuid.UUID
    manager: bool

    @property
    def group(self) -> MentoringGroup:
        return self.view.group

    @property
    def is_mentor(self) -> bool:
        return any(p.id == self.person_id for p in self.view.mentors)

    @property
    def is_mentee(self) -> bool:
        return any(p.id == self.person_id for p in self.view.mentees)

    @property
    def can_write(self) -> bool:
        """Writes the plan and the journal: the group's mentors and the curator or director."""
        return self.manager or self.is_mentor

    @property
    def read_only(self) -> bool:
        return self.programme.status == "closed" or self.group.status not in OPEN_STATUSES

    @property
    def mentees(self) -> list[Person]:
        """Whose plans the person sees: every mentee's for a writer, a mentee only their own."""
        if self.can_write:
            return self.view.mentees
        return [p for p in self.view.mentees if p.id == self.person_id]

    def require_writer(self) -> None:
        if not self.can_write:
            raise Forbidden

    def require_open(self) -> None:
        writable(self.programme)
        if self.group.status not in OPEN_STATUSES:
            raise InvalidInput(
                "Пара завершена: её план и журнал доступны только для чтения.",
                [FieldError("status", "пара завершена")],
            )

    def mentee(self, mentee_id: uuid.UUID | None) -> Person:
        """The mentee named, or the only one the person sees; another's or a stranger is 404."""
        shown = self.mentees
        if mentee_id is None:
            if len(shown) == 1:
                return shown[0]
            raise InvalidInput(
                "Выберите наставляемого.",
                [FieldError("mentee_id", "в группе несколько наставляемых: выберите одного")],
            )
        for person in shown:
            if person.id == mentee_id:
                return person
        raise NotFound


async def group_work(
    db: AsyncSession,
    ctx: OrgContext,
    programme_id: uuid.UUID,
    group_id: uuid.UUID,
    dictionaries_of: Iterable[DictionaryEntry] = (),
) -> GroupWork:
    """The group with its people, if the person may see it (``pairs.group_for``), else NotFound."""
    programme = await get_programme(db, ctx, programme_id)
    group = await group_for(db, ctx, programme.id, group_id)
    (view,) = await views(db, ctx, Dictionaries.of(dictionaries_of, programme.regime), [group])
    return GroupWork(programme, view, ctx.person_id, ctx.has_role(*MANAGERS))


def _text(errors: list[FieldError], name: str, value: str, missing: str | None = None) -> str:
    return trimmed(errors, name, value, LIMITS[name], missing)


def _within_year(errors: list[FieldError], name: str, day: date, programme: Programme) -> None:
    starts, ends = AcademicYear.bounds(programme.academic_year)
    if not starts <= day <= ends:
        errors.append(FieldError(name, f"в пределах учебного года: {starts:%d.%m.%Y} – {ends:%d.%m.%Y}"))


# The development plan.


@dataclass(frozen=True, slots=True)
class PlanDraft:
    goal: str
    task: str
    due_on: date | None
    result: str = ""


@dataclass(frozen=True, slots=True)
class MenteePlan:
    mentee: Person
    items: list[PlanItem]
    diagnostics: OwnDiagnostics | None = None
    """What the young teacher rated hard in the diagnostics of the programme's year (for the writers)."""

    @property
    def progress(self) -> Progress:
        return Progress(sum(1 for i in self.items if i.done), len(self.items))


def _checked_plan(draft: PlanDraft, programme: Programme) -> PlanDraft:
    errors: list[FieldError] = []
    goal = _text(errors, "goal", draft.goal, "укажите цель")
    task = _text(errors, "task", draft.task, "укажите задачу")
    result = _text(errors, "result", draft.result)
    if draft.due_on is None:
        errors.append(FieldError("due_on", "укажите срок"))
    else:
        _within_year(errors, "due_on", draft.due_on, programme)
    if errors:
        raise InvalidInput("Задача плана не сохранена: исправьте ошибки.", errors)
    return PlanDraft(goal, task, draft.due_on, result)


async def plan_items(
    db: AsyncSession, ctx: OrgContext, group_id: uuid.UUID, mentee_ids: Sequence[uuid.UUID]
) -> list[PlanItem]:
    query = (
        select(PlanItem)
        .where(PlanItem.group_id == group_id, PlanItem.mentee_id.in_(mentee_ids), ctx.owns(PlanItem))
        .order_by(PlanItem.due_on, PlanItem.created_at, PlanItem.id)
    )
    return list(await db.scalars(query))


async def plans(db: AsyncSession, ctx: OrgContext, work: GroupWork) -> list[MenteePlan]:
    """The plans the person sees, each read written to the audit log under its mentee. The plan's writers
    (the group's mentors, the curator or director) also see what each young teacher rated hard in the
    year's diagnostics, so that the tasks address it; those answers' reads are audited too."""
    mentees = work.mentees
    ids = [m.id for m in mentees]
    items = await plan_items(db, ctx, work.group.id, ids)
    for mentee in mentees:
        await audit.record_in(
            db, ctx, "read", audit.ObjectKind.DEVELOPMENT_PLAN, work.group.id, subject_person_id=mentee.id
        )
    rated = await own_diagnostics(db, ctx, work.programme.academic_year, ids) if work.can_write else {}
    return [MenteePlan(m, [i for i in items if i.mentee_id == m.id], rated.get(m.id)) for m in mentees]


async def read_group(
    db: AsyncSession,
    ctx: OrgContext,
    at: tuple[uuid.UUID, uuid.UUID],
    dictionaries_of: Iterable[DictionaryEntry],
    reader: Callable[[AsyncSession, OrgContext, GroupWork], Awaitable[Shown]],
) -> tuple[GroupWork, Shown]:
    """What ``reader`` shows of the group (programme id, group id) ``at``, its reads audited and committed."""
    work = await group_work(db, ctx, *at, dictionaries_of)
    shown = await reader(db, ctx, work)
    await db.commit()
    return work, shown


async def _in_group(
    db: AsyncSession, ctx: OrgContext, work: GroupWork, model: type[Row], row_id: uuid.UUID
) -> Row:
    """The group's task or journal entry ``row_id``; NotFound for anything else."""
    return await ctx.find(db, model, row_id, model.group_id == work.group.id)


async def _plan_item(db: AsyncSession, ctx: OrgContext, work: GroupWork, item_id: uuid.UUID) -> PlanItem:
    item = await _in_group(db, ctx, work, PlanItem, item_id)
    if item.mentee_id not in {m.id for m in work.mentees}:
        raise NotFound  # another mentee's task is as unknown as a missing one
    return item


async def _to_write(
    db: AsyncSession,
    ctx: OrgContext,
    at: tuple[uuid.UUID, uuid.UUID],
    find: Callable[[AsyncSession, OrgContext, GroupWork, uuid.UUID], Awaitable[Row]],
    row_id: uuid.UUID,
    expected_version: int | None = None,
    stale: str = "",
) -> tuple[GroupWork, Row]:
    """The group (programme id, group id) ``at`` and its row ``row_id``, for one of its writers to change
    while it is open; with ``expected_version``, as they last read it (else Conflict with ``stale``)."""
    work = await group_work(db, ctx, *at)
    work.require_writer()
    row = await find(db, ctx, work, row_id)
    work.require_open()
    if expected_version is not None and row.version != expected_version:
        raise Conflict(stale, "version")
    return work, row


async def add_plan_item(
    db: AsyncSession,
    ctx: OrgContext,
    programme_id: uuid.UUID,
    group_id: uuid.UUID,
    mentee_id: uuid.UUID | None,
    draft: PlanDraft,
) -> PlanItem:
    work = await group_work(db, ctx, programme_id, group_id)
    work.require_writer()
    work.require_open()
    mentee = work.mentee(mentee_id)
    cleaned = _checked_plan(draft, work.programme)
    item = PlanItem(
        org_id=ctx.org.id,
        id=uuid.uuid4(),
        group_id=work.group.id,
        mentee_id=mentee.id,
        goal=cleaned.goal,
        task=cleaned.task,
        due_on=cleaned.due_on,
        result=cleaned.result,
        done=False,
    )
    db.add(item)
    await db.flush()
    await audit.commit_in(db, ctx, "create", audit.ObjectKind.PLAN_ITEM, item.id, subject_person_id=mentee.id)
    return item


async def update_plan_item(
    db: AsyncSession,
    ctx: OrgContext,
    programme_id: uuid.UUID,
    group_id: uuid.UUID,
    item_id: uuid.UUID,
    draft: PlanDraft,
    expected_version: int,
) -> PlanItem:
    """Edit a task; a stale edit (someone changed or ticked it meanwhile) is refused, not merged."""
    stale = "Задачу плана уже изменил другой пользователь. Обновите страницу."
    work, item = await _to_write(
        db, ctx, (programme_id, group_id), _plan_item, item_id, expected_version, stale
    )
    cleaned = _checked_plan(draft, work.programme)
    item.goal, item.task, item.result = cleaned.goal, cleaned.task, cleaned.result
    assert cleaned.due_on is not None  # checked above
    item.due_on = cleaned.due_on
    await db.flush()
    await audit.commit_in(
        db, ctx, "update", audit.ObjectKind.PLAN_ITEM, item.id, subject_person_id=item.mentee_id
    )
    return item


async def set_plan_item_done(
    db: AsyncSession,
    ctx: OrgContext,
    programme_id: uuid.UUID,
    group_id: uuid.UUID,
    item_id: uuid.UUID,
    done: bool,
) -> PlanItem:
    """Tick a task done (dated today) or take the tick back: writers, and the mentee on their own."""
    work = await group_work(db, ctx, programme_id, group_id)
    item = await _plan_item(db, ctx, work, item_id)
    if not (work.can_write or item.mentee_id == ctx.person_id):
        raise Forbidden
    work.require_open()
    if item.done != done:
        item.done = done
        item.done_on = local_today(ctx) if done else None
        await db.flush()
    await audit.commit_in(
        db,
        ctx,
        "update",
        audit.ObjectKind.PLAN_ITEM,
        item.id,
        subject_person_id=item.mentee_id,
        details={"done": done},
    )
    return item


async def delete_plan_item(
    db: AsyncSession, ctx: OrgContext, programme_id: uuid.UUID, group_id: uuid.UUID, item_id: uuid.UUID
) -> None:
    _, item = await _to_write(db, ctx, (programme_id, group_id), _plan_item, item_id)
    await db.delete(item)
    await audit.commit_in(
        db, ctx, "delete", audit.ObjectKind.PLAN_ITEM, item.id, subject_person_id=item.mentee_id
    )


# The mentor's journal.


@dataclass(frozen=True, slots=True)
class JournalDraft:
    met_on: date | None
    topic: str
    content: str = ""
    result: str = ""
    assignment: str = ""


@dataclass(frozen=True, slots=True)
class JournalView:
    entry: JournalEntry
    author: Person | None


def _checked_entry(draft: JournalDraft, programme: Programme, today: date) -> JournalDraft:
    errors: list[FieldError] = []
    topic = _text(errors, "topic", draft.topic, "укажите тему встречи")
    content = _text(errors, "content", draft.content)
    result = _text(errors, "result", draft.result)
    assignment = _text(errors, "assignment", draft.assignment)
    if draft.met_on is None:
        errors.append(FieldError("met_on", "укажите дату встречи"))
    elif draft.met_on > today:
        errors.append(FieldError("met_on", "дата встречи не может быть в будущем"))
    else:
        _within_year(errors, "met_on", draft.met_on, programme)
    if errors:
        raise InvalidInput("Запись журнала не сохранена: исправьте ошибки.", errors)
    return JournalDraft(draft.met_on, topic, content, result, assignment)


async def journal_entries(db: AsyncSession, ctx: OrgContext, group_id: uuid.UUID) -> list[JournalView]:
    """The group's meetings in the order they took place, with who wrote each down."""
    entries = list(
        await db.scalars(
            select(JournalEntry)
            .where(JournalEntry.group_id == group_id, ctx.owns(JournalEntry))
            .order_by(JournalEntry.met_on, JournalEntry.created_at, JournalEntry.id)
        )
    )
    wanted = {e.author_id for e in entries if e.author_id is not None}
    authors = {}
    if wanted:
        found = await db.scalars(select(Person).where(Person.id.in_(wanted), ctx.owns(Person)))
        authors = {p.id: p for p in found}
    return [JournalView(e, authors.get(e.author_id) if e.author_id else None) for e in entries]


async def journal(db: AsyncSession, ctx: OrgContext, work: GroupWork) -> list[JournalView]:
    """The group's journal, its read written to the audit log."""
    shown = await journal_entries(db, ctx, work.group.id)
    await audit.record_in(
        db, ctx, "read", audit.ObjectKind.MENTOR_JOURNAL, work.group.id, details={"count": len(shown)}
    )
    return shown


async def _entry(db: AsyncSession, ctx: OrgContext, work: GroupWork, entry_id: uuid.UUID) -> JournalEntry:
    return await _in_group(db, ctx, work, JournalEntry, entry_id)


async def add_journal_entry(
    db: AsyncSession, ctx: OrgContext, programme_id: uuid.UUID, group_id: uuid.UUID, draft: JournalDraft
) -> JournalEntry:
    work = await group_work(db, ctx, programme_id, group_id)
    work.require_writer()
    work.require_open()
    cleaned = _checked_entry(draft, work.programme, local_today(ctx))
    entry = JournalEntry(
        org_id=ctx.org.id,
        id=uuid.uuid4(),
        group_id=work.group.id,
        # Who wrote it down; with the service checks off (the isolation suite) there is no person.
        author_id=None if ctx.person_id == NIL_PERSON else ctx.person_id,
        met_on=cleaned.met_on,
        topic=cleaned.topic,
        content=cleaned.content,
        result=cleaned.result,
        assignment=cleaned.assignment,
    )
    db.add(entry)
    await db.flush()
    await audit.commit_in(db, ctx, "create", audit.ObjectKind.JOURNAL_ENTRY, entry.id)
    return entry


async def update_journal_entry(
    db: AsyncSession,
    ctx: OrgContext,
    programme_id: uuid.UUID,
    group_id: uuid.UUID,
    entry_id: uuid.UUID,
    draft: JournalDraft,
    expected_version: int,
) -> JournalEntry:
    stale = "Запись журнала уже изменил другой пользователь. Обновите страницу."
    work, entry = await _to_write(
        db, ctx, (programme_id, group_id), _entry, entry_id, expected_version, stale
    )
    cleaned = _checked_entry(draft, work.programme, local_today(ctx))
    assert cleaned.met_on is not None  # checked above
    entry.met_on, entry.topic, entry.content = cleaned.met_on, cleaned.topic, cleaned.content
    entry.result, entry.assignment = cleaned.result, cleaned.assignment
    await db.flush()
    await audit.commit_in(db, ctx, "update", audit.ObjectKind.JOURNAL_ENTRY, entry.id)
    return entry


async def delete_journal_entry(
    db: AsyncSession, ctx: OrgContext, programme_id: uuid.UUID, group_id: uuid.UUID, entry_id: uuid.UUID
) -> None:
    _, entry = await _to_write(db, ctx, (programme_id, group_id), _entry, entry_id)
    await db.delete(entry)
    await audit.commit_in(db, ctx, "delete", audit.ObjectKind.JOURNAL_ENTRY, entry.id)


# The group's page: its people, the plans the person sees and the journal, read in one go.


@dataclass(frozen=True, slots=True)
class GroupPage:
    work: GroupWork
    plans: list[MenteePlan]
    journal: list[JournalView]


async def group_page(
    db: AsyncSession,
    ctx: OrgContext,
    programme_id: uuid.UUID,
    group_id: uuid.UUID,
    dictionaries_of: Iterable[DictionaryEntry],
) -> GroupPage:
    work = await group_work(db, ctx, programme_id, group_id, dictionaries_of)
    shown = GroupPage(work, await plans(db, ctx, work), await journal(db, ctx, work))
    await db.commit()
    return shown


# «Моё наставничество»: the person's own groups across the organisation's programmes.


@dataclass(frozen=True, slots=True)
class MyGroup:
    programme: Programme
    view: GroupView
    as_mentor: bool
    progress: dict[uuid.UUID, Progress]
    """Plan progress of each mentee the person sees here (a mentee: only their own)."""
    meetings: int
    last_met_on: date | None


async def my_groups(
    db: AsyncSession, ctx: OrgContext, dictionaries_of: Iterable[DictionaryEntry]
) -> list[MyGroup]:
    entries = list(dictionaries_of)
    rows = list(
        await db.execute(
            select(MentoringGroup, Programme)
            .join(
                Programme,
                (Programme.org_id == MentoringGroup.org_id) & (Programme.id == MentoringGroup.programme_id),
            )
            .where(
                MentoringGroup.id.in_(
                    select(GroupMember.group_id).where(
                        GroupMember.person_id == ctx.person_id, ctx.owns(GroupMember)
                    )
                ),
                ctx.owns(MentoringGroup),
            )
            .order_by(Programme.academic_year.desc(), MentoringGroup.created_at, MentoringGroup.id)
        )
    )
    programmes = {group.id: programme for group, programme in rows}
    shown: dict[uuid.UUID, GroupView] = {}
    for regime in {programme.regime for programme in programmes.values()}:
        groups = [g for g, p in rows if p.regime == regime]
        for view in await views(db, ctx, Dictionaries.of(entries, regime), groups):
            shown[view.group.id] = view
    ids = list(programmes)
    counts = await db.execute(
        select(
            PlanItem.group_id,
            PlanItem.mentee_id,
            func.count(),
            func.count().filter(PlanItem.done),
        )
        .where(PlanItem.group_id.in_(ids), ctx.owns(PlanItem))
        .group_by(PlanItem.group_id, PlanItem.mentee_id)
    )
    progress = {(g, m): Progress(int(done), int(total)) for g, m, total, done in counts}
    meetings = {
        g: (int(n), last)
        for g, n, last in await db.execute(
            select(JournalEntry.group_id, func.count(), func.max(JournalEntry.met_on))
            .where(JournalEntry.group_id.in_(ids), ctx.owns(JournalEntry))
            .group_by(JournalEntry.group_id)
        )
    }
    result = []
    for group, _ in rows:
        view = shown[group.id]
        as_mentor = any(p.id == ctx.person_id for p in view.mentors)
        mine = view.mentees if as_mentor else [p for p in view.mentees if p.id == ctx.person_id]
        count, last = meetings.get(group.id, (0, None))
        result.append(
            MyGroup(
                programme=programmes[group.id],
                view=view,
                as_mentor=as_mentor,
                progress={m.id: progress.get((group.id, m.id), Progress(0, 0)) for m in mine},
                meetings=count,
                last_met_on=last,
            )
        )
    await audit.commit_in(db, ctx, "read", audit.ObjectKind.MY_MENTORING, details={"count": len(result)})
    return result
