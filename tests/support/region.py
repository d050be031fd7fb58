"""A fresh region for one test: its own municipality and regional staff member (the kit's ``new_region``).

Tests that change a region's settings (its dictionaries) take a region of their own, so the shared
world's regions R1 and R2 keep the plugins' wording for every other test.
"""

from __future__ import annotations

from typing import Any

from nastavnik.runtime import Runtime
from nastavnik.testing import FreshRegion, new_region
from tests.support.tenant import Tenant, new_tenant
from tests.support.world import World

__all__ = ["FreshRegion", "new_region", "region_with_school"]


async def region_with_school(runtime: Runtime, world: World, **tenant: Any) -> tuple[FreshRegion, Tenant]:
    """A fresh region and an organisation in it (a school unless ``org_type`` says otherwise)."""
    region = await new_region(runtime)
    return region, await new_tenant(runtime, world, municipality_id=region.municipality_id, **tenant)
