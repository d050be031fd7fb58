"""Running the real arq worker in the test process, without cron jobs (the clock must not add runs)."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import func, select

from nastavnik.domain.statistics.models import StatRun
from nastavnik.runtime import Runtime
from nastavnik.worker import build_worker


async def run_worker(runtime: Runtime, seconds: float = 60) -> int:
    """Work the queue until it is empty; returns the number of jobs completed."""
    worker = build_worker(runtime, burst=True, poll_delay=0.05, keep_result=0, cron_jobs=[])
    try:
        await asyncio.wait_for(worker.async_run(), timeout=seconds)
    finally:
        await worker.close()
    return int(worker.jobs_complete)


async def runs_of(runtime: Runtime, region_id: uuid.UUID) -> int:
    async with runtime.owner_sessions() as db:
        return int(
            await db.scalar(select(func.count()).select_from(StatRun).where(StatRun.region_id == region_id))
            or 0
        )
