"""Dashboards, statistics and report files read from a real streaming standby.

The tests make their own primary and standby (initdb, ``pg_basebackup -R``), migrate and seed the
primary, and set ``database_replica_url`` to the standby. With the standby's replay paused, a change
made and recomputed on the primary does not show on the dashboards, an organisation's statistics or
their API, the register of trained mentors or the region's and municipality's headcount sums, and shows
once replay resumes: they are read from the standby. What must see its own write still goes to the
primary meanwhile: a target just set, the audit entry of a report download or of a register read, an
organisation's own headcounts just saved, and forming a pair.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Any

import asyncpg
import pytest
from litestar import Litestar
from sqlalchemy import func, select

from nastavnik.domain.statistics.models import ReportStatus, StatReport
from nastavnik.domain.statistics.recompute import ScopeKind, Snapshot, recompute
from nastavnik.models.audit import AuditEvent
from nastavnik.runtime import Runtime
from nastavnik.testing import FreshRegion, Tenant, new_organisation, new_region
from nastavnik.testing.services import (
    REDIS_PREFIX,
    RunDatabase,
    Services,
    create_test_database,
    migrated_runtime,
    settings_for,
)
from nastavnik.web.app import create_app
from tests.pooling.servers import Replicated, primary_with_standby
from tests.support.dates import RegionDates, region_dates
from tests.support.http import client_for
from tests.support.programme import form_group, open_programme
from tests.support.tenant import Named, add_mentee, add_mentor


@pytest.fixture(scope="module")
def replicated() -> Iterator[Replicated]:
    with primary_with_standby() as started:
        yield started


@pytest.fixture(scope="module")
async def primary_db(services: Services, replicated: Replicated) -> RunDatabase:
    """The run's database and roles on the primary (the cluster is the module's own: dropped with it)."""
    return await create_test_database(Services(replicated.primary_dsn, services.redis_url), "replica")


@pytest.fixture(scope="module")
async def runtime(
    services: Services, replicated: Replicated, primary_db: RunDatabase
) -> AsyncIterator[Runtime]:
    """Migrated on the primary, reading dashboards from the standby."""
    primary = Services(replicated.primary_dsn, services.redis_url)
    standby_url = replicated.dsn(replicated.standby_port, primary_db.name)
    rt = await migrated_runtime(
        settings_for(
            primary,
            primary_db,
            database_replica_url=standby_url,
            # A queue of its own: jobs its requests enqueue must not reach the suite's workers after this
            # module's servers are gone (they would retry against a stopped primary).
            redis_prefix=f"{REDIS_PREFIX}:replica",
        )
    )
    yield rt
    await rt.close()


@pytest.fixture(scope="module")
def app(runtime: Runtime) -> Litestar:
    return create_app(runtime)


@pytest.fixture(scope="module")
async def region(runtime: Runtime, replicated: Replicated) -> tuple[FreshRegion, Tenant]:
    region = await new_region(runtime)
    school = await new_organisation(runtime, region.municipality_id)
    await recompute_region(runtime, region, region_dates())
    await replicated.caught_up()
    return region, school


async def recompute_region(runtime: Runtime, region: FreshRegion, dates: RegionDates) -> None:
    snapshot = Snapshot(ScopeKind.REGION, region.id, dates.year, dates.today)
    await recompute(runtime.aggregator_engine, runtime.plugins, snapshot)


async def seen(app: Litestar, region: FreshRegion, school: Tenant, dates: RegionDates) -> dict[str, Any]:
    """What the region's staff and the school's curator are shown: pages and API."""
    async with client_for(app, region.staff) as staff:
        board = (await staff.get(f"/api/region/statistics?year={dates.year}")).json()
        table = (await staff.get(f"/api/region/statistics/organisations?year={dates.year}")).json()
        page = await staff.get(f"/region/statistics?year={dates.year}")
        municipality = (
            await staff.get(f"/api/municipalities/{region.municipality_id}/statistics?year={dates.year}")
        ).json()
        org = (
            await staff.get(
                f"/api/municipalities/{region.municipality_id}/statistics/{school.id}?year={dates.year}"
            )
        ).json()
    async with client_for(app, school.identities["curator"]) as curator:
        own = (await curator.get(f"/api/o/{school.slug}/statistics/?year={dates.year}")).json()
    assert page.status_code == 200
    return {
        "organisations": board["organisations"],
        "computed_at": board["computed_at"],
        "rows": table["total"],
        "municipality": municipality["organisations"],
        "org_computed_at": org["computed_at"],
        "own_computed_at": own["computed_at"],
        "target": {f["indicator"]: f["target"] for f in board["indicators"]}.get("young_teachers_mentored"),
    }


async def count_on(replicated: Replicated, port: int, database: str, sql: str) -> int:
    conn = await asyncpg.connect(replicated.dsn(port, database))
    try:
        return int(await conn.fetchval(sql))
    finally:
        await conn.close()


async def test_dashboards_read_from_the_standby(
    runtime: Runtime,
    app: Litestar,
    replicated: Replicated,
    primary_db: RunDatabase,
    region: tuple[FreshRegion, Tenant],
    dates: RegionDates,
) -> None:
    fresh, school = region
    before = await seen(app, fresh, school, dates)
    assert (before["organisations"], before["rows"], before["municipality"]) == (1, 1, 1)
    assert before["computed_at"] is not None
    assert before["org_computed_at"] is not None

    await replicated.pause_replay()
    try:
        await new_organisation(runtime, fresh.municipality_id)
        await recompute_region(runtime, fresh, dates)
        on_primary = await count_on(
            replicated, replicated.primary_port, primary_db.name, "SELECT count(*) FROM stat_org_snapshot"
        )
        on_standby = await count_on(
            replicated, replicated.standby_port, primary_db.name, "SELECT count(*) FROM stat_org_snapshot"
        )
        assert (on_primary, on_standby) == (2, 1)  # the change is real, and the standby does not have it yet
        async with client_for(app, fresh.staff) as staff:
            target = await staff.put(
                "/api/region/statistics/targets/young_teachers_mentored", json={"target": 55}
            )
        assert target.status_code == 200
        paused = await seen(app, fresh, school, dates)
    finally:
        await replicated.resume_replay()
    after = await seen(app, fresh, school, dates)

    # Replay paused: the figures are the standby's (the earlier recompute); the target, just set, the primary's.
    assert {k: paused[k] for k in ("organisations", "rows", "municipality", "computed_at")} == {
        k: before[k] for k in ("organisations", "rows", "municipality", "computed_at")
    }
    assert (paused["org_computed_at"], paused["own_computed_at"]) == (
        before["org_computed_at"],
        before["own_computed_at"],
    )
    assert before["target"] != 55.0
    assert paused["target"] == 55.0
    # Replay resumed: the new recompute shows.
    assert (after["organisations"], after["rows"], after["municipality"]) == (2, 2, 2)
    assert after["computed_at"] != before["computed_at"]
    assert after["org_computed_at"] != before["org_computed_at"]
    assert after["own_computed_at"] != before["own_computed_at"]


async def test_report_download_reads_the_standby_and_audits_on_the_primary(
    runtime: Runtime,
    app: Litestar,
    replicated: Replicated,
    region: tuple[FreshRegion, Tenant],
    dates: RegionDates,
) -> None:
    fresh, _ = region

    async def add_report(content: bytes) -> uuid.UUID:
        async with runtime.owner_sessions() as db:
            report = StatReport(
                region_id=fresh.id,
                academic_year=dates.year,
                as_of=dates.today,
                status=ReportStatus.DONE,
                progress=100,
                xlsx=content,
                docx=content,
            )
            db.add(report)
            await db.commit()
            return report.id

    async def downloads() -> int:
        async with runtime.owner_sessions() as db:
            found = await db.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(
                    AuditEvent.object_type == "statistics_report", AuditEvent.actor_identity_id == fresh.staff
                )
            )
        return int(found or 0)

    replicated_report = await add_report(b"on both")
    await replicated.caught_up()
    await replicated.pause_replay()
    try:
        only_on_primary = await add_report(b"primary only")  # the worker's write the standby has not replayed
        async with client_for(app, fresh.staff) as staff:
            first = await staff.get(f"/api/region/statistics/reports/{replicated_report}/monitoring.xlsx")
            second = await staff.get(f"/api/region/statistics/reports/{only_on_primary}/note.docx")
        audited = await downloads()  # written while the standby could not have taken them: the primary's
    finally:
        await replicated.resume_replay()
    assert (first.status_code, first.content) == (200, b"on both")
    assert (second.status_code, second.content) == (200, b"primary only")
    assert audited == 2


async def test_writes_go_to_the_primary_with_a_replica_set(
    runtime: Runtime, app: Litestar, region: tuple[FreshRegion, Tenant]
) -> None:
    """Forming a pair (pages and services that write and read their own write) works as without a replica."""
    fresh, _ = region
    school = await new_organisation(runtime, fresh.municipality_id)
    mentor = await add_mentor(runtime, school, Named("Смирнова", "Ольга", "Павловна"))
    mentee = await add_mentee(runtime, school, Named("Зайцева", "Вера", "Олеговна"))
    async with client_for(app, school.identities["curator"]) as curator:
        programme = await open_programme(curator, school)
        group = await form_group(curator, school, programme, mentor, mentee)
        shown = await curator.get(f"/api/o/{school.slug}/programmes/{programme}/groups/{group['id']}")
    assert shown.status_code == 200
    assert shown.json()["status"] == "draft"


async def oversight_seen(app: Litestar, region: FreshRegion, dates: RegionDates) -> dict[str, Any]:
    """What the region's staff are shown of the register of trained mentors and of the headcounts."""
    async with client_for(app, region.staff) as staff:
        register = await staff.get("/api/region/training")
        page = await staff.get("/region/training")
        export = await staff.get("/api/region/training/export.xlsx")
        region_sums = await staff.get(f"/api/region/headcounts?year={dates.year}")
        municipality_sums = await staff.get(
            f"/api/municipalities/{region.municipality_id}/headcounts?year={dates.year}"
        )
        # The region's and the municipality's own pages show the year's sums too (tokens and times aside,
        # their tables are the same bytes for the same sums).
        region_page = await staff.get("/region")
        municipality_page = await staff.get(f"/m/{region.municipality_id}")
    for response in (register, page, export, region_sums, municipality_sums, region_page, municipality_page):
        assert response.status_code == 200, response.text
    return {
        "region_page": summary_table(region_page.text),
        "municipality_page": summary_table(municipality_page.text),
        "trained": register.json()["total"]["trained"],
        "hours": register.json()["total"]["hours"],
        "region_learners": sum(m["learners_total"] for m in region_sums.json()),
        "municipality_learners": sum(m["learners_total"] for m in municipality_sums.json()),
    }


