"""Recompute one snapshot: (scope, scope id, academic year, snapshot date), in one transaction.

Everything happens in SQL, set-based, as the aggregator role, inside one transaction that first takes
``pg_advisory_xact_lock`` on (region, academic year, snapshot date):

1. the organisation rows of the scope are deleted and computed again: each indicator's SELECT over the
   scope's organisations, their rows written in one INSERT. A municipality's or the region's organisations
   are dealt into shares, each computed at the same time on a connection of its own, in a transaction
   of its own that writes nothing but its temporary tables (see :func:`recompute`), while this
   transaction computes the indicators that read no prepared rows over the whole scope; what they all
   return is written here, in the one transaction;
2. the municipality and region rows are derived again from the stored organisation rows (sums of
   numerators and denominators, so every level adds up exactly): after a municipality's or the region's
   recompute, those of the whole region; after one organisation's, only the rows of the municipalities
   its figures left or entered (its own, the one it was filed under before, and those of organisations
   no longer active, whose figures go), then the region's rows as the sums of the municipalities' rows
   (every indicator's rows are sums, distinct counts included: they are distinct per organisation);
3. a ``stat_run`` row records the run.

Readers keep seeing the previous figures until the commit (MVCC); a crash, a kill or a timeout rolls
everything back, so the previous figures stay in place. Reruns and duplicates replace the same rows
with the same figures. Every job of a region and date takes the same lock, so an organisation's recompute
and the region's never interleave.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from nastavnik import clock
from nastavnik.domain.statistics.definitions import Kind
from nastavnik.domain.statistics.indicators import catalogue
from nastavnik.domain.statistics.indicators.base import PREPARED, PREPARED_LISTED, IndicatorQuery
from nastavnik.plugins import Plugins


class ScopeKind(StrEnum):
    ORGANISATION = "organisation"
    MUNICIPALITY = "municipality"
    REGION = "region"


class UnknownScope(Exception):
    """The scope names no organisation, municipality or region."""


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What one recompute job computes."""

    scope: ScopeKind
    scope_id: uuid.UUID
    academic_year: int
    as_of: date

    @property
    def key(self) -> str:
        return f"{self.scope.value}:{self.scope_id}:{self.academic_year}:{self.as_of.isoformat()}"


@dataclass(frozen=True, slots=True)
class RunResult:
    region_id: uuid.UUID
    organisations: int
    indicators: list[str]
    seconds: float
    finished_at: datetime


# The organisations a job recomputes: active ones, in the scope; of those, those of ``:share_orgs``, a
# share's (NULL: all of them). A list rather than a filter on the ids' hash: the planner (custom plans,
# ``plan_cache_mode``) counts a list's elements, but took a hash's remainder for one in two hundred and
# probed the largest tables by index for what it expected to be three organisations (measured at size L).
_SCOPE = """
scope_org AS (
    SELECT o.id AS org_id, o.municipality_id, o.type AS org_type
      FROM organisation o JOIN municipality m ON m.id = o.municipality_id
     WHERE o.status = 'active' AND m.region_id = CAST(:region_id AS uuid)
       AND (CAST(:municipality_id AS uuid) IS NULL OR o.municipality_id = CAST(:municipality_id AS uuid))
       AND (CAST(:org_id AS uuid) IS NULL OR o.id = CAST(:org_id AS uuid))
       AND (CAST(:share_orgs AS uuid[]) IS NULL OR o.id = ANY(CAST(:share_orgs AS uuid[])))
)"""
_ALL_SHARES: dict[str, Any] = {"share_orgs": None}

# Every organisation of the scope, active or not: their old rows of this snapshot go.
_ALL_IN_SCOPE = """
SELECT o.id FROM organisation o JOIN municipality m ON m.id = o.municipality_id
 WHERE m.region_id = CAST(:region_id AS uuid)
   AND (CAST(:municipality_id AS uuid) IS NULL OR o.municipality_id = CAST(:municipality_id AS uuid))
   AND (CAST(:org_id AS uuid) IS NULL OR o.id = CAST(:org_id AS uuid))"""

