"""Regional statistics: the region's dashboard, a municipality's, an organisation's figures and its
indicators (pages and API). The headcounts, their denominators, are in :mod:`.headcount_routes`.

Plain links and forms (``?year=&type=&sort=&dir=&page=``), so every page works without JavaScript;
every page action is also in the API.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Any, TypeAlias

from litestar import Controller, Response, get, post, put
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_202_ACCEPTED
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.domain.statistics import report_requests as statistics_reports, services as statistics
from nastavnik.domain.statistics.cards import CARDS
from nastavnik.domain.statistics.charts import Chart, captioned_chart
from nastavnik.domain.statistics.definitions import BREAKDOWN_TITLES, Kind
from nastavnik.domain.statistics.models import ReportStatus, StatReport
from nastavnik.domain.statistics.organisation import indicators_for
from nastavnik.domain.statistics.reading import TrendPoints
from nastavnik.domain.statistics.schemas import (
    AreaOut,
    DashboardOut,
    IndicatorOut,
    OrgFiguresOut,
    OrgPageOut,
    OrgRowOut,
    RecomputeOut,
    ReportIn,
    ReportOut,
    TargetIn,
    TargetOut,
    TrendOut,
    TrendPointOut,
    figure_out,
)
from nastavnik.domain.statistics.services import Dashboard, Filters, OrgFigures
from nastavnik.models.reference import Region
from nastavnik.runtime import Runtime
from nastavnik.tenancy import Actor
from nastavnik.types import PAGE_MAX
from nastavnik.web.deps import ORG_DEPENDENCIES
from nastavnik.web.downloads import DOCX, XLSX, attachment
from nastavnik.web.forms import Form, decode_form
from nastavnik.web.params import CurrentActor, Db, Id, Org, Reads, Rt, YearQuery
from nastavnik.web.rendering import Render

RECOMPUTE_TITLES = {"queued": "в очереди", "in_progress": "выполняется"}

Year = YearQuery
Type = Annotated[str | None, QueryParameter(name="type")]
Sort = Annotated[str | None, QueryParameter(name="sort")]
Direction = Annotated[str | None, QueryParameter(name="dir")]
PageNo = Annotated[int | None, QueryParameter(name="page", ge=1, le=PAGE_MAX, description="Номер страницы")]
# Set by «Пересчитать сейчас»: once the recompute is over, the page says the figures are new.
Requested = Annotated[bool | None, QueryParameter(name="recomputed", required=False)]


@dataclass(frozen=True, slots=True)
class Asked:
    """What a dashboard's query string asks for, as sent: checked by the service (``parse_filters``)."""

    year: int | None = None
    org_type: str | None = None
    sort: str | None = None
    direction: str | None = None
    page: int | None = None


def provide_asked(
    year: Year = None,
    org_type: Type = None,
    sort: Sort = None,
    direction: Direction = None,
    page_no: PageNo = None,
) -> Asked:
    return Asked(year, org_type, sort, direction, page_no)


AskedFor: TypeAlias = NamedDependency[Asked]
DASHBOARD_QUERY = {"asked": Provide(provide_asked, sync_to_thread=False)}


async def _region_filters(db: Db, runtime: Rt, actor: Actor, asked: Asked) -> tuple[Region, Filters]:
    """The region's staff's region and their dashboard's filters (the region is passed on to the
    dashboard: read once per request)."""
    region = await statistics.oversight_region(db, actor)
    return region, statistics.parse_filters(
        runtime.plugins,
        year=asked.year,
        org_type=asked.org_type,
        sort=asked.sort,
        direction=asked.direction,
        page=asked.page,
        default_year=statistics.current_year_in(region.timezone),
    )


async def _municipality_board(
    db: Db, reads: Reads, runtime: Rt, actor: Actor, municipality_id: uuid.UUID, asked: Asked
) -> Dashboard:
    municipality = await statistics.overseen_municipality(db, actor, municipality_id)
    filters = await statistics.filters_for_municipality(
        db, runtime, municipality, asked.year, asked.org_type, asked.sort, asked.direction, asked.page
    )
    return await statistics.municipality_dashboard(db, runtime, actor, municipality.id, filters, reads=reads)


