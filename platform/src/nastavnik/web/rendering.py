"""Rendering pages with the layout's shared context: who is signed in, where, what menu."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeAlias

from litestar import MediaType
from litestar.di import NamedDependency
from litestar.response import Template
from sqlalchemy import column, func, select, table
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.models.identity import StaffRole
from nastavnik.plugins import Plugins
from nastavnik.runtime import Runtime
from nastavnik.tenancy import Actor, OrgContext, organisations_of
from nastavnik.types import NavigationContext, NavItem

# The notifications' outbox, named rather than imported (the kernel imports no domain): the top bar's
# unread count is one index-only count over its partial index of unread rows (org_id, person_id).
_NOTIFICATION = table("notification", column("org_id"), column("person_id"), column("read_at"))


async def unread_notifications(db: AsyncSession, org: OrgContext) -> int:
    """How many of the person's notifications in ``org`` are unread (the top bar's badge)."""
    count = await db.scalar(
        select(func.count())
        .select_from(_NOTIFICATION)
        .where(
            _NOTIFICATION.c.org_id == org.org.id,
            _NOTIFICATION.c.person_id == org.person_id,
            _NOTIFICATION.c.read_at.is_(None),
        )
    )
    return int(count or 0)


async def page(
    template: str,
    *,
    db: AsyncSession,
    runtime: Runtime,
    actor: Actor | None,
    org: OrgContext | None = None,
    status_code: int = 200,
    **context: Any,
) -> Template:
    switcher = await organisations_of(db, actor) if actor else []
    top_links = []
    if actor:
        if actor.grants(StaffRole.REGION):
            top_links.append(("Регион", "/region"))
            top_links.append(("Статистика", "/region/statistics"))
        for grant in actor.grants(StaffRole.MUNICIPALITY):
            top_links.append(("Муниципалитет", f"/m/{grant.municipality_id}"))
            top_links.append(("Статистика", f"/m/{grant.municipality_id}/statistics"))
        if actor.is_auditor:
            top_links.append(("Журнал аудита", "/audit"))
    return Template(
        template_name=template,
        context={
            "actor": actor,
            "org": org,
            "nav": await navigation_for(runtime.plugins, org) if org else [],
            "switcher": switcher,
            "top_links": top_links,
            "unread_notifications": await unread_notifications(db, org) if org and actor else 0,
            **context,
        },
        status_code=status_code,
        media_type=MediaType.HTML,
    )


async def navigation_for(plugins: Plugins, ctx: OrgContext) -> list[NavItem]:
    """The organisation's menu: what the plugins active there offer, for the person's roles, in order."""
    offered_questionnaires = plugins.questionnaire_defaults(ctx.active_plugins, ctx.org.type)
    offered = plugins.offered_associations(ctx.org.type, ctx.active_plugins)
    nav_ctx = NavigationContext(
        org_slug=ctx.org.slug,
        org_type=ctx.org.type,
        roles=ctx.roles,
        offered_questionnaires=frozenset(q.template.purpose for q in offered_questionnaires),
        active_plugins=ctx.active_plugins,
        category=ctx.category,
        associations=tuple(o.kind for o in offered.values()),
    )
    items = await plugins.navigation(nav_ctx, ctx.active_plugins)
    visible = [i for i in items if i.roles is None or i.roles & ctx.roles]
    return sorted(visible, key=lambda i: (i.order, i.title))


@dataclass(frozen=True, slots=True)
class Pages:
    """Renders the request's pages: who is signed in, and where (``org``), filled into every layout."""

    db: AsyncSession
    runtime: Runtime
    actor: Actor
    org: OrgContext | None = None

    async def __call__(self, template: str, *, status_code: int = 200, **context: Any) -> Template:
        return await page(
            template,
            db=self.db,
            runtime=self.runtime,
            actor=self.actor,
            org=self.org,
            status_code=status_code,
            **context,
        )


Render: TypeAlias = NamedDependency[Pages]
"""What a page handler renders its page with: ``await render("core/x.html", rows=rows)``."""
