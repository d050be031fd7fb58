"""Cross-tenant isolation checks: routes requested by a person of one organisation against another's.

Whatever names another organisation (its slug, or its objects' ids under one's own slug) must answer
as missing (404), show nothing of it (its canaries: strings only it holds) and change nothing of it;
and with the service layer's tenant checks switched off, PostgreSQL's row-level security alone must
still refuse every write and show nothing. ``assert_isolated`` runs a plugin's routes through all of
it; the platform's own suite (tests/isolation) runs every route of the app through the same checks.
"""

from __future__ import annotations

import io
import re
import uuid
import zipfile
from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping
from typing import Any

import httpx
from litestar import Litestar
from litestar.routes import HTTPRoute

from nastavnik.testing.apps import app_with
from nastavnik.testing.http import Client, client_for
from nastavnik.testing.people import Tenant

Route = tuple[str, str]
"""(METHOD, path template as in the OpenAPI document), e.g. ``("GET", "/api/o/{slug}/p/probe/context")``."""
Body = tuple[str, Any]
"""What a write sends: ``("json", body)``, ``("form", fields)``, ``("file", bytes)`` (a file field) or
``("multipart", (fields, bytes))`` (a page form with its fields and a file)."""

PARAM = re.compile(r"{(\w+)}")
METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})


class MissingValue(LookupError):
    """A path parameter the check has no value for."""


async def app_routes(client: Client) -> list[Route]:
    """Every route of the client's app: the JSON API (which the OpenAPI document describes) and the pages
    (which it does not, being HTML for browsers). Read from the app's route table, so no route escapes;
    an API route missing from the OpenAPI document is an ``AssertionError``."""
    assert client.app is not None, "an in-process client knows its app"
    schema_paths = set((await client.get("/schema/openapi.json")).json()["paths"])
    routes = set()
    for route in client.app.routes:
        if not isinstance(route, HTTPRoute) or route.path.startswith(("/schema", "/static")):
            continue
        path = route.path_format or "/"
        assert path in schema_paths or not path.startswith("/api/"), f"{path} is missing from the document"
        for method in route.methods & METHODS:
            routes.add((method, path))
    return sorted(routes)


def plugin_routes(routes: Iterable[Route], plugin: str) -> list[Route]:
    """The routes a plugin registered: its API (``/api/o/{slug}/p/<plugin>``) and its pages
    (``/o/{slug}/p/<plugin>``)."""
    prefixes = (f"/api/o/{{slug}}/p/{plugin}", f"/o/{{slug}}/p/{plugin}")
    return [r for r in routes if any(r[1] == p or r[1].startswith(f"{p}/") for p in prefixes)]


def fill(template: str, values: Mapping[str, str]) -> str:
    """The path with every ``{parameter}`` replaced by its value; ``MissingValue`` names one without."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise MissingValue(f"path parameter {{{name}}} in {template} has no value: give one for it")
        return values[name]

    return PARAM.sub(value, template)


async def send(client: Client, route: Route, url: str, body: Body | None = None) -> httpx.Response:
    """Request ``url`` with the route's method and ``body`` (a write without one sends JSON ``null``)."""
    method, _template = route
    kind, content = body or ("json", None)
    if method == "GET":
        return await client.get(url)
    if kind == "form":
        return await client.request(method, url, data=content)
    if kind == "file":
        return await client.request(method, url, files={"file": ("base.xlsx", content)})
    if kind == "multipart":
        fields, file = content or ({}, b"")
        return await client.request(method, url, data=fields, files={"file": ("scan.png", file)})
    return await client.request(method, url, json=content)


def readable(response: httpx.Response, *, document: bool = False) -> str:
    """What a person could read in the response, in lower case: a .docx's text, not its zip bytes.

    Lower case because documents print names normalised («CANARY-…» becomes «Canary-…»).
    """
    content = response.content
    if document and zipfile.is_zipfile(io.BytesIO(content)):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            xml = " ".join(
                archive.read(name).decode("utf-8", "replace")
                for name in archive.namelist()
                if name.endswith(".xml")
            )
        return re.sub(r"<[^>]*>", "", xml).lower()
    return response.text.lower()


