"""CSRF protection for cookie sessions; requests authenticated by a bearer token need none.

A browser cannot attach an ``Authorization`` header to a cross-site request without a CORS
preflight, and such a request is authenticated by its token alone (never by the session),
so checking a CSRF token there would only break API clients.
"""

from __future__ import annotations

from litestar.enums import ScopeType
from litestar.middleware.csrf import CSRFMiddleware
from litestar.types import Receive, Scope, Send


class CSRFUnlessBearer(CSRFMiddleware):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP and any(name == b"authorization" for name, _ in scope["headers"]):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)
