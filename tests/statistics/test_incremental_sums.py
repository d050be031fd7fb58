"""One organisation's recompute derives only its municipality's rows and the region's from the
municipalities': the municipality and region rows must still be exactly the sums over the organisations'
stored rows, and the same as a regional recompute gives, after moves and deactivations too."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import text

from nastavnik.domain.statistics.definitions import Kind
from nastavnik.domain.statistics.indicators import catalogue
from nastavnik.domain.statistics.recompute import ScopeKind, Snapshot, recompute
from nastavnik.runtime import Runtime
from tests.statistics.reference import AreaKey, AreaValue
from tests.statistics.small import AS_OF, YEAR
from tests.statistics.spec import BuiltRegion, GroupSpec, MenteeSpec, OrgSpec, RegionSpec, build_region
from tests.statistics.stored import area_rows


def _region() -> RegionSpec:
    """Three municipalities of several organisations of three types, pairs of every state, headcounts
    sometimes missing."""
    specs = []
    types = ("school", "college", "kindergarten")
    for i in range(8):
        learners = [
            MenteeSpec(f"L{i}-{j}", "learner", birth_date=date(2010 + j % 5, 1, 1 + j))
            for j in range(i % 4 + 1)
        ]
        young = [
            MenteeSpec(f"Y{i}-{j}", "young_pedagogue", profession_since=date(2024, 9, 1))
            for j in range(i % 3)
        ]
        statuses = ("active", "completed", "ended_early", "draft")
        groups = [GroupSpec(YEAR, statuses[(i + j) % 4], [m.key]) for j, m in enumerate(learners)]
        groups += [GroupSpec(YEAR, "active", [m.key], form="teacher_teacher") for m in young]
        specs.append(
            OrgSpec(
                f"O{i}",
                f"M{i // 3}",
                types[i % 3],
                headcounts={YEAR: (10 * (i + 1), 3)} if i % 4 != 1 else {},
                mentors=1,
                mentees=learners + young,
                groups=groups,
            )
        )
    return RegionSpec(["M0", "M1", "M2"], specs)


async def _sums_of_org_rows(runtime: Runtime, built: BuiltRegion) -> dict[AreaKey, AreaValue]:
    """The municipality and region rows as plain Python sums over the stored organisation rows of the
    region's active organisations (a share's rows over the organisations that gave a denominator)."""
    count_keys = {
        q.indicator.key
        for q in catalogue(runtime.plugins)
        if q.indicator.kind in (Kind.COUNT, Kind.BREAKDOWN)
    }
    names = {v: k for k, v in built.municipalities.items()}
    async with runtime.owner_engine.connect() as conn:
        rows = await conn.execute(
            text(
                "SELECT s.municipality_id, s.org_type, v.indicator, v.breakdown, v.numerator, v.denominator,"
                " v.respondents FROM stat_org_snapshot s JOIN organisation o ON o.id = s.org_id"
                " AND o.status = 'active' JOIN stat_org_value v ON v.org_id = s.org_id"
                " AND v.academic_year = s.academic_year AND v.as_of = s.as_of"
                " WHERE s.region_id = :r AND s.academic_year = :y AND s.as_of = :d"
            ),
            {"r": built.id, "y": YEAR, "d": AS_OF},
        )
        grouped: dict[AreaKey, list[tuple[int, int | None, int | None]]] = defaultdict(list)
        for muni, org_type, indicator, breakdown, n, d, r in rows:
            if d is None and indicator not in count_keys:
                # Not counted, but the row still exists (reporting 0) where the organisation has one.
                for scope, name in (("municipality", names[muni]), ("region", "")):
                    for t in ("", org_type):
                        grouped.setdefault((scope, name, t, indicator, breakdown), [])
                continue
            for scope, name in (("municipality", names[muni]), ("region", "")):
                for t in ("", org_type):
                    grouped[(scope, name, t, indicator, breakdown)].append((n, d, r))
    result: dict[AreaKey, AreaValue] = {}
    for key, values in grouped.items():
        denominators = [d for _, d, _ in values if d is not None]
        respondents = [r for _, _, r in values if r is not None]
        result[key] = (
            sum(n for n, _, _ in values),
            sum(denominators) if denominators else None,
            sum(respondents) if respondents else None,
            len(values),
        )
    return result


async def _area_snapshots(runtime: Runtime, built: BuiltRegion) -> set[tuple[object, ...]]:
    async with runtime.owner_engine.connect() as conn:
        rows = await conn.execute(
            text(
                "SELECT scope, scope_id, org_type, organisations, computed FROM stat_area_snapshot"
                " WHERE region_id = :r AND academic_year = :y AND as_of = :d"
            ),
            {"r": built.id, "y": YEAR, "d": AS_OF},
        )
        return {tuple(row) for row in rows}


async def _org_rows(runtime: Runtime, built: BuiltRegion) -> set[tuple[object, ...]]:
    async with runtime.owner_engine.connect() as conn:
        rows = await conn.execute(
            text(
                "SELECT v.org_id, s.municipality_id, v.indicator, v.breakdown, v.numerator, v.denominator,"
                " v.respondents FROM stat_org_value v JOIN stat_org_snapshot s ON s.org_id = v.org_id"
                " AND s.academic_year = v.academic_year AND s.as_of = v.as_of"
                " WHERE s.region_id = :r AND s.academic_year = :y AND s.as_of = :d"
            ),
            {"r": built.id, "y": YEAR, "d": AS_OF},
        )
        return {tuple(row) for row in rows}


async def _owner(runtime: Runtime, statement: str, **params: object) -> None:
    async with runtime.owner_engine.begin() as conn:
        await conn.execute(text(statement), params)


async def test_organisation_recomputes_keep_the_sums_exact_and_equal_to_a_regional_one(
    runtime: Runtime,
) -> None:
    built = await build_region(runtime, _region())
    region = Snapshot(ScopeKind.REGION, built.id, YEAR, AS_OF)

    async def one(org: str) -> None:
        await recompute(
            runtime.aggregator_engine,
            runtime.plugins,
            Snapshot(ScopeKind.ORGANISATION, built.orgs[org], YEAR, AS_OF),
        )

    await recompute(runtime.aggregator_engine, runtime.plugins, region)
    before = await area_rows(runtime, built, YEAR, AS_OF)
    assert before == await _sums_of_org_rows(runtime, built)

    # O3 (M1, with O4 and O5) gets a headcount and its pairs all run: its figures and M0's change.
    await _owner(
        runtime,
        "INSERT INTO headcount (org_id, academic_year, learners_total, learners_10_18, pedagogues,"
        " young_pedagogues) VALUES (:o, :y, 100, 80, 20, 5)"
        " ON CONFLICT (org_id, academic_year) DO UPDATE SET learners_10_18 = 80, young_pedagogues = 5",
        o=built.orgs["O3"],
        y=YEAR,
    )
    await _owner(
        runtime, "UPDATE mentoring_group SET status = 'active' WHERE org_id = :o", o=built.orgs["O3"]
    )
    await one("O3")
    after = await area_rows(runtime, built, YEAR, AS_OF)
    assert after != before  # the change reached the sums
    assert after == await _sums_of_org_rows(runtime, built)

    # O4, M1's only college, moves to M2, whose college O7 is switched off; only O4 is recomputed. O4
    # leaves M1 and enters M2, O7's figures leave M2 and the region.
    await _owner(
        runtime,
        "UPDATE organisation SET municipality_id = :m WHERE id = :o",
        m=built.municipalities["M2"],
        o=built.orgs["O4"],
    )
    await _owner(runtime, "UPDATE organisation SET status = 'inactive' WHERE id = :o", o=built.orgs["O7"])
    await one("O4")
    incremental = await area_rows(runtime, built, YEAR, AS_OF)
    assert incremental == await _sums_of_org_rows(runtime, built)
    assert not any(key[:3] == ("municipality", "M1", "college") for key in incremental)
    assert any(key[:3] == ("municipality", "M2", "college") for key in incremental)
    incremental_orgs = await _org_rows(runtime, built)
    incremental_snapshots = await _area_snapshots(runtime, built)
    assert all(row[0] != built.orgs["O7"] for row in incremental_orgs)

    # A regional recompute from scratch gives the very same rows.
    await recompute(runtime.aggregator_engine, runtime.plugins, region)
    assert await area_rows(runtime, built, YEAR, AS_OF) == incremental
    assert await _org_rows(runtime, built) == incremental_orgs
    assert await _area_snapshots(runtime, built) == incremental_snapshots
