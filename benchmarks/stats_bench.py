"""Regional statistics benchmark: a synthetic region, its full recompute, the dashboard's latency.

Run from the repository root::

    uv run python -m benchmarks.stats_bench --sizes S,M        # L too: --sizes S,M,L

Services: ``NASTAVNIK_TEST_DATABASE_URL`` (a superuser connection, default
``postgresql://postgres@127.0.0.1:5432/postgres``) and ``NASTAVNIK_TEST_REDIS_URL`` (default
``redis://127.0.0.1:6379/0``). Like the tests, each size gets a database, roles and a Redis key prefix
of its own, removed at the end, also on error.

For each size:

1. **Generate** the region in set-based SQL (``generate_series``; ids are ``md5(...)::uuid`` of the row
   numbers, so no statement joins to find what an earlier one created): organisations of three types,
   headcounts (one organisation in twenty gives none), learners and teachers, curators, mentors, young
   teachers, mentees, programmes of this and last year with their documents and orders, a pair per
   mentee, subject decades. Timed (issue's bound: 15 minutes per size).
2. **Recompute** the whole region (``nastavnik.statistics.recompute``, as the aggregator role): once
   cold, then again; the second is the figure. Its **ratio** to a warm plain scan (``SELECT count(*)``,
   as the same role, run twice, the second counted) of every table the recompute reads (target: at most
   3).
3. **Dashboard**: the platform served by uvicorn in a process of its own; 1,000 sequential keep-alive
   requests of ``/region/statistics`` (the page) and of ``/api/region/statistics`` as the region's staff,
   after 20 warm-up requests: median, p95, p99 (target: p99 under 100 ms, and L no more than 1.5 times S);
   then the page again from a server with the snapshot cache switched off
   (``NASTAVNIK_STATISTICS_CACHE_SIZE=0``), every request reading its figures from the database.

Sizes (the issue's): S about 400 organisations, 105,000 learners, 6,000 teachers; M about 1,100
organisations, 234,000 learners, 17,500 teachers; L about 650 large organisations, 1.5 million learners,
100,000 teachers, about a million participants. The L size's questionnaire answers and journal entries
are not generated: those tables do not exist in this branch (questionnaires and journals are being built
elsewhere), and no indicator reads them yet.

This is a benchmark, not a test: it prints its figures and exits 0 whether targets are met or not.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.engine import make_url
from tests.conftest import (
    RUN,
    Services,
    create_test_database,
    drop_test_database,
    migrated_runtime,
    settings_for,
)
from tests.support.http import forge_session

from benchmarks.auth_bench import serve_until_told, start_server
from nastavnik.logging import configure_logging
from nastavnik.runtime import Runtime, build_runtime
from nastavnik.settings import Settings
from nastavnik.statistics.recompute import ScopeKind, Snapshot, recompute
from nastavnik.web.app import create_app

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
YEAR = 2026
AS_OF = date(2026, 11, 20)
RATIO_TARGET = 3.0
P99_TARGET_MS = 100.0
L_OVER_S_TARGET = 1.5
REQUESTS = 1000
WARMUP = 20

# The tables the recompute reads (its sources; it also reads back its own organisation rows).
SOURCE_TABLES = (
    "region",
    "municipality",
    "organisation",
    "headcount",
    "person",
    "person_role",
    "mentee_profile",
    "programme",
    "mentoring_group",
    "group_member",
    "mentoring_order",
    "org_plugin_setting",
    "schools_subject_decade",
)


@dataclass(frozen=True)
class Size:
    name: str
    organisations: int
    municipalities: int
    learners: int
    teachers: int
    mentee_tenths: int  # learners who are mentees, in tenths


SIZES = {
    "S": Size("S", 400, 20, 105_000, 6_000, 4),
    "M": Size("M", 1_100, 40, 234_000, 17_500, 4),
    "L": Size("L", 650, 30, 1_500_000, 100_000, 6),
}


def generator(size: Size, run: str) -> list[str]:
    """The region as a list of set-based statements (format parameters only: sizes and the run's tag)."""
    schools = sum(1 for o in range(1, size.organisations + 1) if o % 20 >= 3)
    base = size.learners / schools
    tbase = size.teachers / size.organisations
    p = {
        "run": run,
        "orgs": size.organisations,
        "munis": size.municipalities,
        "base": base,
        "tbase": tbase,
        "tenths": size.mentee_tenths,
        "year": YEAR,
        "as_of": AS_OF.isoformat(),
    }
    statements = [
        """INSERT INTO region (id, code, name, timezone)
    VALUES (md5('{run}region')::uuid, 'B-{run}', 'Синтетический край {run}', 'Asia/Yekaterinburg')""",
        """INSERT INTO municipality (id, region_id, name)
    SELECT md5('{run}m' || m)::uuid, md5('{run}region')::uuid, 'Муниципалитет ' || m
      FROM generate_series(1, {munis}) AS m""",
        # Sizes vary by organisation (factor 0.5–1.5, mean 1); kindergartens have no learners.
        """CREATE TEMP TABLE bench_org ON COMMIT DROP AS
    SELECT o, md5('{run}o' || o)::uuid AS id, md5('{run}m' || (1 + o % {munis}))::uuid AS municipality_id,
           CASE WHEN o % 20 < 3 THEN 'kindergarten' WHEN o % 20 < 6 THEN 'college' ELSE 'school' END AS type,
           CASE WHEN o % 20 < 3 THEN 0 ELSE round({base} * (0.5 + (o % 11) / 10.0))::int END AS learners,
           greatest(8, round({tbase} * (0.5 + (o % 11) / 10.0)))::int AS teachers
      FROM generate_series(1, {orgs}) AS o""",
        """ALTER TABLE bench_org ADD COLUMN young int, ADD COLUMN mentors int""",
        """UPDATE bench_org SET young = ceil(teachers * 0.15), mentors = ceil(teachers * 0.30)""",
        """INSERT INTO organisation (id, municipality_id, type, full_name, short_name, inn, slug, status)
    SELECT id, municipality_id, type, 'Организация № ' || o, 'Организация ' || o,
           lpad((1000000000 + o)::text, 10, '0'), 'b{run}-' || o, 'active'
      FROM bench_org""",
        """INSERT INTO headcount (org_id, academic_year, learners_total, learners_10_18, pedagogues,
                               young_pedagogues)
    SELECT id, {year}, learners + 10, round(learners * 0.8), teachers, young
      FROM bench_org WHERE o % 20 <> 7""",
        """INSERT INTO person (org_id, id, last_name, first_name, category, status, version)
    SELECT b.id, md5('{run}l' || b.o || '-' || n)::uuid, 'Обучающийся', n::text, 'learner', 'active', 1
      FROM bench_org b CROSS JOIN LATERAL generate_series(1, b.learners) AS n""",
        """INSERT INTO person (org_id, id, last_name, first_name, category, status, version)
    SELECT b.id, md5('{run}t' || b.o || '-' || n)::uuid, 'Педагог', n::text, 'pedagogue', 'active', 1
      FROM bench_org b CROSS JOIN LATERAL generate_series(1, b.teachers) AS n""",
        # Teacher 1 is the curator (one organisation in 25 has none), 2..1+young the young teachers,
        # then the mentors.
        """INSERT INTO person_role (org_id, person_id, role)
    SELECT id, md5('{run}t' || o || '-1')::uuid, 'curator' FROM bench_org WHERE o % 25 <> 0""",
        """INSERT INTO person_role (org_id, person_id, role)
    SELECT b.id, md5('{run}t' || b.o || '-' || n)::uuid, 'mentor'
      FROM bench_org b CROSS JOIN LATERAL generate_series(2 + b.young, 1 + b.young + b.mentors) AS n""",
        """INSERT INTO mentor_profile (org_id, person_id, competencies, subjects, experience_years, capacity,
                                status, training, consent_on)
    SELECT b.id, md5('{run}t' || b.o || '-' || n)::uuid, '', '', 10, 20, 'current', '', DATE '2025-09-01'
      FROM bench_org b CROSS JOIN LATERAL generate_series(2 + b.young, 1 + b.young + b.mentors) AS n""",
        """INSERT INTO person_role (org_id, person_id, role)
    SELECT b.id, md5('{run}t' || b.o || '-' || n)::uuid, 'mentee'
      FROM bench_org b CROSS JOIN LATERAL generate_series(2, 1 + b.young) AS n""",
        """INSERT INTO mentee_profile (org_id, person_id, kind, profession_since, requests, difficulties,
                                left_on, left_reason)
    SELECT b.id, md5('{run}t' || b.o || '-' || n)::uuid, 'young_pedagogue',
           DATE '{as_of}' - (n * 53) % 1600, '', '',
           CASE WHEN n % 17 = 0 THEN DATE '{as_of}' - 30 END,
           CASE WHEN n % 34 = 0 THEN 'profession' WHEN n % 17 = 0 THEN 'organisation' END
      FROM bench_org b CROSS JOIN LATERAL generate_series(2, 1 + b.young) AS n""",
        """INSERT INTO person_role (org_id, person_id, role)
    SELECT b.id, md5('{run}l' || b.o || '-' || n)::uuid, 'mentee'
      FROM bench_org b CROSS JOIN LATERAL generate_series(1, b.learners) AS n WHERE n % 10 < {tenths}""",
        """INSERT INTO mentee_profile (org_id, person_id, kind, birth_date, class_name, requests,
                                    difficulties,
                                guardian_consent_on)
    SELECT b.id, md5('{run}l' || b.o || '-' || n)::uuid, 'learner', DATE '2006-09-01' + (n * 37) % 4400,
           '7А', '', '', DATE '2025-09-01'
      FROM bench_org b CROSS JOIN LATERAL generate_series(1, b.learners) AS n WHERE n % 10 < {tenths}""",
        """INSERT INTO programme (org_id, id, academic_year, regime, status, stage, polozhenie_status,
                           polozhenie_order_no, polozhenie_order_date, programma_status, programma_order_no,
                           programma_order_date, version)
    SELECT b.id, md5('{run}p' || b.o || '-' || y)::uuid, y,
           CASE WHEN b.type = 'kindergarten' THEN 'pedagogues' ELSE 'learners' END, 'open', 5,
           CASE WHEN b.o % 10 = 3 THEN 'draft' ELSE 'approved' END, '1-од', make_date(y, 9, 1),
           CASE WHEN b.o % 10 = 5 THEN 'draft' ELSE 'approved' END, '2-од', make_date(y, 9, 1), 1
      FROM bench_org b CROSS JOIN (VALUES ({year} - 1), ({year})) AS v(y)""",
        """INSERT INTO mentoring_order (org_id, id, programme_id, kind, number, issued_on)
    SELECT b.id, md5('{run}r' || b.o || '-' || y)::uuid, md5('{run}p' || b.o || '-' || y)::uuid,
           'pairs_formation', '3-од', make_date(y, 9, 10)
      FROM bench_org b CROSS JOIN (VALUES ({year} - 1), ({year})) AS v(y) WHERE b.o % 10 <> 7""",
        # A pair per mentee: 70 % active, 15 % completed, a draft and an early end in twenty, and one in
        # twenty of last year (completed); the mentor is one of the organisation's, in turn.
        """CREATE TEMP TABLE bench_mentee ON COMMIT DROP AS
    SELECT b.id AS org_id, b.o, 'l' AS k, n, 2 + b.young + n % b.mentors AS mentor,
           'student_student' AS form
      FROM bench_org b CROSS JOIN LATERAL generate_series(1, b.learners) AS n WHERE n % 10 < {tenths}
    UNION ALL
    SELECT b.id, b.o, 't', n, 2 + b.young + n % b.mentors, 'teacher_teacher'
      FROM bench_org b CROSS JOIN LATERAL generate_series(2, 1 + b.young) AS n""",
        """INSERT INTO mentoring_group (org_id, id, programme_id, form_code, kind_code, starts_on, ends_on,
                                 status, reasons, result, version)
    SELECT m.org_id, md5('{run}g' || m.k || m.o || '-' || m.n)::uuid,
           md5('{run}p' || m.o || '-' || CASE WHEN m.n % 20 = 19 THEN {year} - 1 ELSE {year} END)::uuid,
           m.form, 'traditional',
           make_date(CASE WHEN m.n % 20 = 19 THEN {year} - 1 ELSE {year} END, 9, 15),
           make_date(CASE WHEN m.n % 20 = 19 THEN {year} ELSE {year} + 1 END, 5, 31),
           CASE WHEN m.n % 20 < 14 THEN 'active' WHEN m.n % 20 < 17 THEN 'completed'
                WHEN m.n % 20 = 17 THEN 'draft' WHEN m.n % 20 = 18 THEN 'ended_early' ELSE 'completed' END,
           '[]'::jsonb, '', 1
      FROM bench_mentee m""",
        """INSERT INTO group_member (org_id, group_id, person_id, role)
    SELECT m.org_id, md5('{run}g' || m.k || m.o || '-' || m.n)::uuid,
           md5('{run}' || m.k || m.o || '-' || m.n)::uuid, 'mentee'
      FROM bench_mentee m
    UNION ALL
    SELECT m.org_id, md5('{run}g' || m.k || m.o || '-' || m.n)::uuid,
           md5('{run}t' || m.o || '-' || m.mentor)::uuid, 'mentor'
      FROM bench_mentee m""",
        """INSERT INTO schools_subject_decade (org_id, id, subject_area, title, starts_on, ends_on)
    SELECT b.id, md5('{run}d' || b.o || '-' || d)::uuid, 'Математика', 'Декада', make_date({year}, 11, d),
           make_date({year}, 11, d + 9)
      FROM bench_org b CROSS JOIN (VALUES (1), (15)) AS v(d) WHERE b.type = 'school'""",
    ]
    return [s.format(**p) for s in statements]


async def generate(runtime: Runtime, size: Size, run: str) -> tuple[uuid.UUID, float]:
    started = time.perf_counter()
    async with runtime.owner_engine.begin() as conn:
        for statement in generator(size, run):
            await conn.execute(text(statement))
        region_id = await conn.scalar(text(f"SELECT md5('{run}region')::uuid"))
    async with runtime.owner_engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text("ANALYZE"))
    assert isinstance(region_id, uuid.UUID)
    return region_id, time.perf_counter() - started