_SNAPSHOT = "academic_year = CAST(:academic_year AS integer) AND as_of = CAST(:as_of AS date)"

_DELETE_ORG_VALUES = f"DELETE FROM stat_org_value WHERE {_SNAPSHOT} AND org_id IN ({_ALL_IN_SCOPE})"
_DELETE_ORG_SNAPSHOTS = f"DELETE FROM stat_org_snapshot WHERE {_SNAPSHOT} AND org_id IN ({_ALL_IN_SCOPE})"
_INSERT_ORG_SNAPSHOTS = f"""
WITH {_SCOPE}
INSERT INTO stat_org_snapshot (org_id, academic_year, as_of, region_id, municipality_id, org_type,
                               computed_at)
SELECT org_id, CAST(:academic_year AS integer), CAST(:as_of AS date), CAST(:region_id AS uuid),
       municipality_id, org_type, CAST(:computed_at AS timestamptz)
  FROM scope_org"""

# One indicator's rows for the organisations of the scope (or of a share of it), in the types the table
# stores them in: the same casts an INSERT of the SELECT would make.
_SELECT_VALUES = f"""
WITH {_SCOPE}
SELECT CAST(r.org_id AS uuid), CAST(r.breakdown AS text), CAST(r.numerator AS bigint),
       CAST(r.denominator AS bigint), CAST(r.respondents AS bigint)
  FROM ({{sql}}) AS r"""
# Every indicator's rows, written in one statement.
_INSERT_VALUES = """
INSERT INTO stat_org_value (org_id, academic_year, as_of, indicator, breakdown, numerator, denominator,
                            respondents)
SELECT r.org_id, CAST(:academic_year AS integer), CAST(:as_of AS date), r.indicator, r.breakdown,
       r.numerator, r.denominator, r.respondents
  FROM unnest(CAST(:org_ids AS uuid[]), CAST(:indicators AS text[]), CAST(:breakdowns AS text[]),
              CAST(:numerators AS bigint[]), CAST(:denominators AS bigint[]), CAST(:respondents AS bigint[]))
       AS r (org_id, indicator, breakdown, numerator, denominator, respondents)"""

_REGION_SNAPSHOT = "region_id = CAST(:region_id AS uuid) AND " + _SNAPSHOT
_DELETE_AREA_VALUES = f"DELETE FROM stat_area_value WHERE {_REGION_SNAPSHOT}"
_DELETE_AREA_SNAPSHOTS = f"DELETE FROM stat_area_snapshot WHERE {_REGION_SNAPSHOT}"

# Area snapshots: per municipality and for the region, per organisation type and for all types ('').
_INSERT_AREA_SNAPSHOTS = f"""
WITH active AS (
    SELECT o.id AS org_id, o.municipality_id, o.type AS org_type
      FROM organisation o JOIN municipality m ON m.id = o.municipality_id
     WHERE o.status = 'active' AND m.region_id = CAST(:region_id AS uuid)
), done AS (
    SELECT org_id FROM stat_org_snapshot WHERE {_REGION_SNAPSHOT}
)
INSERT INTO stat_area_snapshot (scope, scope_id, org_type, academic_year, as_of, region_id, municipality_id,
                                organisations, computed, computed_at)
SELECT CASE WHEN grouping(a.municipality_id) = 0 THEN 'municipality' ELSE 'region' END,
       coalesce(a.municipality_id, CAST(:region_id AS uuid)), coalesce(a.org_type, ''),
       CAST(:academic_year AS integer), CAST(:as_of AS date), CAST(:region_id AS uuid), a.municipality_id,
       count(a.org_id), count(done.org_id), CAST(:computed_at AS timestamptz)
  FROM active a LEFT JOIN done ON done.org_id = a.org_id
 GROUP BY GROUPING SETS ((a.municipality_id, a.org_type), (a.municipality_id), (a.org_type), ())"""


