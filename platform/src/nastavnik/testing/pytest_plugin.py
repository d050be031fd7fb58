"""The kit's pytest plugin (entry point ``pytest11``: loaded by pytest wherever nastavnik is installed).

Fixtures, all for the whole session: ``services`` (PostgreSQL and Redis), ``test_db`` (the run's own
database and roles), ``runtime`` (migrated, with every installed plugin) and ``app`` (the platform's
Litestar app over it). The async ones need pytest-asyncio with a session event loop: in the project's
pytest configuration ``asyncio_mode = "auto"``, ``asyncio_default_fixture_loop_scope = "session"`` and
``asyncio_default_test_loop_scope = "session"``. ``--clock`` pins the platform's clock for the run.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator
from datetime import datetime

import pytest
from litestar import Litestar

from nastavnik import clock
from nastavnik.runtime import Runtime
from nastavnik.testing.services import (
    RunDatabase,
    Services,
    clean_redis,
    create_test_database,
    drop_test_database,
    migrated_runtime,
    run_services,
    settings_for,
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--clock",
        default=os.environ.get("NASTAVNIK_TEST_CLOCK"),
        help="run the suite with the platform's clock set to this aware ISO instant, ticking from there "
        "(e.g. 2026-12-04T23:30:00+00:00); also NASTAVNIK_TEST_CLOCK",
    )


_SUITE_CLOCK = pytest.StashKey[contextlib.AbstractContextManager[None]]()


def pytest_configure(config: pytest.Config) -> None:
    """The whole run at a chosen instant, so the suite is shown to pass at any hour. Pinned before the test
    modules are imported, so dates they compute once (``TODAY = region_today()``) are on the same clock."""
    instant = config.getoption("--clock")
    if instant:
        pin = clock.pinned(datetime.fromisoformat(instant.replace("Z", "+00:00")), tick=True)
        pin.__enter__()
        config.stash[_SUITE_CLOCK] = pin


def pytest_unconfigure(config: pytest.Config) -> None:
    pin = config.stash.get(_SUITE_CLOCK, None)
    if pin is not None:
        pin.__exit__(None, None, None)


@pytest.fixture(scope="session")
async def services() -> AsyncIterator[Services]:
    """The PostgreSQL server and Redis of the run (``NASTAVNIK_TEST_DATABASE_URL``/``…_REDIS_URL``, or
    embedded ones); the run's Redis keys are removed at the end."""
    with run_services() as found:
        yield found
        await clean_redis(found)


@pytest.fixture(scope="session")
async def test_db(services: Services) -> AsyncIterator[RunDatabase]:
    """A database and roles of this run's own, dropped at the end."""
    db = await create_test_database(services, "main")
    yield db
    await drop_test_database(services, db)


@pytest.fixture(scope="session")
async def runtime(services: Services, test_db: RunDatabase) -> AsyncIterator[Runtime]:
    """The platform's runtime over the run's database, migrated, with every installed plugin."""
    rt = await migrated_runtime(settings_for(services, test_db))
    yield rt
    await rt.close()


@pytest.fixture(scope="session")
def app(runtime: Runtime) -> Litestar:
    """The platform's app over ``runtime`` (every installed plugin; ``app_with`` chooses some)."""
    from nastavnik.web.app import create_app

    return create_app(runtime)
