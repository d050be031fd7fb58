"""The OpenAPI document as the API really answers: its refusals, their problem+json bodies, its security.

Litestar documents a route's success and, by default, a 400 with a body of its own shape that we never
send. Every API route here can also refuse (web/errors.py turns each refusal into RFC 9457 problem
details), so the refusals a route can give are declared on it from what it is: a route under /api/
needs a bearer token (401) and a role (403); a path with identifiers may name something missing or
another organisation's (404); a write may collide (409), carry a body that does not decode (400) or a
value the schema or the domain refuses (422); a route with query parameters may get a value outside
their bounds (422), and a document download may not be ready to be made (422).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import msgspec
from litestar import Litestar, MediaType
from litestar._openapi.schema_generation.plugins.struct import StructSchemaPlugin
from litestar.handlers import HTTPRouteHandler
from litestar.openapi import OpenAPIConfig, ResponseSpec
from litestar.openapi.spec import Components, Schema, SecurityScheme
from litestar.params import KwargDefinition
from litestar.routes import HTTPRoute
from litestar.typing import FieldDefinition

from nastavnik.web.openapi_ui import PackagedSwaggerUI

if TYPE_CHECKING:
    from litestar._openapi.schema_generation import SchemaCreator

from nastavnik.web.errors import TITLES

PROBLEM_MEDIA_TYPE = "application/problem+json"
BEARER = "bearer"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
# Names Litestar fills from the request itself, not from the client's parameters.
RESERVED_KWARGS = {"request", "state", "scope", "headers", "cookies", "query", "body", "data", "socket"}


class Problem(msgspec.Struct):
    """Problem details (RFC 9457) as the platform sends them, in Russian."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[dict[str, str]] = []
    """On a 422 (and an import's errors): each wrong field, with its row where a file was read."""
    field: str | None = None
    """On a 409: the field whose value collides, where there is one."""


WHY = {
    400: "Тело запроса не удалось прочитать (не JSON, не форма).",
    401: "Нет действительного токена доступа.",
    403: "Роль не позволяет это действие.",
    404: "Записи нет или она принадлежит другой организации.",
    409: "Изменение столкнулось с существующими данными или с чужой правкой.",
    422: "Значения не прошли проверку схемы или предметной области; каждое поле названо.",
}


def problem(status: int) -> ResponseSpec:
    return ResponseSpec(
        data_container=Problem,
        media_type=PROBLEM_MEDIA_TYPE,
        description=f"{TITLES[status]}. {WHY[status]}",
        generate_examples=False,
    )


def component(name: str) -> KwargDefinition:
    """Pins the OpenAPI component name of a type: ``Annotated[ImportPreviewOut, component("…")]``.

    Litestar names a component after its class and, where two classes share a name, after the paths of
    their modules, so moving a class would rename its component, and the document's contract with it.
    The components named so keep their names by this, wherever the class lives."""
    return KwargDefinition(schema_component_key=name)


def openapi_config() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="Наставник",
        version="0.1.0",
        description="Региональная платформа целевой модели наставничества.",
        path="/schema",
        render_plugins=[PackagedSwaggerUI()],
        components=Components(
            security_schemes={
                BEARER: SecurityScheme(
                    type="http",
                    scheme="bearer",
                    bearer_format="JWT",
                    description="Токен доступа Keycloak (поток кода авторизации или учётные данные клиента).",
                )
            }
        ),
    )


class StrictStructSchemaPlugin(StructSchemaPlugin):
    """A request body that refuses unknown fields says so (``additionalProperties: false``): a client, or
    a fuzzer, reading the document then knows such a body is a 422, not a valid request."""

    def to_openapi_schema(self, field_definition: FieldDefinition, schema_creator: SchemaCreator) -> Schema:
        schema = super().to_openapi_schema(field_definition, schema_creator)
        info = msgspec.inspect.type_info(field_definition.type_)
        if isinstance(info, msgspec.inspect.StructType) and info.forbid_unknown_fields:
            schema.additional_properties = False
        return schema


def _client_parameters(handler: HTTPRouteHandler) -> set[str]:
    """What the client sends to ``handler`` besides its body: its own parameters and those of the
    dependencies it asks for (a dashboard's query, an auditor's filter), however deep."""
    provided = handler.resolve_dependencies()
    found: set[str] = set()
    asked, seen = list(handler.parsed_fn_signature.parameters), set()
    while asked:
        name = asked.pop()
        if name in seen or name in RESERVED_KWARGS:
            continue
        seen.add(name)
        if name in provided:
            asked.extend(provided[name].parsed_fn_signature.parameters)
        else:
            found.add(name)
    return found


def refusals(handler: HTTPRouteHandler, path_parameters: set[str]) -> set[int]:
    """The statuses other than its success that ``handler`` can answer with."""
    statuses = {401, 403}
    if path_parameters:
        statuses.add(404)
    if handler.http_methods & UNSAFE:
        statuses |= {400, 409, 422}
    if _client_parameters(handler) - path_parameters or handler.media_type not in (
        MediaType.JSON,
        "application/json",
    ):
        # A query outside its bounds; a document that cannot be made yet (the programme not closed).
        statuses.add(422)
    return statuses


def declare_refusals(app: Litestar) -> None:
    """Set each API handler's refusals and bearer security; called once the app has its routes."""
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or not route.path.startswith("/api/"):
            continue
        path_parameters = set(route.path_parameters)
        for handler in route.route_handlers:
            if handler.http_methods == {"OPTIONS"}:
                continue
            declared: dict[int, Any] = dict(handler.responses or {})
            for status in sorted(refusals(handler, path_parameters)):
                declared.setdefault(status, problem(status))
            handler.responses = declared
            handler.security = [{BEARER: []}]


def fix_allow_headers(app: Litestar) -> None:
    """Answer OPTIONS with every method of the path, as RFC 9110 wants.

    Litestar 2 builds a path's OPTIONS handler for the first of its handlers registered and, when
    more join the path, keeps that handler, still bound to the first route: its «Allow» then lists
    only that route's methods (``GET, OPTIONS`` where ``POST`` is served too). Rebinding it to the
    route that holds the path's handlers now makes it read them all.
    """
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            if handler.http_methods == {"OPTIONS"}:
                for cell in getattr(handler.fn, "__closure__", None) or ():
                    if isinstance(cell.cell_contents, HTTPRoute):
                        cell.cell_contents = route
