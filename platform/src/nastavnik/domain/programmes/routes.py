"""The mentoring programme: JSON API and pages inside one organisation."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

import msgspec
from litestar import Controller, Response, delete, get, post, put
from litestar.params import JSONBody
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.domain.programmes import completion, roadmap_export, services as programmes
from nastavnik.domain.programmes.models import STAGES, Programme, RoadmapItem
from nastavnik.domain.programmes.pairs import services as pairs
from nastavnik.domain.programmes.pairs.models import GroupStatus
from nastavnik.models.reference import current_start_year
from nastavnik.runtime import Runtime
from nastavnik.tenancy import OrgContext
from nastavnik.types import AcademicYearStart, Stage, Version
from nastavnik.web.deps import ORG_DEPENDENCIES
from nastavnik.web.downloads import DOCX, attachment
from nastavnik.web.forms import Form, confirmed, decode_form
from nastavnik.web.outputs import shown_as
from nastavnik.web.params import Db, Id, Org, Rt
from nastavnik.web.rendering import Render

REGIME_TITLES = {"learners": "наставничество обучающихся", "pedagogues": "наставничество педагогов"}
# The status word agrees with its document: «Положение … утверждено», «Программа … утверждена».
DOCUMENT_STATUS_TITLES = {
    "polozhenie": {"absent": "нет", "draft": "проект", "approved": "утверждено"},
    "programma": {"absent": "нет", "draft": "проект", "approved": "утверждена"},
}


class ProgrammeIn(msgspec.Struct, forbid_unknown_fields=True):
    academic_year: AcademicYearStart
    regime: str


class ProgrammeOut(msgspec.Struct):
    id: uuid.UUID
    academic_year: int
    regime: str
    status: str
    stage: int
    stage_title: str
    version: int
    polozhenie_status: str
    polozhenie_order_no: str | None
    polozhenie_order_date: date | None
    programma_status: str
    programma_order_no: str | None
    programma_order_date: date | None


class StageOut(msgspec.Struct):
    number: int
    title: str
    state: str
    lacks: list[str]


class RoadmapItemOut(msgspec.Struct):
    id: uuid.UUID
    stage: int
    title: str
    due_on: date
    responsible: str
    result: str
    done: bool
    version: int


class UntrainedMentorOut(msgspec.Struct):
    person_id: uuid.UUID
    full_name: str


class ProgrammeDetailOut(msgspec.Struct):
    programme: ProgrammeOut
    stages: list[StageOut]
    roadmap: list[RoadmapItemOut]
    closing_lacks: list[str]
    """What still stands between the programme and its closing (empty when it may close)."""
    untrained_mentors: list[UntrainedMentorOut] = []
    """Stage 4: the mentors of the programme's open pairs and groups without a training record (their
    trainings are added at /api/o/{slug}/people/{person_id}/trainings); given to the curator and the
    director only."""


class DocumentsIn(msgspec.Struct, forbid_unknown_fields=True):
    version: Version
    polozhenie_status: str
    programma_status: str
    polozhenie_order_no: Annotated[str, msgspec.Meta(max_length=50)] | None = None
    polozhenie_order_date: date | None = None
    programma_order_no: Annotated[str, msgspec.Meta(max_length=50)] | None = None
    programma_order_date: date | None = None


class AdvanceIn(msgspec.Struct, forbid_unknown_fields=True):
    version: Version


class RoadmapIn(msgspec.Struct, forbid_unknown_fields=True):
    stage: Stage
    title: Annotated[str, msgspec.Meta(max_length=500)]
    due_on: date
    responsible: Annotated[str, msgspec.Meta(max_length=200)]
    result: Annotated[str, msgspec.Meta(max_length=500)] = ""


class RoadmapEditIn(msgspec.Struct, forbid_unknown_fields=True):
    version: Version
    stage: Stage
    title: Annotated[str, msgspec.Meta(max_length=500)]
    due_on: date
    responsible: Annotated[str, msgspec.Meta(max_length=200)]
    result: Annotated[str, msgspec.Meta(max_length=500)] = ""


class DoneIn(msgspec.Struct, forbid_unknown_fields=True):
    done: bool


class FillIn(msgspec.Struct, forbid_unknown_fields=True):
    confirm: bool = False
    """Needed when the roadmap has lines already: the default's missing lines are then appended."""


class FilledOut(msgspec.Struct):
    added: int
    skipped: int
    """Default lines the roadmap already had (same stage and title), not added twice."""
    regional: bool
    """True: the region's own default roadmap; false: the platform's."""


