"""A connection pool that serves its waiters in turn.

SQLAlchemy's asyncio pool keeps its free connections in an :class:`asyncio.Queue`. When a connection comes
back while requests wait, the queue wakes the first waiter, but the connection stays in the queue until that
waiter runs; a request that asks in between (a new one, whose first look finds the queue not empty) takes it.
The woken waiter finds the queue empty again and waits anew, *at the back of the line*. Under load, with more
requests in flight than connections, a request can be passed over like this several times: that is the long
tail of the latency (issue 15: the tenant list's p99 at 32 connections over a pool of 10).

Here a connection that comes back while someone waits is handed to the longest waiter directly, and a new
request never takes a free connection ahead of those waiting: first come, first served. A free connection
sits in the queue only while nobody waits, so taking one without waiting is always fair. Measured in
docs/hot-path.md («The pool serves its waiters in turn»).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from typing import Any

from sqlalchemy.pool import AsyncAdaptedQueuePool
from sqlalchemy.util import await_
from sqlalchemy.util.queue import AsyncAdaptedQueue, Empty


class FairQueue(AsyncAdaptedQueue[Any]):
    """:class:`AsyncAdaptedQueue` with its waiters served in the order they came."""

    def __init__(self, maxsize: int = 0, use_lifo: bool = False) -> None:
        super().__init__(maxsize, use_lifo)
        self._waiters: deque[asyncio.Future[Any]] = deque()

    def put_nowait(self, item: Any) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():  # a waiter that timed out or was cancelled has left
                waiter.set_result(item)
                return
        super().put_nowait(item)

    def get(self, block: bool = True, timeout: float | None = None) -> Any:
        try:
            # Free only while nobody waits: a connection that comes back is handed to a waiter first.
            return self._queue.get_nowait()
        except asyncio.QueueEmpty:
            if not block:
                raise Empty() from None
        waiter: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            return await_(self._wait(waiter, patience=timeout))
        except TimeoutError as err:
            raise Empty() from err

    async def _wait(self, waiter: asyncio.Future[Any], *, patience: float | None) -> Any:
        try:
            async with asyncio.timeout(patience):
                return await waiter
        except BaseException:
            if waiter.done() and not waiter.cancelled():
                # Handed a connection in the same turn as the timeout or a cancellation: pass it on.
                self.put_nowait(waiter.result())
            else:
                with contextlib.suppress(ValueError):  # a put may have passed over it already
                    self._waiters.remove(waiter)
            raise


class FairAsyncQueuePool(AsyncAdaptedQueuePool):
    """SQLAlchemy's asyncio queue pool with its waiters served in turn: every role's engine
    (:func:`nastavnik.runtime.role_engine`) has it."""

    _queue_class = FairQueue
    # Log where SQLAlchemy's own pools log (under "sqlalchemy", WARNING unless asked), not under "nastavnik",
    # whose INFO would print every disposal and recreation of a pool.
    _sqla_logger_namespace = "sqlalchemy.pool.impl.FairAsyncQueuePool"
