"""Fresh figures: how long after a committed change an organisation's figures show it.

On the synthetic region of ``stats_bench`` (``--size S``, M or L), after its full recompute (the night's run),
with a real arq worker running in this process: for each sample an organisation's headcount is changed and
committed, its recompute scheduled exactly as the commit hook schedules it (``fresh_figures.schedule``), and
the time is taken until the organisation's snapshot shows a new computation. Printed per sample and as
median and maximum beside the target (60 s), with the parts: the debounce window
(``--delay``, the setting ``statistics_fresh_delay``) and the job's own recompute.

    uv run python -m benchmarks.fresh_bench --size S [--delay 20] [--samples 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid
from datetime import UTC, datetime, time as day_time

from sqlalchemy import text

from benchmarks.services import services_from_environment
from benchmarks.stats_bench import AS_OF, SIZES, YEAR, generate
from nastavnik import clock
from nastavnik.domain.statistics.recompute import ScopeKind, Snapshot, recompute
from nastavnik.fresh_figures import schedule
from nastavnik.runtime import Runtime
from nastavnik.testing import RUN, create_test_database, drop_test_database, migrated_runtime, settings_for
from nastavnik.worker import build_worker

TARGET_S = 60.0


async def computed_at(runtime: Runtime, org_id: uuid.UUID) -> datetime | None:
    async with runtime.owner_engine.connect() as conn:
        found = await conn.scalar(
            text("SELECT computed_at FROM stat_org_snapshot WHERE org_id = :o AND as_of = :d"),
            {"o": org_id, "d": AS_OF},
        )
    return found if isinstance(found, datetime) else None


async def main(size_name: str, delay: int, samples: int) -> None:
    services = services_from_environment()
    size = SIZES[size_name]
    database = await create_test_database(services, f"fresh{size.name.lower()}")
    settings = settings_for(
        services,
        database,
        redis_prefix=f"nastavnik-fresh-{RUN}-{size.name}",
        log_level="WARNING",
        statistics_fresh=True,
        statistics_fresh_delay=delay,
    )
    runtime = await migrated_runtime(settings)
    worker = build_worker(runtime, poll_delay=0.1, cron_jobs=[])
    running: asyncio.Task[None] | None = None
    try:
        region_id, generate_s = await generate(runtime, size, uuid.uuid4().hex[:8])
        print(f"[{size.name}] generated in {generate_s:.1f} s", flush=True)
        async with runtime.owner_engine.connect() as conn:
            zone = await conn.scalar(text("SELECT timezone FROM region WHERE id = :r"), {"r": region_id})
            orgs = list(
                await conn.scalars(
                    text(
                        "SELECT o.id FROM organisation o JOIN municipality m ON m.id = o.municipality_id"
                        " JOIN headcount h ON h.org_id = o.id AND h.academic_year = :y"
                        " WHERE m.region_id = :r AND o.status = 'active' ORDER BY o.id LIMIT :n"
                    ),
                    {"r": region_id, "y": YEAR, "n": samples},
                )
            )
        # The job recomputes "today": the generated snapshot's date, noon on the region's clock.
        noon = datetime.combine(AS_OF, day_time(12), tzinfo=clock.zone(zone)).astimezone(UTC)
        with clock.pinned(noon, tick=True):
            full = await recompute(
                runtime.aggregator_engine, runtime.plugins, Snapshot(ScopeKind.REGION, region_id, YEAR, AS_OF)
            )
            print(f"[{size.name}] full recompute {full.seconds:.2f} s ({full.organisations} organisations)")
            running = asyncio.create_task(worker.async_run())
            waits, runs = [], []
            for n, org_id in enumerate(orgs):
                before = await computed_at(runtime, org_id)
                async with runtime.owner_engine.begin() as conn:
                    await conn.execute(
                        text(
                            "UPDATE headcount SET learners_10_18 = greatest(learners_10_18 - 1, 0)"
                            " WHERE org_id = :o AND academic_year = :y"
                        ),
                        {"o": org_id, "y": YEAR},
                    )
                committed = time.perf_counter()
                await schedule(runtime, [org_id])
                # Polled: what is shown is the database's.
                while await computed_at(runtime, org_id) == before:  # noqa: ASYNC110
                    await asyncio.sleep(0.1)
                waited = time.perf_counter() - committed
                async with runtime.owner_engine.connect() as conn:
                    run_s = await conn.scalar(
                        text(
                            "SELECT extract(epoch FROM finished_at - started_at) FROM stat_run"
                            " WHERE scope_id = :o ORDER BY finished_at DESC LIMIT 1"
                        ),
                        {"o": org_id},
                    )
                waits.append(waited)
                runs.append(float(run_s or 0))
                print(
                    f"  sample {n + 1}: shown after {waited:.2f} s"
                    f" (window {delay} s, job's recompute {runs[-1]:.3f} s)"
                )
        median, worst = statistics.median(waits), max(waits)
        verdict = "met" if worst <= TARGET_S else "missed"
        print(
            f"[{size.name}] fresh after a change: median {median:.2f} s, max {worst:.2f} s"
            f" (target ≤ {TARGET_S:.0f} s: {verdict}); window {delay} s; the job's recompute median"
            f" {statistics.median(runs):.3f} s, max {max(runs):.3f} s"
        )
    finally:
        if running is not None:
            running.cancel()
            await asyncio.gather(running, return_exceptions=True)
        await worker.close()
        await runtime.close()
        await drop_test_database(services, database)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="S", help="S, M or L")
    parser.add_argument("--delay", type=int, default=20, help="the debounce window, seconds")
    parser.add_argument("--samples", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.size.strip().upper(), args.delay, args.samples))
