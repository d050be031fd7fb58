"""Connections that work behind PgBouncer in transaction pooling mode.

There a client's consecutive transactions run on whichever server connection PgBouncer hands out, and
a server connection serves many clients in turn. Whatever outlives a transaction on the server is
therefore shared with, or lost to, other clients:

- named prepared statements: asyncpg's and SQLAlchemy's statement caches keep them per client
  connection, so the next transaction finds another client's statement under the same name
  (``prepared statement "__asyncpg_stmt_1__" already exists``), none at all (``does not exist``), or,
  worst, one prepared for a different query. With both caches off and the statement name empty, every
  statement is parsed unnamed inside the transaction that runs it and nothing is left behind (unique
  names instead would pile up on the server connections until they close);
- settings sent when the connection starts (asyncpg's ``server_settings``): PgBouncer refuses all but
  a few it tracks itself (``application_name`` among them), so the others are set with
  ``set_config(..., true)`` at the start of every transaction, where they end with it.

The platform keeps nothing else beyond a transaction: its advisory locks are ``pg_advisory_xact_lock``,
its scope is ``set_config(..., true)`` (:mod:`nastavnik.db.scope`), the statistics' temporary table
is ``ON COMMIT DROP``. Migrations never run through PgBouncer (``nastavnik db upgrade`` connects to
PostgreSQL itself).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from nastavnik.db import driver

# What PgBouncer accepts in a client's startup packet (it sets them on every server connection it
# hands that client): anything else named there is refused with "unsupported startup parameter".
POOLER_STARTUP_SETTINGS = frozenset({"application_name"})


def _unnamed() -> str:
    return ""


def connect_args(pooling: bool, server_settings: Mapping[str, str] | None = None) -> dict[str, Any]:
    """asyncpg's connection arguments: with ``pooling``, no statement caches, unnamed statements, and only
    the startup settings a transaction pooler accepts (set the others with :func:`set_per_transaction`)."""
    args: dict[str, Any] = {}
    startup = dict(server_settings or {})
    if pooling:
        args = {
            "statement_cache_size": 0,  # asyncpg's own cache
            "prepared_statement_cache_size": 0,  # the SQLAlchemy dialect's cache
            # The dialect prepares every statement by name; an empty one makes it unnamed, and asyncpg
            # parses it again in the same message that runs it.
            "prepared_statement_name_func": _unnamed,
        }
        startup = {k: v for k, v in startup.items() if k in POOLER_STARTUP_SETTINGS}
    if startup:
        args["server_settings"] = startup
    return args


def per_transaction(pooling: bool, server_settings: Mapping[str, str]) -> dict[str, str]:
    """The settings that must be set per transaction rather than at connection start."""
    if not pooling:
        return {}
    return {k: v for k, v in server_settings.items() if k not in POOLER_STARTUP_SETTINGS}


def set_per_transaction(engine: AsyncEngine, settings: Mapping[str, str]) -> None:
    """Begin every transaction of ``engine`` by setting ``settings`` for that transaction only (one
    statement, sent right after BEGIN). Without settings, its transactions may begin as a bare ``BEGIN``,
    the driver's own (:mod:`nastavnik.db.driver`); with them, always through the engine, which runs them."""
    driver.begins_as_is(engine.sync_engine, not settings)
    if not settings:
        return
    names = sorted(settings)
    statement = text(
        "SELECT " + ", ".join(f"set_config(:name_{i}, :value_{i}, true)" for i in range(len(names)))
    )
    params = {f"name_{i}": name for i, name in enumerate(names)} | {
        f"value_{i}": settings[name] for i, name in enumerate(names)
    }

    @event.listens_for(engine.sync_engine, "begin")
    def _set(conn: Connection) -> None:
        conn.execute(statement, params)
