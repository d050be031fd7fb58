"""The deployment tests need no database and no Redis."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session", autouse=True)
def _clean_redis() -> None:
    # The suite-wide autouse fixture of the same name would start (or connect to) the services only
    # to clean keys these tests never write; here it is shadowed by a no-op.
    return None
