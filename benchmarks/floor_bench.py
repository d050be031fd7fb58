"""Requests against their own floor: the product beside the same statements on raw asyncpg.

Run from the repository root (wrk must be installed: ``apt-get install -y wrk``)::

    uv run python -m benchmarks.floor_bench            # 15 s per run, median of 3
    uv run python -m benchmarks.floor_bench --quick    # 5 s, 1 run: for development

Options: ``--duration 15 --repeat 3 --warmup 2 --threads 2 --connections 32 --pool 10
--workers 1,2 --scenarios api,page,stats``.

Three requests (scenarios), each measured on these servers, every one a process of its own served by
uvicorn with the same settings, driven by wrk in turn while the others sit idle:

- ``product``: the platform (``create_app``), one process; with ``--workers 1,2`` also
  ``nastavnik serve --workers 2`` as a real command (the CPU then counts every process of it);
- ``floor``: a bare Litestar app whose handler authenticates the way the product does (the bearer
  token verified with the platform's :class:`TokenVerifier`; for pages the session read from Redis)
  and then executes, on raw asyncpg as the application role (row-level security on), exactly the
  statements the product executed for that request, in the same transactions, and answers with the
  largest result as JSON (the API) or with the product's own HTML bytes (pages: rendering is *not*
  part of that floor, which is why the pages' target is 0.5 and not 0.7);
- ``core``: the same statements through SQLAlchemy Core (prebuilt ``text()`` statements, an
  ``AsyncEngine`` without the ORM);
- ``constant``: a bare Litestar endpoint answering a constant JSON.

The statements are taken from the product's own log at run time: a SQLAlchemy ``before_cursor_execute``
listener (with ``begin``/``commit``/``rollback``), and the driver's own
(``nastavnik.db.driver.listeners`` and ``edge_listeners``: the hot path's statements and the ``BEGIN``
and ``COMMIT`` of a transaction of the driver's own), in the product's process records one warm request;
the floor and core servers replay that list with the same parameters, those of an INSERT that are
per-request values (ids, times) regenerated. The benchmark checks that two captured requests agree, that
a capture after the load still agrees (the product did not change its statements meanwhile), and that the
floor executed exactly the captured number of statements per request during its load. Whatever statements
the product issues, the floor follows.

What it prints per scenario and server: req/s, latency p50 and p99 (wrk ``--latency``), server CPU per
request (utime+stime from /proc before and after), medians over the repetitions, and the ratios
product/floor and core/floor beside the issue's targets (the tenant list at least 0.7 of its floor
with p99 at most 100 ms at 32 connections; the people page at least 0.5 of its floor).

This is a benchmark, not a test: it prints its figures and exits 0 whether targets are met or not.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from litestar import Litestar, Request, Response, get
from redis.asyncio import Redis
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import create_async_engine

from benchmarks.auth_bench import (
    HOST,
    bare_server,
    serve_until_told,
    start_server,
)
from benchmarks.services import LoadResult, bench_world, run_wrk
from nastavnik.auth.tokens import TokenRejected
from nastavnik.cli import PROCESS_HEADER
from nastavnik.db import driver, pooling
from nastavnik.gc_tuning import settle_after_start_up
from nastavnik.logging import configure_logging
from nastavnik.runtime import Runtime, build_runtime, role_url, token_verifier
from nastavnik.settings import Settings
from nastavnik.testing.http import forge_session
from nastavnik.web.app import create_app

API_RATIO_TARGET = 0.7
API_P99_TARGET_MS = 100.0
PAGE_RATIO_TARGET = 0.5
SESSION_COOKIE = "session"

# One statement of a request as the product's process saw it: ("BEGIN"|"COMMIT"|"ROLLBACK", "", None)
# for the transaction's edges, else ("SQL", statement in asyncpg's $n style, positional parameters).
Step = tuple[str, str, Any]


# ---------------------------------------------------------------------------------------------
# Capturing the product's statements (in the product's process)


class Capture:
    """Records what one request sends to PostgreSQL through the runtime's engines, when armed."""

    def __init__(self) -> None:
        self.armed = False
        self.steps: list[Step] = []
        self.foreign: list[str] = []  # statements through another engine than the application role's

    def attach(self, engine: Engine, *, replayed: bool) -> None:
        def on_execute(
            conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
        ) -> None:
            if not self.armed:
                return
            if not replayed:
                self.foreign.append(statement)
                return
            params = [list(p) for p in parameters] if many else list(parameters or ())
            self.steps.append(("SQLMANY" if many else "SQL", statement, params))

        def edge(kind: str) -> Callable[[Any], None]:
            def record(conn: Any) -> None:
                if self.armed and replayed:
                    self.steps.append((kind, "", None))

            return record

        event.listen(engine, "before_cursor_execute", on_execute)
        if replayed:  # the hot path's statements run on the driver's connection of this engine's sessions

            def on_driver(statement: str, arguments: Sequence[Any]) -> None:
                if self.armed:
                    self.steps.append(("SQL", statement, list(arguments)))

            driver.listeners.append(on_driver)

            def on_driver_edge(kind: str) -> None:  # the driver's own transaction (nastavnik.db.driver)
                if self.armed:
                    self.steps.append((kind, "", None))

            driver.edge_listeners.append(on_driver_edge)
        # First among the begin listeners: the pooling module's own one runs a statement at begin.
        event.listen(engine, "begin", edge("BEGIN"), insert=True)
        event.listen(engine, "commit", edge("COMMIT"))
        event.listen(engine, "rollback", edge("ROLLBACK"))

    def arm(self) -> bool:
        self.steps, self.foreign, self.armed = [], [], True
        return True

    def take(self) -> dict[str, Any]:
        self.armed = False
        return {"steps": self.steps, "foreign": self.foreign}


