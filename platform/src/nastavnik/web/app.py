"""The Litestar application factory."""

from __future__ import annotations

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
from litestar.types import ControllerRouterHandler

from nastavnik.auth import routes as sign_in
from nastavnik.domain import load_models
from nastavnik.domain.accounts import routes as accounts
from nastavnik.domain.bases import routes as bases
from nastavnik.domain.dictionaries import routes as region_dictionaries
from nastavnik.domain.documents import routes as region_templates
from nastavnik.domain.programmes import routes as programmes
from nastavnik.domain.programmes.pairs import routes as pairs
from nastavnik.domain.questionnaires import region_routes as region_questionnaires, routes as questionnaires
from nastavnik.domain.reports import routes as programme_documents
from nastavnik.domain.statistics import routes as statistics
from nastavnik.domain.work import routes as work
from nastavnik.plugins import Plugins
from nastavnik.runtime import Runtime
from nastavnik.types import PluginRoutes
from nastavnik.web import health
from nastavnik.web.controllers import api_global, api_org, pages
from nastavnik.web.csrf import SessionBoundCSRF
from nastavnik.web.deps import BASE_DEPENDENCIES, plugin_org_provider
from nastavnik.web.errors import EXCEPTION_HANDLERS
from nastavnik.web.filters import FILTERS
from nastavnik.web.form_state import GLOBALS as FORM_GLOBALS
from nastavnik.web.openapi import (
    StrictStructSchemaPlugin,
    declare_refusals,
    fix_allow_headers,
    openapi_config,
)
from nastavnik.web.openapi_ui import SWAGGER_UI_DIR, SWAGGER_UI_URL
from nastavnik.web.security import SafeJsonRequest, security_headers, signed_in_first
from nastavnik.web.session_middleware import session_middleware

STATIC_DIR = Path(__file__).parent / "static"


def plugin_routers(plugins: Plugins) -> list[Router]:
    """Mount each plugin's handlers inside its own namespace, behind its activation check."""
    routers = []
    for plugin, routes in plugins.call_each("register_routes"):
        if not isinstance(routes, PluginRoutes):
            raise TypeError(f"plugin {plugin.name!r}: register_routes must return PluginRoutes")
        dependencies = {"org": Provide(plugin_org_provider(plugin.name))}
        if routes.pages:
            routers.append(
                Router(
                    path=f"/o/{{slug:str}}/p/{plugin.name}",
                    route_handlers=list(routes.pages),
                    dependencies=dependencies,
                    include_in_schema=False,
                )
            )
        if routes.api:
            routers.append(
                Router(
                    path=f"/api/o/{{slug:str}}/p/{plugin.name}",
                    route_handlers=list(routes.api),
                    dependencies=dependencies,
                )
            )
    return routers


def template_environment(plugins: Plugins) -> Environment:
    # A plugin may give several folders for its namespace (the core gives one per domain);
    # two plugins may never share one.
    folders: dict[str, list[str]] = {}
    owners: dict[str, str] = {}
    for plugin, dirs in plugins.call_each("register_template_dirs"):
        for d in dirs:
            if owners.setdefault(d.namespace, plugin.name) != plugin.name:
                raise ValueError(f"two template folders claim the namespace {d.namespace!r}")
            folders.setdefault(d.namespace, []).append(str(d.path))
    namespaces = {namespace: FileSystemLoader(paths) for namespace, paths in folders.items()}
    env = Environment(
        loader=ChoiceLoader([PrefixLoader(namespaces, delimiter="/")]),
        autoescape=select_autoescape(default=True, default_for_string=True),
        enable_async=False,
    )
    env.filters.update(FILTERS)
    env.globals.update(FORM_GLOBALS)
    env.globals["field_labels"] = plugins.audit_titles().fields
    return env


def create_app(runtime: Runtime) -> Litestar:
    load_models()  # every domain's tables, before the first query configures the mappers
    settings = runtime.settings

    api_handlers: list[ControllerRouterHandler] = [
        health.live,
        health.ready,
        api_org.OrganisationApi,
        programmes.ProgrammeApi,
        bases.BasesApi,
        bases.BasesTransferApi,
        pairs.PairsApi,
        work.WorkApi,
        work.MyApi,
        questionnaires.QuestionnairesApi,
        region_questionnaires.RegionQuestionnairesApi,
        programme_documents.ProgrammeDocumentsApi,
        accounts.AccountsApi,
        api_global.AccountApi,
        api_global.OversightApi,
        api_global.AuditApi,
        region_dictionaries.RegionDictionaryApi,
        statistics.StatisticsApi,
        statistics.OrgStatisticsApi,
        region_templates.RegionTemplatesApi,
    ]
    page_handlers: list[ControllerRouterHandler] = [
        sign_in.SignInController,
        pages.HomeController,
        pages.OrganisationPages,
        bases.BasesPages,
        bases.ProfilePages,
        programmes.ProgrammePages,
        pairs.PairsPages,
        work.WorkPages,
        work.MyPages,
        questionnaires.QuestionnairesPages,
        region_questionnaires.RegionQuestionnairesPages,
        programme_documents.ProgrammeDocumentsPages,
        accounts.AccountsPages,
        region_dictionaries.RegionDictionaryPages,
        statistics.RegionStatisticsPages,
        statistics.MunicipalityStatisticsPages,
        statistics.OrgStatisticsPages,
        region_templates.RegionTemplatesPages,
    ]
    route_handlers: list[ControllerRouterHandler] = [
        *api_handlers,
        # Pages answer browsers with HTML and redirects; the OpenAPI document describes the JSON API only.
        Router(path="/", route_handlers=page_handlers, include_in_schema=False),
        create_static_files_router(path="/static", directories=[STATIC_DIR], include_in_schema=False),
        create_static_files_router(
            path=SWAGGER_UI_URL, directories=[SWAGGER_UI_DIR], include_in_schema=False
        ),
        *plugin_routers(runtime.plugins),
    ]
    session_store = RedisStore(
        runtime.redis, namespace=runtime.redis_key("session"), handle_client_shutdown=False
    )
    env = template_environment(runtime.plugins)
    app = Litestar(
        route_handlers=route_handlers,
        dependencies=BASE_DEPENDENCIES,
        exception_handlers=EXCEPTION_HANDLERS,
        stores={"sessions": session_store},
        middleware=[
            session_middleware(
                ServerSideSessionConfig(
                    store="sessions",
                    # Probes and static files need no session, and must answer even when Redis does not.
                    exclude=["/health", "/static", "/schema"],
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
    declare_refusals(app)
    fix_allow_headers(app)
    return app
