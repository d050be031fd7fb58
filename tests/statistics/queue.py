"""The statistics jobs' queue in the tests: worked by the real arq worker, counted by the runs it left."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from nastavnik.domain.statistics.models import StatRun
from nastavnik.runtime import Runtime
from tests.support.worker import run_queued_jobs


async def run_worker(runtime: Runtime, seconds: float = 60) -> int:
    """Work the queue until it is empty, keeping no job's result (a snapshot's id may run again)."""
    return await run_queued_jobs(runtime, seconds=seconds, keep_result=0)


async def runs_of(runtime: Runtime, region_id: uuid.UUID) -> int:
    async with runtime.owner_sessions() as db:
        return int(
            await db.scalar(select(func.count()).select_from(StatRun).where(StatRun.region_id == region_id))
            or 0
        )
