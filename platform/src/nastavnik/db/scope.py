"""The one place that tells PostgreSQL who is acting and in which organisation.

Row-level security policies read three transaction-local settings:
``nastavnik.identity_id`` (the signed-in identity), ``nastavnik.org_id`` (the
organisation named by the request) and ``nastavnik.scope`` (``oversight`` for the
region's and municipality's read-only views). They are set with
``set_config(..., true)`` at the start of every transaction of a scoped session,
so they vanish at commit and never leak to the next user of a pooled connection.
On Citus this function is also what must reach the shards: keep it the only one.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, func, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session, SessionTransaction

SCOPE_KEY = "nastavnik_db_scope"
SCOPE_SOURCE_KEY = "nastavnik_db_scope_source"

_SET_SCOPE = text(
    "SELECT set_config('nastavnik.identity_id', :identity_id, true),"
    " set_config('nastavnik.org_id', :org_id, true),"
    " set_config('nastavnik.scope', :scope, true)"
)


@dataclass(frozen=True, slots=True)
class DbScope:
    """What the database needs to know about the acting request."""

    identity_id: uuid.UUID | None
    org_id: uuid.UUID | None = None
    oversight: bool = False

    def as_params(self) -> dict[str, str]:
        return {
            "identity_id": str(self.identity_id) if self.identity_id else "",
            "org_id": str(self.org_id) if self.org_id else "",
            "scope": "oversight" if self.oversight else "",
        }


NO_SCOPE = DbScope(identity_id=None)


@event.listens_for(Session, "after_begin")
def _apply_scope(session: Session, transaction: SessionTransaction, connection: Connection) -> None:
    scope: DbScope | None = session.info.get(SCOPE_KEY)
    if scope is None and (source := session.info.get(SCOPE_SOURCE_KEY)) is not None:
        scope = source.get(SCOPE_KEY)
    if scope is not None:
        connection.execute(_SET_SCOPE, scope.as_params())


def scoped_session(factory: async_sessionmaker[AsyncSession], scope: DbScope, **kwargs: Any) -> AsyncSession:
    """A session whose every transaction starts by setting ``scope``."""
    session = factory(**kwargs)
    session.info[SCOPE_KEY] = scope
    return session


def following_session(factory: async_sessionmaker[AsyncSession], source: AsyncSession) -> AsyncSession:
    """A session (of another engine: the read replica's) acting in the scope of ``source``: each of its
    transactions starts with the scope ``source`` has at that moment (the request's organisation once
    resolved), until the session is given one of its own with :func:`rescope`."""
    session = factory()
    session.info[SCOPE_SOURCE_KEY] = source.info
    return session


def note_scope(session: AsyncSession, scope: DbScope) -> None:
    """Record the scope of a session whose transaction under way a statement of the caller's has just set
    (with :func:`scope_settings`): the round trip of :func:`rescope` ridden along with a query. Later
    transactions of the session start with it."""
    session.info[SCOPE_KEY] = scope


def scope_settings(identity_id: Any, org_id: Any, scope: Any = "") -> list[Any]:
    """The ``set_config(..., true)`` calls that set the scope, as columns of a caller's SELECT (SQL
    expressions or bound parameters of text): the statement that finds the identity or the organisation
    also tells PostgreSQL who acts where, in the same round trip. Only in the select list of a statement
    reading shared tables (no row-level security depends on it within that statement)."""
    return [
        func.set_config("nastavnik.identity_id", identity_id, True),
        func.set_config("nastavnik.org_id", org_id, True),
        func.set_config("nastavnik.scope", scope, True),
    ]


async def rescope_reads(db: AsyncSession, reads: AsyncSession | None, scope: DbScope) -> AsyncSession:
    """:func:`rescope` of ``db`` and of ``reads`` (a read replica's session, where the caller has one other
    than ``db``): the session to read through."""
    await rescope(db, scope)
    if reads is None or reads is db:
        return db
    await rescope(reads, scope)
    return reads


async def rescope(session: AsyncSession, scope: DbScope) -> None:
    """Change the scope of a session, including its transaction already under way.

    The scope recorded on the session is always the one its transaction under way has (set at BEGIN, by
    this function, or noted by :func:`note_scope`), so asking again for the same scope sends nothing."""
    current = session.info.get(SCOPE_KEY)
    session.info[SCOPE_KEY] = scope
    if session.in_transaction() and current != scope:
        await session.execute(_SET_SCOPE, scope.as_params())
