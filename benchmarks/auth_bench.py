"""Single sign-on benchmark: token verification, key-server calls, requests per second.

Run from the repository root::

    uv run python -m benchmarks.auth_bench

Options: ``--verifications 20000 --hostile 5000 --steady 1000 --duration 10 --warmup 2
--concurrency 32 --pool 10 --generator auto|wrk|httpx`` (``auto``: wrk when installed, else the
httpx load generator).

Services: ``NASTAVNIK_TEST_DATABASE_URL`` (a superuser connection, default
``postgresql://postgres@127.0.0.1:5432/postgres``) and ``NASTAVNIK_TEST_REDIS_URL`` (default
``redis://127.0.0.1:6379/0``). Like the tests, the run creates a database, roles and a Redis key
prefix of its own and removes them at the end, also on error.

What is measured, each next to the issue's target:

1. Verifying one valid access token many times with :class:`TokenVerifier` and a warm
   :class:`KeySet` (median, p95, p99, max; target p99 <= 1 ms), and the same for hostile tokens
   (unknown kid, bad signature, expired).
2. Key-server calls per 1,000 authenticated requests in steady state (target: zero): the
   difference of the platform server's ``KeySet.fetches`` around 1,000 HTTP requests.
3. Requests per second, in one run, of ``GET /api/o/{slug}/people`` as a curator with a bearer
   token, and of a bare Litestar endpoint returning a constant JSON; both served by uvicorn in a
   process of their own with the same settings, driven by the same load generator in another
   process (target: authenticated >= 0.5 x bare).

The development issuer runs in this process, on a loopback port, for the whole run: the platform
server fetches the realm's keys from it over HTTP. This process's event loop stays free while the
load runs (the load generator is wrk, or a separate Python process).

This is a benchmark, not a test: it prints its figures and exits 0 whether targets are met or not.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import multiprocessing
import os
import shutil
import socket
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import asdict, dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

import httpx
import uvicorn
from jwcrypto import jwk
from litestar import Litestar, get
from tests.auth.tokens import sign

from benchmarks.services import LoadResult, bench_world, run_wrk
from nastavnik.auth.tokens import TokenRejected, TokenVerifier
from nastavnik.gc_tuning import settle_after_start_up
from nastavnik.logging import configure_logging
from nastavnik.runtime import build_runtime, token_verifier
from nastavnik.settings import Settings
from nastavnik.web.app import create_app

HOST = "127.0.0.1"

VERIFY_P99_TARGET_US = 1000.0
STEADY_FETCH_TARGET = 0
RPS_RATIO_TARGET = 0.5

SPAWN = multiprocessing.get_context("spawn")


# ---------------------------------------------------------------------------------------------
# Figures


@dataclass(frozen=True)
class Row:
    """One line of the summary."""

    name: str
    value: str
    target: str
    verdict: str  # PASS, MISS or INFO


@dataclass(frozen=True)
class Timings:
    median: float
    p95: float
    p99: float
    max: float
    mean: float
    n: int

    @classmethod
    def of_ns(cls, samples: list[int]) -> Timings:
        """Nearest-rank percentiles, in microseconds."""
        ordered = sorted(samples)

        def rank(q: float) -> float:
            return ordered[max(0, math.ceil(q * len(ordered)) - 1)] / 1000

        return cls(
            median=statistics.median(ordered) / 1000,
            p95=rank(0.95),
            p99=rank(0.99),
            max=ordered[-1] / 1000,
            mean=statistics.fmean(ordered) / 1000,
            n=len(ordered),
        )

    def line(self) -> str:
        return (
            f"median {self.median:8.1f} µs   p95 {self.p95:8.1f} µs   p99 {self.p99:8.1f} µs"
            f"   max {self.max:9.1f} µs   (n={self.n})"
        )


def verdict(passed: bool) -> str:
    return "PASS" if passed else "MISS"


# ---------------------------------------------------------------------------------------------
# Servers, each in a process of its own


def server_config(app: Any) -> uvicorn.Config:
    """The same uvicorn settings for the platform and the bare app: one worker, quiet, no access log."""
    return uvicorn.Config(app, log_level="warning", access_log=False, log_config=None, lifespan="auto")


async def serve_until_told(app: Any, control: Connection, answers: Mapping[str, Callable[[], Any]]) -> None:
    """Serve ``app`` on a free loopback port; answer the parent's questions (``answers``: message to
    answer) and "stop" on ``control``."""
    # IPPROTO_TCP, not the default 0: asyncio sets TCP_NODELAY only on sockets that say TCP, and
    # without it small responses wait for delayed ACKs (~40 ms). uvicorn's own host/port binding
    # (`nastavnik serve`) gets IPPROTO_TCP from getaddrinfo.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, 0))
    server = uvicorn.Server(server_config(app))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    loop = asyncio.get_running_loop()
    try:
        while not server.started:
            if task.done():
                task.result()
                raise RuntimeError("uvicorn stopped before it started")
            await asyncio.sleep(0.01)
        control.send(("ready", sock.getsockname()[1]))

        def on_message() -> None:
            try:
                message = control.recv()
            except EOFError:  # the parent is gone
                loop.remove_reader(control.fileno())
                server.should_exit = True
                return
            if message in answers:
                control.send(answers[message]())
            elif message == "stop":
                server.should_exit = True

        # A reader callback, not a polling task: nothing runs in this process between requests.
        loop.add_reader(control.fileno(), on_message)
        await task
    finally:
        with contextlib.suppress(ValueError, OSError):
            loop.remove_reader(control.fileno())
        sock.close()


def platform_server(values: dict[str, Any], control: Connection) -> None:
    """Child process: the platform as ``nastavnik serve`` builds it with the settings ``values`` (here
    trusting the parent's issuer)."""
    asyncio.run(_platform_server(values, control))


async def _platform_server(values: dict[str, Any], control: Connection) -> None:
    settings = Settings.model_validate(values)
    configure_logging(settings)
    runtime = await build_runtime(settings, owner=True)
    try:

        def fetches() -> int:
            return runtime.verifier.keys.fetches if runtime.verifier is not None else -1

        app = create_app(runtime)
        settle_after_start_up()  # as `nastavnik serve` does
        await serve_until_told(app, control, {"fetches": fetches})
    finally:
        await runtime.close()


@get("/")
async def constant() -> dict[str, str]:
    return {"status": "ok"}


def bare_server(control: Connection) -> None:
    """Child process: a bare Litestar app with one endpoint returning a constant JSON."""
    asyncio.run(serve_until_told(Litestar(route_handlers=[constant]), control, {}))


@dataclass
class ServerProcess:
    name: str
    process: BaseProcess
    control: Connection
    port: int = 0

    async def ask(self, message: str, wait: float = 30.0) -> Any:
        self.control.send(message)
        if not await asyncio.to_thread(self.control.poll, wait):
            raise TimeoutError(f"{self.name} server did not answer {message!r}")
        return self.control.recv()

    async def fetches(self) -> int:
        return int(await self.ask("fetches"))

    def cpu_seconds(self) -> float | None:
        """User and system CPU time of the server process so far (Linux), for CPU per request."""
        try:
            with open(f"/proc/{self.process.pid}/stat", encoding="ascii") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    async def stop(self) -> None:
        if self.process.is_alive():
            with contextlib.suppress(OSError, ValueError):
                self.control.send("stop")
            await asyncio.to_thread(self.process.join, 15)
        if self.process.is_alive():
            self.process.terminate()
            await asyncio.to_thread(self.process.join, 5)
        self.control.close()


async def start_server(name: str, target: Callable[..., None], *args: Any) -> ServerProcess:
    parent_end, child_end = SPAWN.Pipe()
    process = SPAWN.Process(target=target, args=(*args, child_end), name=f"bench-{name}", daemon=True)
    process.start()
    child_end.close()
    server = ServerProcess(name, process, parent_end)
    try:
        if not await asyncio.to_thread(parent_end.poll, 120):
            raise TimeoutError(f"the {name} server did not start")
        kind, port = parent_end.recv()
    except EOFError as exc:
        await asyncio.to_thread(process.join, 5)
        raise RuntimeError(f"the {name} server exited with {process.exitcode}") from exc
    except BaseException:
        await server.stop()
        raise
    assert kind == "ready"
    server.port = int(port)
    return server


# ---------------------------------------------------------------------------------------------
# Load generators


async def drive(
    url: str,
    headers: dict[str, str],
    *,
    concurrency: int,
    duration: float | None = None,
    count: int | None = None,
) -> LoadResult:
    """The httpx load generator: ``concurrency`` keep-alive connections, for a duration or a count."""
    if (duration is None) == (count is None):
        raise ValueError("give a duration or a count")
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    latencies: list[int] = []
    statuses: dict[int, int] = {}
    issued = 0
    failures = 0
    async with httpx.AsyncClient(limits=limits, timeout=30.0, headers=headers) as client:
        start = time.perf_counter()
        deadline = start + (duration or 0.0)

        async def worker() -> None:
            nonlocal issued, failures
            while True:
                if count is not None:
                    if issued >= count:
                        return
                    issued += 1
                elif time.perf_counter() >= deadline:
                    return
                t0 = time.perf_counter_ns()
                try:
                    response = await client.get(url)
                except httpx.HTTPError:
                    failures += 1
                    statuses[0] = statuses.get(0, 0) + 1
                    continue
                latencies.append(time.perf_counter_ns() - t0)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                if response.status_code != 200:
                    failures += 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
    timings = Timings.of_ns(latencies) if latencies else None
    return LoadResult(
        generator="httpx",
        url=url,
        requests=len(latencies),
        failures=failures,
        elapsed=elapsed,
        p50_ms=timings.median / 1000 if timings else None,
        p99_ms=timings.p99 / 1000 if timings else None,
        statuses=statuses,
    )


def load_process(
    url: str, headers: dict[str, str], concurrency: int, duration: float, control: Connection
) -> None:
    """Child process: the httpx load generator, reporting its result on ``control``."""
    result = asyncio.run(drive(url, headers, concurrency=concurrency, duration=duration))
    control.send(asdict(result))
    control.close()


async def httpx_load(url: str, headers: dict[str, str], concurrency: int, duration: float) -> LoadResult:
    parent_end, child_end = SPAWN.Pipe()
    process = SPAWN.Process(
        target=load_process, args=(url, headers, concurrency, duration, child_end), daemon=True
    )
    process.start()
    child_end.close()
    try:
        if not await asyncio.to_thread(parent_end.poll, duration + 120):
            raise TimeoutError("the load generator did not report")
        data = parent_end.recv()
    finally:
        await asyncio.to_thread(process.join, 10)
        if process.is_alive():
            process.terminate()
        parent_end.close()
    data["statuses"] = {int(k): v for k, v in data["statuses"].items()}
    return LoadResult(**data)


Load = Callable[[str, dict[str, str], int, float], Awaitable[LoadResult]]


def choose_generator(wanted: str) -> tuple[str, Load]:
    wrk = shutil.which("wrk")
    if wanted == "wrk" and wrk is None:
        raise SystemExit("wrk is not installed (apt-get install -y wrk), or use --generator httpx")
    if wanted in ("auto", "wrk") and wrk is not None:

        async def with_wrk(
            url: str, headers: dict[str, str], concurrency: int, duration: float
        ) -> LoadResult:
            return await run_wrk(url, headers, threads=1, connections=concurrency, duration=duration)

        return f"wrk ({wrk}, 1 thread)", with_wrk
    return "httpx (asyncio, a separate process)", httpx_load


# ---------------------------------------------------------------------------------------------
# The measurements


async def time_verifications(
    verifier: TokenVerifier, token: str | list[str], n: int, *, valid: bool
) -> list[int]:
    """Per-call wall time in nanoseconds of ``n`` verifications of ``token`` (or of each of a list of
    tokens in turn: the verifier keeps a valid token verified, so only distinct ones time the checks)."""
    samples: list[int] = []
    accepted = 0
    for i in range(n):
        token_i = token[i % len(token)] if isinstance(token, list) else token
        t0 = time.perf_counter_ns()
        try:
            await verifier.verify(token_i)
            accepted += 1
        except TokenRejected:
            pass
        samples.append(time.perf_counter_ns() - t0)
    expected = n if valid else 0
    if accepted != expected:
        raise AssertionError(f"{accepted} of {n} verifications accepted, expected {expected}")
    return samples


async def bench_verification(
    settings: Settings, issuer_key: jwk.JWK, claims: dict[str, Any], args: argparse.Namespace
) -> list[Row]:
    print("\n== 1. Token verification with cached keys (TokenVerifier, in-process) ==")
    attacker = jwk.JWK.generate(kty="RSA", size=2048, kid="attacker-key")
    token = sign(claims, issuer_key)
    hostile = {
        "unknown kid": sign(claims, attacker),
        "bad signature (realm's kid, attacker's key)": sign(claims, attacker, kid=issuer_key["kid"]),
        "expired": sign({**claims, "exp": int(time.time()) - 600}, issuer_key),
    }
    rows: list[Row] = []
    async with httpx.AsyncClient() as http:
        verifier = token_verifier(settings, http)
        assert verifier is not None
        await verifier.verify(token)  # warms the KeySet: its one fetch from the issuer
        fetches_warm = verifier.keys.fetches
        distinct = [
            sign({**claims, "jti": f"bench-{i}"}, issuer_key) for i in range(args.verifications + 500)
        ]
        await time_verifications(
            verifier, distinct[:500], 500, valid=True
        )  # interpreter and allocator warm-up
        valid = Timings.of_ns(
            await time_verifications(verifier, distinct[500:], args.verifications, valid=True)
        )
        print(f"  valid token          {valid.line()}")
        kept = Timings.of_ns(await time_verifications(verifier, token, args.verifications, valid=True))
        print(f"  the same valid token again (kept verified) {kept.line()}")
        rows.append(
            Row(
                "verify valid token, p99",
                f"{valid.p99:.1f} µs (median {valid.median:.1f})",
                f"<= {VERIFY_P99_TARGET_US:.0f} µs",
                verdict(valid.p99 <= VERIFY_P99_TARGET_US),
            )
        )
        for kind, bad in hostile.items():
            timings = Timings.of_ns(await time_verifications(verifier, bad, args.hostile, valid=False))
            print(f"  {kind:<44} {timings.line()}")
            rows.append(
                Row(f"reject {kind}, p99", f"{timings.p99:.1f} µs (median {timings.median:.1f})", "-", "INFO")
            )
        fetches = verifier.keys.fetches - fetches_warm
        print(
            f"  key-server fetches: {fetches_warm} to warm up, {fetches} during all the timed verifications"
        )
    return rows


async def bench_http(
    settings: Settings, slug: str, canary: str, token: str, args: argparse.Namespace
) -> list[Row]:
    rows: list[Row] = []
    generator_name, load = choose_generator(args.generator)
    values: dict[str, Any] = {
        "database_url": settings.database_url,
        "redis_url": settings.redis_url,
        "redis_prefix": settings.redis_prefix,
        "db_app_role": settings.db_app_role,
        "db_auditor_role": settings.db_auditor_role,
        "db_aggregator_role": settings.db_aggregator_role,
        "db_pool_size": args.pool,
        "keycloak_url": settings.keycloak_url,
        "log_level": "WARNING",
    }
    servers: list[ServerProcess] = []
    try:
        platform = await start_server("platform", platform_server, values)
        servers.append(platform)
        bare = await start_server("bare", bare_server)
        servers.append(bare)
        auth_url = f"http://{HOST}:{platform.port}/api/o/{slug}/people"
        bare_url = f"http://{HOST}:{bare.port}/"
        headers = {"Authorization": f"Bearer {token}"}

        async with httpx.AsyncClient() as client:
            control = await client.get(auth_url, headers=headers)
            if control.status_code != 200 or canary not in control.text:
                raise AssertionError(
                    f"the authenticated list is not served: {control.status_code} {control.text}"
                )
            people = len(control.json())
            refused = await client.get(auth_url)
            if refused.status_code != 401:
                raise AssertionError(f"without a token the list answered {refused.status_code}")
            bare_body = (await client.get(bare_url)).content
        print(
            f"\n  platform server pid {platform.process.pid} on :{platform.port} "
            f"(pool {args.pool}); bare server pid {bare.process.pid} on :{bare.port}"
        )
        print(f"  authenticated list: {people} people, {len(control.content)} bytes; bare: {bare_body!r}")

        print("\n== 2. Key-server calls in steady state ==")
        await drive(auth_url, headers, concurrency=8, count=200)  # warm-up: keys, pools, connections
        before = await platform.fetches()
        steady = await drive(auth_url, headers, concurrency=args.concurrency, count=args.steady)
        after = await platform.fetches()
        if steady.failures:
            raise AssertionError(f"steady-state requests failed: {steady.statuses}")
        calls = after - before
        per_thousand = calls * 1000 / steady.requests
        print(f"  KeySet.fetches of the platform server: {before} after warm-up, {after} after the run")
        print(f"  {steady.requests} authenticated requests (httpx):  {steady.line()}")
        print(f"  key-server calls: {calls} ({per_thousand:g} per 1,000 requests)")
        rows.append(
            Row(
                "key-server calls per 1,000 requests",
                f"{per_thousand:g} ({calls} in {steady.requests})",
                f"= {STEADY_FETCH_TARGET}",
                verdict(per_thousand <= STEADY_FETCH_TARGET),
            )
        )

        print(f"\n== 3. Requests per second, {generator_name}, concurrency {args.concurrency} ==")
        if args.warmup > 0:
            await load(bare_url, {}, args.concurrency, args.warmup)
            await load(auth_url, headers, args.concurrency, args.warmup)
        results: dict[str, LoadResult] = {}
        cpu: dict[str, float | None] = {}
        for name, server, url, request_headers in (
            ("bare", bare, bare_url, {}),
            ("auth", platform, auth_url, headers),
        ):
            cpu_before = server.cpu_seconds()
            results[name] = await load(url, request_headers, args.concurrency, args.duration)
            cpu_after = server.cpu_seconds()
            cpu[name] = None if cpu_before is None or cpu_after is None else cpu_after - cpu_before
        fetches_end = await platform.fetches()

        def cpu_note(name: str) -> str:
            used, result = cpu[name], results[name]
            if used is None or not result.requests:
                return ""
            return (
                f"   server CPU {used / result.elapsed * 100:4.0f}% of a core,"
                f" {used / result.requests * 1e6:6.0f} µs per request"
            )

        print(f"  bare GET /                          {results['bare'].line()}{cpu_note('bare')}")
        print(f"  GET /api/o/{{slug}}/people (bearer)   {results['auth'].line()}{cpu_note('auth')}")
        ratio = results["auth"].rps / results["bare"].rps if results["bare"].rps else 0.0
        print(f"  ratio authenticated / bare: {ratio:.3f}")
        print(f"  KeySet.fetches during the load: {fetches_end - after}")
        for name, result in results.items():
            busy = cpu[name]
            if busy is not None and busy / result.elapsed < 0.7:
                print(
                    f"  NOTE: the {name} server used {busy / result.elapsed:.0%} of a core:"
                    " the load generator or the machine, not the server, limited that figure"
                )
            if result.failures:
                print(f"  WARNING: {result.failures} failed requests in the {name} run {result.statuses}")
        clean = not results["bare"].failures and not results["auth"].failures
        rows.append(Row("bare Litestar endpoint", f"{results['bare'].rps:.1f} req/s", "-", "INFO"))
        rows.append(Row("authenticated people list", f"{results['auth'].rps:.1f} req/s", "-", "INFO"))
        rows.append(
            Row(
                "authenticated / bare RPS",
                f"{ratio:.3f}" + ("" if clean else " (with failures)"),
                f">= {RPS_RATIO_TARGET}",
                verdict(clean and ratio >= RPS_RATIO_TARGET),
            )
        )
    finally:
        for server in reversed(servers):
            await server.stop()
    return rows


# ---------------------------------------------------------------------------------------------
# Setting up and cleaning up


async def run(args: argparse.Namespace) -> list[Row]:
    async with bench_world("bench", pool=args.pool) as bench:
        rows = await bench_verification(bench.settings, bench.issuer.realm.keys.current, bench.claims, args)
        rows += await bench_http(bench.settings, bench.org.slug, bench.org.canary, bench.token, args)
    return rows


def print_summary(rows: list[Row]) -> None:
    width = max(len(r.name) for r in rows)
    value_width = max(len(r.value) for r in rows)
    target_width = max(len(r.target) for r in rows)
    print("\n== Summary ==")
    for r in rows:
        print(
            f"  {r.name:<{width}}  {r.value:<{value_width}}  target {r.target:<{target_width}}  {r.verdict}"
        )
    missed = [r.name for r in rows if r.verdict == "MISS"]
    print(f"  {'all targets met' if not missed else 'missed: ' + ', '.join(missed)}")


@contextlib.contextmanager
def machine_note() -> Iterator[None]:
    print(
        f"Python {sys.version.split()[0]}, uvicorn {uvicorn.__version__}, {os.cpu_count()} CPUs"
        f" (servers, load generator and PostgreSQL share them)"
    )
    started = time.perf_counter()
    yield
    print(f"\nbenchmark took {time.perf_counter() - started:.0f} s")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--verifications", type=int, default=20_000, help="valid-token verifications timed")
    parser.add_argument("--hostile", type=int, default=5_000, help="verifications timed per hostile kind")
    parser.add_argument("--steady", type=int, default=1_000, help="requests of the steady-state key check")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of load per endpoint")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of untimed load per endpoint")
    parser.add_argument("--concurrency", type=int, default=32, help="concurrent connections of the load")
    parser.add_argument("--pool", type=int, default=10, help="database pool size of the platform server")
    parser.add_argument("--generator", choices=("auto", "wrk", "httpx"), default="auto")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    with machine_note():
        rows = asyncio.run(run(args))
    print_summary(rows)


if __name__ == "__main__":
    main()
