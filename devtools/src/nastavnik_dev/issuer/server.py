"""Running the development issuer on a loopback port, inside the caller's event loop."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import uvicorn

from nastavnik.settings import Settings
from nastavnik_dev.issuer.app import create_issuer_app
from nastavnik_dev.issuer.realm import REALM_EXPORT, Issuer, load_realm


class IssuerRefused(RuntimeError):
    """The development issuer was asked for where it must not run."""


class _LoopbackServer(uvicorn.Server):
    """uvicorn without its own signal handlers: the caller's loop owns them (see ``nastavnik demo``).

    Its own would catch Ctrl-C first, stop only the issuer and re-raise the signal when done."""

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def check_may_start(settings: Settings) -> None:
    if settings.is_production:
        raise IssuerRefused("the development issuer never runs in production")
    if not settings.dev_issuer:
        raise IssuerRefused("the development issuer starts only when NASTAVNIK_DEV_ISSUER is set")


@asynccontextmanager
async def running_issuer(
    settings: Settings, *, realm_export: Path = REALM_EXPORT, host: str = "127.0.0.1", port: int = 0
) -> AsyncIterator[Issuer]:
    """Serve the issuer on ``host:port`` (0: any free port) for as long as the context lasts."""
    check_may_start(settings)
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise IssuerRefused("the development issuer listens on loopback only")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    base_url = f"http://{host}:{sock.getsockname()[1]}"
    issuer = Issuer(realm=load_realm(realm_export), base_url=base_url)
    server = _LoopbackServer(
        uvicorn.Config(create_issuer_app(issuer), log_config=None, access_log=False, lifespan="off")
    )
    async with served(server, sock):
        yield issuer


@asynccontextmanager
async def served(server: uvicorn.Server, sock: socket.socket) -> AsyncIterator[None]:
    """Run ``server`` in the caller's event loop on an already bound socket, from when it has started
    until the context ends; then stop it and close the socket."""
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.01)
        yield
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=10)
        sock.close()
