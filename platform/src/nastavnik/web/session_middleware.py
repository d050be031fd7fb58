"""Server-side sessions that cost nothing for those who have none.

Litestar's server-side backend stores an empty session and sets a cookie for every request that
comes without one: each API call with a bearer token and each anonymous page view would leave a
key in Redis. Here a bearer request gets no session at all (it is authenticated by its token),
and an empty session is never stored, nor is an unchanged one stored again.

Signing in gives the session a new id (``rotate``): whatever id the browser held before, perhaps
one an attacker planted (session fixation), is deleted from the store and never signed in.
"""

from __future__ import annotations

import secrets
from typing import Any

from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.middleware import DefineMiddleware
from litestar.middleware.session.base import SessionMiddleware
from litestar.middleware.session.server_side import ServerSideSessionBackend, ServerSideSessionConfig
from litestar.types import Empty, Message, Receive, Scope, ScopeSession, Send
from litestar.utils.empty import value_or_default

# Set in the request's scope state by ``rotate``: the session's new id.
ROTATE = "nastavnik_session_rotate"
SESSION_ID_BYTES = 32
# Set in the request's scope state when the session is read: its stored bytes, to tell whether it changed.
LOADED = "nastavnik_session_loaded"


def rotate(connection: ASGIConnection[Any, Any, Any, Any]) -> None:
    """Store this request's session under a new id when the response goes out, forgetting the old one."""
    connection.state[ROTATE] = secrets.token_hex(SESSION_ID_BYTES)


def new_session_id(scope: Scope) -> str | None:
    """The id ``rotate`` drew for this request's session, if it did."""
    value = scope.get("state", {}).get(ROTATE)
    return value if isinstance(value, str) else None


class LeanServerSideBackend(ServerSideSessionBackend):
    def get_session_id(self, connection: ASGIConnection[Any, Any, Any, Any]) -> str:
        return new_session_id(connection.scope) or super().get_session_id(connection)

    async def load_from_connection(self, connection: ASGIConnection[Any, Any, Any, Any]) -> dict[str, Any]:
        if session_id := connection.cookies.get(self.config.key):
            store = self.config.get_store_from_app(connection.scope["app"])
            data = await self.get(session_id, store=store)
            if data is not None:
                connection.state[LOADED] = data
                return self.deserialize_data(data)
        return {}

    async def store_in_message(
        self, scope_session: ScopeSession, message: Message, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> None:
        old_id = connection.cookies.get(self.config.key)
        if not value_or_default(scope_session, None):  # Empty, or a session with nothing in it
            if not old_id:
                return  # nothing to keep and nothing to forget: no Redis write, no cookie
            scope_session = Empty  # had one, now empty: let the backend delete it and clear the cookie
            connection.state.pop(ROTATE, None)  # the id to delete is the browser's own
        elif old_id and connection.state.get(ROTATE) is not None:
            await self.delete(old_id, store=self.config.get_store_from_app(connection.scope["app"]))
        elif old_id and connection.state.get(LOADED) == self.serialize_data(scope_session, connection.scope):
            # Unchanged (a request between two "last seen" touches, see web.session.TOUCH_EVERY): no Redis
            # write and no new cookie. Both were given the session's full lifetime at their last write, at or
            # after sign-in, so neither runs out before the session's absolute limit does.
            return
        await super().store_in_message(scope_session, message, connection)


class SessionUnlessBearer(SessionMiddleware[LeanServerSideBackend]):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP and any(name == b"authorization" for name, _ in scope["headers"]):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def session_middleware(config: ServerSideSessionConfig) -> DefineMiddleware:
    return DefineMiddleware(SessionUnlessBearer, backend=LeanServerSideBackend(config=config))
