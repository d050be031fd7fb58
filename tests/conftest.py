"""Shared fixtures: real PostgreSQL and Redis, a database and roles of this run's own, several tenants.

Services: ``NASTAVNIK_TEST_DATABASE_URL`` (a superuser connection to a server, e.g.
``postgresql://postgres@127.0.0.1:5432/postgres``) and ``NASTAVNIK_TEST_REDIS_URL``; where
unset, embedded PostgreSQL and Redis are started. The services may be shared and keep state,
so every run creates its own database and roles (names carry a per-run suffix) and its own
Redis key prefix, and removes them at the end.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import asyncpg
import pytest
from litestar import Litestar
from redis.asyncio import Redis
from sqlalchemy.engine import make_url

from nastavnik import clock
from nastavnik.db import migrate
from nastavnik.demo.embedded import start_embedded
from nastavnik.plugins import load_plugins
from nastavnik.runtime import Runtime, build_runtime
from nastavnik.settings import Settings
from tests.support.world import World, build_world

RUN = secrets.token_hex(4)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--clock",
        default=os.environ.get("NASTAVNIK_TEST_CLOCK"),
        help="run the suite with the platform's clock set to this aware ISO instant, ticking from there "
        "(e.g. 2026-12-04T23:30:00+00:00); also NASTAVNIK_TEST_CLOCK",
    )


_SUITE_CLOCK = pytest.StashKey[contextlib.AbstractContextManager[None]]()


def pytest_configure(config: pytest.Config) -> None:
    """The whole run at a chosen instant, so the suite is shown to pass at any hour. Pinned before the test
    modules are imported, so dates they compute once (``TODAY = region_today()``) are on the same clock."""
    instant = config.getoption("--clock")
    if instant:
        pin = clock.pinned(datetime.fromisoformat(instant.replace("Z", "+00:00")), tick=True)
        pin.__enter__()
        config.stash[_SUITE_CLOCK] = pin


def pytest_unconfigure(config: pytest.Config) -> None:
    pin = config.stash.get(_SUITE_CLOCK, None)
    if pin is not None:
        pin.__exit__(None, None, None)


@dataclass(frozen=True)
class Services:
    admin_dsn: str  # asyncpg DSN of a superuser
    redis_url: str

    def database_dsn(self, database: str) -> str:
        return str(make_url(self.admin_dsn).set(database=database))


@pytest.fixture(scope="session")
def services() -> Iterator[Services]:
    database_url = os.environ.get("NASTAVNIK_TEST_DATABASE_URL")
    redis_url = os.environ.get("NASTAVNIK_TEST_REDIS_URL")
    embedded = None
    scratch = Path(tempfile.mkdtemp(prefix="nastavnik-test-"))
    if database_url is None or redis_url is None:
        embedded = start_embedded(
            scratch,
            need_postgres=database_url is None,
            need_redis=redis_url is None,
        )
    if database_url is None:
        assert embedded is not None
        url = make_url(embedded.database_url)
        database_url = f"postgresql://postgres@/postgres?host={url.query['host']}"
    if redis_url is None:
        assert embedded is not None
        redis_url = embedded.redis_url
    yield Services(admin_dsn=str(make_url(database_url).set(drivername="postgresql")), redis_url=redis_url)
    if embedded is not None:
        embedded.stop()
    shutil.rmtree(scratch, ignore_errors=True)


@dataclass(frozen=True)
class RunDatabase:
    name: str
    owner: str
    app: str
    auditor: str
    aggregator: str
    owner_url: str
    provisioner: str = ""


async def create_test_database(services: Services, label: str) -> RunDatabase:
    """A database and three roles of this run's own: a non-superuser owner, the app, the auditor."""
    suffix = f"{RUN}_{label}"
    db = RunDatabase(
        name=f"nastavnik_test_{suffix}",
        owner=f"nk_owner_{suffix}",
        app=f"nk_app_{suffix}",
        auditor=f"nk_auditor_{suffix}",
        aggregator=f"nk_agg_{suffix}",
        owner_url="",
        provisioner=f"nk_prov_{suffix}",
    )
    conn = await asyncpg.connect(services.admin_dsn)
    try:
        await conn.execute(f'CREATE ROLE "{db.owner}" LOGIN NOSUPERUSER NOBYPASSRLS')
        for role in (db.app, db.auditor, db.aggregator, db.provisioner):
            await conn.execute(f'CREATE ROLE "{role}" LOGIN NOSUPERUSER NOBYPASSRLS')
        await conn.execute(f'CREATE DATABASE "{db.name}" OWNER "{db.owner}"')
    finally:
        await conn.close()
    owner_url = make_url(services.database_dsn(db.name)).set(
        drivername="postgresql+asyncpg", username=db.owner
    )
    return RunDatabase(
        db.name,
        db.owner,
        db.app,
        db.auditor,
        db.aggregator,
        owner_url.render_as_string(hide_password=False),
        db.provisioner,
    )


async def drop_test_database(services: Services, db: RunDatabase) -> None:
    conn = await asyncpg.connect(services.admin_dsn)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{db.name}" WITH (FORCE)')
        for role in (db.app, db.auditor, db.aggregator, db.provisioner, db.owner):
            await conn.execute(f'DROP ROLE IF EXISTS "{role}"')
    finally:
        await conn.close()


def settings_for(services: Services, db: RunDatabase, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": db.owner_url,
        "redis_url": services.redis_url,
        "db_app_role": db.app,
        "db_auditor_role": db.auditor,
        "db_aggregator_role": db.aggregator,
        "db_provisioner_role": db.provisioner,
        "redis_prefix": f"nastavnik-test-{RUN}",
        "db_pool_size": 5,
    }
    values.update(overrides)
    return Settings.model_validate(values)


async def migrated_runtime(settings: Settings) -> Runtime:
    runtime = await build_runtime(settings, plugins=load_plugins(), owner=True)
    branches = runtime.plugins.migrations()
    await migrate.upgrade(
        runtime.owner_engine, runtime.roles, plugin_version_dirs=[b.versions_dir for b in branches]
    )
    return runtime


@pytest.fixture(scope="session")
async def test_db(services: Services) -> AsyncIterator[RunDatabase]:
    db = await create_test_database(services, "main")
    yield db
    await drop_test_database(services, db)


@pytest.fixture(scope="session")
async def runtime(services: Services, test_db: RunDatabase) -> AsyncIterator[Runtime]:
    rt = await migrated_runtime(settings_for(services, test_db))
    yield rt
    await rt.close()


@pytest.fixture(scope="session")
async def world(runtime: Runtime) -> World:
    return await build_world(runtime)


@pytest.fixture(scope="session", autouse=True)
async def _clean_redis(services: Services) -> AsyncIterator[None]:
    yield
    redis = Redis.from_url(services.redis_url)
    try:
        # Our keys, and arq's keys of our job ids (arq prefixes job keys with its own "arq:").
        async for key in redis.scan_iter(match=f"*nastavnik-test-{RUN}*"):
            await redis.delete(key)
    finally:
        await redis.aclose()


@pytest.fixture(scope="session")
def app(runtime: Runtime) -> Litestar:
    from nastavnik.web.app import create_app

    return create_app(runtime)
