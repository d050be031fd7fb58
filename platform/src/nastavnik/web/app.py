"""The Litestar application factory."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PrefixLoader, select_autoescape
from litestar import Litestar, Router
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.middleware.session.server_side import ServerSideSessionConfig
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.stores.redis import RedisStore
from litestar.template.config import TemplateConfig
from litestar.types import ControllerRouterHandler, Empty, EmptyType

from nastavnik.default_plugins.services import PluginServices
from nastavnik.domain import load_models
from nastavnik.metrics import ProcessMetrics
from nastavnik.plugin_services import CoreServices
from nastavnik.plugins import LoadedPlugin, Plugins
from nastavnik.runtime import Runtime
from nastavnik.types import PluginRoutes
from nastavnik.web.csrf import SessionBoundCSRF
from nastavnik.web.deps import (
    BASE_DEPENDENCIES,
    close_abandoned_sessions,
    plugin_context_provider,
    plugin_org_provider,
)
from nastavnik.web.errors import EXCEPTION_HANDLERS
from nastavnik.web.filters import FILTERS
from nastavnik.web.form_state import GLOBALS as FORM_GLOBALS
from nastavnik.web.metrics import MetricsController, prometheus_config, served as metrics_served
from nastavnik.web.openapi import (
    StrictStructSchemaPlugin,
    declare_refusals,
    fix_allow_headers,
    openapi_config,
)
from nastavnik.web.openapi_ui import SWAGGER_UI_DIR, SWAGGER_UI_URL
from nastavnik.web.request_id import RequestIdMiddleware
from nastavnik.web.security import (
    SafeJsonRequest,
    guard_without_copies,
    security_headers,
    signed_in_first,
)
from nastavnik.web.session_middleware import session_middleware

STATIC_DIR = Path(__file__).parent / "static"


def plugin_routers(
    plugin: LoadedPlugin, routes: PluginRoutes, services: CoreServices | None = None
) -> list[Router]:
    """Mount a plugin's handlers inside its own namespace, behind its activation check; its handlers may
    ask for ``org`` and for their narrow context ``ctx`` (with the core's ``services``)."""
    dependencies = {
        "org": Provide(plugin_org_provider(plugin.name)),
        "ctx": Provide(plugin_context_provider(plugin, services)),
    }
    # Pages answer browsers with HTML: the OpenAPI document describes the API only.
    mounted: tuple[tuple[Sequence[ControllerRouterHandler], str, bool | EmptyType], ...] = (
        (routes.pages, "/o", False),
        (routes.api, "/api/o", Empty),
    )
    return [
        Router(
            path=f"{prefix}/{{slug:str}}/p/{plugin.name}",
            route_handlers=list(handlers),
            dependencies=dependencies,
            include_in_schema=in_schema,
        )
        for handlers, prefix, in_schema in mounted
        if handlers
    ]


def hook_routes(plugins: Plugins, services: CoreServices | None = None) -> list[ControllerRouterHandler]:
    """Every route of the site from ``register_routes``: the core's API and pages at their own paths (only a
    default plugin mounts there), the static files, then each plugin's namespace."""
    api: list[ControllerRouterHandler] = []
    pages: list[ControllerRouterHandler] = []
    namespaced: list[ControllerRouterHandler] = []
    for plugin, routes in plugins.routes():
        api += routes.root_api
        pages += routes.root_pages
        namespaced += plugin_routers(plugin, routes, services)
    return [
        *api,
        # Pages answer browsers with HTML and redirects; the OpenAPI document describes the JSON API only.
        Router(path="/", route_handlers=pages, include_in_schema=False),
        create_static_files_router(path="/static", directories=[STATIC_DIR], include_in_schema=False),
        create_static_files_router(
            path=SWAGGER_UI_URL, directories=[SWAGGER_UI_DIR], include_in_schema=False
        ),
        *namespaced,
    ]


def template_environment(plugins: Plugins, *, auto_reload: bool = True) -> Environment:
    """The pages' templates. ``auto_reload``: look at every template's file again on each render (Jinja's
    default), for development; in production a template is compiled once and kept."""
    # A plugin may give several folders for its own namespace (the core gives one per domain);
    # namespaces are each plugin's own, checked at start-up (Plugins.template_dirs).
    folders: dict[str, list[str]] = {}
    for d in plugins.template_dirs():
        folders.setdefault(d.namespace, []).append(str(d.path))
    namespaces = {namespace: FileSystemLoader(paths) for namespace, paths in folders.items()}
    env = Environment(
        loader=ChoiceLoader([PrefixLoader(namespaces, delimiter="/")]),
        autoescape=select_autoescape(default=True, default_for_string=True),
        enable_async=False,
        auto_reload=auto_reload,
    )
    env.filters.update(FILTERS)
    env.globals.update(FORM_GLOBALS)
    env.globals["field_labels"] = plugins.audit_titles().fields
    return env


def create_app(runtime: Runtime) -> Litestar:
    load_models()  # every domain's tables, before the first query configures the mappers
    settings = runtime.settings

    route_handlers = hook_routes(runtime.plugins, PluginServices(runtime))
    if metrics_served(settings):
        route_handlers.append(MetricsController)
    session_store = RedisStore(
        runtime.redis, namespace=runtime.redis_key("session"), handle_client_shutdown=False
    )
    env = template_environment(runtime.plugins, auto_reload=not settings.is_production)
    app = Litestar(
        route_handlers=route_handlers,
        dependencies=BASE_DEPENDENCIES,
        exception_handlers=EXCEPTION_HANDLERS,
        # A request refused while its dependencies were resolved never ran its session's cleanup.
        after_exception=[close_abandoned_sessions],
        stores={"sessions": session_store},
        middleware=[
            # Outermost, so a request's time includes the session's and the CSRF check's.
            prometheus_config().middleware,
            session_middleware(
                ServerSideSessionConfig(
                    store="sessions",
                    # Probes and static files need no session, and must answer even when Redis does not.
                    exclude=["/health", "/static", "/schema", "/metrics"],
                    max_age=settings.session_max_age,
                    secure=settings.is_production,
                    samesite="lax",
                    httponly=True,
                )
            ),
            DefineMiddleware(
                SessionBoundCSRF,
                secret=settings.secret_key.get_secret_value(),
                session_cookie="session",
                secure=settings.is_production,
            ),
        ],
        # Sign-in is checked before a body is read; every response leaves with the security headers.
        guards=[signed_in_first],
        request_class=SafeJsonRequest,
        before_send=[security_headers],
        template_config=TemplateConfig(engine=JinjaTemplateEngine.from_environment(env)),
        openapi_config=openapi_config(),
        plugins=[StrictStructSchemaPlugin()],
        debug=False,
        logging_config=None,
    )
    app.state.runtime = runtime
    app.state.metrics = ProcessMetrics(runtime)
    # Around the whole application, not in the routes' middleware: a request that matches no route (a 404)
    # or fails before its route is found still gets its id, in its response and its log lines.
    app.asgi_handler = RequestIdMiddleware(app.asgi_handler)
    declare_refusals(app)
    fix_allow_headers(app)
    guard_without_copies(app)  # last: every route is registered by now
    return app
