"""Shared fixtures of the platform's suites.

The services, the run's own database and roles, the migrated runtime and the app come from the testing
kit's pytest plugin (``nastavnik.testing.pytest_plugin``: ``services``, ``test_db``, ``runtime``, ``app``
and the ``--clock`` option); here is only what the core's suites add: a small world of several tenants.
"""

from __future__ import annotations

import pytest

from nastavnik.runtime import Runtime
from tests.support.world import World, build_world


@pytest.fixture(scope="session")
async def world(runtime: Runtime) -> World:
    return await build_world(runtime)
