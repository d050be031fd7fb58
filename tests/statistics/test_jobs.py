"""The recompute as a job: de-duplicated while queued or running, run again when asked after it finished,
retried on transient failures, serialised by its advisory lock, and the same figures every time."""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import uuid
from datetime import UTC, date, datetime

import pytest
from arq import Retry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from nastavnik import clock
from nastavnik.domain.statistics import jobs
from nastavnik.domain.statistics.models import StatAreaValue, StatOrgValue, StatRun
from nastavnik.domain.statistics.recompute import ScopeKind, Snapshot, recompute
from nastavnik.runtime import Runtime
from nastavnik.worker import build_worker
from tests.statistics.queue import run_worker, runs_of
from tests.statistics.small import AS_OF, YEAR, small_region
from tests.statistics.spec import GroupSpec, MenteeSpec, OrgSpec, RegionSpec, build_region
from tests.statistics.stored import area_rows


async def test_duplicate_requests_run_once_and_a_later_request_runs_again(runtime: Runtime) -> None:
    built = await build_region(runtime, small_region())
    snapshot = Snapshot(ScopeKind.REGION, built.id, YEAR, AS_OF)
    await run_worker(runtime)  # whatever other tests left in this run's queue
    first = await jobs.request_recompute(runtime, snapshot)
    duplicate = await jobs.request_recompute(runtime, snapshot)
    assert (first.joined, first.state) == (False, "queued")
    assert (duplicate.joined, duplicate.state, duplicate.job_id) == (True, "queued", first.job_id)
    assert await run_worker(runtime) == 1
    assert await runs_of(runtime, built.id) == 1
    # Finished, and no result kept: the next request is a new run, not a joined one.
    assert await jobs.job_state(runtime, first.job_id) == "idle"
    again = await jobs.request_recompute(runtime, snapshot)
    assert again.joined is False
    assert await run_worker(runtime) == 1
    assert await runs_of(runtime, built.id) == 2


async def test_reruns_give_the_same_figures(runtime: Runtime) -> None:
    built = await build_region(runtime, small_region())
    snapshot = Snapshot(ScopeKind.REGION, built.id, YEAR, AS_OF)
    await recompute(runtime.aggregator_engine, runtime.plugins, snapshot)
    once = await area_rows(runtime, built, YEAR, AS_OF)
    await recompute(runtime.aggregator_engine, runtime.plugins, snapshot)
    assert await area_rows(runtime, built, YEAR, AS_OF) == once
    # O0: 2 learners of 10; O1 gave no headcount; O2: 4 of 30. The region: (2 + 4) / (10 + 30).
    assert once[("region", "", "", "learners_covered", "")] == (6, 40, None, 2)


async def test_concurrent_recomputes_of_one_snapshot_take_turns(runtime: Runtime) -> None:
    built = await build_region(runtime, small_region())
    snapshot = Snapshot(ScopeKind.REGION, built.id, YEAR, AS_OF)
    await asyncio.gather(*(recompute(runtime.aggregator_engine, runtime.plugins, snapshot) for _ in range(3)))
    async with runtime.owner_sessions() as db:
        spans = sorted(
            (r.started_at, r.finished_at)
            for r in await db.scalars(select(StatRun).where(StatRun.region_id == built.id))
        )
    assert len(spans) == 3
    # Under the advisory lock each run starts after the previous one finished.
    assert all(later[0] >= earlier[1] for earlier, later in itertools.pairwise(spans))
    assert (await area_rows(runtime, built, YEAR, AS_OF))[("region", "", "", "learners_covered", "")] == (
        6,
        40,
        None,
        2,
    )


