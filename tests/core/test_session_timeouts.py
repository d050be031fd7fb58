"""Sessions end after the idle timeout and after the absolute timeout, whatever happens in between."""

from __future__ import annotations

import pytest
from litestar import Litestar

from tests.support.http import client_for
from tests.support.world import World


class Clock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import time

        self.now = time.time()
        monkeypatch.setattr(time, "time", lambda: self.now)


async def test_an_idle_session_ends(app: Litestar, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock(monkeypatch)
    idle = app.state.runtime.settings.session_idle_timeout
    async with client_for(app, world.orgs["school_a"].identities["mentor"]) as client:
        clock.now += idle - 5
        assert (await client.get("/api/me")).status_code == 200
        clock.now += idle - 5  # active within the timeout each time: still signed in
        assert (await client.get("/api/me")).status_code == 200
        clock.now += idle + 1
        assert (await client.get("/api/me")).status_code == 401


async def test_an_active_session_still_ends_at_the_absolute_timeout(
    app: Litestar, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(monkeypatch)
    settings = app.state.runtime.settings
    async with client_for(app, world.orgs["school_a"].identities["mentor"]) as client:
        elapsed = 0
        while elapsed + settings.session_idle_timeout // 2 < settings.session_max_age:
            clock.now += settings.session_idle_timeout // 2
            elapsed += settings.session_idle_timeout // 2
            assert (await client.get("/api/me")).status_code == 200
        clock.now += settings.session_idle_timeout // 2
        assert (await client.get("/api/me")).status_code == 401
