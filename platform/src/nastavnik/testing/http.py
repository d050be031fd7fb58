"""HTTP clients over the real ASGI app in-process: signed in as a person would be, CSRF included."""

from __future__ import annotations

import json
import secrets
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, cast

import httpx
from litestar import Litestar

from nastavnik.web import session

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def asgi_transport(app: Litestar, **kwargs: Any) -> httpx.ASGITransport:
    """httpx's transport over the app in-process. httpx types its ASGI app with loose mappings where Litestar
    declares its typed scopes, so the two signatures differ though the call is the same ASGI call."""
    return httpx.ASGITransport(app=cast("Any", app), **kwargs)


class Client:
    """An httpx client that sends the CSRF token with every unsafe request, as the pages do."""

    def __init__(self, http: httpx.AsyncClient, app: Litestar | None = None) -> None:
        self.http = http
        self.app = app
        """The app this client talks to in-process, when it does (its route table lists every route)."""

    async def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}) or {})
        if method.upper() in UNSAFE:
            token = self.http.cookies.get("csrftoken")
            if token is None:
                await self.http.get("/health/live")
                token = self.http.cookies.get("csrftoken")
            if token:
                headers["x-csrftoken"] = token
        return await self.http.request(method, url, headers=headers, **kwargs)

    async def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("GET", url, **kwargs)

    async def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("POST", url, **kwargs)

    async def put(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("PUT", url, **kwargs)

    async def patch(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("PATCH", url, **kwargs)

    async def delete(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("DELETE", url, **kwargs)


async def forge_session(app: Litestar, identity_id: uuid.UUID) -> str:
    """A signed-in session written straight into the app's session store.

    The platform has no sign-in but Keycloak's; tests that are not about signing in start from a
    session as a login would leave it (without SSO restrictions), instead of running the login.
    """
    now = int(time.time())
    data = {
        session.IDENTITY: str(identity_id),
        session.LOGIN_AT: now,
        session.SEEN_AT: now,
        session.SSO: False,
        session.ID_TOKEN: None,
        session.ORGANISATIONS: [],
        session.STAFF_ROLES: [],
    }
    session_id = secrets.token_hex(32)
    await app.stores.get("sessions").set(session_id, json.dumps(data).encode(), expires_in=3600)
    return session_id


@asynccontextmanager
async def bearer_client(app: Litestar, token: str) -> AsyncIterator[Client]:
    """A client that authenticates every request with an access token, as API clients do."""
    transport = asgi_transport(app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", headers={"Authorization": f"Bearer {token}"}
    ) as http:
        yield Client(http, app)


@asynccontextmanager
async def client_for(
    app: Litestar, identity_id: uuid.UUID | None = None, *, base_url: str = "http://testserver"
) -> AsyncIterator[Client]:
    """A client signed in as the identity (``None``: anonymous)."""
    transport = asgi_transport(app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url=base_url) as http:
        client = Client(http, app)
        if identity_id is not None:
            http.cookies.set("session", await forge_session(app, identity_id))
        yield client
