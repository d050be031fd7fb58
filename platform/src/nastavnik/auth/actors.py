"""Who a verified token is: the identity (issuer, subject), oversight grants admitted by realm roles,
and the organisations the Keycloak Organizations claim admits."""

from __future__ import annotations

import dataclasses

from sqlalchemy import String, and_, bindparam, case, cast, func, literal, select, true
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.auth.tokens import VerifiedToken
from nastavnik.db import driver
from nastavnik.db.scope import DbScope, note_scope, rescope, scope_settings
from nastavnik.models.identity import Identity, StaffAssignment, StaffRole
from nastavnik.settings import Settings
from nastavnik.tenancy import Actor, actor_of_rows, load_actor, org_by_slug_subquery, remember_org


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

# The same with, when the request names an organisation (``/api/o/{slug}/…``), that organisation: its
# columns (NULL when no active one has the slug) on every row, and the scope set to it (identity,
# organisation, no oversight) when the identity is active and the organisation found — what
# ``tenancy.resolve_org_context`` would send as a round trip of its own next. Organisation, municipality
# and region are shared reference data, read by no policy that depends on the scope, like the identity and
# staff tables; row-level security reads start with the next statement.
_org_found = org_by_slug_subquery()
_found_and_active = and_(_identity.c.active, _org_found.c[0].is_not(None))
_KNOWN_ACTOR_IN_ORG = driver.DriverStatement(
    _KNOWN_ACTOR.add_columns(
        *_org_found.c,
        *(
            case((_found_and_active, setting))
            for setting in scope_settings(
                cast(_identity.c.id, String), cast(_org_found.c[0], String), literal("", String)
            )[1:]
        ),
    ).outerjoin(_org_found, true())
)
_ACTOR_COLUMNS = 7


async def actor_from_token(
    db: AsyncSession, token: VerifiedToken, settings: Settings, *, slug: str | None = None
) -> Actor | None:
    """The acting person, or None when their identity is deactivated. The session acts for the identity
    from here on (its scope), as for a page session, so row-level security sees who writes.

    The token's realm roles decide which oversight assignments of the platform count; its
    organization claim decides which organisations the person may enter at all.

    The common case, a known identity with an unchanged name, costs one round trip: the identity, its
    grants and the scope in one statement. A first sign-in or a changed name takes the longer way.

    ``slug``: the organisation the request names, whose context will be resolved next (only one the
    token's organization claim admits, and a well-formed slug). The same statement then finds it and scopes
    the transaction to it, and ``tenancy.resolve_org_context`` takes it from there (``remember_org``).
    """
    params = {"issuer": token.issuer, "subject": token.subject}
    if slug is None:
        rows = await driver.fetch(db, _KNOWN_ACTOR_ON_DRIVER, params)
    else:
        rows = await driver.fetch(db, _KNOWN_ACTOR_IN_ORG, params | {"slug": slug})
    if rows and rows[0][1] == token.display_name:
        identity_id, active = rows[0][0], rows[0][2]
        if not active:
            return None
        actor = actor_of_rows(identity_id, rows[0][1], (row[3:6] for row in rows))
        note_scope(db, DbScope(identity_id=identity_id))
        if slug is not None:
            org_row = rows[0][_ACTOR_COLUMNS : _ACTOR_COLUMNS + 10]
            remember_org(db, identity_id, slug, org_row if org_row[0] is not None else None)
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
