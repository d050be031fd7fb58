"""The `nastavnik` command: serve, worker, db upgrade, settings; and what other distributions add.

Commands contributed through the ``nastavnik.commands`` entry-point group join these (the development
distribution nastavnik-dev adds ``demo`` and ``seed``, see :mod:`nastavnik.development`); they run
through :func:`run_until_stopped` or :func:`run_once` and reuse :func:`upgrade_database` and
:func:`serve_until_stopped`.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from multiprocessing.connection import wait as wait_for_any
from types import FrameType
from typing import Any, TypeVar

import click
import structlog
import uvicorn

from nastavnik.development import (
    DEVELOPMENT_COMMANDS,
    DevelopmentToolsMissing,
    RunningServices,
    contributed_commands,
    missing_command,
    with_embedded_services,
)
from nastavnik.logging import configure_logging
from nastavnik.settings import Settings, get_settings

log = structlog.get_logger(__name__)
T = TypeVar("T")
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
WEB_SHUTDOWN_GRACE = 10  # seconds the web server lets requests under way finish when asked to stop


class Shutdown:
    """SIGINT (Ctrl-C) and SIGTERM (a container's stop; the command may be PID 1) end a command in order.

    The first signal asks: the step under way (migrations, the seed: short and transactional) ends, the
    web server drains, the worker finishes or hands back its jobs, and the command's ``finally`` stops
    the embedded PostgreSQL and Redis it started. They detach from our process group, so Python's
    default for SIGTERM (die at once) would leave them running, holding the data folder. A second
    signal interrupts at once, still through that ``finally``.
    """

    def __init__(self) -> None:
        self.signal: signal.Signals | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._event: asyncio.Event | None = None

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.signal is not None:
            raise KeyboardInterrupt
        self.signal = signal.Signals(signum)
        if self._loop is not None and self._event is not None:
            self._loop.call_soon_threadsafe(self._event.set)

    @contextlib.contextmanager
    def installed(self) -> Iterator[None]:
        previous = {sig: signal.signal(sig, self._handle) for sig in STOP_SIGNALS}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def run(self, main: Coroutine[Any, Any, T]) -> T:
        """``asyncio.run`` that ``wait()`` can see the signals from."""

        async def bound() -> T:
            self._loop, self._event = asyncio.get_running_loop(), asyncio.Event()
            if self.signal is not None:
                self._event.set()
            try:
                return await main
            finally:
                self._loop = self._event = None

        return asyncio.run(bound())

    @property
    def requested(self) -> bool:
        return self.signal is not None

    async def wait(self) -> signal.Signals:
        assert self._event is not None, "wait() runs inside Shutdown.run()"
        await self._event.wait()
        assert self.signal is not None
        return self.signal


class _Server(uvicorn.Server):
    """uvicorn without its own signal handlers: the command owns them and stops everything in order."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def _prepare(settings: Settings) -> tuple[Settings, RunningServices | None]:
    try:
        resolved, services = with_embedded_services(settings)
    except DevelopmentToolsMissing as missing:
        raise click.ClickException(str(missing)) from None
    # After the embedded servers: their packages set up logging of their own on import.
    configure_logging(resolved)
    return resolved, services


@contextlib.asynccontextmanager
async def _runtime(settings: Settings, *, owner: bool = False) -> AsyncIterator[object]:
    """The process's resources; ``owner`` only for migrations and seeds (serve and worker never connect
    as the owner role)."""
    from nastavnik.runtime import build_runtime

    runtime = await build_runtime(settings, owner=owner)
    try:
        yield runtime
    finally:
        await runtime.close()


async def upgrade_database(settings: Settings) -> None:
    """The core's and every loaded plugin's migrations, as the owner role."""
    from nastavnik.db import migrate
    from nastavnik.domain.questionnaires import plugin_defaults
    from nastavnik.runtime import Runtime

    async with _runtime(settings, owner=True) as rt:
        assert isinstance(rt, Runtime)
        branches = rt.plugins.migrations()
        secrets = {
            rt.roles.app: settings.db_app_password,
            rt.roles.auditor: settings.db_auditor_password,
            rt.roles.aggregator: settings.db_aggregator_password,
            rt.roles.provisioner: settings.db_provisioner_password,
        }
        passwords = {role: secret.get_secret_value() if secret else None for role, secret in secrets.items()}
        await migrate.upgrade(
            rt.owner_engine,
            rt.roles,
            plugin_version_dirs=[b.versions_dir for b in branches],
            passwords=passwords,
            then=[plugin_defaults.installer(rt.plugins)],
        )


def web_server_config(
    app: Any, settings: Settings, *, headers: list[tuple[str, str]] | None = None
) -> uvicorn.Config:
    # No "server: uvicorn" banner: the software and its version are nobody's business.
    return uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        # The C parser (a dependency) and asyncio's own loop, whatever else is installed: uvloop was
        # measured no faster for the product (docs/hot-path.md).
        http="httptools",
        loop="asyncio",
        proxy_headers=True,
        server_header=False,
        timeout_graceful_shutdown=WEB_SHUTDOWN_GRACE,
        headers=headers,
    )


