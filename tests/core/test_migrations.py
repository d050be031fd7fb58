"""Migrations apply on an empty database, on the previous version's, and roll back."""

from __future__ import annotations

import asyncio
import secrets

import asyncpg
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from nastavnik.db import migrate
from nastavnik.db.roles import DbRoles
from nastavnik.plugins import load_plugins
from nastavnik.runtime import build_runtime
from nastavnik.testing import RUN, Services, create_test_database, drop_test_database, settings_for


async def _tables(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as conn:
        rows = await conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))
        return set(rows.scalars())


async def test_upgrade_from_previous_version_then_downgrade_and_again(services: Services) -> None:
    db = await create_test_database(services, "migrations")
    runtime = await build_runtime(settings_for(services, db), plugins=load_plugins(), owner=True)
    try:
        dirs = [b.versions_dir for b in runtime.plugins.migrations()]
        # The previous version: the core alone, before the plugin branch existed.
        await migrate.upgrade(runtime.owner_engine, runtime.roles, target="0001")
        assert "person" in await _tables(runtime.owner_engine)
        assert "schools_subject_decade" not in await _tables(runtime.owner_engine)
        await migrate.upgrade(runtime.owner_engine, runtime.roles, plugin_version_dirs=dirs)
        assert "schools_subject_decade" in await _tables(runtime.owner_engine)
        # Running it again changes nothing.
        await migrate.upgrade(runtime.owner_engine, runtime.roles, plugin_version_dirs=dirs)
        await migrate.downgrade(runtime.owner_engine, runtime.roles, "base", plugin_version_dirs=dirs)
        assert await _tables(runtime.owner_engine) == {"alembic_version"}
        await migrate.upgrade(runtime.owner_engine, runtime.roles, plugin_version_dirs=dirs)
        async with runtime.owner_engine.connect() as conn:
            years = await conn.scalar(text("SELECT count(*) FROM academic_year"))
        assert years == 22
    finally:
        await runtime.close()
        await drop_test_database(services, db)


async def test_two_migrations_at_once_on_a_fresh_database_both_succeed(services: Services) -> None:
    """Several pods starting together each run `db upgrade`: the login roles are created under the migration
    lock, so the second finds them made instead of failing on a duplicate CREATE ROLE."""
    suffix = f"{RUN}_{secrets.token_hex(3)}"
    database, owner = f"nastavnik_test_race_{suffix}", f"nk_race_owner_{suffix}"
    roles = DbRoles(
        owner=owner,
        app=f"nk_race_app_{suffix}",
        auditor=f"nk_race_aud_{suffix}",
        aggregator=f"nk_race_agg_{suffix}",
        provisioner=f"nk_race_prov_{suffix}",
    )
    admin = await asyncpg.connect(services.admin_dsn)
    try:
        # An owner that may create roles, as a fresh deployment's is; none of the login roles exist yet.
        await admin.execute(f'CREATE ROLE "{owner}" LOGIN CREATEROLE NOSUPERUSER NOBYPASSRLS')
        await admin.execute(f'CREATE DATABASE "{database}" OWNER "{owner}"')
        url = make_url(services.database_dsn(database)).set(drivername="postgresql+asyncpg", username=owner)
        engines = [create_async_engine(url, pool_size=1, max_overflow=0) for _ in range(2)]
        dirs = [b.versions_dir for b in load_plugins().migrations()]
        try:
            results = await asyncio.gather(
                *(migrate.upgrade(e, roles, plugin_version_dirs=dirs) for e in engines),
                return_exceptions=True,
            )
            assert [r for r in results if isinstance(r, BaseException)] == []
            async with engines[0].connect() as conn:
                made = set(
                    await conn.scalars(
                        text("SELECT rolname FROM pg_roles WHERE rolname = ANY(:names)"),
                        {"names": list(roles.login_roles)},
                    )
                )
                version = set(await conn.scalars(text("SELECT version_num FROM alembic_version")))
            assert made == set(roles.login_roles)
            assert version == set(migrate.heads(dirs))
        finally:
            for engine in engines:
                await engine.dispose()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        for role in (*roles.login_roles, owner):
            await admin.execute(f'DROP ROLE IF EXISTS "{role}"')
        await admin.close()
