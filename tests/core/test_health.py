"""Health probes: liveness always, readiness only when PostgreSQL and Redis answer."""

from __future__ import annotations

import dataclasses

from litestar import Litestar
from redis.asyncio import Redis

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
