"""The real arq worker, run in the test process over this run's queue."""

from __future__ import annotations

import asyncio
from typing import Any

from nastavnik.runtime import Runtime
from nastavnik.worker import build_worker


async def run_queued_jobs(runtime: Runtime, *, seconds: float = 60, **overrides: Any) -> int:
    """Work the queue until it is empty, without cron jobs (the clock must not add runs); returns the
    number of jobs completed. ``overrides`` go to the worker (``keep_result=0``: a job id may run again)."""
    worker = build_worker(runtime, burst=True, poll_delay=0.05, cron_jobs=[], **overrides)
    try:
        await asyncio.wait_for(worker.async_run(), timeout=seconds)
    finally:
        await worker.close()
    return int(worker.jobs_complete)
