"""Rendering pages with the layout's shared context: who is signed in, where, what menu."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeAlias

from litestar import MediaType
from litestar.di import NamedDependency
from litestar.response import Template
from sqlalchemy import bindparam, column, func, select, table
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.db import driver
from nastavnik.models.identity import StaffRole
from nastavnik.models.reference import Organisation, OrgStatus
from nastavnik.plugins import Plugins
from nastavnik.runtime import Runtime
from nastavnik.tenancy import Actor, OrgContext
from nastavnik.types import NavigationContext, NavItem

# The notifications' outbox, named rather than imported (the kernel imports no domain): the top bar's
# unread count is one index-only count over its partial index of unread rows (org_id, person_id).
_NOTIFICATION = table("notification", column("org_id"), column("person_id"), column("read_at"))
_ORGANISATION = Organisation.__table__

# What the layout reads, built once (see docs/hot-path.md): the organisation switcher (the active
# organisations the identity the database acts for is a member of) and, inside an organisation, the
# person's unread notifications: one round trip for both. The count is a one-row derived table the
# switcher is outer-joined to, so the count comes back even with no organisation to switch to.
_SWITCHER_JOIN = (_ORGANISATION.c.status == OrgStatus.ACTIVE.value) & _ORGANISATION.c.id.in_(
    select(func.nastavnik_my_orgs())
)
_SWITCHER = (
    select(_ORGANISATION.c.slug, _ORGANISATION.c.short_name)
    .where(_SWITCHER_JOIN)
    .order_by(_ORGANISATION.c.short_name)
)
_UNREAD = (
    select(func.count().label("unread"))
    .select_from(_NOTIFICATION)
    .where(
        _NOTIFICATION.c.org_id == bindparam("org_id"),
        _NOTIFICATION.c.person_id == bindparam("person_id"),
        _NOTIFICATION.c.read_at.is_(None),
    )
    .subquery("unread")
)
_LAYOUT = driver.DriverStatement(
    select(_UNREAD.c.unread, _ORGANISATION.c.slug, _ORGANISATION.c.short_name)
    .select_from(_UNREAD.outerjoin(_ORGANISATION, _SWITCHER_JOIN))
    .order_by(_ORGANISATION.c.short_name)
)


async def unread_notifications(db: AsyncSession, org: OrgContext) -> int:
    """How many of the person's notifications in ``org`` are unread (the top bar's badge)."""
    unread, _ = await layout_of(db, org)
    return unread


async def layout_of(db: AsyncSession, org: OrgContext | None) -> tuple[int, list[tuple[str, str]]]:
    """(unread notifications in ``org``, the switcher's (slug, short name) pairs) in one round trip; without
    an organisation, no count and the switcher alone."""
    if org is None:
        return 0, [(slug, name) for slug, name in await db.execute(_SWITCHER)]
    rows = await driver.fetch(db, _LAYOUT, {"org_id": org.org.id, "person_id": org.person_id})
    return int(rows[0][0] or 0), [(slug, name) for _, slug, name in rows if slug is not None]


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
    unread, switcher = await layout_of(db, org) if actor else (0, [])
    top_links = []
    if actor:
        if actor.platform_admin:
            top_links.append(("Регионы", "/admin/regions"))
        if actor.grants(StaffRole.REGION):
            top_links.append(("Регион", "/region"))
            top_links.append(("Статистика", "/region/statistics"))
            top_links.append(("Обученные наставники", "/region/training"))
        if actor.grants(StaffRole.ADMIN):
            top_links.append(("Муниципалитеты", "/region/municipalities"))
            top_links.append(("Сотрудники", "/region/staff"))
        for grant in actor.grants(StaffRole.MUNICIPALITY):
            top_links.append(("Муниципалитет", f"/m/{grant.municipality_id}"))
            top_links.append(("Статистика", f"/m/{grant.municipality_id}/statistics"))
        if actor.grants(StaffRole.MUNICIPALITY) and not actor.grants(StaffRole.REGION):
            top_links.append(("Обученные наставники", "/region/training"))
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
            "unread_notifications": unread,
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
