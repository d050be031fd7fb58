"""The job that makes an organisation's figures fresh after a change (scheduled by ``fresh_figures``).

It recomputes the organisation for today on its region's clock, in the current academic year; the
recompute derives the municipality and region rows again from the organisations' stored rows, so every
level adds up exactly as after a full run. On a day the region has no snapshot of yet (after midnight,
before the night's run), recomputing one organisation would show the dashboards a region of one: the job
recomputes the whole region then, once, and the organisations' runs after it are incremental again.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import text

from nastavnik import clock
from nastavnik.domain.statistics.jobs import is_transient, recompute_job, retry_later
from nastavnik.domain.statistics.recompute import ScopeKind, Snapshot
from nastavnik.fresh_figures import scheduled_key
from nastavnik.models.reference import AcademicYear
from nastavnik.runtime import Runtime

_PLACE = """
SELECT m.region_id, r.timezone
  FROM organisation o JOIN municipality m ON m.id = o.municipality_id JOIN region r ON r.id = m.region_id
 WHERE o.id = :org_id"""

_REGION_DONE = """
SELECT EXISTS (SELECT 1 FROM stat_area_snapshot
                WHERE scope = 'region' AND scope_id = :region_id AND org_type = ''
                  AND academic_year = CAST(:year AS integer) AND as_of = CAST(:as_of AS date))"""


async def snapshot_for(runtime: Runtime, org_id: uuid.UUID) -> Snapshot | None:
    """What a change in ``org_id`` calls for now: the organisation's snapshot of today, or the region's
    when the region has none of today yet; None for an organisation that no longer exists."""
    async with runtime.aggregator_engine.connect() as conn:
        place = (await conn.execute(text(_PLACE), {"org_id": org_id})).first()
        if place is None:
            return None
        region_id, timezone = place
        as_of = clock.today_in(timezone)
        year = AcademicYear.start_year_of(as_of)
        done = await conn.scalar(text(_REGION_DONE), {"region_id": region_id, "year": year, "as_of": as_of})
    if done:
        return Snapshot(ScopeKind.ORGANISATION, org_id, year, as_of)
    return Snapshot(ScopeKind.REGION, region_id, year, as_of)


async def fresh_job(ctx: dict[str, Any], org_id: str) -> dict[str, Any]:
    """Recompute one organisation after changes (see the module)."""
    runtime: Runtime = ctx["runtime"]
    organisation = uuid.UUID(org_id)
    # First, before anything is read: a change committed from here on schedules the next run.
    await runtime.redis.delete(scheduled_key(runtime, organisation))
    try:
        snapshot = await snapshot_for(runtime, organisation)
    except Exception as exc:
        if is_transient(exc):
            raise retry_later(ctx) from exc
        raise
    if snapshot is None:
        return {"organisation": org_id, "organisations": 0}
    return await recompute_job(
        ctx, snapshot.scope.value, str(snapshot.scope_id), snapshot.academic_year, snapshot.as_of.isoformat()
    )