def product_server(values: dict[str, Any], control: Connection) -> None:
    """Child process: the platform, with the capture listeners on its engines."""
    asyncio.run(_product_server(values, control))


async def _product_server(values: dict[str, Any], control: Connection) -> None:
    settings = Settings.model_validate(values)
    configure_logging(settings)
    runtime = await build_runtime(settings, owner=False)
    capture = Capture()
    capture.attach(runtime.app_engine.sync_engine, replayed=True)
    for other in (runtime.auditor_engine, runtime.aggregator_engine, runtime.provisioner_engine):
        capture.attach(other.sync_engine, replayed=False)
    try:
        app = create_app(runtime)
        settle_after_start_up()  # as `nastavnik serve` does
        await serve_until_told(app, control, {"arm": capture.arm, "take": capture.take})
    finally:
        await runtime.close()


def kinds(steps: Sequence[Step]) -> list[str]:
    """BEGIN, SELECT, INSERT, COMMIT...: what the check compares."""
    return [
        kind if kind not in ("SQL", "SQLMANY") else sql.split(None, 1)[0].upper() for kind, sql, _ in steps
    ]


def shape(steps: Sequence[Step]) -> list[tuple[str, str]]:
    return [(kind, sql) for kind, sql, _ in steps]


# ---------------------------------------------------------------------------------------------
# Replaying them: the floor (raw asyncpg) and SQLAlchemy Core


def fresh(value: Any) -> Any:
    """A per-request value of an INSERT made anew: a new id, the time now."""
    if isinstance(value, uuid.UUID):
        return uuid.uuid4()
    if isinstance(value, datetime):
        return datetime.now(value.tzinfo) if value.tzinfo else datetime.now(UTC).replace(tzinfo=None)
    return value


def parameters_for(sql: str, params: list[Any]) -> list[Any]:
    if sql.lstrip()[:6].upper() != "INSERT":
        return params
    return [fresh(p) for p in params]


