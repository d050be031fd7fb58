"""A municipality's or the region's recompute computed in shares, each on a connection of its own.

The shares deal the scope's organisations into lists; what they return is written in the one transaction
that replaces the snapshot, whose own connection computes, beside them, the indicators that read no
prepared rows. These tests hold that split to the single connection's result, that every organisation
falls in exactly one share, that what reads no prepared rows is computed once and the rest in the shares,
that a failure in a share or beside them leaves the previous figures and no connection behind, and that
several regions' recomputes at once (the night of a time zone) do not wait on each other for connections.
"""

from __future__ import annotations

import asyncio
import types
import uuid
from collections.abc import Callable, Iterable
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError

from nastavnik import StatisticContributor, hookimpl
from nastavnik.domain.statistics import jobs
from nastavnik.domain.statistics.recompute import _SCOPE, ScopeKind, Snapshot, recompute, split
from nastavnik.plugins import load_plugins
from nastavnik.runtime import Runtime
from tests.statistics import handmade
from tests.statistics.small import small_region
from tests.statistics.spec import BuiltRegion, OrgSpec, RegionSpec, build_region
from tests.statistics.stored import everything
from tests.support.plugins import plugin_module

YEAR, AS_OF = handmade.YEAR, handmade.AS_OF


async def _recompute(runtime: Runtime, snapshot: Snapshot, connections: int, **kw: Any) -> None:
    await recompute(
        runtime.aggregator_engine,
        kw.pop("plugins", runtime.plugins),
        snapshot,
        connections=connections,
        shares_engine=runtime.aggregator_shares_engine,
        **kw,
    )


@pytest.mark.parametrize("connections", [2, 3, 7])
async def test_shares_store_what_one_connection_stores(runtime: Runtime, connections: int) -> None:
    """Every stored row of the hand-made region (five organisations, every edge the definitions name),
    after a recompute in shares, equals the single connection's, and so does a municipality's."""
    built = await build_region(runtime, handmade.REGION)
    region = Snapshot(ScopeKind.REGION, built.id, YEAR, AS_OF)
    await _recompute(runtime, region, 1)
    alone = await everything(runtime, built, YEAR, AS_OF)
    assert sum(bool(rows) for rows in alone["organisations"].values()) >= 4, "figures to compare"
    await _recompute(runtime, region, connections)
    assert await everything(runtime, built, YEAR, AS_OF) == alone
    municipality = Snapshot(ScopeKind.MUNICIPALITY, built.municipalities["MB"], YEAR, AS_OF)
    await _recompute(runtime, municipality, connections)
    assert await everything(runtime, built, YEAR, AS_OF) == alone


async def _scope(runtime: Runtime, built: BuiltRegion, share_orgs: list[uuid.UUID] | None) -> set[uuid.UUID]:
    async with runtime.aggregator_engine.connect() as conn:
        found = await conn.scalars(
            text(f"WITH {_SCOPE} SELECT org_id FROM scope_org"),
            {"region_id": built.id, "municipality_id": None, "org_id": None, "share_orgs": share_orgs},
        )
        return set(found)


def test_organisations_are_dealt_into_shares_each_once() -> None:
    orgs = [uuid.uuid4() for _ in range(7)]
    for shares in (1, 2, 3, 7, 9):
        parts = split(orgs, shares)
        assert len(parts) == min(shares, len(orgs))
        assert all(parts)
        assert sorted(org for part in parts for org in part) == sorted(orgs)
        assert max(map(len, parts)) - min(map(len, parts)) <= 1
    assert split([], 2) == []


async def test_a_share_reads_its_own_organisations_of_the_scope_only(runtime: Runtime) -> None:
    built = await build_region(
        runtime, RegionSpec(["M1"], [OrgSpec(f"O{i}", "M1", "school") for i in range(5)])
    )
    other = await build_region(runtime, RegionSpec(["M1"], [OrgSpec("X", "M1", "school")]))
    everyone = await _scope(runtime, built, None)
    assert everyone == set(built.orgs.values())
    share = [built.orgs["O1"], built.orgs["O3"], other.orgs["X"]]  # another region's is not in the scope
    assert await _scope(runtime, built, share) == {built.orgs["O1"], built.orgs["O3"]}


def _failing_plugin(org_id: uuid.UUID, *, where: str) -> types.ModuleType:
    """A plugin whose one indicator divides by zero for one organisation. ``where`` it fails:
    ``in-a-share``, it reads the prepared memberships, so a share computes it (the share of that
    organisation fails, the other succeeds); ``beside-the-shares``, it reads none, so the recompute's own
    connection computes it over the whole scope while the shares run; ``in-a-share-while-beside-runs``, as
    in a share, and another indicator beside the shares is still running (sleeping) when it fails."""
    reads = (
        " WHERE NOT EXISTS (SELECT FROM stat_membership WHERE false)"
        if where.startswith("in-a-share")
        else ""
    )

    @hookimpl
    def register_statistics() -> Iterable[StatisticContributor]:
        sql = (
            f"SELECT org_id, 1 / CASE WHEN org_id = CAST('{org_id}' AS uuid) THEN 0 ELSE 1 END AS numerator,"
            f" NULL::bigint AS denominator, NULL::bigint AS respondents FROM scope_org{reads}"
        )
        found = [StatisticContributor("failing.share", "Сбой", "Делит на ноль в одной организации.", sql)]
        if where == "in-a-share-while-beside-runs":
            slow = "SELECT org_id, 1, NULL::bigint, NULL::bigint FROM scope_org, pg_sleep(30)"
            found.append(StatisticContributor("failing.slow", "Долго", "Считается полминуты.", slow))
        return found

    return plugin_module(
        "failing_share", serves=("school",), hooks={"register_statistics": register_statistics}
    )


