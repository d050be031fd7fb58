"""Who is acting, and inside which organisation.

Access helpers take the acting context first and look up inside its scope
(Zulip's realm pattern). Another organisation's object and a missing one raise the
same :class:`NotFound`, so nobody can probe what exists elsewhere.
"""

from __future__ import annotations

import dataclasses
import re
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

from sqlalchemy import ColumnElement, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import clock
from nastavnik.db.scope import DbScope, rescope
from nastavnik.models.identity import Identity, StaffAssignment, StaffRole
from nastavnik.models.people import Person, PersonCategory, PersonRole, PersonStatus, ProgrammeRole
from nastavnik.models.plugin_settings import OrgPluginSetting
from nastavnik.models.reference import Municipality, Organisation, OrgStatus, Region
from nastavnik.plugins import Plugins

MANAGERS = (ProgrammeRole.CURATOR, ProgrammeRole.DIRECTOR)
"""The programme roles that manage an organisation's mentoring: its bases, programme, pairs and settings."""

SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
NIL_PERSON = uuid.UUID(int=0)
Row = TypeVar("Row")


class NotFound(Exception):
    """The object does not exist for this person: missing, or not theirs. Always a 404."""


class Forbidden(Exception):
    """The person is inside the organisation but their role does not allow the action. A 403."""


@dataclass(frozen=True, slots=True)
class StaffGrant:
    role: StaffRole
    region_id: uuid.UUID
    municipality_id: uuid.UUID | None


@dataclass(frozen=True, slots=True)
class Actor:
    """A signed-in identity and its oversight grants."""

    identity_id: uuid.UUID
    display_name: str
    staff: tuple[StaffGrant, ...] = ()
    client_ip: str | None = None
    """Where the request came from, for the audit log."""
    organisations: frozenset[str] | None = None
    """Organisation slugs the sign-in admits (Keycloak's organization claim); None: not limited by a token."""
    platform_admin: bool = False
    """The sign-in carries the platform administrator's realm role (creates regions)."""

    def grants(self, role: StaffRole) -> list[StaffGrant]:
        return [g for g in self.staff if g.role is role]

    @property
    def is_auditor(self) -> bool:
        return bool(self.grants(StaffRole.AUDITOR))


@dataclass(frozen=True, slots=True)
class OrgRef:
    id: uuid.UUID
    slug: str
    type: str
    short_name: str
    full_name: str
    inn: str
    municipality_id: uuid.UUID
    municipality_name: str
    region_id: uuid.UUID
    timezone: str


@dataclass(frozen=True, slots=True)
class OrgContext:
    """The resolved organisation of a request; never optional inside ``/o/<slug>/``."""

    actor: Actor
    org: OrgRef
    person_id: uuid.UUID
    roles: frozenset[str]
    active_plugins: tuple[str, ...]
    plugins: Plugins = field(repr=False, compare=False)
    """The loaded plugins: services tell them of events (a group started or ended) through it."""
    service_filter: bool = field(default=True)
    category: str = ""
    """The person's category in the organisation (``PersonCategory``: pedagogue, learner, staff)."""

    def today(self) -> date:
        """The organisation's local date (its region's time zone): the date every rule checks."""
        return clock.today_in(self.org.timezone)

    def owns(self, model: type[object]) -> ColumnElement[bool]:
        """The service-level tenant predicate for a tenant model.

        Switched off only by the isolation suite, to prove that row-level security alone holds.
        """
        if not self.service_filter:
            return true()
        return model.org_id == self.org.id  # type: ignore[attr-defined, no-any-return]

    async def find(
        self,
        db: AsyncSession,
        model: type[Row],
        row_id: uuid.UUID,
        *where: ColumnElement[bool],
        lock: bool = False,
    ) -> Row:
        """The organisation's row ``row_id`` of the tenant ``model`` that also meets ``where`` (locked for
        update with ``lock``); NotFound for anything else: missing, another organisation's, not meeting it."""
        query = select(model).where(model.id == row_id, *where, self.owns(model))  # type: ignore[attr-defined]
        if lock:
            query = query.with_for_update()
        found = (await db.scalars(query)).one_or_none()
        if found is None:
            raise NotFound
        return found

    def has_role(self, *roles: ProgrammeRole) -> bool:
        return any(r in self.roles for r in roles)

    def require_role(self, *roles: ProgrammeRole) -> None:
        if not self.has_role(*roles):
            raise Forbidden


def has_role(ctx: OrgContext, *roles: ProgrammeRole) -> bool:
    """Whether the acting person holds any of ``roles`` in the organisation of ``ctx``."""
    return ctx.has_role(*roles)


def require_role(ctx: OrgContext, *roles: ProgrammeRole) -> None:
    """Refuse (``Forbidden``, a 403 audited as denied) unless the acting person holds one of ``roles`` in the
    organisation of ``ctx``. Call it first in a service function, so the API and the page share the check:
    ``require_role(org, *MANAGERS)``. A stranger never gets this far: their ``org`` is a 404."""
    ctx.require_role(*roles)


async def load_actor(db: AsyncSession, identity_id: uuid.UUID) -> Actor | None:
    """An active identity with its oversight grants, in one round trip."""
    rows = (
        await db.execute(
            select(
                Identity.display_name,
                StaffAssignment.role,
                StaffAssignment.region_id,
                StaffAssignment.municipality_id,
            )
            .outerjoin(StaffAssignment, StaffAssignment.identity_id == Identity.id)
            .where(Identity.id == identity_id, Identity.active)
        )
    ).all()
    if not rows:
        return None
    grants = tuple(
        StaffGrant(StaffRole(role), region, muni) for _, role, region, muni in rows if role is not None
    )
    return Actor(identity_id=identity_id, display_name=rows[0][0], staff=grants)