@dataclass
class ReplaySpec:
    """What a replaying server needs: where, as whom, which statements, and how to authenticate."""

    app_dsn: str
    steps: list[Step]
    auth: str  # "bearer" or "session"
    settings: dict[str, Any]  # the platform's settings (token verification)
    session_key: str  # the Redis key of the session, for "session"
    body: bytes  # the product's answer (pages answer with it)
    pool: int


class Counter:
    def __init__(self) -> None:
        self.requests = 0
        self.statements = 0

    def read(self) -> tuple[int, int]:
        return self.requests, self.statements


class Authenticator:
    """Authentication as the product does it: the bearer token verified with the platform's verifier,
    or the session read from Redis and decoded."""

    def __init__(self, spec: ReplaySpec) -> None:
        self.spec = spec
        settings = Settings.model_validate(spec.settings)
        configure_logging(settings)
        logging.getLogger("httpx").setLevel(logging.WARNING)  # the key fetch is not news
        self.http = httpx.AsyncClient(timeout=5.0)
        self.verifier = token_verifier(settings, self.http) if spec.auth == "bearer" else None
        self.redis = Redis.from_url(str(settings.redis_url)) if spec.auth == "session" else None

    async def check(self, request: Request[Any, Any, Any]) -> bool:
        if self.verifier is not None:
            header = request.headers.get("authorization", "")
            if not header.startswith("Bearer "):
                return False
            try:
                await self.verifier.verify(header[7:])
            except TokenRejected:
                return False
            return True
        assert self.redis is not None
        if request.cookies.get(SESSION_COOKIE) is None:
            return False
        raw = await self.redis.get(self.spec.session_key)
        return raw is not None and bool(json.loads(raw))

    async def close(self) -> None:
        await self.http.aclose()
        if self.redis is not None:
            await self.redis.aclose()


def answer(spec: ReplaySpec, largest: list[dict[str, Any]]) -> Response[Any]:
    if spec.auth == "session":
        return Response(spec.body, media_type="text/html")
    return Response(largest)


def floor_server(spec: ReplaySpec, control: Connection) -> None:
    """Child process: the statements on raw asyncpg as the application role."""
    asyncio.run(_floor_server(spec, control))


async def _floor_server(spec: ReplaySpec, control: Connection) -> None:
    pool = await asyncpg.create_pool(spec.app_dsn, min_size=1, max_size=spec.pool)
    auth = Authenticator(spec)
    counter = Counter()

    @get("/replay")
    async def replay(request: Request[Any, Any, Any]) -> Response[Any]:
        if not await auth.check(request):
            return Response({"detail": "unauthorized"}, status_code=401)
        largest: list[Any] = []
        executed = 0
        async with pool.acquire() as conn:
            transaction = None
            for kind, sql, params in spec.steps:
                if kind == "BEGIN":
                    transaction = conn.transaction()
                    await transaction.start()
                elif kind in ("COMMIT", "ROLLBACK"):
                    assert transaction is not None
                    await (transaction.commit() if kind == "COMMIT" else transaction.rollback())
                    transaction = None
                elif kind == "SQLMANY":
                    await conn.executemany(sql, [parameters_for(sql, p) for p in params])
                else:
                    rows = await conn.fetch(sql, *parameters_for(sql, params))
                    if len(rows) > len(largest):
                        largest = rows
                executed += 1
            if transaction is not None:  # the product's pool ends an open transaction on return
                await transaction.rollback()
        # Counted when the request is done: one cut short by the end of a load counts in neither.
        counter.requests += 1
        counter.statements += executed
        return answer(spec, [dict(r) for r in largest])

    try:
        app = Litestar(route_handlers=[replay])
        await serve_until_told(app, control, {"count": counter.read})
    finally:
        await auth.close()
        await pool.close()


_DOLLAR = re.compile(r"\$(\d+)")


def core_server(spec: ReplaySpec, control: Connection) -> None:
    """Child process: the same statements through SQLAlchemy Core, built once."""
    asyncio.run(_core_server(spec, control))