def _org_values(where: str, *, active_only: bool) -> str:
    """The stored organisation rows to sum (``v``): with the municipality and type each is filed under, and
    ``counted`` when it enters the sums (a share's rows with a denominator; every row of a count)."""
    active = "\n      JOIN organisation o ON o.id = s.org_id AND o.status = 'active'" if active_only else ""
    return f"""
WITH v AS (
    SELECT s.municipality_id, s.org_type, v.indicator, v.breakdown, v.numerator, v.denominator, v.respondents,
           (v.denominator IS NOT NULL OR v.indicator = ANY(CAST(:count_keys AS text[]))) AS counted
      FROM stat_org_value v
      JOIN stat_org_snapshot s
        ON s.org_id = v.org_id AND s.academic_year = v.academic_year AND s.as_of = v.as_of{active}
     WHERE {where}
)"""


_AREA_COLUMNS = """
INSERT INTO stat_area_value (scope, scope_id, org_type, academic_year, as_of, indicator, breakdown,
                             numerator, denominator, respondents, reporting, region_id, municipality_id)"""
_SUMS = """
       coalesce(sum(numerator) FILTER (WHERE counted), 0), sum(denominator) FILTER (WHERE counted),
       sum(respondents) FILTER (WHERE counted), count(*) FILTER (WHERE counted),
       CAST(:region_id AS uuid), municipality_id
  FROM v"""

# Area values: sums over the stored rows of the region's active organisations. A share's numerator and
# denominator are summed over the organisations that gave a denominator; counts over every organisation.
_INSERT_AREA_VALUES = f"""{
    _org_values(
        "s.region_id = CAST(:region_id AS uuid)"
        " AND s.academic_year = CAST(:academic_year AS integer) AND s.as_of = CAST(:as_of AS date)",
        active_only=True,
    )
}{_AREA_COLUMNS}
SELECT CASE WHEN grouping(municipality_id) = 0 THEN 'municipality' ELSE 'region' END,
       coalesce(municipality_id, CAST(:region_id AS uuid)), coalesce(org_type, ''),
       CAST(:academic_year AS integer), CAST(:as_of AS date), indicator, breakdown,{_SUMS}
 GROUP BY GROUPING SETS ((municipality_id, org_type, indicator, breakdown),
                         (municipality_id, indicator, breakdown),
                         (org_type, indicator, breakdown),
                         (indicator, breakdown))"""

# One organisation's recompute: its rows go, and those of the region's organisations that are no longer
# active (a regional recompute would drop them too); the municipalities they were filed under are derived
# again. The few ids are read first so that the deletes probe the primary keys: as a semi-join, the planner
# walked every organisation row of the snapshot.
_ORG_GONE = """
SELECT s.org_id, s.municipality_id FROM stat_org_snapshot s
 WHERE s.org_id = CAST(:org_id AS uuid)
   AND s.academic_year = CAST(:academic_year AS integer) AND s.as_of = CAST(:as_of AS date)
UNION
SELECT s.org_id, s.municipality_id
  FROM organisation o
  JOIN stat_org_snapshot s
    ON s.org_id = o.id
   AND s.academic_year = CAST(:academic_year AS integer) AND s.as_of = CAST(:as_of AS date)
 WHERE o.status <> 'active' AND s.region_id = CAST(:region_id AS uuid)"""
_DELETE_GONE_VALUES = f"DELETE FROM stat_org_value WHERE {_SNAPSHOT} AND org_id = ANY(CAST(:gone AS uuid[]))"
_DELETE_GONE_SNAPSHOTS = (
    f"DELETE FROM stat_org_snapshot WHERE {_SNAPSHOT} AND org_id = ANY(CAST(:gone AS uuid[]))"
)
# The active organisations filed under some municipalities: whose rows make those municipalities' rows.
_ORGS_OF_MUNICIPALITIES = """
SELECT s.org_id FROM stat_org_snapshot s JOIN organisation o ON o.id = s.org_id AND o.status = 'active'
 WHERE s.region_id = CAST(:region_id AS uuid) AND s.academic_year = CAST(:academic_year AS integer)
   AND s.as_of = CAST(:as_of AS date) AND s.municipality_id = ANY(CAST(:municipalities AS uuid[]))"""

