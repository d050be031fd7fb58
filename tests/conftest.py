"""Shared fixtures of the platform's suites.

The services, the run's own database and roles, the migrated runtime and the app come from the testing
kit's pytest plugin (``nastavnik.testing.pytest_plugin``: ``services``, ``test_db``, ``runtime``, ``app``
and the ``--clock`` option); here is only what the core's suites add: a small world of several tenants,
and the test regions' dates as a test starts.
"""

from __future__ import annotations

import pytest

from nastavnik.runtime import Runtime
from tests.support.dates import RegionDates, region_dates
from tests.support.world import World, build_world


@pytest.fixture(scope="session")
async def world(runtime: Runtime) -> World:
    return await build_world(runtime)


@pytest.fixture
def dates() -> RegionDates:
    """The test regions' today and academic year, taken as the test starts (never at import: a run can
    cross the regions' midnight)."""
    return region_dates()
