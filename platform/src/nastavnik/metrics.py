"""The process's Prometheus metrics besides the web requests': jobs, database pools, the job queue.

The job metrics live in prometheus_client's global registry (a job runs in the worker, or in the web
process with ``serve --with-worker``). The pools and the queue belong to a runtime, so they are read by
a :class:`ProcessMetrics` of that runtime, which renders them together with the global registry. No label
holds anything personal or unbounded: jobs by their registered name, pools by their role.
"""

from __future__ import annotations

import asyncio
import functools
import hmac
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

import structlog
from arq.worker import Retry
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import ThreadingWSGIServer
from prometheus_client.registry import Collector
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import QueuePool

from nastavnik.jobs import queue_name
from nastavnik.runtime import Runtime

log = structlog.get_logger(__name__)

# Jobs run from a fraction of a second (a heartbeat) to many minutes (a region's statistics, a report).
JOB_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, float("inf"))

JOB_DURATION = Histogram(
    "nastavnik_job_duration_seconds",
    "Time a background job's run took, in seconds, by job name (every outcome).",
    ["job"],
    buckets=JOB_BUCKETS,
)
JOBS = Counter(
    "nastavnik_jobs",
    "Background job runs by job name and outcome: succeeded, failed (an error), retried (the job asked "
    "to run again later) or cancelled (a timeout or a stopping worker; arq runs it again).",
    ["job", "outcome"],
)

QUEUE_TIMEOUT = 2.0


