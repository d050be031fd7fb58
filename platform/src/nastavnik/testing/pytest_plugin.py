"""The kit's pytest plugin (entry point ``pytest11``: loaded by pytest wherever nastavnik is installed).

Fixtures, all for the whole session: ``services`` (PostgreSQL and Redis), ``test_db`` (the run's own
database and roles), ``runtime`` (migrated, with every installed plugin) and ``app`` (the platform's
Litestar app over it). The async ones need pytest-asyncio with a session event loop: in the project's
pytest configuration ``asyncio_mode = "auto"``, ``asyncio_default_fixture_loop_scope = "session"`` and
``asyncio_default_test_loop_scope = "session"``. ``--clock`` pins the platform's clock for the run.

The run keeps one clock, ticking from the instant it started (or from ``--clock``), and no test starts in
the last minutes of a day in the test regions or in Moscow time: the run's clock moves on to that
midnight first. A test compares the date it took as it started with the date the server reads a moment
later; one that began at 23:59:58 would otherwise see two days. A test about a day's last minutes pins
the clock itself (``clock.pinned``). Nor does a run cross the end of the test regions' academic year: one
that would start in its last two hours starts at the next year's first instant, so the world a session
builds once and every test after it are of one academic year.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta

import pytest
from litestar import Litestar

from nastavnik import clock
from nastavnik.runtime import Runtime
from nastavnik.testing.people import TIMEZONE
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


_SUITE_CLOCK = pytest.StashKey[contextlib.ExitStack]()

DAY_ENDS_IN = timedelta(minutes=3)
"""No test starts closer than this to a midnight of ``DAYS_OF``. Longer than any test that checks dates takes
(the longest, the role harness, under two minutes; the schemathesis fuzzing runs longer and checks none)."""
DAYS_OF = (TIMEZONE, clock.DEFAULT_TIMEZONE)
"""The time zones whose dates the tests check: the test regions' and the platform's default (Moscow)."""
YEAR_ENDS_IN = timedelta(hours=2)
"""A run that would start closer than this to the end of the test regions' academic year starts at the next
year's first instant. Longer than a run takes (CI stops one at 90 minutes)."""


def pytest_configure(config: pytest.Config) -> None:
    """The run's clock, ticking from now or from ``--clock`` (so the suite is shown to pass at any hour)."""
    instant = config.getoption("--clock")
    start = datetime.fromisoformat(instant.replace("Z", "+00:00")) if instant else clock.now()
    pins = contextlib.ExitStack()
    pins.enter_context(clock.pinned(run_start(start), tick=True))
    config.stash[_SUITE_CLOCK] = pins


def pytest_unconfigure(config: pytest.Config) -> None:
    pins = config.stash.get(_SUITE_CLOCK, None)
    if pins is not None:
        pins.close()


def run_start(instant: datetime) -> datetime:
    """``instant``, or 1 September's first instant in the test regions when the academic year ends within
    ``YEAR_ENDS_IN`` of it."""
    zone = clock.zone(TIMEZONE)
    local = instant.astimezone(zone)
    first = datetime.combine(date(local.year, 9, 1), time(0), tzinfo=zone)
    return first.astimezone(UTC) if timedelta(0) < first - instant < YEAR_ENDS_IN else instant


def midnight_ahead(instant: datetime) -> datetime | None:
    """The next midnight of ``DAYS_OF`` if it comes within ``DAY_ENDS_IN`` of ``instant``."""
    for zone in map(clock.zone, DAYS_OF):
        midnight = datetime.combine(instant.astimezone(zone).date() + timedelta(days=1), time(0), tzinfo=zone)
        if midnight - instant < DAY_ENDS_IN:
            return midnight.astimezone(UTC)
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Move the run's clock on to a midnight that is about to come, before the test or any of its fixtures
    (a module's too, set up with its first test) take their dates."""
    pins = item.config.stash.get(_SUITE_CLOCK, None)
    while pins is not None and (midnight := midnight_ahead(clock.now())) is not None:
        pins.enter_context(clock.pinned(midnight, tick=True))


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
