"""Migrations apply on an empty database, on the previous version's, and roll back."""

from __future__ import annotations

from sqlalchemy import text

from nastavnik.db import migrate
from nastavnik.plugins import load_plugins
from nastavnik.runtime import build_runtime
from tests.conftest import Services, create_test_database, drop_test_database, settings_for


async def _tables(engine) -> set[str]:  # type: ignore[no-untyped-def]
    async with engine.connect() as conn:
        rows = await conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))
        return set(rows.scalars())


async def test_upgrade_from_previous_version_then_downgrade_and_again(services: Services) -> None:
    db = await create_test_database(services, "migrations")
    runtime = await build_runtime(settings_for(services, db), plugins=load_plugins(), owner=True)
    try:
        dirs = [b.versions_dir for b in runtime.plugins.flatten("register_migrations")]
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
