"""Fresh figures: a committed change schedules its organisation's recompute, which the real worker runs.

Fresh figures are on here (the tests' settings turn them off for the rest of the suite), and the app
waits no debounce (``statistics_fresh_delay`` 0): the queue is worked only after the changes,
so a burst still finds its run scheduled and not started, exactly as within the real window.
"""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from datetime import date

from arq.jobs import Job
from sqlalchemy import func, select, text

from nastavnik import audit, fresh_figures
from nastavnik.domain.statistics.models import StatOrgSnapshot, StatRun
from nastavnik.domain.statistics.recompute import ScopeKind, Snapshot, lock_key, recompute
from nastavnik.jobs import queue_name
from nastavnik.runtime import Runtime
from nastavnik.testing.apps import app_with
from tests.statistics.queue import run_worker
from tests.statistics.stored import org_figures, region_figures
from tests.support.dates import RegionDates
from tests.support.http import Client
from tests.support.programme import active_pair, form_group, open_programme, staffed
from tests.support.tenant import Tenant
from tests.support.world import World


def quick(runtime: Runtime) -> Runtime:
    return dataclasses.replace(
        runtime,
        settings=runtime.settings.model_copy(update={"statistics_fresh": True, "statistics_fresh_delay": 0}),
    )


async def region_of(runtime: Runtime, org_id: uuid.UUID) -> uuid.UUID:
    async with runtime.owner_sessions() as db:
        found = await db.scalar(
            text(
                "SELECT m.region_id FROM organisation o JOIN municipality m ON m.id = o.municipality_id"
                " WHERE o.id = :id"
            ),
            {"id": org_id},
        )
    assert isinstance(found, uuid.UUID)
    return found


async def today_computed(runtime: Runtime, org_id: uuid.UUID, dates: RegionDates) -> tuple[uuid.UUID, date]:
    """The region's snapshot of today, computed in full: the organisations' runs after it are incremental."""
    region_id = await region_of(runtime, org_id)
    today = dates.today
    await run_worker(runtime)  # whatever the tests before left queued
    await recompute(
        runtime.aggregator_engine,
        runtime.plugins,
        Snapshot(ScopeKind.REGION, region_id, dates.year, today),
    )
    return region_id, today


async def runs_of(runtime: Runtime, scope_id: uuid.UUID) -> int:
    async with runtime.owner_sessions() as db:
        return int(
            await db.scalar(select(func.count()).select_from(StatRun).where(StatRun.scope_id == scope_id))
            or 0
        )


async def computed_at(runtime: Runtime, org_id: uuid.UUID, as_of: date) -> object:
    async with runtime.owner_sessions() as db:
        return await db.scalar(
            select(StatOrgSnapshot.computed_at).where(
                StatOrgSnapshot.org_id == org_id, StatOrgSnapshot.as_of == as_of
            )
        )


async def set_headcount(curator: Client, tenant: Tenant, dates: RegionDates, learners: int) -> None:
    response = await curator.put(
        f"/api/o/{tenant.slug}/headcounts/{dates.year}",
        json={"learners_total": 300, "learners_10_18": learners, "pedagogues": 40, "young_pedagogues": 3},
    )
    assert response.status_code == 200, response.text


async def scheduled(runtime: Runtime, org_id: uuid.UUID) -> bool:
    return bool(await runtime.redis.exists(fresh_figures.scheduled_key(runtime, org_id)))


async def test_a_pair_formed_moves_the_organisation_and_the_region_after_the_job(
    runtime: Runtime, world: World, dates: RegionDates
) -> None:
    fast = quick(runtime)
    tenant, ids = await staffed(runtime, world)
    async with tenant.signed_in(app_with(fast)) as curator:
        # Its headcount given, the organisation's shares count in the region's sums.
        await set_headcount(curator, tenant, dates, 100)
        region_id, today = await today_computed(runtime, tenant.id, dates)
        before = await org_figures(runtime, tenant.id, today)
        region_before = await region_figures(runtime, region_id, today)
        runs = await runs_of(runtime, tenant.id)
        pid = await open_programme(curator, tenant)
        await active_pair(curator, tenant, pid, ids["sidorova"], ids["novikova"])
        # Committed, and not counted yet: the figures are tonight's until the job runs.
        assert await scheduled(runtime, tenant.id)
        assert await org_figures(runtime, tenant.id, today) == before
        assert await run_worker(runtime) == 1
    assert not await scheduled(runtime, tenant.id)
    assert await runs_of(runtime, tenant.id) == runs + 1
    after, region_after = (
        await org_figures(runtime, tenant.id, today),
        await region_figures(runtime, region_id, today),
    )
    # One young teacher mentored, and one more teacher involved: here and in the region's row, by the same one.
    key = ("young_teachers_mentored", "")
    assert after[key][0] == before.get(key, (0, None))[0] + 1
    assert region_after[key][0] == region_before[key][0] + 1
    # Whatever the organisation's figure moved by, the region's moved by as much: the levels add up.
    involved = ("teachers_involved", "")
    moved = after[involved][0] - before.get(involved, (0, None))[0]
    assert moved > 0
    assert region_after[involved][0] - region_before[involved][0] == moved