def charts_of(trend: TrendPoints, board_indicators: dict[str, Any], targets: dict[str, float]) -> list[Chart]:
    charts = []
    for key, points in trend.items():
        indicator = board_indicators.get(key)
        if indicator is None:
            continue
        average = indicator.kind is Kind.AVERAGE
        charts.append(
            captioned_chart(
                points,
                title=indicator.title,
                maximum=10.0 if average else 100.0,
                unit="балла" if average else "%",
                target=targets.get(key),
            )
        )
    return charts


def trend_out(
    trend: TrendPoints, board_indicators: dict[str, Any], targets: dict[str, float]
) -> list[TrendOut]:
    return [
        TrendOut(
            indicator=key,
            title=board_indicators[key].title,
            target=targets.get(key),
            points=[TrendPointOut(as_of=d, value=None if v is None else round(v, 2)) for d, v in points],
        )
        for key, points in trend.items()
        if key in board_indicators
    ]


def dashboard_out(board: Dashboard) -> DashboardOut:
    area = board.municipality or board.region
    return DashboardOut(
        scope="municipality" if board.municipality else "region",
        scope_id=area.id,
        name=area.name,
        academic_year=board.filters.year,
        years=board.years,
        org_type=board.filters.org_type,
        as_of=board.snapshot.as_of if board.snapshot else None,
        computed_at=board.snapshot.computed_at if board.snapshot else None,
        organisations=board.snapshot.organisations if board.snapshot else None,
        organisations_computed=board.snapshot.computed if board.snapshot else None,
        recompute=board.recompute.state if board.recompute else None,
        indicators=[figure_out(f) for f in board.headline],
        breakdowns={k: [figure_out(f) for f in v] for k, v in board.breakdowns.items()},
        municipalities=[
            AreaOut(id=mid, name=name, indicators=[figure_out(f) for f in values.figures.values()])
            for mid, name, values in board.municipalities
        ],
    )


def org_page_out(board: Dashboard) -> OrgPageOut:
    table = board.table
    return OrgPageOut(
        academic_year=board.filters.year,
        as_of=board.snapshot.as_of if board.snapshot else None,
        sort=board.filters.sort,
        dir="desc" if board.filters.descending else "asc",
        page=table.page if table else 1,
        pages=table.pages if table else 1,
        total=table.total if table else 0,
        rows=[
            OrgRowOut(
                org_id=row.org_id,
                short_name=row.short_name,
                type=row.org_type,
                municipality_id=row.municipality_id,
                municipality_name=row.municipality_name,
                indicators=[figure_out(f) for f in row.values.figures.values()],
            )
            for row in (table.rows if table else [])
        ],
    )


def org_figures_out(figures: OrgFigures, targets: dict[str, float]) -> OrgFiguresOut:
    by_key = {i.key: i for i in figures.indicators}
    return OrgFiguresOut(
        org_id=figures.org_id,
        short_name=figures.short_name,
        type=figures.org_type,
        academic_year=figures.year,
        as_of=figures.as_of,
        computed_at=figures.computed_at,
        indicators=[figure_out(f) for f in figures.headline],
        breakdowns={k: [figure_out(f) for f in v] for k, v in figures.breakdowns.items()},
        municipality=[figure_out(f) for f in figures.municipality] if figures.municipality else None,
        region=[figure_out(f) for f in figures.region] if figures.region else None,
        trend=trend_out(figures.trend, by_key, targets),
    )


def report_out(report: StatReport) -> ReportOut:
    base = f"/api/region/statistics/reports/{report.id}"
    done = report.status == ReportStatus.DONE
    return ReportOut(
        id=report.id,
        status=report.status,
        progress=report.progress,
        message=report.message,
        academic_year=report.academic_year,
        org_type=report.org_type,
        as_of=report.as_of,
        created_at=report.created_at,
        finished_at=report.finished_at,
        downloads=[f"{base}/monitoring.xlsx", f"{base}/note.docx"] if done else [],
    )


def _targets_of(figures: OrgFigures) -> dict[str, float]:
    return {f.indicator.key: f.target for f in figures.headline if f.target is not None}