async def _aggregator_transactions(runtime: Runtime) -> list[str]:
    """The aggregator's backends still inside a transaction."""
    async with runtime.owner_engine.connect() as conn:
        found = await conn.scalars(
            text(
                "SELECT state FROM pg_stat_activity WHERE usename = :role AND datname = current_database()"
                " AND state LIKE 'idle in transaction%'"
            ),
            {"role": runtime.roles.aggregator},
        )
        return list(found)


@pytest.mark.parametrize("where", ["in-a-share", "beside-the-shares", "in-a-share-while-beside-runs"])
async def test_a_failing_share_leaves_the_previous_figures(runtime: Runtime, where: str) -> None:
    built = await build_region(runtime, small_region(6))
    region = Snapshot(ScopeKind.REGION, built.id, handmade.YEAR, handmade.AS_OF)
    await _recompute(runtime, region, 2)
    before = await everything(runtime, built, handmade.YEAR, handmade.AS_OF)
    async with runtime.owner_engine.begin() as conn:  # the data changes: the next figures would differ
        await conn.execute(
            text("UPDATE mentoring_group SET status = 'ended_early' WHERE org_id = :org"),
            {"org": built.orgs["O5"]},
        )
    failing = load_plugins(extra_modules=[_failing_plugin(built.orgs["O2"], where=where)])
    with pytest.raises(DBAPIError, match="division by zero"):
        await _recompute(runtime, region, 2, plugins=failing)
    assert await everything(runtime, built, handmade.YEAR, handmade.AS_OF) == before
    assert await _aggregator_transactions(runtime) == []
    async with runtime.owner_engine.connect() as conn:  # the sleeping statement beside them was cancelled
        sleeping = await conn.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE usename = :role AND state = 'active'"
                " AND query LIKE '%pg_sleep(30)%' AND pid <> pg_backend_pid()"
            ),
            {"role": runtime.roles.aggregator},
        )
    assert sleeping == 0
    await _recompute(runtime, region, 2)  # the connections are usable; the change shows now
    assert await everything(runtime, built, handmade.YEAR, handmade.AS_OF) != before


def _recorder(into: list[str]) -> Callable[..., None]:
    """A ``before_cursor_execute`` listener that keeps every statement sent."""

    def record(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        into.append(statement)

    return record


async def test_what_reads_no_prepared_rows_is_computed_once_beside_the_shares(runtime: Runtime) -> None:
    """Plan completion (a scan of every plan task) and the people's count read no prepared rows: the
    recompute's own connection computes them once over the whole scope while the shares run, rather
    than each share scanning all of their tables again; the shares compute the rest."""
    built = await build_region(runtime, small_region(6))
    assert runtime.aggregator_shares_engine is not None
    sent: dict[str, list[str]] = {"own": [], "shares": []}
    engines = {
        "own": runtime.aggregator_engine.sync_engine,
        "shares": runtime.aggregator_shares_engine.sync_engine,
    }
    listeners = {name: _recorder(sent[name]) for name in engines}
    for name, engine in engines.items():
        event.listen(engine, "before_cursor_execute", listeners[name])
    try:
        await _recompute(runtime, Snapshot(ScopeKind.REGION, built.id, YEAR, AS_OF), 2)
    finally:
        for name, engine in engines.items():
            event.remove(engine, "before_cursor_execute", listeners[name])

    def count(where: str, fragment: str) -> int:
        return sum(fragment in statement for statement in sent[where])

    assert (count("own", "FROM plan_item"), count("shares", "FROM plan_item")) == (1, 0)
    assert (count("own", "FROM person WHERE status"), count("shares", "FROM person WHERE status")) == (1, 0)
    assert count("shares", "CREATE TEMPORARY TABLE stat_membership") == 2
    assert count("shares", "CREATE TEMPORARY TABLE stat_score") == 2
    assert count("own", "stat_membership") == count("own", "stat_score") == 0


async def test_regions_recomputed_at_once_do_not_wait_on_each_other(runtime: Runtime) -> None:
    """Six regions' recomputes at once through the job, as a worker runs a time zone's night: each holds
    one of the aggregator's pooled connections (two, and two more at most) and its shares open their own,
    so none waits for a connection another holds; each region's figures are its single-connection ones."""
    built = [await build_region(runtime, small_region(4)) for _ in range(6)]
    ctx = {"runtime": runtime, "job_try": 1}
    done = await asyncio.gather(
        *(jobs.recompute_job(ctx, "region", str(b.id), YEAR, AS_OF.isoformat()) for b in built)
    )
    assert [d["organisations"] for d in done] == [4] * 6
    shared = [await everything(runtime, b, YEAR, AS_OF) for b in built]
    for b in built:
        await _recompute(runtime, Snapshot(ScopeKind.REGION, b.id, YEAR, AS_OF), 1)
    assert [await everything(runtime, b, YEAR, AS_OF) for b in built] == shared
