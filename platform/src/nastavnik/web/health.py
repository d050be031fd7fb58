"""Liveness and readiness probes for the orchestrator."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Response, get
from sqlalchemy import text

from nastavnik.web.params import Rt

PROBE_TIMEOUT = 2.0


@get("/health/live", summary="Процесс жив", tags=["Служебное"])
async def live() -> dict[str, str]:
    return {"status": "ok"}


@get(
    "/health/ready",
    summary="Готов принимать запросы: PostgreSQL (и его реплика, если задана) и Redis отвечают",
    tags=["Служебное"],
)
async def ready(runtime: Rt) -> Response[dict[str, Any]]:
    checks: dict[str, str] = {}

    async def database() -> None:
        async with runtime.app_engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def redis() -> None:
        await runtime.redis.ping()

    probes: list[tuple[str, Callable[[], Awaitable[None]]]] = [("postgresql", database)]
    replica_engine = runtime.replica_app_engine
    if replica_engine is not None:
        # Dashboards and report downloads read the replica when one is set: without it they fail,
        # so an instance that cannot reach it is not ready either.
        async def replica() -> None:
            async with replica_engine.connect() as conn:
                await conn.execute(text("SELECT 1"))

        probes.append(("replica", replica))
    probes.append(("redis", redis))
    for name, probe in probes:
        try:
            await asyncio.wait_for(probe(), PROBE_TIMEOUT)
            checks[name] = "ok"
        except Exception as exc:
            checks[name] = f"error: {type(exc).__name__}"
    ok = all(v == "ok" for v in checks.values())
    return Response(
        {"status": "ok" if ok else "unavailable", "checks": checks}, status_code=200 if ok else 503
    )
