"""What the benchmarks share: the PostgreSQL and Redis they run on (those the tests use,
``NASTAVNIK_TEST_DATABASE_URL`` and ``NASTAVNIK_TEST_REDIS_URL``, or the usual local ones), the world they
set up there with a signed-in curator (:func:`bench_world`), and wrk (:func:`run_wrk`)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis
from sqlalchemy.engine import make_url
from tests.auth.conftest import SsoPerson, enrol
from tests.auth.tokens import sign, valid_claims
from tests.support.world import OrgWorld, World, build_world

from nastavnik.logging import configure_logging
from nastavnik.runtime import Runtime
from nastavnik.settings import Settings
from nastavnik.testing import (
    RUN,
    Services,
    create_test_database,
    drop_test_database,
    migrated_runtime,
    settings_for,
)
from nastavnik_dev.issuer.realm import Issuer
from nastavnik_dev.issuer.server import running_issuer

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
REDIS_PREFIX = f"nastavnik-bench-{RUN}"


def services_from_environment() -> Services:
    database_url = os.environ.get("NASTAVNIK_TEST_DATABASE_URL", DEFAULT_DATABASE_URL)
    redis_url = os.environ.get("NASTAVNIK_TEST_REDIS_URL", DEFAULT_REDIS_URL)
    return Services(admin_dsn=str(make_url(database_url).set(drivername="postgresql")), redis_url=redis_url)


async def clean_redis(redis_url: str) -> int:
    """Remove the keys of this run's prefix; how many."""
    redis = Redis.from_url(redis_url)
    removed = 0
    try:
        async for key in redis.scan_iter(match=f"*{REDIS_PREFIX}*"):
            removed += await redis.delete(key)
    finally:
        await redis.aclose()
    return removed


# ---------------------------------------------------------------------------------------------
# The world: a database of its own, the test world in it, the development issuer, a curator's token


@dataclass
class BenchWorld:
    """What a benchmark's run works with; all of it removed when :func:`bench_world` ends."""

    services: Services
    db_name: str
    settings: Settings
    """The platform's settings trusting the development issuer (``keycloak_url`` set to it)."""
    runtime: Runtime
    world: World
    org: OrgWorld
    """The organisation ``school_a`` of the world."""
    issuer: Issuer
    curator: SsoPerson
    claims: dict[str, Any]
    """The curator's access token's claims (an hour of validity: a run never meets its expiry)."""
    token: str

    def child_values(self) -> dict[str, Any]:
        """The settings as plain values, for a server process of its own (secrets unwrapped)."""
        values = self.settings.model_dump(mode="python")
        return {k: v.get_secret_value() if hasattr(v, "get_secret_value") else v for k, v in values.items()}


@contextlib.asynccontextmanager
async def bench_world(name: str, *, pool: int) -> AsyncIterator[BenchWorld]:
    """Create the database ``name`` (with its roles), migrate it, build the test world, start the
    development issuer in this process (its event loop must stay free while servers fetch its keys), and
    enrol a curator of ``school_a`` with a signed access token; at the end drop all of it, also on error."""
    services = services_from_environment()
    db = await create_test_database(services, name)
    runtime: Runtime | None = None
    try:
        settings = settings_for(
            services, db, redis_prefix=REDIS_PREFIX, db_pool_size=pool, log_level="WARNING"
        )
        configure_logging(settings)
        runtime = await migrated_runtime(settings)
        world = await build_world(runtime)
        org = world.orgs["school_a"]
        async with running_issuer(Settings(dev_issuer=True)) as issuer:
            curator = await enrol(runtime, issuer, org, "bench-curator", "curator")
            claims = valid_claims(issuer, curator.user.id, exp=int(time.time()) + 3600)
            token = sign(claims, issuer.realm.keys.current)
            sso = settings.model_copy(update={"keycloak_url": issuer.base_url})
            print(f"database {db.name}, Redis prefix {REDIS_PREFIX}, issuer {issuer.issuer}")
            yield BenchWorld(services, db.name, sso, runtime, world, org, issuer, curator, claims, token)
    finally:
        if runtime is not None:
            await runtime.close()
        await drop_test_database(services, db)
        removed = await clean_redis(services.redis_url)
        print(f"\ncleaned up: database {db.name} and its roles dropped, {removed} Redis keys removed")


# ---------------------------------------------------------------------------------------------
# wrk


@dataclass
class LoadResult:
    generator: str
    url: str
    requests: int
    failures: int  # non-200 answers and socket errors
    elapsed: float
    p50_ms: float | None = None
    p99_ms: float | None = None
    statuses: dict[int, int] = field(default_factory=dict)

    @property
    def rps(self) -> float:
        return self.requests / self.elapsed if self.elapsed > 0 else 0.0

    def line(self) -> str:
        latency = ""
        if self.p50_ms is not None and self.p99_ms is not None:
            latency = f"   latency p50 {self.p50_ms:7.2f} ms   p99 {self.p99_ms:7.2f} ms"
        return (
            f"{self.rps:9.1f} req/s   {self.requests} requests in {self.elapsed:.2f} s"
            f"   failures {self.failures}{latency}"
        )


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def _wrk_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if match is None:
        raise ValueError(f"unexpected wrk latency {text!r}")
    return float(match[1]) * _UNITS[match[2]]


def parse_wrk(output: str, url: str) -> LoadResult:
    total = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)", output)
    if total is None:
        raise ValueError(f"unexpected wrk output:\n{output}")
    requests = int(total[1])
    elapsed = _wrk_ms(total[2] + total[3]) / 1000
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    failures = int(non_2xx[1]) if non_2xx else 0
    if socket_errors:
        failures += sum(int(socket_errors[i]) for i in (1, 3, 4))  # read errors count closed sockets
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE)
    return LoadResult(
        generator="wrk",
        url=url,
        requests=requests,
        failures=failures,
        elapsed=elapsed,
        p50_ms=_wrk_ms(p50[1]) if p50 else None,
        p99_ms=_wrk_ms(p99[1]) if p99 else None,
    )


def wrk_path() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    return found


async def run_wrk(
    url: str, headers: dict[str, str], *, threads: int, connections: int, duration: float
) -> LoadResult:
    """wrk against ``url`` (latency percentiles on, a 30 s timeout), parsed."""
    command = [wrk_path(), f"-t{threads}", f"-c{connections}", f"-d{max(1, round(duration))}s"]
    command += ["--latency", "--timeout", "30s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    process = await asyncio.create_subprocess_exec(
        *command, url, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    output, _ = await process.communicate()
    text = output.decode(errors="replace")
    if process.returncode != 0:
        raise RuntimeError(f"wrk failed ({process.returncode}):\n{text}")
    return parse_wrk(text, url)