def programme_out(p: Programme) -> ProgrammeOut:
    return shown_as(ProgrammeOut, p, stage_title=STAGES[p.stage - 1])


def item_out(i: RoadmapItem) -> RoadmapItemOut:
    return shown_as(RoadmapItemOut, i)


def org_regimes(runtime: Runtime, org: OrgContext) -> set[str]:
    org_type = runtime.plugins.organisation_types().get(org.org.type)
    return {r.value for r in org_type.regimes} if org_type else set()


async def detail(db: Any, org: OrgContext, programme_id: uuid.UUID) -> ProgrammeDetailOut:
    programme = await programmes.get_programme(db, org, programme_id)
    return ProgrammeDetailOut(
        programme=programme_out(programme),
        stages=[
            StageOut(s.number, s.title, s.state, s.lacks) for s in await programmes.stages(db, org, programme)
        ],
        roadmap=[item_out(i) for i in await programmes.roadmap(db, org, programme)],
        closing_lacks=await completion.closing_lacks(db, org, programme)
        if programme.status == "open"
        else [],
        untrained_mentors=[
            UntrainedMentorOut(p.id, p.full_name)
            for p in await programmes.untrained_mentors(db, org, programme)
        ]
        if org.has_role(*programmes.MANAGERS)
        else [],
    )


async def create_programme(
    db: AsyncSession, runtime: Runtime, org: OrgContext, data: ProgrammeIn
) -> Programme:
    return await programmes.create_programme(
        db, org, data.academic_year, data.regime, org_regimes(runtime, org)
    )


async def record_documents(
    db: AsyncSession, org: OrgContext, programme_id: uuid.UUID, data: DocumentsIn
) -> Programme:
    draft = programmes.DocumentsDraft(
        data.polozhenie_status,
        data.polozhenie_order_no,
        data.polozhenie_order_date,
        data.programma_status,
        data.programma_order_no,
        data.programma_order_date,
    )
    return await programmes.record_documents(db, org, programme_id, draft, data.version)


def roadmap_draft(data: RoadmapIn | RoadmapEditIn) -> programmes.RoadmapDraft:
    return programmes.RoadmapDraft(data.stage, data.title, data.due_on, data.responsible, data.result)


ROADMAP_DOCX = "Скачать дорожную карту внедрения целевой модели наставничества (.docx)"


async def _roadmap_document(db: Db, runtime: Rt, org: Org, programme_id: uuid.UUID) -> Response[bytes]:
    name, content = await roadmap_export.roadmap_document(db, org, programme_id, runtime.plugins)
    return attachment(content, DOCX, name, f"roadmap-{programme_id}.docx")


async def edit_item(
    db: AsyncSession, org: OrgContext, programme_id: uuid.UUID, item_id: uuid.UUID, data: RoadmapEditIn
) -> RoadmapItem:
    return await programmes.update_roadmap_item(
        db, org, programme_id, item_id, roadmap_draft(data), data.version
    )


