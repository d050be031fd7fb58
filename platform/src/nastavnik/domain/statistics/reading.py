"""Reading snapshots back: the same queries for the dashboards (application role, under its policies)
and the reports (aggregator role). Who may read what is the policies' business and the services'."""

from __future__ import annotations

import functools
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Numeric,
    Select,
    String,
    Uuid,
    and_,
    any_,
    bindparam,
    case,
    cast,
    func,
    literal,
    literal_column,
    select,
    true,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.db import driver
from nastavnik.domain.statistics.definitions import Indicator, Kind
from nastavnik.domain.statistics.figures import NO_DATA, Figure, average, share
from nastavnik.domain.statistics.models import (
    StatAreaSnapshot,
    StatAreaValue,
    StatOrgSnapshot,
    StatOrgValue,
    StatTarget,
)
from nastavnik.models.reference import Municipality, Organisation

PAGE_SIZE = 50

# The columns a figure is read with: an area's (with how many organisations reported) and an organisation's.
_AREA_VALUE_COLUMNS = (
    StatAreaValue.as_of,
    StatAreaValue.indicator,
    StatAreaValue.breakdown,
    StatAreaValue.numerator,
    StatAreaValue.denominator,
    StatAreaValue.respondents,
    StatAreaValue.reporting,
)
_ORG_VALUE_COLUMNS = (
    StatOrgValue.as_of,
    StatOrgValue.indicator,
    StatOrgValue.breakdown,
    StatOrgValue.numerator,
    StatOrgValue.denominator,
    StatOrgValue.respondents,
)
Query = TypeVar("Query", bound=Select[*tuple[Any, ...]])
_V = TypeVar("_V")


@dataclass(frozen=True, slots=True)
class AreaKey:
    scope: str
    scope_id: uuid.UUID
    org_type: str = ""


@dataclass
class Values:
    """Figures of one scope (an organisation, a municipality, the region), by indicator and breakdown."""

    figures: dict[str, Figure] = field(default_factory=dict)
    breakdowns: dict[str, list[Figure]] = field(default_factory=dict)

    def get(self, key: str) -> Figure | None:
        return self.figures.get(key)


def _figure(
    indicator: Indicator,
    numerator: int,
    denominator: int | None,
    respondents: int | None,
    reporting: int | None,
    targets: dict[str, float],
    breakdown: str,
) -> Figure:
    return Figure(
        indicator=indicator,
        numerator=int(numerator),
        denominator=None if denominator is None else int(denominator),
        respondents=None if respondents is None else int(respondents),
        reporting=reporting,
        target=targets.get(indicator.key) if not breakdown else None,
        breakdown=breakdown,
    )


def collect(
    rows: list[tuple[str, str, int, int | None, int | None, int | None]],
    indicators: dict[str, Indicator],
    targets: dict[str, float],
) -> Values:
    """(indicator, breakdown, numerator, denominator, respondents, reporting) rows into figures."""
    values = Values()
    for key, breakdown, numerator, denominator, respondents, reporting in rows:
        indicator = indicators.get(key)
        if indicator is None:  # a plugin no longer loaded: its old rows are not shown
            continue
        figure = _figure(indicator, numerator, denominator, respondents, reporting, targets, breakdown)
        if breakdown:
            values.breakdowns.setdefault(key, []).append(figure)
        else:
            values.figures[key] = figure
    for figures in values.breakdowns.values():
        figures.sort(key=lambda f: (f.breakdown.partition(":")[0], -f.numerator, f.breakdown))
    values.figures = in_catalogue_order(values.figures, indicators)
    values.breakdowns = in_catalogue_order(values.breakdowns, indicators)
    return values


def in_catalogue_order(by_key: dict[str, _V], indicators: dict[str, Indicator]) -> dict[str, _V]:
    """``by_key`` in the catalogue's order of ``indicators``: rows come in whatever order the plan gives
    (an index scan and a sequential scan of the same table differ), and a page's charts and an API's
    lists must not change order from one request to the next."""
    return {key: by_key[key] for key in indicators if key in by_key}