# The municipality rows of some municipalities, from their organisations' stored rows (as
# _INSERT_AREA_VALUES does for all of them), and the region's rows as the sums of all municipality rows:
# a municipality row of one type sums the same organisation rows as the region's row of that type
# restricted to it, so summing numerators, denominators, respondents and reporting organisations over the
# municipalities gives exactly what summing over the organisations gives.
_DELETE_MUNICIPALITY_VALUES = f"""
DELETE FROM stat_area_value
 WHERE {_REGION_SNAPSHOT} AND scope = 'municipality' AND scope_id = ANY(CAST(:municipalities AS uuid[]))"""
_INSERT_MUNICIPALITY_VALUES = f"""{
    _org_values(
        "v.org_id = ANY(CAST(:org_ids AS uuid[]))"
        " AND v.academic_year = CAST(:academic_year AS integer) AND v.as_of = CAST(:as_of AS date)",
        active_only=False,
    )
}{_AREA_COLUMNS}
SELECT 'municipality', municipality_id, coalesce(org_type, ''),
       CAST(:academic_year AS integer), CAST(:as_of AS date), indicator, breakdown,{_SUMS}
 GROUP BY GROUPING SETS ((municipality_id, org_type, indicator, breakdown),
                         (municipality_id, indicator, breakdown))"""
_DELETE_REGION_VALUES = f"DELETE FROM stat_area_value WHERE {_REGION_SNAPSHOT} AND scope = 'region'"
_INSERT_REGION_VALUES = f"""
INSERT INTO stat_area_value (scope, scope_id, org_type, academic_year, as_of, indicator, breakdown,
                             numerator, denominator, respondents, reporting, region_id, municipality_id)
SELECT 'region', CAST(:region_id AS uuid), org_type, CAST(:academic_year AS integer), CAST(:as_of AS date),
       indicator, breakdown, sum(numerator), sum(denominator), sum(respondents), sum(reporting),
       CAST(:region_id AS uuid), NULL
  FROM stat_area_value
 WHERE {_REGION_SNAPSHOT} AND scope = 'municipality'
 GROUP BY org_type, indicator, breakdown"""

_INSERT_RUN = """
INSERT INTO stat_run (region_id, scope, scope_id, academic_year, as_of, organisations, job_try, started_at,
                      finished_at)
VALUES (CAST(:region_id AS uuid), :scope, CAST(:scope_id AS uuid), CAST(:academic_year AS integer),
        CAST(:as_of AS date), :organisations, :job_try, :started_at, clock_timestamp())
RETURNING finished_at"""


def lock_key(region_id: uuid.UUID, academic_year: int, as_of: date) -> str:
    return f"nastavnik.domain.statistics:{region_id}:{academic_year}:{as_of.isoformat()}"


async def _region_of(conn: AsyncConnection, snapshot: Snapshot) -> tuple[uuid.UUID, dict[str, Any]]:
    """The region the scope lies in, and the scope's filter parameters."""
    params: dict[str, uuid.UUID | None]
    if snapshot.scope is ScopeKind.REGION:
        found = await conn.scalar(text("SELECT id FROM region WHERE id = :id"), {"id": snapshot.scope_id})
        params = {"municipality_id": None, "org_id": None}
    elif snapshot.scope is ScopeKind.MUNICIPALITY:
        found = await conn.scalar(
            text("SELECT region_id FROM municipality WHERE id = :id"), {"id": snapshot.scope_id}
        )
        params = {"municipality_id": snapshot.scope_id, "org_id": None}
    else:
        found = await conn.scalar(
            text(
                "SELECT m.region_id FROM organisation o JOIN municipality m ON m.id = o.municipality_id"
                " WHERE o.id = :id"
            ),
            {"id": snapshot.scope_id},
        )
        params = {"municipality_id": None, "org_id": snapshot.scope_id}
    if found is None:
        raise UnknownScope(snapshot.key)
    region_id = found if isinstance(found, uuid.UUID) else uuid.UUID(str(found))
    return region_id, params


@asynccontextmanager
async def _set_locally(conn: AsyncConnection, setting: str, value: str) -> AsyncIterator[None]:
    """``setting`` at ``value`` for the statements inside, then back to what the transaction's other
    statements are planned with."""
    previous = await conn.scalar(
        text("SELECT current_setting(:setting), set_config(:setting, :value, true)"),
        {"setting": setting, "value": value},
    )
    yield
    await conn.execute(
        text("SELECT set_config(:setting, :value, true)"), {"setting": setting, "value": previous}
    )


