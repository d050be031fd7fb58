"""Migrations apply on an empty database, on the previous version's, and roll back."""

from __future__ import annotations

import asyncio
import secrets
import uuid
from datetime import date

import asyncpg
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from nastavnik.db import migrate
from nastavnik.db.roles import DbRoles
from nastavnik.domain.methodical.models import Association, AssociationEvent
from nastavnik.plugins import load_plugins
from nastavnik.runtime import build_runtime
from nastavnik.testing import (
    RUN,
    Services,
    create_test_database,
    drop_test_database,
    new_organisation,
    new_region,
    settings_for,
)


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
        # The schools plugin's own table came and went: its decades are the methodical work's now.
        assert "schools_subject_decade" not in await _tables(runtime.owner_engine)
        assert "methodical_association" in await _tables(runtime.owner_engine)
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
            # At every head: a head another branch depends on (the core's, under schools_0003) is not
            # stored beside the revision that needs it.
            script = ScriptDirectory.from_config(migrate.alembic_config(dirs))
            applied = {rev.revision for rev in script.iterate_revisions(tuple(version), "base")}
            assert set(migrate.heads(dirs)) <= applied
        finally:
            for engine in engines:
                await engine.dispose()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        for role in (*roles.login_roles, owner):
            await admin.execute(f'DROP ROLE IF EXISTS "{role}"')
        await admin.close()


DecadeRow = tuple[uuid.UUID, uuid.UUID, str, str, date, date]  # org, id, subject area, title, dates


async def _old_decades(engine: AsyncEngine) -> set[DecadeRow]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT org_id, id, subject_area, title, starts_on, ends_on FROM schools_subject_decade")
        )
        return {tuple(r) for r in rows}


async def _associations(engine: AsyncEngine) -> set[tuple[object, ...]]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            text(
                "SELECT org_id, id, shape, academic_year, subject_area, name, starts_on, ends_on"
                " FROM methodical_association"
            )
        )
        return {tuple(r) for r in rows}


async def test_the_schools_decades_move_into_the_methodical_work_and_back(services: Services) -> None:
    """schools_0003 on real rows: every subject decade becomes an association of the shape «decade» under
    its own id, in the academic year its first day falls in; the downgrade brings the dated ones back and
    leaves the rest of the methodical work alone."""
    db = await create_test_database(services, "decades_move")
    runtime = await build_runtime(settings_for(services, db), plugins=load_plugins(), owner=True)
    try:
        dirs = [b.versions_dir for b in runtime.plugins.migrations()]
        await migrate.upgrade(runtime.owner_engine, runtime.roles)  # the core at its head
        await migrate.upgrade(
            runtime.owner_engine, runtime.roles, plugin_version_dirs=dirs, target="schools_0002"
        )
        region = await new_region(runtime)
        school_a = await new_organisation(runtime, region.municipality_id)
        school_b = await new_organisation(runtime, region.municipality_id)
        a, b = school_a.id, school_b.id
        old: set[DecadeRow] = {
            (a, uuid.uuid4(), "Математика", "Декада точных наук", date(2026, 9, 1), date(2026, 9, 10)),
            (a, uuid.uuid4(), "Филология", "Неделя словесности", date(2027, 3, 1), date(2027, 3, 7)),
            (a, uuid.uuid4(), "История", "Летняя декада", date(2026, 8, 25), date(2026, 9, 3)),
            (b, uuid.uuid4(), "Биология", "Декада естествознания", date(2026, 12, 1), date(2026, 12, 1)),
        }
        club, undated = uuid.uuid4(), uuid.uuid4()
        async with runtime.owner_engine.begin() as conn:
            for row in old:
                await conn.execute(
                    text(
                        "INSERT INTO schools_subject_decade (org_id, id, subject_area, title, starts_on, ends_on)"
                        " VALUES (:org, :id, :area, :title, :starts, :ends)"
                    ),
                    dict(zip(("org", "id", "area", "title", "starts", "ends"), row, strict=True)),
                )
        async with runtime.owner_sessions() as session:
            session.add_all(
                [
                    Association(org_id=school_a.id, id=club, shape="club", academic_year=2026, name="Звёзды"),
                    Association(
                        org_id=school_b.id, id=undated, shape="decade", academic_year=2026, name="Без дат"
                    ),
                ]
            )
            await session.commit()
        before = await _associations(runtime.owner_engine)

        await migrate.upgrade(runtime.owner_engine, runtime.roles, plugin_version_dirs=dirs)
        assert "schools_subject_decade" not in await _tables(runtime.owner_engine)
        years = {
            date(2026, 9, 1): 2026,
            date(2027, 3, 1): 2026,
            date(2026, 8, 25): 2025,
            date(2026, 12, 1): 2026,
        }
        moved = {
            (org, id_, "decade", years[starts], area, title, starts, ends)
            for org, id_, area, title, starts, ends in old
        }
        assert await _associations(runtime.owner_engine) == before | moved
        # The moved decade is the building block's own now: it takes events like any other.
        first = next(r for r in old if r[3] == "Декада точных наук")
        async with runtime.owner_sessions() as session:
            session.add(
                AssociationEvent(
                    org_id=first[0],
                    association_id=first[1],
                    held_on=date(2026, 9, 3),
                    topic="Открытый урок",
                    form="open_lesson",
                )
            )
            await session.commit()

        await migrate.downgrade(runtime.owner_engine, runtime.roles, "schools_0002", plugin_version_dirs=dirs)
        assert await _old_decades(runtime.owner_engine) == old
        assert await _associations(runtime.owner_engine) == before  # the club and the undated decade stay
        async with runtime.owner_engine.connect() as conn:
            assert (
                await conn.scalar(text("SELECT count(*) FROM methodical_event")) == 0
            )  # went with its decade

        await migrate.upgrade(runtime.owner_engine, runtime.roles, plugin_version_dirs=dirs)
        assert await _associations(runtime.owner_engine) == before | moved
    finally:
        await runtime.close()
        await drop_test_database(services, db)
