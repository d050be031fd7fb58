"""Questionnaires inside an organisation: filling one's own in, and the curator's results. API and pages."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, get, post
from litestar.params import JSONBody, Parameter
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_200_OK

from nastavnik.domain.programmes.pairs.services import MANAGERS
from nastavnik.domain.questionnaires import (
    reminders,
    results as questionnaire_results,
    services as questionnaires,
)
from nastavnik.domain.questionnaires.questionnaire_templates import AUDIENCE_TITLES
from nastavnik.errors import Conflict, InvalidInput
from nastavnik.tenancy import OrgContext
from nastavnik.types import INT4_MAX, Int32
from nastavnik.web.deps import ORG_DEPENDENCIES
from nastavnik.web.forms import Form, decode_form
from nastavnik.web.params import Db, Id, Org
from nastavnik.web.rendering import Pages, Render

ANSWER_TEXT_MAX, ANSWERS_MAX, ITEM_KEY_MAX = 10_000, 200, 200
AnswerValue = Int32 | Annotated[str, msgspec.Meta(max_length=ANSWER_TEXT_MAX)]
# Litestar drops the bounds inside a union and a dict's own bounds from the document; they are stated
# here, so the document holds exactly what msgspec checks.
ANSWERS_SCHEMA = {
    # Plain JSON Schema: Litestar writes these values into the document as they are.
    "additional_properties": {
        "oneOf": [
            {"type": "integer", "minimum": -INT4_MAX - 1, "maximum": INT4_MAX},
            {"type": "string", "maxLength": ANSWER_TEXT_MAX},
        ]
    },
    "max_properties": ANSWERS_MAX,
    "property_names": {"type": "string", "maxLength": ITEM_KEY_MAX},
}
ANSWER_FIELD = "a_"
"""Page form fields are named ``a_<item key>``."""


class ItemOut(msgspec.Struct):
    key: str
    text: str
    kind: str
    min: int | None
    max: int | None
    required: bool


class AssignmentBriefOut(msgspec.Struct):
    id: uuid.UUID
    title: str
    moment: str
    moment_title: str
    version_id: uuid.UUID
    version_number: int
    assigned_at: datetime
    completed_at: datetime | None


class AssignmentOut(AssignmentBriefOut):
    items: list[ItemOut] = []
    answers: dict[str, int | str] = {}


class AnswersIn(msgspec.Struct, forbid_unknown_fields=True):
    answers: Annotated[
        dict[Annotated[str, msgspec.Meta(max_length=ITEM_KEY_MAX)], AnswerValue],
        msgspec.Meta(max_length=ANSWERS_MAX, extra_json_schema={"extra": ANSWERS_SCHEMA}),
    ]


class PersonRef(msgspec.Struct):
    id: uuid.UUID
    full_name: str


class AnswerOut(msgspec.Struct):
    key: str
    question: str
    kind: str
    score: int | None
    text: str | None


class RespondentOut(msgspec.Struct):
    assignment_id: uuid.UUID
    person: PersonRef
    role: str
    role_title: str
    moment: str
    title: str
    version_id: uuid.UUID
    version_number: int
    completed_at: datetime | None
    answers: list[AnswerOut]


class ItemSummaryOut(msgspec.Struct):
    key: str
    text: str
    respondents: int
    average: float | None
    note: str | None


class VersionSummaryOut(msgspec.Struct):
    version_id: uuid.UUID
    version_number: int
    template_code: str
    title: str
    audience: str
    moment: str
    regional: bool
    assigned: int
    respondents: int
    items: list[ItemSummaryOut]


class AssignedOut(msgspec.Struct):
    assigned: int


class RemindedOut(msgspec.Struct):
    sent: int
    """Reminders written now, one per questionnaire not answered and person."""


def brief_out(v: questionnaires.AssignmentView) -> AssignmentBriefOut:
    a = v.assignment
    return AssignmentBriefOut(
        a.id, v.title, a.moment, v.moment_title, v.version.id, v.version.number, a.assigned_at, a.completed_at
    )


def assignment_out(v: questionnaires.AssignmentView) -> AssignmentOut:
    a = v.assignment
    return AssignmentOut(
        id=a.id,
        title=v.title,
        moment=a.moment,
        moment_title=v.moment_title,
        version_id=v.version.id,
        version_number=v.version.number,
        assigned_at=a.assigned_at,
        completed_at=a.completed_at,
        items=[ItemOut(**item) for item in v.items],
        answers=v.answers,
    )


def respondent_out(r: questionnaire_results.RespondentResult) -> RespondentOut:
    v = r.view
    return RespondentOut(
        assignment_id=v.assignment.id,
        person=PersonRef(r.person.id, r.person.full_name),
        role=v.assignment.role,
        role_title=AUDIENCE_TITLES.get(v.assignment.role, v.assignment.role),
        moment=v.assignment.moment,
        title=v.title,
        version_id=v.version.id,
        version_number=v.version.number,
        completed_at=v.assignment.completed_at,
        answers=[
            AnswerOut(
                key=str(item["key"]),
                question=str(item["text"]),
                kind=str(item["kind"]),
                score=value if isinstance(value := v.answers.get(item["key"]), int) else None,
                text=value if isinstance(value, str) else None,
            )
            for item in v.items
        ],
    )


def summary_out(s: questionnaire_results.VersionSummary) -> VersionSummaryOut:
    return VersionSummaryOut(
        version_id=s.version.id,
        version_number=s.version.number,
        template_code=s.template.code,
        title=s.template.title,
        audience=s.template.audience,
        moment=s.template.moment,
        regional=s.template.region_id is not None,
        assigned=s.assigned,
        respondents=s.respondents,
        items=[ItemSummaryOut(i.key, i.text, i.respondents, i.average, i.note) for i in s.items],
    )


GROUP_PATH = "/programmes/{programme_id:uuid}/groups/{group_id:uuid}/questionnaires"
REMIND_NOTICES = {"already": reminders.ALREADY_TODAY, "nobody": reminders.NOBODY}
"""What the page says after a reminder that wrote nothing (the redirect names it)."""


class QuestionnairesApi(Controller):
    path = "/api/o/{slug:str}"
    dependencies = ORG_DEPENDENCIES
    tags = ["Анкеты"]

    @get("/questionnaires", summary="Мои анкеты: сначала незаполненные")
    async def mine(self, db: Db, org: Org) -> list[AssignmentBriefOut]:
        return [brief_out(v) for v in await questionnaires.my_questionnaires(db, org)]

    @get("/questionnaires/{assignment_id:uuid}", summary="Моя анкета: вопросы и мои ответы")
    async def show(self, db: Db, org: Org, assignment_id: Id) -> AssignmentOut:
        return assignment_out(await questionnaires.my_questionnaire(db, org, assignment_id))

    @post("/questionnaires/{assignment_id:uuid}", summary="Ответить на анкету (один раз)")
    async def answer(self, db: Db, org: Org, assignment_id: Id, data: JSONBody[AnswersIn]) -> AssignmentOut:
        shown = await questionnaires.submit(db, org, assignment_id, data.answers)
        return assignment_out(shown)

    @get("/questionnaire-results", summary="Итоги анкет организации: средние по вопросам (от 5 ответов)")
    async def results(self, db: Db, org: Org) -> list[VersionSummaryOut]:
        return [summary_out(s) for s in await questionnaire_results.organisation_results(db, org)]

    @get(GROUP_PATH, summary="Анкеты пары или группы с ответами (для куратора)")
    async def group(self, db: Db, org: Org, programme_id: Id, group_id: Id) -> list[RespondentOut]:
        shown = await questionnaire_results.group_results(db, org, programme_id, group_id)
        return [respondent_out(r) for r in shown]

    @post(GROUP_PATH + "/end", summary="Назначить итоговые анкеты паре или группе", status_code=HTTP_200_OK)
    async def assign_end(self, db: Db, org: Org, programme_id: Id, group_id: Id) -> AssignedOut:
        given = await questionnaires.assign_end_questionnaires(db, org, programme_id, group_id)
        return AssignedOut(given)

    @post(
        GROUP_PATH + "/remind",
        summary="Напомнить не ответившим участникам пары об анкетах (не чаще раза в день)",
        status_code=HTTP_200_OK,
    )
    async def remind(self, db: Db, org: Org, programme_id: Id, group_id: Id) -> RemindedOut:
        reminded = await reminders.remind_unanswered(db, org, programme_id, group_id)
        return RemindedOut(reminded.sent)


def form_answers(data: dict[str, str]) -> dict[str, str]:
    """The answers of a submitted page form (radio buttons and text areas named ``a_<key>``)."""
    return {name[len(ANSWER_FIELD) :]: value for name, value in data.items() if name.startswith(ANSWER_FIELD)}


class QuestionnairesPages(Controller):
    path = "/o/{slug:str}"
    dependencies = ORG_DEPENDENCIES
    tags = ["Страницы: анкеты"]

    @get("/questionnaires", summary="Мои анкеты")
    async def mine(
        self, render: Render, db: Db, org: Org, sent: str | None = Parameter(default=None, max_length=64)
    ) -> Template:
        shown = await questionnaires.my_questionnaires(db, org)
        return await render(
            "core/questionnaires.html",
            open=[v for v in shown if v.assignment.completed_at is None],
            done=[v for v in shown if v.assignment.completed_at is not None],
            can_manage=org.has_role(*MANAGERS),
            sent=sent is not None,
        )

    @staticmethod
    async def _form(render: Pages, org: OrgContext, assignment_id: uuid.UUID, **extra: Any) -> Template:
        shown = await questionnaires.my_questionnaire(render.db, org, assignment_id)
        return await render("core/questionnaire.html", q=shown, **extra)

    @get("/questionnaires/{assignment_id:uuid}", summary="Заполнить анкету")
    async def show(self, render: Render, org: Org, assignment_id: Id) -> Template:
        return await self._form(render, org, assignment_id)

    @post("/questionnaires/{assignment_id:uuid}", summary="Отправить анкету (форма)")
    async def answer(
        self, render: Render, db: Db, org: Org, assignment_id: Id, data: Form
    ) -> Template | Redirect:
        submitted = form_answers(data)
        try:
            await questionnaires.submit(
                db, org, assignment_id, decode_form({"answers": submitted}, AnswersIn).answers
            )
        except InvalidInput as problem:
            # The form again, with each problem beside its question and what was chosen kept.
            return await self._form(
                render,
                org,
                assignment_id,
                problem=problem.message,
                errors={e.field.removeprefix("answers."): e.message for e in problem.errors},
                submitted=submitted,
                status_code=422,
            )
        return Redirect(path=f"/o/{org.org.slug}/questionnaires?sent={assignment_id}")

    @get("/questionnaire-results", summary="Итоги анкет организации")
    async def results(self, render: Render, db: Db, org: Org) -> Template:
        summaries = await questionnaire_results.organisation_results(db, org)
        return await render(
            "core/questionnaire_results.html",
            summaries=summaries,
            min_respondents=questionnaire_results.MIN_RESPONDENTS,
            audience_titles=AUDIENCE_TITLES,
        )

    @get(GROUP_PATH, summary="Анкеты пары или группы с ответами")
    async def group(
        self,
        render: Render,
        db: Db,
        org: Org,
        programme_id: Id,
        group_id: Id,
        reminded: int | None = Parameter(default=None, ge=0, le=INT4_MAX),
        notice: str | None = Parameter(default=None, max_length=16),
    ) -> Template:
        pid = programme_id
        shown = await questionnaire_results.group_results(db, org, pid, group_id)
        return await render(
            "core/group_questionnaires.html",
            programme_id=pid,
            group_id=group_id,
            results=[respondent_out(r) for r in shown],
            reminded=reminded,
            notice=REMIND_NOTICES.get(notice or ""),
        )

    @post(GROUP_PATH + "/remind", summary="Напомнить не ответившим об анкетах (форма)")
    async def remind(self, db: Db, org: Org, programme_id: Id, group_id: Id) -> Redirect:
        page = f"/o/{org.org.slug}/programmes/{programme_id}/groups/{group_id}/questionnaires"
        try:
            reminded = await reminders.remind_unanswered(db, org, programme_id, group_id)
        except Conflict:
            return Redirect(path=f"{page}?notice=already")
        except InvalidInput:
            return Redirect(path=f"{page}?notice=nobody")
        return Redirect(path=f"{page}?reminded={reminded.sent}")

    @post(GROUP_PATH + "/end", summary="Назначить итоговые анкеты (форма)")
    async def assign_end(self, db: Db, org: Org, programme_id: Id, group_id: Id) -> Redirect:
        pid, gid = programme_id, group_id
        await questionnaires.assign_end_questionnaires(db, org, pid, gid)
        return Redirect(path=f"/o/{org.org.slug}/programmes/{pid}/groups/{gid}/questionnaires")
