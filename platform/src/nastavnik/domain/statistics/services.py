"""Regional statistics for the pages and the API: who may see which figures, and what the dashboards show.

The region's staff see their region, a municipality's coordinator their municipality, a curator or
director their own organisation beside the regional average. Every read runs as the application role
under the statistics tables' policies (migration 0007) after the service's own check: figures only,
never a person.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import cached_property
from urllib.parse import urlencode

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import clock
from nastavnik.db.scope import DbScope, note_scope, rescope, scope_settings
from nastavnik.domain.dictionaries.overrides import apply_overrides, overrides_of, plugin_entries
from nastavnik.domain.statistics import jobs, reading as r
from nastavnik.domain.statistics.definitions import Indicator, Kind
from nastavnik.domain.statistics.figures import NO_DATA, Figure
from nastavnik.domain.statistics.indicators import indicators as catalogue
from nastavnik.domain.statistics.models import StatTarget
from nastavnik.domain.statistics.recompute import ScopeKind, Snapshot
from nastavnik.errors import FieldError, InvalidInput
from nastavnik.models.identity import StaffRole
from nastavnik.models.people import ProgrammeRole
from nastavnik.models.reference import AcademicYear, Municipality, Organisation, Region
from nastavnik.plugins import Plugins
from nastavnik.runtime import Runtime
from nastavnik.tenancy import Actor, Forbidden, NotFound, OrgContext, OrgRef, municipality_for
from nastavnik.types import DictionaryKind

MANAGERS = (ProgrammeRole.CURATOR, ProgrammeRole.DIRECTOR)
SORT_BY_NAME = "name"


@dataclass(frozen=True, slots=True)
class Filters:
    """What a dashboard shows: the academic year, an organisation type ('' = all), the table's order."""

    year: int
    org_type: str = ""
    sort: str = SORT_BY_NAME
    descending: bool = False
    page: int = 1


def parse_filters(
    plugins: Plugins,
    *,
    year: int | None,
    org_type: str | None,
    sort: str | None,
    direction: str | None,
    page: int | None,
    default_year: int,
) -> Filters:
    """Query parameters of a dashboard, checked; a mistake is told in Russian (422)."""
    errors = []
    types = plugins.organisation_types()
    keys = {i.key for i in catalogue(plugins) if i.kind is not Kind.BREAKDOWN}
    if org_type and org_type not in types:
        errors.append(FieldError("type", "неизвестный тип организации"))
    if sort and sort != SORT_BY_NAME and sort not in keys:
        errors.append(FieldError("sort", "по такому показателю сортировать нельзя"))
    if direction and direction not in ("asc", "desc"):
        errors.append(FieldError("dir", "порядок — asc или desc"))
    if year is not None and not 2019 <= year <= 2040:
        errors.append(FieldError("year", "учебный год — от 2019 до 2040"))
    if page is not None and page < 1:
        errors.append(FieldError("page", "страница — с первой"))
    if errors:
        raise InvalidInput("Неверные условия отбора.", errors)
    return Filters(
        year=year or default_year,
        org_type=org_type or "",
        sort=sort or SORT_BY_NAME,
        descending=direction == "desc",
        page=page or 1,
    )


def current_year_in(timezone: str) -> int:
    return AcademicYear.start_year_of(clock.today_in(timezone))


@dataclass
class Dashboard:
    """A region's or a municipality's figures for one snapshot, with its organisations and its trend."""

    region: Region
    municipality: Municipality | None
    filters: Filters
    years: list[int]
    indicators: list[Indicator]
    targets: dict[str, float]
    snapshot: r.AreaSnapshotInfo | None
    headline: list[Figure] = field(default_factory=list)
    breakdowns: dict[str, list[Figure]] = field(default_factory=dict)
    municipalities: list[tuple[uuid.UUID, str, r.Values]] = field(default_factory=list)
    table: r.OrgPage | None = None
    trend: r.TrendPoints = field(default_factory=dict)
    recompute: jobs.RecomputeState | None = None

    @cached_property
    def table_indicators(self) -> list[Indicator]:
        return [i for i in self.indicators if i.kind in r.TABLE_KINDS]

    @cached_property
    def by_key(self) -> dict[str, Indicator]:
        return {i.key: i for i in self.indicators}

    # What the page's links repeat, encoded once per page rather than once per link.
    @cached_property
    def area_query(self) -> str:
        """The year and type (a municipality's link, the drill-down)."""
        return urlencode({"year": self.filters.year, "type": self.filters.org_type})

    @cached_property
    def page_query(self) -> str:
        """The filters and order without the page number (the pager's links add it)."""
        direction = "desc" if self.filters.descending else "asc"
        return urlencode(
            {
                "year": self.filters.year,
                "type": self.filters.org_type,
                "sort": self.filters.sort,
                "dir": direction,
            }
        )

    def sort_query(self, key: str) -> str:
        """The link of a column's heading: by that column, the other way round if it is the order now."""
        current = self.filters.sort == key
        direction = "asc" if current and self.filters.descending else "desc"
        return urlencode(
            {"year": self.filters.year, "type": self.filters.org_type, "sort": key, "dir": direction}
        )

    @cached_property
    def municipality_rows(self) -> list[tuple[uuid.UUID, str, list[tuple[str, str]]]]:
        """The municipalities' table: (id, name, [(text, detail) per column])."""
        columns = self.table_indicators
        rows = []
        for mid, name, values in self.municipalities:
            cells = []
            for indicator in columns:
                figure = values.figures.get(indicator.key)
                cells.append((figure.text, figure.detail) if figure is not None else (NO_DATA, ""))
            rows.append((mid, name, cells))
        return rows