def _nested_loops(conn: AsyncConnection, allowed: bool) -> AbstractAsyncContextManager[None]:
    """Statements planned without nested loops unless ``allowed``."""
    return nullcontext() if allowed else _set_locally(conn, "enable_nestloop", "off")


async def _derive_municipalities(
    conn: AsyncConnection,
    region_params: dict[str, Any],
    municipalities: list[uuid.UUID],
    count_keys: list[str],
) -> None:
    """The rows of ``municipalities`` from their organisations' rows, then the region's from all
    municipalities' rows: one organisation's recompute re-reads its municipality, not the whole region."""
    if municipalities:
        area_params = {**region_params, "municipalities": municipalities}
        await conn.execute(text(_DELETE_MUNICIPALITY_VALUES), area_params)
        org_ids = list((await conn.scalars(text(_ORGS_OF_MUNICIPALITIES), area_params)).all())
        await conn.execute(
            text(_INSERT_MUNICIPALITY_VALUES), {**area_params, "org_ids": org_ids, "count_keys": count_keys}
        )
    await conn.execute(text(_DELETE_REGION_VALUES), region_params)
    await conn.execute(text(_INSERT_REGION_VALUES), region_params)


async def _settle(conn: AsyncConnection, statement_timeout_ms: int | None, *, share: bool = False) -> None:
    """The settings of a recompute's transaction (each connection's own, ending with it).

    Whole-table aggregations: hashes and sorts in memory rather than on disk (at size L, with 64 MB, the
    groups' hash and the mentors' scores' sort spilled). The prepared tables are analysed from a small
    sample: enough for the planner to see their size, cheap to take. No JIT compilation: at size L every
    large statement crossed its thresholds and compiling took 0.8 s of the recompute in all
    (docs/statistics.md, «Against the floor»). A ``share``'s statements run without parallel workers: the
    shares are the parallelism, and a share's workers would only contend with the other shares.
    """
    settings = (
        "SELECT set_config('work_mem', '128MB', true),"
        " set_config('default_statistics_target', '10', true), set_config('jit', 'off', true)"
    )
    if share:
        settings += ", set_config('max_parallel_workers_per_gather', '0', true)"
    await conn.execute(text(settings))
    if statement_timeout_ms:
        # Transaction-local: a stuck statement cannot outlive the job that waits for it.
        await conn.execute(
            text("SELECT set_config('statement_timeout', :ms, true)"), {"ms": str(statement_timeout_ms)}
        )


# An indicator's row as stat_org_value stores it: organisation, indicator, breakdown, numerator,
# denominator, respondents.
ValueRow = tuple[uuid.UUID, str, str, int, int | None, int | None]


async def _compute_values(
    conn: AsyncConnection, queries: list[IndicatorQuery], params: dict[str, Any], *, whole_scope: bool
) -> list[ValueRow]:
    """Every indicator's rows for the organisations of ``params``' scope and share, in ``conn``'s
    transaction.

    The rows the indicators share are first made temporary tables of that transaction, each built in one
    statement and, over a municipality or the region, analysed so that the statements reading it are
    planned on its real contents. A table the indicators planned without nested loops read is built
    without them too.
    """
    prepared = PREPARED if params.get("share_orgs") is None else PREPARED_LISTED
    for table, rows in prepared.items():
        readers = [q for q in queries if table in q.sql]
        if not readers:
            continue
        async with _nested_loops(conn, all(q.nested_loops for q in readers) or not whole_scope):
            await conn.execute(
                text(f"CREATE TEMPORARY TABLE {table} ON COMMIT DROP AS WITH {_SCOPE} {rows}"), params
            )
        if whole_scope:  # one organisation's few rows plan well enough on the table's size alone
            await conn.execute(text(f"ANALYZE {table}"))
    values: list[ValueRow] = []
    for query in queries:
        key = query.indicator.key
        async with _nested_loops(conn, query.nested_loops or not whole_scope):
            result = await conn.execute(text(_SELECT_VALUES.format(sql=query.sql)), {**params, **query.bind})
        values.extend((org_id, key, *rest) for org_id, *rest in result)
    return values


