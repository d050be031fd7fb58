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
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.expression import Executable

_DIALECT = PGDialect_asyncpg()  # type: ignore[no-untyped-call]
_DBAPI_ERROR = PGDialect_asyncpg.import_dbapi().Error  # type: ignore[no-untyped-call]
_DRIVER_KEY = "nastavnik_driver_connection"

Listener = Callable[[str, Sequence[Any]], None]
listeners: list[Listener] = []
"""Called with (SQL, parameters) before each statement (the floor benchmark records a request's
statements with it, as it does SQLAlchemy's with ``before_cursor_execute``). Empty in the product."""


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


async def _driver_connection(session: AsyncSession) -> Any:
    """The asyncpg connection of the session's transaction, begun (``BEGIN`` sent) if it was not yet."""
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
        try:
            adapted._handle_exception(error)
        except Exception as translated:
            raise DBAPIError.instance(
                statement.sql, arguments, translated, _DBAPI_ERROR, dialect=_DIALECT
            ) from error
        raise
    return rows