async def test_a_burst_of_changes_makes_one_run_and_another_organisation_is_untouched(
    runtime: Runtime, world: World, dates: RegionDates
) -> None:
    fast = quick(runtime)
    tenant, ids = await staffed(runtime, world)
    other, _ = await staffed(runtime, world)
    region_id, today = await today_computed(runtime, tenant.id, dates)
    other_rows, other_at = (
        await org_figures(runtime, other.id, today),
        await computed_at(runtime, other.id, today),
    )
    runs, other_runs, region_runs = (
        await runs_of(runtime, tenant.id),
        await runs_of(runtime, other.id),
        await runs_of(runtime, region_id),
    )
    async with tenant.signed_in(app_with(fast)) as curator:
        pid = await open_programme(curator, tenant)
        for mentee in ("novikova", "orlova", "belov"):
            await form_group(
                curator, tenant, pid, ids["sidorova" if mentee != "belov" else "kuznetsov"], ids[mentee]
            )
        for n in range(5):  # headcounts edited again and again
            response = await curator.put(
                f"/api/o/{tenant.slug}/headcounts/{dates.year}",
                json={
                    "learners_total": 300,
                    "learners_10_18": 100 + n,
                    "pedagogues": 40,
                    "young_pedagogues": 3,
                },
            )
            assert response.status_code in (200, 204), response.text
    assert await run_worker(runtime) == 1
    assert await runs_of(runtime, tenant.id) == runs + 1
    # The job of one organisation recomputes it alone: the other's rows are the very ones computed before.
    assert await runs_of(runtime, other.id) == other_runs
    assert await runs_of(runtime, region_id) == region_runs
    assert await computed_at(runtime, other.id, today) == other_at
    assert await org_figures(runtime, other.id, today) == other_rows


async def test_a_rolled_back_change_schedules_nothing(
    runtime: Runtime, world: World, dates: RegionDates
) -> None:
    fast = quick(runtime)
    tenant = (await staffed(runtime, world))[0]
    await today_computed(runtime, tenant.id, dates)
    runs = await runs_of(runtime, tenant.id)
    async with fast.app_sessions() as db, db.begin():
        await db.execute(text("SELECT 1"))
        fresh_figures.figures_changed(db, tenant.id)
        await db.rollback()
    assert not await scheduled(runtime, tenant.id)
    # The same change committed is scheduled: the test above can tell the two apart.
    async with fast.app_sessions() as db:
        await db.execute(text("SELECT 1"))
        fresh_figures.figures_changed(db, tenant.id)
        await db.commit()
    assert await scheduled(runtime, tenant.id)
    assert await run_worker(runtime) == 1
    assert await runs_of(runtime, tenant.id) == runs + 1


async def test_a_change_during_a_run_makes_one_more_run_after_it(
    runtime: Runtime, world: World, dates: RegionDates
) -> None:
    fast = quick(runtime)
    tenant = (await staffed(runtime, world))[0]
    region_id, today = await today_computed(runtime, tenant.id, dates)
    runs = await runs_of(runtime, tenant.id)
    async with tenant.signed_in(app_with(fast)) as curator:
        await set_headcount(curator, tenant, dates, 50)  # a run scheduled
        # The run starts, and waits for the snapshot's lock, which this transaction holds.
        async with runtime.owner_sessions() as holder, holder.begin():
            await holder.execute(
                text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
                {"key": lock_key(region_id, dates.year, today)},
            )
            worker = asyncio.create_task(run_worker(runtime))
            # Polled: the run's wait is seen only in the database.
            while not await _waiting_for_lock(runtime):  # noqa: ASYNC110
                await asyncio.sleep(0.05)
            assert not await scheduled(runtime, tenant.id)  # taken by the run under way
            await set_headcount(curator, tenant, dates, 77)  # one commit, while the run waits
            assert await scheduled(runtime, tenant.id)  # the next run
        await worker
        await run_worker(runtime)
    assert await runs_of(runtime, tenant.id) == runs + 2
    # The last run counted the headcount given while the first one ran.
    assert (await org_figures(runtime, tenant.id, today))[("learners_covered", "")][1] == 77


