"""Who administers what: one helper per rule, the acting person first.

A region's administrator works in the region of their administrator's grant. Anybody else gets a 403 on the
administrators' pages and API; an administrator asking for another region's municipality or staff member
gets the same 404 as for a missing one.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.models.identity import StaffRole
from nastavnik.models.reference import Municipality, Region
from nastavnik.tenancy import Actor, Forbidden, NotFound


def administered_region_id(actor: Actor) -> uuid.UUID:
    """The region the actor administers, or Forbidden."""
    grants = actor.grants(StaffRole.ADMIN)
    if not grants:
        raise Forbidden
    return grants[0].region_id


def is_region_admin(actor: Actor) -> bool:
    return bool(actor.grants(StaffRole.ADMIN))


async def administered_region(db: AsyncSession, actor: Actor) -> Region:
    region = await db.get(Region, administered_region_id(actor))
    if region is None:
        raise NotFound
    return region


async def administered_municipality(
    db: AsyncSession, actor: Actor, municipality_id: uuid.UUID, *, lock: bool = False
) -> Municipality:
    """A municipality of the region the actor administers, or NotFound (missing, or another region's)."""
    region_id = administered_region_id(actor)
    municipality = await db.get(Municipality, municipality_id, with_for_update=lock)
    if municipality is None or municipality.region_id != region_id:
        raise NotFound
    return municipality
