"""What every request meets before its handler: security headers, sign-in before the body, safe JSON.

- Every response, whatever produced it (a page, the API, an error, a static file, a download),
  leaves with the same security headers; nothing personal is kept in a cache.
- A route that needs a signed-in person refuses an anonymous request (401, or the sign-in page)
  before anything reads its body: Litestar decodes the body before it resolves dependencies, so the
  check is a guard, and a stranger's upload or malformed JSON never gets parsed.
- A JSON body nested too deeply for the decoder is a 400, not a RecursionError (a 500).
"""

from __future__ import annotations

from typing import Any, TypeVar, cast

import structlog
from litestar import Litestar, Request
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, SerializationException
from litestar.handlers.base import BaseRouteHandler
from litestar.routes import HTTPRoute
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


_SECURITY_PAIRS = tuple(
    (name.encode("latin-1"), value.encode("latin-1")) for name, value in SECURITY_HEADERS.items()
)
_NO_STORE = (b"cache-control", b"no-store")
# What every response loses before the security headers are added: their own names (set once, whatever a
# handler set), the server banner, and, where nothing may be cached, any cache-control of the handler's.
_REPLACED = frozenset({*(name for name, _ in _SECURITY_PAIRS), b"server"})
_REPLACED_NO_STORE = _REPLACED | {_NO_STORE[0]}


def set_headers(message: Message, replaced: frozenset[bytes], added: tuple[tuple[bytes, bytes], ...]) -> None:
    """On a response's start message: drop every header named in ``replaced`` (lower-case names; the
    message's own are compared lower-cased) and append ``added``, in place, in one pass over the headers.

    What ``MutableScopeHeaders`` does header by header (a scan of all the headers, decoding each name, for
    every header set), once per response."""
    fields = cast(dict[str, Any], message)
    headers: Any = fields.get("headers")
    if headers is None:
        fields["headers"] = list(added)
        return
    if not isinstance(headers, list):
        headers = list(headers)
    headers[:] = [pair for pair in headers if pair[0].lower() not in replaced]
    headers.extend(added)
    fields["headers"] = headers


async def security_headers(message: Message, scope: Scope) -> None:
    """A ``before_send`` hook: Litestar runs it for every response, errors and unknown paths included."""
    if message["type"] != "http.response.start":
        return
    # (The software and its version are nobody's business: no `server` header.)
    if scope.get("path", "").startswith(CACHEABLE_PREFIXES):
        set_headers(message, _REPLACED, _SECURITY_PAIRS)
    else:
        set_headers(message, _REPLACED_NO_STORE, (*_SECURITY_PAIRS, _NO_STORE))


KNOWN_NEEDS = ("actor", "org")
"""What :func:`guard_without_copies` works out once per handler, for :func:`needs` to answer from it."""


def needs(handler: BaseRouteHandler, dependency: str) -> bool:
    """Whether the handler, or a dependency it asks for however deeply, asks for ``dependency``."""
    known: frozenset[str] | None = getattr(type(handler), "nastavnik_needs", None)
    if known is not None and dependency in KNOWN_NEEDS:
        return dependency in known
    return walk_needs(handler, dependency)


def walk_needs(handler: BaseRouteHandler, dependency: str) -> bool:
    """:func:`needs`, worked out from the handler's dependencies (its parameters, theirs, and so on)."""
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


def authorization(scope: Scope) -> str | None:
    """The request's first ``Authorization`` header, as Litestar's ``request.headers.get`` gives it (ASGI
    servers hand header names over lower-cased), without building the request's ``Headers``."""
    for name, value in scope["headers"]:
        if name == b"authorization":
            return value.decode("latin-1")
    return None


async def signed_in_first(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """A guard: a route that needs the signed-in person refuses anyone else before reading the body.

    Authentication only: whether the identity is still active, and the organisation and role
    checks, follow in the dependencies and services, which need the database (and still run before
    the body is validated).
    """
    if needs(handler, "actor"):
        await _sign_in_checked(connection)


async def _sign_in_checked(connection: ASGIConnection[Any, Any, Any, Any]) -> None:
    runtime = connection.app.state.runtime
    header = authorization(connection.scope)
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


async def _nothing_to_check(connection: ASGIConnection[Any, Any, Any, Any]) -> None:
    return None


H = TypeVar("H", bound=BaseRouteHandler)
_UNCOPIED: dict[tuple[type[BaseRouteHandler], frozenset[str]], type[BaseRouteHandler]] = {}


def _uncopied(base: type[H], known: frozenset[str]) -> type[H]:
    """``base`` whose guard check is the application's sign-in check (or none, where the handler does not
    need ``actor``), without a copy per call, and which knows what the handler needs (``known``, of
    :data:`KNOWN_NEEDS`). No slot and no field of its own: a handler's class can be changed to it in place."""
    kind = _UNCOPIED.get((base, known))
    if kind is None:
        check = _sign_in_checked if "actor" in known else _nothing_to_check

        async def authorize_connection(
            self: BaseRouteHandler, connection: ASGIConnection[Any, Any, Any, Any]
        ) -> None:
            await check(connection)

        kind = type(
            base.__name__,
            (base,),
            {
                "__slots__": (),
                "__module__": base.__module__,
                "authorize_connection": authorize_connection,
                "nastavnik_needs": known,
            },
        )
        _UNCOPIED[base, known] = kind
    return cast(type[H], kind)


def guard_without_copies(app: Litestar) -> int:
    """Each HTTP route handler whose only guard is :func:`signed_in_first` checks the sign-in itself.

    Litestar runs a handler's guards with a copy of the handler made for every call (``copy(handler)``
    per guard per request: about a twentieth of the tenant list's Python time). The application's guard
    only reads the handler, and what it reads (whether the handler needs ``actor``) is fixed once the
    application is built: it is worked out here once (with whether it needs ``org``, which the bearer
    path asks on every request: ``web.deps._org_to_find``), and the handler's ``authorize_connection`` (a
    subclass of the handler's own class, with nothing else changed) runs the check, or nothing where no
    sign-in is needed, without a copy. A handler with any other guard (a plugin's, a router's) keeps
    Litestar's way, every guard with its copy. Returns how many handlers were changed."""
    changed = 0
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler, _ in route.route_handler_map.values():
            if list(handler.resolve_guards()) != [signed_in_first]:
                continue
            known = frozenset(d for d in KNOWN_NEEDS if walk_needs(handler, d))
            handler.__class__ = _uncopied(type(handler), known)
            changed += 1
    return changed


class SafeJsonRequest(Request[Any, Any, Any]):
    """A request whose JSON body, however deeply nested, decodes or is a client error."""

    async def json(self) -> Any:
        try:
            return await super().json()
        except RecursionError:
            # msgspec gives up past Python's recursion limit; no form of ours nests a tenth as deep.
            raise SerializationException("JSON is nested too deeply") from None
