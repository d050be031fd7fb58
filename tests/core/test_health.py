"""Health probes: liveness always, readiness only when PostgreSQL and Redis answer."""

from __future__ import annotations

import dataclasses

from litestar import Litestar
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import create_async_engine

from nastavnik.runtime import Runtime
from nastavnik.web.app import create_app
from tests.support.http import client_for


async def test_live_and_ready(app: Litestar) -> None:
    async with client_for(app) as client:
        live = await client.get("/health/live")
        ready = await client.get("/health/ready")
    assert live.status_code == 200
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"postgresql": "ok", "redis": "ok"}


async def test_not_ready_when_redis_is_gone(runtime: Runtime) -> None:
    dead_redis = Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    broken = dataclasses.replace(runtime, redis=dead_redis)
    async with client_for(create_app(broken)) as client:
        ready = await client.get("/health/ready")
    await dead_redis.aclose()
    assert ready.status_code == 503
    assert ready.json()["checks"]["postgresql"] == "ok"
    assert ready.json()["checks"]["redis"].startswith("error")


async def test_not_ready_when_the_replica_is_gone(runtime: Runtime) -> None:
    """With a read replica set, dashboards read it: an instance that cannot reach it is not ready."""
    dead_replica = create_async_engine(
        "postgresql+asyncpg://nastavnik@127.0.0.1:1/nastavnik", connect_args={"timeout": 0.5}
    )
    with_replica = dataclasses.replace(runtime, replica_app_engine=dead_replica)
    async with client_for(create_app(with_replica)) as client:
        ready = await client.get("/health/ready")
    await dead_replica.dispose()
    checks = ready.json()["checks"]
    assert ready.status_code == 503
    assert (checks["postgresql"], checks["redis"]) == ("ok", "ok")
    assert checks["replica"].startswith("error")


async def test_ready_with_a_replica_that_answers(runtime: Runtime) -> None:
    """The application's own server stands in for a replica here (tests/pooling has a real standby)."""
    with_replica = dataclasses.replace(runtime, replica_app_engine=runtime.app_engine)
    async with client_for(create_app(with_replica)) as client:
        ready = await client.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"postgresql": "ok", "replica": "ok", "redis": "ok"}
