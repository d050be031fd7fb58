"""The region and the municipality: aggregates of the organisations they oversee, nothing more."""

from __future__ import annotations

import secrets

from litestar import Litestar

from nastavnik.inn import with_inn_check_digit
from nastavnik.runtime import Runtime
from tests.support.http import client_for
from tests.support.world import World


def valid_inn(seed: int) -> str:
    return with_inn_check_digit(f"4{seed % 10**8:08d}")


async def test_region_sees_its_own_region_headcount_sums(app: Litestar, world: World) -> None:
    async with client_for(app, world.staff["region"]) as client:
        rows = (await client.get(f"/api/region/headcounts?year={world.year}")).json()
        page = await client.get("/region")
    by_muni = {r["municipality_id"]: r for r in rows}
    m1 = [o for o in world.orgs.values() if o.municipality_id == world.municipalities["M1"]]
    assert str(world.municipalities["M3"]) not in by_muni  # another region
    m1_row = by_muni[str(world.municipalities["M1"])]
    assert m1_row["organisations"] >= len(m1)
    assert page.status_code == 200
    for canary in world.canaries.values():
        assert canary not in page.text
        assert canary not in str(rows)


async def test_region_sums_are_right(runtime: Runtime, app: Litestar, world: World) -> None:
    """M2 holds school_b (n=2) and kindergarten_c (n=3): learners 200 + 300, 10–18 100 + 150."""
    async with client_for(app, world.staff["region"]) as client:
        rows = (await client.get(f"/api/region/headcounts?year={world.year}")).json()
    m2 = next(r for r in rows if r["municipality_id"] == str(world.municipalities["M2"]))
    assert (m2["organisations"], m2["reporting"]) == (2, 2)
    assert (m2["learners_total"], m2["learners_10_18"]) == (500, 250)
    assert (m2["pedagogues"], m2["young_pedagogues"]) == (50, 5)


async def test_municipality_coordinator_sees_only_their_municipality(app: Litestar, world: World) -> None:
    async with client_for(app, world.staff["municipality"]) as client:
        own = await client.get(
            f"/api/municipalities/{world.municipalities['M1']}/headcounts?year={world.year}"
        )
        other = await client.get(f"/api/municipalities/{world.municipalities['M2']}/headcounts")
        other_page = await client.get(f"/m/{world.municipalities['M2']}")
        region = await client.get("/api/region/headcounts")
        orgs = (await client.get("/api/organisations")).json()
    assert own.status_code == 200
    assert other.status_code == 404
    assert other_page.status_code == 404
    assert region.status_code == 403
    assert {o["municipality_id"] for o in orgs} == {str(world.municipalities["M1"])}


async def test_region_of_another_region_sees_nothing_of_this_one(app: Litestar, world: World) -> None:
    async with client_for(app, world.staff["region2"]) as client:
        muni = await client.get(f"/api/municipalities/{world.municipalities['M1']}/headcounts")
        orgs = (await client.get("/api/organisations")).json()
    assert muni.status_code == 404
    assert {o["slug"] for o in orgs} == {world.orgs["school_x"].slug}


async def test_region_cannot_read_people_of_an_organisation(app: Litestar, world: World) -> None:
    org = world.orgs["school_a"]
    async with client_for(app, world.staff["region"]) as client:
        listing = await client.get(f"/api/o/{org.slug}/people")
        person = await client.get(f"/api/o/{org.slug}/people/{org.persons['mentee']}")
    assert listing.status_code == 404
    assert person.status_code == 404
    assert org.canary not in listing.text + person.text


async def test_region_creates_an_organisation_and_duplicates_are_named(app: Litestar, world: World) -> None:
    n = secrets.randbelow(10**7)
    body = {
        "municipality_id": str(world.municipalities["M1"]),
        "type": "college",
        "full_name": "Колледж отраслевых технологий",
        "short_name": "КОТ",
        "inn": valid_inn(n),
        "slug": f"kot-{n}",
    }
    async with client_for(app, world.staff["region"]) as client:
        created = await client.post("/api/organisations", json=body)
        same_slug = await client.post("/api/organisations", json={**body, "inn": valid_inn(n + 1)})
        same_inn = await client.post("/api/organisations", json={**body, "slug": f"kot2-{n}"})
        bad = await client.post(
            "/api/organisations",
            json={**body, "inn": "1234567890", "slug": "Плохой адрес", "type": "university"},
        )
        foreign_muni = await client.post(
            "/api/organisations",
            json={
                **body,
                "slug": f"x-{n}",
                "inn": valid_inn(n + 2),
                "municipality_id": str(world.municipalities["M3"]),
            },
        )
    assert created.status_code == 201, created.text
    assert (same_slug.status_code, same_slug.json()["field"]) == (409, "slug")
    assert (same_inn.status_code, same_inn.json()["field"]) == (409, "inn")
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"type", "inn", "slug"}
    assert "ИНН" in bad.text
    assert foreign_muni.status_code == 422


def test_inn_check_digit() -> None:
    from nastavnik.domain.organisations.services import inn_checksum_ok

    assert inn_checksum_ok("7707083893")  # a real, published INN
    assert not inn_checksum_ok("7707083894")
    assert not inn_checksum_ok("770708389")
    assert not inn_checksum_ok("77070838９3")