# Compiled once (nastavnik.db.driver): building the statement and SQLAlchemy's execution of it cost more
# than the statement. The Numeric comes back from asyncpg as the Decimal SQLAlchemy gave.
_TARGETS = driver.DriverStatement(
    select(StatTarget.indicator, StatTarget.target).where(StatTarget.region_id == bindparam("region_id"))
)


async def targets_of(db: AsyncSession, region_id: uuid.UUID, indicators: list[Indicator]) -> dict[str, float]:
    """The region's targets, over the defaults."""
    targets = {i.key: i.default_target for i in indicators if i.default_target is not None}
    for key, target in await driver.fetch(db, _TARGETS, {"region_id": region_id}):
        targets[key] = float(target)
    return {k: v for k, v in targets.items() if v is not None}


@dataclass(frozen=True, slots=True)
class AreaSnapshotInfo:
    as_of: date
    computed_at: datetime
    organisations: int
    computed: int


def _latest_area_snapshot(key: AreaKey, academic_year: int) -> Select[date, datetime, int, int]:
    """The year's latest snapshot of ``key``, by the area's primary key (the columns of AreaSnapshotInfo)."""
    return (
        select(
            StatAreaSnapshot.as_of,
            StatAreaSnapshot.computed_at,
            StatAreaSnapshot.organisations,
            StatAreaSnapshot.computed,
        )
        .where(
            StatAreaSnapshot.scope == key.scope,
            StatAreaSnapshot.scope_id == key.scope_id,
            StatAreaSnapshot.org_type == key.org_type,
            StatAreaSnapshot.academic_year == academic_year,
        )
        .order_by(StatAreaSnapshot.as_of.desc())
        .limit(1)
    )


async def latest_area_snapshot(db: AsyncSession, key: AreaKey, academic_year: int) -> AreaSnapshotInfo | None:
    row = (await db.execute(_latest_area_snapshot(key, academic_year))).first()
    return AreaSnapshotInfo(*row) if row else None


async def snapshot_and_years(
    db: AsyncSession, key: AreaKey, academic_year: int
) -> tuple[list[int], AreaSnapshotInfo | None]:
    """The academic years with a snapshot of the area (newest first) and the year's latest snapshot of
    ``key``: one statement, both read by the area's primary key."""
    years = (
        select(func.array_agg(StatAreaSnapshot.academic_year.distinct()).label("years"))
        .where(
            StatAreaSnapshot.scope == key.scope,
            StatAreaSnapshot.scope_id == key.scope_id,
            StatAreaSnapshot.org_type == "",
        )
        .subquery("years")
    )
    latest = _latest_area_snapshot(key, academic_year).lateral("latest")
    row = (
        await db.execute(
            select(
                years.c.years, latest.c.as_of, latest.c.computed_at, latest.c.organisations, latest.c.computed
            )
            .select_from(years)
            .outerjoin(latest, true())
        )
    ).one()
    snapshot = AreaSnapshotInfo(*row[1:]) if row[1] is not None else None
    return sorted(row[0] or (), reverse=True), snapshot


@dataclass
class AreaFigures:
    """What a dashboard reads of the area values: its own figures, its municipalities', its trend."""

    values: Values
    municipalities: list[tuple[uuid.UUID, str, Values]]
    trend: TrendPoints


AreaRow = tuple[str, str, int, int | None, int | None, int | None]


