"""Every route of the OpenAPI document, called by a member of one organisation with another's
slugs and ids: 404 and no canary. Run twice: with the service layer's checks, and with them
switched off, where PostgreSQL's row-level security alone must hold.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import pytest
from sqlalchemy import func, select

from nastavnik.models import (
    GroupMember,
    Headcount,
    MentoringGroup,
    MentoringOrder,
    OrgPluginSetting,
    Person,
    PersonRole,
    StatOrgValue,
)
from nastavnik.runtime import Runtime
from nastavnik.web.app import create_app
from nastavnik_schools.models import SubjectDecade
from tests.isolation.routes import (
    BODIES,
    GLOBAL_ROUTES,
    NOT_PROBED,
    OBJECT_IDS,
    PARAMS,
    VALIDATING_POSTS,
    Route,
)
from tests.support.http import Client, client_for
from tests.support.world import OrgWorld, World

pytestmark = pytest.mark.isolation

PARAM = re.compile(r"{(\w+)}")
# (attacker, victim): a school against a school (plugin routes exist on both sides) and a
# kindergarten against a school (the plugin is not even active for the attacker).
PAIRS = (("school_a", "school_b"), ("kindergarten_c", "school_b"), ("school_b", "school_x"))


async def openapi_routes(client: Client) -> list[Route]:
    schema = (await client.get("/schema/openapi.json")).json()
    routes = []
    for path, operations in schema["paths"].items():
        for method in operations:
            if method.upper() in {"GET", "POST", "PUT", "PATCH", "DELETE"}:
                routes.append((method.upper(), path))
    return sorted(routes)


def fill(path: str, world: World, victim: OrgWorld, *, slug_of: OrgWorld | None = None) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in PARAMS:
            pytest.fail(
                f"path parameter {{{name}}} in {path} is unknown to the isolation suite: add it to PARAMS"
            )
        if name == "slug" and slug_of is not None:
            return slug_of.slug
        return PARAMS[name](world, victim)

    return PARAM.sub(value, path)


async def call(client: Client, route: Route, url: str) -> Any:
    method, _template = route
    kind, body = BODIES.get(route, ("json", None))
    if method == "GET":
        return await client.get(url)
    if kind == "form":
        return await client.request(method, url, data=body)
    if kind == "file":
        return await client.request(method, url, files={"file": ("base.xlsx", body)})
    return await client.request(method, url, json=body)


async def snapshot(runtime: Runtime, org: OrgWorld) -> dict[str, Any]:
    """What the victim owns, read as the owner: it must not change under attack."""
    async with runtime.owner_sessions() as db:
        people = sorted(
            (p.id, p.last_name, p.version)
            for p in await db.scalars(select(Person).where(Person.org_id == org.id))
        )
        roles = sorted(
            (r.person_id, r.role)
            for r in await db.scalars(select(PersonRole).where(PersonRole.org_id == org.id))
        )
        counts = sorted(
            (h.academic_year, h.learners_total)
            for h in await db.scalars(select(Headcount).where(Headcount.org_id == org.id))
        )
        plugins = sorted(
            (s.plugin, s.enabled)
            for s in await db.scalars(select(OrgPluginSetting).where(OrgPluginSetting.org_id == org.id))
        )
        decades = await db.scalar(
            select(func.count()).select_from(SubjectDecade).where(SubjectDecade.org_id == org.id)
        )
        groups = sorted(
            (g.id, g.status, g.version)
            for g in await db.scalars(select(MentoringGroup).where(MentoringGroup.org_id == org.id))
        )
        members = await db.scalar(
            select(func.count()).select_from(GroupMember).where(GroupMember.org_id == org.id)
        )
        orders = sorted(
            (o.id, o.number)
            for o in await db.scalars(select(MentoringOrder).where(MentoringOrder.org_id == org.id))
        )
        figures = sorted(
            (v.academic_year, v.as_of, v.indicator, v.breakdown, v.numerator, v.denominator)
            for v in await db.scalars(select(StatOrgValue).where(StatOrgValue.org_id == org.id))
        )
    return {
        "people": people,
        "roles": roles,
        "headcounts": counts,
        "plugins": plugins,
        "decades": decades,
        "groups": groups,
        "members": members,
        "orders": orders,
        "figures": figures,
    }


async def test_every_route_is_known_to_the_suite(app, world: World) -> None:  # type: ignore[no-untyped-def]
    async with client_for(app, world.orgs["school_a"].identities["curator"]) as client:
        routes = await openapi_routes(client)
    assert routes, "the OpenAPI document lists no routes"
    unknown = [r for r in routes if "{slug}" not in r[1] and r not in GLOBAL_ROUTES]
    assert not unknown, f"routes outside an organisation must be classified in GLOBAL_ROUTES: {unknown}"
    writes_without_body = [r for r in routes if "{slug}" in r[1] and r[0] != "GET" and r not in BODIES]
    assert not writes_without_body, f"write routes need a body sample in BODIES: {writes_without_body}"
    stale = [r for r in (*GLOBAL_ROUTES, *BODIES) if r not in routes]
    assert not stale, f"the suite lists routes that no longer exist: {stale}"


async def _attack(runtime: Runtime, app: Any, world: World, *, service_filter: bool) -> list[str]:
    problems: list[str] = []
    for attacker_key, victim_key in PAIRS:
        attacker, victim = world.orgs[attacker_key], world.orgs[victim_key]
        foreign_canaries = [c for k, c in world.canaries.items() if k != attacker_key]
        before = await snapshot(runtime, victim)
        async with client_for(app, attacker.identities["curator"]) as client:
            routes = await openapi_routes(client)
            for route in routes:
                method, template = route
                if route in NOT_PROBED:
                    continue
                urls = []
                if "{slug}" in template:
                    urls.append(("foreign slug", fill(template, world, victim)))
                    if OBJECT_IDS & set(PARAM.findall(template)):
                        urls.append(
                            ("own slug, foreign ids", fill(template, world, victim, slug_of=attacker))
                        )
                else:
                    urls.append(("global", fill(template, world, victim)))
                for mode, url in urls:
                    response = await call(client, route, url)
                    text = response.text
                    leaked = [c for c in foreign_canaries if c in text]
                    if leaked:
                        problems.append(f"{method} {url} ({mode}) leaked {leaked}")
                    if response.status_code >= 500:
                        problems.append(f"{method} {url} ({mode}) answered {response.status_code}")
                    if mode != "global" and service_filter and response.status_code != 404:
                        problems.append(f"{method} {url} ({mode}) answered {response.status_code}, not 404")
                    if (
                        mode != "global"
                        and not service_filter
                        and method != "GET"
                        and route not in VALIDATING_POSTS
                        and response.status_code < 400
                    ):
                        problems.append(
                            f"{method} {url} ({mode}) was accepted ({response.status_code}) with RLS alone"
                        )
        after = await snapshot(runtime, victim)
        if before != after:
            problems.append(
                f"{victim_key}'s data changed under attack from {attacker_key}: {before} -> {after}"
            )
    return problems


async def test_foreign_slugs_and_ids_answer_404_without_canaries(runtime: Runtime, app, world: World) -> None:  # type: ignore[no-untyped-def]
    problems = await _attack(runtime, app, world, service_filter=True)
    assert not problems, "\n".join(problems)


async def test_row_level_security_alone_holds(runtime: Runtime, world: World) -> None:
    """The service layer's tenant checks switched off: PostgreSQL must still refuse everything.

    Reads of lists may then answer 200 with nothing in them (RLS filters silently); no canary
    may appear, no write may be accepted, and the victims' rows must be unchanged.
    """
    settings = runtime.settings.model_copy(update={"service_tenant_filter": False})
    unguarded = dataclasses.replace(runtime, settings=settings)
    problems = await _attack(unguarded, create_app(unguarded), world, service_filter=False)
    assert not problems, "\n".join(problems)


async def test_own_organisation_still_works(app, world: World) -> None:  # type: ignore[no-untyped-def]
    """The suite would pass vacuously if everything answered 404: the owners must see their data."""
    org = world.orgs["school_a"]
    async with client_for(app, org.identities["curator"]) as client:
        people = await client.get(f"/api/o/{org.slug}/people")
        decades = await client.get(f"/api/o/{org.slug}/p/schools/decades")
    assert people.status_code == 200
    assert org.canary in people.text
    assert decades.status_code == 200
    assert org.canary in decades.text
