"""Who reads which figures: the statistics tables' policies in raw SQL, and every statistics route over
HTTP with another organisation's, municipality's or region's ids. A victim organisation's figures carry
numbers nobody else has (987 654 learners 10–18, 54 321 young teachers, 876 543 pedagogues, the
denominator of the teachers' involvement): they must never leak."""

from __future__ import annotations

import re
from datetime import date

import pytest
from litestar import Litestar
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from nastavnik.db.scope import DbScope, scoped_session
from nastavnik.domain.statistics.indicators import indicators as catalogue
from nastavnik.domain.statistics.reading import AreaFigures, AreaKey, area_figures, organisation_page
from nastavnik.domain.statistics.recompute import ScopeKind, Snapshot, recompute
from nastavnik.runtime import Runtime
from nastavnik.testing import app_routes
from tests.statistics.spec import BuiltRegion, GroupSpec, MenteeSpec, OrgSpec, RegionSpec, build_region
from tests.statistics.stored import org_rows
from tests.support.http import client_for

YEAR, AS_OF = 2026, date(2026, 11, 20)
SECRETS = ("987654", "987\u202f654", "54321", "54\u202f321", "876543", "876\u202f543")


def _org(key: str, municipality: str, headcount: tuple[int, int], pedagogues: int | None = None) -> OrgSpec:
    return OrgSpec(
        key,
        municipality,
        headcounts={YEAR: headcount},
        pedagogues={YEAR: pedagogues} if pedagogues else {},
        mentees=[MenteeSpec(f"{key}-1", birth_date=date(2012, 3, 3))],
        groups=[GroupSpec(YEAR, "active", [f"{key}-1"])],
    )


@pytest.fixture(scope="module")
async def regions(runtime: Runtime) -> tuple[BuiltRegion, BuiltRegion]:
    """«V»: the victim V1 (in MB) beside A1 (in MA); «W»: another region with one organisation."""
    victim = await build_region(
        runtime,
        RegionSpec(["MA", "MB"], [_org("A1", "MA", (40, 4)), _org("V1", "MB", (987_654, 54_321), 876_543)]),
    )
    other = await build_region(runtime, RegionSpec(["MW"], [_org("W1", "MW", (30, 3))]))
    for built in (victim, other):
        await recompute(
            runtime.aggregator_engine, runtime.plugins, Snapshot(ScopeKind.REGION, built.id, YEAR, AS_OF)
        )
    return victim, other


async def _count(runtime: Runtime, scope: DbScope, sql: str) -> set[tuple[object, ...]]:
    async with scoped_session(runtime.app_sessions, scope) as db:
        return {tuple(r) for r in await db.execute(text(sql))}


async def test_policies_in_raw_sql(runtime: Runtime, regions: tuple[BuiltRegion, BuiltRegion]) -> None:
    victim, other = regions
    org_rows = "SELECT DISTINCT org_id FROM stat_org_value"
    area_rows = "SELECT DISTINCT scope, scope_id FROM stat_area_value"
    staff = DbScope(identity_id=victim.region_staff, oversight=True)
    assert await _count(runtime, staff, org_rows) == {(victim.orgs["A1"],), (victim.orgs["V1"],)}
    assert await _count(runtime, staff, area_rows) == {
        ("region", victim.id),
        ("municipality", victim.municipalities["MA"]),
        ("municipality", victim.municipalities["MB"]),
    }
    coordinator = DbScope(identity_id=victim.coordinators["MA"], oversight=True)
    assert await _count(runtime, coordinator, org_rows) == {(victim.orgs["A1"],)}
    assert await _count(runtime, coordinator, area_rows) == {("municipality", victim.municipalities["MA"])}
    curator = DbScope(identity_id=victim.curators["A1"], org_id=victim.orgs["A1"])
    assert await _count(runtime, curator, org_rows) == {(victim.orgs["A1"],)}
    assert await _count(runtime, curator, area_rows) == set()  # two organisations: no regional average
    # Asking for the oversight scope without a grant, or naming another organisation, gives nothing.
    pretending = DbScope(identity_id=victim.curators["A1"], oversight=True)
    lying = DbScope(identity_id=victim.curators["A1"], org_id=victim.orgs["V1"])
    nobody = DbScope(identity_id=None)
    for scope in (pretending, lying, nobody):
        for table in (
            "stat_org_snapshot",
            "stat_org_value",
            "stat_area_snapshot",
            "stat_area_value",
            "stat_run",
        ):
            assert await _count(runtime, scope, f"SELECT 1 FROM {table}") == set(), (scope, table)
    other_staff = DbScope(identity_id=other.region_staff, oversight=True)
    assert await _count(runtime, other_staff, org_rows) == {(other.orgs["W1"],)}


