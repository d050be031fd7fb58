"""The PostgreSQL and Redis the benchmarks run on: those the tests use (``NASTAVNIK_TEST_DATABASE_URL``,
``NASTAVNIK_TEST_REDIS_URL``), or the usual local ones."""

from __future__ import annotations

import os

from sqlalchemy.engine import make_url

from nastavnik.testing import Services

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def services_from_environment() -> Services:
    database_url = os.environ.get("NASTAVNIK_TEST_DATABASE_URL", DEFAULT_DATABASE_URL)
    redis_url = os.environ.get("NASTAVNIK_TEST_REDIS_URL", DEFAULT_REDIS_URL)
    return Services(admin_dsn=str(make_url(database_url).set(drivername="postgresql")), redis_url=redis_url)
