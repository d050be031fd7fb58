"""The site's root: it leads each signed-in person to the page of their level."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.response import Redirect

from nastavnik.models.identity import StaffRole
from nastavnik.tenancy import load_actor, organisations_of
from nastavnik.web import session
from nastavnik.web.deps import identity_of
from nastavnik.web.params import Db, Rt
from nastavnik.web.rendering import page


class HomeController(Controller):
    tags = ["Страницы"]

    @get("/", summary="Главная: ведёт на страницу вашего уровня")
    async def home(self, request: Request[Any, Any, Any], db: Db, runtime: Rt) -> Any:
        identity_id = identity_of(request)
        actor = await load_actor(db, identity_id) if identity_id else None
        if actor is None:
            return Redirect(path="/login")
        if actor.grants(StaffRole.REGION):
            return Redirect(path="/region")
        if actor.grants(StaffRole.ADMIN):
            return Redirect(path="/region/staff")
        municipal = actor.grants(StaffRole.MUNICIPALITY)
        if municipal:
            return Redirect(path=f"/m/{municipal[0].municipality_id}")
        orgs = await organisations_of(db, actor)
        if orgs:
            return Redirect(path=f"/o/{orgs[0][0]}/")
        if actor.is_auditor:
            return Redirect(path="/audit")
        if session.platform_admin(request):
            return Redirect(path="/admin/regions")
        return await page("core/no_access.html", db=db, runtime=runtime, actor=actor)