def summary_table(html: str) -> str:
    """The headcount sums' table of a region's or municipality's page."""
    found = re.search(r"Численность на .*?</tbody>", html, re.S)
    assert found is not None, html
    return found.group(0)


async def register_reads(runtime: Runtime, staff: uuid.UUID) -> int:
    async with runtime.owner_sessions() as db:
        found = await db.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.object_type == "training_register", AuditEvent.actor_identity_id == staff)
        )
    return int(found or 0)


async def test_training_register_and_headcount_sums_read_the_standby(
    runtime: Runtime,
    app: Litestar,
    replicated: Replicated,
    region: tuple[FreshRegion, Tenant],
    dates: RegionDates,
) -> None:
    fresh, _ = region
    school = await new_organisation(runtime, fresh.municipality_id)
    mentor = await add_mentor(runtime, school, Named("Лебедева", "Мария", "Ивановна"))
    await replicated.caught_up()
    before = await oversight_seen(app, fresh, dates)
    reads_before = await register_reads(runtime, fresh.staff)

    await replicated.pause_replay()
    try:
        async with client_for(app, school.identities["curator"]) as curator:
            trained = await curator.post(
                f"/api/o/{school.slug}/people/{mentor}/trainings",
                json={
                    "course": "Наставничество в образовании",
                    "provider": "ИРО",
                    "hours": 36,
                    "started_on": str(dates.today - timedelta(days=30)),
                    "finished_on": str(dates.today - timedelta(days=10)),
                },
            )
            stated = await curator.put(
                f"/api/o/{school.slug}/headcounts/{dates.year}",
                json={"learners_total": 700, "learners_10_18": 400, "pedagogues": 50, "young_pedagogues": 5},
            )
            own = await curator.get(f"/api/o/{school.slug}/headcounts")
            own_page = await curator.get(f"/o/{school.slug}/headcounts")
        paused = await oversight_seen(app, fresh, dates)
        # Three reads of the register (API, page, export), audited while the standby could not take them.
        reads_paused = await register_reads(runtime, fresh.staff)
    finally:
        await replicated.resume_replay()
    after = await oversight_seen(app, fresh, dates)

    assert (trained.status_code, stated.status_code) == (201, 200), (trained.text, stated.text)
    # The organisation's own headcounts, just saved, are read from the primary: its page shows them at once.
    assert [h["learners_total"] for h in own.json() if h["academic_year"] == dates.year] == [700]
    assert own_page.status_code == 200
    assert "700" in own_page.text
    # Replay paused: the standby's register and sums, without the training and the headcount just made.
    assert paused == before
    assert reads_paused == reads_before + 3
    # Replay resumed: both show, on the pages too.
    assert after.pop("region_page") != before.pop("region_page")
    assert after.pop("municipality_page") != before.pop("municipality_page")
    assert after == {
        "trained": before["trained"] + 1,
        "hours": before["hours"] + 36,
        "region_learners": before["region_learners"] + 700,
        "municipality_learners": before["municipality_learners"] + 700,
    }
