"""The work of a pair or group: development plans and the mentor's journal, JSON API and pages."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, TypeAlias

import msgspec
from litestar import Controller, Response, delete, get, post, put
from litestar.di import NamedDependency, Provide
from litestar.params import FromQuery, JSONBody
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.domain.dictionaries.catalogue import dictionaries_for
from nastavnik.domain.programmes.pairs.routes import GroupOut, PersonRef, group_out, person_ref
from nastavnik.domain.programmes.routes import DoneIn
from nastavnik.domain.questionnaires.diagnostics_results import OwnDiagnostics
from nastavnik.domain.work import exports as work_exports, services as work
from nastavnik.domain.work.models import JournalEntry, PlanItem
from nastavnik.models.reference import AcademicYear
from nastavnik.runtime import Runtime
from nastavnik.tenancy import OrgContext
from nastavnik.types import Version
from nastavnik.web.deps import ORG_DEPENDENCIES
from nastavnik.web.downloads import DOCX, attachment
from nastavnik.web.forms import Form, confirmed, decode_form
from nastavnik.web.outputs import shown_as
from nastavnik.web.params import Db, Id, Org, Rt
from nastavnik.web.rendering import Render

# A hard cap against abuse only: the domain's limits, with their Russian messages, are the service's.
Text = Annotated[str, msgspec.Meta(max_length=20000)]


class PlanItemIn(msgspec.Struct, forbid_unknown_fields=True):
    goal: Text
    task: Text
    due_on: date
    result: Text = ""
    mentee_id: uuid.UUID | None = None
    """Whose plan; may be left out in a pair, where there is only one mentee."""


class PlanItemEditIn(msgspec.Struct, forbid_unknown_fields=True):
    version: Version
    goal: Text
    task: Text
    due_on: date
    result: Text = ""


class PlanItemOut(msgspec.Struct):
    id: uuid.UUID
    mentee_id: uuid.UUID
    goal: str
    task: str
    due_on: date
    done: bool
    done_on: date | None
    result: str
    version: int


class RatedHardOut(msgspec.Struct):
    key: str
    text: str
    score: int
    max: int


class WrittenOut(msgspec.Struct):
    question: str
    answer: str


class MenteeDiagnosticsOut(msgspec.Struct):
    """What the young teacher answered in the diagnostics of the programme's year: the areas rated hard
    (the top third of the scale, the hardest first) and what they wrote."""

    completed_at: datetime
    rated_hard: list[RatedHardOut]
    written: list[WrittenOut]


class MenteePlanOut(msgspec.Struct):
    mentee: PersonRef
    items: list[PlanItemOut]
    done: int
    total: int
    progress: int
    """Done of total, as a whole percentage."""
    diagnostics: MenteeDiagnosticsOut | None = None
    """For the plan's writers (the group's mentors, the curator or director); None: not filled in."""


class PlanOut(msgspec.Struct):
    group_id: uuid.UUID
    can_edit: bool
    read_only: bool
    plans: list[MenteePlanOut]


class JournalEntryIn(msgspec.Struct, forbid_unknown_fields=True):
    met_on: date
    topic: Text
    content: Text = ""
    result: Text = ""
    assignment: Text = ""


class JournalEntryEditIn(msgspec.Struct, forbid_unknown_fields=True):
    version: Version
    met_on: date
    topic: Text
    content: Text = ""
    result: Text = ""
    assignment: Text = ""


class JournalEntryOut(msgspec.Struct):
    id: uuid.UUID
    met_on: date
    topic: str
    content: str
    result: str
    assignment: str
    author_id: uuid.UUID | None
    """Who wrote the meeting down (empty once their person record is gone)."""
    version: int


class MenteeProgressOut(msgspec.Struct):
    mentee: PersonRef
    done: int
    total: int
    progress: int


class MyGroupOut(msgspec.Struct):
    programme_id: uuid.UUID
    academic_year: int
    role: str
    """mentor or mentee: what the person is in this group."""
    group: GroupOut
    progress: list[MenteeProgressOut]
    meetings: int
    last_met_on: date | None


def item_out(item: PlanItem) -> PlanItemOut:
    return shown_as(PlanItemOut, item)


def diagnostics_out(own: OwnDiagnostics | None) -> MenteeDiagnosticsOut | None:
    if own is None:
        return None
    return MenteeDiagnosticsOut(
        own.completed_at,
        [RatedHardOut(h.key, h.text, h.score, h.max) for h in own.hard],
        [WrittenOut(question, answer) for question, answer in own.written],
    )


def plan_out(shown: work.GroupWork, plans: list[work.MenteePlan]) -> PlanOut:
    return PlanOut(
        group_id=shown.group.id,
        can_edit=shown.can_write,
        read_only=shown.read_only,
        plans=[
            MenteePlanOut(
                mentee=person_ref(p.mentee),
                items=[item_out(i) for i in p.items],
                done=p.progress.done,
                total=p.progress.total,
                progress=p.progress.percent,
                diagnostics=diagnostics_out(p.diagnostics),
            )
            for p in plans
        ],
    )


def entry_out(entry: JournalEntry) -> JournalEntryOut:
    return shown_as(JournalEntryOut, entry)


def my_out(mine: work.MyGroup) -> MyGroupOut:
    mentees = {p.id: p for p in mine.view.mentees}
    return MyGroupOut(
        programme_id=mine.programme.id,
        academic_year=mine.programme.academic_year,
        role="mentor" if mine.as_mentor else "mentee",
        group=group_out(mine.view),
        progress=[
            MenteeProgressOut(person_ref(mentees[mid]), p.done, p.total, p.percent)
            for mid, p in mine.progress.items()
        ],
        meetings=mine.meetings,
        last_met_on=mine.last_met_on,
    )


def plan_draft(data: PlanItemIn | PlanItemEditIn) -> work.PlanDraft:
    return work.PlanDraft(data.goal, data.task, data.due_on, data.result)


def journal_draft(data: JournalEntryIn | JournalEntryEditIn) -> work.JournalDraft:
    return work.JournalDraft(data.met_on, data.topic, data.content, data.result, data.assignment)


async def _plan_document(
    db: AsyncSession, runtime: Runtime, org: OrgContext, at: GroupAt, mentee_id: uuid.UUID | None
) -> Response[bytes]:
    dictionaries = await dictionaries_for(db, runtime.plugins, org)
    name, content = await work_exports.plan_document(
        db, org, at.programme_id, at.group_id, mentee_id, dictionaries, runtime.plugins
    )
    return attachment(content, DOCX, name, f"development-plan-{at.group_id}.docx")


async def _journal_document(
    db: AsyncSession, runtime: Runtime, org: OrgContext, at: GroupAt
) -> Response[bytes]:
    dictionaries = await dictionaries_for(db, runtime.plugins, org)
    name, content = await work_exports.journal_document(
        db, org, at.programme_id, at.group_id, dictionaries, runtime.plugins
    )
    return attachment(content, DOCX, name, f"mentor-journal-{at.group_id}.docx")


@dataclass(frozen=True, slots=True)
class GroupAt:
    """The pair or group a route's path names: its programme and itself."""

    programme_id: uuid.UUID
    group_id: uuid.UUID


