"""Development-only sign-in: pick a demo person. Refused in production; replaced by Keycloak (issue 3)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromQuery
from litestar.response import Redirect, Template
from sqlalchemy import select

from nastavnik.models import Identity, Organisation, Person, PersonRole, StaffAssignment
from nastavnik.runtime import Runtime
from nastavnik.services import audit
from nastavnik.tenancy import NotFound, load_actor
from nastavnik.web.deps import SESSION_IDENTITY, client_ip
from nastavnik.web.params import Db, Rt
from nastavnik.web.rendering import page

STAFF_GROUP = "Регион, муниципалитет, аудит"
ROLE_TITLES = {
    "region": "регион",
    "municipality": "муниципалитет",
    "auditor": "аудитор",
    "director": "руководитель",
    "curator": "куратор",
    "mentor": "наставник",
    "mentee": "наставляемый",
}


def safe_next(value: str | None) -> str:
    """Only a path on this site: never another host (open redirect)."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


class SignInController(Controller):
    tags = ["Вход"]

    @get("/login", summary="Вход")
    async def login_page(self, db: Db, runtime: Rt, next: FromQuery[str | None] = None) -> Template:
        if not runtime.settings.dev_login_enabled:
            return await page("core/login_unavailable.html", db=db, runtime=runtime, actor=None)
        return await page(
            "core/login.html",
            db=db,
            runtime=runtime,
            actor=None,
            groups=await _demo_people(runtime),
            next=safe_next(next),
        )

    @post("/login", summary="Войти как демонстрационный пользователь")
    async def login(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        runtime: Rt,
        data: Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Response[Any]:
        if not runtime.settings.dev_login_enabled:
            raise NotFound
        try:
            identity_id = uuid.UUID(data.get("identity_id", ""))
        except ValueError:
            raise NotFound from None
        actor = await load_actor(db, identity_id)
        if actor is None:
            await audit.record(
                db,
                actor_identity_id=None,
                org_id=None,
                action="login",
                object_type="session",
                outcome="failed",
                client_ip=client_ip(request),
                details={"method": "dev"},
            )
            await db.commit()
            raise NotFound
        request.session[SESSION_IDENTITY] = str(actor.identity_id)
        await audit.record(
            db,
            actor_identity_id=actor.identity_id,
            org_id=None,
            action="login",
            object_type="session",
            client_ip=client_ip(request),
            details={"method": "dev"},
        )
        await db.commit()
        return Redirect(path=safe_next(data.get("next")))

    @post("/logout", summary="Выйти")
    async def logout(self, request: Request[Any, Any, Any], db: Db) -> Redirect:
        raw = request.session.get(SESSION_IDENTITY)
        request.clear_session()
        if raw:
            await audit.record(
                db,
                actor_identity_id=uuid.UUID(str(raw)),
                org_id=None,
                action="logout",
                object_type="session",
                client_ip=client_ip(request),
            )
            await db.commit()
        return Redirect(path="/login")


async def _demo_people(runtime: Runtime) -> list[tuple[str, list[dict[str, Any]]]]:
    """Everyone who can sign in, grouped by where they work: read as the owner, development only."""
    async with runtime.owner_sessions() as owner:
        names = {i.id: i.display_name for i in await owner.scalars(select(Identity).where(Identity.active))}
        staff = await owner.execute(select(StaffAssignment.identity_id, StaffAssignment.role))
        memberships = await owner.execute(
            select(Person.identity_id, Organisation.short_name, PersonRole.role)
            .join(Organisation, Organisation.id == Person.org_id)
            .outerjoin(PersonRole, (PersonRole.org_id == Person.org_id) & (PersonRole.person_id == Person.id))
            .where(Person.identity_id.is_not(None))
        )
    groups: dict[str, dict[uuid.UUID, set[str]]] = {}
    for identity_id, role in staff:
        if identity_id in names:
            groups.setdefault(STAFF_GROUP, {}).setdefault(identity_id, set()).add(ROLE_TITLES.get(role, role))
    for member_id, org_name, role in memberships:
        if member_id in names:
            label = ROLE_TITLES.get(role, "участник") if role else "участник"
            groups.setdefault(org_name, {}).setdefault(member_id, set()).add(label)
    ordered = sorted(groups, key=lambda g: (g != STAFF_GROUP, g))
    return [
        (
            group,
            sorted(
                ({"id": i, "name": names[i], "roles": sorted(r)} for i, r in groups[group].items()),
                key=lambda p: (p["roles"], p["name"]),
            ),
        )
        for group in ordered
    ]
