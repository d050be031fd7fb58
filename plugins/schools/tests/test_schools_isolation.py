"""The schools plugin's routes through the kit's cross-tenant checks: a person of one organisation gets
404 and nothing of another's decades, with the service checks and with row-level security alone."""

from __future__ import annotations

import secrets
from functools import partial
from typing import Any

import pytest
from litestar import Litestar
from sqlalchemy import select

from nastavnik.testing import Body, Route, Runtime, Tenant, assert_isolated, new_organisation, new_region
from nastavnik_schools.models import SubjectDecade

INTRUDER = {
    "subject_area": "Вторжение",
    "title": "Чужая декада",
    "starts_on": "2026-12-01",
    "ends_on": "2026-12-05",
}
BODIES: dict[Route, Body] = {
    ("POST", "/api/o/{slug}/p/schools/decades"): ("json", INTRUDER),
    ("DELETE", "/api/o/{slug}/p/schools/decades/{decade_id}"): ("json", None),
    ("POST", "/o/{slug}/p/schools/decades"): ("form", INTRUDER),
}


async def planned_decade(app: Litestar, school: Tenant, canary: str) -> str:
    async with school.signed_in(app) as client:
        created = await client.post(
            f"/api/o/{school.slug}/p/schools/decades",
            json={
                "subject_area": f"{canary} математика",
                "title": f"Декада {canary}",
                "starts_on": "2026-11-10",
                "ends_on": "2026-11-20",
            },
        )
    assert created.status_code == 201
    return str(created.json()["id"])


@pytest.mark.parametrize("attacker_type", ["school", "kindergarten"])
async def test_another_schools_decades_are_missing(
    runtime: Runtime, app: Litestar, attacker_type: str
) -> None:
    """A school of the same municipality (the plugin is active on both sides) and a kindergarten of another
    region (the plugin is not even active for it) attack a school's decades."""
    home = await new_region(runtime)
    victim = await new_organisation(runtime, home.municipality_id)
    elsewhere = home if attacker_type == "school" else await new_region(runtime)
    attacker = await new_organisation(runtime, elsewhere.municipality_id, org_type=attacker_type)
    canary = f"CANARY-{secrets.token_hex(4)}"
    decade_id = await planned_decade(app, victim, canary)
    if attacker_type == "school":  # with decades of its own, whose ids it could mix up
        await planned_decade(app, attacker, f"OWN-{secrets.token_hex(4)}")

    async def decades_of_victim() -> Any:
        async with runtime.owner_sessions() as db:
            rows = await db.scalars(select(SubjectDecade).where(SubjectDecade.org_id == victim.id))
            return sorted((d.id, d.subject_area, d.title, d.starts_on, d.ends_on) for d in rows)

    await assert_isolated(
        app,
        "schools",
        attacker=attacker,
        victim=victim,
        values={"decade_id": decade_id},
        bodies=BODIES,
        canaries=[canary],
        snapshot=decades_of_victim,
    )


async def test_the_check_fails_when_a_route_leaks(runtime: Runtime, app: Litestar) -> None:
    """The check is not vacuous: a write without a body sample, a canary its owner never sees, fails it."""
    region = await new_region(runtime)
    victim = await new_organisation(runtime, region.municipality_id)
    attacker = await new_organisation(runtime, region.municipality_id)
    decade_id = await planned_decade(app, victim, "CANARY-ok")
    check = partial(assert_isolated, app, "schools", attacker=attacker, victim=victim, roles=["curator"])
    with pytest.raises(AssertionError, match="give it a body"):
        await check(values={"decade_id": decade_id}, bodies={})
    with pytest.raises(AssertionError, match="the leak check would prove nothing"):
        await check(values={"decade_id": decade_id}, bodies=BODIES, canaries=["CANARY-nowhere"])
    with pytest.raises(AssertionError, match=r"path parameter \{decade_id\}"):
        await check(bodies=BODIES)
