"""What a region's wording of the dictionaries costs a request: ``dictionaries_for`` timed.

Run from the repository root::

    uv run python -m benchmarks.dictionaries_bench [--rows 200] [--calls 500]

Services as for the tests (``NASTAVNIK_TEST_DATABASE_URL``, ``NASTAVNIK_TEST_REDIS_URL``); the run
creates a database and roles of its own and drops them at the end.

Measured for a school of region R1 inside one open session, as a request has it (its transaction
already begun), for regions with no rows, ``--rows`` rows and ten times as many (renames, hidden
entries, added entries):
1. the first call of a request: the one indexed query and the overlay on the plugins' entries;
2. a further call of the same request: the memo, no query (target: no query at all);
and the difference of 1. to the region without rows (target: at most 2 ms at the median for
``--rows``).

This is a benchmark, not a test: it prints its figures and exits 0 whether targets are met or not.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable

from sqlalchemy import delete, event
from sqlalchemy.ext.asyncio import AsyncSession
from tests.support.world import World, build_world

from benchmarks.services import services_from_environment
from nastavnik.db.scope import DbScope, scoped_session
from nastavnik.domain.dictionaries.catalogue import dictionaries_for
from nastavnik.domain.dictionaries.models import RegionDictionaryEntry
from nastavnik.domain.dictionaries.overrides import forget
from nastavnik.runtime import Runtime
from nastavnik.tenancy import OrgContext, load_actor, resolve_org_context
from nastavnik.testing import create_test_database, drop_test_database, migrated_runtime, settings_for


async def context(runtime: Runtime, world: World) -> tuple[OrgContext, DbScope]:
    org = world.orgs["school_a"]
    scope = DbScope(identity_id=org.identities["curator"], org_id=org.id)
    async with scoped_session(runtime.app_sessions, scope) as db:
        actor = await load_actor(db, org.identities["curator"])
        assert actor is not None
        return await resolve_org_context(db, actor, org.slug, runtime.plugins), scope


async def seed(runtime: Runtime, world: World, rows: int) -> None:
    """``rows`` rows for R1: every third a rename, every third hidden, the rest added role models."""
    async with runtime.owner_sessions() as db:
        await db.execute(
            delete(RegionDictionaryEntry).where(RegionDictionaryEntry.region_id == world.regions["R1"])
        )
        codes = [
            ("form", "student_student"),
            ("form", "teacher_student"),
            ("role_model", "peer_to_peer"),
            ("role_model", "leader_passive"),
            ("kind", "traditional"),
            ("kind", "group"),
        ]
        for n in range(rows):
            renamed = n % 3 == 0 and n // 3 < len(codes)
            db.add(
                RegionDictionaryEntry(
                    region_id=world.regions["R1"],
                    kind=codes[n // 3][0] if renamed else "role_model",
                    regime="learners",
                    code=codes[n // 3][1] if renamed else f"region_{n}",
                    organisation_type="school" if n % 2 else None,
                    title=f"Название {n}",
                    hidden=n % 3 == 1,
                    added=not renamed,
                    description="",
                    mentor_categories=[],
                )
            )
        await db.commit()


async def timed(calls: int, once: Callable[[], Awaitable[object]]) -> list[float]:
    await once()  # warm the pool and the plans
    times = []
    for _ in range(calls):
        started = time.perf_counter()
        await once()
        times.append((time.perf_counter() - started) * 1000)
    return times


def describe(name: str, times: list[float]) -> float:
    ordered = sorted(times)
    median = statistics.median(ordered)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    print(f"  {name:<44} median {median:6.3f} ms   p95 {p95:6.3f} ms   max {ordered[-1]:6.3f} ms")
    return median


async def run(args: argparse.Namespace) -> None:
    services = services_from_environment()
    database = await create_test_database(services, "dictbench")
    runtime: Runtime | None = None
    try:
        runtime = await migrated_runtime(settings_for(services, database, log_level="WARNING"))
        world = await build_world(runtime)
        ctx, scope = await context(runtime, world)
        rt = runtime
        queries: list[str] = []

        def count(conn: object, cursor: object, statement: str, *rest: object) -> None:
            if "region_dictionary_entry" in statement:
                queries.append(statement)

        print(f"school_a of R1, {args.calls} calls each, in one open session:")
        firsts: dict[int, float] = {}
        for rows in (0, args.rows, 10 * args.rows):
            await seed(runtime, world, rows)
            async with scoped_session(runtime.app_sessions, scope) as db:

                async def first(db: AsyncSession = db) -> object:
                    forget(db)  # as at the start of a request
                    return await dictionaries_for(db, rt.plugins, ctx)

                firsts[rows] = describe(
                    f"{rows} rows, first call of a request", await timed(args.calls, first)
                )
                event.listen(runtime.app_engine.sync_engine, "before_cursor_execute", count)
                try:
                    again = await timed(args.calls, lambda db=db: dictionaries_for(db, rt.plugins, ctx))
                finally:
                    event.remove(runtime.app_engine.sync_engine, "before_cursor_execute", count)
                describe(f"{rows} rows, a further call (the memo)", again)
                offered = await dictionaries_for(db, rt.plugins, ctx)
                print(f"    entries offered: {len(offered.offered)}, hidden: {len(offered.hidden)}")
        print("\n== Summary ==")
        for rows in (args.rows, 10 * args.rows):
            print(f"  added by {rows} rows of the region at the median: {firsts[rows] - firsts[0]:.3f} ms")
        print(f"  (target for {args.rows} rows: <= 2 ms)")
        print(f"  queries on further calls in a request: {len(queries)} (target 0)")
    finally:
        if runtime is not None:
            await runtime.close()
        await drop_test_database(services, database)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=20, help="rows of the region's own wording")
    parser.add_argument("--calls", type=int, default=500, help="timed calls per measurement")
    asyncio.run(run(parser.parse_args(argv)))


if __name__ == "__main__":
    main()