async def serve_until_stopped(
    settings: Settings,
    shutdown: Shutdown,
    *,
    with_worker: bool,
    sock: socket.socket | None = None,
    headers: list[tuple[str, str]] | None = None,
) -> None:
    """The web server (and the worker) until one of them ends or a signal asks them to stop; on ``sock``
    (shared with the other web processes) when given, else on the settings' host and port."""
    from nastavnik.gc_tuning import settle_after_start_up
    from nastavnik.runtime import Runtime
    from nastavnik.web.app import create_app
    from nastavnik.worker import build_worker, stop_worker

    async with _runtime(settings) as rt:
        assert isinstance(rt, Runtime)
        server = _Server(web_server_config(create_app(rt), settings, headers=headers))
        settle_after_start_up()  # the app is built: freeze it out of the collector's way
        serving = asyncio.create_task(server.serve(sockets=[sock] if sock is not None else None))
        worker = build_worker(rt) if with_worker else None
        working = asyncio.create_task(worker.async_run()) if worker is not None else None
        stop = asyncio.create_task(shutdown.wait())
        try:
            running = {serving} | ({working} if working else set())
            done, _ = await asyncio.wait({*running, stop}, return_when=asyncio.FIRST_COMPLETED)
            for task in done - {stop}:
                task.result()
        finally:
            stop.cancel()
            server.should_exit = True
            if worker is not None and working is not None:
                await stop_worker(
                    worker, working, shutdown.signal or signal.SIGTERM, grace=settings.worker_shutdown_grace
                )
            await asyncio.wait({serving}, timeout=WEB_SHUTDOWN_GRACE + 5)
            serving.cancel()
            await asyncio.gather(serving, return_exceptions=True)
        if shutdown.signal is not None:
            log.info("web server stopped", signal=shutdown.signal.name)


PROCESS_HEADER = "x-nastavnik-process"  # which web process answered (its number), with more than one


def listening_socket(host: str, port: int) -> socket.socket:
    """The web port, bound once by the parent and shared by every web process (the kernel spreads the
    connections). Created with IPPROTO_TCP, as uvicorn's own binding does through getaddrinfo: asyncio
    sets TCP_NODELAY only on sockets that say TCP, and without it small answers wait for delayed ACKs."""
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(address)
    return sock


def _web_process(settings: Settings, sock: socket.socket, number: int) -> None:
    """One of ``serve --workers N``'s processes: the single-process server on the shared socket, with its
    own runtime and its own signal handling (SIGTERM from the parent drains it and it exits 0)."""
    # A group of its own: Ctrl-C in a terminal reaches the parent only, which forwards one SIGTERM (a
    # second signal would stop the process at once, without draining).
    os.setpgid(0, 0)
    configure_logging(settings)
    shutdown = Shutdown()
    with shutdown.installed(), contextlib.suppress(KeyboardInterrupt):
        shutdown.run(
            serve_until_stopped(
                settings, shutdown, with_worker=False, sock=sock, headers=[(PROCESS_HEADER, str(number))]
            )
        )


