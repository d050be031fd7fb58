"""Chaos: a real `nastavnik worker` killed with SIGKILL in the middle of a recompute, then started again;
and one stopped with SIGTERM, as a container stops it, in the middle of one.

The recompute is caught half-way on purpose: this test holds an exclusive lock on ``stat_area_value``,
so the worker's transaction, having already replaced the organisation rows, waits there. pg_stat_activity
shows it waiting with a transaction id (it has written); then the worker is killed. Its transaction never
commits: the previous figures stay. Started again with a short job timeout, the worker picks the job up
(after the timeout plus arq's 10 s) and completes it; the figures equal a from-scratch recompute.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import text

from nastavnik.domain.statistics import jobs
from nastavnik.domain.statistics.recompute import ScopeKind, Snapshot, recompute
from nastavnik.runtime import Runtime
from nastavnik.testing import Services
from tests.statistics.queue import run_worker, runs_of
from tests.statistics.small import AS_OF, YEAR, small_region
from tests.statistics.spec import build_region
from tests.statistics.stored import area_rows
from tests.support.processes import command_env

JOB_TIMEOUT = 5  # seconds: the killed job is picked up again after 5 + 10 s


def worker_env(runtime: Runtime) -> dict[str, str]:
    return command_env(runtime, worker_job_timeout=str(JOB_TIMEOUT), log_format="console")


def start_worker(runtime: Runtime, log: Path, **env: str) -> subprocess.Popen[bytes]:
    nastavnik = Path(sys.executable).with_name("nastavnik")
    with log.open("ab") as out:
        return subprocess.Popen(
            [str(nastavnik), "worker", "--no-cron"],
            env={**worker_env(runtime), **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )


async def aggregator_backends(
    admin: asyncpg.Connection, runtime: Runtime, database: str
) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await admin.fetch(
        "SELECT pid, backend_xid IS NOT NULL AS wrote, wait_event_type, query FROM pg_stat_activity"
        " WHERE usename = $1 AND datname = $2 AND state <> 'idle'",
        runtime.roles.aggregator,
        database,
    )
    return rows


async def wait_for(predicate: Callable[[], Awaitable[object]], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await predicate():
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.skipif(sys.platform != "linux", reason="client_connection_check_interval needs Linux")
async def test_worker_killed_mid_recompute_leaves_the_previous_figures_then_recovers(
    runtime: Runtime, services: Services, tmp_path: Path
) -> None:
    built = await build_region(runtime, small_region())
    snapshot = Snapshot(ScopeKind.REGION, built.id, YEAR, AS_OF)
    await recompute(runtime.aggregator_engine, runtime.plugins, snapshot)
    before = await area_rows(runtime, built, YEAR, AS_OF)
    runs_before = await runs_of(runtime, built.id)
    # The data changes after the first figures: O1 gives its headcount (20 learners 10–18).
    async with runtime.owner_engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO headcount (org_id, academic_year, learners_total, learners_10_18, pedagogues,"
                " young_pedagogues) VALUES (:org, :year, 100, 20, 10, 2)"
            ),
            {"org": built.orgs["O1"], "year": YEAR},
        )
    await run_worker(runtime)  # an empty queue: the worker below gets our job and no other
    database = runtime.owner_engine.url.database
    assert database is not None
    admin = await asyncpg.connect(services.database_dsn(database))  # over TCP or the embedded Unix socket
    log = tmp_path / "worker.log"
    workers: list[subprocess.Popen[bytes]] = []
    try:
        blocker = runtime.owner_engine.connect()
        conn = await blocker.__aenter__()
        await conn.execute(text("BEGIN"))
        await conn.execute(text("LOCK TABLE stat_area_value IN ACCESS EXCLUSIVE MODE"))
        try:
            requested = await jobs.request_recompute(runtime, snapshot)
            workers.append(start_worker(runtime, log))

            async def caught_half_way() -> bool:
                rows = await aggregator_backends(admin, runtime, database)
                return any(r["wrote"] and r["wait_event_type"] == "Lock" for r in rows)

            await wait_for(caught_half_way, 60, "the worker's recompute to write and then wait")
            (backend,) = [r for r in await aggregator_backends(admin, runtime, database) if r["wrote"]]
            assert "stat_area_value" in backend["query"]
            # It has replaced organisation rows already: it holds a write lock on their table.
            locks = await admin.fetch(
                "SELECT relation::regclass::text AS rel FROM pg_locks WHERE pid = $1 AND mode = 'RowExclusiveLock'",
                backend["pid"],
            )
            assert "stat_org_value" in {r["rel"] for r in locks}
            # Asked again while it runs: the request joins it.
            joined = await jobs.request_recompute(runtime, snapshot)
            assert (joined.joined, joined.state, joined.job_id) == (True, "in_progress", requested.job_id)
            workers[0].send_signal(signal.SIGKILL)
            workers[0].wait(timeout=10)

            async def backend_gone() -> bool:
                return not await aggregator_backends(admin, runtime, database)

            # The server notices the dead client (client_connection_check_interval) and rolls back.
            await wait_for(backend_gone, 30, "the killed worker's transaction to end")
        finally:
            await conn.execute(text("ROLLBACK"))
            await blocker.__aexit__(None, None, None)
        assert await area_rows(runtime, built, YEAR, AS_OF) == before  # the previous figures, untouched
        assert await runs_of(runtime, built.id) == runs_before
        workers.append(start_worker(runtime, log))

        async def recomputed() -> bool:
            return await runs_of(runtime, built.id) == runs_before + 1

        await wait_for(recomputed, JOB_TIMEOUT + 10 + 45, "the restarted worker to complete the job")
        after = await area_rows(runtime, built, YEAR, AS_OF)
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.terminate()
                worker.wait(timeout=20)
        await admin.close()
    # O1's 3 learners now count over its headcount of 20: (2 + 3 + 4) / (10 + 20 + 30).
    assert after[("region", "", "", "learners_covered", "")] == (9, 60, None, 3)
    assert before[("region", "", "", "learners_covered", "")] == (6, 40, None, 2)
    await recompute(runtime.aggregator_engine, runtime.plugins, snapshot)
    assert await area_rows(runtime, built, YEAR, AS_OF) == after, log.read_text(errors="replace")[-3000:]


@pytest.mark.skipif(sys.platform != "linux", reason="signals as a container runtime sends them")
async def test_worker_stopped_with_sigterm_mid_job_hands_it_back_and_exits_0(
    runtime: Runtime, services: Services, tmp_path: Path
) -> None:
    """SIGTERM (PID 1 in a container gets no default action): arq's stop, pools closed, exit 0.

    The job under way cannot finish (this test holds the table it writes), so after the grace the
    worker cancels it and arq puts it back in the queue; the next worker completes it."""
    built = await build_region(runtime, small_region())
    snapshot = Snapshot(ScopeKind.REGION, built.id, YEAR, AS_OF)
    await run_worker(runtime)  # an empty queue: the worker below gets our job and no other
    runs_before = await runs_of(runtime, built.id)
    database = runtime.owner_engine.url.database
    assert database is not None
    admin = await asyncpg.connect(services.database_dsn(database))
    log = tmp_path / "worker.log"
    worker: subprocess.Popen[bytes] | None = None
    try:
        async with runtime.owner_engine.connect() as conn:
            await conn.execute(text("LOCK TABLE stat_area_value IN ACCESS EXCLUSIVE MODE"))
            await jobs.request_recompute(runtime, snapshot)
            worker = start_worker(runtime, log, NASTAVNIK_WORKER_SHUTDOWN_GRACE="1")

            async def waiting_on_our_lock() -> bool:
                rows = await aggregator_backends(admin, runtime, database)
                return any(r["wait_event_type"] == "Lock" for r in rows)

            await wait_for(waiting_on_our_lock, 60, "the worker's recompute to wait on the lock")
            sent = time.monotonic()
            worker.send_signal(signal.SIGTERM)
            code = await asyncio.to_thread(worker.wait, 15)
            took = time.monotonic() - sent
            await conn.rollback()
        output = log.read_text(errors="replace")
        assert code == 0, output[-3000:]
        assert took < 10, (took, output[-3000:])
        assert "shutdown on SIGTERM" in output  # arq's own stop: no new job, the running one gets the grace
        assert "cancelled, will be run again" in output  # the unfinished job went back to the queue
        assert "worker stopped" in output, output[-3000:]
        assert "signal=SIGTERM" in output
        assert "Traceback" not in output, output[-3000:]
        assert not await aggregator_backends(admin, runtime, database)  # its transaction is gone
        assert await runs_of(runtime, built.id) == runs_before  # nothing half-written
        await run_worker(runtime)  # the job handed back is done by the next worker, at once
        assert await runs_of(runtime, built.id) == runs_before + 1
    finally:
        if worker is not None and worker.poll() is None:
            worker.kill()
            worker.wait(timeout=10)
        await admin.close()
