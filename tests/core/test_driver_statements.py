"""The hot path's statements on the driver's connection (nastavnik.db.driver) run inside the session's own
transaction: what they set is seen by the session's statements and ends with its commit or rollback, their
errors are SQLAlchemy's, and with transaction pooling on they leave no prepared statement behind."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import bindparam, func, literal, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from nastavnik.db import driver, pooling
from nastavnik.models.identity import Identity
from nastavnik.runtime import Runtime

_SET = driver.DriverStatement(select(func.set_config("nastavnik.scope", literal("probe"), True)))
_TXID = driver.DriverStatement(select(func.txid_current()))
_FAIL = driver.DriverStatement(select(literal(1) / literal(0)))
_IDENTITY = driver.DriverStatement(
    select(Identity.display_name).where(Identity.id == bindparam("identity_id"))
)
_SCOPE = text("SELECT current_setting('nastavnik.scope', true)")


async def test_driver_statements_share_the_session_transaction(runtime: Runtime) -> None:
    async with runtime.app_sessions() as db:
        await driver.fetch(db, _SET, {})
        assert await db.scalar(_SCOPE) == "probe"  # the same transaction: its local setting is seen
        ((txid,),) = await driver.fetch(db, _TXID, {})
        assert await db.scalar(text("SELECT txid_current()")) == txid
        await db.rollback()
        assert await db.scalar(_SCOPE) in ("", None)  # ended with the session's rollback
        ((after,),) = await driver.fetch(db, _TXID, {})  # a new transaction, begun for the driver
        assert after != txid
        await driver.fetch(db, _SET, {})
        await db.commit()
        assert await db.scalar(_SCOPE) in ("", None)  # and with its commit


async def test_a_driver_statement_begins_the_transaction_it_runs_in(runtime: Runtime) -> None:
    """Run first in a session, the statement still runs inside a transaction (never in autocommit, where a
    transaction-local setting would vanish before the next statement)."""
    async with runtime.app_sessions() as db:
        await driver.fetch(db, _SET, {})
        ((txid,),) = await driver.fetch(db, _TXID, {})
        assert await db.scalar(_SCOPE) == "probe"
        assert await db.scalar(text("SELECT txid_current()")) == txid


async def test_driver_errors_are_sqlalchemy_errors_and_end_the_transaction(runtime: Runtime) -> None:
    async with runtime.app_sessions() as db:
        await driver.fetch(db, _SET, {})
        with pytest.raises(DBAPIError) as raised:
            await driver.fetch(db, _FAIL, {})
        cause = getattr(raised.value.orig, "__cause__", None)
        assert getattr(cause, "sqlstate", None) == "22012"  # division_by_zero
        await db.rollback()
        assert await db.scalar(_SCOPE) in ("", None)


def test_a_parameter_sqlalchemy_would_convert_is_refused() -> None:
    from sqlalchemy import JSON, bindparam

    with pytest.raises(ValueError, match="would convert"):
        driver.DriverStatement(select(bindparam("doc", type_=JSON)))


async def test_with_transaction_pooling_no_prepared_statement_is_left(runtime: Runtime) -> None:
    """Behind PgBouncer in transaction pooling asyncpg's statement cache is off (pooling.connect_args):
    the driver's statements are then unnamed and nothing outlives their transaction on the server."""
    engine = create_async_engine(runtime.app_engine.url, connect_args=pooling.connect_args(True))
    try:
        sessions = async_sessionmaker(engine, expire_on_commit=False)
        for _ in range(3):
            async with sessions() as db:
                await driver.fetch(db, _SET, {})
                await driver.fetch(db, _TXID, {})
                assert await db.scalar(text("SELECT count(*) FROM pg_prepared_statements")) == 0
                await db.commit()
    finally:
        await engine.dispose()


async def test_pending_orm_changes_are_flushed_before_a_driver_statement(runtime: Runtime) -> None:
    """As ``session.execute`` autoflushes: a driver statement sees what the session was about to write."""
    identity = Identity(
        id=uuid.uuid4(), issuer="https://driver.test", subject=str(uuid.uuid4()), display_name="Проба"
    )
    async with runtime.app_sessions() as db:
        db.add(identity)  # pending: not yet sent
        rows = await driver.fetch(db, _IDENTITY, {"identity_id": identity.id})
        assert [tuple(row) for row in rows] == [("Проба",)]
        await db.rollback()
