"""A region built from nothing, through the API and the pages only (no seed): the platform administrator
creates the region; its administrator, whose account the worker made in the development issuer, signs in,
adds municipalities and a coordinator and connects a school with its curator; the curator gives the
headcount and runs a small programme (bases, a pair put into effect by an order); the region recomputes
its figures and reads them, computed by hand: one young teacher of four has a mentor (25 %), two
pedagogues of twenty are involved in mentoring (10 % against the federal 70 %)."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from litestar import Litestar

from nastavnik.inn import with_inn_check_digit
from nastavnik.runtime import Runtime
from nastavnik.settings import Settings
from nastavnik.web.app import create_app
from nastavnik_dev.issuer.realm import Issuer, User
from nastavnik_dev.issuer.server import running_issuer
from tests.auth.tokens import sign, valid_claims
from tests.support.dates import RegionDates
from tests.support.http import Client, bearer_client
from tests.support.programme import active_pair, open_programme
from tests.support.sso import provisioning
from tests.support.tenant import Tenant
from tests.support.worker import run_queued_jobs


@pytest.fixture(scope="module")
async def issuer() -> AsyncIterator[Issuer]:
    async with running_issuer(Settings(dev_issuer=True)) as running:
        yield running


@pytest.fixture(scope="module")
def sso(runtime: Runtime, issuer: Issuer) -> Runtime:
    return provisioning(runtime, issuer)


def token_for(issuer: Issuer, email: str) -> str:
    """An access token the issuer signs for the account the platform made (found by its e-mail)."""
    user = next(u for u in issuer.realm.users.values() if u.email == email)
    return sign(valid_claims(issuer, user.id), issuer.realm.keys.current)


def by_indicator(figures: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {f["indicator"]: f for f in figures if f["breakdown"] == ""}


async def person(curator: Client, slug: str, last: str, first: str) -> str:
    made = await curator.post(
        f"/api/o/{slug}/people", json={"last_name": last, "first_name": first, "category": "pedagogue"}
    )
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


async def test_a_region_from_nothing_to_its_figures(sso: Runtime, issuer: Issuer, dates: RegionDates) -> None:
    app: Litestar = create_app(sso)
    n = secrets.token_hex(3)
    platform = issuer.realm.add_user(
        User(id=str(uuid.uuid4()), username=f"platform-{n}", realm_roles={"nastavnik-platform-admin"})
    )
    admin_email, coordinator_email, curator_email = (
        f"{who}.{n}@edu.example" for who in ("admin", "coord", "cur")
    )

    # The platform administrator creates the region and asks for its administrator.
    async with bearer_client(
        app, sign(valid_claims(issuer, platform.id), issuer.realm.keys.current)
    ) as client:
        region = await client.post(
            "/api/admin/regions",
            json={
                "code": f"E{n}",
                "name": f"Край {n}",
                "timezone": "Asia/Yekaterinburg",
                "admin_last_name": "Администраторова",
                "admin_first_name": "Анна",
                "admin_email": admin_email,
            },
        )
    assert region.status_code == 201, region.text
    await run_queued_jobs(sso)

    # Its administrator signs in: municipalities on the page, a coordinator through the API, a school with
    # its curator on the region's page.
    async with bearer_client(app, token_for(issuer, admin_email)) as admin:
        for name in ("Город Северный", "Южный район"):
            added = await admin.post("/region/municipalities", data={"name": name})
            assert added.status_code == 302, added.text
        municipalities = {m["name"]: m["id"] for m in (await admin.get("/api/region/municipalities")).json()}
        north = municipalities["Город Северный"]
        coordinator = await admin.post(
            "/api/region/staff",
            json={
                "role": "municipality",
                "municipality_id": north,
                "last_name": "Координатова",
                "first_name": "Ольга",
                "email": coordinator_email,
            },
        )
        assert coordinator.status_code == 201, coordinator.text
        slug = f"school-{n}"
        school = await admin.post(
            "/region/organisations",
            data={
                "municipality_id": north,
                "type": "school",
                "full_name": "Средняя школа № 1 города Северного",
                "short_name": "СШ № 1",
                "inn": with_inn_check_digit(f"8{secrets.randbelow(10**8):08d}"),
                "slug": slug,
                "curator_last_name": "Кураторова",
                "curator_first_name": "Вера",
                "curator_email": curator_email,
            },
        )
        assert school.status_code == 302, school.text
    await run_queued_jobs(sso)

    # The curator: the headcount, the bases, a programme and a pair put into effect by an order.
    async with bearer_client(app, token_for(issuer, curator_email)) as curator:
        headcount = await curator.put(
            f"/api/o/{slug}/headcounts/{dates.year}",
            json={"learners_total": 300, "learners_10_18": 200, "pedagogues": 20, "young_pedagogues": 4},
        )
        assert headcount.status_code == 200, headcount.text
        mentor = await person(curator, slug, "Наставникова", "Галина")
        mentee = await person(curator, slug, "Молодой", "Игорь")
        profiles = [
            await curator.put(
                f"/api/o/{slug}/people/{mentor}/mentor-profile",
                json={"capacity": 2, "consent_on": str(dates.starts), "competencies": "методика"},
            ),
            await curator.put(
                f"/api/o/{slug}/people/{mentee}/mentee-profile",
                json={"kind": "young_pedagogue", "profession_since": str(dates.starts)},
            ),
        ]
        assert [p.status_code for p in profiles] == [200, 200], [p.text for p in profiles]
        tenant = Tenant(id=uuid.uuid4(), slug=slug, full_name="СШ № 1")  # the helpers use its slug
        programme = await open_programme(curator, tenant)
        pair = await active_pair(curator, tenant, programme, mentor, mentee)
    assert pair["status"] == "active"

    # The region recomputes and reads its figures; the coordinator reads the municipality's.
    async with bearer_client(app, token_for(issuer, admin_email)) as admin:
        asked = await admin.post(f"/api/region/statistics/recompute?year={dates.year}")
        assert asked.status_code == 202, asked.text
        await run_queued_jobs(sso)
        board = (await admin.get(f"/api/region/statistics?year={dates.year}")).json()
    async with bearer_client(app, token_for(issuer, coordinator_email)) as coordinator_client:
        own = await coordinator_client.get(f"/api/municipalities/{north}/statistics?year={dates.year}")
    figures = by_indicator(board["indicators"])
    mentored = figures["young_teachers_mentored"]
    assert (mentored["numerator"], mentored["denominator"], mentored["value"]) == (1, 4, 25.0)
    covered = figures["learners_covered"]
    assert (covered["numerator"], covered["denominator"], covered["value"]) == (0, 200, 0.0)
    # The federal indicators: the two pedagogues of the pair of 20 (the target 70 % by default), no learner.
    teachers = figures["teachers_involved"]
    assert (teachers["numerator"], teachers["denominator"], teachers["value"]) == (2, 20, 10.0)
    assert (teachers["target"], teachers["meets_target"]) == (70.0, False)
    learners = figures["learners_involved"]
    assert (learners["numerator"], learners["denominator"], learners["value"]) == (0, 200, 0.0)
    assert board["organisations"] == 1
    areas = {a["name"]: by_indicator(a["indicators"]) for a in board["municipalities"]}
    assert areas["Город Северный"]["young_teachers_mentored"]["value"] == 25.0
    assert own.status_code == 200, own.text
    assert by_indicator(own.json()["indicators"])["young_teachers_mentored"]["value"] == 25.0
