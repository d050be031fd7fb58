"""``nastavnik demo`` and ``nastavnik seed``: added to the product's CLI through ``nastavnik.commands``."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator

import click
from pydantic import SecretStr

from nastavnik.cli import Shutdown, run_once, run_until_stopped, serve_until_stopped, upgrade_database
from nastavnik.runtime import Runtime, build_runtime
from nastavnik.settings import Settings
from nastavnik_dev.demo.seed import seed_demo
from nastavnik_dev.demo.sso import mirror_demo_people
from nastavnik_dev.issuer.realm import REALM_EXPORT
from nastavnik_dev.issuer.server import running_issuer


@contextlib.asynccontextmanager
async def _owner_runtime(settings: Settings) -> AsyncIterator[Runtime]:
    """The process's resources as the owner role, which the seed writes as."""
    runtime = await build_runtime(settings, owner=True)
    try:
        yield runtime
    finally:
        await runtime.close()


async def _seed(settings: Settings) -> bool:
    async with _owner_runtime(settings) as rt, rt.owner_sessions() as db:
        return await seed_demo(db)


def _say_seeded(created: bool) -> None:
    click.echo("Демонстрационные данные созданы." if created else "Демонстрационные данные уже есть.")


async def _demo(settings: Settings, shutdown: Shutdown) -> None:
    """Migrate, seed, then serve; a stop asked for during a step takes effect when the step is done."""
    if shutdown.requested:
        return
    await upgrade_database(settings)
    if shutdown.requested:
        return
    _say_seeded(await _seed(settings))
    if shutdown.requested:
        return
    click.echo(f"Наставник работает: http://{settings.host}:{settings.port}/")
    click.echo(
        "Вход: откройте адрес и выберите демонстрационного пользователя (куратор, наставник, регион…)."
    )
    await _serve_demo(settings, shutdown)


async def _serve_demo(settings: Settings, shutdown: Shutdown) -> None:
    """The demo signs in through the development issuer, started here on a loopback port."""
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
        # The seed's people, mirrored; the owner's connections are closed before serving.
        async with _owner_runtime(sso) as rt, rt.owner_sessions() as db:
            people = await mirror_demo_people(db, issuer.realm, issuer.issuer, sso)
        click.echo(
            f"Вход через сервер единой учётной записи для разработки: {issuer.issuer} ({people} польз.)"
        )
        await serve_until_stopped(sso, shutdown, with_worker=True)


@click.command()
def demo() -> None:
    """Start everything with demo data: embedded PostgreSQL and Redis when none is configured."""
    run_until_stopped(
        lambda settings, shutdown: _demo(settings.model_copy(update={"dev_issuer": True}), shutdown),
        refused_in_production="`nastavnik demo` is for development only",
    )


@click.command()
def seed() -> None:
    """Create the demo region (development only; idempotent)."""
    _say_seeded(run_once(_seed, refused_in_production="demo data is refused in production"))
