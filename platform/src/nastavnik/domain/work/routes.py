"""The work of a pair or group: development plans and the mentor's journal, JSON API and pages."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

import msgspec
from litestar import Controller, Response, delete, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from nastavnik.domain.dictionaries.catalogue import dictionaries_for
from nastavnik.domain.people.services import parse_id
from nastavnik.domain.programmes.pairs.routes import GroupOut, PersonRef, group_out, person_ref
from nastavnik.domain.programmes.routes import DoneIn
from nastavnik.domain.work import exports as work_exports, services as work
from nastavnik.domain.work.models import JournalEntry, PlanItem
from nastavnik.errors import InvalidInput
from nastavnik.models.reference import AcademicYear
from nastavnik.runtime import Runtime
from nastavnik.tenancy import OrgContext
from nastavnik.types import Version
from nastavnik.web.deps import ORG_DEPENDENCIES
from nastavnik.web.downloads import DOCX, attachment
from nastavnik.web.forms import Form, form_date, form_int
from nastavnik.web.params import CurrentActor, Db, Org, Rt
from nastavnik.web.rendering import page

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


class MenteePlanOut(msgspec.Struct):
    mentee: PersonRef
    items: list[PlanItemOut]
    done: int
    total: int
    progress: int
    """Done of total, as a whole percentage."""


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
    return PlanItemOut(
        id=item.id,
        mentee_id=item.mentee_id,
        goal=item.goal,
        task=item.task,
        due_on=item.due_on,
        done=item.done,
        done_on=item.done_on,
        result=item.result,
        version=item.version,
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
            )
            for p in plans
        ],
    )


def entry_out(entry: JournalEntry) -> JournalEntryOut:
    return JournalEntryOut(
        id=entry.id,
        met_on=entry.met_on,
        topic=entry.topic,
        content=entry.content,
        result=entry.result,
        assignment=entry.assignment,
        author_id=entry.author_id,
        version=entry.version,
    )


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


def _optional_id(value: str | None) -> uuid.UUID | None:
    return parse_id(value) if value else None


async def _plan_document(
    db: Any, runtime: Runtime, org: OrgContext, programme_id: str, group_id: str, mentee_id: str | None
) -> Response[bytes]:
    name, content = await work_exports.plan_document(
        db,
        org,
        parse_id(programme_id),
        parse_id(group_id),
        _optional_id(mentee_id),
        await dictionaries_for(db, runtime.plugins, org),
        runtime.plugins,
    )
    return attachment(content, DOCX, name, f"development-plan-{group_id}.docx")


async def _journal_document(
    db: Any, runtime: Runtime, org: OrgContext, programme_id: str, group_id: str
) -> Response[bytes]:
    name, content = await work_exports.journal_document(
        db,
        org,
        parse_id(programme_id),
        parse_id(group_id),
        await dictionaries_for(db, runtime.plugins, org),
        runtime.plugins,
    )
    return attachment(content, DOCX, name, f"mentor-journal-{group_id}.docx")


class WorkApi(Controller):
    path = "/api/o/{slug:str}/programmes/{programme_id:str}/groups/{group_id:str}"
    dependencies = ORG_DEPENDENCIES
    tags = ["Работа пары: план развития и журнал наставника"]

    @get("/plan", summary="Индивидуальные планы развития (наставляемый видит только свой)")
    async def plan(
        self, db: Db, runtime: Rt, org: Org, programme_id: FromPath[str], group_id: FromPath[str]
    ) -> PlanOut:
        shown, plans = await work.plans(
            db,
            org,
            parse_id(programme_id),
            parse_id(group_id),
            await dictionaries_for(db, runtime.plugins, org),
        )
        return plan_out(shown, plans)

    @post("/plan", summary="Добавить задачу в план (наставник, куратор)", status_code=HTTP_201_CREATED)
    async def add_item(
        self,
        db: Db,
        org: Org,
        programme_id: FromPath[str],
        group_id: FromPath[str],
        data: JSONBody[PlanItemIn],
    ) -> PlanItemOut:
        draft = work.PlanDraft(data.goal, data.task, data.due_on, data.result)
        item = await work.add_plan_item(
            db, org, parse_id(programme_id), parse_id(group_id), data.mentee_id, draft
        )
        return item_out(item)

    @put("/plan/{plan_item_id:str}", summary="Изменить задачу плана (с номером версии)")
    async def edit_item(
        self,
        db: Db,
        org: Org,
        programme_id: FromPath[str],
        group_id: FromPath[str],
        plan_item_id: FromPath[str],
        data: JSONBody[PlanItemEditIn],
    ) -> PlanItemOut:
        draft = work.PlanDraft(data.goal, data.task, data.due_on, data.result)
        item = await work.update_plan_item(
            db, org, parse_id(programme_id), parse_id(group_id), parse_id(plan_item_id), draft, data.version
        )
        return item_out(item)

    @delete("/plan/{plan_item_id:str}", summary="Удалить задачу плана", status_code=HTTP_204_NO_CONTENT)
    async def remove_item(
        self,
        db: Db,
        org: Org,
        programme_id: FromPath[str],
        group_id: FromPath[str],
        plan_item_id: FromPath[str],
    ) -> None:
        await work.delete_plan_item(
            db, org, parse_id(programme_id), parse_id(group_id), parse_id(plan_item_id)
        )

    @put("/plan/{plan_item_id:str}/done", summary="Отметить задачу выполненной (и наставляемый — свою)")
    async def mark_done(
        self,
        db: Db,
        org: Org,
        programme_id: FromPath[str],
        group_id: FromPath[str],
        plan_item_id: FromPath[str],
        data: JSONBody[DoneIn],
    ) -> PlanItemOut:
        item = await work.set_plan_item_done(
            db, org, parse_id(programme_id), parse_id(group_id), parse_id(plan_item_id), data.done
        )
        return item_out(item)

    @get("/plan.docx", media_type=DOCX, summary="Скачать индивидуальный план развития (.docx)")
    async def plan_document(
        self,
        db: Db,
        runtime: Rt,
        org: Org,
        programme_id: FromPath[str],
        group_id: FromPath[str],
        mentee_id: FromQuery[str | None] = None,
    ) -> Response[bytes]:
        return await _plan_document(db, runtime, org, programme_id, group_id, mentee_id)

    @get("/journal", summary="Журнал наставника: встречи пары или группы")
    async def journal(
        self, db: Db, runtime: Rt, org: Org, programme_id: FromPath[str], group_id: FromPath[str]
    ) -> list[JournalEntryOut]:
        _, shown = await work.journal(
            db,
            org,
            parse_id(programme_id),
            parse_id(group_id),
            await dictionaries_for(db, runtime.plugins, org),
        )
        return [entry_out(v.entry) for v in shown]

    @post("/journal", summary="Записать встречу в журнал (наставник, куратор)", status_code=HTTP_201_CREATED)
    async def add_entry(
        self,
        db: Db,
        org: Org,
        programme_id: FromPath[str],
        group_id: FromPath[str],
        data: JSONBody[JournalEntryIn],
    ) -> JournalEntryOut:
        draft = work.JournalDraft(data.met_on, data.topic, data.content, data.result, data.assignment)
        entry = await work.add_journal_entry(db, org, parse_id(programme_id), parse_id(group_id), draft)
        return entry_out(entry)

    @put("/journal/{entry_id:str}", summary="Изменить запись журнала (с номером версии)")
    async def edit_entry(
        self,
        db: Db,
        org: Org,
        programme_id: FromPath[str],
        group_id: FromPath[str],
        entry_id: FromPath[str],
        data: JSONBody[JournalEntryEditIn],
    ) -> JournalEntryOut:
        draft = work.JournalDraft(data.met_on, data.topic, data.content, data.result, data.assignment)
        entry = await work.update_journal_entry(
            db, org, parse_id(programme_id), parse_id(group_id), parse_id(entry_id), draft, data.version
        )
        return entry_out(entry)

    @delete("/journal/{entry_id:str}", summary="Удалить запись журнала", status_code=HTTP_204_NO_CONTENT)
    async def remove_entry(
        self, db: Db, org: Org, programme_id: FromPath[str], group_id: FromPath[str], entry_id: FromPath[str]
    ) -> None:
        await work.delete_journal_entry(
            db, org, parse_id(programme_id), parse_id(group_id), parse_id(entry_id)
        )

    @get("/journal.docx", media_type=DOCX, summary="Скачать журнал наставника (.docx)")
    async def journal_document(
        self, db: Db, runtime: Rt, org: Org, programme_id: FromPath[str], group_id: FromPath[str]
    ) -> Response[bytes]:
        return await _journal_document(db, runtime, org, programme_id, group_id)


class MyApi(Controller):
    path = "/api/o/{slug:str}/my"
    dependencies = ORG_DEPENDENCIES
    tags = ["Работа пары: план развития и журнал наставника"]

    @get("/", summary="Моё наставничество: мои пары и группы во всех программах организации")
    async def index(self, db: Db, runtime: Rt, org: Org) -> list[MyGroupOut]:
        return [
            my_out(m) for m in await work.my_groups(db, org, await dictionaries_for(db, runtime.plugins, org))
        ]


def _plan_draft(data: dict[str, str]) -> work.PlanDraft:
    return work.PlanDraft(
        data.get("goal", ""), data.get("task", ""), form_date(data, "due_on"), data.get("result", "")
    )


def _journal_draft(data: dict[str, str]) -> work.JournalDraft:
    return work.JournalDraft(
        form_date(data, "met_on"),
        data.get("topic", ""),
        data.get("content", ""),
        data.get("result", ""),
        data.get("assignment", ""),
    )


def _confirmed(data: dict[str, str], what: str) -> None:
    if data.get("confirm") != "yes":
        raise InvalidInput(
            f"Подтвердите, что {what} нужно удалить.",
            [{"field": "confirm", "message": "отметьте подтверждение"}],
        )


class WorkPages(Controller):
    path = "/o/{slug:str}/programmes/{programme_id:str}/groups/{group_id:str}"
    dependencies = ORG_DEPENDENCIES
    tags = ["Страницы: работа пары"]

    @staticmethod
    def _back(org: OrgContext, programme_id: str, group_id: str, anchor: str) -> Redirect:
        return Redirect(
            path=f"/o/{org.org.slug}/programmes/{parse_id(programme_id)}/groups/{parse_id(group_id)}#{anchor}"
        )

    @get("/", summary="Пара или группа: план развития и журнал наставника")
    async def show(
        self,
        db: Db,
        runtime: Rt,
        actor: CurrentActor,
        org: Org,
        programme_id: FromPath[str],
        group_id: FromPath[str],
    ) -> Template:
        shown = await work.group_page(
            db,
            org,
            parse_id(programme_id),
            parse_id(group_id),
            await dictionaries_for(db, runtime.plugins, org),
        )
        return await page(
            "core/group.html",
            db=db,
            runtime=runtime,
            actor=actor,
            org=org,
            shown=shown,
            w=shown.work,
            today=work.local_today(org),
            bounds=AcademicYear.bounds(shown.work.programme.academic_year),
        )

    @post("/plan", summary="Добавить задачу в план (форма)")
    async def add_item(
        self, db: Db, org: Org, programme_id: FromPath[str], group_id: FromPath[str], data: Form
    ) -> Redirect:
        await work.add_plan_item(
            db,
            org,
            parse_id(programme_id),
            parse_id(group_id),
            _optional_id(data.get("mentee_id")),
            _plan_draft(data),
        )
        return self._back(org, programme_id, group_id, "plan")

    @post("/plan/{plan_item_id:str}", summary="Изменить задачу плана (форма)")
    async def edit_item(
        self,
        db: Db,
        org: Org,
        programme_id: FromPath[str],
        group_id: FromPath[str],
        plan_item_id: FromPath[str],
        data: Form,
    ) -> Redirect:
        await work.update_plan_item(
            db,
            org,
            parse_id(programme_id),
            parse_id(group_id),
            parse_id(plan_item_id),
            _plan_draft(data),
            form_int(data, "version", ge=0),
        )
        return self._back(org, programme_id, group_id, "plan")

    @post("/plan/{plan_item_id:str}/done", summary="Отметить задачу выполненной или снять отметку (форма)")
    async def mark_done(
        self,
        db: Db,
        org: Org,
        programme_id: FromPath[str],
        group_id: FromPath[str],
        plan_item_id: FromPath[str],
        data: Form,
    ) -> Redirect:
        await work.set_plan_item_done(
            db,
            org,
            parse_id(programme_id),
            parse_id(group_id),
            parse_id(plan_item_id),
            data.get("done") == "on",
        )
        return self._back(org, programme_id, group_id, "plan")

    @post("/plan/{plan_item_id:str}/delete", summary="Удалить задачу плана (форма, с подтверждением)")
    async def remove_item(
        self,
        db: Db,
        org: Org,
        programme_id: FromPath[str],
        group_id: FromPath[str],
        plan_item_id: FromPath[str],
        data: Form,
    ) -> Redirect:
        _confirmed(data, "задачу")
        await work.delete_plan_item(
            db, org, parse_id(programme_id), parse_id(group_id), parse_id(plan_item_id)
        )
        return self._back(org, programme_id, group_id, "plan")

    @get("/plan.docx", media_type=DOCX, summary="Скачать индивидуальный план развития (.docx)")
    async def plan_document(
        self,
        db: Db,
        runtime: Rt,
        org: Org,
        programme_id: FromPath[str],
        group_id: FromPath[str],
        mentee_id: FromQuery[str | None] = None,
    ) -> Response[bytes]:
        return await _plan_document(db, runtime, org, programme_id, group_id, mentee_id)

    @post("/journal", summary="Записать встречу в журнал (форма)")
    async def add_entry(
        self, db: Db, org: Org, programme_id: FromPath[str], group_id: FromPath[str], data: Form
    ) -> Redirect:
        await work.add_journal_entry(
            db, org, parse_id(programme_id), parse_id(group_id), _journal_draft(data)
        )
        return self._back(org, programme_id, group_id, "journal")

    @post("/journal/{entry_id:str}", summary="Изменить запись журнала (форма)")
    async def edit_entry(
        self,
        db: Db,
        org: Org,
        programme_id: FromPath[str],
        group_id: FromPath[str],
        entry_id: FromPath[str],
        data: Form,
    ) -> Redirect:
        await work.update_journal_entry(
            db,
            org,
            parse_id(programme_id),
            parse_id(group_id),
            parse_id(entry_id),
            _journal_draft(data),
            form_int(data, "version", ge=0),
        )
        return self._back(org, programme_id, group_id, "journal")

    @post("/journal/{entry_id:str}/delete", summary="Удалить запись журнала (форма, с подтверждением)")
    async def remove_entry(
        self,
        db: Db,
        org: Org,
        programme_id: FromPath[str],
        group_id: FromPath[str],
        entry_id: FromPath[str],
        data: Form,
    ) -> Redirect:
        _confirmed(data, "запись журнала")
        await work.delete_journal_entry(
            db, org, parse_id(programme_id), parse_id(group_id), parse_id(entry_id)
        )
        return self._back(org, programme_id, group_id, "journal")

    @get("/journal.docx", media_type=DOCX, summary="Скачать журнал наставника (.docx)")
    async def journal_document(
        self, db: Db, runtime: Rt, org: Org, programme_id: FromPath[str], group_id: FromPath[str]
    ) -> Response[bytes]:
        return await _journal_document(db, runtime, org, programme_id, group_id)


class MyPages(Controller):
    path = "/o/{slug:str}/my"
    dependencies = ORG_DEPENDENCIES
    tags = ["Страницы: работа пары"]

    @get("/", summary="Моё наставничество")
    async def index(self, db: Db, runtime: Rt, actor: CurrentActor, org: Org) -> Template:
        return await page(
            "core/my.html",
            db=db,
            runtime=runtime,
            actor=actor,
            org=org,
            groups=await work.my_groups(db, org, await dictionaries_for(db, runtime.plugins, org)),
        )