def headline_of(values: r.Values, indicators: list[Indicator], targets: dict[str, float]) -> list[Figure]:
    """Every indicator but the breakdowns, in catalogue order; one not computed reads «нет данных»."""
    figures = []
    for indicator in indicators:
        if indicator.kind is Kind.BREAKDOWN:
            continue
        figure = values.get(indicator.key)
        figures.append(figure or Figure(indicator, 0, None, target=targets.get(indicator.key)))
    return figures


def per_organisation(figures: list[Figure]) -> list[Figure]:
    """An area's figures as they read beside one organisation's: «в среднем» per organisation.

    A share or an average is already the region's rate (its numerators over its denominators, every
    learner and every answer weighing the same); a count summed over the area is divided by the
    organisations in it, or an organisation would be compared with the whole region's total.
    """
    return [replace(f, per_organisation=True) if f.indicator.kind is Kind.COUNT else f for f in figures]


async def code_titles(
    db: AsyncSession, plugins: Plugins, region_id: uuid.UUID, org_type: str | None = None
) -> dict[str, str]:
    """``form:<code>`` and ``kind:<code>`` → the title the region's dictionaries give it.

    Over every organisation type a code may be worded differently per type («Ученик – ученик» in
    schools, «Студент – студент» in colleges): the titles are joined, each said once.
    """
    overrides = await overrides_of(db, region_id)
    found: dict[str, list[str]] = {}
    for code, info in plugins.organisation_types().items():
        if org_type and code != org_type:
            continue
        regimes = {str(regime) for regime in info.regimes}
        entries = plugin_entries(plugins, code, regimes)
        offered, hidden = apply_overrides(entries, overrides, code, regimes)
        for entry in (*offered, *hidden):
            if entry.kind in (DictionaryKind.FORM, DictionaryKind.KIND):
                titles = found.setdefault(f"{entry.kind}:{entry.code}", [])
                if entry.title not in titles:
                    titles.append(entry.title)
    return {key: " / ".join(titles) for key, titles in found.items()}


def named_breakdowns(breakdowns: dict[str, list[Figure]], titles: dict[str, str]) -> dict[str, list[Figure]]:
    """Copies (the read figures may be cached) with the dictionaries' titles on the coded breakdowns."""
    return {
        key: [replace(f, title=titles[f.breakdown]) if f.breakdown in titles else f for f in figures]
        for key, figures in breakdowns.items()
    }


def _region_grant(actor: Actor) -> uuid.UUID:
    grants = actor.grants(StaffRole.REGION)
    if not grants:
        raise Forbidden
    return grants[0].region_id


async def _oversight(db: AsyncSession, actor: Actor) -> None:
    await rescope(db, DbScope(identity_id=actor.identity_id, oversight=True))


async def _oversee_reads(db: AsyncSession, reads: AsyncSession | None, actor: Actor) -> None:
    """The read replica's session in the oversight scope too (nothing to do where it is ``db`` itself)."""
    if reads is not None and reads is not db:
        await _oversight(reads, actor)


def _snapshot_date(region: Region, year: int) -> date:
    """Today in the region's time zone; for a past academic year, its last day."""
    return min(clock.today_in(region.timezone), AcademicYear.bounds(year)[1])


ALL_PARTS = frozenset({"municipalities", "table", "trend"})