def serve_processes(settings: Settings, shutdown: Shutdown, count: int) -> None:
    """``count`` web processes on one port until a signal: the parent forwards SIGTERM (the container's
    stop) to them, waits for them to drain, and exits 0 when they all did; if one dies on its own the
    others are stopped and the command fails, for the orchestrator to restart the whole."""
    sock = listening_socket(settings.host, settings.port)
    # spawn, not fork: a fresh interpreter per process (no inherited event loop, threads or pools).
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(target=_web_process, args=(settings, sock, n), name=f"nastavnik-web-{n}")
        for n in range(1, count + 1)
    ]
    for process in processes:
        process.start()
    sock.close()  # the children hold it
    log.info("web processes started", count=count, pids=[p.pid for p in processes])
    try:
        while not shutdown.requested and all(p.is_alive() for p in processes):
            wait_for_any([p.sentinel for p in processes], timeout=0.5)
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()  # SIGTERM: each drains its requests under way
        deadline = WEB_SHUTDOWN_GRACE + 10
        for process in processes:
            process.join(deadline)
            if process.is_alive():
                process.kill()
                process.join()
    failed = {p.name: p.exitcode for p in processes if p.exitcode != 0}
    if failed or not shutdown.requested:
        raise click.ClickException(f"web processes ended: {failed or 'on their own'}")
    log.info("web processes stopped", signal=shutdown.signal.name if shutdown.signal else None)


async def _work(settings: Settings, shutdown: Shutdown, *, with_cron: bool) -> None:
    """The worker until a signal: it then finishes or hands back its jobs (arq's way) and exits 0."""
    from nastavnik.metrics import serve_worker_metrics
    from nastavnik.runtime import Runtime
    from nastavnik.worker import build_worker, stop_worker

    async with _runtime(settings) as rt:
        assert isinstance(rt, Runtime)
        worker = build_worker(rt) if with_cron else build_worker(rt, cron_jobs=[])
        stop_metrics = serve_worker_metrics(rt, asyncio.get_running_loop())
        working = asyncio.create_task(worker.async_run())
        stop = asyncio.create_task(shutdown.wait())
        try:
            done, _ = await asyncio.wait({working, stop}, return_when=asyncio.FIRST_COMPLETED)
            if working in done:
                working.result()
        finally:
            stop.cancel()
            await stop_worker(
                worker, working, shutdown.signal or signal.SIGTERM, grace=settings.worker_shutdown_grace
            )
            if stop_metrics is not None:  # scraped until the last job has ended
                stop_metrics()
    if shutdown.signal is not None:
        log.info("worker stopped", signal=shutdown.signal.name, jobs_complete=worker.jobs_complete)


class _Commands(click.Group):
    """The product's own commands, then those contributed through ``nastavnik.commands`` (loaded only
    when named or listed); a development command whose distribution is missing says so in one line."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *contributed_commands(), *DEVELOPMENT_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        own = super().get_command(ctx, cmd_name)
        if own is not None:
            return own
        entry = contributed_commands().get(cmd_name)
        if entry is not None:
            command = entry.load()
            if not isinstance(command, click.Command):
                raise click.ClickException(f"{entry.value} is not a click command")
            return command
        if cmd_name in DEVELOPMENT_COMMANDS:
            return _missing(cmd_name)
        return None


def _missing(name: str) -> click.Command:
    def refuse() -> None:
        raise click.ClickException(str(missing_command(name)))

    return click.Command(
        name,
        callback=refuse,
        help=DEVELOPMENT_COMMANDS[name],
        context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
        add_help_option=False,
    )


@click.group(cls=_Commands)
def main() -> None:
    """Наставник: региональная платформа целевой модели наставничества."""


@contextlib.contextmanager
def _command(refused_in_production: str | None) -> Iterator[tuple[Settings, Shutdown]]:
    """The settings of a command and its signal handling, refused in production when told; the embedded
    PostgreSQL and Redis it started are stopped on every way out."""
    shutdown = Shutdown()
    with shutdown.installed():
        settings, services = _prepare(get_settings())
        try:
            if refused_in_production and settings.is_production:
                raise click.ClickException(refused_in_production)
            yield settings, shutdown
        finally:
            if services:
                services.stop()


def run_until_stopped(
    command: Callable[[Settings, Shutdown], Coroutine[Any, Any, None]],
    *,
    refused_in_production: str | None = None,
) -> None:
    """A long-running command (demo, serve, worker) until it ends or a signal stops it.

    The embedded PostgreSQL and Redis it started are stopped on every way out; a second signal
    ends the command at once, still through that stop."""
    with _command(refused_in_production) as (settings, shutdown), contextlib.suppress(KeyboardInterrupt):
        shutdown.run(command(settings, shutdown))


def run_once(
    step: Callable[[Settings], Coroutine[Any, Any, T]], *, refused_in_production: str | None = None
) -> T:
    """A short command (db upgrade, seed): a signal lets the step under way finish (a second one
    interrupts it); the embedded PostgreSQL and Redis it started are stopped on every way out."""
    with _command(refused_in_production) as (settings, shutdown):
        return shutdown.run(step(settings))


@main.command()
@click.option(
    "--with-worker/--no-worker", default=False, help="Run the background worker in the same process."
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Web server processes sharing the port (default: the web_workers setting, 1).",
)
def serve(with_worker: bool, workers: int | None) -> None:
    """Run the web application."""
    with _command(None) as (settings, shutdown), contextlib.suppress(KeyboardInterrupt):
        count = workers if workers is not None else settings.web_workers
        if count == 1:
            shutdown.run(serve_until_stopped(settings, shutdown, with_worker=with_worker))
            return
        if with_worker:
            raise click.UsageError(
                "--with-worker runs the background worker inside the one web process: with more web"
                " processes run `nastavnik worker` beside them"
            )
        serve_processes(settings, shutdown, count)


@main.command()
@click.option(
    "--cron/--no-cron",
    default=True,
    help="Also schedule the periodic jobs (nightly statistics, heartbeat); --no-cron only runs queued jobs.",
)
def worker(cron: bool) -> None:
    """Run the background worker (arq); SIGTERM or Ctrl-C stops it gracefully."""
    run_until_stopped(lambda settings, shutdown: _work(settings, shutdown, with_cron=cron))


@main.group()
def db() -> None:
    """Database maintenance."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply the core's and every loaded plugin's migrations (as the owner role)."""
    run_once(upgrade_database)
    click.echo("Миграции применены.")


