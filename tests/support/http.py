"""HTTP clients over the real ASGI app: signed in through the development sign-in, CSRF included."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from litestar import Litestar

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


class Client:
    """An httpx client that sends the CSRF token with every unsafe request, as the pages do."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

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


@asynccontextmanager
async def client_for(
    app: Litestar, identity_id: uuid.UUID | None = None, *, base_url: str = "http://testserver"
) -> AsyncIterator[Client]:
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url=base_url) as http:
        client = Client(http)
        if identity_id is not None:
            response = await client.post("/login", data={"identity_id": str(identity_id), "next": "/"})
            assert response.status_code in (302, 303), response.text[:500]
        yield client