def split(org_ids: list[uuid.UUID], shares: int) -> list[list[uuid.UUID]]:
    """``org_ids`` dealt into at most ``shares`` shares, in turn, none empty."""
    return [part for part in (org_ids[i::shares] for i in range(shares)) if part]


async def _share_values(
    engine: AsyncEngine,
    queries: list[IndicatorQuery],
    params: dict[str, Any],
    share_orgs: list[uuid.UUID],
    statement_timeout_ms: int | None,
) -> list[ValueRow]:
    """One share's rows, on a connection and in a transaction of its own that writes nothing but its
    temporary tables (gone at its end)."""
    async with engine.connect() as conn, conn.begin():
        await _settle(conn, statement_timeout_ms, share=True)
        return await _compute_values(conn, queries, {**params, "share_orgs": share_orgs}, whole_scope=True)


def reads_prepared(query: IndicatorQuery) -> bool:
    """Whether ``query`` reads rows the recompute prepares (:data:`PREPARED`)."""
    return any(table in query.sql for table in PREPARED)


async def _values_in_shares(
    conn: AsyncConnection,
    engine: AsyncEngine,
    queries: list[IndicatorQuery],
    params: dict[str, Any],
    shares: list[list[uuid.UUID]],
    statement_timeout_ms: int | None,
) -> list[ValueRow]:
    """The rows of the organisations of ``shares``. The indicators that read the prepared rows are
    computed in the shares, each share at the same time on a connection of its own; the others, while they
    run, on ``conn`` over the whole scope: what they read is a scan of a large table (the plan tasks, the
    people) that a share's list narrows only by filtering it row by row, so each share would scan all of
    it again. The first failure is raised as it is (a transient one is retried by the job as before) once
    the other computations are cancelled: their transactions roll back, and so does the caller's."""
    in_shares = [q for q in queries if reads_prepared(q)]
    whole = [q for q in queries if not reads_prepared(q)]
    tasks = [
        asyncio.create_task(_share_values(engine, in_shares, params, share, statement_timeout_ms))
        for share in shares
    ]
    if whole:
        # Beside the shares, which keep the cores busy: no parallel workers of its own.
        tasks.append(asyncio.create_task(_alone(conn, whole, params)))
    try:
        parts = await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    return [row for part in parts for row in part]


async def _alone(
    conn: AsyncConnection, queries: list[IndicatorQuery], params: dict[str, Any]
) -> list[ValueRow]:
    """``queries`` on ``conn`` over the whole scope without parallel workers."""
    async with _set_locally(conn, "max_parallel_workers_per_gather", "0"):
        return await _compute_values(conn, queries, params, whole_scope=True)


async def _insert_values(conn: AsyncConnection, params: dict[str, Any], values: list[ValueRow]) -> None:
    if not values:
        return
    org_ids, indicators, breakdowns, numerators, denominators, respondents = map(
        list, zip(*values, strict=True)
    )
    await conn.execute(
        text(_INSERT_VALUES),
        {
            "academic_year": params["academic_year"],
            "as_of": params["as_of"],
            "org_ids": org_ids,
            "indicators": indicators,
            "breakdowns": breakdowns,
            "numerators": numerators,
            "denominators": denominators,
            "respondents": respondents,
        },
    )


