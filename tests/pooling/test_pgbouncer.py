"""The platform behind a real PgBouncer in transaction pooling mode.

PgBouncer hands each transaction whichever server connection is free, two per database and role here,
so the transactions of different tenants (one application role) take turns on the same two server
connections. With ``db_transaction_pooling`` on, the isolation suite's core passes through it: every
route called with another organisation's slugs and ids answers 404 without a canary, with and without
the service layer's checks. Without the setting the same traffic fails on prepared statements: the
setting is what makes the platform work there.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest
from litestar import Litestar
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nastavnik.db.scope import DbScope, scoped_session
from nastavnik.runtime import Runtime, build_runtime
from nastavnik.testing.services import (
    REDIS_PREFIX,
    RunDatabase,
    Services,
    create_test_database,
    drop_test_database,
    migrated_runtime,
    settings_for,
)
from nastavnik.web.app import create_app
from tests.isolation.test_isolation_suite import (
    test_foreign_slugs_and_ids_answer_404_without_canaries,
    test_own_organisation_still_works,
    test_row_level_security_alone_holds,
)
from tests.pooling.servers import Bouncer, pgbouncer
from tests.support.world import World, build_world

pytestmark = pytest.mark.isolation

__all__ = [
    "test_foreign_slugs_and_ids_answer_404_without_canaries",
    "test_own_organisation_still_works",
    "test_row_level_security_alone_holds",
]


@pytest.fixture(scope="module")
async def pooled_db(services: Services) -> AsyncIterator[RunDatabase]:
    """A database of this module's own: its world does not mix with the main database's."""
    db = await create_test_database(services, "pool")
    yield db
    await drop_test_database(services, db)


@pytest.fixture(scope="module")
def bouncer(services: Services, pooled_db: RunDatabase) -> Iterator[Bouncer]:
    roles = (pooled_db.owner, pooled_db.app, pooled_db.auditor, pooled_db.aggregator, pooled_db.provisioner)
    with pgbouncer(services.admin_dsn, roles, pool_size=2) as started:
        yield started


@pytest.fixture(scope="module")
async def direct(services: Services, pooled_db: RunDatabase) -> AsyncIterator[Runtime]:
    """The runtime on PostgreSQL itself, as ``nastavnik db upgrade`` runs: it migrates the database."""
    # A queue of its own, as the replica's module: its jobs never reach the suite's workers.
    rt = await migrated_runtime(settings_for(services, pooled_db, redis_prefix=f"{REDIS_PREFIX}:pooling"))
    yield rt
    await rt.close()


async def through_bouncer(direct: Runtime, bouncer: Bouncer, *, pooling: bool) -> Runtime:
    """A runtime like ``serve``'s and ``worker``'s: every role through PgBouncer. Its owner connection
    (the suite's before-and-after snapshots, the world's seed) stays on PostgreSQL itself, as migrations
    and seeds do."""
    assert direct.settings.database_url is not None
    settings = direct.settings.model_copy(
        update={
            "database_url": bouncer.url_for(direct.settings.database_url),
            "db_transaction_pooling": pooling,
        }
    )
    rt = await build_runtime(settings, direct.plugins)
    rt.owner = direct.owner_engine
    return rt


@pytest.fixture(scope="module")
async def runtime(direct: Runtime, bouncer: Bouncer) -> AsyncIterator[Runtime]:
    rt = await through_bouncer(direct, bouncer, pooling=True)
    yield rt
    rt.owner = None  # the direct runtime's: closed with it
    await rt.close()


@pytest.fixture(scope="module")
def app(runtime: Runtime) -> Litestar:
    return create_app(runtime)


@pytest.fixture(scope="module")
async def world(runtime: Runtime) -> World:
    return await build_world(runtime)


async def churn(sessions: async_sessionmaker[AsyncSession], clients: int = 6, rounds: int = 8) -> None:
    """Several client connections at once, each running short transactions of a few statements in the
    application role's scope: what a busy web process does."""

    async def client(n: int) -> None:
        for i in range(rounds):
            async with scoped_session(sessions, DbScope(identity_id=None)) as db, db.begin():
                assert await db.scalar(text("SELECT CAST(:n AS integer) + :i"), {"n": n, "i": i}) == n + i
                await db.execute(text("SELECT count(*) FROM region"))
                assert await db.scalar(text("SELECT current_setting('nastavnik.scope', true)")) == ""

    await asyncio.gather(*(client(n) for n in range(clients)))


async def test_statement_caches_break_behind_a_transaction_pooler(
    services: Services, pooled_db: RunDatabase, direct: Runtime
) -> None:
    """The failure mode is real: without the setting, asyncpg's and SQLAlchemy's prepared statements meet
    other clients' on the shared server connections. (A PgBouncer of its own: the statements it leaves on
    its server connections go with it.)"""
    with pgbouncer(services.admin_dsn, (pooled_db.app,), pool_size=2) as own:
        rt = await through_bouncer(direct, own, pooling=False)
        try:
            with pytest.raises(DBAPIError, match="prepared statement"):
                await churn(rt.app_sessions)
        finally:
            rt.owner = None
            await rt.close()


async def test_the_same_traffic_passes_with_transaction_pooling(runtime: Runtime) -> None:
    await churn(runtime.app_sessions)
    # And it leaves no prepared statement behind on the server connections it shared (unique names
    # instead of unnamed statements would pile up there).
    for _ in range(4):
        async with runtime.app_sessions() as db, db.begin():
            assert await db.scalar(text("SELECT count(*) FROM pg_prepared_statements")) == 0


async def test_settings_pgbouncer_refuses_at_start_hold_in_every_transaction(runtime: Runtime) -> None:
    """The aggregator's settings reach PostgreSQL through PgBouncer, set per transaction."""
    async with runtime.aggregator_engine.connect() as conn:
        found = (
            await conn.execute(
                text(
                    "SELECT current_setting('plan_cache_mode'), current_setting('client_connection_check_interval'),"
                    " current_setting('application_name')"
                )
            )
        ).one()
    assert tuple(found) == ("force_custom_plan", "1s", "nastavnik-aggregator")


async def test_a_streamed_read_runs_through_the_pooler(runtime: Runtime) -> None:
    """Server-side cursors (the audit log's export streams its rows) live in their transaction: fine."""
    async with runtime.auditor_sessions() as db:
        result = await db.stream(
            text("SELECT g FROM generate_series(1, 2500) AS g").execution_options(yield_per=1000)
        )
        seen = [row[0] async for row in result]
    assert seen == list(range(1, 2501))