async def test_an_organisation_recompute_updates_its_rows_and_the_sums_follow(runtime: Runtime) -> None:
    built = await build_region(runtime, small_region())
    await recompute(
        runtime.aggregator_engine, runtime.plugins, Snapshot(ScopeKind.REGION, built.id, YEAR, AS_OF)
    )
    # O2 gets one more covered learner; only O2 is recomputed.
    extra = RegionSpec(
        ["M1"],
        [
            OrgSpec(
                "Z",
                "M1",
                mentees=[MenteeSpec("Z1", birth_date=date(2012, 5, 5))],
                groups=[GroupSpec(YEAR, "active", ["Z1"])],
            )
        ],
    )
    await _move_group_into(runtime, extra, built.orgs["O2"])
    await recompute(
        runtime.aggregator_engine,
        runtime.plugins,
        Snapshot(ScopeKind.ORGANISATION, built.orgs["O2"], YEAR, AS_OF),
    )
    rows = await area_rows(runtime, built, YEAR, AS_OF)
    # O0 still 2 of 10, O2 now 5 of 30: the region 7 of 40, M1 (O0 and O2) 7 of 40 too.
    assert rows[("region", "", "", "learners_covered", "")] == (7, 40, None, 2)
    assert rows[("municipality", "M1", "", "learners_covered", "")] == (7, 40, None, 2)
    async with runtime.owner_sessions() as db:
        o0 = await db.scalar(
            select(StatOrgValue.numerator).where(
                StatOrgValue.org_id == built.orgs["O0"], StatOrgValue.indicator == "learners_covered"
            )
        )
    assert o0 == 2


async def _move_group_into(runtime: Runtime, spec: RegionSpec, org_id: uuid.UUID) -> None:
    """Build a one-organisation region, then move its learner and pair into ``org_id``'s programme."""
    from sqlalchemy import update

    from nastavnik.domain.bases.models import MenteeProfile
    from nastavnik.domain.programmes.models import Programme
    from nastavnik.domain.programmes.pairs.models import GroupMember, MentoringGroup
    from nastavnik.models.people import Person, PersonRole

    other = await build_region(runtime, spec)
    source = other.orgs["Z"]
    async with runtime.owner_sessions() as db:
        target_programme = await db.scalar(
            select(Programme.id).where(Programme.org_id == org_id, Programme.academic_year == YEAR)
        )
        mentor = await db.scalar(
            select(PersonRole.person_id).where(PersonRole.org_id == org_id, PersonRole.role == "mentor")
        )
        person = await db.scalar(select(Person).where(Person.org_id == source, Person.category == "learner"))
        assert person is not None
        profile = await db.get(MenteeProfile, (source, person.id))
        assert profile is not None
        new_person = Person(org_id=org_id, last_name="Новый", first_name="Ученик", category="learner")
        db.add(new_person)
        await db.flush()
        db.add(
            MenteeProfile(
                org_id=org_id, person_id=new_person.id, kind="learner", birth_date=profile.birth_date
            )
        )
        group = MentoringGroup(
            org_id=org_id,
            programme_id=target_programme,
            form_code="student_student",
            kind_code="traditional",
            starts_on=date(YEAR, 9, 15),
            ends_on=date(YEAR + 1, 5, 31),
            status="active",
            reasons=[],
        )
        db.add(group)
        await db.flush()
        db.add_all(
            [
                GroupMember(org_id=org_id, group_id=group.id, person_id=mentor, role="mentor"),
                GroupMember(org_id=org_id, group_id=group.id, person_id=new_person.id, role="mentee"),
            ]
        )
        await db.execute(update(MentoringGroup).where(MentoringGroup.org_id == source).values(status="draft"))
        await db.commit()


