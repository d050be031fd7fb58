"""Signing in and out through Keycloak: the authorization code flow with PKCE, and logout at both ends.

Without Keycloak configured there is no way to sign in: `nastavnik demo` brings the development issuer."""

from __future__ import annotations

import hmac
import uuid
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import FromQuery, QueryParameter
from litestar.response import Redirect
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import audit
from nastavnik.auth.actors import actor_from_token
from nastavnik.auth.oidc import LoginFailed
from nastavnik.tenancy import NotFound
from nastavnik.web import session
from nastavnik.web.deps import client_ip, identity_of
from nastavnik.web.params import Db, Rt
from nastavnik.web.rendering import page

FLOW_STATE, FLOW_NONCE, FLOW_VERIFIER, FLOW_NEXT = "oidc_state", "oidc_nonce", "oidc_verifier", "oidc_next"
STAFF_GROUP = "Регион, муниципалитет, аудит"
ROLE_TITLES = {
    "region": "регион",
    "municipality": "муниципалитет",
    "auditor": "аудитор",
    "admin": "администратор региона",
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
    async def login_page(
        self, request: Request[Any, Any, Any], db: Db, runtime: Rt, next: FromQuery[str | None] = None
    ) -> Any:
        if runtime.oidc is not None:
            login = await runtime.oidc.start()
            request.set_session(
                {
                    FLOW_STATE: login.state,
                    FLOW_NONCE: login.nonce,
                    FLOW_VERIFIER: login.verifier,
                    FLOW_NEXT: safe_next(next),
                }
            )
            return Redirect(path=login.url)
        return await page("core/login_unavailable.html", db=db, runtime=runtime, actor=None)

    @get("/auth/callback", summary="Возврат после входа через единую учётную запись")
    async def callback(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        runtime: Rt,
        code: FromQuery[str | None] = None,
        returned_state: Annotated[str | None, QueryParameter(name="state")] = None,
    ) -> Any:
        if runtime.oidc is None:
            raise NotFound
        flow = dict(request.session) if session.has_session(request) else {}
        try:
            if not code or not returned_state or not flow.get(FLOW_STATE):
                raise LoginFailed("no login in progress for this browser")
            if not hmac.compare_digest(str(flow[FLOW_STATE]).encode(), returned_state.encode()):
                raise LoginFailed("state does not match")
            completed = await runtime.oidc.complete(
                code=code, verifier=str(flow.get(FLOW_VERIFIER, "")), nonce=str(flow.get(FLOW_NONCE, ""))
            )
            actor = await actor_from_token(db, completed.access, runtime.settings)
            if actor is None:
                raise LoginFailed("identity deactivated")
        except LoginFailed as failure:
            request.clear_session()
            details = {"method": "sso", "reason": failure.reason}
            await _session_event(db, request, "login", None, outcome="failed", details=details)
            await db.commit()
            return await page("core/login_failed.html", db=db, runtime=runtime, actor=None, status_code=400)
        session.start(
            request,
            actor.identity_id,
            sso=True,
            id_token=completed.id_token,
            organisations=completed.access.organizations,
            staff_roles=[g.role.value for g in actor.staff],
            platform_admin=actor.platform_admin,
        )
        await audit.record_by(
            db, actor, "login", audit.ObjectKind.SESSION, org_id=None, details={"method": "sso"}
        )
        await db.commit()
        return Redirect(path=safe_next(str(flow.get(FLOW_NEXT) or "/")))

    @post("/logout", summary="Выйти")
    async def logout(self, request: Request[Any, Any, Any], db: Db, runtime: Rt) -> Redirect:
        identity_id = identity_of(request)
        id_token = request.session.get(session.ID_TOKEN) if session.has_session(request) else None
        request.clear_session()
        if identity_id:
            await _session_event(db, request, "logout", identity_id)
            await db.commit()
        after = f"{runtime.settings.public_url.rstrip('/')}/login"
        if runtime.oidc is not None:  # end the identity provider's session too, or the next login is silent
            return Redirect(path=await runtime.oidc.logout_url(id_token, after))
        return Redirect(path="/login")


async def _session_event(
    db: AsyncSession, request: Request[Any, Any, Any], action: str, identity_id: uuid.UUID | None, **more: Any
) -> None:
    """A sign-in or sign-out (``action``) in the audit log, outside any organisation, from the request's
    address; ``more``: its outcome and details."""
    await audit.record(
        db,
        actor_identity_id=identity_id,
        org_id=None,
        action=action,
        object_type=audit.ObjectKind.SESSION,
        client_ip=client_ip(request),
        **more,
    )