def _board_context(board: Dashboard, runtime: Rt) -> dict[str, Any]:
    types = runtime.plugins.organisation_types()
    return {
        "board": board,
        "charts": charts_of(board.trend, board.by_key, board.targets),
        "type_titles": {code: t.title for code, t in types.items()},
        "breakdown_titles": BREAKDOWN_TITLES,
        "recompute_titles": RECOMPUTE_TITLES,
        "timezone": board.region.timezone,
        "kinds": Kind,
        "cards": CARDS,
    }


REPORT_FORM = {"academic_year": "year", "org_type": "type"}
"""What the region's page forms call the API's fields: the dashboard's own filter names."""


async def prepare_report(db: AsyncSession, runtime: Runtime, actor: Actor, data: ReportIn) -> StatReport:
    return await statistics_reports.request_report(db, runtime, actor, data.academic_year, data.org_type)


class RegionStatisticsPages(Controller):
    path = "/region/statistics"
    dependencies = DASHBOARD_QUERY
    tags = ["Статистика: страницы"]

    @get("/", summary="Статистика региона")
    async def dashboard(
        self,
        render: Render,
        db: Db,
        reads: Reads,
        runtime: Rt,
        actor: CurrentActor,
        asked: AskedFor,
        recomputed: Requested = None,
    ) -> Template:
        region, filters = await _region_filters(db, runtime, actor, asked)
        board = await statistics.region_dashboard(db, runtime, actor, filters, reads=reads, region=region)
        return await render(
            "core/statistics_region.html",
            recompute_done=bool(recomputed) and board.recompute is None,
            reports=await statistics_reports.recent_reports(db, actor),
            report_titles=statistics_reports.STATUS_TITLES,
            **_board_context(board, runtime),
        )

    @post("/recompute", summary="Пересчитать показатели региона сейчас (форма)")
    async def recompute(self, db: Db, runtime: Rt, actor: CurrentActor, data: Form) -> Redirect:
        year = decode_form(data, ReportIn, names=REPORT_FORM).academic_year
        requested = await statistics.request_region_recompute(db, runtime, actor, year)
        return Redirect(path=f"/region/statistics?year={requested.academic_year}&recomputed=true")

    @post("/targets", summary="Цели показателей региона (форма)")
    async def targets(self, db: Db, runtime: Rt, actor: CurrentActor, data: Form) -> Redirect:
        # Every value is read before any is saved: one bad field saves nothing.
        typed = {
            indicator.key: statistics.parse_percent(raw, field=f"target_{indicator.key}")
            for indicator in statistics.target_indicators(runtime.plugins)
            if (raw := data.get(f"target_{indicator.key}")) is not None
        }
        for key, value in typed.items():
            await statistics.set_target(db, runtime, actor, key, value)
        return Redirect(path="/region/statistics")

    @post("/reports", summary="Подготовить отчёт мониторинга (форма)")
    async def request_report(self, db: Db, runtime: Rt, actor: CurrentActor, data: Form) -> Redirect:
        report = await prepare_report(db, runtime, actor, decode_form(data, ReportIn, names=REPORT_FORM))
        return Redirect(path=f"/region/statistics/reports/{report.id}")

    @get("/reports/{report_id:uuid}", summary="Отчёт мониторинга: ход подготовки и файлы")
    async def report(
        self, render: Render, db: Db, runtime: Rt, actor: CurrentActor, report_id: Id
    ) -> Template:
        report = await statistics_reports.get_report(db, actor, report_id)
        return await render(
            "core/statistics_report.html",
            report=report,
            titles=statistics_reports.STATUS_TITLES,
            timezone=await statistics.timezone_of(db, actor),
            type_titles={c: t.title for c, t in runtime.plugins.organisation_types().items()},
        )


