"""A request's session (nastavnik.db.driver.RequestSession) runs its driver statements in a transaction of
the driver's own when they come first: one transaction all the same, whatever follows — the session's own
statements are handed its connection in the transaction under way — ended by the session's commit, rollback
or close, with the connection back in the pool; never where something must run at BEGIN."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import delete, event, func, literal, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from nastavnik.db import driver
from nastavnik.db.scope import DbScope, note_scope
from nastavnik.models.identity import Identity
from nastavnik.runtime import Runtime

_SET = driver.DriverStatement(select(func.set_config("nastavnik.scope", literal("probe"), True)))
_TXID = driver.DriverStatement(select(func.txid_current()))
_FAIL = driver.DriverStatement(select(literal(1) / literal(0)))
_SCOPE = text("SELECT current_setting('nastavnik.scope', true)")
_SCOPE_ON_DRIVER = driver.DriverStatement(_SCOPE)


def request_session(runtime: Runtime) -> driver.RequestSession:
    return driver.RequestSession(**runtime.app_sessions.kw)


def checked_out(runtime: Runtime) -> int:
    return runtime.app_engine.sync_engine.pool.checkedout()  # type: ignore[attr-defined, no-any-return]


async def test_driver_statements_alone_never_build_the_session_transaction(runtime: Runtime) -> None:
    edges: list[str] = []
    driver.edge_listeners.append(edges.append)
    try:
        db = request_session(runtime)
        await driver.fetch(db, _SET, {})
        ((txid,),) = await driver.fetch(db, _TXID, {})
        assert await driver.fetch(db, _SCOPE_ON_DRIVER, {}) == [("probe",)]  # one transaction
        assert db.in_transaction()
        assert db.sync_session.get_transaction() is None  # the driver's own, not the session's
        await db.commit()
        assert not db.in_transaction()
        assert checked_out(runtime) == 0  # back in the pool at the commit
        ((after,),) = await driver.fetch(db, _TXID, {})
        assert after != txid
        assert await driver.fetch(db, _SCOPE_ON_DRIVER, {}) in ([("",)], [(None,)])
        await db.close()
        assert checked_out(runtime) == 0
    finally:
        driver.edge_listeners.remove(edges.append)
    assert edges == ["BEGIN", "COMMIT", "BEGIN", "ROLLBACK"]


async def test_the_session_statements_join_the_transaction_under_way(runtime: Runtime) -> None:
    db = request_session(runtime)
    try:
        await driver.fetch(db, _SET, {})
        ((txid,),) = await driver.fetch(db, _TXID, {})
        assert await db.scalar(_SCOPE) == "probe"  # handed the connection, in the same transaction
        assert await db.scalar(text("SELECT txid_current()")) == txid
        ((again,),) = await driver.fetch(db, _TXID, {})
        assert again == txid
        await db.rollback()
        assert await db.scalar(_SCOPE) in ("", None)  # ended with the session's rollback
        ((after,),) = await driver.fetch(db, _TXID, {})
        assert after != txid
        assert checked_out(runtime) == 1  # the session keeps the connection it was handed until closed
    finally:
        await db.close()
    assert checked_out(runtime) == 0


async def test_pending_changes_are_flushed_into_the_transaction_and_committed(runtime: Runtime) -> None:
    subject = f"probe-{uuid.uuid4()}"
    db = request_session(runtime)
    try:
        await driver.fetch(db, _TXID, {})  # the driver's own transaction under way
        db.add(Identity(issuer="https://probe.invalid", subject=subject, display_name="Проба"))
        await db.commit()  # the flush hands the connection over: the driver's transaction, committed
    finally:
        await db.close()
    async with runtime.owner_sessions() as owner:
        found = await owner.scalar(select(Identity.subject).where(Identity.subject == subject))
        assert found == subject
        await owner.execute(delete(Identity).where(Identity.subject == subject))
        await owner.commit()
    assert checked_out(runtime) == 0


async def test_errors_are_sqlalchemy_errors_and_the_rollback_ends_the_transaction(runtime: Runtime) -> None:
    db = request_session(runtime)
    try:
        await driver.fetch(db, _SET, {})
        with pytest.raises(DBAPIError) as raised:
            await driver.fetch(db, _FAIL, {})
        cause = getattr(raised.value.orig, "__cause__", None)
        assert getattr(cause, "sqlstate", None) == "22012"  # division_by_zero
        await db.rollback()
        assert checked_out(runtime) == 0
        assert await driver.fetch(db, _SCOPE_ON_DRIVER, {}) in ([("",)], [(None,)])
    finally:
        await db.close()
    assert checked_out(runtime) == 0


async def test_a_failed_transaction_left_open_is_rolled_back_at_close(runtime: Runtime) -> None:
    db = request_session(runtime)
    await driver.fetch(db, _SET, {})
    with pytest.raises(DBAPIError):
        await driver.fetch(db, _FAIL, {})
    await db.close()
    assert checked_out(runtime) == 0
    async with runtime.app_sessions() as other:  # the pool's connection is fit for the next user
        assert await other.scalar(text("SELECT 1")) == 1
        assert await other.scalar(_SCOPE) in ("", None)


async def test_a_scope_to_set_at_begin_takes_the_session_transaction(runtime: Runtime) -> None:
    """A recorded scope is set by the session's begin listener: the driver's own transaction is not used."""
    db = request_session(runtime)
    try:
        await driver.fetch(db, _TXID, {})
        note_scope(db, DbScope(identity_id=uuid.uuid4()))
        await db.commit()
        await driver.fetch(db, _TXID, {})
        assert db.sync_session.get_transaction() is not None
    finally:
        await db.close()
    assert checked_out(runtime) == 0


async def test_the_commit_of_the_driver_transaction_is_the_session_commit_for_its_listeners(
    runtime: Runtime,
) -> None:
    committed: list[object] = []

    def after_commit(session: Session) -> None:
        committed.append(session)

    event.listen(Session, "after_commit", after_commit)
    try:
        db = request_session(runtime)
        await driver.fetch(db, _TXID, {})
        await db.commit()
        assert committed == [db.sync_session]
        await db.close()
    finally:
        event.remove(Session, "after_commit", after_commit)