async def counts(runtime: Runtime) -> dict[str, int]:
    async with runtime.owner_engine.connect() as conn:
        return {t: int(await conn.scalar(text(f"SELECT count(*) FROM {t}")) or 0) for t in SOURCE_TABLES}


async def warm_scan_seconds(runtime: Runtime) -> float:
    """count(*) of every source table as the aggregator (same role, same policies), twice; the second."""
    async with runtime.aggregator_engine.connect() as conn:
        total = 0.0
        for _ in range(2):
            total = 0.0
            for table in SOURCE_TABLES:
                started = time.perf_counter()
                await conn.execute(text(f"SELECT count(*) FROM {table}"))
                total += time.perf_counter() - started
        return total


def dashboard_server(values: dict[str, Any], control: Any) -> None:
    asyncio.run(_dashboard_server(values, control))


async def _dashboard_server(values: dict[str, Any], control: Any) -> None:
    settings = Settings.model_validate(values)
    configure_logging(settings)
    runtime = await build_runtime(settings)
    try:
        await serve_until_told(create_app(runtime), control, lambda: 0)
    finally:
        await runtime.close()


async def latencies(base_url: str, path: str, cookie: str) -> list[float]:
    async with httpx.AsyncClient(base_url=base_url, cookies={"session": cookie}, timeout=30) as client:
        for _ in range(WARMUP):
            response = await client.get(path)
            response.raise_for_status()
        samples = []
        for _ in range(REQUESTS):
            started = time.perf_counter()
            response = await client.get(path)
            samples.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered {response.status_code}")
        return samples


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