async def test_transient_failures_raise_retry(runtime: Runtime) -> None:
    """The database unreachable (nothing listens on port 1): arq is asked to try again later."""
    unreachable = create_async_engine("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    broken = dataclasses.replace(runtime, aggregator_engine=unreachable)
    snapshot = Snapshot(ScopeKind.REGION, uuid.uuid4(), YEAR, AS_OF)
    try:
        ctx = {"runtime": broken, "job_try": 2}
        with pytest.raises(Retry) as retry:
            await jobs.recompute_job(ctx, "region", str(snapshot.scope_id), YEAR, AS_OF.isoformat())
        assert retry.value.defer_score == 10_000  # 5 s times the try, in milliseconds
        with pytest.raises(Retry):
            await jobs.nightly_job(ctx)
    finally:
        await unreachable.dispose()


async def test_a_mistake_is_not_retried(runtime: Runtime) -> None:
    """A failure that another try cannot fix (here: a broken query) fails the job instead of looping."""
    from sqlalchemy.exc import ProgrammingError

    assert not jobs.is_transient(ProgrammingError("SELECT", {}, Exception("syntax error")))
    assert jobs.is_transient(ConnectionRefusedError())


async def test_nightly_job_recomputes_a_region_at_its_night_and_cron_jobs_are_retried(
    runtime: Runtime,
) -> None:
    built = await build_region(runtime, small_region(1))
    await run_worker(runtime)
    # 21:00 UTC is 02:00 of the next day in Yekaterinburg (UTC+5): the region's night, for its new date.
    with clock.pinned(datetime(2026, 12, 4, 21, 0, 5, tzinfo=UTC)):
        requested = await jobs.nightly_job({"runtime": runtime})
        today = clock.today_in("Asia/Yekaterinburg")
        assert today == date(2026, 12, 5)
        mine = f"region:{built.id}:{_start_year(today)}:{today.isoformat()}"
        assert mine in requested
        await run_worker(runtime, seconds=120)
    async with runtime.owner_sessions() as db:
        computed = await db.scalar(
            select(StatAreaValue.numerator).where(
                StatAreaValue.region_id == built.id,
                StatAreaValue.scope == "region",
                StatAreaValue.org_type == "",
                StatAreaValue.indicator == "groups",
                StatAreaValue.breakdown == "",
            )
        )
    # O0's two pairs are of 2026/2027: counted when today's academic year is that one, none otherwise.
    assert computed == (2 if _start_year(today) == YEAR else 0)
    worker = build_worker(runtime)
    nightly = next(c for c in worker.cron_jobs if c.name == f"cron:{jobs.NIGHTLY_JOB}")
    assert (nightly.max_tries or 0) >= 3  # retried: arq's own default would be 1
    assert (nightly.hour, nightly.minute) == (None, {0})  # hourly: each region's night is its own
    recompute_function = worker.functions[jobs.RECOMPUTE_JOB]
    assert (recompute_function.max_tries, recompute_function.keep_result_s) == (3, 0)


async def test_the_nightly_recompute_follows_each_region_s_own_night(runtime: Runtime) -> None:
    """Two regions five and three hours ahead of UTC: each is recomputed once, at 02:00 on its own clock,
    for its new date; the hours between request neither."""
    east = await build_region(runtime, RegionSpec(["M1"], [], timezone="Asia/Yekaterinburg"))
    west = await build_region(runtime, RegionSpec(["M1"], [], timezone="Europe/Moscow"))

    async def requested_at(instant: datetime) -> set[str]:
        with clock.pinned(instant):
            keys = await jobs.nightly_job({"runtime": runtime})
        return {k for k in keys if k.split(":")[1] in (str(east.id), str(west.id))}

    new_day = "2026:2026-12-05"
    # 20:59:40 UTC: the hourly tick a little early still belongs to 21:00, 02:00 in Yekaterinburg.
    assert await requested_at(datetime(2026, 12, 4, 20, 59, 40, tzinfo=UTC)) == {
        f"region:{east.id}:{new_day}"
    }
    assert await requested_at(datetime(2026, 12, 4, 21, 3, tzinfo=UTC)) == {f"region:{east.id}:{new_day}"}
    assert await requested_at(datetime(2026, 12, 4, 22, 0, tzinfo=UTC)) == set()
    assert await requested_at(datetime(2026, 12, 4, 23, 0, tzinfo=UTC)) == {f"region:{west.id}:{new_day}"}
    assert await requested_at(datetime(2026, 12, 5, 0, 0, tzinfo=UTC)) == set()
    # The server's 02:00 UTC is morning in both regions: no recompute in the middle of their school day.
    assert await requested_at(datetime(2026, 12, 5, 2, 0, tzinfo=UTC)) == set()
    # A night hour set by the operator: 03:00 in Moscow is 00:00 UTC.
    later = dataclasses.replace(
        runtime, settings=runtime.settings.model_copy(update={"statistics_night_hour": 3})
    )
    with clock.pinned(datetime(2026, 12, 5, 0, 0, tzinfo=UTC)):
        keys = await jobs.nightly_job({"runtime": later})
    assert f"region:{west.id}:{new_day}" in keys
    assert f"region:{east.id}:{new_day}" not in keys


def _start_year(day: date) -> int:
    return day.year if day.month >= 9 else day.year - 1
