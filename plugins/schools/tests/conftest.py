"""The schools plugin's tests run on the platform's testing kit (``nastavnik.testing``).

The kit's pytest plugin gives the run's ``services``, ``test_db`` and ``runtime``; here the ``app`` serves
the core and this plugin only, as a region that installed just it would.
"""

from __future__ import annotations

import pytest
from litestar import Litestar

from nastavnik.testing import Runtime, app_with


@pytest.fixture(scope="session")
def app(runtime: Runtime) -> Litestar:
    return app_with(runtime, ["schools"])