@dataclass
class Result:
    size: str
    rows: dict[str, int]
    generate_s: float
    recompute_cold_s: float
    recompute_s: float
    scan_s: float
    page_ms: dict[str, float]
    api_ms: dict[str, float]
    uncached_ms: dict[str, float]

    @property
    def ratio(self) -> float:
        return self.recompute_s / self.scan_s if self.scan_s else float("inf")


async def bench_size(services: Services, size: Size) -> Result:
    database = await create_test_database(services, f"bench{size.name.lower()}")
    settings = settings_for(
        services, database, redis_prefix=f"nastavnik-bench-{RUN}-{size.name}", log_level="WARNING"
    )
    runtime = await migrated_runtime(settings)
    server = None
    try:
        run = uuid.uuid4().hex[:8]
        print(f"[{size.name}] generating…", flush=True)
        region_id, generate_s = await generate(runtime, size, run)
        rows = await counts(runtime)
        print(f"[{size.name}] generated in {generate_s:.1f} s: {rows}", flush=True)
        snapshot = Snapshot(ScopeKind.REGION, region_id, YEAR, AS_OF)
        cold = await recompute(runtime.aggregator_engine, runtime.plugins, snapshot)
        warm = await recompute(runtime.aggregator_engine, runtime.plugins, snapshot)
        scan = await warm_scan_seconds(runtime)
        print(
            f"[{size.name}] recompute {warm.seconds:.2f} s (cold {cold.seconds:.2f} s), scan {scan:.3f} s",
            flush=True,
        )
        async with runtime.owner_engine.begin() as conn:
            staff = uuid.uuid4()
            await conn.execute(
                text(
                    "INSERT INTO identity (id, issuer, subject, display_name, active)"
                    " VALUES (:id, 'bench', :subject, 'Регион', true)"
                ),
                {"id": staff, "subject": str(staff)},
            )
            await conn.execute(
                text(
                    "INSERT INTO staff_assignment (id, identity_id, role, region_id)"
                    " VALUES (:a, :i, 'region', :r)"
                ),
                {"a": uuid.uuid4(), "i": staff, "r": region_id},
            )
        cookie = await forge_session(create_app(runtime), staff)
        values = settings.model_dump(mode="json")
        values.update({k: getattr(settings, k).get_secret_value() for k in ("secret_key",)})
        server = await start_server(f"stats-{size.name}", dashboard_server, values)
        base_url = f"http://127.0.0.1:{server.port}"
        page = await latencies(base_url, f"/region/statistics?year={YEAR}", cookie)
        api = await latencies(base_url, f"/api/region/statistics?year={YEAR}", cookie)
        await server.stop()
        # The same page read back from the database every time (the snapshot cache switched off).
        server = await start_server(
            f"stats-{size.name}-uncached", dashboard_server, {**values, "statistics_cache_size": 0}
        )
        uncached = await latencies(
            f"http://127.0.0.1:{server.port}", f"/region/statistics?year={YEAR}", cookie
        )

        def summary(samples: list[float]) -> dict[str, float]:
            return {
                "p50": statistics.median(samples),
                "p95": percentile(samples, 0.95),
                "p99": percentile(samples, 0.99),
                "max": max(samples),
            }

        return Result(
            size.name,
            rows,
            generate_s,
            cold.seconds,
            warm.seconds,
            scan,
            summary(page),
            summary(api),
            summary(uncached),
        )
    finally:
        if server is not None:
            await server.stop()
        await runtime.close()
        await drop_test_database(services, database)