async def _dashboard(
    db: AsyncSession,
    runtime: Runtime,
    region: Region,
    municipality: Municipality | None,
    filters: Filters,
    parts: frozenset[str] = ALL_PARTS,
    reads: AsyncSession | None = None,
) -> Dashboard:
    """The dashboard of the region or a municipality: the targets from ``db`` (a target just set shows at
    once), the recomputed figures from ``reads`` (the read replica's session, where there is one)."""
    indicators = catalogue(runtime.plugins)
    by_key = {i.key: i for i in indicators}
    targets = await r.targets_of(db, region.id, indicators)
    figures = reads or db
    key = (
        r.AreaKey("municipality", municipality.id, filters.org_type)
        if municipality
        else r.AreaKey("region", region.id, filters.org_type)
    )
    years, snapshot = await r.snapshot_and_years(figures, key, filters.year)
    board = Dashboard(region, municipality, filters, years, indicators, targets, snapshot)
    if municipality is None:
        board.recompute = await recompute_state(runtime, region, filters.year)
    if snapshot is None:
        board.headline = headline_of(r.Values(), indicators, targets)
        return board
    cache_key = (key, filters, parts, snapshot.as_of, snapshot.computed_at, tuple(sorted(targets.items())))
    cached = runtime.statistics_cache.get(cache_key)
    if cached is not None:
        board.headline, board.breakdowns, board.municipalities, board.table, board.trend = cached
    else:
        await _read_board(figures, board, key, region, municipality, filters, parts, by_key)
        runtime.statistics_cache.put(
            cache_key, (board.headline, board.breakdowns, board.municipalities, board.table, board.trend)
        )
    # Named on every read: a region's new wording shows at once, without a recompute.
    titles = await code_titles(db, runtime.plugins, region.id, filters.org_type)
    board.breakdowns = named_breakdowns(board.breakdowns, titles)
    return board


async def _read_board(
    db: AsyncSession,
    board: Dashboard,
    key: r.AreaKey,
    region: Region,
    municipality: Municipality | None,
    filters: Filters,
    parts: frozenset[str],
    by_key: dict[str, Indicator],
) -> None:
    snapshot, indicators, targets = board.snapshot, board.indicators, board.targets
    assert snapshot is not None
    area = await r.area_figures(
        db,
        key,
        region.id,
        filters.year,
        snapshot.as_of,
        by_key,
        targets,
        municipalities=municipality is None and "municipalities" in parts,
        trend="trend" in parts,
    )
    board.headline = headline_of(area.values, indicators, targets)
    board.breakdowns = area.values.breakdowns
    board.municipalities = area.municipalities
    board.trend = area.trend
    if "table" in parts:
        board.table = await r.organisation_page(
            db,
            region_id=region.id,
            academic_year=filters.year,
            as_of=snapshot.as_of,
            indicators=by_key,
            targets=targets,
            org_type=filters.org_type,
            municipality_id=municipality.id if municipality else None,
            sort=filters.sort,
            descending=filters.descending,
            page=filters.page,
        )


async def region_dashboard(
    db: AsyncSession,
    runtime: Runtime,
    actor: Actor,
    filters: Filters,
    parts: frozenset[str] = ALL_PARTS,
    *,
    reads: AsyncSession | None = None,
    region: Region | None = None,
) -> Dashboard:
    """The region's dashboard; ``reads``: where its figures are read from (see :func:`_dashboard`);
    ``region``: the actor's region where the caller has already read it (shared reference data)."""
    region_id = _region_grant(actor)
    await _oversight(db, actor)
    await _oversee_reads(db, reads, actor)
    if region is None or region.id != region_id:
        region = await db.get(Region, region_id)
    if region is None:
        raise NotFound
    return await _dashboard(db, runtime, region, None, filters, parts, reads)


async def overseen_municipality(db: AsyncSession, actor: Actor, municipality_id: uuid.UUID) -> Municipality:
    """A municipality the actor oversees (its region's staff or its coordinator), or NotFound."""
    municipality = await municipality_for(db, actor, municipality_id)
    await _oversight(db, actor)
    return municipality


async def municipality_dashboard(
    db: AsyncSession,
    runtime: Runtime,
    actor: Actor,
    municipality_id: uuid.UUID,
    filters: Filters,
    *,
    reads: AsyncSession | None = None,
) -> Dashboard:
    municipality = await overseen_municipality(db, actor, municipality_id)
    await _oversee_reads(db, reads, actor)
    region = await db.get(Region, municipality.region_id)
    if region is None:
        raise NotFound
    return await _dashboard(db, runtime, region, municipality, filters, reads=reads)


