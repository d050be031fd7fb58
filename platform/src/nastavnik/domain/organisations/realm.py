"""Steps in the region's Keycloak that onboarding and people's accounts share.

One admin client (python-keycloak's ``KeycloakAdmin`` with the platform's service account), one
way of telling a passing outage (worth a retry) from a refusal, and the steps both jobs take:
find or create the organisation's Keycloak organization, invite a person by e-mail, and link a
Keycloak user to the platform's login identity.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from keycloak import KeycloakAdmin
from keycloak.exceptions import KeycloakError
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.models.identity import Identity
from nastavnik.models.reference import Organisation
from nastavnik.settings import Settings

INVITATION_ACTIONS = ["UPDATE_PASSWORD", "VERIFY_EMAIL"]
INVITATION_LIFESPAN = 7 * 24 * 3600
ORGANIZATION_PAGE = 100
NOT_CONFIGURED = "Вход через Keycloak не настроен"


class KeycloakUnavailable(Exception):
    """Keycloak did not answer or answered 5xx: worth another try later."""


class NotConfigured(Exception):
    """The deployment has no single sign-on to work in: retrying would not help."""


def sso_configured(settings: Settings) -> bool:
    return settings.keycloak_url is not None and settings.keycloak_admin_client_secret is not None


def admin_client(settings: Settings) -> KeycloakAdmin:
    if settings.keycloak_url is None or settings.keycloak_admin_client_secret is None:
        raise NotConfigured("single sign-on is not configured")
    return KeycloakAdmin(
        server_url=settings.keycloak_url,
        realm_name=settings.keycloak_realm,
        client_id=settings.keycloak_admin_client_id,
        client_secret_key=settings.keycloak_admin_client_secret.get_secret_value(),
    )


async def call(awaitable: Any) -> Any:
    """Run a python-keycloak call; unreachable or failing servers become KeycloakUnavailable."""
    try:
        return await awaitable
    except (httpx.TransportError, OSError) as exc:
        raise KeycloakUnavailable(f"{type(exc).__name__}: {exc}") from exc
    except KeycloakError as exc:
        if exc.response_code is None or exc.response_code >= 500:
            raise KeycloakUnavailable(f"Keycloak answered {exc.response_code}") from exc
        raise


def retry_delay(job_try: int) -> int:
    """Seconds before the next attempt of a job that found Keycloak unreachable: longer each time."""
    return min(30 * max(job_try, 1), 600)


async def organization_id(admin: KeycloakAdmin, alias: str, *, known: str | None = None) -> str | None:
    """The Keycloak organization with ``alias``: by the id recorded earlier, else by paging the organizations
    (Keycloak's organization search matches names and domains, not aliases)."""
    if known:
        try:
            found = await call(admin.a_get_organization(known))
            if found.get("alias") == alias:
                return known
        except KeycloakError as exc:
            if exc.response_code != 404:
                raise
    first = 0
    while True:
        page = await call(admin.a_get_organizations({"first": first, "max": ORGANIZATION_PAGE}))
        for candidate in page:
            if candidate.get("alias") == alias:
                return str(candidate["id"])
        if len(page) < ORGANIZATION_PAGE:
            return None
        first += ORGANIZATION_PAGE


async def ensure_organization(admin: KeycloakAdmin, org: Organisation, *, known: str | None = None) -> str:
    """The id of the organisation's Keycloak organization (alias = slug), created if missing."""
    found = await organization_id(admin, org.slug, known=known)
    if found is not None:
        return found
    created = await call(
        admin.a_create_organization({"name": org.short_name, "alias": org.slug, "enabled": True})
    )
    return str(created)


async def send_invitation(admin: KeycloakAdmin, user_id: str, settings: Settings) -> None:
    """The e-mail with a link to set a password, leading back to the platform's sign-in."""
    await call(
        admin.a_send_update_account(
            user_id,
            INVITATION_ACTIONS,
            client_id=settings.keycloak_client_id,
            lifespan=INVITATION_LIFESPAN,
            redirect_uri=f"{settings.public_url.rstrip('/')}/auth/callback",
        )
    )


async def ensure_identity(job_db: AsyncSession, issuer: str, subject: str, display_name: str) -> uuid.UUID:
    """The platform's login identity of a Keycloak user, created if missing (as the first sign-in would)."""
    await job_db.execute(
        insert(Identity)
        .values(issuer=issuer, subject=subject, display_name=display_name)
        .on_conflict_do_nothing(index_elements=[Identity.issuer, Identity.subject])
    )
    identity_id = await job_db.scalar(
        select(Identity.id).where(Identity.issuer == issuer, Identity.subject == subject)
    )
    assert identity_id is not None
    return identity_id
