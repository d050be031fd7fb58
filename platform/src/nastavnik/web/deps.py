"""Request-scoped dependencies: the runtime, a scoped database session, the actor, the organisation, and a
plugin's narrow context."""

from __future__ import annotations

import dataclasses
import functools
import uuid
from collections.abc import AsyncGenerator, Callable, Coroutine
from typing import Any, cast

import structlog
from litestar import Request
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import NotAuthorizedException
from litestar.params import FromPath
from litestar.types import Scope
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.auth.actors import actor_from_token
from nastavnik.auth.tokens import TokenRejected, VerifiedToken
from nastavnik.db import driver
from nastavnik.db.scope import SCOPE_KEY, DbScope, following_session, note_scope, scoped_session
from nastavnik.plugin_context import PluginContext, plugin_context
from nastavnik.plugin_services import CoreServices
from nastavnik.plugins import LoadedPlugin
from nastavnik.runtime import Runtime
from nastavnik.tenancy import Actor, NotFound, OrgContext, load_actor, resolve_org_context, slug_admitted
from nastavnik.web import session
from nastavnik.web.params import CurrentActor, Db, Org, Rt
from nastavnik.web.rendering import Pages, page
from nastavnik.web.security import VERIFIED_TOKEN, authorization, needs

SESSION_IDENTITY = session.IDENTITY
log = structlog.get_logger(__name__)


def runtime_of(request: Request[Any, Any, Any]) -> Runtime:
    runtime: Rt = request.app.state.runtime
    return runtime


def identity_of(request: Request[Any, Any, Any]) -> uuid.UUID | None:
    return session.identity(request, runtime_of(request).settings)


def client_ip(request: Request[Any, Any, Any]) -> str | None:
    return request.client.host if request.client else None


async def provide_runtime(state: State) -> Runtime:
    runtime: Rt = state.runtime
    return runtime


OPEN_SESSIONS = "nastavnik_open_sessions"
"""The request's sessions not yet closed by their dependency's cleanup (a list in the ASGI scope)."""


def _opened(request: Request[Any, Any, Any], session: AsyncSession) -> list[AsyncSession]:
    opened: list[AsyncSession] = cast(dict[str, Any], request.scope).setdefault(OPEN_SESSIONS, [])
    opened.append(session)
    return opened


def _closing(opened: list[AsyncSession], session: AsyncSession) -> None:
    if session in opened:  # not yet closed by close_abandoned_sessions
        opened.remove(session)


async def close_abandoned_sessions(exc: Exception, scope: Scope) -> None:
    """The application's ``after_exception`` hook: close the sessions a refused request left open.

    Litestar finalises a generator dependency only once all of a handler's dependencies are resolved: when
    a later one raises (the actor: 401; the organisation: 404, 403; a plugin's or a group's), the session's
    ``finally`` never runs, and its connection stays checked out until the garbage collector reaps it
    (SQLAlchemy warns and terminates it). Under a burst of refusals that empties the pool. Whatever
    the dependencies closed themselves is no longer listed; what is left is closed here."""
    opened: list[AsyncSession] = cast(dict[str, Any], scope).pop(OPEN_SESSIONS, None) or []
    while opened:
        try:
            await opened.pop().close()
        except Exception:  # the refusal is still answered as it should be; the pool drops a broken connection
            log.warning("a refused request's session failed to close", exc_info=True)


async def provide_db(request: Request[Any, Any, Any]) -> AsyncGenerator[AsyncSession, None]:
    """One session per request, as the application role, scoped to the signed-in identity.

    Services commit their writes themselves; whatever is left uncommitted is rolled back here (or, for
    a request refused while its dependencies were resolved, by :func:`close_abandoned_sessions`).
    """
    runtime = runtime_of(request)
    identity_id = identity_of(request)
    session: AsyncSession
    if identity_id is None:
        # Nobody signed in by session: the scope is empty, which is what every transaction starts with (the
        # settings are only ever set with is_local true, and the policies read unset as empty), so nothing
        # is sent at BEGIN. A bearer request's statement that finds its identity sets the scope (and records
        # it for the session's later transactions). Its driver statements may run in a transaction of the
        # driver's own, without the session's transaction machinery (nastavnik.db.driver.RequestSession).
        session = driver.RequestSession(**runtime.app_sessions.kw)
    else:
        session = scoped_session(runtime.app_sessions, DbScope(identity_id=identity_id))
    opened = _opened(request, session)
    try:
        yield session
    finally:
        _closing(opened, session)
        await session.close()


async def provide_reads(request: Request[Any, Any, Any], db: Db) -> AsyncGenerator[AsyncSession, None]:
    """The request's session for reads that may lag a moment behind: on the read replica where one is
    configured, acting in the same scope as ``db``; without one, ``db`` itself (no second connection).

    Dashboards, statistics and report files read through it. Nothing writes through it (a standby
    refuses), and nothing that must see a write just made reads through it."""
    sessions = runtime_of(request).replica_sessions
    if sessions is None:
        yield db
        return
    session = following_session(sessions, db)
    opened = _opened(request, session)
    try:
        yield session
    finally:
        _closing(opened, session)
        await session.close()


