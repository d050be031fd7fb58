"""CSRF protection for cookie sessions; requests authenticated by a bearer token need none.

A browser cannot attach an ``Authorization`` header to a cross-site request without a CORS
preflight, and such a request is authenticated by its token alone (never by the session),
so checking a CSRF token there would only break API clients. Nor does an API request that carries
no session cookie: it has no ambient authority for a forged form to borrow, and it must hear that it
is not signed in (401), not that its form is stale (403).
"""

from __future__ import annotations

from litestar.enums import ScopeType
from litestar.middleware.csrf import CSRFMiddleware
from litestar.types import Receive, Scope, Send


class CSRFUnlessBearer(CSRFMiddleware):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP and (
            any(name == b"authorization" for name, _ in scope["headers"])
            or (scope["path"].startswith("/api/") and not _has_session_cookie(scope))
        ):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def _has_session_cookie(scope: Scope) -> bool:
    return any(
        name == b"cookie" and any(part.strip().startswith(b"session=") for part in value.split(b";"))
        for name, value in scope["headers"]
    )