async def test_the_application_cannot_write_figures(
    runtime: Runtime, regions: tuple[BuiltRegion, BuiltRegion]
) -> None:
    victim, _ = regions
    staff = DbScope(identity_id=victim.region_staff, oversight=True)
    async with scoped_session(runtime.app_sessions, staff) as db:
        with pytest.raises(DBAPIError, match="permission denied"):
            await db.execute(text("UPDATE stat_area_value SET numerator = 0"))
    curator = DbScope(identity_id=victim.curators["A1"], org_id=victim.orgs["A1"])
    async with scoped_session(runtime.app_sessions, curator) as db:
        with pytest.raises(DBAPIError, match="permission denied"):
            await db.execute(text("DELETE FROM stat_org_value"))


async def test_regional_average_for_members_needs_five_organisations(runtime: Runtime) -> None:
    spec = RegionSpec(["M"], [_org(f"O{i}", "M", (10, 1)) for i in range(5)])
    built = await build_region(runtime, spec)
    await recompute(
        runtime.aggregator_engine, runtime.plugins, Snapshot(ScopeKind.REGION, built.id, YEAR, AS_OF)
    )
    curator = DbScope(identity_id=built.curators["O0"], org_id=built.orgs["O0"])
    rows = await _count(runtime, curator, "SELECT DISTINCT scope, org_type, reporting FROM stat_area_value")
    # Only the region's all-types rows, and only those that five organisations entered.
    assert {(s, t) for s, t, _ in rows} == {("region", "")}
    assert min(int(n) for _, _, n in rows) >= 5  # type: ignore[call-overload]


def _fill(template: str, values: dict[str, str]) -> str:
    return re.sub(r"{(\w+)}", lambda m: values[m.group(1)], template)


async def test_no_route_leaks_another_organisations_figures(
    app: Litestar, runtime: Runtime, regions: tuple[BuiltRegion, BuiltRegion]
) -> None:
    """Every statistics route, called with the victim's ids by everyone who may not see them."""
    victim, other = regions
    values = {
        "slug": victim.slugs["V1"],
        "municipality_id": str(victim.municipalities["MB"]),
        "org_id": str(victim.orgs["V1"]),
        "indicator": "learners_covered",
        "report_id": "00000000-0000-0000-0000-000000000000",
    }
    async with client_for(app) as anonymous:
        routes = [r for r in await app_routes(anonymous) if "statistics" in r[1]]
    assert len(routes) >= 14
    intruders = {
        "curator of A1": victim.curators["A1"],
        "coordinator of MA": victim.coordinators["MA"],
        "another region's staff": other.region_staff,
        "curator of another region": other.curators["W1"],
    }
    problems = []
    for who, identity in intruders.items():
        async with client_for(app, identity) as client:
            for method, template in routes:
                url = _fill(template, values)
                # The year of the figures, whatever year is under way when the test runs.
                response = await client.request(
                    method, url, params={"year": YEAR}, json={"target": 70} if method == "PUT" else None
                )
                if response.status_code >= 500:
                    problems.append(f"{who}: {method} {url} answered {response.status_code}")
                leaked = [s for s in SECRETS if s in response.text]
                if leaked:
                    problems.append(f"{who}: {method} {url} leaked {leaked}")
                if method == "GET" and response.status_code == 200 and "/o/" in template:
                    problems.append(f"{who}: {method} {url} answered 200")
    assert not problems, "\n".join(problems)
    # The region's own staff do see it: the test would pass vacuously otherwise.
    async with client_for(app, victim.region_staff) as client:
        seen = await client.get(
            f"/api/municipalities/{values['municipality_id']}/statistics/{values['org_id']}",
            params={"year": YEAR},
        )
    assert seen.status_code == 200
    assert "987654" in seen.text
    assert "876543" in seen.text  # the involvement of its teachers, among the rest