@dataclass
class OrgFigures:
    """One organisation's figures for one snapshot, beside its municipality's and its region's."""

    org_id: uuid.UUID
    short_name: str
    full_name: str
    org_type: str
    year: int
    years: list[int]
    as_of: date | None
    computed_at: datetime | None
    indicators: list[Indicator]
    headline: list[Figure] = field(default_factory=list)
    breakdowns: dict[str, list[Figure]] = field(default_factory=dict)
    municipality: list[Figure] | None = None
    region: list[Figure] | None = None
    trend: r.TrendPoints = field(default_factory=dict)

    @property
    def by_key(self) -> dict[str, Indicator]:
        return {i.key: i for i in self.indicators}

    def beside(self, scope: list[Figure] | None, key: str) -> Figure | None:
        return next((f for f in scope or [] if f.indicator.key == key), None)


async def _org_figures(
    db: AsyncSession,
    runtime: Runtime,
    org: Organisation | OrgRef,
    region_id: uuid.UUID,
    year: int,
    *,
    with_municipality: bool,
    reads: AsyncSession | None = None,
) -> OrgFigures:
    """The organisation's figures: the targets from ``db``, the recomputed figures from ``reads`` (in one
    statement, :func:`~nastavnik.domain.statistics.reading.org_page_figures`)."""
    indicators = catalogue(runtime.plugins)
    by_key = {i.key: i for i in indicators}
    targets = await r.targets_of(db, region_id, indicators)
    read = await r.org_page_figures(
        reads or db,
        org.id,
        region_id,
        org.municipality_id if with_municipality else None,
        year,
        by_key,
        targets,
    )
    latest = read.latest
    result = OrgFigures(
        org.id,
        org.short_name,
        org.full_name,
        org.type,
        year,
        read.years,
        latest[0] if latest else None,
        latest[1] if latest else None,
        indicators,
    )
    if latest is None:
        result.headline = headline_of(r.Values(), indicators, targets)
        return result
    result.headline = headline_of(read.values, indicators, targets)
    titles = await code_titles(db, runtime.plugins, region_id, org.type)
    result.breakdowns = named_breakdowns(read.values.breakdowns, titles)
    # Visible only where the policies allow it (a member: over at least five organisations).
    result.region = (
        per_organisation(headline_of(read.region, indicators, targets)) if read.region.figures else None
    )
    if with_municipality:
        muni = read.municipality
        result.municipality = (
            per_organisation(headline_of(muni, indicators, targets)) if muni.figures else None
        )
    result.trend = read.trend
    return result


async def overseen_org_figures(
    db: AsyncSession,
    runtime: Runtime,
    actor: Actor,
    municipality_id: uuid.UUID,
    org_id: uuid.UUID,
    year: int | None,
    *,
    reads: AsyncSession | None = None,
) -> OrgFigures:
    """An organisation's figures for the region's staff or its municipality's coordinator."""
    municipality = await overseen_municipality(db, actor, municipality_id)
    await _oversee_reads(db, reads, actor)
    org = await db.get(Organisation, org_id)
    if org is None or org.municipality_id != municipality.id:
        raise NotFound
    region = await db.get(Region, municipality.region_id)
    assert region is not None
    return await _org_figures(
        db,
        runtime,
        org,
        region.id,
        year or current_year_in(region.timezone),
        with_municipality=True,
        reads=reads,
    )


async def own_figures(
    db: AsyncSession,
    runtime: Runtime,
    ctx: OrgContext,
    year: int | None,
    *,
    reads: AsyncSession | None = None,
) -> OrgFigures:
    """The organisation's own figures beside the regional average, for its curator or director."""
    ctx.require_role(*MANAGERS)
    return await _org_figures(
        db,
        runtime,
        ctx.org,  # resolved in this request (an active organisation): no second read of it
        ctx.org.region_id,
        year or current_year_in(ctx.org.timezone),
        with_municipality=False,
        reads=reads,
    )


async def recompute_state(runtime: Runtime, region: Region, year: int) -> jobs.RecomputeState | None:
    snapshot = Snapshot(ScopeKind.REGION, region.id, year, _snapshot_date(region, year))
    job_id = jobs.recompute_job_id(runtime, snapshot)
    state = await jobs.job_state(runtime, job_id)
    return jobs.RecomputeState(job_id, state, joined=False) if state != "idle" else None


@dataclass(frozen=True, slots=True)
class RecomputeRequested:
    state: jobs.RecomputeState
    academic_year: int
    as_of: date


