"""The services a test run uses, and a database, roles and Redis key prefix of the run's own over them.

``NASTAVNIK_TEST_DATABASE_URL`` names a PostgreSQL server by a superuser connection (e.g.
``postgresql://postgres@127.0.0.1:5432/postgres``) and ``NASTAVNIK_TEST_REDIS_URL`` a Redis; where unset,
embedded ones are started. The servers may be shared and keep state, so every run creates its own
database and roles (their names carry a per-run suffix) and its own Redis key prefix, and removes them.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg
from redis.asyncio import Redis
from sqlalchemy.engine import make_url

from nastavnik.db import migrate
from nastavnik.development import with_embedded_services
from nastavnik.domain.questionnaires import plugin_defaults
from nastavnik.plugins import load_plugins
from nastavnik.runtime import Runtime, build_runtime
from nastavnik.settings import Settings

RUN = secrets.token_hex(4)
"""This test run's suffix: its database, roles and Redis key prefix carry it."""
REDIS_PREFIX = f"nastavnik-test-{RUN}"


@dataclass(frozen=True)
class Services:
    """The PostgreSQL server (a superuser's asyncpg DSN) and the Redis a run works on."""

    admin_dsn: str
    redis_url: str

    def database_dsn(self, database: str) -> str:
        return str(make_url(self.admin_dsn).set(database=database))


@contextmanager
def run_services() -> Iterator[Services]:
    """The servers named by the environment, or embedded ones started for the run and stopped after it."""
    database_url = os.environ.get("NASTAVNIK_TEST_DATABASE_URL")
    redis_url = os.environ.get("NASTAVNIK_TEST_REDIS_URL")
    embedded = None
    scratch = Path(tempfile.mkdtemp(prefix="nastavnik-test-"))
    try:
        if database_url is None or redis_url is None:
            # The embedded servers are a development tool: the development distribution lends them
            # (nastavnik.development), started in this run's scratch folder.
            wanted = Settings(
                mode="development", database_url=database_url, redis_url=redis_url, data_dir=str(scratch)
            )
            # Started in a thread of its own: the embedded server's set-up runs its own event loop,
            # and the fixtures that ask for the services already run inside pytest-asyncio's.
            with ThreadPoolExecutor(max_workers=1) as thread:
                started, embedded = thread.submit(with_embedded_services, wanted).result()
            if database_url is None:
                assert started.database_url is not None
                url = make_url(started.database_url)
                database_url = f"postgresql://postgres@/postgres?host={url.query['host']}"
            redis_url = started.redis_url
        assert database_url is not None
        assert redis_url is not None
        yield Services(
            admin_dsn=str(make_url(database_url).set(drivername="postgresql")), redis_url=redis_url
        )
    finally:
        if embedded is not None:
            embedded.stop()
        shutil.rmtree(scratch, ignore_errors=True)


async def clean_redis(services: Services) -> None:
    """Remove this run's keys, and arq's keys of this run's job ids (arq prefixes job keys with "arq:")."""
    redis = Redis.from_url(services.redis_url)
    try:
        async for key in redis.scan_iter(match=f"*{REDIS_PREFIX}*"):
            await redis.delete(key)
    finally:
        await redis.aclose()


@dataclass(frozen=True)
class RunDatabase:
    """A database of the run's own and its roles: a non-superuser owner, the app, auditor, aggregator,
    provisioner (none can bypass row-level security)."""

    name: str
    owner: str
    app: str
    auditor: str
    aggregator: str
    owner_url: str
    provisioner: str = ""


async def create_test_database(services: Services, label: str) -> RunDatabase:
    """A database and the platform's roles, named for this run and ``label``."""
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
        for role in (db.owner, db.app, db.auditor, db.aggregator, db.provisioner):
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
    """The platform's settings over the run's database, roles and Redis key prefix."""
    values: dict[str, object] = {
        "database_url": db.owner_url,
        "redis_url": services.redis_url,
        "db_app_role": db.app,
        "db_auditor_role": db.auditor,
        "db_aggregator_role": db.aggregator,
        "db_provisioner_role": db.provisioner,
        "redis_prefix": REDIS_PREFIX,
        "db_pool_size": 5,
        # No recompute after each change: the queue holds only what a test asks for (a test of fresh
        # figures turns them on).
        "statistics_fresh": False,
    }
    values.update(overrides)
    return Settings.model_validate(values)


async def migrated_runtime(settings: Settings, plugins: Sequence[str] | None = None) -> Runtime:
    """A runtime over ``settings`` with the plugins named (every installed one: ``None``), its database
    migrated: the core's migrations and every loaded plugin's branch."""
    runtime = await build_runtime(settings, plugins=load_plugins(plugins), owner=True)
    branches = runtime.plugins.migrations()
    await migrate.upgrade(
        runtime.owner_engine,
        runtime.roles,
        plugin_version_dirs=[b.versions_dir for b in branches],
        then=[plugin_defaults.installer(runtime.plugins)],
    )
    return runtime
