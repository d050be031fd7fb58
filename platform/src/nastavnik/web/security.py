"""What every request meets before its handler: security headers, sign-in before the body, safe JSON.

- Every response, whatever produced it (a page, the API, an error, a static file, a download),
  leaves with the same security headers; nothing personal is kept in a cache.
- A route that needs a signed-in person refuses an anonymous request (401, or the sign-in page)
  before anything reads its body: Litestar decodes the body before it resolves dependencies, so the
  check is a guard, and a stranger's upload or malformed JSON never gets parsed.
- A JSON body nested too deeply for the decoder is a 400, not a RecursionError (a 500).
"""

from __future__ import annotations

from typing import Any

import structlog
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.datastructures import MutableScopeHeaders
from litestar.exceptions import NotAuthorizedException, SerializationException
from litestar.handlers.base import BaseRouteHandler
from litestar.types import Message, Scope

from nastavnik.auth.tokens import TokenRejected
from nastavnik.web import session

log = structlog.get_logger(__name__)

# Scope state key of the access token the guard verified, so the actor is not verified twice.
VERIFIED_TOKEN = "nastavnik_verified_token"  # noqa: S105 - a key's name, not a secret

# The pages run no inline script and no script from elsewhere (their only script files are under
# /static). `form-action` is left out: the logout form's redirect to the identity provider's logout
# page would count against it, and that address comes from the provider's discovery document.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    )
)
SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",  # frame-ancestors for browsers that predate it
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
}
# Static files hold nothing personal and may be cached; everything else may (pages, API, downloads).
CACHEABLE_PREFIXES = ("/static/",)


async def security_headers(message: Message, scope: Scope) -> None:
    """A ``before_send`` hook: Litestar runs it for every response, errors and unknown paths included."""
    if message["type"] != "http.response.start":
        return
    headers = MutableScopeHeaders.from_message(message)
    for name, value in SECURITY_HEADERS.items():
        headers[name] = value
    path = scope.get("path", "")
    if not path.startswith(CACHEABLE_PREFIXES):
        headers["cache-control"] = "no-store"
    del headers["server"]  # the software and its version are nobody's business


def needs(handler: BaseRouteHandler, dependency: str) -> bool:
    """Whether the handler, or a dependency it asks for however deeply, asks for ``dependency``."""
    dependencies = handler.resolve_dependencies()
    wanted = list(handler.parsed_fn_signature.parameters)
    seen: set[str] = set()
    while wanted:
        name = wanted.pop()
        if name == dependency:
            return True
        if name in seen or name not in dependencies:
            continue
        seen.add(name)
        wanted.extend(dependencies[name].parsed_fn_signature.parameters)
    return False


async def signed_in_first(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """A guard: a route that needs the signed-in person refuses anyone else before reading the body.

    Authentication only: whether the identity is still active, and the organisation and role
    checks, follow in the dependencies and services, which need the database (and still run before
    the body is validated).
    """
    if not needs(handler, "actor"):  # a few dictionary look-ups: both are cached on the handler
        return
    runtime = connection.app.state.runtime
    header = connection.headers.get("authorization")
    if header is None:
        if session.identity(connection, runtime.settings) is None:  # type: ignore[arg-type]
            raise NotAuthorizedException
        return
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or runtime.verifier is None:
        raise NotAuthorizedException
    try:
        connection.state[VERIFIED_TOKEN] = await runtime.verifier.verify(token.strip())
    except TokenRejected as exc:
        client = connection.client.host if connection.client else None
        log.info("token rejected", reason=str(exc), path=connection.url.path, client=client)
        raise NotAuthorizedException from None


class SafeJsonRequest(Request[Any, Any, Any]):
    """A request whose JSON body, however deeply nested, decodes or is a client error."""

    async def json(self) -> Any:
        try:
            return await super().json()
        except RecursionError:
            # msgspec gives up past Python's recursion limit; no form of ours nests a tenth as deep.
            raise SerializationException("JSON is nested too deeply") from None
