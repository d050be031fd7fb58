"""The kindergartens plugin's tests run on the platform's testing kit (``nastavnik.testing``): the kit's
pytest plugin gives the run's ``runtime``; here the ``app`` serves the core and this plugin only."""

from __future__ import annotations

import pytest
from litestar import Litestar

from nastavnik.testing import Runtime, app_with


@pytest.fixture(scope="session")
def app(runtime: Runtime) -> Litestar:
    return app_with(runtime, ["kindergartens"])
