"""Headcounts, the denominators of the statistics: an organisation states its own per academic year
(JSON API and page); the region and the municipalities read their sums (JSON API).

The sums are read from the read replica where one is configured (``reads``): they add up what the
organisations stated, as the dashboards do, and a moment's lag shows nothing wrong. An organisation's own
headcounts (its list and page) are read from the primary: the form saves and goes back to the page, which
must show the figures just saved — on a lagging standby it would show the old ones and look unsaved."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post, put
from litestar.params import JSONBody, Parameter
from litestar.response import Redirect, Template

from nastavnik.domain.statistics import headcounts
from nastavnik.domain.statistics.schemas import HeadcountForm, HeadcountIn, HeadcountOut, HeadcountSummaryOut
from nastavnik.models.identity import StaffRole
from nastavnik.models.reference import current_start_year
from nastavnik.tenancy import MANAGERS, Forbidden, municipality_for, region_timezone
from nastavnik.web.deps import ORG_DEPENDENCIES
from nastavnik.web.forms import Form, decode_form
from nastavnik.web.params import CurrentActor, Db, Id, Org, Reads, YearPath
from nastavnik.web.rendering import Render


def headcount_values(data: HeadcountIn) -> headcounts.HeadcountValues:
    return headcounts.HeadcountValues(
        data.learners_total, data.learners_10_18, data.pedagogues, data.young_pedagogues
    )


def headcount_out(h: Any, warnings: list[dict[str, str]] | None = None) -> HeadcountOut:
    return HeadcountOut(
        warnings=warnings or [],
        academic_year=h.academic_year,
        title=f"{h.academic_year}/{h.academic_year + 1}",
        learners_total=h.learners_total,
        learners_10_18=h.learners_10_18,
        pedagogues=h.pedagogues,
        young_pedagogues=h.young_pedagogues,
    )


def summary_out(s: headcounts.HeadcountSummary) -> HeadcountSummaryOut:
    return HeadcountSummaryOut(
        municipality_id=s.municipality_id,
        municipality_name=s.municipality_name,
        organisations=s.organisations,
        reporting=s.reporting,
        learners_total=s.learners_total,
        learners_10_18=s.learners_10_18,
        pedagogues=s.pedagogues,
        young_pedagogues=s.young_pedagogues,
    )


class HeadcountsApi(Controller):
    path = "/api/o/{slug:str}"
    dependencies = ORG_DEPENDENCIES
    tags = ["Организация"]

    @get("/headcounts", summary="Численность по учебным годам")
    async def list_headcounts(self, db: Db, org: Org) -> list[HeadcountOut]:
        return [headcount_out(h) for h in await headcounts.list_headcounts(db, org)]

    @put("/headcounts/{start_year:int}", summary="Указать численность за учебный год")
    async def set_headcount(
        self, db: Db, org: Org, start_year: YearPath, data: JSONBody[HeadcountIn]
    ) -> HeadcountOut:
        saved = await headcounts.set_headcount(db, org, start_year, headcount_values(data))
        warning = await headcounts.pairs_warning(db, org, start_year, saved.learners_total)
        return headcount_out(saved, [{"field": "learners_total", "message": warning}] if warning else None)


class OversightHeadcountsApi(Controller):
    path = "/api"
    tags = ["Регион и муниципалитет"]

    @get("/region/headcounts", summary="Численность по муниципалитетам региона")
    async def region_headcounts(
        self,
        db: Db,
        reads: Reads,
        actor: CurrentActor,
        year: int | None = Parameter(default=None, ge=2000, le=2100),
    ) -> list[HeadcountSummaryOut]:
        if not actor.grants(StaffRole.REGION):
            raise Forbidden
        rows = await headcounts.oversight_summary(
            db, actor, year or current_start_year(await region_timezone(db, actor)), reads=reads
        )
        return [summary_out(r) for r in rows]

    @get("/municipalities/{municipality_id:uuid}/headcounts", summary="Численность по муниципалитету")
    async def municipality_headcounts(
        self,
        db: Db,
        reads: Reads,
        actor: CurrentActor,
        municipality_id: Id,
        year: int | None = Parameter(default=None, ge=2000, le=2100),
    ) -> list[HeadcountSummaryOut]:
        municipality = await municipality_for(db, actor, municipality_id)
        rows = await headcounts.oversight_summary(
            db,
            actor,
            year or current_start_year(await region_timezone(db, actor)),
            municipality_id=municipality.id,
            reads=reads,
        )
        return [summary_out(r) for r in rows]


class HeadcountPages(Controller):
    path = "/o/{slug:str}"
    dependencies = ORG_DEPENDENCIES
    tags = ["Страницы организации"]

    @get("/headcounts", summary="Численность")
    async def headcounts_page(self, render: Render, db: Db, org: Org) -> Template:
        return await _page(render, db, org)

    @post("/headcounts", summary="Указать численность (форма)")
    async def save_headcount(self, render: Render, db: Db, org: Org, data: Form) -> Redirect | Template:
        form = decode_form(data, HeadcountForm)
        saved = await headcounts.set_headcount(db, org, form.academic_year, headcount_values(form))
        warning = await headcounts.pairs_warning(db, org, form.academic_year, saved.learners_total)
        if warning:  # saved: the page says so, with the warning, instead of going back silently
            return await _page(render, db, org, warning=f"Сохранено, но {warning}.")
        return Redirect(path=f"/o/{org.org.slug}/headcounts")


async def _page(render: Render, db: Any, org: Any, warning: str | None = None) -> Template:
    rows = await headcounts.list_headcounts(db, org)
    return await render(
        "core/headcounts.html",
        rows=rows,
        year=current_start_year(org.org.timezone),
        can_manage=org.has_role(*MANAGERS),
        warning=warning,
    )
