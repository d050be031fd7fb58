"""Property: incremental recomputes (one organisation at a time, as the fresh-figures job runs them),
interleaved with changes across the organisations of a region, leave exactly the rows one full recompute of
the region gives: every organisation's, municipality's and the region's.

The changes are made as the owner, straight in the tables the indicators count (a pair's status, a mentee
leaving the base, a member taken out of a pair, a headcount given, changed or withdrawn, an organisation
deactivated or back): what the platform's services change, without their rules in the way. The test keeps
the set of organisations changed since their last run, as the job's scheduling does, and runs a random part
of it between changes; at the end every changed organisation has had its run, as the debounced jobs ensure.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings, strategies as st
from sqlalchemy import text

from nastavnik.domain.statistics.recompute import ScopeKind, Snapshot, recompute
from nastavnik.runtime import Runtime
from tests.statistics.spec import RegionSpec, build_region
from tests.statistics.stored import everything
from tests.statistics.test_property import regions

KINDS = ("group_status", "left_on", "drop_member", "headcount", "org_status")


@dataclass(frozen=True)
class Change:
    kind: str
    org: int  # which organisation, modulo their number
    pick: int  # which of its rows, modulo their number
    value: int  # the new value's seed


@dataclass(frozen=True)
class Run:
    picks: tuple[bool, ...]  # which of the changed organisations run now (the rest stay changed)


changes = st.builds(Change, st.sampled_from(KINDS), st.integers(0, 7), st.integers(0, 20), st.integers(-4, 4))
runs = st.builds(Run, st.lists(st.booleans(), min_size=1, max_size=8).map(tuple))


async def _pick(db: Any, sql: str, org_id: uuid.UUID, pick: int) -> Any:
    rows = (await db.execute(text(sql), {"org": org_id})).all()
    return rows[pick % len(rows)] if rows else None


async def apply(runtime: Runtime, org_id: uuid.UUID, change: Change, year: int, as_of: date) -> None:
    async with runtime.owner_sessions() as db:
        if change.kind == "group_status":
            row = await _pick(
                db, "SELECT id FROM mentoring_group WHERE org_id = :org ORDER BY id", org_id, change.pick
            )
            if row is not None:
                status = ("draft", "active", "completed", "ended_early")[change.value % 4]
                await db.execute(
                    text("UPDATE mentoring_group SET status = :s WHERE org_id = :org AND id = :id"),
                    {"s": status, "org": org_id, "id": row.id},
                )
        elif change.kind == "left_on":
            row = await _pick(
                db,
                "SELECT person_id FROM mentee_profile WHERE org_id = :org ORDER BY person_id",
                org_id,
                change.pick,
            )
            if row is not None:
                left_on = None if change.value == 0 else as_of + timedelta(days=change.value)
                await db.execute(
                    text("UPDATE mentee_profile SET left_on = :d WHERE org_id = :org AND person_id = :p"),
                    {"d": left_on, "org": org_id, "p": row.person_id},
                )
        elif change.kind == "drop_member":
            row = await _pick(
                db,
                "SELECT group_id, person_id FROM group_member WHERE org_id = :org ORDER BY 1, 2",
                org_id,
                change.pick,
            )
            if row is not None:
                await db.execute(
                    text("DELETE FROM group_member WHERE org_id = :org AND group_id = :g AND person_id = :p"),
                    {"org": org_id, "g": row.group_id, "p": row.person_id},
                )
        elif change.kind == "headcount":
            await db.execute(
                text("DELETE FROM headcount WHERE org_id = :org AND academic_year = :y"),
                {"org": org_id, "y": year},
            )
            if change.value != 0:
                learners = 3 * abs(change.value)
                await db.execute(
                    text(
                        "INSERT INTO headcount (org_id, academic_year, learners_total, learners_10_18, pedagogues,"
                        " young_pedagogues, created_at, updated_at)"
                        " VALUES (:org, :y, :t, :l, 12, :young, now(), now())"
                    ),
                    {"org": org_id, "y": year, "t": learners + 5, "l": learners, "young": abs(change.value)},
                )
        else:
            await db.execute(
                text(
                    "UPDATE organisation SET status = CASE status WHEN 'active' THEN 'inactive' ELSE 'active' END"
                    " WHERE id = :org"
                ),
                {"org": org_id},
            )
        await db.commit()


@settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    # A failing example is reported as found: shrinking it would take minutes of recomputes.
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=regions(), steps=st.lists(st.one_of(changes, runs), min_size=1, max_size=10))
async def test_incremental_recomputes_equal_a_full_one(
    runtime: Runtime, case: tuple[RegionSpec, int, date], steps: list[Change | Run]
) -> None:
    spec, year, as_of = case
    built = await build_region(runtime, spec)
    orgs = list(built.orgs.values())

    async def run(org_id: uuid.UUID) -> None:
        await recompute(
            runtime.aggregator_engine, runtime.plugins, Snapshot(ScopeKind.ORGANISATION, org_id, year, as_of)
        )

    full = Snapshot(ScopeKind.REGION, built.id, year, as_of)
    await recompute(runtime.aggregator_engine, runtime.plugins, full)  # the night's run
    changed: list[uuid.UUID] = []
    for step in steps:
        if isinstance(step, Change):
            org_id = orgs[step.org % len(orgs)]
            await apply(runtime, org_id, step, year, as_of)
            if org_id not in changed:
                changed.append(org_id)
        else:
            now = [org_id for org_id, chosen in zip(changed, step.picks, strict=False) if chosen]
            for org_id in now:
                await run(org_id)
            changed = [org_id for org_id in changed if org_id not in now]
    for org_id in changed:  # every scheduled job has run
        await run(org_id)
    incremental = await everything(runtime, built, year, as_of)
    await recompute(runtime.aggregator_engine, runtime.plugins, full)
    assert incremental == await everything(runtime, built, year, as_of)
