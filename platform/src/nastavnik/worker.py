"""The arq worker: runs the jobs that the core and the plugins register."""

from __future__ import annotations

import asyncio
import signal
from typing import Any, cast

from arq import cron
from arq.typing import WorkerCoroutine
from arq.worker import Function, Worker, func

from nastavnik.domain import load_models
from nastavnik.jobs import queue_name, redis_settings
from nastavnik.runtime import Runtime
from nastavnik.types import JobSpec


def collect_jobs(runtime: Runtime) -> list[JobSpec]:
    specs: list[JobSpec] = runtime.plugins.flatten("register_jobs")
    names = [s.name for s in specs]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise ValueError(f"job names registered twice: {sorted(duplicates)}")
    return specs


def job_timeout(spec: JobSpec, runtime: Runtime) -> int:
    """The job's own timeout, capped by ``worker_job_timeout`` where the deployment sets one."""
    cap = runtime.settings.worker_job_timeout
    return spec.timeout_seconds if cap is None else min(spec.timeout_seconds, cap)


def build_worker(runtime: Runtime, **overrides: Any) -> Worker:
    load_models()  # every domain's tables, before the first query configures the mappers
    specs = collect_jobs(runtime)
    functions: list[Function] = [
        func(
            cast(WorkerCoroutine, s.function),
            name=s.name,
            max_tries=s.max_tries,
            timeout=job_timeout(s, runtime),
            keep_result=s.keep_result_seconds,
        )
        for s in specs
    ]
    cron_jobs = [
        cron(
            cast(WorkerCoroutine, s.function),
            name=f"cron:{s.name}",
            minute=set(s.cron_minutes) if s.cron_minutes is not None else None,
            hour=set(s.cron_hours) if s.cron_hours is not None else None,
            max_tries=s.max_tries,
            timeout=job_timeout(s, runtime),
            run_at_startup=False,
        )
        for s in specs
        if s.cron_minutes is not None or s.cron_hours is not None
    ]

    async def on_startup(ctx: dict[str, Any]) -> None:
        ctx["runtime"] = runtime

    assert runtime.settings.redis_url is not None
    options: dict[str, Any] = {
        "functions": functions,
        "cron_jobs": cron_jobs,
        "redis_settings": redis_settings(runtime.settings.redis_url),
        "queue_name": queue_name(runtime.settings),
        "on_startup": on_startup,
        # The command that runs the worker owns SIGINT/SIGTERM (it may also run the web server and the
        # embedded services) and stops the worker through stop_worker.
        "handle_signals": False,
        "job_completion_wait": runtime.settings.worker_shutdown_grace,
        "keep_result": 3600,
    }
    options.update(overrides)
    return Worker(**options)


async def stop_worker(
    worker: Worker, running: asyncio.Task[None], signum: signal.Signals, *, grace: float
) -> None:
    """Stop ``worker`` (running as ``running``) as arq stops on a signal, then close its pools.

    arq takes no new job, lets the running ones finish for ``grace`` seconds (the worker's
    ``job_completion_wait``, from ``worker_shutdown_grace``) and then
    cancels them; a cancelled job is put back in the queue at once («cancelled, will be run again»).
    """
    if not running.done():
        worker.handle_sig_wait_for_completion(signum)
        # arq then cancels its main task; a worker still connecting has none yet, hence the bound.
        await asyncio.wait({running}, timeout=grace + 5)
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
    await worker.close()