class ProgrammeApi(Controller):
    path = "/api/o/{slug:str}/programmes"
    dependencies = ORG_DEPENDENCIES
    tags = ["Программа наставничества"]

    @get("/", summary="Программы наставничества организации")
    async def index(self, db: Db, org: Org) -> list[ProgrammeOut]:
        return [programme_out(p) for p in await programmes.list_programmes(db, org)]

    @post("/", summary="Открыть программу на учебный год", status_code=HTTP_201_CREATED)
    async def create(self, db: Db, org: Org, runtime: Rt, data: JSONBody[ProgrammeIn]) -> ProgrammeOut:
        return programme_out(await create_programme(db, runtime, org, data))

    @get("/{programme_id:uuid}", summary="Программа: этапы, чего не хватает, дорожная карта")
    async def show(self, db: Db, org: Org, programme_id: Id) -> ProgrammeDetailOut:
        return await detail(db, org, programme_id)

    @put("/{programme_id:uuid}/documents", summary="Положение и Программа: статус, номер и дата приказа")
    async def documents(
        self, db: Db, org: Org, programme_id: Id, data: JSONBody[DocumentsIn]
    ) -> ProgrammeOut:
        return programme_out(await record_documents(db, org, programme_id, data))

    @post("/{programme_id:uuid}/advance", summary="Перейти к следующему этапу", status_code=HTTP_200_OK)
    async def advance(self, db: Db, org: Org, programme_id: Id, data: JSONBody[AdvanceIn]) -> ProgrammeOut:
        return programme_out(await programmes.advance(db, org, programme_id, data.version))

    @post(
        "/{programme_id:uuid}/close",
        summary="Закрыть программу: учебный год только для чтения",
        status_code=HTTP_200_OK,
    )
    async def close(self, db: Db, org: Org, programme_id: Id, data: JSONBody[AdvanceIn]) -> ProgrammeOut:
        return programme_out(await completion.close_programme(db, org, programme_id, data.version))

    @post(
        "/{programme_id:uuid}/next-year",
        summary="Открыть программу следующего учебного года",
        status_code=HTTP_201_CREATED,
    )
    async def next_year(self, db: Db, org: Org, programme_id: Id) -> ProgrammeOut:
        return programme_out(await completion.start_next_year(db, org, programme_id))

    @post(
        "/{programme_id:uuid}/roadmap",
        summary="Добавить мероприятие в дорожную карту",
        status_code=HTTP_201_CREATED,
    )
    async def add_item(self, db: Db, org: Org, programme_id: Id, data: JSONBody[RoadmapIn]) -> RoadmapItemOut:
        return item_out(await programmes.add_roadmap_item(db, org, programme_id, roadmap_draft(data)))

    @put("/{programme_id:uuid}/roadmap/{item_id:uuid}/done", summary="Отметить выполнение мероприятия")
    async def mark_done(
        self, db: Db, org: Org, programme_id: Id, item_id: Id, data: JSONBody[DoneIn]
    ) -> RoadmapItemOut:
        item = await programmes.set_roadmap_done(db, org, programme_id, item_id, data.done)
        return item_out(item)

    @put("/{programme_id:uuid}/roadmap/{item_id:uuid}", summary="Изменить мероприятие (с номером версии)")
    async def edit_item(
        self, db: Db, org: Org, programme_id: Id, item_id: Id, data: JSONBody[RoadmapEditIn]
    ) -> RoadmapItemOut:
        return item_out(await edit_item(db, org, programme_id, item_id, data))

    @delete(
        "/{programme_id:uuid}/roadmap/{item_id:uuid}",
        summary="Удалить мероприятие из дорожной карты",
        status_code=HTTP_204_NO_CONTENT,
    )
    async def remove_item(self, db: Db, org: Org, programme_id: Id, item_id: Id) -> None:
        await programmes.delete_roadmap_item(db, org, programme_id, item_id)

    @post(
        "/{programme_id:uuid}/roadmap/default",
        summary="Заполнить дорожную карту типовой (региона или платформы); непустую — с подтверждением",
        status_code=HTTP_200_OK,
    )
    async def fill_roadmap(self, db: Db, org: Org, programme_id: Id, data: JSONBody[FillIn]) -> FilledOut:
        filled = await programmes.fill_roadmap(db, org, programme_id, confirmed=data.confirm)
        return FilledOut(filled.added, filled.skipped, filled.regional)

    @get("/{programme_id:uuid}/roadmap.docx", media_type=DOCX, summary=ROADMAP_DOCX)
    async def roadmap_document(self, db: Db, runtime: Rt, org: Org, programme_id: Id) -> Response[bytes]:
        return await _roadmap_document(db, runtime, org, programme_id)