async def recompute(
    engine: AsyncEngine,
    plugins: Plugins,
    snapshot: Snapshot,
    *,
    job_try: int = 1,
    statement_timeout_ms: int | None = None,
    connections: int = 2,
    shares_engine: AsyncEngine | None = None,
) -> RunResult:
    """Replace the snapshot's rows, and the region's aggregates, in one transaction (see the module).

    A municipality's or the region's organisations are computed in ``connections`` shares at once, each on
    a connection of its own (the setting ``statistics_recompute_connections``): on one connection the
    recompute is one core's work, and most of its statements cannot use PostgreSQL's parallel workers
    (docs/statistics.md, «Against the floor»). The shares' connections come from ``shares_engine``, the
    worker's unpooled one, so that a share never waits for a connection that a recompute waiting for its
    shares holds (several regions' recomputes at once would otherwise empty the pool and wait on each
    other); None: from ``engine``, for callers that run one recompute at a time. Each share's transaction
    reads the data committed when each of its statements starts, as every statement of a
    single-connection recompute does; the advisory lock, held by this transaction throughout, keeps other
    recomputes of the snapshot out. Readers still see the previous figures until this transaction
    commits: the shares only read.
    """
    started = time.perf_counter()
    queries = catalogue(plugins)
    async with engine.begin() as conn:
        region_id, scope_params = await _region_of(conn, snapshot)
        await conn.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
            {"key": lock_key(region_id, snapshot.academic_year, snapshot.as_of)},
        )
        started_at = await conn.scalar(text("SELECT clock_timestamp()"))
        await _settle(conn, statement_timeout_ms)
        params: dict[str, Any] = {
            "region_id": region_id,
            "academic_year": snapshot.academic_year,
            "as_of": snapshot.as_of,
            **scope_params,
            **_ALL_SHARES,
        }
        touched: set[uuid.UUID] = set()
        if snapshot.scope is ScopeKind.ORGANISATION:
            gone = (await conn.execute(text(_ORG_GONE), params)).all()
            touched.update(municipality_id for _, municipality_id in gone)
            gone_ids = list({snapshot.scope_id, *(org_id for org_id, _ in gone)})
            await conn.execute(text(_DELETE_GONE_VALUES), {**params, "gone": gone_ids})
            await conn.execute(text(_DELETE_GONE_SNAPSHOTS), {**params, "gone": gone_ids})
        else:
            await conn.execute(text(_DELETE_ORG_VALUES), params)
            await conn.execute(text(_DELETE_ORG_SNAPSHOTS), params)
        # The platform's clock, not the database's: a pinned clock shows the same moment everywhere.
        computed_at = clock.now()
        inserted = await conn.execute(
            text(_INSERT_ORG_SNAPSHOTS + " RETURNING org_id, municipality_id"),
            {**params, "computed_at": computed_at},
        )
        entered = inserted.all()
        touched.update(municipality_id for _, municipality_id in entered)
        organisations = len(entered)
        whole_scope = snapshot.scope is not ScopeKind.ORGANISATION
        if whole_scope and connections > 1 and organisations > 1:
            shares = split(sorted(org_id for org_id, _ in entered), connections)
            values = await _values_in_shares(
                conn, shares_engine or engine, queries, params, shares, statement_timeout_ms
            )
        else:
            values = await _compute_values(conn, queries, params, whole_scope=whole_scope)
        await _insert_values(conn, params, values)
        computed = [query.indicator.key for query in queries]
        region_params = {
            "region_id": region_id,
            "academic_year": snapshot.academic_year,
            "as_of": snapshot.as_of,
        }
        count_keys = [q.indicator.key for q in queries if q.indicator.kind in (Kind.COUNT, Kind.BREAKDOWN)]
        # The area snapshots (organisations per municipality and type) are derived whole: they read the
        # region's organisations, not their figures, and cost little.
        await conn.execute(text(_DELETE_AREA_SNAPSHOTS), region_params)
        await conn.execute(text(_INSERT_AREA_SNAPSHOTS), {**region_params, "computed_at": computed_at})
        if snapshot.scope is ScopeKind.ORGANISATION:
            await _derive_municipalities(conn, region_params, sorted(touched), count_keys)
        else:
            await conn.execute(text(_DELETE_AREA_VALUES), region_params)
            await conn.execute(text(_INSERT_AREA_VALUES), {**region_params, "count_keys": count_keys})
        finished_at = await conn.scalar(
            text(_INSERT_RUN),
            {
                **region_params,
                "scope": snapshot.scope.value,
                "scope_id": snapshot.scope_id,
                "organisations": organisations,
                "job_try": job_try,
                "started_at": started_at,
            },
        )
    return RunResult(
        region_id=region_id,
        organisations=organisations,
        indicators=computed,
        seconds=time.perf_counter() - started,
        finished_at=finished_at,
    )