async def _core_server(spec: ReplaySpec, control: Connection) -> None:
    engine = create_async_engine(
        "postgresql+asyncpg://" + spec.app_dsn.split("://", 1)[1],
        pool_size=spec.pool,
        max_overflow=0,
        connect_args=pooling.connect_args(False),
    )
    # `(:pN)`, not `:pN`: a cast right after a parameter (`$1::VARCHAR`) must not swallow its name.
    prepared = [
        (kind, text(_DOLLAR.sub(r"(:p\1)", sql)) if sql else None, params) for kind, sql, params in spec.steps
    ]
    auth = Authenticator(spec)
    counter = Counter()

    def named(sql: str, params: list[Any]) -> dict[str, Any]:
        return {f"p{i}": v for i, v in enumerate(parameters_for(sql, params), start=1)}

    @get("/replay")
    async def replay(request: Request[Any, Any, Any]) -> Response[Any]:
        if not await auth.check(request):
            return Response({"detail": "unauthorized"}, status_code=401)
        largest: list[Any] = []
        executed = 0
        async with engine.connect() as conn:
            for (kind, statement, params), (_, sql, _) in zip(prepared, spec.steps, strict=True):
                if kind == "BEGIN":
                    await conn.begin()
                elif kind == "COMMIT":
                    await conn.commit()
                elif kind == "ROLLBACK":
                    await conn.rollback()
                else:
                    assert statement is not None
                    if kind == "SQLMANY":
                        await conn.execute(statement, [named(sql, p) for p in params])
                    else:
                        result = await conn.execute(statement, named(sql, params))
                        if result.returns_rows:
                            rows = result.mappings().all()
                            if len(rows) > len(largest):
                                largest = list(rows)
                executed += 1
        # Counted when the request is done: one cut short by the end of a load counts in neither.
        counter.requests += 1
        counter.statements += executed
        return answer(spec, [dict(r) for r in largest])

    try:
        await serve_until_told(Litestar(route_handlers=[replay]), control, {"count": counter.read})
    finally:
        await auth.close()
        await engine.dispose()


# ---------------------------------------------------------------------------------------------
# The product as the `nastavnik serve --workers N` command


def process_tree_cpu(pid: int) -> float:
    """utime+stime of a process and all its descendants, in seconds (Linux)."""
    total = 0.0
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/stat", encoding="ascii") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as children:
                    todo += [int(c) for c in children.read().split()]
        except OSError:
            continue
    return total


@dataclass
class Served:
    """A server under load: its URL prefix and its CPU so far."""

    name: str
    port: int
    pid: int
    stop: Callable[[], Awaitable[None]]
    ask: Callable[[str], Awaitable[Any]] | None = None

    def cpu(self) -> float:
        return process_tree_cpu(self.pid)


def settings_env(settings: Settings, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NASTAVNIK_")}
    for name in (
        "database_url",
        "redis_url",
        "redis_prefix",
        "db_app_role",
        "db_auditor_role",
        "db_aggregator_role",
        "db_provisioner_role",
        "db_pool_size",
        "keycloak_url",
        "log_level",
    ):
        value = getattr(settings, name)
        if value is not None:
            env[f"NASTAVNIK_{name.upper()}"] = str(value)
    env.update({"NASTAVNIK_HOST": HOST, "NASTAVNIK_PORT": str(port)})
    return env


def launch(workers: int, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], Path]:
    """``nastavnik serve --workers N``, its output in a temporary file (kept for a failure's report)."""
    handle, name = tempfile.mkstemp(prefix="floor-bench-serve-", suffix=".log")
    with os.fdopen(handle, "wb") as out:
        command = [str(Path(sys.executable).with_name("nastavnik")), "serve", "--workers", str(workers)]
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
    return process, Path(name)


def exited(process: subprocess.Popen[bytes], log: Path) -> None:
    if process.poll() is not None:
        raise RuntimeError(f"nastavnik serve exited: {log.read_text()}")