def provide_group(programme_id: Id, group_id: Id) -> GroupAt:
    return GroupAt(programme_id, group_id)


GROUP_DEPENDENCIES = {**ORG_DEPENDENCIES, "at": Provide(provide_group, sync_to_thread=False)}
At: TypeAlias = NamedDependency[GroupAt]
"""The pair or group of the route's path."""


class WorkApi(Controller):
    path = "/api/o/{slug:str}/programmes/{programme_id:uuid}/groups/{group_id:uuid}"
    dependencies = GROUP_DEPENDENCIES
    tags = ["Работа пары: план развития и журнал наставника"]

    @get("/plan", summary="Индивидуальные планы развития (наставляемый видит только свой)")
    async def plan(self, db: Db, runtime: Rt, org: Org, at: At) -> PlanOut:
        dictionaries = await dictionaries_for(db, runtime.plugins, org)
        shown, plans = await work.read_group(
            db, org, (at.programme_id, at.group_id), dictionaries, work.plans
        )
        return plan_out(shown, plans)

    @post("/plan", summary="Добавить задачу в план (наставник, куратор)", status_code=HTTP_201_CREATED)
    async def add_item(self, db: Db, org: Org, at: At, data: JSONBody[PlanItemIn]) -> PlanItemOut:
        draft = plan_draft(data)
        return item_out(
            await work.add_plan_item(db, org, at.programme_id, at.group_id, data.mentee_id, draft)
        )

    @put("/plan/{plan_item_id:uuid}", summary="Изменить задачу плана (с номером версии)")
    async def edit_item(
        self, db: Db, org: Org, at: At, plan_item_id: Id, data: JSONBody[PlanItemEditIn]
    ) -> PlanItemOut:
        item = await work.update_plan_item(
            db, org, at.programme_id, at.group_id, plan_item_id, plan_draft(data), data.version
        )
        return item_out(item)

    @delete("/plan/{plan_item_id:uuid}", summary="Удалить задачу плана", status_code=HTTP_204_NO_CONTENT)
    async def remove_item(self, db: Db, org: Org, at: At, plan_item_id: Id) -> None:
        await work.delete_plan_item(db, org, at.programme_id, at.group_id, plan_item_id)

    @put("/plan/{plan_item_id:uuid}/done", summary="Отметить задачу выполненной (и наставляемый — свою)")
    async def mark_done(
        self, db: Db, org: Org, at: At, plan_item_id: Id, data: JSONBody[DoneIn]
    ) -> PlanItemOut:
        item = await work.set_plan_item_done(db, org, at.programme_id, at.group_id, plan_item_id, data.done)
        return item_out(item)

    @get("/plan.docx", media_type=DOCX, summary="Скачать индивидуальный план развития (.docx)")
    async def plan_document(
        self, db: Db, runtime: Rt, org: Org, at: At, mentee_id: FromQuery[uuid.UUID | None] = None
    ) -> Response[bytes]:
        return await _plan_document(db, runtime, org, at, mentee_id)

    @get("/journal", summary="Журнал наставника: встречи пары или группы")
    async def journal(self, db: Db, runtime: Rt, org: Org, at: At) -> list[JournalEntryOut]:
        dictionaries = await dictionaries_for(db, runtime.plugins, org)
        _, shown = await work.read_group(db, org, (at.programme_id, at.group_id), dictionaries, work.journal)
        return [entry_out(v.entry) for v in shown]

    @post("/journal", summary="Записать встречу в журнал (наставник, куратор)", status_code=HTTP_201_CREATED)
    async def add_entry(self, db: Db, org: Org, at: At, data: JSONBody[JournalEntryIn]) -> JournalEntryOut:
        draft = journal_draft(data)
        return entry_out(await work.add_journal_entry(db, org, at.programme_id, at.group_id, draft))

    @put("/journal/{entry_id:uuid}", summary="Изменить запись журнала (с номером версии)")
    async def edit_entry(
        self, db: Db, org: Org, at: At, entry_id: Id, data: JSONBody[JournalEntryEditIn]
    ) -> JournalEntryOut:
        entry = await work.update_journal_entry(
            db, org, at.programme_id, at.group_id, entry_id, journal_draft(data), data.version
        )
        return entry_out(entry)

    @delete("/journal/{entry_id:uuid}", summary="Удалить запись журнала", status_code=HTTP_204_NO_CONTENT)
    async def remove_entry(self, db: Db, org: Org, at: At, entry_id: Id) -> None:
        await work.delete_journal_entry(db, org, at.programme_id, at.group_id, entry_id)

    @get("/journal.docx", media_type=DOCX, summary="Скачать журнал наставника (.docx)")
    async def journal_document(self, db: Db, runtime: Rt, org: Org, at: At) -> Response[bytes]:
        return await _journal_document(db, runtime, org, at)


