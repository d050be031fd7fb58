"""The statistics jobs of ``nastavnik worker``: recompute one snapshot, the nightly run, reports.

A recompute is enqueued with a job id made of its snapshot, so a request for a recompute that is
queued or running joins it (arq drops the duplicate), and because the job keeps no result
(``keep_result_seconds=0``) the next request after it finished runs again. Connection failures and
other transient database errors raise arq's ``Retry``; cron jobs and recomputes get ``max_tries`` 3.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import structlog
from arq import Retry
from arq.jobs import Job, JobStatus
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, TimeoutError as PoolTimeout

from nastavnik import clock
from nastavnik.domain.statistics.recompute import ScopeKind, Snapshot, UnknownScope, recompute
from nastavnik.jobs import enqueue, queue_name
from nastavnik.models.reference import AcademicYear
from nastavnik.runtime import Runtime

log = structlog.get_logger(__name__)

RECOMPUTE_JOB = "core.statistics.recompute"
NIGHTLY_JOB = "core.statistics.nightly"
REPORT_JOB = "core.statistics.report"
RECOMPUTE_TIMEOUT = 900
REPORT_TIMEOUT = 300

# SQLSTATEs worth another try: connection exceptions (08), transaction rollbacks such as deadlocks and
# serialisation failures (40), insufficient resources (53), server shutting down or starting (57P),
# a lock that could not be had in time (55P03).
_TRANSIENT_PREFIXES = ("08", "40", "53", "57P", "55P03")


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def is_transient(exc: BaseException) -> bool:
    """A failure that another try may not meet: the database unreachable, a dropped connection, a deadlock."""
    for error in _chain(exc):
        if isinstance(error, OSError | ConnectionError | PoolTimeout):
            return True
        if isinstance(error, DBAPIError) and error.connection_invalidated:
            return True
        state = getattr(error, "sqlstate", None) or getattr(error, "pgcode", None)
        if isinstance(state, str) and state.startswith(_TRANSIENT_PREFIXES):
            return True
        if type(error).__module__.startswith("asyncpg") and "Connection" in type(error).__name__:
            return True
    return False


def retry_later(ctx: dict[str, Any]) -> Retry:
    return Retry(defer=min(5 * int(ctx.get("job_try", 1)), 60))


def recompute_job_id(runtime: Runtime, snapshot: Snapshot) -> str:
    # arq keys job ids globally: the deployment's (or the test run's) prefix keeps them apart.
    return f"{runtime.settings.redis_prefix}:statistics:{snapshot.key}"


def recompute_timeout(runtime: Runtime) -> int:
    cap = runtime.settings.worker_job_timeout
    return RECOMPUTE_TIMEOUT if cap is None else min(RECOMPUTE_TIMEOUT, cap)


@dataclass(frozen=True, slots=True)
class RecomputeState:
    job_id: str
    state: str
    """``queued``, ``in_progress`` or ``idle`` (nothing queued or running for this snapshot)."""
    joined: bool
    """The request found the same recompute queued or running and joined it."""


async def job_state(runtime: Runtime, job_id: str) -> str:
    assert runtime.queue is not None
    status = await Job(job_id, runtime.queue, _queue_name=queue_name(runtime.settings)).status()
    if status in (JobStatus.queued, JobStatus.deferred):
        return "queued"
    if status is JobStatus.in_progress:
        return "in_progress"
    return "idle"


async def request_recompute(runtime: Runtime, snapshot: Snapshot) -> RecomputeState:
    """Enqueue the snapshot's recompute, or join the one already queued or running."""
    assert runtime.queue is not None
    job_id = recompute_job_id(runtime, snapshot)
    created = await enqueue(
        runtime.queue,
        RECOMPUTE_JOB,
        snapshot.scope.value,
        str(snapshot.scope_id),
        snapshot.academic_year,
        snapshot.as_of.isoformat(),
        job_id=job_id,
    )
    state = await job_state(runtime, job_id)
    return RecomputeState(job_id=job_id, state=state if state != "idle" else "queued", joined=not created)


async def recompute_job(
    ctx: dict[str, Any], scope: str, scope_id: str, academic_year: int, as_of: str
) -> dict[str, Any]:
    """Recompute one snapshot; a transient failure is tried again, the previous figures stay meanwhile."""
    runtime: Runtime = ctx["runtime"]
    snapshot = Snapshot(ScopeKind(scope), uuid.UUID(scope_id), int(academic_year), date.fromisoformat(as_of))
    try:
        result = await recompute(
            runtime.aggregator_engine,
            runtime.plugins,
            snapshot,
            job_try=int(ctx.get("job_try", 1)),
            statement_timeout_ms=recompute_timeout(runtime) * 1000,
            connections=runtime.settings.statistics_recompute_connections,
            shares_engine=runtime.aggregator_shares_engine,
        )
    except UnknownScope:
        log.warning("statistics scope vanished", snapshot=snapshot.key)
        return {"snapshot": snapshot.key, "organisations": 0}
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        if is_transient(exc):
            log.warning("statistics recompute will be tried again", snapshot=snapshot.key, error=str(exc))
            raise retry_later(ctx) from exc
        raise
    log.info(
        "statistics recomputed",
        snapshot=snapshot.key,
        organisations=result.organisations,
        seconds=round(result.seconds, 3),
    )
    return {"snapshot": snapshot.key, "organisations": result.organisations, "seconds": result.seconds}


def hourly_tick(instant: datetime) -> datetime:
    """The whole hour a cron tick belongs to: the nearest one, so a tick that starts a little late, or its
    retry a few seconds on, still counts as that hour's."""
    return (instant + timedelta(minutes=30)).replace(minute=0, second=0, microsecond=0)


def night_falls(timezone: str | None, tick: datetime, night_hour: int) -> bool:
    """Whether the hourly ``tick`` is the night hour on the region's own clock."""
    return tick.astimezone(clock.zone(timezone)).hour == night_hour


async def nightly_job(ctx: dict[str, Any]) -> list[str]:
    """Every hour: a recompute, for its new day, of each region whose local clock shows the night hour.

    A region's night is its own (02:00 in Khanty-Mansiysk is 21:00 UTC, in Moscow 23:00 UTC), so one
    hourly cron serves every time zone, and each region is recomputed once a day after its date changed.
    """
    runtime: Runtime = ctx["runtime"]
    tick = hourly_tick(clock.now())
    try:
        async with runtime.aggregator_engine.connect() as conn:
            regions = (await conn.execute(text("SELECT id, timezone FROM region ORDER BY code"))).all()
        requested = []
        for region_id, timezone in regions:
            if not night_falls(timezone, tick, runtime.settings.statistics_night_hour):
                continue
            as_of = tick.astimezone(clock.zone(timezone)).date()
            snapshot = Snapshot(ScopeKind.REGION, region_id, AcademicYear.start_year_of(as_of), as_of)
            await request_recompute(runtime, snapshot)
            requested.append(snapshot.key)
    except Exception as exc:
        if is_transient(exc):
            raise retry_later(ctx) from exc
        raise
    return requested
