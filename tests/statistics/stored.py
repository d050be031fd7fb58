"""What the recompute stored, read back as the owner in the reference's shapes."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import select

from nastavnik.domain.statistics.models import StatAreaSnapshot, StatAreaValue, StatOrgSnapshot, StatOrgValue
from nastavnik.runtime import Runtime
from tests.statistics.reference import AreaKey, AreaValue, Key, Value
from tests.statistics.spec import BuiltRegion

Figures = dict[Key, tuple[int, int | None]]
"""Numerator and denominator by (indicator, breakdown)."""


async def org_rows(runtime: Runtime, org_id: uuid.UUID, year: int | None, as_of: date) -> dict[Key, Value]:
    """An organisation's stored rows of the snapshot of ``as_of`` (of the academic year ``year``; None:
    whichever year the date's snapshot is of)."""
    where = [StatOrgValue.org_id == org_id, StatOrgValue.as_of == as_of]
    if year is not None:
        where.append(StatOrgValue.academic_year == year)
    async with runtime.owner_sessions() as db:
        rows = await db.execute(
            select(
                StatOrgValue.indicator,
                StatOrgValue.breakdown,
                StatOrgValue.numerator,
                StatOrgValue.denominator,
                StatOrgValue.respondents,
            ).where(*where)
        )
        return {(i, b): (n, d, r) for i, b, n, d, r in rows}


async def region_rows(
    runtime: Runtime, region_id: uuid.UUID, year: int | None, as_of: date
) -> dict[Key, AreaValue]:
    """The region's stored rows over every organisation type (``org_type`` ''), as :func:`org_rows`."""
    where = [
        StatAreaValue.scope == "region",
        StatAreaValue.scope_id == region_id,
        StatAreaValue.org_type == "",
        StatAreaValue.as_of == as_of,
    ]
    if year is not None:
        where.append(StatAreaValue.academic_year == year)
    async with runtime.owner_sessions() as db:
        rows = await db.execute(
            select(
                StatAreaValue.indicator,
                StatAreaValue.breakdown,
                StatAreaValue.numerator,
                StatAreaValue.denominator,
                StatAreaValue.respondents,
                StatAreaValue.reporting,
            ).where(*where)
        )
        return {(i, b): (n, d, r, rep) for i, b, n, d, r, rep in rows}


async def org_figures(runtime: Runtime, org_id: uuid.UUID, as_of: date) -> Figures:
    """:func:`org_rows` of the snapshot of ``as_of``: numerators and denominators only."""
    return {
        key: (value[0], value[1]) for key, value in (await org_rows(runtime, org_id, None, as_of)).items()
    }


async def region_figures(runtime: Runtime, region_id: uuid.UUID, as_of: date) -> Figures:
    """:func:`region_rows` of the snapshot of ``as_of``: numerators and denominators only."""
    return {
        key: (value[0], value[1])
        for key, value in (await region_rows(runtime, region_id, None, as_of)).items()
    }


async def area_rows(runtime: Runtime, built: BuiltRegion, year: int, as_of: date) -> dict[AreaKey, AreaValue]:
    names = {v: k for k, v in built.municipalities.items()}
    async with runtime.owner_sessions() as db:
        rows = await db.execute(
            select(
                StatAreaValue.scope,
                StatAreaValue.scope_id,
                StatAreaValue.org_type,
                StatAreaValue.indicator,
                StatAreaValue.breakdown,
                StatAreaValue.numerator,
                StatAreaValue.denominator,
                StatAreaValue.respondents,
                StatAreaValue.reporting,
            ).where(
                StatAreaValue.region_id == built.id,
                StatAreaValue.academic_year == year,
                StatAreaValue.as_of == as_of,
            )
        )
        return {
            (scope, names.get(scope_id, ""), org_type, i, b): (n, d, r, rep)
            for scope, scope_id, org_type, i, b, n, d, r, rep in rows
        }


async def everything(runtime: Runtime, built: BuiltRegion, year: int, as_of: date) -> dict[str, Any]:
    """Every stored row of the snapshot, times of computation aside."""
    async with runtime.owner_sessions() as db:
        org_snapshots = set(
            await db.execute(
                select(
                    StatOrgSnapshot.org_id, StatOrgSnapshot.municipality_id, StatOrgSnapshot.org_type
                ).where(
                    StatOrgSnapshot.region_id == built.id,
                    StatOrgSnapshot.academic_year == year,
                    StatOrgSnapshot.as_of == as_of,
                )
            )
        )
        area_snapshots = set(
            await db.execute(
                select(
                    StatAreaSnapshot.scope,
                    StatAreaSnapshot.scope_id,
                    StatAreaSnapshot.org_type,
                    StatAreaSnapshot.organisations,
                    StatAreaSnapshot.computed,
                ).where(
                    StatAreaSnapshot.region_id == built.id,
                    StatAreaSnapshot.academic_year == year,
                    StatAreaSnapshot.as_of == as_of,
                )
            )
        )
    return {
        "organisations": {
            key: await org_rows(runtime, org_id, year, as_of) for key, org_id in built.orgs.items()
        },
        "areas": await area_rows(runtime, built, year, as_of),
        "org_snapshots": org_snapshots,
        "area_snapshots": area_snapshots,
    }
