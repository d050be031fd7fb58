"""The `nastavnik` command: demo, serve, worker, db upgrade, seed."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from collections.abc import AsyncIterator

import click
from pydantic import SecretStr

from nastavnik.demo.embedded import EmbeddedServices, with_embedded
from nastavnik.logging import configure_logging
from nastavnik.settings import Settings, get_settings


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
        branches = rt.plugins.flatten("register_migrations")
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


async def _serve_demo(settings: Settings) -> None:
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
        await _serve(sso, with_worker=True)


async def _serve(settings: Settings, *, with_worker: bool) -> None:
    import uvicorn

    from nastavnik.runtime import Runtime
    from nastavnik.web.app import create_app
    from nastavnik.worker import build_worker

    async with _runtime(settings) as rt:
        assert isinstance(rt, Runtime)
        app = create_app(rt)
        server = uvicorn.Server(
            uvicorn.Config(app, host=settings.host, port=settings.port, log_config=None, proxy_headers=True)
        )
        tasks = [asyncio.create_task(server.serve())]
        worker = build_worker(rt) if with_worker else None
        if worker is not None:
            tasks.append(asyncio.create_task(worker.async_run()))
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()
        finally:
            server.should_exit = True
            if worker is not None:
                await worker.close()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)


async def _work(settings: Settings, *, with_cron: bool) -> None:
    from nastavnik.runtime import Runtime
    from nastavnik.worker import build_worker

    async with _runtime(settings) as rt:
        assert isinstance(rt, Runtime)
        worker = build_worker(rt) if with_cron else build_worker(rt, cron_jobs=[])
        try:
            await worker.async_run()
        finally:
            await worker.close()


@click.group()
def main() -> None:
    """Наставник: региональная платформа целевой модели наставничества."""


@main.command()
def demo() -> None:
    """Start everything with demo data: embedded PostgreSQL and Redis when none is configured."""
    settings, services = _prepare(get_settings())
    if settings.is_production:
        raise click.ClickException("`nastavnik demo` is for development only")
    settings = settings.model_copy(update={"dev_issuer": True})
    try:
        asyncio.run(_upgrade(settings))
        created = asyncio.run(_seed(settings))
        click.echo("Демонстрационные данные созданы." if created else "Демонстрационные данные уже есть.")
        click.echo(f"Наставник работает: http://{settings.host}:{settings.port}/")
        click.echo(
            "Вход: откройте адрес и выберите демонстрационного пользователя (куратор, наставник, регион…)."
        )
        asyncio.run(_serve_demo(settings))
    except KeyboardInterrupt:
        pass
    finally:
        if services:
            services.stop()


@main.command()
@click.option(
    "--with-worker/--no-worker", default=False, help="Run the background worker in the same process."
)
def serve(with_worker: bool) -> None:
    """Run the web application."""
    settings, services = _prepare(get_settings())
    try:
        asyncio.run(_serve(settings, with_worker=with_worker))
    except KeyboardInterrupt:
        pass
    finally:
        if services:
            services.stop()


@main.command()
@click.option(
    "--cron/--no-cron",
    default=True,
    help="Also schedule the periodic jobs (nightly statistics, heartbeat); --no-cron only runs queued jobs.",
)
def worker(cron: bool) -> None:
    """Run the background worker (arq)."""
    settings, services = _prepare(get_settings())
    try:
        asyncio.run(_work(settings, with_cron=cron))
    except KeyboardInterrupt:
        pass
    finally:
        if services:
            services.stop()


@main.group()
def db() -> None:
    """Database maintenance."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply the core's and every loaded plugin's migrations (as the owner role)."""
    settings, services = _prepare(get_settings())
    try:
        asyncio.run(_upgrade(settings))
        click.echo("Миграции применены.")
    finally:
        if services:
            services.stop()


@main.command()
def seed() -> None:
    """Create the demo region (development only; idempotent)."""
    settings, services = _prepare(get_settings())
    if settings.is_production:
        raise click.ClickException("demo data is refused in production")
    try:
        created = asyncio.run(_seed(settings))
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
