"""Reading snapshots back: the same queries for the dashboards (application role, under its policies)
and the reports (aggregator role). Who may read what is the policies' business and the services'."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import Numeric, Select, and_, case, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.domain.statistics.definitions import Indicator, Kind
from nastavnik.domain.statistics.figures import Figure
from nastavnik.domain.statistics.models import (
    StatAreaSnapshot,
    StatAreaValue,
    StatOrgSnapshot,
    StatOrgValue,
    StatTarget,
)
from nastavnik.models.reference import Municipality, Organisation

PAGE_SIZE = 50
Query = TypeVar("Query", bound=Select[*tuple[Any, ...]])


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
    return values


async def targets_of(db: AsyncSession, region_id: uuid.UUID, indicators: list[Indicator]) -> dict[str, float]:
    """The region's targets, over the defaults."""
    targets = {i.key: i.default_target for i in indicators if i.default_target is not None}
    rows = await db.execute(
        select(StatTarget.indicator, StatTarget.target).where(StatTarget.region_id == region_id)
    )
    for key, target in rows:
        targets[key] = float(target)
    return {k: v for k, v in targets.items() if v is not None}


async def years_of(db: AsyncSession, region_id: uuid.UUID) -> list[int]:
    rows = await db.scalars(
        select(StatAreaSnapshot.academic_year)
        .where(StatAreaSnapshot.region_id == region_id)
        .distinct()
        .order_by(StatAreaSnapshot.academic_year.desc())
    )
    return list(rows)


@dataclass(frozen=True, slots=True)
class AreaSnapshotInfo:
    as_of: date
    computed_at: datetime
    organisations: int
    computed: int


async def latest_area_snapshot(db: AsyncSession, key: AreaKey, academic_year: int) -> AreaSnapshotInfo | None:
    row = (
        await db.execute(
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
    ).first()
    return AreaSnapshotInfo(*row) if row else None


async def area_values(
    db: AsyncSession,
    key: AreaKey,
    academic_year: int,
    as_of: date,
    indicators: dict[str, Indicator],
    targets: dict[str, float],
) -> Values:
    rows = await db.execute(
        select(
            StatAreaValue.indicator,
            StatAreaValue.breakdown,
            StatAreaValue.numerator,
            StatAreaValue.denominator,
            StatAreaValue.respondents,
            StatAreaValue.reporting,
        ).where(
            StatAreaValue.scope == key.scope,
            StatAreaValue.scope_id == key.scope_id,
            StatAreaValue.org_type == key.org_type,
            StatAreaValue.academic_year == academic_year,
            StatAreaValue.as_of == as_of,
        )
    )
    return collect([tuple(r) for r in rows], indicators, targets)  # type: ignore[misc]


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
    """The organisations of a snapshot sorted by one indicator (in SQL): one page, with their figures."""
    page = max(1, page)
    sort_value = StatOrgValue.__table__.alias("sort_value")
    # One statement for the page and the total (every read of these rows evaluates the oversight policy).
    query = (
        select(
            StatOrgSnapshot.org_id,
            Organisation.short_name,
            Organisation.full_name,
            Organisation.inn,
            StatOrgSnapshot.org_type,
            StatOrgSnapshot.municipality_id,
            Municipality.name,
            func.count().over().label("total"),
        )
        .join(Organisation, Organisation.id == StatOrgSnapshot.org_id)
        .join(Municipality, Municipality.id == StatOrgSnapshot.municipality_id)
    )
    indicator = indicators.get(sort)
    if indicator is not None:
        query = query.outerjoin(
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
        order = key.desc().nulls_last() if descending else key.asc().nulls_last()
        query = query.order_by(order, Organisation.short_name, StatOrgSnapshot.org_id)
    else:
        name = Organisation.short_name.desc() if descending else Organisation.short_name.asc()
        query = query.order_by(name, StatOrgSnapshot.org_id)
    query = _org_filter(query, region_id, academic_year, as_of, org_type, municipality_id)
    listed = (await db.execute(query.limit(page_size).offset((page - 1) * page_size))).all()
    if not listed and page > 1:  # past the last page: show the last one
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
    total = int(listed[0][-1]) if listed else 0
    ids = [r[0] for r in listed]
    values = await org_values(db, ids, academic_year, as_of, indicators, targets, headline_only=True)
    rows = [OrgRow(*r[:-1], values=values.get(r[0], Values())) for r in listed]
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


async def latest_org_snapshot(
    db: AsyncSession, org_id: uuid.UUID, academic_year: int
) -> tuple[date, datetime] | None:
    row = (
        await db.execute(
            select(StatOrgSnapshot.as_of, StatOrgSnapshot.computed_at)
            .where(StatOrgSnapshot.org_id == org_id, StatOrgSnapshot.academic_year == academic_year)
            .order_by(StatOrgSnapshot.as_of.desc())
            .limit(1)
        )
    ).first()
    return (row[0], row[1]) if row else None


TrendPoints = dict[str, list[tuple[date, float | None]]]


async def area_trend(
    db: AsyncSession, key: AreaKey, academic_year: int, indicators: dict[str, Indicator]
) -> TrendPoints:
    """The value of every share and average over the snapshots of the year, oldest first."""
    keys = [k for k, i in indicators.items() if i.kind in (Kind.SHARE, Kind.AVERAGE)]
    rows = await db.execute(
        select(
            StatAreaValue.as_of,
            StatAreaValue.indicator,
            StatAreaValue.numerator,
            StatAreaValue.denominator,
            StatAreaValue.respondents,
        )
        .where(
            StatAreaValue.scope == key.scope,
            StatAreaValue.scope_id == key.scope_id,
            StatAreaValue.org_type == key.org_type,
            StatAreaValue.academic_year == academic_year,
            StatAreaValue.breakdown == "",
            StatAreaValue.indicator.in_(keys),
        )
        .order_by(StatAreaValue.as_of)
    )
    return _trend(rows, indicators)


async def org_trend(
    db: AsyncSession, org_id: uuid.UUID, academic_year: int, indicators: dict[str, Indicator]
) -> TrendPoints:
    keys = [k for k, i in indicators.items() if i.kind in (Kind.SHARE, Kind.AVERAGE)]
    rows = await db.execute(
        select(
            StatOrgValue.as_of,
            StatOrgValue.indicator,
            StatOrgValue.numerator,
            StatOrgValue.denominator,
            StatOrgValue.respondents,
        )
        .where(
            StatOrgValue.org_id == org_id,
            StatOrgValue.academic_year == academic_year,
            StatOrgValue.breakdown == "",
            StatOrgValue.indicator.in_(keys),
        )
        .order_by(StatOrgValue.as_of)
    )
    return _trend(rows, indicators)


def _trend(rows: object, indicators: dict[str, Indicator]) -> TrendPoints:
    points: TrendPoints = {}
    for as_of, key, numerator, denominator, respondents in rows:  # type: ignore[attr-defined]
        figure = Figure(indicators[key], int(numerator), denominator, respondents)
        points.setdefault(key, []).append((as_of, figure.value))
    return points


def as_decimal(value: float) -> Decimal:
    return Decimal(str(round(value, 2)))