class ProgrammePages(Controller):
    path = "/o/{slug:str}/programmes"
    dependencies = ORG_DEPENDENCIES
    tags = ["Страницы: программа наставничества"]

    @get("/", summary="Программы наставничества")
    async def index(self, render: Render, db: Db, runtime: Rt, org: Org) -> Template:
        return await render(
            "core/programmes.html",
            programmes=await programmes.list_programmes(db, org),
            stages=STAGES,
            regimes=REGIME_TITLES,
            available=sorted(org_regimes(runtime, org)),
            year=current_start_year(org.org.timezone),
            can_manage=org.has_role(*programmes.MANAGERS),
        )

    @post("/", summary="Открыть программу (форма)")
    async def create(self, db: Db, runtime: Rt, org: Org, data: Form) -> Redirect:
        created = await create_programme(db, runtime, org, decode_form(data, ProgrammeIn))
        return self._back(org, created.id)

    @get("/{programme_id:uuid}", summary="Программа: этапы и дорожная карта")
    async def show(self, render: Render, db: Db, org: Org, programme_id: Id) -> Template:
        shown = await detail(db, org, programme_id)
        can_manage = org.has_role(*programmes.MANAGERS)
        return await render(
            "core/programme.html",
            detail=shown,
            regimes=REGIME_TITLES,
            document_titles=DOCUMENT_STATUS_TITLES,
            can_manage=can_manage,
            # The letters thank the mentors of completed pairs: offered once there is one.
            completed_groups=await pairs.group_count(db, org, shown.programme.id, GroupStatus.COMPLETED)
            if can_manage
            else 0,
        )

    @staticmethod
    def _back(org: OrgContext, programme_id: uuid.UUID, anchor: str = "") -> Redirect:
        return Redirect(
            path=f"/o/{org.org.slug}/programmes/{programme_id}" + (f"#{anchor}" if anchor else "")
        )

    @post("/{programme_id:uuid}/documents", summary="Положение и Программа (форма)")
    async def documents(self, db: Db, org: Org, programme_id: Id, data: Form) -> Redirect:
        await record_documents(db, org, programme_id, decode_form(data, DocumentsIn))
        return self._back(org, programme_id)

    @post("/{programme_id:uuid}/advance", summary="Перейти к следующему этапу (форма)")
    async def advance(self, db: Db, org: Org, programme_id: Id, data: Form) -> Redirect:
        await programmes.advance(db, org, programme_id, decode_form(data, AdvanceIn).version)
        return self._back(org, programme_id)

    @post("/{programme_id:uuid}/close", summary="Закрыть программу (форма, с подтверждением)")
    async def close(self, db: Db, org: Org, programme_id: Id, data: Form) -> Redirect:
        confirmed(data, "Подтвердите закрытие: после него программа доступна только для чтения.")
        await completion.close_programme(db, org, programme_id, decode_form(data, AdvanceIn).version)
        return self._back(org, programme_id)

    @post("/{programme_id:uuid}/next-year", summary="Открыть программу следующего года (форма)")
    async def next_year(self, db: Db, org: Org, programme_id: Id, data: Form) -> Redirect:
        created = await completion.start_next_year(db, org, programme_id)
        return self._back(org, created.id)

    @post("/{programme_id:uuid}/roadmap", summary="Добавить мероприятие (форма)")
    async def add_item(self, db: Db, org: Org, programme_id: Id, data: Form) -> Redirect:
        await programmes.add_roadmap_item(db, org, programme_id, roadmap_draft(decode_form(data, RoadmapIn)))
        return self._back(org, programme_id)

    @post("/{programme_id:uuid}/roadmap/{item_id:uuid}/done", summary="Отметить выполнение (форма)")
    async def mark_done(self, db: Db, org: Org, programme_id: Id, item_id: Id, data: Form) -> Redirect:
        await programmes.set_roadmap_done(db, org, programme_id, item_id, decode_form(data, DoneIn).done)
        return self._back(org, programme_id)

    @post("/{programme_id:uuid}/roadmap/{item_id:uuid}", summary="Изменить мероприятие (форма)")
    async def edit_item(self, db: Db, org: Org, programme_id: Id, item_id: Id, data: Form) -> Redirect:
        await edit_item(db, org, programme_id, item_id, decode_form(data, RoadmapEditIn))
        return self._back(org, programme_id, "roadmap")

    @post(
        "/{programme_id:uuid}/roadmap/{item_id:uuid}/delete",
        summary="Удалить мероприятие (форма, с подтверждением)",
    )
    async def remove_item(self, db: Db, org: Org, programme_id: Id, item_id: Id, data: Form) -> Redirect:
        confirmed(data, "Подтвердите, что мероприятие нужно удалить из дорожной карты.")
        await programmes.delete_roadmap_item(db, org, programme_id, item_id)
        return self._back(org, programme_id, "roadmap")

    @post("/{programme_id:uuid}/roadmap/default", summary="Заполнить дорожную карту типовой (форма)")
    async def fill_roadmap(self, db: Db, org: Org, programme_id: Id, data: Form) -> Redirect:
        await programmes.fill_roadmap(db, org, programme_id, confirmed=data.get("confirm") == "yes")
        return self._back(org, programme_id, "roadmap")

    @get("/{programme_id:uuid}/roadmap.docx", media_type=DOCX, summary=ROADMAP_DOCX)
    async def roadmap_document(self, db: Db, runtime: Rt, org: Org, programme_id: Id) -> Response[bytes]:
        return await _roadmap_document(db, runtime, org, programme_id)