async def provide_actor(request: Request[Any, Any, Any], db: Db) -> Actor:
    """The signed-in person: from a bearer access token when the request carries one, else the session."""
    header = authorization(request.scope)
    if header is not None:
        return await _actor_from_bearer(request, db, header)
    identity_id = identity_of(request)
    actor = await _actor_from_session(db, identity_id) if identity_id else None
    if actor is None:
        raise NotAuthorizedException
    admitted = session.admitted(request)
    if admitted is not None:  # signed in through Keycloak: what it admitted at login still bounds the session
        organisations, staff_roles = admitted
        actor = dataclasses.replace(
            actor,
            organisations=organisations,
            staff=tuple(g for g in actor.staff if g.role in staff_roles),
            platform_admin=session.platform_admin(request),
        )
    return dataclasses.replace(actor, client_ip=client_ip(request))


async def _actor_from_session(db: AsyncSession, identity_id: uuid.UUID) -> Actor | None:
    """The session's identity as an actor (None: deactivated or gone, refused at once).

    The request's session is scoped to the identity (``provide_db``). When this is the transaction's first
    statement, the scope rides along with it instead of a ``set_config`` of its own at BEGIN (the identity
    and staff tables are read by no policy that depends on it); later transactions start with the scope as
    before."""
    scope = DbScope(identity_id=identity_id)
    if db.in_transaction() or db.info.get(SCOPE_KEY) != scope:
        return await load_actor(db, identity_id)
    del db.info[SCOPE_KEY]
    try:
        return await load_actor(db, identity_id, scoping=True)
    finally:
        note_scope(db, scope)


async def _actor_from_bearer(request: Request[Any, Any, Any], db: AsyncSession, header: str) -> Actor:
    runtime = runtime_of(request)
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or runtime.verifier is None:
        raise NotAuthorizedException
    try:
        # Verified already by the guard that runs before the body is read (web.security).
        verified = request.state.get(VERIFIED_TOKEN) or await runtime.verifier.verify(token.strip())
    except TokenRejected as exc:
        log.info("token rejected", reason=str(exc), path=request.url.path, client=client_ip(request))
        raise NotAuthorizedException from None
    # The session was opened before the token was read (identity unknown): from here on the database acts
    # for this identity, exactly as for a page session, so row-level security sees who writes (the
    # statement that finds the actor sets it).
    actor = await actor_from_token(db, verified, runtime.settings, slug=_org_to_find(request, verified))
    if actor is None:
        raise NotAuthorizedException
    return dataclasses.replace(actor, client_ip=client_ip(request))


def _org_to_find(request: Request[Any, Any, Any], verified: VerifiedToken) -> str | None:
    """The slug of the organisation whose context this request resolves next (its handler asks for ``org``),
    for the actor's statement to find it in the same round trip; None where ``provide_org`` would refuse
    it without asking the database (a malformed slug, one the token's organization claim does not
    admit), or the route has no organisation."""
    slug = request.path_params.get("slug")
    if not isinstance(slug, str) or not needs(request.route_handler, "org"):
        return None
    service_filter = runtime_of(request).settings.service_tenant_filter
    return slug if slug_admitted(verified.organizations, slug, service_filter=service_filter) else None


async def provide_org(
    request: Request[Any, Any, Any], db: Db, actor: CurrentActor, slug: FromPath[str]
) -> OrgContext:
    runtime = runtime_of(request)
    return await resolve_org_context(
        db, actor, slug, runtime.plugins, service_filter=runtime.settings.service_tenant_filter
    )


def plugin_org_provider(plugin_name: str) -> Callable[..., Coroutine[Any, Any, OrgContext]]:
    """The organisation context for a plugin's routes: only where the plugin is active."""

    async def provide_plugin_org(
        request: Request[Any, Any, Any], db: Db, actor: CurrentActor, slug: FromPath[str]
    ) -> OrgContext:
        ctx = await provide_org(request, db, actor, slug)
        if plugin_name not in ctx.active_plugins:
            raise NotFound
        return ctx

    return provide_plugin_org


def plugin_context_provider(
    plugin: LoadedPlugin, services: CoreServices | None = None
) -> Callable[..., Coroutine[Any, Any, PluginContext]]:
    """A plugin handler's narrow context (``ctx: PluginCtx``): built on the plugin's ``org``, so only where
    the plugin is active; its settings there are read only by the handlers that ask for it. ``services``:
    what the core does on a plugin's request (the assembly's, since the kernel imports no domain)."""

    async def provide_plugin_context(
        request: Request[Any, Any, Any], db: Db, org: Org, actor: CurrentActor
    ) -> PluginContext:
        runtime = runtime_of(request)
        renderer = functools.partial(page, db=db, runtime=runtime, actor=actor, org=org)
        return await plugin_context(db, org, plugin, runtime.plugins.config(plugin.name), renderer, services)

    return provide_plugin_context


# The runtime is taken from the request, not asked for as a dependency: ``runtime`` and ``db`` would then be
# resolved side by side, which Litestar does in a task group of two tasks on every page view.
async def provide_pages(request: Request[Any, Any, Any], db: Db, actor: CurrentActor) -> Pages:
    return Pages(db, runtime_of(request), actor)


async def provide_org_pages(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, org: Org) -> Pages:
    return Pages(db, runtime_of(request), actor, org)


BASE_DEPENDENCIES = {
    "runtime": Provide(provide_runtime),
    "db": Provide(provide_db),
    "reads": Provide(provide_reads),
    "actor": Provide(provide_actor),
    "render": Provide(provide_pages),
}
ORG_DEPENDENCIES = {"org": Provide(provide_org), "render": Provide(provide_org_pages)}