async def org_by_slug(db: AsyncSession, slug: str) -> OrgRef:
    """An active organisation by its slug (shared reference data), or NotFound."""
    if not SLUG_PATTERN.match(slug):
        raise NotFound
    row = (
        await db.execute(
            select(Organisation, Municipality.name, Region.id, Region.timezone)
            .join(Municipality, Municipality.id == Organisation.municipality_id)
            .join(Region, Region.id == Municipality.region_id)
            .where(Organisation.slug == slug, Organisation.status == OrgStatus.ACTIVE)
        )
    ).one_or_none()
    if row is None:
        raise NotFound
    org, municipality_name, region_id, timezone = row
    return OrgRef(
        id=org.id,
        slug=org.slug,
        type=org.type,
        short_name=org.short_name,
        full_name=org.full_name,
        inn=org.inn,
        municipality_id=org.municipality_id,
        municipality_name=municipality_name,
        region_id=region_id,
        timezone=timezone,
    )


async def resolve_org_context(
    db: AsyncSession, actor: Actor, slug: str, plugins: Plugins, *, service_filter: bool = True
) -> OrgContext:
    """Resolve ``/o/<slug>/`` for ``actor``: the organisation, their membership and roles.

    The database session is re-scoped to the organisation first, so every later query
    of the request runs under row-level security for it.
    """
    if service_filter and actor.organisations is not None and slug not in actor.organisations:
        raise NotFound  # the identity provider does not admit this person to that organisation
    org = await org_by_slug(db, slug)
    await rescope(db, DbScope(identity_id=actor.identity_id, org_id=org.id))
    # The membership and its roles in one round trip.
    membership = (
        select(Person.id, PersonRole.role, Person.category)
        .outerjoin(PersonRole, (PersonRole.org_id == Person.org_id) & (PersonRole.person_id == Person.id))
        .where(Person.identity_id == actor.identity_id, Person.status == PersonStatus.ACTIVE)
    )
    if service_filter:
        membership = membership.where(Person.org_id == org.id)
    rows = (await db.execute(membership)).all()
    if not rows:
        if service_filter:
            raise NotFound
        # Service checks are off: act as if authorised with every role, so that only
        # PostgreSQL stands between this request and another organisation's rows.
        person_id, roles = NIL_PERSON, frozenset(role.value for role in ProgrammeRole)
        category = PersonCategory.STAFF.value
    else:
        person_id, category = rows[0][0], rows[0][2]
        roles = frozenset(str(role) for pid, role, _ in rows if role is not None and pid == person_id)
    disabled = await db.scalars(
        select(OrgPluginSetting.plugin).where(
            OrgPluginSetting.org_id == org.id, OrgPluginSetting.enabled.is_(False)
        )
    )
    return OrgContext(
        actor=actor,
        org=org,
        person_id=person_id,
        roles=roles,
        active_plugins=tuple(plugins.active_for(org.type, disabled)),
        plugins=plugins,
        service_filter=service_filter,
        category=category,
    )


async def organisations_of(db: AsyncSession, actor: Actor) -> list[tuple[str, str]]:
    """(slug, short name) of every organisation the actor is an active member of, for the switcher."""
    rows = await db.execute(
        select(Organisation.slug, Organisation.short_name)
        .where(
            Organisation.status == OrgStatus.ACTIVE,
            Organisation.id.in_(select(func.nastavnik_my_orgs())),
        )
        .order_by(Organisation.short_name)
    )
    return [(slug, name) for slug, name in rows]


@dataclass(frozen=True, slots=True)
class Membership:
    slug: str
    short_name: str
    full_name: str
    roles: tuple[str, ...]


async def memberships_of(db: AsyncSession, actor: Actor) -> list[Membership]:
    """The active organisations the actor is a member of, with their programme roles there, in one round trip.

    Read through ``nastavnik_my_memberships()``: the identity the database acts for, never a parameter.
    An organisation the sign-in does not admit (the token's organization claim) is left out, as it cannot
    be entered with it."""
    memberships = func.nastavnik_my_memberships().table_valued("org_id", "role").alias("m")
    rows = await db.execute(
        select(Organisation.slug, Organisation.short_name, Organisation.full_name, memberships.c.role)
        .join(memberships, memberships.c.org_id == Organisation.id)
        .where(Organisation.status == OrgStatus.ACTIVE)
        .order_by(Organisation.short_name, Organisation.slug, memberships.c.role)
    )
    found: dict[str, Membership] = {}
    for slug, short_name, full_name, role in rows:
        if actor.organisations is not None and slug not in actor.organisations:
            continue
        known = found.get(slug) or Membership(slug, short_name, full_name, ())
        found[slug] = dataclasses.replace(known, roles=(*known.roles, role) if role else known.roles)
    return list(found.values())


async def region_timezone(db: AsyncSession, actor: Actor) -> str:
    """The time zone of the region the actor works in (their first oversight grant)."""
    region = await db.get(Region, actor.staff[0].region_id) if actor.staff else None
    return region.timezone if region else clock.DEFAULT_TIMEZONE


def oversees_municipality(actor: Actor, municipality: Municipality) -> bool:
    """Whether the actor oversees the municipality: as its region's staff or as its own."""
    return any(g.region_id == municipality.region_id for g in actor.grants(StaffRole.REGION)) or any(
        g.municipality_id == municipality.id for g in actor.grants(StaffRole.MUNICIPALITY)
    )


async def municipality_for(db: AsyncSession, actor: Actor, municipality_id: uuid.UUID) -> Municipality:
    """A municipality the actor oversees, or NotFound."""
    municipality = await db.get(Municipality, municipality_id)
    if municipality is None or not oversees_municipality(actor, municipality):
        raise NotFound
    return municipality