async def start_command(settings: Settings, workers: int) -> Served:
    sock = socket.socket()
    sock.bind((HOST, 0))
    port = sock.getsockname()[1]
    sock.close()
    process, log = launch(workers, settings_env(settings, port))
    seen: set[str] = set()
    for _ in range(1200):  # until every process answers (a new connection each time)
        exited(process, log)
        try:
            async with httpx.AsyncClient() as http:
                ready = await http.get(f"http://{HOST}:{port}/health/ready")
            seen.add(ready.headers.get(PROCESS_HEADER, "1"))
            if len(seen) >= workers:
                break
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    else:
        process.send_signal(signal.SIGTERM)
        raise RuntimeError(f"nastavnik serve --workers {workers}: only processes {seen} answered")

    async def stop() -> None:
        process.send_signal(signal.SIGTERM)
        code = await asyncio.to_thread(process.wait, 60)
        if code != 0:
            print(f"  WARNING: nastavnik serve --workers {workers} exited {code}")

    return Served(f"product×{workers}", port, process.pid, stop)


async def start_child(name: str, target: Callable[..., None], *args: Any) -> Served:
    server = await start_server(name, target, *args)
    assert server.process.pid is not None
    return Served(name, server.port, server.process.pid, server.stop, server.ask)


# ---------------------------------------------------------------------------------------------
# Load


async def wrk(url: str, headers: dict[str, str], args: argparse.Namespace, duration: float) -> LoadResult:
    return await run_wrk(url, headers, threads=args.threads, connections=args.connections, duration=duration)


@dataclass
class Run:
    rps: float
    p50: float
    p99: float
    cpu_us: float
    failures: int


@dataclass
class Figures:
    runs: list[Run] = field(default_factory=list)

    def median(self, attribute: str) -> float:
        return statistics.median(getattr(r, attribute) for r in self.runs)

    def line(self) -> str:
        failures = sum(r.failures for r in self.runs)
        return (
            f"{self.median('rps'):8.1f} req/s   p50 {self.median('p50'):7.2f} ms"
            f"   p99 {self.median('p99'):7.2f} ms"
            f"   CPU {self.median('cpu_us'):6.0f} µs/request"
            + (f"   FAILURES {failures}" if failures else "")
        )


async def measure(served: Served, url: str, headers: dict[str, str], args: argparse.Namespace) -> Run:
    before = served.cpu()
    result = await wrk(url, headers, args, args.duration)
    used = served.cpu() - before
    return Run(
        rps=result.rps,
        p50=result.p50_ms or 0.0,
        p99=result.p99_ms or 0.0,
        cpu_us=used / result.requests * 1e6 if result.requests else 0.0,
        failures=result.failures,
    )


# ---------------------------------------------------------------------------------------------
# A scenario: one request of the product against its floors


@dataclass
class Scenario:
    name: str
    path: str
    auth: str  # "bearer" or "session"
    target: float
    title: str


async def capture(
    product: Served, url: str, headers: dict[str, str]
) -> tuple[dict[str, Any], httpx.Response]:
    assert product.ask is not None
    async with httpx.AsyncClient(timeout=30.0) as http:
        await product.ask("arm")
        response = await http.get(url, headers=headers)
        taken: dict[str, Any] = await product.ask("take")
    return taken, response


