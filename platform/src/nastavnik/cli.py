"""The `nastavnik` command: demo, serve, worker, db upgrade, seed."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import sys
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from types import FrameType
from typing import Any, TypeVar

import click
import structlog
import uvicorn
from pydantic import SecretStr

from nastavnik.demo.embedded import EmbeddedServices, with_embedded
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


def _prepare(settings: Settings) -> tuple[Settings, EmbeddedServices | None]:
    resolved, services = with_embedded(settings)
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


async def _upgrade(settings: Settings) -> None:
    from nastavnik.db import migrate
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
        )


async def _seed(settings: Settings) -> bool:
    from nastavnik.demo.seed import seed_demo
    from nastavnik.runtime import Runtime

    async with _runtime(settings, owner=True) as rt:
        assert isinstance(rt, Runtime)
        async with rt.owner_sessions() as db:
            return await seed_demo(db)


async def _demo(settings: Settings, shutdown: Shutdown) -> None:
    """Migrate, seed, then serve; a stop asked for during a step takes effect when the step is done."""
    if shutdown.requested:
        return
    await _upgrade(settings)
    if shutdown.requested:
        return
    created = await _seed(settings)
    click.echo("Демонстрационные данные созданы." if created else "Демонстрационные данные уже есть.")
    if shutdown.requested:
        return
    click.echo(f"Наставник работает: http://{settings.host}:{settings.port}/")
    click.echo(
        "Вход: откройте адрес и выберите демонстрационного пользователя (куратор, наставник, регион…)."
    )
    await _serve_demo(settings, shutdown)


async def _serve_demo(settings: Settings, shutdown: Shutdown) -> None:
    """The demo signs in through the development issuer, started here on a loopback port."""
    from nastavnik.demo.sso import mirror_demo_people
    from nastavnik.devissuer.realm import REALM_EXPORT
    from nastavnik.devissuer.server import running_issuer
    from nastavnik.runtime import Runtime

    clients = {c["clientId"]: c for c in json.loads(REALM_EXPORT.read_text(encoding="utf-8"))["clients"]}
    web_secret = clients[settings.keycloak_client_id]["secret"]
    admin_secret = clients[settings.keycloak_admin_client_id]["secret"]
    async with running_issuer(settings, port=settings.dev_issuer_port) as issuer:
        public_url = f"http://{settings.host}:{settings.port}"
        web = issuer.realm.clients[settings.keycloak_client_id]
        web.redirect_uris.append(f"{public_url}/auth/callback")  # the demo's own address, wherever it listens
        web.post_logout_redirect_uris.append(f"{public_url}/login")
        sso = settings.model_copy(
            update={
                "keycloak_url": issuer.base_url,
                "keycloak_client_secret": SecretStr(web_secret),
                "keycloak_admin_client_secret": SecretStr(admin_secret),
                "public_url": public_url,
            }
        )
        async with _runtime(sso, owner=True) as rt:  # the seed's people, mirrored; closed before serving
            assert isinstance(rt, Runtime)
            async with rt.owner_sessions() as db:
                people = await mirror_demo_people(db, issuer.realm, issuer.issuer, sso)
        click.echo(
            f"Вход через сервер единой учётной записи для разработки: {issuer.issuer} ({people} польз.)"
        )
        await _serve(sso, shutdown, with_worker=True)


def web_server_config(app: Any, settings: Settings) -> uvicorn.Config:
    # No "server: uvicorn" banner: the software and its version are nobody's business.
    return uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        proxy_headers=True,
        server_header=False,
        timeout_graceful_shutdown=WEB_SHUTDOWN_GRACE,
    )


async def _serve(settings: Settings, shutdown: Shutdown, *, with_worker: bool) -> None:
    """The web server (and the worker) until one of them ends or a signal asks them to stop."""
    from nastavnik.runtime import Runtime
    from nastavnik.web.app import create_app
    from nastavnik.worker import build_worker, stop_worker

    async with _runtime(settings) as rt:
        assert isinstance(rt, Runtime)
        server = _Server(web_server_config(create_app(rt), settings))
        serving = asyncio.create_task(server.serve())
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


async def _work(settings: Settings, shutdown: Shutdown, *, with_cron: bool) -> None:
    """The worker until a signal: it then finishes or hands back its jobs (arq's way) and exits 0."""
    from nastavnik.runtime import Runtime
    from nastavnik.worker import build_worker, stop_worker

    async with _runtime(settings) as rt:
        assert isinstance(rt, Runtime)
        worker = build_worker(rt) if with_cron else build_worker(rt, cron_jobs=[])
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
    if shutdown.signal is not None:
        log.info("worker stopped", signal=shutdown.signal.name, jobs_complete=worker.jobs_complete)


@click.group()
def main() -> None:
    """Наставник: региональная платформа целевой модели наставничества."""


def _run_until_stopped(
    command: Callable[[Settings, Shutdown], Coroutine[Any, Any, None]],
    *,
    refused_in_production: str | None = None,
) -> None:
    """A long-running command (demo, serve, worker) until it ends or a signal stops it.

    The embedded PostgreSQL and Redis it started are stopped on every way out; a second signal
    ends the command at once, still through that stop."""
    shutdown = Shutdown()
    with shutdown.installed():
        settings, services = _prepare(get_settings())
        try:
            if refused_in_production and settings.is_production:
                raise click.ClickException(refused_in_production)
            shutdown.run(command(settings, shutdown))
        except KeyboardInterrupt:
            pass
        finally:
            if services:
                services.stop()


@main.command()
def demo() -> None:
    """Start everything with demo data: embedded PostgreSQL and Redis when none is configured."""
    _run_until_stopped(
        lambda settings, shutdown: _demo(settings.model_copy(update={"dev_issuer": True}), shutdown),
        refused_in_production="`nastavnik demo` is for development only",
    )


@main.command()
@click.option(
    "--with-worker/--no-worker", default=False, help="Run the background worker in the same process."
)
def serve(with_worker: bool) -> None:
    """Run the web application."""
    _run_until_stopped(lambda settings, shutdown: _serve(settings, shutdown, with_worker=with_worker))


@main.command()
@click.option(
    "--cron/--no-cron",
    default=True,
    help="Also schedule the periodic jobs (nightly statistics, heartbeat); --no-cron only runs queued jobs.",
)
def worker(cron: bool) -> None:
    """Run the background worker (arq); SIGTERM or Ctrl-C stops it gracefully."""
    _run_until_stopped(lambda settings, shutdown: _work(settings, shutdown, with_cron=cron))


@main.group()
def db() -> None:
    """Database maintenance."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply the core's and every loaded plugin's migrations (as the owner role)."""
    shutdown = Shutdown()
    with shutdown.installed():
        settings, services = _prepare(get_settings())
        try:
            shutdown.run(_upgrade(settings))
            click.echo("Миграции применены.")
        finally:
            if services:
                services.stop()


@main.command()
def seed() -> None:
    """Create the demo region (development only; idempotent)."""
    shutdown = Shutdown()
    with shutdown.installed():
        settings, services = _prepare(get_settings())
        if settings.is_production:
            raise click.ClickException("demo data is refused in production")
        try:
            created = shutdown.run(_seed(settings))
            click.echo("Демонстрационные данные созданы." if created else "Демонстрационные данные уже есть.")
        finally:
            if services:
                services.stop()


@main.command("settings")
def show_settings() -> None:
    """List every setting with its environment variable and meaning."""
    for name, field in Settings.model_fields.items():
        click.echo(f"NASTAVNIK_{name.upper()}\n    {(field.description or '').strip()}\n")


if __name__ == "__main__":
    sys.exit(main())
