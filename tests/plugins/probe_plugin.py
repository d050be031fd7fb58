"""A plugin for the tests of the contract: every hook that may be async is ``async def`` here, and its
routes and job use the narrow context (settings per organisation, a required setting, a scoped session).

Like a real plugin it imports only the public ``nastavnik`` API. It serves the schools plugin's type.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any

import msgspec
from litestar import Controller, get
from litestar.response import Template
from sqlalchemy import text

from nastavnik import (
    AuditTitles,
    JobContext,
    JobSpec,
    NavigationContext,
    NavItem,
    PluginContext,
    PluginCtx,
    PluginInfo,
    PluginRoutes,
    TemplateDir,
    hookimpl,
)

HERE = Path(__file__).resolve().parent
NAV_TITLE = "Проба (асинхронно)"
AUDITED = "probe.context"
"""The probe's audited kind of object, titled in the auditor's log through ``register_audit_titles``."""
COUNT_JOB = "probe.count_people"
ENVIRON = {"NASTAVNIK_PLUGIN_PROBE_API_URL": "https://probe.invalid/api"}
"""The environment the plugin needs to start (its required setting ``api_url``)."""


class ProbeSettings(msgspec.Struct, forbid_unknown_fields=True):
    max_days: Annotated[int, msgspec.Meta(ge=1, le=62, title="Наибольшая длительность, дней")] = 31
    greeting: Annotated[str, msgspec.Meta(max_length=20, title="Приветствие")] = "Здравствуйте"
    loud: Annotated[bool, msgspec.Meta(title="Громко")] = False


PLUGIN = PluginInfo(
    name="probe",
    verbose_name="Проба",
    version="1.0.0",
    min_core_version="0.1.0",
    organisation_types=("school",),
    org_settings=ProbeSettings,
    required_settings=("api_url",),
)


@hookimpl
async def register_navigation(context: NavigationContext) -> Iterable[NavItem]:
    await asyncio.sleep(0)  # really suspends: only a caller that awaits gets the item
    return [
        NavItem(
            title=NAV_TITLE,
            href=f"/o/{context.org_slug}/p/probe/context",
            order=60,
            roles=frozenset({"curator"}),
        )
    ]


class ContextOut(msgspec.Struct):
    plugin: str
    org_slug: str
    person_id: uuid.UUID
    roles: list[str]
    settings: dict[str, Any]
    config: dict[str, str]
    people: int
    """Rows of ``person`` the context's session sees: its organisation's only."""


async def describe(ctx: PluginContext) -> ContextOut:
    people = await ctx.db.scalar(text("SELECT count(*) FROM person"))
    return ContextOut(
        plugin=ctx.plugin,
        org_slug=ctx.org.slug,
        person_id=ctx.person_id,
        roles=sorted(ctx.roles),
        settings=msgspec.to_builtins(ctx.settings),
        config=dict(ctx.config),
        people=int(people or 0),
    )


class ProbeApi(Controller):
    path = "/context"

    @get("/", summary="Контекст модуля")
    async def show(self, ctx: PluginCtx) -> ContextOut:
        return await describe(ctx)


class ProbePages(Controller):
    path = "/context"

    @get("/", summary="Контекст модуля (страница)")
    async def show(self, ctx: PluginCtx) -> Template:
        return await ctx.page("probe/context.html", greeting=ctx.settings_as(ProbeSettings).greeting)


@hookimpl
def register_routes() -> PluginRoutes:
    return PluginRoutes(pages=[ProbePages], api=[ProbeApi])


@hookimpl
def register_template_dirs() -> Iterable[TemplateDir]:
    return [TemplateDir(namespace="probe", path=HERE / "probe_templates")]


async def count_people(job: JobContext, org_id: str, identity_id: str) -> dict[str, Any]:
    """What a plugin's job sees of an organisation, entered on behalf of one of its people."""
    async with job.organisation(uuid.UUID(org_id), uuid.UUID(identity_id)) as ctx:
        described = await describe(ctx)
    return {
        "plugin": job.plugin,
        "job_try": job.job_try,
        "api_url": job.config["api_url"],
        "org_slug": described.org_slug,
        "people": described.people,
        "max_days": ctx.settings_as(ProbeSettings).max_days,
    }


@hookimpl
def register_jobs() -> Iterable[JobSpec]:
    return [JobSpec(name=COUNT_JOB, function=count_people, keep_result_seconds=60)]


@hookimpl
def register_audit_titles() -> AuditTitles:
    return AuditTitles(objects={AUDITED: "контекст пробы"}, fields={"greeting": "Приветствие"})