def measured(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` (an arq job) counted and timed under ``name``; its signature and result unchanged."""

    @functools.wraps(function)
    async def run(ctx: Any, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        outcome = "failed"
        try:
            result = await function(ctx, *args, **kwargs)
            outcome = "succeeded"
            return result
        except Retry:
            outcome = "retried"  # the job asked to run again later (e.g. while Keycloak is down)
            raise
        except asyncio.CancelledError:
            outcome = "cancelled"
            raise
        finally:
            JOB_DURATION.labels(name).observe(time.perf_counter() - started)
            JOBS.labels(name, outcome).inc()

    return run


def named_engines(runtime: Runtime) -> dict[str, AsyncEngine]:
    """The runtime's engines by role: ``app_engine`` is ``app``, ``owner`` is ``owner``, and so on, including
    engines added later (a replica's) without a change here."""
    found: dict[str, AsyncEngine] = {}
    for name, value in vars(runtime).items():
        if isinstance(value, AsyncEngine):
            found[name.removesuffix("_engine")] = value
    return found


class PoolCollector(Collector):
    """The runtime's SQLAlchemy connection pools, read at each scrape (plain counters: no I/O)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def collect(self) -> Iterable[Metric]:
        size = GaugeMetricFamily(
            "nastavnik_db_pool_size", "Connections a pool keeps (its pool_size), by role.", labels=["role"]
        )
        checked_out = GaugeMetricFamily(
            "nastavnik_db_pool_checked_out", "Connections in use (checked out of the pool).", labels=["role"]
        )
        idle = GaugeMetricFamily(
            "nastavnik_db_pool_checked_in", "Open connections idle in the pool.", labels=["role"]
        )
        overflow = GaugeMetricFamily(
            "nastavnik_db_pool_overflow", "Connections open beyond pool_size (max_overflow).", labels=["role"]
        )
        for role, engine in sorted(named_engines(self.runtime).items()):
            pool = engine.sync_engine.pool
            if not isinstance(pool, QueuePool):  # a NullPool keeps nothing to report
                continue
            size.add_metric([role], pool.size())
            checked_out.add_metric([role], pool.checkedout())
            idle.add_metric([role], pool.checkedin())
            # SQLAlchemy counts from -pool_size up: below zero the pool has not even filled its size.
            overflow.add_metric([role], max(0, pool.overflow()))
        return [size, checked_out, idle, overflow]


class QueueCollector(Collector):
    """The arq queue's length as last read by :meth:`ProcessMetrics.refresh` (a collector cannot await)."""

    def __init__(self) -> None:
        self.waiting: int | None = None
        self.due: int | None = None

    def collect(self) -> Iterable[Metric]:
        if self.waiting is None or self.due is None:
            return []  # Redis did not answer: no figure rather than a wrong one
        return [
            GaugeMetricFamily(
                "nastavnik_job_queue_length",
                "Jobs waiting in the queue, deferred ones (retries, scheduled runs) included.",
                value=self.waiting,
            ),
            GaugeMetricFamily(
                "nastavnik_job_queue_due", "Jobs waiting whose time has come (not deferred).", value=self.due
            ),
        ]


class ProcessMetrics:
    """Everything one process exposes: the global registry, its runtime's pools and the queue's length."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.queue = QueueCollector()
        self.own = CollectorRegistry(auto_describe=False)
        self.own.register(PoolCollector(runtime))
        self.own.register(self.queue)

    async def refresh(self) -> None:
        """Read the queue's length (once per scrape; a sorted set's size, cheap)."""
        redis = self.runtime.redis
        name = queue_name(self.runtime.settings)
        try:
            async with asyncio.timeout(QUEUE_TIMEOUT):
                async with redis.pipeline(transaction=False) as pipe:
                    pipe.zcard(name)
                    # arq's scores are the wall clock's milliseconds (not the platform's clock).
                    pipe.zcount(name, "-inf", int(time.time() * 1000))
                    waiting, due = await pipe.execute()
        except Exception as exc:
            log.warning("job queue length unavailable", error=type(exc).__name__)
            self.queue.waiting = self.queue.due = None
            return
        self.queue.waiting, self.queue.due = int(waiting), int(due)

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()
        yield from self.own.collect()

    def render(self) -> bytes:
        return generate_latest(self)  # any object with collect() will do


def authorised(header: str | None, token: SecretStr | None) -> bool:
    """Whether an ``Authorization`` header admits a scrape: any request without a token set, else exactly
    ``Bearer <token>`` (compared in constant time)."""
    if token is None:
        return True
    scheme, _, given = (header or "").partition(" ")
    expected = token.get_secret_value().encode()
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), expected)


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Scrapes every few seconds are not worth a log line each."""


def serve_worker_metrics(runtime: Runtime, loop: asyncio.AbstractEventLoop) -> Callable[[], None] | None:
    """Serve the worker's metrics at ``host``:``worker_metrics_port`` (unset: none) from a thread of their
    own, which answers even while the event loop is busy; returns what stops it.

    The queue's length is read on ``loop`` (the runtime's Redis client belongs to it) for each scrape."""
    settings = runtime.settings
    if settings.worker_metrics_port is None:
        return None
    metrics = ProcessMetrics(runtime)

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        if environ.get("PATH_INFO") != "/metrics":
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found\n"]
        if not authorised(environ.get("HTTP_AUTHORIZATION"), settings.metrics_token):
            headers = [("Content-Type", "text/plain"), ("WWW-Authenticate", "Bearer")]
            start_response("401 Unauthorized", headers)
            return [b"unauthorized\n"]
        try:
            asyncio.run_coroutine_threadsafe(metrics.refresh(), loop).result(QUEUE_TIMEOUT + 1)
        except Exception:  # the loop is stopping or stuck: the rest still tells something
            metrics.queue.waiting = metrics.queue.due = None
        start_response("200 OK", [("Content-Type", CONTENT_TYPE_LATEST)])
        return [metrics.render()]

    server = make_server(
        settings.host, settings.worker_metrics_port, app, ThreadingWSGIServer, handler_class=_Quiet
    )
    thread = threading.Thread(target=server.serve_forever, name="worker-metrics", daemon=True)
    thread.start()
    log.info("worker metrics served", host=settings.host, port=server.server_port)

    def stop() -> None:
        server.shutdown()
        server.server_close()

    return stop