async def area_figures(
    db: AsyncSession,
    key: AreaKey,
    region_id: uuid.UUID,
    academic_year: int,
    as_of: date,
    indicators: dict[str, Indicator],
    targets: dict[str, float],
    *,
    municipalities: bool,
    trend: bool,
) -> AreaFigures:
    """:func:`area_values`, and as asked :func:`municipality_values` and the year's trend, in one
    statement (``UNION ALL`` of the three reads, each by its own index)."""
    columns = _AREA_VALUE_COLUMNS
    own = select(
        literal("a").label("part"), literal(None, Uuid).label("scope_id"), literal("").label("name"), *columns
    ).where(
        StatAreaValue.scope == key.scope,
        StatAreaValue.scope_id == key.scope_id,
        StatAreaValue.org_type == key.org_type,
        StatAreaValue.academic_year == academic_year,
        StatAreaValue.as_of == as_of,
    )
    parts = [own]
    if municipalities:
        parts.append(
            select(literal("m"), StatAreaValue.scope_id, Municipality.name, *columns)
            .join(Municipality, Municipality.id == StatAreaValue.scope_id)
            .where(
                StatAreaValue.scope == "municipality",
                StatAreaValue.region_id == region_id,
                StatAreaValue.org_type == key.org_type,
                StatAreaValue.academic_year == academic_year,
                StatAreaValue.as_of == as_of,
                StatAreaValue.breakdown == "",
            )
        )
    if trend:
        parts.append(
            # Only the columns of the trend's index (migration 0030): an index-only scan of its points.
            select(
                literal("t"),
                literal(None, Uuid),
                literal(""),
                StatAreaValue.as_of,
                StatAreaValue.indicator,
                literal(""),
                StatAreaValue.numerator,
                StatAreaValue.denominator,
                StatAreaValue.respondents,
                StatAreaValue.reporting,
            ).where(*_trend_filter(key, academic_year, indicators))
        )
    query = union_all(*parts) if len(parts) > 1 else own
    own_rows: list[AreaRow] = []
    by_municipality: dict[tuple[uuid.UUID, str], list[AreaRow]] = {}
    trend_rows: list[tuple[date, str, int, int | None, int | None]] = []
    for (
        part,
        scope_id,
        name,
        row_as_of,
        indicator,
        breakdown,
        numerator,
        denominator,
        respondents,
        reporting,
    ) in await db.execute(query):
        if part == "a":
            own_rows.append((indicator, breakdown, numerator, denominator, respondents, reporting))
        elif part == "m":
            by_municipality.setdefault((scope_id, name), []).append(
                (indicator, breakdown, numerator, denominator, respondents, reporting)
            )
        else:
            trend_rows.append((row_as_of, indicator, numerator, denominator, respondents))
    trend_rows.sort(key=lambda r: r[0])
    return AreaFigures(
        values=collect(own_rows, indicators, targets),
        municipalities=[
            (mid, name, collect(rows, indicators, targets))
            for (mid, name), rows in sorted(by_municipality.items(), key=lambda kv: (kv[0][1], str(kv[0][0])))
        ],
        trend=_trend(trend_rows, indicators),
    )


async def area_values(
    db: AsyncSession,
    key: AreaKey,
    academic_year: int,
    as_of: date,
    indicators: dict[str, Indicator],
    targets: dict[str, float],
) -> Values:
    rows = await db.execute(
        select(*_AREA_VALUE_COLUMNS[1:]).where(
            StatAreaValue.scope == key.scope,
            StatAreaValue.scope_id == key.scope_id,
            StatAreaValue.org_type == key.org_type,
            StatAreaValue.academic_year == academic_year,
            StatAreaValue.as_of == as_of,
        )
    )
    return collect([tuple(r) for r in rows], indicators, targets)


async def municipality_values(
    db: AsyncSession,
    region_id: uuid.UUID,
    org_type: str,
    academic_year: int,
    as_of: date,
    indicators: dict[str, Indicator],
    targets: dict[str, float],
) -> list[tuple[uuid.UUID, str, Values]]:
    """Each municipality's headline figures (breakdown ''), by name."""
    rows = await db.execute(
        select(
            StatAreaValue.scope_id,
            Municipality.name,
            StatAreaValue.indicator,
            StatAreaValue.breakdown,
            StatAreaValue.numerator,
            StatAreaValue.denominator,
            StatAreaValue.respondents,
            StatAreaValue.reporting,
        )
        .join(Municipality, Municipality.id == StatAreaValue.scope_id)
        .where(
            StatAreaValue.scope == "municipality",
            StatAreaValue.region_id == region_id,
            StatAreaValue.org_type == org_type,
            StatAreaValue.academic_year == academic_year,
            StatAreaValue.as_of == as_of,
            StatAreaValue.breakdown == "",
        )
        .order_by(Municipality.name)
    )
    grouped: dict[tuple[uuid.UUID, str], list[tuple[str, str, int, int | None, int | None, int | None]]] = {}
    for scope_id, name, *value in rows:
        grouped.setdefault((scope_id, name), []).append(tuple(value))  # type: ignore[arg-type]
    return [(mid, name, collect(vals, indicators, targets)) for (mid, name), vals in grouped.items()]