async def test_a_learner_mentors_birth_date_is_read_by_the_count_alone(runtime: Runtime) -> None:
    """The base of mentors keeps a learner mentor's birth date (migration 0028): the aggregator counts the
    learner by it, their own organisation reads it, the region's staff and another organisation never."""
    peer = MenteeSpec("peer", category="learner", in_mentee_base=False, mentor_birth_date=date(2011, 4, 5))
    spec = RegionSpec(
        ["M"],
        [
            OrgSpec(
                "P1",
                "M",
                headcounts={YEAR: (10, 1)},
                mentors=0,
                mentees=[MenteeSpec("mentee", birth_date=date(2012, 3, 3)), peer],
                groups=[GroupSpec(YEAR, "active", ["mentee"], mentors=0, mentor_keys=["peer"])],
            ),
            _org("P2", "M", (10, 1)),
        ],
    )
    built = await build_region(runtime, spec)
    await recompute(
        runtime.aggregator_engine, runtime.plugins, Snapshot(ScopeKind.REGION, built.id, YEAR, AS_OF)
    )
    # The mentee (14) and the peer mentor (15, only in the base of mentors): 2 of 10, 1 as a mentor.
    figures = await org_rows(runtime, built.orgs["P1"], YEAR, AS_OF)
    assert figures[("learners_involved", "")] == (2, 10, None)
    assert figures[("learners_involved", "role:mentor")] == (1, 10, None)
    dates = "SELECT org_id, birth_date FROM mentor_profile WHERE birth_date IS NOT NULL"
    own = DbScope(identity_id=built.curators["P1"], org_id=built.orgs["P1"])
    assert await _count(runtime, own, dates) == {(built.orgs["P1"], date(2011, 4, 5))}
    staff = DbScope(identity_id=built.region_staff, oversight=True)
    assert await _count(runtime, staff, "SELECT birth_date FROM mentor_profile") == set()
    neighbour = DbScope(identity_id=built.curators["P2"], org_id=built.orgs["P2"])
    assert await _count(runtime, neighbour, dates) == set()
    lying = DbScope(identity_id=built.curators["P2"], org_id=built.orgs["P1"])
    assert await _count(runtime, lying, dates) == set()


async def test_the_dashboards_reads_hold_the_policies_without_the_services_check(
    runtime: Runtime, regions: tuple[BuiltRegion, BuiltRegion]
) -> None:
    """The dashboard's combined reads (the organisations' page with each one's figures looked up by key;
    the area's figures with its municipalities and trend), called for the victim's region directly,
    without the services' own check: each reader gets what the policies give, never more."""
    victim, other = regions
    indicators = {i.key: i for i in catalogue(runtime.plugins)}
    region_key = AreaKey("region", victim.id)

    async def read(scope: DbScope) -> tuple[dict[object, tuple[str, ...]], AreaFigures]:
        async with scoped_session(runtime.app_sessions, scope) as db:
            table = await organisation_page(
                db, region_id=victim.id, academic_year=YEAR, as_of=AS_OF, indicators=indicators, targets={}
            )
            area = await area_figures(
                db, region_key, victim.id, YEAR, AS_OF, indicators, {}, municipalities=True, trend=True
            )
        return {row.org_id: row.cells for row in table.rows}, area

    rows, area = await read(DbScope(identity_id=victim.region_staff, oversight=True))
    assert set(rows) == {victim.orgs["A1"], victim.orgs["V1"]}
    assert area.values.figures
    assert area.trend
    assert {mid for mid, _, _ in area.municipalities} == set(victim.municipalities.values())
    # The coordinator of MA: A1's row only; no region rows, MA's row only.
    rows, area = await read(DbScope(identity_id=victim.coordinators["MA"], oversight=True))
    assert set(rows) == {victim.orgs["A1"]}
    assert not area.values.figures
    assert not area.trend
    assert [mid for mid, _, _ in area.municipalities] == [victim.municipalities["MA"]]
    # Another region's staff, and a curator of the victim region asking for the oversight scope: nothing.
    for scope in (
        DbScope(identity_id=other.region_staff, oversight=True),
        DbScope(identity_id=victim.curators["A1"], oversight=True),
    ):
        rows, area = await read(scope)
        assert rows == {}, scope
        assert (area.values.figures, area.municipalities, area.trend) == ({}, [], {}), scope
