"""The diagnostics of young teachers' difficulties: giving it, and its results per difficulty. API, pages."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import msgspec
from litestar import Controller, get, post
from litestar.params import JSONBody, Parameter
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_200_OK
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.domain.questionnaires import diagnostics, diagnostics_results as findings
from nastavnik.domain.questionnaires.results import MIN_RESPONDENTS
from nastavnik.domain.questionnaires.routes import PersonRef
from nastavnik.tenancy import MANAGERS, OrgContext
from nastavnik.web.deps import ORG_DEPENDENCIES
from nastavnik.web.forms import Form, decode_form, ticked
from nastavnik.web.params import Db, Org, YearQuery
from nastavnik.web.rendering import Render

PERSON_FIELD = "person_"
"""The page's checkboxes of the chosen young teachers are named ``person_<id>``."""
PersonIds = Annotated[list[uuid.UUID], msgspec.Meta(max_length=1000)]


class GiveIn(msgspec.Struct, forbid_unknown_fields=True):
    person_ids: PersonIds | None = None
    """Whom to give the year's diagnostics; left out: every young teacher of the organisation."""


class GivenOut(msgspec.Struct):
    academic_year: int
    given: int
    """Given now (those who had it already are not counted)."""
    assigned: int
    """Everyone who has the year's diagnostics."""


class DifficultyOut(msgspec.Struct):
    key: str
    text: str
    respondents: int
    average: float | None
    """None under the threshold of respondents: withheld, not zero."""
    hard: int | None
    """How many rated it hard (the top third of the scale); withheld with the average."""
    hard_share: int | None
    """Of those who answered, in whole per cent."""
    note: str | None


class YoungTeacherOut(msgspec.Struct):
    person: PersonRef
    status: str
    """not_given, given (waits for the answers) or completed."""
    status_title: str


class DiagnosticsOut(msgspec.Struct):
    academic_year: int
    title: str | None
    version_number: int | None
    """The version the year's diagnostics is given under (before it is given: the one it would be)."""
    regional: bool
    started_at: datetime | None
    assigned: int
    respondents: int
    min_respondents: int
    difficulties: list[DifficultyOut]
    young_teachers: list[YoungTeacherOut]


def diagnostics_out(
    shown: findings.DiagnosticsResults, people: list[findings.TeacherStatus]
) -> DiagnosticsOut:
    return DiagnosticsOut(
        academic_year=shown.academic_year,
        title=shown.template.title if shown.template else None,
        version_number=shown.version.number if shown.version else None,
        regional=bool(shown.template and shown.template.region_id is not None),
        started_at=shown.started_at,
        assigned=shown.assigned,
        respondents=shown.respondents,
        min_respondents=MIN_RESPONDENTS,
        difficulties=[
            DifficultyOut(d.key, d.text, d.respondents, d.average, d.hard, d.hard_share, d.note)
            for d in shown.difficulties
        ],
        young_teachers=[
            YoungTeacherOut(
                PersonRef(t.person.id, t.person.full_name), t.status, findings.STATUS_TITLES[t.status]
            )
            for t in people
        ],
    )


async def _read(
    db: AsyncSession, org: OrgContext, year: int | None
) -> tuple[findings.DiagnosticsResults, list[findings.TeacherStatus]]:
    """The year's results, and for the managers who may give it, where each young teacher stands."""
    shown = await findings.results(db, org, year)
    people = await findings.teachers_status(db, org, shown.academic_year) if org.has_role(*MANAGERS) else []
    return shown, people


class DiagnosticsApi(Controller):
    path = "/api/o/{slug:str}/diagnostics"
    dependencies = ORG_DEPENDENCIES
    tags = ["Диагностика затруднений молодых педагогов"]

    @get("/", summary="Итоги диагностики затруднений за учебный год: по каждому затруднению (от 5 ответов)")
    async def results(self, db: Db, org: Org, year: YearQuery = None) -> DiagnosticsOut:
        return diagnostics_out(*await _read(db, org, year))

    @post(
        "/", summary="Назначить диагностику текущего учебного года молодым педагогам", status_code=HTTP_200_OK
    )
    async def give(self, db: Db, org: Org, data: JSONBody[GiveIn]) -> GivenOut:
        given = await diagnostics.give_diagnostics(db, org, data.person_ids)
        return GivenOut(given.academic_year, given.given, given.assigned)


class DiagnosticsPages(Controller):
    path = "/o/{slug:str}/diagnostics"
    dependencies = ORG_DEPENDENCIES
    tags = ["Страницы: диагностика затруднений"]

    @get("/", summary="Диагностика затруднений молодых педагогов")
    async def show(
        self,
        render: Render,
        db: Db,
        org: Org,
        year: YearQuery = None,
        given: int | None = Parameter(default=None, ge=0, le=100_000),
    ) -> Template:
        shown, people = await _read(db, org, year)
        years = await diagnostics.readable_years(db, org, {shown.current_year, shown.academic_year})
        return await render(
            "core/diagnostics.html",
            d=shown,
            people=people,
            years=years,
            status_titles=findings.STATUS_TITLES,
            min_respondents=MIN_RESPONDENTS,
            can_give=org.has_role(*MANAGERS),
            given=given,
        )

    @post("/", summary="Назначить диагностику (форма)")
    async def give(self, db: Db, org: Org, data: Form) -> Redirect:
        everyone = data.get("whom", "all") != "chosen"
        form = decode_form({"person_ids": None if everyone else ticked(data, PERSON_FIELD)}, GiveIn)
        given = await diagnostics.give_diagnostics(db, org, form.person_ids)
        return Redirect(path=f"/o/{org.org.slug}/diagnostics?given={given.given}")
