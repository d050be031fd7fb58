"""The hot path's statements run on the driver's own connection (asyncpg), inside the session's transaction.

A request's few fixed statements (the actor, the organisation, the membership, the people list with its
audit event) cost several times more Python in SQLAlchemy's execution machinery (the ORM session's
``execute``, the execution context, the dialect's cursor adapter, result processing) than asyncpg takes to
run them. Here such a statement is compiled once, at import, to asyncpg's ``$n`` SQL with the order of its
parameters, and each execution is one ``fetch`` on the asyncpg connection the session holds:

- the transaction is the session's: :func:`fetch` asks the session for its connection (which begins the
  session's transaction and runs its ``begin`` listeners: the request's scope, PgBouncer's per-transaction
  settings), makes sure the dialect's adapter has sent ``BEGIN`` (it does that lazily, before its first
  statement), and runs the statement in it. ``commit``, ``rollback`` and the pool's reset on return are
  the session's and the adapter's as for any other statement;
- prepared statements: asyncpg keeps them in its own per-connection cache; behind PgBouncer in transaction
  pooling (``db_transaction_pooling``) that cache is off (:func:`nastavnik.db.pooling.connect_args` sets
  ``statement_cache_size=0``), and asyncpg then parses every statement unnamed, inside its transaction;
- errors come out as SQLAlchemy's :class:`~sqlalchemy.exc.DBAPIError`, as from ``session.execute``, so the
  application's error handlers (row-level security refusals as a 404) treat them alike;
- rows are asyncpg records (tuples by position), as the Core statements' rows were.

Only for statements of fixed shape whose parameters asyncpg encodes as they are (uuid, text, bool, inet
text, timestamps): no SQLAlchemy type processing is applied to parameters or results.

A request's session (:class:`RequestSession`, the one of a request without a signed-in session: a bearer
token's, or nobody's) goes further: when a driver statement is its transaction's first, the transaction is
the driver's own — a connection taken from the same engine's pool, ``BEGIN`` and ``COMMIT`` sent by asyncpg
— and the ORM session's transaction machinery (its ``SessionTransaction``, the engine ``Connection``, their
events) is never built for a request whose statements are all the driver's. The moment anything else needs
a connection of the session (an ORM statement, a flush, ``session.connection()``), the session is handed
that very connection, in the transaction under way (:meth:`_RequestSyncSession.get_bind`), and keeps it
until it is closed: everything still runs in one transaction, and it ends as the session's does. Only
where nothing must be run at ``BEGIN`` (no scope recorded on the session, no per-transaction settings of a
transaction pooler: :func:`nastavnik.db.pooling.set_per_transaction`); otherwise the session's own
transaction, as before.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.sql.expression import Executable
from sqlalchemy.util import greenlet_spawn

from nastavnik.db.scope import SCOPE_KEY, SCOPE_SOURCE_KEY

_DIALECT = PGDialect_asyncpg()  # type: ignore[no-untyped-call]
_DBAPI_ERROR = PGDialect_asyncpg.import_dbapi().Error  # type: ignore[no-untyped-call]
_DRIVER_KEY = "nastavnik_driver_connection"

Listener = Callable[[str, Sequence[Any]], None]
listeners: list[Listener] = []
"""Called with (SQL, parameters) before each statement (the floor benchmark records a request's
statements with it, as it does SQLAlchemy's with ``before_cursor_execute``). Empty in the product."""
edge_listeners: list[Callable[[str], None]] = []
"""Called with ``BEGIN``, ``COMMIT`` or ``ROLLBACK`` when the driver's own transaction (see above) sends
it (the floor benchmark records them, as it does the engine's ``begin`` and ``commit`` events)."""

_BEGIN_AS_IS: weakref.WeakSet[Engine] = weakref.WeakSet()
"""Engines whose transactions need nothing run at ``BEGIN`` by the engine (see :func:`begins_as_is`)."""


def begins_as_is(engine: Engine, as_is: bool = True) -> None:
    """Whether ``engine``'s transactions may begin as a bare ``BEGIN`` (the driver's own transaction): false
    where something must run at each begin (:func:`nastavnik.db.pooling.set_per_transaction`)."""
    if as_is:
        _BEGIN_AS_IS.add(engine)
    else:
        _BEGIN_AS_IS.discard(engine)


class DriverStatement:
    """A Core statement compiled once for asyncpg: its SQL and where each named parameter goes."""

    __slots__ = ("_fixed", "_order", "sql")

    def __init__(self, statement: Executable) -> None:
        compiled = statement.compile(dialect=_DIALECT)  # type: ignore[attr-defined]
        processors = compiled._bind_processors
        self.sql: str = compiled.string
        self._order: tuple[str, ...] = tuple(compiled.positiontup or ())
        required = {name for name, bind in compiled.binds.items() if bind.required}
        if converted := sorted(required & set(processors)):
            raise ValueError(f"parameters SQLAlchemy would convert: {converted}")
        values = compiled.params
        # Values fixed in the statement (literals, constants), converted and filled in once.
        self._fixed = {
            name: processors[name](values[name]) if name in processors else values[name]
            for name in self._order
            if name not in required
        }

    def arguments(self, params: Mapping[str, Any]) -> list[Any]:
        fixed = self._fixed
        return [fixed[name] if name in fixed else params[name] for name in self._order]


def _translated(error: Exception, adapted: Any, sql: str, arguments: Sequence[Any]) -> Exception:
    """The asyncpg ``error`` as SQLAlchemy's DBAPIError (as ``session.execute`` raises it)."""
    try:
        adapted._handle_exception(error)
    except Exception as translated:
        return DBAPIError.instance(sql, arguments, translated, _DBAPI_ERROR, dialect=_DIALECT)
    return error


class _RequestSyncSession(Session):
    """The ORM session of a :class:`RequestSession`: it holds the driver's transaction, when one is under way,
    and takes its connection over the first time it needs one."""

    _own: tuple[PoolProxiedConnection, Any] | None = None
    """The driver's transaction under way: the pool's connection and its adapted asyncpg connection."""
    _held: Connection | None = None
    """The engine connection made of the driver's, once handed over: the session's until it is closed."""

    def get_bind(self, *args: Any, **kwargs: Any) -> Any:
        if self._held is not None:
            return self._held
        if self._own is not None:
            # Anything that needs a connection of the session: that of the transaction under way. Beginning
            # it there sends nothing (the adapter has begun already) and runs the session's begin listeners.
            self._held = Connection(self.bind, connection=self._own[0])  # type: ignore[arg-type]
            self._own = None
            return self._held
        return super().get_bind(*args, **kwargs)

    def may_begin_own(self) -> bool:
        """Whether the next transaction may be the driver's own: nothing held, nothing under way or pending,
        nothing to run at BEGIN (no scope recorded: the session's begin listeners would set it)."""
        info = self.info
        return (
            self._held is None
            and self._own is None
            and self._transaction is None
            and self.bind in _BEGIN_AS_IS
            and SCOPE_KEY not in info
            and SCOPE_SOURCE_KEY not in info
            and self._is_clean()
        )


class RequestSession(AsyncSession):
    """A request's session whose driver statements may run in a transaction of the driver's own (module
    docstring). Commit, rollback and close end that transaction as they end the session's own."""

    sync_session_class = _RequestSyncSession
    sync_session: _RequestSyncSession

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._starting = asyncio.Lock()

    def in_transaction(self) -> bool:
        return self.sync_session._own is not None or super().in_transaction()

    async def commit(self) -> None:
        own = self.sync_session._own
        if own is None or not self.sync_session._is_clean():
            # The session's own transaction, or pending changes: flushing hands the connection over.
            await super().commit()
            return
        await self._end_own("COMMIT")
        sync = self.sync_session
        if sync.dispatch.after_commit:
            # The session's transaction committed, as far as its listeners go (what they were told to do
            # after a commit: fresh_figures' recomputes), in the greenlet they may await in.
            await greenlet_spawn(sync.dispatch.after_commit, sync)

    async def rollback(self) -> None:
        if self.sync_session._own is not None:
            await self._end_own("ROLLBACK")
        await super().rollback()

    async def close(self) -> None:
        try:
            sync = self.sync_session
            if sync._own is not None:
                await self._end_own("ROLLBACK")
            if sync._transaction is not None or sync.identity_map or sync._new or sync._deleted:
                # (Otherwise there is nothing to close: no transaction, no object to let go of.)
                await super().close()
        finally:
            held, self.sync_session._held = self.sync_session._held, None
            if held is not None:
                await greenlet_spawn(held.close)  # back to the pool, which rolls back what is left

    async def reset(self) -> None:
        await self.close()

    async def begin_own(self) -> Any:
        """The adapted connection of a transaction of the driver's own, begun; None where not allowed."""
        async with self._starting:
            sync = self.sync_session
            if sync._own is not None:
                return sync._own[1]
            if not sync.may_begin_own():
                return None
            pooled = await greenlet_spawn(sync.bind.raw_connection)  # type: ignore[union-attr]
            adapted = pooled.dbapi_connection
            try:
                for listener in edge_listeners:
                    listener("BEGIN")
                await adapted._start_transaction()
            except BaseException:
                await greenlet_spawn(pooled.close)
                raise
            sync._own = (pooled, adapted)
            return adapted

    async def _end_own(self, edge: str) -> None:
        own = self.sync_session._own
        assert own is not None
        self.sync_session._own = None
        pooled, adapted = own
        try:
            for listener in edge_listeners:
                listener(edge)
            transaction = adapted._transaction
            if transaction is not None:
                try:
                    await adapted._call_and_discard(
                        transaction.commit if edge == "COMMIT" else transaction.rollback
                    )
                except Exception as error:
                    raise _translated(error, adapted, edge, ()) from error
        finally:
            await greenlet_spawn(pooled.close)  # back to the pool (its reset rolls back anything left)


def current_transaction(session: AsyncSession) -> object | None:
    """What identifies the transaction under way of ``session`` (None: none), the driver's own included."""
    sync = session.sync_session
    own = getattr(sync, "_own", None)
    return own if own is not None else sync.get_transaction()


async def _driver_connection(session: AsyncSession) -> Any:
    """The asyncpg connection of the session's transaction, begun (``BEGIN`` sent) if it was not yet."""
    if isinstance(session, RequestSession):
        own = session.sync_session._own
        if own is not None:
            return own[1]
        adapted = await session.begin_own()
        if adapted is not None:
            return adapted
    transaction = session.sync_session.get_transaction()
    kept = session.info.get(_DRIVER_KEY)
    if transaction is not None and kept is not None and kept[0] is transaction:
        adapted = kept[1]
    else:
        connection = await session.connection()  # begins the session's transaction and its listeners
        adapted = (await connection.get_raw_connection()).dbapi_connection
        session.info[_DRIVER_KEY] = (session.sync_session.get_transaction(), adapted)
    if adapted._transaction is None:
        async with adapted._execute_mutex:
            if adapted._transaction is None:
                await adapted._start_transaction()
    return adapted


async def fetch(session: AsyncSession, statement: DriverStatement, params: Mapping[str, Any]) -> list[Any]:
    """The rows of ``statement`` with ``params``, in the session's transaction, on its asyncpg connection."""
    sync_session = session.sync_session
    # (``_is_clean``: what ``flush`` itself checks; the ``new``/``dirty``/``deleted`` views build sets.)
    if sync_session.autoflush and not sync_session._is_clean():
        # As ``session.execute`` would: the ORM's pending changes are sent before a statement reads.
        await session.flush()
    adapted = await _driver_connection(session)
    arguments = statement.arguments(params)
    for listener in listeners:
        listener(statement.sql, arguments)
    try:
        rows: list[Any] = await adapted.driver_connection.fetch(statement.sql, *arguments)
    except Exception as error:
        translated = _translated(error, adapted, statement.sql, arguments)
        if translated is error:
            raise
        raise translated from error
    return rows
