"""Database roles: the owner runs migrations, the others are granted just what they need."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

_ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


@dataclass(frozen=True, slots=True)
class DbRoles:
    """Names of the roles that policies and grants refer to."""

    owner: str
    app: str
    auditor: str
    aggregator: str
    """The statistics worker: reads across organisations through explicit read-only policies and
    writes only the statistics tables."""
    provisioner: str = "nastavnik_provisioner"
    """The jobs that bring organisations and people's accounts in (onboarding, account provisioning):
    the few tables they write, one organisation per transaction (the job's), nothing else."""

    @property
    def login_roles(self) -> tuple[str, ...]:
        """The roles the migrations create and grant to (all but the owner)."""
        return (self.app, self.auditor, self.aggregator, self.provisioner)

    def __post_init__(self) -> None:
        for name in (self.owner, *self.login_roles):
            if not _ROLE_NAME.match(name):
                raise ValueError(f"not a safe role name: {name!r}")


# A role made meanwhile by a migration of another database of the same cluster (advisory locks are per
# database, roles are not): duplicate_object, or the unique index of pg_authid once that one commits.
_ROLE_EXISTS = {"42710", "23505"}


async def _create_role(conn: AsyncConnection, name: str) -> None:
    try:
        async with conn.begin_nested():
            await conn.execute(
                text(f'CREATE ROLE "{name}" LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE')
            )
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) not in _ROLE_EXISTS:
            raise


async def ensure_login_roles(conn: AsyncConnection, roles: DbRoles, passwords: dict[str, str | None]) -> None:
    """Create the login roles if missing: no ownership, no BYPASSRLS.

    Roles are cluster-wide and two processes may migrate at once (several pods starting): the caller
    holds the migration lock (:func:`nastavnik.db.migrate.upgrade`), so the look and the CREATE ROLE
    cannot interleave with another migration's.
    """
    for name in roles.login_roles:
        exists = await conn.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name})
        if not exists:
            await _create_role(conn, name)
        password = passwords.get(name)
        if password:
            # Role names are validated above; the password travels as a quoted literal built by PostgreSQL.
            quoted = await conn.scalar(text("SELECT quote_literal(:p)"), {"p": password})
            await conn.execute(text(f'ALTER ROLE "{name}" PASSWORD {quoted}'))