async def cross_tenant_problems(
    app: Litestar,
    routes: Iterable[Route],
    *,
    attacker: uuid.UUID,
    attacker_slug: str,
    victim: Mapping[str, str],
    objects: Collection[str],
    bodies: Mapping[Route, Body],
    canaries: Collection[str],
    service_filter: bool = True,
    lenient: Collection[Route] = (),
    documents: Collection[Route] = (),
) -> list[str]:
    """Request every route as ``attacker`` (an identity, a member of ``attacker_slug``) with the victim's
    values (``victim``: every path parameter, ``slug`` included) and report what is wrong.

    A route of an organisation is requested with the victim's slug, and when it names one of ``objects``
    (parameters naming a tenant's object) with the attacker's own slug and the victim's ids too; each must
    answer 404 when ``service_filter`` is on (``app`` runs the service layer's tenant checks), as a missing
    object does (under its own slug the attacker's role may be refused first: a 403 is accepted when an id
    that exists nowhere gets it too, so that nothing tells the victim's objects apart). With it off
    (an app whose ``service_tenant_filter`` is False, so row-level security alone stands), a write must
    still be refused (≥ 400), except the ``lenient`` routes that validate and write nothing. A route
    outside any organisation is requested once. None may answer 5xx or show one of ``canaries``;
    ``documents`` are routes whose .docx text is searched for them.
    """
    problems: list[str] = []
    async with client_for(app, attacker) as client:
        for route in routes:
            method, template = route
            try:
                if "{slug}" in template:
                    urls = [("foreign slug", fill(template, victim))]
                    if set(objects) & set(PARAM.findall(template)):
                        urls.append(
                            ("own slug, foreign ids", fill(template, {**victim, "slug": attacker_slug}))
                        )
                else:
                    urls = [("global", fill(template, victim))]
            except MissingValue as exc:
                problems.append(str(exc))
                continue
            for mode, url in urls:
                response = await send(client, route, url, bodies.get(route))
                text = readable(response, document=route in documents)
                leaked = [c for c in canaries if c.lower() in text]
                if leaked:
                    problems.append(f"{method} {url} ({mode}) leaked {leaked}")
                if response.status_code >= 500:
                    problems.append(f"{method} {url} ({mode}) answered {response.status_code}")
                if mode != "global" and service_filter and response.status_code != 404:
                    # With its own slug, the attacker may be refused by role before any lookup (a mentor's
                    # delete is a 403 whatever the id): accepted when an id that exists nowhere gets it too.
                    missing = {**victim, "slug": attacker_slug, **{p: str(uuid.uuid4()) for p in objects}}
                    refused_alike = (
                        mode == "own slug, foreign ids"
                        and response.status_code == 403
                        and (
                            await send(client, route, fill(template, missing), bodies.get(route))
                        ).status_code
                        == 403
                    )
                    if not refused_alike:
                        problems.append(f"{method} {url} ({mode}) answered {response.status_code}, not 404")
                if (
                    mode != "global"
                    and not service_filter
                    and method != "GET"
                    and route not in lenient
                    and response.status_code < 400
                ):
                    problems.append(
                        f"{method} {url} ({mode}) was accepted ({response.status_code}) with RLS alone"
                    )
    return problems


async def assert_isolated(
    app: Litestar,
    plugin: str,
    *,
    attacker: Tenant,
    victim: Tenant,
    values: Mapping[str, str] | None = None,
    bodies: Mapping[Route, Body] | None = None,
    canaries: Collection[str] = (),
    snapshot: Callable[[], Awaitable[object]] | None = None,
    roles: Collection[str] | None = None,
) -> None:
    """Run every route of ``plugin`` (its API operations from the OpenAPI document, and its pages) through
    the cross-tenant checks: each person of ``attacker`` (of ``roles``; by default every role it has)
    requests each route against ``victim``'s objects, and must get 404 and nothing of the victim; then
    again with the service layer's tenant checks off, where row-level security alone must refuse every
    write and show nothing. ``AssertionError`` lists every problem.

    ``values`` names the victim's objects by path parameter (``{"entry_id": str(entry.id)}``; the slug is
    added); ``bodies`` gives each write route a valid body, so that nothing but the tenant check can refuse
    it; ``canaries`` are strings only the victim's data holds; ``snapshot`` reads what the victim owns (as
    the owner, e.g. through ``runtime.owner_sessions()``), which must not change. So that the check cannot
    pass by refusing everybody, the victim's own curator must read every GET route with the same values,
    and see a canary in at least one of them.
    """
    values = {**(values or {}), "slug": victim.slug}
    bodies = bodies or {}
    async with client_for(app) as anonymous:
        routes = plugin_routes(await app_routes(anonymous), plugin)
    problems = [] if routes else [f"plugin {plugin!r} has no routes in this app"]
    problems += [f"{r[0]} {r[1]}: give it a body" for r in routes if r[0] != "GET" and r not in bodies]
    problems += await _owner_problems(app, routes, victim, values, canaries)
    before = await snapshot() if snapshot else None
    unguarded = app_with(app.state.runtime, service_tenant_filter=False)
    for role in sorted(roles if roles is not None else attacker.identities):
        for target, service_filter in ((app, True), (unguarded, False)):
            problems += await cross_tenant_problems(
                target,
                routes,
                attacker=attacker.identities[role],
                attacker_slug=attacker.slug,
                victim=values,
                objects=set(values) - {"slug"},
                bodies=bodies,
                canaries=canaries,
                service_filter=service_filter,
            )
    if snapshot and await snapshot() != before:
        problems.append(f"{victim.slug}'s data changed under attack from {attacker.slug}")
    assert not problems, "\n".join(problems)


async def _owner_problems(
    app: Litestar,
    routes: Iterable[Route],
    owner: Tenant,
    values: Mapping[str, str],
    canaries: Collection[str],
) -> list[str]:
    """The owner's curator reads every GET route with its own values (else the 404s prove nothing)."""
    problems: list[str] = []
    seen = not canaries
    async with client_for(app, owner.identities["curator"]) as client:
        for route in routes:
            if route[0] != "GET":
                continue
            try:
                url = fill(route[1], values)
            except MissingValue as exc:
                problems.append(str(exc))
                continue
            response = await send(client, route, url)
            if response.status_code >= 400:
                problems.append(
                    f"GET {url} answered its owner {response.status_code}: the check would prove nothing"
                )
            seen = seen or any(c.lower() in readable(response) for c in canaries)
    if not seen:
        problems.append(
            f"no GET route of the plugin shows its owner a canary of {sorted(canaries)}:"
            " the leak check would prove nothing"
        )
    return problems