async def run_scenario(
    scenario: Scenario,
    product: Served,
    commands: list[Served],
    constant: Served,
    spec_base: dict[str, Any],
    headers: dict[str, str],
    args: argparse.Namespace,
) -> list[str]:
    print(f"\n== {scenario.title}: GET {scenario.path} ({scenario.auth}) ==")
    product_url = f"http://{HOST}:{product.port}{scenario.path}"
    for _ in range(3):  # warm: the product's caches and prepared statements
        await capture(product, product_url, headers)
    first, response = await capture(product, product_url, headers)
    second, _ = await capture(product, product_url, headers)
    if response.status_code != 200:
        print(f"  the product answered {response.status_code}: scenario skipped")
        return [f"{scenario.name}: product answered {response.status_code}"]
    steps: list[Step] = first["steps"]
    notes: list[str] = []
    if shape(steps) != shape(second["steps"]):
        notes.append("two warm requests issued different statements: the floor replays the first")
    print(f"  the product's statements for one warm request ({len(steps)}): {' '.join(kinds(steps))}")
    for kind, sql, _ in steps:
        if kind.startswith("SQL"):
            print(f"    {' '.join(sql.split())[:110]}")
    if first["foreign"]:
        notes.append(f"{len(first['foreign'])} statements through other roles' engines are not replayed")
    spec = ReplaySpec(steps=steps, body=response.content, **spec_base)
    floor = await start_child(f"floor-{scenario.name}", floor_server, spec)
    core = await start_child(f"core-{scenario.name}", core_server, spec)
    servers: list[tuple[Served, str]] = [
        (constant, f"http://{HOST}:{constant.port}/"),
        (floor, f"http://{HOST}:{floor.port}/replay"),
        (core, f"http://{HOST}:{core.port}/replay"),
        (product, product_url),
    ] + [(c, f"http://{HOST}:{c.port}{scenario.path}") for c in commands]
    figures: dict[str, Figures] = {s.name: Figures() for s, _ in servers}
    try:
        if args.warmup > 0:
            for _, url in servers:
                await wrk(url, headers, args, args.warmup)
        assert floor.ask is not None
        for repetition in range(args.repeat):
            for served, url in servers:
                before = await floor.ask("count") if served is floor else None
                figures[served.name].runs.append(await measure(served, url, headers, args))
                if before is not None:
                    requests, executed = (
                        a - b for a, b in zip(await floor.ask("count"), before, strict=True)
                    )
                    per_request = executed / requests if requests else 0
                    if per_request != len(steps):
                        notes.append(
                            f"floor ran {per_request:.2f} statements per request, captured {len(steps)}"
                        )
            print(f"  repetition {repetition + 1} of {args.repeat} done")
    finally:
        await core.stop()
        await floor.stop()
    after, _ = await capture(product, product_url, headers)
    if kinds(after["steps"]) != kinds(steps):
        notes.append("the product's statements changed during the run: figures not comparable")
    for served, _ in servers:
        print(f"  {served.name:<14}{figures[served.name].line()}")
    floor_rps = figures[floor.name].median("rps")
    lines = []
    for served, _ in servers:
        if served in (floor, constant):
            continue
        ratio = figures[served.name].median("rps") / floor_rps if floor_rps else 0.0
        p99 = figures[served.name].median("p99")
        goal = f"target ≥ {scenario.target}" if served is not core else "(no target)"
        verdict = "" if served is core else (" met" if ratio >= scenario.target else " MISSED")
        line = f"{scenario.name}: {served.name}/floor {ratio:.2f} {goal}{verdict}"
        if scenario.name == "api" and served is not core:
            line += f"; p99 {p99:.0f} ms target ≤ {API_P99_TARGET_MS:.0f}" + (
                " met" if p99 <= API_P99_TARGET_MS else " MISSED"
            )
        lines.append(line)
        print(f"  {line}")
    statement_check = (
        "statement check: OK (same count and kinds captured twice, after the load, and run by the floor)"
        if not notes
        else "statement check: " + "; ".join(notes)
    )
    print(f"  {statement_check}")
    return [*lines, f"{scenario.name}: {statement_check}"]


# ---------------------------------------------------------------------------------------------
# Setting up


async def statistics_ready(runtime: Runtime, region_id: uuid.UUID, year: int) -> None:
    """The region's figures computed once, so that the statistics page shows them."""
    from nastavnik.domain.statistics.recompute import ScopeKind, Snapshot, recompute

    await recompute(
        runtime.aggregator_engine, runtime.plugins, Snapshot(ScopeKind.REGION, region_id, year, date.today())
    )


