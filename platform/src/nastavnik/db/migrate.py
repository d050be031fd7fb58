"""Run the core's and every loaded plugin's Alembic branches as the owner role."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from nastavnik.db.rls import ROLES_ATTRIBUTE
from nastavnik.db.roles import DbRoles, ensure_login_roles

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
CORE_VERSIONS = MIGRATIONS_DIR / "versions"

# Serialises concurrent `db upgrade` runs (several web pods starting at once).
_MIGRATION_LOCK_KEY = 0x6E617374  # "nast"


def alembic_config(plugin_version_dirs: Sequence[Path] = ()) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    locations = [str(CORE_VERSIONS), *(str(p) for p in plugin_version_dirs)]
    # A path separator that cannot appear inside our paths.
    config.set_main_option("path_separator", ";")
    config.set_main_option("version_locations", ";".join(locations))
    return config


def _upgrade(connection: Connection, config: Config, target: str) -> None:
    config.attributes["connection"] = connection
    command.upgrade(config, target)


def _downgrade(connection: Connection, config: Config, target: str) -> None:
    config.attributes["connection"] = connection
    command.downgrade(config, target)


async def upgrade(
    owner_engine: AsyncEngine,
    roles: DbRoles,
    *,
    plugin_version_dirs: Sequence[Path] = (),
    passwords: dict[str, str | None] | None = None,
    target: str = "heads",
    then: Sequence[Callable[[AsyncConnection], Awaitable[None]]] = (),
) -> None:
    """Create the login roles if missing, then apply migrations up to ``target`` in one transaction,
    then run ``then`` (data the assembly installs after the schema, e.g. the plugins' questionnaire
    templates) in the same transaction.

    The migration lock is taken first, before the roles are looked for: otherwise two processes
    migrating a fresh database at once both find a role missing and the second CREATE ROLE fails.
    """
    config = alembic_config(plugin_version_dirs)
    config.attributes[ROLES_ATTRIBUTE] = roles
    async with owner_engine.begin() as conn:
        await conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK_KEY})
        await ensure_login_roles(conn, roles, passwords or {})
        await conn.run_sync(_upgrade, config, target)
        for step in then:
            await step(conn)


async def downgrade(
    owner_engine: AsyncEngine, roles: DbRoles, target: str, *, plugin_version_dirs: Sequence[Path] = ()
) -> None:
    config = alembic_config(plugin_version_dirs)
    config.attributes[ROLES_ATTRIBUTE] = roles
    async with owner_engine.begin() as conn:
        await conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK_KEY})
        await conn.run_sync(_downgrade, config, target)


def heads(plugin_version_dirs: Sequence[Path] = ()) -> tuple[str, ...]:
    return tuple(ScriptDirectory.from_config(alembic_config(plugin_version_dirs)).get_heads())
