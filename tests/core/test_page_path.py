"""The page (session) path: one transaction for the people page, its read audited, a deactivated identity
refused at once, an unchanged session not written back to Redis, templates reloaded only in development."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from litestar import Litestar
from litestar.stores.redis import RedisStore
from sqlalchemy import event, select, update
from sqlalchemy.engine import Engine

from nastavnik.db import driver
from nastavnik.models.audit import AuditEvent
from nastavnik.models.identity import Identity
from nastavnik.runtime import Runtime
from nastavnik.settings import Mode
from nastavnik.testing.apps import app_with
from nastavnik.web.session import TOUCH_EVERY
from tests.support.http import client_for
from tests.support.world import World


@contextmanager
def statements_of(engine: Engine) -> Iterator[list[str]]:
    """What the application's engine sends while the block runs: BEGIN, COMMIT, ROLLBACK and each SQL, its
    own and those run on its driver connection (nastavnik.db.driver)."""
    sent: list[str] = []

    def on_execute(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        sent.append(" ".join(statement.split()))

    def on_driver(statement: str, arguments: Any) -> None:
        sent.append(" ".join(statement.split()))

    def edge(kind: str) -> Any:
        return lambda conn: sent.append(kind)

    listeners = [
        ("before_cursor_execute", on_execute),
        ("begin", edge("BEGIN")),
        ("commit", edge("COMMIT")),
        ("rollback", edge("ROLLBACK")),
    ]
    for name, listener in listeners:
        event.listen(engine, name, listener)
    driver.listeners.append(on_driver)
    try:
        yield sent
    finally:
        driver.listeners.remove(on_driver)
        for name, listener in listeners:
            event.remove(engine, name, listener)


async def list_reads(runtime: Runtime, org_id: object) -> int:
    async with runtime.owner_sessions() as db:
        found = await db.scalars(
            select(AuditEvent.id).where(AuditEvent.org_id == org_id, AuditEvent.object_type == "person_list")
        )
        return len(list(found))


async def test_the_people_page_is_one_transaction_with_its_read_audited(
    runtime: Runtime, app: Litestar, world: World
) -> None:
    org = world.orgs["school_a"]
    async with client_for(app, org.identities["curator"]) as client:
        assert (await client.get(f"/o/{org.slug}/people")).status_code == 200  # warm
        before = await list_reads(runtime, org.id)
        with statements_of(runtime.app_engine.sync_engine) as sent:
            page = await client.get(f"/o/{org.slug}/people")
    assert page.status_code == 200
    assert "Люди" in page.text
    assert sent[0] == "BEGIN"
    assert sent[-1] == "COMMIT"
    assert sent.count("BEGIN") == 1
    assert "ROLLBACK" not in sent
    # The scope rides along with the statements that find the identity and the organisation: no statement
    # of its own, at BEGIN or later.
    assert not [s for s in sent if s.startswith("SELECT set_config")]
    assert "set_config" in sent[1]
    assert "identity" in sent[1]
    assert len(sent) <= 8
    assert await list_reads(runtime, org.id) == before + 1  # committed with the page


async def test_a_deactivated_identity_is_refused_at_the_next_page(
    runtime: Runtime, app: Litestar, world: World
) -> None:
    org = world.orgs["school_a"]
    curator = org.identities["curator"]

    async def set_active(active: bool) -> None:
        async with runtime.owner_sessions() as db:
            await db.execute(update(Identity).where(Identity.id == curator).values(active=active))
            await db.commit()

    async with client_for(app, curator) as client:
        assert (await client.get(f"/o/{org.slug}/people")).status_code == 200
        await set_active(False)
        try:
            refused = await client.get(f"/o/{org.slug}/people")
            assert refused.status_code in (302, 303, 401)
            assert "Люди" not in refused.text
        finally:
            await set_active(True)


class Clock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import time

        self.now = time.time()
        monkeypatch.setattr(time, "time", lambda: self.now)


async def test_an_unchanged_session_is_not_written_again(
    app: Litestar, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(monkeypatch)
    writes: list[str] = []
    original = RedisStore.set

    async def counting_set(self: RedisStore, key: str, value: Any, expires_in: Any = None) -> None:
        writes.append(key)
        await original(self, key, value, expires_in)

    monkeypatch.setattr(RedisStore, "set", counting_set)
    org = world.orgs["school_a"]
    async with client_for(app, org.identities["mentor"]) as client:
        await client.get("/api/me")  # the forged session is stored once in the server's own form
        writes.clear()
        again = await client.get("/api/me")
        assert again.status_code == 200
        assert writes == []
        assert "session=" not in again.headers.get("set-cookie", "")
        clock.now += TOUCH_EVERY + 1  # "last seen" moves on: the session is written, its cookie renewed
        touched = await client.get("/api/me")
        assert touched.status_code == 200
        assert len(writes) == 1
        assert "session=" in touched.headers.get("set-cookie", "")
        writes.clear()
        assert (await client.get("/api/me")).status_code == 200
        assert writes == []


def test_templates_are_reloaded_in_development_only(runtime: Runtime) -> None:
    development = app_with(runtime, mode=Mode.DEVELOPMENT)
    production = app_with(runtime, mode=Mode.PRODUCTION)
    assert development.template_engine is not None
    assert production.template_engine is not None
    assert development.template_engine.engine.auto_reload
    assert not production.template_engine.engine.auto_reload


@pytest.mark.parametrize("secure", [False, True])
def test_the_token_cookie_is_written_as_litestar_writes_it(secure: bool) -> None:
    from litestar.datastructures import Cookie

    from nastavnik.web.csrf import TOKEN_COOKIE, SessionBoundCSRF

    csrf = SessionBoundCSRF(None, secret="s", session_cookie="session", secure=secure)  # type: ignore[arg-type]
    token = csrf.issue("id")
    expected = Cookie(key=TOKEN_COOKIE, value=token, secure=secure, samesite="lax").to_header(header="")
    assert f"{TOKEN_COOKIE}={token}{csrf.cookie_tail}" == expected