async def _waiting_for_lock(runtime: Runtime) -> bool:
    async with runtime.owner_sessions() as db:
        waiting = await db.scalar(
            text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
        )
    return bool(waiting)


async def test_a_tenant_of_no_region_snapshot_today_gets_the_whole_region(
    runtime: Runtime, world: World, dates: RegionDates
) -> None:
    """Before the night's run of a new day, one organisation's run would show the region as one school."""
    tenant: Tenant = (await staffed(runtime, world))[0]
    region_id = await region_of(runtime, tenant.id)
    await run_worker(runtime)
    async with runtime.owner_sessions() as db:
        await db.execute(
            text("DELETE FROM stat_area_value WHERE region_id = :r AND as_of = :d"),
            {"r": region_id, "d": dates.today},
        )
        await db.execute(
            text("DELETE FROM stat_area_snapshot WHERE region_id = :r AND as_of = :d"),
            {"r": region_id, "d": dates.today},
        )
        await db.commit()
    region_runs = await runs_of(runtime, region_id)
    await fresh_figures.schedule(quick(runtime), [tenant.id])
    assert await run_worker(runtime) == 1
    assert await runs_of(runtime, region_id) == region_runs + 1


async def test_a_run_waits_the_debounce_and_none_is_scheduled_where_fresh_figures_are_off(
    runtime: Runtime, world: World
) -> None:
    tenant = (await staffed(runtime, world))[0]
    await run_worker(runtime)
    # The suite's own settings: off. A committed change schedules nothing.
    async with runtime.app_sessions() as db:
        await db.execute(text("SELECT 1"))
        fresh_figures.figures_changed(db, tenant.id)
        await db.commit()
    assert not await scheduled(runtime, tenant.id)
    # On, with a window (20 s by default, 2 here): the job is queued to run that long after it was enqueued.
    assert runtime.settings.statistics_fresh_delay == 20
    on = dataclasses.replace(
        runtime,
        settings=runtime.settings.model_copy(update={"statistics_fresh": True, "statistics_fresh_delay": 2}),
    )
    assert await fresh_figures.schedule(on, [tenant.id]) == 1
    assert await fresh_figures.schedule(on, [tenant.id]) == 0  # the one scheduled counts it
    assert runtime.queue is not None
    queued = await runtime.queue.zrange(queue_name(runtime.settings), 0, -1, withscores=True)
    assert len(queued) == 1
    job_id, score = queued[0]
    info = await Job(job_id.decode(), runtime.queue, _queue_name=queue_name(runtime.settings)).info()
    assert info is not None
    assert info.function == fresh_figures.FRESH_JOB
    assert score - info.enqueue_time.timestamp() * 1000 >= 2_000 - 1
    assert await run_worker(runtime) == 1  # the worker waits it out


def test_what_the_audit_log_counts_as_a_change_to_the_figures() -> None:
    assert audit.counts_toward_figures("create", audit.ObjectKind.MENTORING_GROUP, "success")
    assert audit.counts_toward_figures("update", audit.ObjectKind.HEADCOUNT, "success")
    assert audit.counts_toward_figures("create", audit.ObjectKind.QUESTIONNAIRE_ANSWERS, "success")
    assert audit.counts_toward_figures("update", audit.ObjectKind.PLAN_ITEM, "success")
    assert audit.counts_toward_figures("create", audit.ObjectKind.MENTEE_IMPORT, "success")
    assert audit.counts_toward_figures("delete", "colleges.partner", "success")  # a plugin's own kind
    # Reading, exporting, failing or being refused changes nothing; nor do kinds no indicator counts.
    assert not audit.counts_toward_figures("read", audit.ObjectKind.MENTORING_GROUP, "success")
    assert not audit.counts_toward_figures("export", audit.ObjectKind.MENTEE_BASE, "success")
    assert not audit.counts_toward_figures("update", audit.ObjectKind.HEADCOUNT, "denied")
    assert not audit.counts_toward_figures("create", audit.ObjectKind.JOURNAL_ENTRY, "success")
    assert not audit.counts_toward_figures("create", audit.ObjectKind.STATISTICS_REPORT, "success")
