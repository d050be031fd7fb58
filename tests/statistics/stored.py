"""What the recompute stored, read back as the owner in the reference's shapes."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select

from nastavnik.domain.statistics.models import StatAreaValue, StatOrgValue
from nastavnik.runtime import Runtime
from tests.statistics.reference import AreaKey, AreaValue, Key, Value
from tests.statistics.spec import BuiltRegion


async def org_rows(runtime: Runtime, org_id: uuid.UUID, year: int, as_of: date) -> dict[Key, Value]:
    async with runtime.owner_sessions() as db:
        rows = await db.execute(
            select(
                StatOrgValue.indicator,
                StatOrgValue.breakdown,
                StatOrgValue.numerator,
                StatOrgValue.denominator,
                StatOrgValue.respondents,
            ).where(
                StatOrgValue.org_id == org_id, StatOrgValue.academic_year == year, StatOrgValue.as_of == as_of
            )
        )
        return {(i, b): (n, d, r) for i, b, n, d, r in rows}


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
