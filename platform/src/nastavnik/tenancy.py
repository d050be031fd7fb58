"""Who is acting, and inside which organisation.

Access helpers take the acting context first and look up inside its scope
(Zulip's realm pattern). Another organisation's object and a missing one raise the
same :class:`NotFound`, so nobody can probe what exists elsewhere.
"""

from __future__ import annotations

import dataclasses
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Select,
    String,
    bindparam,
    cast,
    func,
    null,
    select,
    true,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import clock
from nastavnik.db import driver
from nastavnik.db.scope import DbScope, note_scope, scope_settings
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


# The statements of the request's hot path, built once: building a statement and its cache key costs more
# Python than running it. Core tables (not the mapped classes): rows come back as tuples, no ORM loading.
_identity = Identity.__table__
_staff = StaffAssignment.__table__
_org = Organisation.__table__
_municipality = Municipality.__table__
_region = Region.__table__
_person = Person.__table__
_person_role = PersonRole.__table__
_plugin_setting = OrgPluginSetting.__table__

_ACTOR = (
    select(_identity.c.display_name, _staff.c.role, _staff.c.region_id, _staff.c.municipality_id)
    .outerjoin(_staff, _staff.c.identity_id == _identity.c.id)
    .where(_identity.c.id == bindparam("identity_id"), _identity.c.active)
)


# The same, setting the request's identity in the same round trip (a page session's first statement): the
# identity and staff tables are read by no policy that depends on the scope; no row, no setting.
_ACTOR_SCOPING = _ACTOR.add_columns(
    func.set_config("nastavnik.identity_id", cast(_identity.c.id, String), True)
)
_LOAD_ACTOR = {False: driver.DriverStatement(_ACTOR), True: driver.DriverStatement(_ACTOR_SCOPING)}


def actor_of_rows(identity_id: uuid.UUID, display_name: str, grants: Iterable[tuple[Any, Any, Any]]) -> Actor:
    """The actor of an identity from its rows joined to its staff assignments (none: one row of NULLs)."""
    staff = tuple(
        StaffGrant(StaffRole(role), region, muni) for role, region, muni in grants if role is not None
    )
    return Actor(identity_id=identity_id, display_name=display_name, staff=staff)


async def load_actor(db: AsyncSession, identity_id: uuid.UUID, *, scoping: bool = False) -> Actor | None:
    """An active identity with its oversight grants, in one round trip; with ``scoping``, the same statement
    sets the transaction's identity (``nastavnik.identity_id``) when the identity is active."""
    # On the driver's connection, in the session's transaction (nastavnik.db.driver).
    rows = await driver.fetch(db, _LOAD_ACTOR[scoping], {"identity_id": identity_id})
    if not rows:
        return None
    return actor_of_rows(identity_id, rows[0][0], (row[1:4] for row in rows))


def _org_statement(*extra: Any) -> Select[Any]:
    return (
        select(
            _org.c.id,
            _org.c.slug,
            _org.c.type,
            _org.c.short_name,
            _org.c.full_name,
            _org.c.inn,
            _org.c.municipality_id,
            _municipality.c.name,
            _region.c.id,
            _region.c.timezone,
            *extra,
        )
        .join(_municipality, _municipality.c.id == _org.c.municipality_id)
        .join(_region, _region.c.id == _municipality.c.region_id)
        .where(_org.c.slug == bindparam("slug"), _org.c.status == OrgStatus.ACTIVE.value)
    )


_ORG_BY_SLUG = _org_statement()
# The organisation and, in the same round trip, the request's scope set to it: organisation, municipality
# and region are shared reference data, which no policy reads the scope for.
_ORG_SCOPING = driver.DriverStatement(
    _org_statement(*scope_settings(bindparam("identity_id", type_=String), cast(_org.c.id, String)))
)


def _org_ref(row: Sequence[Any]) -> OrgRef:
    return OrgRef(*row[:10])


def org_by_slug_subquery() -> Any:
    """The active organisation of ``:slug`` with its municipality's name and region (the ten columns of
    :class:`OrgRef`, in its order), as a subquery for a statement that finds more in the same round trip
    (the bearer request's actor: ``auth.actors``)."""
    return _org_statement().subquery("org_found")


_ORG_FOUND_KEY = "nastavnik_org_found"


def remember_org(db: AsyncSession, identity_id: uuid.UUID, slug: str, row: Sequence[Any] | None) -> None:
    """The organisation of ``slug`` (its :class:`OrgRef` columns; None: no active one) as a statement of the
    caller's found it in the transaction under way, which that statement also scoped to it (identity,
    organisation, no oversight) when found. :func:`resolve_org_context` takes it from there for the same
    identity and slug in the same transaction instead of asking again."""
    org = _org_ref(row) if row is not None else None
    if org is not None:
        note_scope(db, DbScope(identity_id=identity_id, org_id=org.id))
    db.info[_ORG_FOUND_KEY] = (driver.current_transaction(db), identity_id, slug, org)


