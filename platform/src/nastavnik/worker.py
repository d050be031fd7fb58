"""The arq worker: runs the jobs that the core and the plugins register."""

from __future__ import annotations

import asyncio
import dataclasses
import signal
from typing import Any, cast

from arq import cron
from arq.typing import WorkerCoroutine
from arq.worker import Function, Worker, func

from nastavnik import request_ids
from nastavnik.default_plugins.services import PluginServices
from nastavnik.domain import load_models
from nastavnik.jobs import queue_name, redis_settings
from nastavnik.metrics import measured
from nastavnik.plugin_context import JobContext, job_opener
from nastavnik.plugins import LoadedPlugin
from nastavnik.runtime import Runtime
from nastavnik.types import JobSpec


def collect_jobs(runtime: Runtime) -> list[JobSpec]:
    """Every job the plugins register (names unique: checked at start-up), as the worker runs it."""
    return [_as_run(runtime, plugin, spec) for plugin, spec in runtime.plugins.jobs()]


def _as_run(runtime: Runtime, plugin: LoadedPlugin, spec: JobSpec) -> JobSpec:
    """A plugin's job receives a narrow :class:`JobContext` first; the core's (default plugins') keep arq's
    context, whose ``"runtime"`` is the process's runtime."""
    if plugin.default:
        return spec
    function = spec.function
    opener = job_opener(runtime.app_sessions, runtime.plugins, plugin, PluginServices(runtime))
    config = runtime.plugins.config(plugin.name)

    async def run(ctx: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        job = JobContext(
            plugin=plugin.name,
            job_id=str(ctx.get("job_id", "")),
            job_try=int(ctx.get("job_try", 1)),
            config=config,
            opener=opener,
        )
        return await function(job, *args, **kwargs)

    run.__qualname__ = run.__name__ = spec.name
    return dataclasses.replace(spec, function=run)


def job_timeout(spec: JobSpec, runtime: Runtime) -> int:
    """The job's own timeout, capped by ``worker_job_timeout`` where the deployment sets one."""
    cap = runtime.settings.worker_job_timeout
    return spec.timeout_seconds if cap is None else min(spec.timeout_seconds, cap)


def build_worker(runtime: Runtime, **overrides: Any) -> Worker:
    load_models()  # every domain's tables, before the first query configures the mappers
    # Every job, the core's and the plugins', counted and timed by its name (nastavnik.metrics).
    specs = [dataclasses.replace(s, function=measured(s.name, s.function)) for s in collect_jobs(runtime)]
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
            # arq de-duplicates a cron run by its job id only while the result is kept: keeping it an hour
            # stops a worker whose clock lags a little from running the same run again.
            keep_result=3600,
        )
        for s in specs
        if s.cron_minutes is not None or s.cron_hours is not None
    ]

    async def on_startup(ctx: dict[str, Any]) -> None:
        ctx["runtime"] = runtime

    async def on_job_start(ctx: dict[str, Any]) -> None:
        """In the job's own task (arq runs each in one), before arq logs its start: the job's log lines,
        arq's included, carry the request that enqueued it, the job's name and id; so do the jobs it
        enqueues in turn."""
        origin = request_ids.job_origin()
        request_ids.bind(
            origin.request_id if origin else None,
            job=origin.name if origin else None,
            job_id=str(ctx.get("job_id", "")),
        )

    assert runtime.settings.redis_url is not None
    options: dict[str, Any] = {
        "functions": functions,
        "cron_jobs": cron_jobs,
        "redis_settings": redis_settings(runtime.settings.redis_url),
        "queue_name": queue_name(runtime.settings),
        "on_startup": on_startup,
        "on_job_start": on_job_start,
        "job_serializer": request_ids.serialize_job,
        "job_deserializer": request_ids.deserialize_job,
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