class MunicipalityStatisticsPages(Controller):
    path = "/m/{municipality_id:uuid}/statistics"
    dependencies = DASHBOARD_QUERY
    tags = ["Статистика: страницы"]

    @get("/", summary="Статистика муниципалитета")
    async def dashboard(
        self,
        render: Render,
        db: Db,
        reads: Reads,
        runtime: Rt,
        actor: CurrentActor,
        municipality_id: Id,
        asked: AskedFor,
    ) -> Template:
        board = await _municipality_board(db, reads, runtime, actor, municipality_id, asked)
        return await render(
            "core/statistics_municipality.html",
            **_board_context(board, runtime),
        )

    @get("/{org_id:uuid}", summary="Показатели организации для региона и муниципалитета")
    async def organisation(
        self,
        render: Render,
        db: Db,
        reads: Reads,
        runtime: Rt,
        actor: CurrentActor,
        municipality_id: Id,
        org_id: Id,
        year: Year = None,
    ) -> Template:
        figures = await statistics.overseen_org_figures(
            db, runtime, actor, municipality_id, org_id, year, reads=reads
        )
        targets = _targets_of(figures)
        return await render(
            "core/statistics_org.html",
            figures=figures,
            municipality_id=municipality_id,
            charts=charts_of(figures.trend, {i.key: i for i in figures.indicators}, targets),
            type_titles={c: t.title for c, t in runtime.plugins.organisation_types().items()},
            timezone=await statistics.timezone_of(db, actor),
            cards=CARDS,
        )


class StatisticsApi(Controller):
    path = "/api"
    dependencies = DASHBOARD_QUERY
    tags = ["Статистика"]

    @get("/region/statistics", summary="Показатели региона: сводка, муниципалитеты, время расчёта")
    async def region(
        self, db: Db, reads: Reads, runtime: Rt, actor: CurrentActor, year: Year = None, org_type: Type = None
    ) -> DashboardOut:
        region, filters = await _region_filters(db, runtime, actor, Asked(year, org_type))
        board = await statistics.region_dashboard(
            db, runtime, actor, filters, frozenset({"municipalities"}), reads=reads, region=region
        )
        return dashboard_out(board)

    @get("/region/statistics/organisations", summary="Организации региона с показателями, с сортировкой")
    async def organisations(
        self, db: Db, reads: Reads, runtime: Rt, actor: CurrentActor, asked: AskedFor
    ) -> OrgPageOut:
        region, filters = await _region_filters(db, runtime, actor, asked)
        return org_page_out(
            await statistics.region_dashboard(
                db, runtime, actor, filters, frozenset({"table"}), reads=reads, region=region
            )
        )

    @get("/region/statistics/trend", summary="Показатели региона по снимкам учебного года")
    async def trend(
        self, db: Db, reads: Reads, runtime: Rt, actor: CurrentActor, year: Year = None, org_type: Type = None
    ) -> list[TrendOut]:
        region, filters = await _region_filters(db, runtime, actor, Asked(year, org_type))
        board = await statistics.region_dashboard(
            db, runtime, actor, filters, frozenset({"trend"}), reads=reads, region=region
        )
        return trend_out(board.trend, board.by_key, board.targets)

    @post(
        "/region/statistics/recompute",
        summary="Пересчитать показатели региона сейчас",
        status_code=HTTP_202_ACCEPTED,
    )
    async def recompute(self, db: Db, runtime: Rt, actor: CurrentActor, year: Year = None) -> RecomputeOut:
        requested = await statistics.request_region_recompute(db, runtime, actor, year)
        return RecomputeOut(
            job_id=requested.state.job_id,
            state=requested.state.state,
            joined=requested.state.joined,
            academic_year=requested.academic_year,
            as_of=requested.as_of,
        )

    @put("/region/statistics/targets/{indicator:str}", summary="Цель показателя региона, в процентах")
    async def set_target(
        self, db: Db, runtime: Rt, actor: CurrentActor, indicator: FromPath[str], data: JSONBody[TargetIn]
    ) -> TargetOut:
        value = await statistics.set_target(db, runtime, actor, indicator, data.target)
        return TargetOut(indicator=indicator, target=value)

    @post(
        "/region/statistics/reports",
        summary="Подготовить отчёт мониторинга (.xlsx) и аналитическую справку (.docx)",
        status_code=HTTP_202_ACCEPTED,
    )
    async def request_report(
        self, db: Db, runtime: Rt, actor: CurrentActor, data: JSONBody[ReportIn]
    ) -> ReportOut:
        return report_out(await prepare_report(db, runtime, actor, data))

    @get("/region/statistics/reports/{report_id:uuid}", summary="Отчёт мониторинга: ход подготовки")
    async def report(self, db: Db, actor: CurrentActor, report_id: Id) -> ReportOut:
        return report_out(await statistics_reports.get_report(db, actor, report_id))

    @get(
        "/region/statistics/reports/{report_id:uuid}/monitoring.xlsx",
        media_type=XLSX,
        summary="Скачать таблицу мониторинга",
    )
    async def monitoring_xlsx(
        self, db: Db, reads: Reads, actor: CurrentActor, report_id: Id
    ) -> Response[bytes]:
        f = await statistics_reports.report_file(db, actor, report_id, "xlsx", reads=reads)
        return attachment(f.content, f.media_type, f.filename, f.fallback)

    @get(
        "/region/statistics/reports/{report_id:uuid}/note.docx",
        media_type=DOCX,
        summary="Скачать аналитическую справку",
    )
    async def note_docx(self, db: Db, reads: Reads, actor: CurrentActor, report_id: Id) -> Response[bytes]:
        f = await statistics_reports.report_file(db, actor, report_id, "docx", reads=reads)
        return attachment(f.content, f.media_type, f.filename, f.fallback)

    @get(
        "/municipalities/{municipality_id:uuid}/statistics",
        summary="Показатели муниципалитета и его организаций",
    )
    async def municipality(
        self, db: Db, reads: Reads, runtime: Rt, actor: CurrentActor, municipality_id: Id, asked: AskedFor
    ) -> DashboardOut:
        board = await _municipality_board(db, reads, runtime, actor, municipality_id, asked)
        body = dashboard_out(board)
        body.municipalities = [
            AreaOut(
                id=row.org_id,
                name=row.short_name,
                indicators=[figure_out(f) for f in row.values.figures.values()],
            )
            for row in (board.table.rows if board.table else [])
        ]
        return body

    @get(
        "/municipalities/{municipality_id:uuid}/statistics/{org_id:uuid}",
        summary="Показатели организации для региона и муниципалитета",
    )
    async def organisation(
        self,
        db: Db,
        reads: Reads,
        runtime: Rt,
        actor: CurrentActor,
        municipality_id: Id,
        org_id: Id,
        year: Year = None,
    ) -> OrgFiguresOut:
        figures = await statistics.overseen_org_figures(
            db, runtime, actor, municipality_id, org_id, year, reads=reads
        )
        return org_figures_out(figures, _targets_of(figures))


