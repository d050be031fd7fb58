"""Every role's connection pool serves those waiting for a connection in turn (nastavnik.db.fair_pool).

SQLAlchemy's asyncio pool lets a request that asks for a connection just as one comes back take it ahead of
those already waiting; the woken waiter then waits again at the back. A request that gives its connection
back and asks again at once keeps it for as long as it likes. Under load that was the long tail of the
tenant list's latency (issue 15). The cases below show the stock pool doing it, so that they can fail.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.pool import AsyncAdaptedQueuePool
from sqlalchemy.util import greenlet_spawn
from sqlalchemy.util.queue import AsyncAdaptedQueue

from nastavnik.db.fair_pool import FairAsyncQueuePool, FairQueue
from nastavnik.runtime import Runtime, role_engine


def engine_of(runtime: Runtime, *, size: int, wait: float = 30.0, **options: Any) -> AsyncEngine:
    """The application role's engine as the runtime builds it, with a pool of ``size`` and ``wait`` seconds'
    patience."""
    return role_engine(
        runtime.settings,
        runtime.roles.app,
        runtime.settings.db_app_password,
        pool_size=size,
        max_overflow=0,
        pool_timeout=wait,
        **options,
    )


@pytest.fixture
async def one_connection(runtime: Runtime) -> AsyncIterator[AsyncEngine]:
    engine = engine_of(runtime, size=1, wait=0.3)
    try:
        yield engine
    finally:
        await engine.dispose()


def test_every_role_engine_has_the_fair_pool(runtime: Runtime) -> None:
    engines = {
        "app": runtime.app_engine,
        "auditor": runtime.auditor_engine,
        "aggregator": runtime.aggregator_engine,
        "provisioner": runtime.provisioner_engine,
    }
    assert {name: type(e.sync_engine.pool) for name, e in engines.items()} == dict.fromkeys(
        engines, FairAsyncQueuePool
    )


async def test_the_pool_logs_where_sqlalchemys_pools_log(
    runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    engine = engine_of(runtime, size=1)
    logger = engine.sync_engine.pool.logger
    assert isinstance(logger, logging.Logger)  # no echo asked: a plain logger
    assert logger.name.startswith("sqlalchemy.pool.")
    with caplog.at_level(logging.INFO, logger="nastavnik"):
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        await engine.dispose()  # SQLAlchemy's pool says «Pool disposed» at INFO
    assert [r.getMessage() for r in caplog.records if "Pool" in r.getMessage()] == []


@pytest.mark.parametrize(("queue_class", "order"), [(FairQueue, "AD"), (AsyncAdaptedQueue, "DA")])
async def test_a_newcomer_waits_behind_those_already_waiting(
    queue_class: type[AsyncAdaptedQueue[str]], order: str
) -> None:
    queue = queue_class(maxsize=1)
    taken: list[str] = []

    async def take(name: str) -> None:
        item = await greenlet_spawn(queue.get, True, 5.0)
        taken.append(name)
        queue.put_nowait(item)  # done with it at once

    first = asyncio.create_task(take("A"))
    await asyncio.sleep(0)  # A is waiting: the queue is empty
    newcomer = asyncio.create_task(take("D"))  # asks in the same turn as the connection comes back
    queue.put_nowait("connection")
    await asyncio.wait_for(asyncio.gather(first, newcomer), 5)
    assert "".join(taken) == order
    assert queue.qsize() == 1  # type: ignore[no-untyped-call]


@pytest.mark.parametrize(("pool_class", "fair"), [(FairAsyncQueuePool, True), (AsyncAdaptedQueuePool, False)])
async def test_one_who_gives_a_connection_back_and_asks_again_waits_its_turn(
    runtime: Runtime, pool_class: type[AsyncAdaptedQueuePool], fair: bool
) -> None:
    engine = engine_of(runtime, size=1, poolclass=pool_class)
    taken: list[str] = []

    async def work(name: str) -> None:
        for _ in range(4):
            connection = await engine.connect()
            await connection.execute(text("SELECT 1"))
            taken.append(name)
            await connection.close()  # and at once asks again

    try:
        await asyncio.wait_for(asyncio.gather(work("A"), work("B"), work("C")), 30)
    finally:
        await engine.dispose()
    if fair:
        assert "".join(taken) == "ABC" * 4
    else:  # the stock pool: the first keeps the connection for all its turns, the others waiting
        assert "".join(taken).startswith("AAAA")


async def test_a_waiter_that_times_out_leaves_the_line(one_connection: AsyncEngine) -> None:
    pool = one_connection.sync_engine.pool
    held = await one_connection.connect()
    with pytest.raises(PoolTimeout):
        await one_connection.connect()
    assert list(pool._pool._waiters) == []  # type: ignore[attr-defined]
    await held.close()
    assert pool.checkedin() == 1  # type: ignore[attr-defined]
    async with one_connection.connect() as connection:  # at once: nobody is left waiting for it
        assert (await connection.execute(text("SELECT 1"))).scalar() == 1


async def test_a_connection_handed_to_a_waiter_cancelled_in_the_same_turn_passes_on() -> None:
    queue = FairQueue(maxsize=1)
    got: list[str] = []

    async def take(name: str) -> None:
        got.append(await greenlet_spawn(queue.get, True, 5.0))

    cancelled = asyncio.create_task(take("A"))
    behind = asyncio.create_task(take("B"))
    await asyncio.sleep(0)  # both wait, A first
    queue.put_nowait("connection")  # handed to A ...
    cancelled.cancel()  # ... which is cancelled before it runs
    await asyncio.wait_for(behind, 5)
    assert got == ["connection"]  # B has it: nothing lost
    assert cancelled.cancelled()
    queue.put_nowait(got.pop())
    assert queue.qsize() == 1  # type: ignore[no-untyped-call]


async def test_no_connection_is_lost_under_timeouts_and_cancellations(runtime: Runtime) -> None:
    engine = engine_of(runtime, size=3, wait=0.05)
    pool = engine.sync_engine.pool
    rng = random.Random(15)  # noqa: S311 - a repeatable mix of waits, not a secret
    outcomes = {"done": 0, "timed out": 0, "cancelled": 0}

    async def patient() -> None:
        for _ in range(20):
            try:
                async with engine.connect() as connection:
                    await connection.execute(
                        text("SELECT pg_sleep(:s)"), {"s": rng.choice((0, 0.001, 0.005))}
                    )
                outcomes["done"] += 1
            except PoolTimeout:
                outcomes["timed out"] += 1

    async def impatient() -> None:
        for _ in range(20):
            connection = engine.connect()
            try:  # cancelled while waiting for a connection, now and then just as one is handed over
                async with asyncio.timeout(rng.choice((0.0005, 0.002, 0.01))):
                    await connection.start()
            except TimeoutError:
                outcomes["cancelled"] += 1
                continue
            outcomes["done"] += 1
            await connection.close()

    async def release(held: list[AsyncConnection]) -> None:
        await asyncio.sleep(0.2)
        for connection in held:
            await connection.close()

    try:
        # Every connection opened first, so that a checkout is never cancelled in the middle of connecting,
        # and held for a while, so that the first to ask time out.
        held = [await engine.connect().start() for _ in range(3)]
        everyone = (release(held), *(patient() for _ in range(8)), impatient(), impatient())
        await asyncio.wait_for(asyncio.gather(*everyone), 60)
        assert pool.checkedout() == 0  # type: ignore[attr-defined]
        assert pool.checkedin() == 3  # type: ignore[attr-defined]
        assert list(pool._pool._waiters) == []  # type: ignore[attr-defined]
        assert outcomes["done"] > 0
        assert outcomes["timed out"] > 0
        assert outcomes["cancelled"] > 0
        async with engine.connect() as connection:
            assert (await connection.execute(text("SELECT 1"))).scalar() == 1
    finally:
        await engine.dispose()
