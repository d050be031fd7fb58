"""Server-side sessions that cost nothing for those who have none.

Litestar's server-side backend stores an empty session and sets a cookie for every request that
comes without one: each API call with a bearer token and each anonymous page view would leave a
key in Redis. Here a bearer request gets no session at all (it is authenticated by its token),
and an empty session is never stored.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.middleware import DefineMiddleware
from litestar.middleware.session.base import SessionMiddleware
from litestar.middleware.session.server_side import ServerSideSessionBackend, ServerSideSessionConfig
from litestar.types import Empty, Message, Receive, Scope, ScopeSession, Send
from litestar.utils.empty import value_or_default


class LeanServerSideBackend(ServerSideSessionBackend):
    async def store_in_message(
        self, scope_session: ScopeSession, message: Message, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> None:
        if not value_or_default(scope_session, None):  # Empty, or a session with nothing in it
            if self.config.key not in connection.cookies:
                return  # nothing to keep and nothing to forget: no Redis write, no cookie
            scope_session = Empty  # had one, now empty: let the backend delete it and clear the cookie
        await super().store_in_message(scope_session, message, connection)


class SessionUnlessBearer(SessionMiddleware[LeanServerSideBackend]):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP and any(name == b"authorization" for name, _ in scope["headers"]):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def session_middleware(config: ServerSideSessionConfig) -> DefineMiddleware:
    return DefineMiddleware(SessionUnlessBearer, backend=LeanServerSideBackend(config=config))
