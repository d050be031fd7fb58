"""Who a verified token is: the identity (issuer, subject), oversight grants admitted by realm roles,
and the organisations the Keycloak Organizations claim admits."""

from __future__ import annotations

import dataclasses

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.auth.tokens import VerifiedToken
from nastavnik.models.identity import Identity, StaffRole
from nastavnik.settings import Settings
from nastavnik.tenancy import Actor, load_actor


def admitted_staff_roles(token: VerifiedToken, settings: Settings) -> frozenset[StaffRole]:
    by_realm_role = {
        settings.role_region: StaffRole.REGION,
        settings.role_municipality: StaffRole.MUNICIPALITY,
        settings.role_auditor: StaffRole.AUDITOR,
        settings.role_region_admin: StaffRole.ADMIN,
    }
    return frozenset(role for name, role in by_realm_role.items() if name in token.realm_roles)


async def identity_for(db: AsyncSession, token: VerifiedToken) -> Identity:
    """The identity of (issuer, subject), created at first sign-in; the display name follows the token.

    The common case, a known identity with an unchanged name, costs one SELECT and no write.
    """
    query = select(Identity).where(Identity.issuer == token.issuer, Identity.subject == token.subject)
    identity = (await db.scalars(query)).one_or_none()
    if identity is None:
        await db.execute(
            insert(Identity)
            .values(issuer=token.issuer, subject=token.subject, display_name=token.display_name)
            .on_conflict_do_nothing(index_elements=[Identity.issuer, Identity.subject])
        )
        identity = (await db.scalars(query)).one()
        await db.commit()
    elif identity.display_name != token.display_name:
        identity.display_name = token.display_name
        await db.commit()
    return identity


async def actor_from_token(db: AsyncSession, token: VerifiedToken, settings: Settings) -> Actor | None:
    """The acting person, or None when their identity is deactivated.

    The token's realm roles decide which oversight assignments of the platform count; its
    organization claim decides which organisations the person may enter at all.
    """
    identity = await identity_for(db, token)
    actor = await load_actor(db, identity.id)
    if actor is None:
        return None
    admitted = admitted_staff_roles(token, settings)
    return dataclasses.replace(
        actor,
        staff=tuple(g for g in actor.staff if g.role in admitted),
        organisations=token.organizations,
        platform_admin=settings.role_platform_admin in token.realm_roles,
    )