async def request_region_recompute(
    db: AsyncSession, runtime: Runtime, actor: Actor, year: int | None
) -> RecomputeRequested:
    """«Пересчитать сейчас»: the region's recompute for today (joins one already queued or running)."""
    region_id = _region_grant(actor)
    region = await db.get(Region, region_id)
    if region is None:
        raise NotFound
    academic_year = year or current_year_in(region.timezone)
    if not 2019 <= academic_year <= 2040:
        raise InvalidInput("Неверный учебный год.", [FieldError("year", "от 2019 до 2040")])
    as_of = _snapshot_date(region, academic_year)
    if as_of < AcademicYear.bounds(academic_year)[0]:
        raise InvalidInput(
            "Этот учебный год ещё не начался.",
            [FieldError("year", "выберите начавшийся учебный год")],
        )
    state = await jobs.request_recompute(runtime, Snapshot(ScopeKind.REGION, region.id, academic_year, as_of))
    return RecomputeRequested(state, academic_year, as_of)


async def set_target(
    db: AsyncSession, runtime: Runtime, actor: Actor, indicator_key: str, target: float | None
) -> float | None:
    """The region's target for a share (percent); None returns to the default. Region staff only."""
    region_id = _region_grant(actor)
    indicator = next((i for i in catalogue(runtime.plugins) if i.key == indicator_key), None)
    if indicator is None:
        raise NotFound
    if not indicator.has_target:
        raise InvalidInput(
            "Цель задаётся только для долей.", [FieldError("target", "у этого показателя нет цели")]
        )
    if target is not None and not 0 <= target <= 100:
        raise InvalidInput("Цель — процент от 0 до 100.", [FieldError("target", "от 0 до 100")])
    await _oversight(db, actor)
    if target is None:
        await db.execute(
            delete(StatTarget).where(StatTarget.region_id == region_id, StatTarget.indicator == indicator.key)
        )
    else:
        value = r.as_decimal(target)
        statement = insert(StatTarget).values(
            region_id=region_id, indicator=indicator.key, target=value, updated_by=actor.identity_id
        )
        await db.execute(
            statement.on_conflict_do_update(
                index_elements=[StatTarget.region_id, StatTarget.indicator],
                set_={"target": value, "updated_by": actor.identity_id},
            )
        )
    await db.commit()
    await _oversight(db, actor)
    targets = await r.targets_of(db, region_id, [indicator])
    return targets.get(indicator.key)


async def oversight_region(db: AsyncSession, actor: Actor) -> Region:
    """The region of the actor's staff grant, read with the oversight scope riding along (the region is
    shared reference data, which no policy reads the scope for): the dashboard's reads that follow need
    no round trip of their own to ask for it."""
    region_id = _region_grant(actor)
    scope = DbScope(identity_id=actor.identity_id, oversight=True)
    params = scope.as_params()
    row = (
        await db.execute(
            select(Region, *scope_settings(params["identity_id"], params["org_id"], params["scope"])).where(
                Region.id == region_id
            )
        )
    ).first()
    note_scope(db, scope)
    if row is None:
        raise NotFound
    region: Region = row[0]
    return region


async def region_of(db: AsyncSession, actor: Actor) -> Region:
    region = await db.get(Region, _region_grant(actor))
    if region is None:
        raise NotFound
    return region


def target_indicators(plugins: Plugins) -> list[Indicator]:
    return [i for i in catalogue(plugins) if i.has_target]


def parse_percent(raw: str, *, field: str) -> float | None:
    """A target typed on the page: «70», «72,5» or empty (back to the default)."""
    text = raw.strip().replace(",", ".").rstrip("%").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise InvalidInput("Цель — число процентов.", [FieldError(field, "например, 70 или 72,5")]) from None
    if not 0 <= value <= 100:
        raise InvalidInput("Цель — процент от 0 до 100.", [FieldError(field, "от 0 до 100")])
    return value


async def filters_for_municipality(
    db: AsyncSession,
    runtime: Runtime,
    municipality: Municipality,
    year: int | None,
    org_type: str | None,
    sort: str | None,
    direction: str | None,
    page: int | None,
) -> Filters:
    region = await db.get(Region, municipality.region_id)
    if region is None:
        raise NotFound
    return parse_filters(
        runtime.plugins,
        year=year,
        org_type=org_type,
        sort=sort,
        direction=direction,
        page=page,
        default_year=current_year_in(region.timezone),
    )


async def timezone_of(db: AsyncSession, actor: Actor) -> str:
    region = await db.get(Region, actor.staff[0].region_id) if actor.staff else None
    return region.timezone if region else "Europe/Moscow"
