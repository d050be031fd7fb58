"""Who a verified token is: the identity (issuer, subject), oversight grants admitted by realm roles,
and the organisations the Keycloak Organizations claim admits."""

from __future__ import annotations

import dataclasses

from sqlalchemy import String, bindparam, case, cast, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.auth.tokens import VerifiedToken
from nastavnik.db import driver
from nastavnik.db.scope import DbScope, note_scope, rescope
from nastavnik.models.identity import Identity, StaffAssignment, StaffRole
from nastavnik.settings import Settings
from nastavnik.tenancy import Actor, actor_of_rows, load_actor


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


_identity = Identity.__table__
_staff = StaffAssignment.__table__

# The identity of (issuer, subject) with its oversight grants, and, in the same round trip, the request's
# scope set to it when it is active: the identity and staff tables are read by no policy that depends on
# the scope. Built once (see tenancy's hot-path statements).
_KNOWN_ACTOR = (
    select(
        _identity.c.id,
        _identity.c.display_name,
        _identity.c.active,
        _staff.c.role,
        _staff.c.region_id,
        _staff.c.municipality_id,
        case(
            (
                _identity.c.active,
                func.set_config("nastavnik.identity_id", cast(_identity.c.id, String), True),
            ),
        ),
    )
    .outerjoin(_staff, _staff.c.identity_id == _identity.c.id)
    .where(_identity.c.issuer == bindparam("issuer"), _identity.c.subject == bindparam("subject"))
)
_KNOWN_ACTOR_ON_DRIVER = driver.DriverStatement(_KNOWN_ACTOR)


async def actor_from_token(db: AsyncSession, token: VerifiedToken, settings: Settings) -> Actor | None:
    """The acting person, or None when their identity is deactivated. The session acts for the identity
    from here on (its scope), as for a page session, so row-level security sees who writes.

    The token's realm roles decide which oversight assignments of the platform count; its
    organization claim decides which organisations the person may enter at all.

    The common case, a known identity with an unchanged name, costs one round trip: the identity, its
    grants and the scope in one statement. A first sign-in or a changed name takes the longer way.
    """
    rows = await driver.fetch(db, _KNOWN_ACTOR_ON_DRIVER, {"issuer": token.issuer, "subject": token.subject})
    if rows and rows[0][1] == token.display_name:
        identity_id, active = rows[0][0], rows[0][2]
        if not active:
            return None
        actor = actor_of_rows(identity_id, rows[0][1], (row[3:6] for row in rows))
        note_scope(db, DbScope(identity_id=identity_id))
    else:
        identity = await identity_for(db, token)
        found = await load_actor(db, identity.id)
        if found is None:
            return None
        actor = found
        await rescope(db, DbScope(identity_id=actor.identity_id))
    admitted = admitted_staff_roles(token, settings)
    return dataclasses.replace(
        actor,
        staff=tuple(g for g in actor.staff if g.role in admitted),
        organisations=token.organizations,
        platform_admin=settings.role_platform_admin in token.realm_roles,
    )