class MyApi(Controller):
    path = "/api/o/{slug:str}/my"
    dependencies = ORG_DEPENDENCIES
    tags = ["Работа пары: план развития и журнал наставника"]

    @get("/", summary="Моё наставничество: мои пары и группы во всех программах организации")
    async def index(self, db: Db, runtime: Rt, org: Org) -> list[MyGroupOut]:
        return [
            my_out(m) for m in await work.my_groups(db, org, await dictionaries_for(db, runtime.plugins, org))
        ]


class WorkPages(Controller):
    path = "/o/{slug:str}/programmes/{programme_id:uuid}/groups/{group_id:uuid}"
    dependencies = GROUP_DEPENDENCIES
    tags = ["Страницы: работа пары"]

    @staticmethod
    def _back(org: OrgContext, at: At, anchor: str) -> Redirect:
        return Redirect(path=f"/o/{org.org.slug}/programmes/{at.programme_id}/groups/{at.group_id}#{anchor}")

    @get("/", summary="Пара или группа: план развития и журнал наставника")
    async def show(self, render: Render, db: Db, runtime: Rt, org: Org, at: At) -> Template:
        dictionaries = await dictionaries_for(db, runtime.plugins, org)
        shown = await work.group_page(db, org, at.programme_id, at.group_id, dictionaries)
        return await render(
            "core/group.html",
            shown=shown,
            w=shown.work,
            today=work.local_today(org),
            bounds=AcademicYear.bounds(shown.work.programme.academic_year),
        )

    @post("/plan", summary="Добавить задачу в план (форма)")
    async def add_item(self, db: Db, org: Org, at: At, data: Form) -> Redirect:
        form = decode_form(data, PlanItemIn)
        await work.add_plan_item(db, org, at.programme_id, at.group_id, form.mentee_id, plan_draft(form))
        return self._back(org, at, "plan")

    @post("/plan/{plan_item_id:uuid}", summary="Изменить задачу плана (форма)")
    async def edit_item(self, db: Db, org: Org, at: At, plan_item_id: Id, data: Form) -> Redirect:
        form = decode_form(data, PlanItemEditIn)
        await work.update_plan_item(
            db, org, at.programme_id, at.group_id, plan_item_id, plan_draft(form), form.version
        )
        return self._back(org, at, "plan")

    @post("/plan/{plan_item_id:uuid}/done", summary="Отметить задачу выполненной или снять отметку (форма)")
    async def mark_done(self, db: Db, org: Org, at: At, plan_item_id: Id, data: Form) -> Redirect:
        done = decode_form(data, DoneIn).done
        await work.set_plan_item_done(db, org, at.programme_id, at.group_id, plan_item_id, done)
        return self._back(org, at, "plan")

    @post("/plan/{plan_item_id:uuid}/delete", summary="Удалить задачу плана (форма, с подтверждением)")
    async def remove_item(self, db: Db, org: Org, at: At, plan_item_id: Id, data: Form) -> Redirect:
        confirmed(data, "Подтвердите, что задачу нужно удалить.")
        await work.delete_plan_item(db, org, at.programme_id, at.group_id, plan_item_id)
        return self._back(org, at, "plan")

    @get("/plan.docx", media_type=DOCX, summary="Скачать индивидуальный план развития (.docx)")
    async def plan_document(
        self, db: Db, runtime: Rt, org: Org, at: At, mentee_id: FromQuery[uuid.UUID | None] = None
    ) -> Response[bytes]:
        return await _plan_document(db, runtime, org, at, mentee_id)

    @post("/journal", summary="Записать встречу в журнал (форма)")
    async def add_entry(self, db: Db, org: Org, at: At, data: Form) -> Redirect:
        draft = journal_draft(decode_form(data, JournalEntryIn))
        await work.add_journal_entry(db, org, at.programme_id, at.group_id, draft)
        return self._back(org, at, "journal")

    @post("/journal/{entry_id:uuid}", summary="Изменить запись журнала (форма)")
    async def edit_entry(self, db: Db, org: Org, at: At, entry_id: Id, data: Form) -> Redirect:
        form = decode_form(data, JournalEntryEditIn)
        await work.update_journal_entry(
            db, org, at.programme_id, at.group_id, entry_id, journal_draft(form), form.version
        )
        return self._back(org, at, "journal")

    @post("/journal/{entry_id:uuid}/delete", summary="Удалить запись журнала (форма, с подтверждением)")
    async def remove_entry(self, db: Db, org: Org, at: At, entry_id: Id, data: Form) -> Redirect:
        confirmed(data, "Подтвердите, что запись журнала нужно удалить.")
        await work.delete_journal_entry(db, org, at.programme_id, at.group_id, entry_id)
        return self._back(org, at, "journal")

    @get("/journal.docx", media_type=DOCX, summary="Скачать журнал наставника (.docx)")
    async def journal_document(self, db: Db, runtime: Rt, org: Org, at: At) -> Response[bytes]:
        return await _journal_document(db, runtime, org, at)


class MyPages(Controller):
    path = "/o/{slug:str}/my"
    dependencies = ORG_DEPENDENCIES
    tags = ["Страницы: работа пары"]

    @get("/", summary="Моё наставничество")
    async def index(self, render: Render, db: Db, runtime: Rt, org: Org) -> Template:
        return await render(
            "core/my.html",
            groups=await work.my_groups(db, org, await dictionaries_for(db, runtime.plugins, org)),
        )
