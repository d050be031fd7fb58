"""A fresh region for one test: its own municipality and regional staff member.

Tests that change a region's settings (its dictionaries) take a region of their own, so the shared
world's regions R1 and R2 keep the plugins' wording for every other test.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from nastavnik.models.identity import Identity, StaffAssignment
from nastavnik.models.reference import Municipality, Region
from nastavnik.runtime import Runtime
from tests.support.tenant import Tenant, new_tenant
from tests.support.world import World


@dataclass
class FreshRegion:
    id: uuid.UUID
    municipality_id: uuid.UUID
    staff: uuid.UUID  # identity of a regional staff member


async def new_region(runtime: Runtime) -> FreshRegion:
    token = secrets.token_hex(4)
    async with runtime.owner_sessions() as db:
        region = Region(code=f"F-{token}", name=f"Регион {token}", timezone="Asia/Yekaterinburg")
        db.add(region)
        await db.flush()
        municipality = Municipality(region_id=region.id, name=f"Муниципалитет {token}")
        staff = Identity(issuer="test-issuer", subject=f"region-{token}", display_name="Регионова")
        db.add_all([municipality, staff])
        await db.flush()
        db.add(StaffAssignment(identity_id=staff.id, role="region", region_id=region.id))
        await db.commit()
        return FreshRegion(region.id, municipality.id, staff.id)


async def region_with_school(runtime: Runtime, world: World, **tenant: Any) -> tuple[FreshRegion, Tenant]:
    """A fresh region and an organisation in it (a school unless ``org_type`` says otherwise)."""
    region = await new_region(runtime)
    return region, await new_tenant(runtime, world, municipality_id=region.municipality_id, **tenant)
