"""An organisation's figures page reads its snapshots in one statement, and reads what the separate reads did.

The page used to read the region's years, the organisation's latest snapshot, its values, the region's
values and its trend in five statements (and the organisation once more). ``org_page_figures`` reads them
in one; here it is held to the separate reads it replaced, written out as they were, in the same session
(the curator's, under the policies; the region staff's, with the municipality beside), for a year with
two snapshots and a year with none; and the page's statements are counted.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest
from litestar import Litestar
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.db.scope import DbScope, scoped_session
from nastavnik.domain.statistics import reading as r
from nastavnik.domain.statistics.definitions import Kind
from nastavnik.domain.statistics.indicators import indicators as catalogue
from nastavnik.domain.statistics.models import StatAreaSnapshot, StatOrgSnapshot, StatOrgValue
from nastavnik.runtime import Runtime
from tests.core.test_page_path import statements_of
from tests.statistics.small import small_region
from tests.statistics.spec import BuiltRegion, build_region
from tests.support.http import client_for

YEAR = 2026
EARLIER, LATEST = date(2026, 10, 1), date(2026, 11, 20)


@pytest.fixture(scope="module")
async def region(runtime: Runtime) -> BuiltRegion:
    from nastavnik.domain.statistics.recompute import ScopeKind, Snapshot, recompute

    built = await build_region(runtime, small_region(6))
    for as_of in (EARLIER, LATEST):
        await recompute(
            runtime.aggregator_engine, runtime.plugins, Snapshot(ScopeKind.REGION, built.id, YEAR, as_of)
        )
    return built


async def separate_reads(
    db: AsyncSession,
    org_id: uuid.UUID,
    region_id: uuid.UUID,
    municipality_id: uuid.UUID | None,
    year: int,
    indicators: dict[str, Any],
    targets: dict[str, float],
) -> r.OrgPageFigures:
    """The five reads the page made before, as they were."""
    years = list(
        await db.scalars(
            select(StatAreaSnapshot.academic_year)
            .where(StatAreaSnapshot.region_id == region_id)
            .distinct()
            .order_by(StatAreaSnapshot.academic_year.desc())
        )
    )
    row = (
        await db.execute(
            select(StatOrgSnapshot.as_of, StatOrgSnapshot.computed_at)
            .where(StatOrgSnapshot.org_id == org_id, StatOrgSnapshot.academic_year == year)
            .order_by(StatOrgSnapshot.as_of.desc())
            .limit(1)
        )
    ).first()
    empty = r.OrgPageFigures(years, None, r.Values(), r.Values(), r.Values(), {})
    if row is None:
        return empty
    as_of = row[0]
    values = (await r.org_values(db, [org_id], year, as_of, indicators, targets)).get(org_id, r.Values())
    area = await r.area_values(db, r.AreaKey("region", region_id), year, as_of, indicators, targets)
    municipality = (
        await r.area_values(db, r.AreaKey("municipality", municipality_id), year, as_of, indicators, targets)
        if municipality_id is not None
        else r.Values()
    )
    keys = [k for k, i in indicators.items() if i.kind in (Kind.SHARE, Kind.AVERAGE)]
    points = await db.execute(
        select(
            StatOrgValue.as_of,
            StatOrgValue.indicator,
            StatOrgValue.numerator,
            StatOrgValue.denominator,
            StatOrgValue.respondents,
        )
        .where(
            StatOrgValue.org_id == org_id,
            StatOrgValue.academic_year == year,
            StatOrgValue.breakdown == "",
            StatOrgValue.indicator.in_(keys),
        )
        .order_by(StatOrgValue.as_of)
    )
    return r.OrgPageFigures(years, (row[0], row[1]), values, area, municipality, r._trend(points, indicators))


@pytest.mark.parametrize("year", [YEAR, YEAR - 1])
@pytest.mark.parametrize("who", ["curator", "region"])
async def test_one_statement_reads_what_the_separate_reads_did(
    runtime: Runtime, region: BuiltRegion, who: str, year: int
) -> None:
    indicators = {i.key: i for i in catalogue(runtime.plugins)}
    targets = {"learners_covered": 70.0}
    org_id = region.orgs["O1"]
    if who == "curator":
        scope = DbScope(identity_id=region.curators["O1"], org_id=org_id)
        municipality_id = None
    else:
        scope = DbScope(identity_id=region.region_staff, oversight=True)
        municipality_id = region.municipalities["M2"]
    async with scoped_session(runtime.app_sessions, scope) as db:
        before = await separate_reads(db, org_id, region.id, municipality_id, year, indicators, targets)
        after = await r.org_page_figures(db, org_id, region.id, municipality_id, year, indicators, targets)
    assert after == before
    assert after.years == [YEAR]
    if year == YEAR:
        assert after.latest is not None
        assert after.latest[0] == LATEST
        assert after.values.figures
        assert after.region.figures  # six organisations: the regional average is shown to a member
        assert bool(after.municipality.figures) is (who == "region")
        assert {p[0] for points in after.trend.values() for p in points} == {EARLIER, LATEST}
    else:
        assert after.latest is None
        assert (after.values, after.region, after.trend) == (r.Values(), r.Values(), {})


async def test_the_page_reads_its_figures_in_one_statement(
    runtime: Runtime, app: Litestar, region: BuiltRegion
) -> None:
    slug = region.slugs["O0"]
    async with client_for(app, region.curators["O0"]) as client:
        assert (await client.get(f"/o/{slug}/statistics?year={YEAR}")).status_code == 200  # warm
        with statements_of(runtime.app_engine.sync_engine) as page_sent:
            page = await client.get(f"/o/{slug}/statistics?year={YEAR}")
        with statements_of(runtime.app_engine.sync_engine) as api_sent:
            api = await client.get(f"/api/o/{slug}/statistics?year={YEAR}")
    assert (page.status_code, api.status_code) == (200, 200)
    assert "в среднем по региону" in page.text
    for sent in (page_sent, api_sent):
        sql = [s for s in sent if s not in ("BEGIN", "COMMIT", "ROLLBACK")]
        snapshots = [s for s in sql if "stat_org_value" in s or "stat_area" in s or "stat_org_snapshot" in s]
        assert len(snapshots) == 1, snapshots
        # The actor, the organisation, the membership, the targets, the figures, the dictionaries' words,
        # and on the page its layout's notifications.
        assert len(sql) <= (7 if sent is page_sent else 6), sql


@pytest.mark.parametrize(
    "plan",
    [
        ("enable_seqscan",),  # the indexes: rows by each index's order
        ("enable_indexscan", "enable_indexonlyscan", "enable_bitmapscan"),  # the tables in their heap order
    ],
)
async def test_figures_and_trend_come_in_catalogue_order_whatever_the_plan(
    runtime: Runtime, region: BuiltRegion, plan: tuple[str, ...]
) -> None:
    """The page's charts and the API's lists follow the catalogue, not the order the plan gave the rows in:
    a statement's plan changes with the table's statistics (an autovacuum's ANALYZE between two requests),
    and with it the order of the rows of the same snapshot."""
    indicators = {i.key: i for i in catalogue(runtime.plugins)}
    org_id = region.orgs["O1"]
    scope = DbScope(identity_id=region.region_staff, oversight=True)
    async with scoped_session(runtime.app_sessions, scope) as db:
        for setting in plan:
            await db.execute(text(f"SET LOCAL {setting} = off"))
        found = await r.org_page_figures(
            db, org_id, region.id, region.municipalities["M2"], YEAR, indicators, {}
        )
    order = list(indicators)
    for values in (found.values, found.region, found.municipality):
        assert len(values.figures) > 1
        assert list(values.figures) == [k for k in order if k in values.figures]
        assert list(values.breakdowns) == [k for k in order if k in values.breakdowns]
    assert len(found.trend) > 1
    assert list(found.trend) == [k for k in order if k in found.trend]