class Refusal(click.ClickException):
    """A refusal in Russian, headed in Russian too (click heads its own with «Error:»)."""

    def show(self, file: Any = None) -> None:
        click.echo(f"Отказано: {self.format_message()}", err=True)


@main.group()
def region() -> None:
    """Regions of the installation."""


REGION_OPTIONS = {
    "code": "--code",
    "name": "--name",
    "timezone": "--timezone",
    "admin_email": "--admin-email",
    "admin_last_name": "--admin-last-name",
    "admin_first_name": "--admin-first-name",
}


@region.command("create")
@click.option("--code", default=None, help="Код региона (латиница, цифры, дефис; например 86).")
@click.option("--name", default=None, help="Название региона.")
@click.option("--timezone", default=None, help="Часовой пояс IANA, например Asia/Yekaterinburg.")
@click.option("--admin-email", default=None, help="Рабочая электронная почта первого администратора.")
@click.option("--admin-last-name", default=None, help="Фамилия администратора.")
@click.option("--admin-first-name", default=None, help="Имя администратора.")
@click.option("--admin-middle-name", default=None, help="Отчество администратора (если есть).")
def region_create(**given: str | None) -> None:
    """Create the first region and its first administrator (idempotent; as the owner role)."""
    missing = [flag for name, flag in REGION_OPTIONS.items() if not (given.get(name) or "").strip()]
    if missing:
        raise Refusal("не указано: " + ", ".join(missing) + ". Регион не создан.")
    from nastavnik.domain.administration.regions import checked_region
    from nastavnik.errors import InvalidInput

    try:
        draft = checked_region(
            str(given["code"]),
            str(given["name"]),
            str(given["timezone"]),
            str(given["admin_last_name"]),
            str(given["admin_first_name"]),
            given.get("admin_middle_name"),
            str(given["admin_email"]),
        )
    except InvalidInput as exc:
        flags = {**REGION_OPTIONS, "admin_middle_name": "--admin-middle-name"}
        details = "; ".join(f"{flags.get(e.field, e.field)}: {e.message}" for e in exc.errors)
        raise Refusal(f"{exc.message} {details}") from None
    outcome = run_once(lambda settings: _bootstrap_region(settings, draft))
    for line in outcome:
        click.echo(line)


async def _bootstrap_region(settings: Settings, draft: Any) -> list[str]:
    from nastavnik.domain.administration.bootstrap import Refused, bootstrap_region
    from nastavnik.runtime import Runtime

    async with _runtime(settings, owner=True) as rt:
        assert isinstance(rt, Runtime)
        try:
            return (await bootstrap_region(rt, draft)).lines
        except Refused as exc:
            raise Refusal(str(exc)) from None


@main.command("settings")
def show_settings() -> None:
    """List every setting with its environment variable and meaning."""
    for name, field in Settings.model_fields.items():
        click.echo(f"NASTAVNIK_{name.upper()}\n    {(field.description or '').strip()}\n")


if __name__ == "__main__":
    sys.exit(main())