class OrgStatisticsPages(Controller):
    path = "/o/{slug:str}/statistics"
    dependencies = ORG_DEPENDENCIES
    tags = ["Страницы организации"]

    @get("/", summary="Показатели организации рядом со средними по региону")
    async def own(
        self, render: Render, db: Db, reads: Reads, runtime: Rt, org: Org, year: Year = None
    ) -> Template:
        figures = await statistics.own_figures(db, runtime, org, year, reads=reads)
        targets = _targets_of(figures)
        return await render(
            "core/statistics_own.html",
            figures=figures,
            charts=charts_of(figures.trend, {i.key: i for i in figures.indicators}, targets),
            timezone=org.org.timezone,
            cards=CARDS,
        )


class OrgStatisticsApi(Controller):
    path = "/api/o/{slug:str}/statistics"
    dependencies = ORG_DEPENDENCIES
    tags = ["Организация"]

    @get("/", summary="Показатели организации рядом со средними по региону")
    async def own(self, db: Db, reads: Reads, runtime: Rt, org: Org, year: Year = None) -> OrgFiguresOut:
        figures = await statistics.own_figures(db, runtime, org, year, reads=reads)
        return org_figures_out(figures, _targets_of(figures))


class OrgIndicatorsApi(Controller):
    path = "/api/o/{slug:str}"
    dependencies = ORG_DEPENDENCIES
    tags = ["Организация"]

    @get("/indicators", summary="Показатели организации")
    async def indicators(self, db: Db, org: Org, runtime: Rt) -> list[IndicatorOut]:
        values = await indicators_for(db, runtime.plugins, org)
        return [
            IndicatorOut(key=v.key, title=v.title, description=v.description, value=v.value) for v in values
        ]