def report(results: list[Result]) -> None:
    print()
    print(
        "size  organisations  learners+teachers  mentees   groups  generate  recompute  scan    ratio"
        "  page p50/p95/p99 ms   api p99 ms   uncached page p50/p99 ms"
    )
    for r in results:
        people = r.rows["person"]
        print(
            f"{r.size:<5} {r.rows['organisation']:>13,} {people:>18,} {r.rows['mentee_profile']:>8,} "
            f"{r.rows['mentoring_group']:>8,} {r.generate_s:>7.1f}s {r.recompute_s:>8.2f}s {r.scan_s:>6.3f}s "
            f"{r.ratio:>6.2f}  {r.page_ms['p50']:>5.1f}/{r.page_ms['p95']:>5.1f}/{r.page_ms['p99']:>5.1f}"
            f"      {r.api_ms['p99']:>6.1f}        {r.uncached_ms['p50']:>5.1f}/{r.uncached_ms['p99']:>5.1f}"
        )
    print()
    for r in results:
        verdict = "PASS" if r.ratio <= RATIO_TARGET else "MISS"
        print(
            f"{r.size}: recompute / warm count(*) scan = {r.ratio:.2f} (target <= {RATIO_TARGET}): {verdict}"
        )
        verdict = "PASS" if r.page_ms["p99"] < P99_TARGET_MS else "MISS"
        print(
            f"{r.size}: dashboard page p99 = {r.page_ms['p99']:.1f} ms"
            f" (target < {P99_TARGET_MS:.0f} ms): {verdict}"
        )
        verdict = "PASS" if r.uncached_ms["p99"] < P99_TARGET_MS else "MISS"
        print(
            f"{r.size}: dashboard page p99 without the snapshot cache = {r.uncached_ms['p99']:.1f} ms"
            f" (target < {P99_TARGET_MS:.0f} ms): {verdict}"
        )
    by_size = {r.size: r for r in results}
    if "S" in by_size and "L" in by_size:
        growth = by_size["L"].page_ms["p99"] / by_size["S"].page_ms["p99"]
        verdict = "PASS" if growth <= L_OVER_S_TARGET else "MISS"
        print(f"L / S dashboard p99 = {growth:.2f} (target <= {L_OVER_S_TARGET}): {verdict}")
    else:
        print("L / S dashboard p99: not measured (L not run)")
    print("L's questionnaire answers and journal entries: not generated (no such tables in this branch).")


async def main(sizes: list[str]) -> None:
    services = Services(
        admin_dsn=str(
            make_url(os.environ.get("NASTAVNIK_TEST_DATABASE_URL", DEFAULT_DATABASE_URL)).set(
                drivername="postgresql"
            )
        ),
        redis_url=os.environ.get("NASTAVNIK_TEST_REDIS_URL", DEFAULT_REDIS_URL),
    )
    results = []
    for name in sizes:
        results.append(await bench_size(services, SIZES[name]))
    report(results)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="S,M", help="comma-separated: S, M, L")
    args = parser.parse_args()
    asyncio.run(main([s.strip().upper() for s in args.sizes.split(",") if s.strip()]))