TABLE_KINDS = (Kind.SHARE, Kind.AVERAGE)
"""The kinds of indicator the dashboards' tables show a column of."""


def table_columns(indicators: dict[str, Indicator]) -> list[Indicator]:
    return [i for i in indicators.values() if i.kind in TABLE_KINDS]


def cells_of(values: Values, columns: list[Indicator]) -> tuple[str, ...]:
    """A table row's texts, one per column: rendered once with the figures (and cached with them)
    rather than by the template cell by cell."""
    texts = []
    for indicator in columns:
        figure = values.figures.get(indicator.key)
        texts.append(figure.text if figure is not None else NO_DATA)
    return tuple(texts)


@dataclass(frozen=True, slots=True)
class OrgRow:
    org_id: uuid.UUID
    short_name: str
    full_name: str
    inn: str
    org_type: str
    municipality_id: uuid.UUID
    municipality_name: str
    values: Values
    cells: tuple[str, ...] = ()
    """The texts of the table's columns (:func:`table_columns`), in order."""


@dataclass(frozen=True, slots=True)
class OrgPage:
    rows: list[OrgRow]
    total: int
    page: int
    pages: int


def _org_filter(
    query: Query,
    region_id: uuid.UUID,
    academic_year: int,
    as_of: date,
    org_type: str,
    municipality_id: uuid.UUID | None,
) -> Query:
    query = query.where(
        StatOrgSnapshot.region_id == region_id,
        StatOrgSnapshot.academic_year == academic_year,
        StatOrgSnapshot.as_of == as_of,
    )
    if org_type:
        query = query.where(StatOrgSnapshot.org_type == org_type)
    if municipality_id is not None:
        query = query.where(StatOrgSnapshot.municipality_id == municipality_id)
    return query