def _remembered_org(db: AsyncSession, identity_id: uuid.UUID, slug: str) -> tuple[bool, OrgRef | None]:
    """(True, the organisation or None) when :func:`remember_org` found ``slug`` for ``identity_id`` in the
    transaction still under way; (False, None) otherwise (taken once: a second resolution asks again)."""
    kept = db.info.pop(_ORG_FOUND_KEY, None)
    if kept is None:
        return False, None
    transaction, kept_identity, kept_slug, org = kept
    if transaction is None or transaction is not driver.current_transaction(db):
        return False, None
    if kept_identity != identity_id or kept_slug != slug:
        return False, None
    return True, org


async def org_by_slug(db: AsyncSession, slug: str) -> OrgRef:
    """An active organisation by its slug (shared reference data), or NotFound."""
    if not SLUG_PATTERN.match(slug):
        raise NotFound
    row = (await db.execute(_ORG_BY_SLUG, {"slug": slug})).one_or_none()
    if row is None:
        raise NotFound
    return _org_ref(row)


def _membership_statement(*, service_filter: bool) -> CompoundSelect[Any]:
    """The actor's membership with its roles and the organisation's disabled plugins, in one round trip:
    rows with a person (id, role, category) and rows with a disabled plugin's name."""
    membership = (
        select(_person.c.id, _person_role.c.role, _person.c.category, null().label("plugin"))
        .outerjoin(
            _person_role,
            (_person_role.c.org_id == _person.c.org_id) & (_person_role.c.person_id == _person.c.id),
        )
        .where(
            _person.c.identity_id == bindparam("identity_id"),
            _person.c.status == PersonStatus.ACTIVE.value,
        )
    )
    if service_filter:
        membership = membership.where(_person.c.org_id == bindparam("org_id"))
    disabled = select(null(), null(), null(), _plugin_setting.c.plugin).where(
        _plugin_setting.c.org_id == bindparam("org_id"), _plugin_setting.c.enabled.is_(False)
    )
    return union_all(membership, disabled)


_MEMBERSHIP = {
    True: driver.DriverStatement(_membership_statement(service_filter=True)),
    False: driver.DriverStatement(_membership_statement(service_filter=False)),
}


def slug_admitted(organisations: frozenset[str] | None, slug: str, *, service_filter: bool = True) -> bool:
    """Whether ``slug`` may be looked up at all: well formed, and, where the service's own tenant filter is
    on, among ``organisations`` (the token's organization claim; None: no claim)."""
    if service_filter and organisations is not None and slug not in organisations:
        return False  # the identity provider does not admit this person to that organisation
    return SLUG_PATTERN.match(slug) is not None


async def resolve_org_context(
    db: AsyncSession, actor: Actor, slug: str, plugins: Plugins, *, service_filter: bool = True
) -> OrgContext:
    """Resolve ``/o/<slug>/`` for ``actor``: the organisation, their membership and roles.

    The database session is re-scoped to the organisation first (in the statement that finds it), so
    every later query of the request runs under row-level security for it.
    """
    if not slug_admitted(actor.organisations, slug, service_filter=service_filter):
        raise NotFound
    # Both statements on the driver's connection, in the session's transaction (nastavnik.db.driver). A
    # bearer request's actor statement may have found the organisation, and scoped the transaction to it,
    # already (remember_org): one round trip less.
    known, org = _remembered_org(db, actor.identity_id, slug)
    if not known:
        found = await driver.fetch(db, _ORG_SCOPING, {"slug": slug, "identity_id": str(actor.identity_id)})
        org = _org_ref(found[0]) if found else None
        if org is not None:
            note_scope(db, DbScope(identity_id=actor.identity_id, org_id=org.id))
    if org is None:
        raise NotFound
    rows = await driver.fetch(
        db, _MEMBERSHIP[service_filter], {"identity_id": actor.identity_id, "org_id": org.id}
    )
    members = [row for row in rows if row[3] is None]
    disabled = [row[3] for row in rows if row[3] is not None]
    if not members:
        if service_filter:
            raise NotFound
        # Service checks are off: act as if authorised with every role, so that only
        # PostgreSQL stands between this request and another organisation's rows.
        person_id, roles = NIL_PERSON, frozenset(role.value for role in ProgrammeRole)
        category = PersonCategory.STAFF.value
    else:
        person_id, category = members[0][0], members[0][2]
        roles = frozenset(str(role) for pid, role, _, _ in members if role is not None and pid == person_id)
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