async def session_key(redis_url: str, session_id: str) -> str:
    redis = Redis.from_url(redis_url)
    try:
        keys = [k async for k in redis.scan_iter(match=f"*{session_id}*")]
    finally:
        await redis.aclose()
    if len(keys) != 1:
        raise RuntimeError(f"the session is stored under {len(keys)} keys")
    return keys[0].decode()


async def run(args: argparse.Namespace) -> list[str]:
    results: list[str] = []
    async with bench_world("floor", pool=args.pool) as bench:
        runtime, settings, org, world = bench.runtime, bench.settings, bench.org, bench.world
        session_id = await forge_session(create_app(runtime), bench.curator.identity_id)
        key = await session_key(str(settings.redis_url), session_id)
        try:
            await statistics_ready(runtime, org.region_id, world.year)
        except Exception as exc:  # the page is still measured, with whatever it shows
            print(f"NOTE: the statistics recompute failed ({exc!r})")
        values = bench.child_values()
        app_dsn = str(role_url(str(settings.database_url), settings.db_app_role, None)).replace(
            "postgresql+asyncpg://", "postgresql://"
        )
        spec_base = {"app_dsn": app_dsn, "settings": values, "session_key": key, "pool": args.pool}
        scenarios = [
            Scenario("api", f"/api/o/{org.slug}/people", "bearer", API_RATIO_TARGET, "The tenant list (API)"),
            Scenario("page", f"/o/{org.slug}/people", "session", PAGE_RATIO_TARGET, "The people page"),
            Scenario(
                "stats",
                f"/o/{org.slug}/statistics?year={world.year}",
                "session",
                PAGE_RATIO_TARGET,
                "The organisation's statistics page",
            ),
        ]
        wanted = set(args.scenarios.split(","))
        product = await start_child("product", product_server, values)
        constant = await start_child("constant", bare_server)
        commands: list[Served] = []
        try:
            for workers in args.worker_counts:
                if workers > 1:
                    commands.append(await start_command(settings, workers))
            for scenario in scenarios:
                if scenario.name not in wanted:
                    continue
                headers = (
                    {"Authorization": f"Bearer {bench.token}"}
                    if scenario.auth == "bearer"
                    else {"Cookie": f"{SESSION_COOKIE}={session_id}"}
                )
                results += await run_scenario(
                    scenario,
                    product,
                    commands,
                    constant,
                    {**spec_base, "auth": scenario.auth},
                    headers,
                    args,
                )
        finally:
            for served in (*commands, constant, product):
                await served.stop()
    return results


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--duration", type=float, default=15.0, help="seconds of load per run")
    parser.add_argument("--repeat", type=int, default=3, help="runs per server (the median is shown)")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of untimed load per server")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections")
    parser.add_argument("--pool", type=int, default=10, help="database pool of every server")
    parser.add_argument("--workers", default="1", help="product processes to measure, e.g. 1,2")
    parser.add_argument("--scenarios", default="api,page,stats", help="of api, page, stats")
    parser.add_argument("--quick", action="store_true", help="5 s, one run, 1 s of warm-up")
    args = parser.parse_args(argv)
    if args.quick:
        args.duration, args.repeat, args.warmup = 5.0, 1, 1.0
    args.worker_counts = [int(w) for w in args.workers.split(",")]
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    load = os.getloadavg()
    started = time.perf_counter()
    print(
        f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs shared by the servers, wrk and PostgreSQL;"
        f" load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f};"
        f" wrk {args.threads} threads × {args.connections} connections, {args.duration:g} s,"
        f" median of {args.repeat}"
    )
    lines = asyncio.run(run(args))
    print("\n== Summary ==")
    for line in lines:
        print(f"  {line}")
    end = os.getloadavg()
    print(
        f"load average at the end {end[0]:.2f} {end[1]:.2f} {end[2]:.2f};"
        f" took {time.perf_counter() - started:.0f} s"
    )


if __name__ == "__main__":
    main()
