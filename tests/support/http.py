"""HTTP clients: the testing kit's in-process ones (``nastavnik.testing.http``), and a real HTTP server on
loopback for the tests that need one."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from litestar import Litestar

from nastavnik.testing.http import Client, asgi_transport, bearer_client, client_for, forge_session
from nastavnik_dev.issuer.server import served

__all__ = [
    "Client",
    "asgi_transport",
    "bearer_client",
    "client_for",
    "forge_session",
    "loopback_socket",
    "serving",
]


def loopback_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    return sock


@asynccontextmanager
async def serving(app: Litestar, sock: socket.socket) -> AsyncIterator[str]:
    """Serve ``app`` over real HTTP on an already bound loopback socket; yields its base URL."""
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, access_log=False, lifespan="off"))
    async with served(server, sock):
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
