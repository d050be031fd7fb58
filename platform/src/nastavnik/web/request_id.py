"""The request id middleware: every request gets an id, in its response and on every log line it causes.

It wraps the whole application, not a route: unknown addresses and errors answer with the id too. An
incoming ``X-Request-ID`` (from the ingress or the client) is kept when it is a sane token, so one id
follows the request through the proxies; otherwise the request gets a new one.
"""

from __future__ import annotations

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from nastavnik import request_ids
from nastavnik.web.security import set_headers

_HEADER = request_ids.HEADER.encode()
_REPLACED = frozenset({_HEADER})


def incoming_request_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == _HEADER:
            return request_ids.sane(value.decode("latin-1"))
    return None


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        request_id = incoming_request_id(scope) or request_ids.new_request_id()
        added = ((_HEADER, request_id.encode("latin-1")),)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                set_headers(message, _REPLACED, added)  # the one id, whatever the handler set
            await send(message)

        # The server's access log line is written while the response starts, inside this block too.
        entered = request_ids.enter(request_id)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_ids.leave(entered)
