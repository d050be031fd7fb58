"""The colleges plugin's routes through the kit's cross-tenant checks: a person of one organisation gets 404
and nothing of another college's partners, representatives and internships, with the service checks and
with row-level security alone."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

import pytest
from litestar import Litestar
from sqlalchemy import select

from nastavnik import clock
from nastavnik.models.reference import AcademicYear
from nastavnik.testing import TIMEZONE, Body, Route, Runtime, assert_isolated, new_organisation, new_region
from nastavnik_colleges.models import Internship, Partner, Representative

API = "/api/o/{slug}/p/colleges"
PAGES = "/o/{slug}/p/colleges"
INTRUDER = {"name": "Чужой завод", "inn": "7707083893", "activity": "Вторжение"}
INVITEE = {"last_name": "Чужой", "first_name": "Пётр", "email": "intruder@zavod.example", "position": "Шпион"}
CONFIRM = ("form", {"confirm": "yes"})


def bodies(group_id: str, partner_id: str) -> dict[Route, Body]:
    """A valid body for every write: only the tenant check may refuse it."""
    internship = {
        "group_id": group_id,
        "partner_id": partner_id,
        "place": "Цех",
        "starts_on": "2026-12-01",
        "ends_on": "2026-12-20",
    }
    return {
        ("POST", f"{API}/partners"): ("json", INTRUDER),
        ("PUT", f"{API}/partners/{{partner_id}}"): ("json", {**INTRUDER, "version": 1}),
        ("DELETE", f"{API}/partners/{{partner_id}}"): ("json", None),
        ("POST", f"{API}/partners/{{partner_id}}/representatives"): ("json", INVITEE),
        ("DELETE", f"{API}/partners/{{partner_id}}/representatives/{{person_id}}"): ("json", None),
        ("POST", f"{API}/internships"): ("json", internship),
        ("DELETE", f"{API}/internships/{{internship_id}}"): ("json", None),
        ("POST", f"{PAGES}/partners"): ("form", INTRUDER),
        ("POST", f"{PAGES}/partners/{{partner_id}}"): ("form", {**INTRUDER, "version": "1"}),
        ("POST", f"{PAGES}/partners/{{partner_id}}/delete"): CONFIRM,
        ("POST", f"{PAGES}/partners/{{partner_id}}/representatives"): ("form", INVITEE),
        ("POST", f"{PAGES}/partners/{{partner_id}}/representatives/{{person_id}}/delete"): CONFIRM,
        ("POST", f"{PAGES}/internships"): ("form", internship),
        ("POST", f"{PAGES}/internships/{{internship_id}}/delete"): CONFIRM,
    }


@pytest.mark.parametrize("attacker_type", ["college", "school"])
async def test_another_colleges_partners_are_missing(
    runtime: Runtime, app: Litestar, partnership: Callable[..., Awaitable[Any]], attacker_type: str
) -> None:
    """A college of the same municipality (the plugin is active on both sides, with partners of its own
    whose ids it could mix up) and a school of another region (the plugin is not even active for it)."""
    home = await new_region(runtime)
    victim = await new_organisation(runtime, home.municipality_id, org_type="college")
    elsewhere = home if attacker_type == "college" else await new_region(runtime)
    attacker = await new_organisation(runtime, elsewhere.municipality_id, org_type=attacker_type)
    year = AcademicYear.start_year_of(clock.today_in(TIMEZONE))
    term = (date(year, 10, 1), date(year, 11, 1))
    canary = f"CANARY-{secrets.token_hex(4)}"
    seeded = await partnership(victim, canary, year=year, agreement_on=date(2025, 1, 1), internship=term)
    if attacker_type == "college":
        await partnership(
            attacker, f"OWN-{secrets.token_hex(4)}", year=year, agreement_on=None, internship=term
        )

    async def victims_rows() -> Any:
        async with runtime.owner_sessions() as db:
            partners = await db.scalars(select(Partner).where(Partner.org_id == victim.id))
            links = await db.scalars(select(Representative).where(Representative.org_id == victim.id))
            internships = await db.scalars(select(Internship).where(Internship.org_id == victim.id))
            return (
                sorted((p.id, p.name, p.inn, p.version) for p in partners),
                sorted((r.person_id, r.partner_id, r.position) for r in links),
                sorted((i.id, i.group_id, i.partner_id, i.place, i.ends_on) for i in internships),
            )

    await assert_isolated(
        app,
        "colleges",
        attacker=attacker,
        victim=victim,
        values={
            "partner_id": str(seeded.partner_id),
            "person_id": str(seeded.representative_id),
            "internship_id": str(seeded.internship_id),
        },
        bodies=bodies(str(seeded.group_id), str(seeded.partner_id)),
        canaries=[canary],
        snapshot=victims_rows,
    )