async def organisation_page(
    db: AsyncSession,
    *,
    region_id: uuid.UUID,
    academic_year: int,
    as_of: date,
    indicators: dict[str, Indicator],
    targets: dict[str, float],
    org_type: str = "",
    municipality_id: uuid.UUID | None = None,
    sort: str = "name",
    descending: bool = False,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> OrgPage:
    """The organisations of a snapshot sorted by one indicator (in SQL): one page, with their figures.

    One statement: the page (sorted, limited, with the total), then each of its organisations' headline
    figures looked up by its key (``LATERAL``, the primary key of ``stat_org_value``), so the values'
    policy is evaluated on the page's rows only, never on the whole snapshot's."""
    page = max(1, page)
    sort_value = StatOrgValue.__table__.alias("sort_value")
    indicator = indicators.get(sort)
    order: list[Any]
    joined = StatOrgSnapshot.__table__.join(Organisation, Organisation.id == StatOrgSnapshot.org_id).join(
        Municipality, Municipality.id == StatOrgSnapshot.municipality_id
    )
    if indicator is not None:
        joined = joined.outerjoin(
            sort_value,
            and_(
                sort_value.c.org_id == StatOrgSnapshot.org_id,
                sort_value.c.academic_year == StatOrgSnapshot.academic_year,
                sort_value.c.as_of == StatOrgSnapshot.as_of,
                sort_value.c.indicator == indicator.key,
                sort_value.c.breakdown == "",
            ),
        )
        if indicator.kind in (Kind.SHARE, Kind.AVERAGE):
            ratio = cast(sort_value.c.numerator, Numeric) / func.nullif(sort_value.c.denominator, 0)
            if indicator.kind is Kind.AVERAGE:
                ratio = case((sort_value.c.respondents >= 5, ratio), else_=None)
            key = ratio
        else:
            key = sort_value.c.numerator
        order = [key.desc().nulls_last() if descending else key.asc().nulls_last(), Organisation.short_name]
    else:
        order = [Organisation.short_name.desc() if descending else Organisation.short_name.asc()]
    order.append(StatOrgSnapshot.org_id)
    listed_query = _org_filter(
        select(
            StatOrgSnapshot.org_id,
            Organisation.short_name,
            Organisation.full_name,
            Organisation.inn,
            StatOrgSnapshot.org_type,
            StatOrgSnapshot.municipality_id,
            Municipality.name.label("municipality_name"),
            StatOrgSnapshot.academic_year,
            StatOrgSnapshot.as_of,
            func.count().over().label("total"),
            func.row_number().over(order_by=order).label("position"),
        )
        .select_from(joined)
        .order_by(*order),
        region_id,
        academic_year,
        as_of,
        org_type,
        municipality_id,
    )
    listed = listed_query.limit(page_size).offset((page - 1) * page_size).subquery("listed")
    figures = (
        select(
            func.array_agg(StatOrgValue.indicator).label("indicators"),
            func.array_agg(StatOrgValue.numerator).label("numerators"),
            func.array_agg(StatOrgValue.denominator).label("denominators"),
            func.array_agg(StatOrgValue.respondents).label("respondents"),
        )
        # The whole key from the page's row, none of it a constant: the planner then estimates the lookup
        # as one organisation's rows of one snapshot (by the columns' distinct values) and probes the
        # primary key, even for a snapshot date or year its statistics have not seen yet (a constant date
        # it has not seen reads as one row of the snapshot, and it scanned the snapshot per organisation).
        .where(
            StatOrgValue.org_id == listed.c.org_id,
            StatOrgValue.academic_year == listed.c.academic_year,
            StatOrgValue.as_of == listed.c.as_of,
            StatOrgValue.breakdown == "",
        )
        .lateral("figures")
    )
    result = (
        await db.execute(
            select(
                listed.c.org_id,
                listed.c.short_name,
                listed.c.full_name,
                listed.c.inn,
                listed.c.org_type,
                listed.c.municipality_id,
                listed.c.municipality_name,
                listed.c.total,
                figures.c.indicators,
                figures.c.numerators,
                figures.c.denominators,
                figures.c.respondents,
            )
            .select_from(listed)
            .outerjoin(figures, true())
            .order_by(listed.c.position)
        )
    ).all()
    if not result and page > 1:  # past the last page: show the last one
        total = int(
            await db.scalar(
                _org_filter(
                    select(func.count()).select_from(StatOrgSnapshot),
                    region_id,
                    academic_year,
                    as_of,
                    org_type,
                    municipality_id,
                )
            )
            or 0
        )
        last = max(1, -(-total // page_size))
        if last < page:
            return await organisation_page(
                db,
                region_id=region_id,
                academic_year=academic_year,
                as_of=as_of,
                indicators=indicators,
                targets=targets,
                org_type=org_type,
                municipality_id=municipality_id,
                sort=sort,
                descending=descending,
                page=last,
                page_size=page_size,
            )
    total = int(result[0].total) if result else 0
    columns = table_columns(indicators)
    rows = []
    for r in result:
        values = collect(
            [
                (key, "", numerator, denominator, respondents, None)
                for key, numerator, denominator, respondents in zip(
                    r.indicators or (),
                    r.numerators or (),
                    r.denominators or (),
                    r.respondents or (),
                    strict=True,
                )
            ],
            indicators,
            targets,
        )
        rows.append(OrgRow(*r[:7], values=values, cells=cells_of(values, columns)))
    return OrgPage(rows=rows, total=total, page=page, pages=max(1, -(-total // page_size)))


async def org_values(
    db: AsyncSession,
    org_ids: list[uuid.UUID],
    academic_year: int,
    as_of: date,
    indicators: dict[str, Indicator],
    targets: dict[str, float],
    *,
    headline_only: bool = False,
) -> dict[uuid.UUID, Values]:
    if not org_ids:
        return {}
    query = select(
        StatOrgValue.org_id,
        StatOrgValue.indicator,
        StatOrgValue.breakdown,
        StatOrgValue.numerator,
        StatOrgValue.denominator,
        StatOrgValue.respondents,
    ).where(
        StatOrgValue.org_id.in_(org_ids),
        StatOrgValue.academic_year == academic_year,
        StatOrgValue.as_of == as_of,
    )
    if headline_only:
        query = query.where(StatOrgValue.breakdown == "")
    grouped: dict[uuid.UUID, list[tuple[str, str, int, int | None, int | None, int | None]]] = defaultdict(
        list
    )
    for org_id, key, breakdown, numerator, denominator, respondents in await db.execute(query):
        grouped[org_id].append((key, breakdown, numerator, denominator, respondents, None))
    return {org_id: collect(rows, indicators, targets) for org_id, rows in grouped.items()}


TrendPoints = dict[str, list[tuple[date, float | None]]]


@dataclass
class OrgPageFigures:
    """What an organisation's figures page reads of the snapshots (:func:`org_page_figures`)."""

    years: list[int]
    """The academic years with a snapshot of any area in the region, newest first."""
    latest: tuple[date, datetime] | None
    """The organisation's latest snapshot of the year: its date and time of computation."""
    values: Values
    """Its figures as of that snapshot, every breakdown (as :func:`org_values` reads them)."""
    region: Values
    """The region's figures as of that date, all types (as :func:`area_values` reads them)."""
    municipality: Values
    """Its municipality's figures as of that date, where asked."""
    trend: TrendPoints
    """Its shares' and averages' headline values over the year's snapshots, oldest first."""


@functools.lru_cache(maxsize=16)
def _org_page_statement(with_municipality: bool, trend_keys: tuple[str, ...]) -> driver.DriverStatement:
    """:func:`org_page_figures`'s statement, built and compiled once per shape (with the municipality's
    figures or not) and trend keys (one set per plugin set): the statement is the same on every request
    but for its parameters, and building it (the ``LATERAL`` over a ``UNION ALL`` of four parts) and
    SQLAlchemy's execution of it cost several times the statement's own time (docs/hot-path.md)."""
    org_id: Any = bindparam("org_id")
    region_id: Any = bindparam("region_id")
    academic_year: Any = bindparam("academic_year")
    years = (
        select(func.array_agg(StatAreaSnapshot.academic_year.distinct()).label("years"))
        .where(StatAreaSnapshot.region_id == region_id)
        .subquery("years")
    )
    latest = (
        select(StatOrgSnapshot.as_of, StatOrgSnapshot.computed_at)
        .where(StatOrgSnapshot.org_id == org_id, StatOrgSnapshot.academic_year == academic_year)
        .order_by(StatOrgSnapshot.as_of.desc())
        .limit(1)
        .lateral("latest")
    )

    def area(part: str, scope: str, scope_id: Any) -> Select[*tuple[Any, ...]]:
        return select(literal(part).label("part"), *_AREA_VALUE_COLUMNS).where(
            StatAreaValue.scope == scope,
            StatAreaValue.scope_id == scope_id,
            StatAreaValue.org_type == "",
            StatAreaValue.academic_year == academic_year,
            StatAreaValue.as_of == latest.c.as_of,
        )

    parts: list[Select[*tuple[Any, ...]]] = [
        select(
            literal("o").label("part"), *_ORG_VALUE_COLUMNS, literal(None, BigInteger).label("reporting")
        ).where(
            StatOrgValue.org_id == org_id,
            StatOrgValue.academic_year == academic_year,
            StatOrgValue.as_of == latest.c.as_of,
        ),
        area("r", "region", region_id),
    ]
    if with_municipality:
        parts.append(area("m", "municipality", bindparam("municipality_id")))
    parts.append(
        select(literal("t"), *_ORG_VALUE_COLUMNS, literal(None, BigInteger)).where(
            StatOrgValue.org_id == org_id,
            StatOrgValue.academic_year == academic_year,
            StatOrgValue.breakdown == "",
            # One array parameter, not an expanding IN; the keys are the statement's own (fixed at compile).
            StatOrgValue.indicator == any_(bindparam("trend_keys", list(trend_keys), type_=ARRAY(String))),
            # Only beside a snapshot of the year, as the separate reads ran the trend only then.
            latest.c.as_of.is_not(None),
        )
    )
    values = union_all(*parts).lateral("parts")
    return driver.DriverStatement(
        select(years.c.years, latest.c.as_of, latest.c.computed_at, *values.c)
        .select_from(years)
        .outerjoin(latest, true())
        .outerjoin(values, true())
    )


async def org_page_figures(
    db: AsyncSession,
    org_id: uuid.UUID,
    region_id: uuid.UUID,
    municipality_id: uuid.UUID | None,
    academic_year: int,
    indicators: dict[str, Indicator],
    targets: dict[str, float],
) -> OrgPageFigures:
    """An organisation's figures page, read in one statement: the region's academic years with a snapshot,
    the organisation's latest snapshot of the year, and as of it the organisation's values, the region's
    (and ``municipality_id``'s where given), and the year's trend of its shares and averages.

    The years are an aggregate (always one row); the latest snapshot is looked up beside them
    (``LATERAL``), and the values and the trend's points beside that (``LATERAL`` over a ``UNION ALL`` of
    the parts, each by its table's primary key): one round trip where there were five. Every table is
    read in the session, under the same policies as separate reads (the region's figures, for instance,
    only where a member may see them). Nothing is read but the years when the organisation has no
    snapshot of the year."""
    statement = _org_page_statement(municipality_id is not None, tuple(_trend_keys(indicators)))
    params = {"org_id": org_id, "region_id": region_id, "academic_year": academic_year}
    if municipality_id is not None:
        params["municipality_id"] = municipality_id
    rows = await driver.fetch(db, statement, params)
    years_found, as_of_found, computed_at = rows[0][:3]  # the same on every row
    found: dict[str, list[AreaRow]] = {"o": [], "r": [], "m": []}
    trend_rows: list[tuple[date, str, int, int | None, int | None]] = []
    for _, _, _, part, as_of, indicator, breakdown, numerator, denominator, respondents, reporting in rows:
        if part == "t":
            trend_rows.append((as_of, indicator, numerator, denominator, respondents))
        elif part is not None:
            found[part].append((indicator, breakdown, numerator, denominator, respondents, reporting))
    trend_rows.sort(key=lambda r: r[0])
    return OrgPageFigures(
        years=sorted(years_found or (), reverse=True),
        latest=(as_of_found, computed_at) if as_of_found is not None else None,
        values=collect(found["o"], indicators, targets),
        region=collect(found["r"], indicators, targets),
        municipality=collect(found["m"], indicators, targets),
        trend=_trend(trend_rows, indicators),
    )


def _trend_filter(key: AreaKey, academic_year: int, indicators: dict[str, Indicator]) -> list[Any]:
    """The headline rows of every share and average of the area over the year's snapshots."""
    return [
        StatAreaValue.scope == key.scope,
        StatAreaValue.scope_id == key.scope_id,
        StatAreaValue.org_type == key.org_type,
        StatAreaValue.academic_year == academic_year,
        # A literal, so that a generic plan too matches the partial index of the trend (migration 0030).
        StatAreaValue.breakdown == literal_column("''"),
        StatAreaValue.indicator.in_(_trend_keys(indicators)),
    ]


def _trend_keys(indicators: dict[str, Indicator]) -> list[str]:
    """The indicators a trend follows: the shares and averages."""
    return [k for k, i in indicators.items() if i.kind in TABLE_KINDS]


def _trend(rows: object, indicators: dict[str, Indicator]) -> TrendPoints:
    """Each share's and average's value per snapshot (a year of daily snapshots is thousands of rows:
    the value is computed as :class:`Figure` computes it, without building one per row)."""
    points: TrendPoints = {}
    for as_of, key, numerator, denominator, respondents in rows:  # type: ignore[attr-defined]
        if indicators[key].kind is Kind.AVERAGE:
            value = average(numerator, denominator, respondents)
        else:
            value = share(numerator, denominator)
        points.setdefault(key, []).append((as_of, value))
    return in_catalogue_order(points, indicators)


def as_decimal(value: float) -> Decimal:
    return Decimal(str(round(value, 2)))
