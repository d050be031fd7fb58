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
   mentee (its state drawn uniformly: 70 % active, 15 % completed, 5 % each draft, ended early and of last
   year), three development-plan tasks per mentee, one to ten journal entries per pair, the start
   questionnaires of both members (one in five answered) and the end ones of pairs that ended (three in
   five answered) under the platform's default versions, the methodical work (a club per organisation
   with its meetings and attendance, two decades with their events and learners per school and
   college). Timed (issue's bound: 15 minutes per size).
2. **Recompute** the whole region (``nastavnik.domain.statistics.recompute``, as the aggregator role): once
   cold, then again; the second is the figure. Its **ratio** to a warm plain scan (``SELECT count(*)``,
   as the same role, run twice, the second counted) of every table the recompute reads (target: at most
   3). Beside it, the **floor**: a bare ``count(*)`` of group members joined to their groups (what every
   coverage indicator needs at the least) against the same scan of those two tables.
3. **Dashboard**: the platform served by uvicorn in a process of its own; 1,000 sequential keep-alive
   requests of ``/region/statistics`` (the page) and of ``/api/region/statistics`` as the region's staff,
   after 20 warm-up requests: median, p95, p99 (target: p99 under 100 ms, and L no more than 1.5 times S);
   then the page again from a server with the snapshot cache switched off
   (``NASTAVNIK_STATISTICS_CACHE_SIZE=0``), every request reading its figures from the database.

Sizes (the issue's): S about 400 organisations, 105,000 learners, 6,000 teachers; M about 1,100
organisations, 234,000 learners, 17,500 teachers; L about 650 large organisations, 1.5 million learners,
100,000 teachers, about a million participants, three million questionnaire answers and five million
journal entries (S and M get answers and entries in the same proportions).

Generating L takes minutes: ``--keep`` leaves each size's database and roles behind and prints the run's
tag; ``--reuse TAG`` measures those databases again (no generation; migrations added since are applied,
the figures stored so far are replaced by the recompute's). Drop a kept database and its five roles by
hand when done.

This is a benchmark, not a test: it prints its figures and exits 0 whether targets are met or not.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine
from tests.support.http import forge_session

from benchmarks.auth_bench import platform_server, start_server
from benchmarks.services import services_from_environment
from nastavnik.domain.statistics.recompute import ScopeKind, Snapshot, recompute
from nastavnik.runtime import Runtime
from nastavnik.testing import (
    RUN,
    RunDatabase,
    Services,
    create_test_database,
    drop_test_database,
    migrated_runtime,
    settings_for,
)
from nastavnik.web.app import create_app

YEAR = 2026
AS_OF = date(2026, 11, 20)
RATIO_TARGET = 3.0
ORG_P99_TARGET_S = 0.3
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
    "plan_item",
    "questionnaire_assignment",
    "questionnaire_answer",
    "org_plugin_setting",
    "methodical_association",
    "methodical_member",
    "methodical_event",
    "methodical_participant",
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
        # s picks the pair's state: uniform over 0..19 whichever of n's last digits are mentees.
        """ALTER TABLE bench_mentee ADD COLUMN s int, ADD COLUMN y int""",
        """UPDATE bench_mentee SET s = (3 * (n / 10) + n) % 20""",
        """UPDATE bench_mentee SET y = CASE WHEN s = 19 THEN {year} - 1 ELSE {year} END""",
        """INSERT INTO mentoring_group (org_id, id, programme_id, form_code, kind_code, starts_on, ends_on,
                                 status, reasons, result, version)
    SELECT m.org_id, md5('{run}g' || m.k || m.o || '-' || m.n)::uuid,
           md5('{run}p' || m.o || '-' || m.y)::uuid, m.form, 'traditional', make_date(m.y, 9, 15),
           make_date(m.y + 1, 5, 31),
           CASE WHEN m.s < 14 THEN 'active' WHEN m.s < 17 THEN 'completed'
                WHEN m.s = 17 THEN 'draft' WHEN m.s = 18 THEN 'ended_early' ELSE 'completed' END,
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
        # Development plans: three tasks per mentee of a group past its draft, one in three ticked done.
        """INSERT INTO plan_item (org_id, id, group_id, mentee_id, goal, task, due_on, done, done_on, result,
                           version)
    SELECT m.org_id, md5('{run}i' || m.k || m.o || '-' || m.n || '-' || t)::uuid,
           md5('{run}g' || m.k || m.o || '-' || m.n)::uuid, md5('{run}' || m.k || m.o || '-' || m.n)::uuid,
           'Цель ' || t, 'Задача ' || t, make_date(m.y + 1, 5, 20), (m.n + t) % 3 = 0,
           CASE WHEN (m.n + t) % 3 = 0 THEN make_date(m.y, 10, 1 + (m.n + t) % 28) END, '', 1
      FROM bench_mentee m CROSS JOIN generate_series(1, 3) AS t WHERE m.s <> 17""",
        # The mentor's journal: one to ten meetings six days apart per group past its draft (about 5.5).
        """INSERT INTO journal_entry (org_id, id, group_id, author_id, met_on, topic, content, result,
                               assignment, version)
    SELECT m.org_id, md5('{run}j' || m.k || m.o || '-' || m.n || '-' || e)::uuid,
           md5('{run}g' || m.k || m.o || '-' || m.n)::uuid, md5('{run}t' || m.o || '-' || m.mentor)::uuid,
           make_date(m.y, 9, 15) + 6 * e, 'Встреча ' || e,
           'Разобрали трудности недели, составили план подготовки и договорились о следующей встрече.',
           'Задачи недели выполнены.', 'Подготовить вопросы к следующей встрече.', 1
      FROM bench_mentee m CROSS JOIN LATERAL generate_series(1, 1 + (m.n / 10) % 10) AS e WHERE m.s <> 17""",
        # Questionnaires: the start one for both members of every group past its draft (one in five
        # answered), the end one for both members of groups that ended (three in five answered), each
        # under the platform's published default version of its audience and regime.
        """CREATE TEMP TABLE bench_version ON COMMIT DROP AS
    SELECT t.code, v.id AS version_id, v.items
      FROM questionnaire_template t JOIN questionnaire_version v ON v.template_id = t.id
     WHERE t.region_id IS NULL AND v.status = 'published'""",
        """CREATE TEMP TABLE bench_assignment ON COMMIT DROP AS
    SELECT m.org_id, m.n, md5('{run}q' || m.k || m.o || '-' || m.n || r.role || w.moment)::uuid AS id,
           md5('{run}g' || m.k || m.o || '-' || m.n)::uuid AS group_id,
           CASE WHEN r.role = 'mentee' THEN md5('{run}' || m.k || m.o || '-' || m.n)
                ELSE md5('{run}t' || m.o || '-' || m.mentor) END::uuid AS person_id,
           r.role, w.moment,
           CASE WHEN r.role = 'mentor' THEN 'mentor_' || w.moment
                WHEN m.k = 'l' THEN 'mentee_' || w.moment || '_learners'
                ELSE 'mentee_' || w.moment || '_pedagogues' END AS code,
           CASE WHEN w.moment = 'start' AND (m.n / 7) % 5 = 0 THEN make_date(m.y, 9, 20)::timestamptz
                WHEN w.moment = 'end' AND (m.n / 7) % 5 < 3
                THEN make_date(m.y + CASE WHEN m.s = 19 THEN 1 ELSE 0 END,
                               CASE WHEN m.s = 19 THEN 5 ELSE 11 END, 1 + m.n % 15)::timestamptz
           END AS completed_at
      FROM bench_mentee m
     CROSS JOIN (VALUES ('mentee'), ('mentor')) AS r(role)
     CROSS JOIN (VALUES ('start'), ('end')) AS w(moment)
     WHERE m.s <> 17 AND (w.moment = 'start' OR m.s IN (14, 15, 16, 18, 19))""",
        """INSERT INTO questionnaire_assignment (org_id, id, group_id, person_id, role, moment, version_id,
                                          assigned_at, completed_at)
    SELECT a.org_id, a.id, a.group_id, a.person_id, a.role, a.moment, v.version_id,
           coalesce(a.completed_at, DATE '{as_of}'::timestamptz), a.completed_at
      FROM bench_assignment a JOIN bench_version v ON v.code = a.code""",
        """INSERT INTO questionnaire_answer (org_id, assignment_id, item_key, score, text)
    SELECT a.org_id, a.id, item.value ->> 'key',
           CASE WHEN item.value ->> 'kind' = 'scale' THEN 1 + (a.n + item.position) % 10 END,
           CASE WHEN item.value ->> 'kind' <> 'scale' THEN 'Всё было полезно.' END
      FROM bench_assignment a JOIN bench_version v ON v.code = a.code
     CROSS JOIN LATERAL jsonb_array_elements(v.items) WITH ORDINALITY AS item(value, position)
     WHERE a.completed_at IS NOT NULL""",
        # The methodical work: every organisation's club of the year (its young teachers the members; six
        # meetings, three held, two planned, one cancelled; three in four members at each held one) and,
        # in schools and colleges, two decades (an open lesson and an olympiad of twenty learners held, a
        # contest planned).
        """INSERT INTO methodical_association (org_id, id, shape, academic_year, name, subject_area,
                                            starts_on, ends_on, summary, products, version)
    SELECT b.id, md5('{run}c' || b.o)::uuid, 'club', {year}, 'Клуб', '', NULL, NULL, '', '', 1
      FROM bench_org b
    UNION ALL
    SELECT b.id, md5('{run}d' || b.o || '-' || d)::uuid, 'decade', {year}, 'Декада', 'Математика',
           make_date({year}, 11, d), make_date({year}, 11, d + 9), '', '', 1
      FROM bench_org b CROSS JOIN (VALUES (1), (15)) AS v(d) WHERE b.type <> 'kindergarten'""",
        """INSERT INTO methodical_member (org_id, association_id, person_id, role, position)
    SELECT b.id, md5('{run}c' || b.o)::uuid, md5('{run}t' || b.o || '-' || n)::uuid, 'member', ''
      FROM bench_org b CROSS JOIN LATERAL generate_series(2, 1 + b.young) AS n""",
        """INSERT INTO methodical_event (org_id, id, association_id, held_on, topic, form, classes, status,
                                  outcome, version)
    SELECT b.id, md5('{run}ce' || b.o || '-' || e)::uuid, md5('{run}c' || b.o)::uuid,
           make_date({year}, 9, 20) + 14 * e, 'Заседание ' || e, 'seminar', '',
           CASE WHEN e <= 3 THEN 'held' WHEN e <= 5 THEN 'planned' ELSE 'cancelled' END, '', 1
      FROM bench_org b CROSS JOIN generate_series(1, 6) AS e
    UNION ALL
    SELECT b.id, md5('{run}de' || b.o || '-' || d || '-' || f.form)::uuid,
           md5('{run}d' || b.o || '-' || d)::uuid, make_date({year}, 11, d + 2), 'Мероприятие', f.form, '5А',
           f.status, '', 1
      FROM bench_org b CROSS JOIN (VALUES (1), (15)) AS v(d)
     CROSS JOIN (VALUES ('open_lesson', 'held'), ('olympiad', 'held'), ('contest', 'planned'))
             AS f(form, status)
     WHERE b.type <> 'kindergarten'""",
        """INSERT INTO methodical_participant (org_id, event_id, person_id, role, place)
    SELECT b.id, md5('{run}ce' || b.o || '-' || e)::uuid, md5('{run}t' || b.o || '-' || n)::uuid,
           'attendee', NULL
      FROM bench_org b CROSS JOIN generate_series(1, 3) AS e
     CROSS JOIN LATERAL generate_series(2, 1 + b.young) AS n WHERE (n + e) % 4 <> 0
    UNION ALL
    SELECT b.id, md5('{run}de' || b.o || '-' || d || '-olympiad')::uuid,
           md5('{run}l' || b.o || '-' || (n + d))::uuid, 'learner', CASE WHEN n = 1 THEN 'winner' END
      FROM bench_org b CROSS JOIN (VALUES (1), (15)) AS v(d) CROSS JOIN generate_series(1, 20) AS n
     WHERE b.type <> 'kindergarten' AND b.learners >= 40""",
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


async def analyse_statistics_tables(runtime: Runtime) -> None:
    """What autovacuum does on a server where it is on (the test server has it off): without it the
    statistics tables keep no statistics for the snapshot just written, the planner expects one row of it,
    and both the dashboard's and one organisation's statements scan the whole snapshot."""
    async with runtime.owner_engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(
            text("VACUUM ANALYZE stat_org_snapshot, stat_org_value, stat_area_snapshot, stat_area_value")
        )


async def counts(runtime: Runtime) -> dict[str, int]:
    """Rows of every source table, and of the journal (generated for its volume, read by no indicator)."""
    async with runtime.owner_engine.connect() as conn:
        return {
            t: int(await conn.scalar(text(f"SELECT count(*) FROM {t}")) or 0)
            for t in (*SOURCE_TABLES, "journal_entry")
        }


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


# The least any recompute must do beyond reading: the joins it cannot avoid, each a bare count(*) (no
# filter, no output, no aggregate), warm, as the aggregator. Their sum is the recompute's floor.
FLOOR_JOINS = {
    "members to groups": "SELECT count(*) FROM group_member gm"
    " JOIN mentoring_group g ON g.org_id = gm.org_id AND g.id = gm.group_id",
    "mentee base": "SELECT count(*) FROM group_member gm"
    " JOIN mentee_profile mp ON mp.org_id = gm.org_id AND mp.person_id = gm.person_id",
    "plans": "SELECT count(*) FROM plan_item i"
    " JOIN mentoring_group g ON g.org_id = i.org_id AND g.id = i.group_id",
    "assignments and answers": "SELECT count(*) FROM questionnaire_answer x"
    " JOIN questionnaire_assignment a ON a.org_id = x.org_id AND a.id = x.assignment_id",
    "curators": "SELECT count(*) FROM person_role pr"
    " JOIN person pe ON pe.org_id = pr.org_id AND pe.id = pr.person_id",
}
# The first of them against the scan of its two tables (the figure of the earlier issue).
FLOOR_TABLES = ("group_member", "mentoring_group")


async def join_floors(runtime: Runtime) -> tuple[dict[str, float], float]:
    """(seconds of each bare join, seconds of the warm count(*) of members and groups), second of two runs."""
    async with runtime.aggregator_engine.connect() as conn:
        joins: dict[str, float] = {}
        scan_s = 0.0
        for _ in range(2):
            for name, sql in FLOOR_JOINS.items():
                started = time.perf_counter()
                await conn.execute(text(sql))
                joins[name] = time.perf_counter() - started
            scan_s = 0.0
            for table in FLOOR_TABLES:
                started = time.perf_counter()
                await conn.execute(text(f"SELECT count(*) FROM {table}"))
                scan_s += time.perf_counter() - started
        return joins, scan_s


class StatementTimes:
    """Seconds per statement of what runs on an engine while it is attached: where a recompute's time goes."""

    def __init__(self, *engines: AsyncEngine | None) -> None:
        self.engines = [engine.sync_engine for engine in engines if engine is not None]
        self.times: list[tuple[float, str]] = []
        self._started: dict[int, float] = {}

    def _before(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self._started[id(cursor)] = time.perf_counter()

    def _after(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        started = self._started.pop(id(cursor), None)
        if started is not None:
            flat = " ".join(statement.split())
            if "SELECT CAST(r.org_id AS uuid)" in flat:  # an indicator: what it selects, not the wrapper
                flat = "indicator " + flat[flat.index("FROM (") + 6 :]
                if "AS MATERIALIZED (" in flat:  # a plugin's indicator, wrapped: what it computes
                    flat = "indicator " + flat[flat.index("AS MATERIALIZED (") + 17 :]
            self.times.append((time.perf_counter() - started, flat[:160]))

    def __enter__(self) -> StatementTimes:
        for engine in self.engines:
            event.listen(engine, "before_cursor_execute", self._before)
            event.listen(engine, "after_cursor_execute", self._after)
        return self

    def __exit__(self, *exc: object) -> None:
        for engine in self.engines:
            event.remove(engine, "before_cursor_execute", self._before)
            event.remove(engine, "after_cursor_execute", self._after)

    def top(self, n: int) -> list[tuple[float, str]]:
        return sorted(self.times, reverse=True)[:n]


async def organisation_recomputes(runtime: Runtime, region_id: uuid.UUID, sample: int) -> list[float]:
    """Seconds of one organisation's recompute, for ``sample`` organisations spread over the region
    (every organisation when there are fewer), each after the region's figures exist."""
    async with runtime.owner_engine.connect() as conn:
        orgs = list(
            await conn.scalars(
                text(
                    "SELECT o.id FROM organisation o JOIN municipality m ON m.id = o.municipality_id"
                    " WHERE m.region_id = :r ORDER BY o.id"
                ),
                {"r": region_id},
            )
        )
    step = max(1, len(orgs) // sample)
    seconds = []
    with StatementTimes(runtime.aggregator_engine) as steps:
        for org_id in orgs[::step][:sample]:
            result = await recompute(
                runtime.aggregator_engine,
                runtime.plugins,
                Snapshot(ScopeKind.ORGANISATION, org_id, YEAR, AS_OF),
            )
            seconds.append(result.seconds)
    # Where an organisation's recompute spends its time: each statement's total over the sample.
    totals: dict[str, float] = {}
    for took, statement in steps.times:
        totals[statement] = totals.get(statement, 0.0) + took
    for statement, took in sorted(totals.items(), key=lambda kv: -kv[1])[:6]:
        print(f"  {took / len(seconds) * 1000:6.1f} ms per organisation  {statement}", flush=True)
    return seconds


async def latencies(base_url: str, path: str, cookie: str, requests: int) -> list[float]:
    async with httpx.AsyncClient(base_url=base_url, cookies={"session": cookie}, timeout=30) as client:
        for _ in range(WARMUP):
            response = await client.get(path)
            response.raise_for_status()
        samples = []
        for _ in range(requests):
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
    floor_joins_s: dict[str, float]
    floor_scan_s: float
    org_recompute_s: list[float]
    page_ms: dict[str, float] | None
    api_ms: dict[str, float] | None
    uncached_ms: dict[str, float] | None
    uncached_api_ms: dict[str, float] | None
    connections: int = 1
    one_connection_s: float = 0.0
    """The same recompute on one connection, measured right after (the shares' gain)."""
    uncached_municipality_ms: dict[str, float] | None = None
    """The largest municipality's page without the snapshot cache."""

    @property
    def ratio(self) -> float:
        return self.recompute_s / self.scan_s if self.scan_s else float("inf")

    @property
    def floor_s(self) -> float:
        return sum(self.floor_joins_s.values())

    @property
    def floor_ratio(self) -> float:
        """The full recompute against the sum of its bare joins."""
        return self.recompute_s / self.floor_s if self.floor_s else float("inf")

    @property
    def join_ratio(self) -> float:
        """The bare join of members and groups against the scan of those two tables."""
        first = self.floor_joins_s["members to groups"]
        return first / self.floor_scan_s if self.floor_scan_s else float("inf")

    @property
    def org_p50_s(self) -> float:
        return statistics.median(self.org_recompute_s)

    @property
    def org_p99_s(self) -> float:
        return percentile(self.org_recompute_s, 0.99)


def summary(samples: list[float]) -> dict[str, float]:
    return {
        "p50": statistics.median(samples),
        "p95": percentile(samples, 0.95),
        "p99": percentile(samples, 0.99),
        "max": max(samples),
    }


def kept_database(services: Services, run: str, size: Size) -> RunDatabase:
    """The database (and roles) a run with ``--keep`` left behind: named by that run's tag and the size."""
    suffix = f"{run}_bench{size.name.lower()}"
    url = make_url(services.database_dsn(f"nastavnik_test_{suffix}")).set(
        drivername="postgresql+asyncpg", username=f"nk_owner_{suffix}"
    )
    return RunDatabase(
        f"nastavnik_test_{suffix}",
        f"nk_owner_{suffix}",
        f"nk_app_{suffix}",
        f"nk_auditor_{suffix}",
        f"nk_agg_{suffix}",
        url.render_as_string(hide_password=False),
        f"nk_prov_{suffix}",
    )


async def generated_region(runtime: Runtime) -> uuid.UUID:
    """The one region a kept database holds."""
    async with runtime.owner_engine.connect() as conn:
        region_id = await conn.scalar(text("SELECT id FROM region WHERE code LIKE 'B-%'"))
    assert isinstance(region_id, uuid.UUID)
    return region_id


async def bench_size(
    services: Services,
    size: Size,
    organisations: int,
    requests: int,
    keep: bool = False,
    reuse: str | None = None,
    connections: int = 2,
) -> Result:
    if reuse:
        database = kept_database(services, reuse, size)
        keep = True  # whoever kept it drops it
    else:
        database = await create_test_database(services, f"bench{size.name.lower()}")
    settings = settings_for(
        services, database, redis_prefix=f"nastavnik-bench-{RUN}-{size.name}", log_level="WARNING"
    )
    runtime = await migrated_runtime(settings)  # a kept database gets the migrations added since
    server = None
    try:
        if reuse:
            region_id, generate_s = await generated_region(runtime), 0.0
            print(f"[{size.name}] reusing {database.name}", flush=True)
        else:
            run = uuid.uuid4().hex[:8]
            print(f"[{size.name}] generating…", flush=True)
            region_id, generate_s = await generate(runtime, size, run)
        rows = await counts(runtime)
        print(f"[{size.name}] generated in {generate_s:.1f} s: {rows}", flush=True)
        snapshot = Snapshot(ScopeKind.REGION, region_id, YEAR, AS_OF)
        in_shares = {"connections": connections, "shares_engine": runtime.aggregator_shares_engine}
        cold = await recompute(runtime.aggregator_engine, runtime.plugins, snapshot, **in_shares)
        with StatementTimes(runtime.aggregator_engine, runtime.aggregator_shares_engine) as steps:
            warm = await recompute(runtime.aggregator_engine, runtime.plugins, snapshot, **in_shares)
        # The shares' statements run at once, on connections of their own: their times overlap.
        for seconds, statement in steps.top(8):
            print(f"[{size.name}]   {seconds * 1000:7.1f} ms  {statement}", flush=True)
        alone = await recompute(runtime.aggregator_engine, runtime.plugins, snapshot, connections=1)
        print(
            f"[{size.name}] recompute on {connections} connections {warm.seconds:.2f} s,"
            f" on one {alone.seconds:.2f} s",
            flush=True,
        )
        await analyse_statistics_tables(runtime)
        scan = await warm_scan_seconds(runtime)
        floor_joins, floor_scan = await join_floors(runtime)
        print(
            f"[{size.name}] recompute {warm.seconds:.2f} s (cold {cold.seconds:.2f} s), scan {scan:.3f} s,"
            f" bare joins {sum(floor_joins.values()):.3f} s: "
            + ", ".join(f"{k} {v:.3f} s" for k, v in floor_joins.items()),
            flush=True,
        )
        org_seconds = await organisation_recomputes(runtime, region_id, organisations)
        print(
            f"[{size.name}] {len(org_seconds)} organisation recomputes: median"
            f" {statistics.median(org_seconds) * 1000:.0f} ms,"
            f" p99 {percentile(org_seconds, 0.99) * 1000:.0f} ms,"
            f" max {max(org_seconds) * 1000:.0f} ms",
            flush=True,
        )
        page = api = uncached = uncached_api = uncached_municipality = None
        if requests:
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
            server = await start_server(f"stats-{size.name}", platform_server, values)
            base_url = f"http://127.0.0.1:{server.port}"
            page = summary(await latencies(base_url, f"/region/statistics?year={YEAR}", cookie, requests))
            api = summary(await latencies(base_url, f"/api/region/statistics?year={YEAR}", cookie, requests))
            await server.stop()
            # The same page and API read back from the database every time (the snapshot cache off).
            server = await start_server(
                f"stats-{size.name}-uncached", platform_server, {**values, "statistics_cache_size": 0}
            )
            base_url = f"http://127.0.0.1:{server.port}"
            uncached = summary(await latencies(base_url, f"/region/statistics?year={YEAR}", cookie, requests))
            uncached_api = summary(
                await latencies(base_url, f"/api/region/statistics?year={YEAR}", cookie, requests)
            )
            # The municipality with the most organisations, as its coordinator or region staff drill down.
            async with runtime.owner_engine.connect() as conn:
                largest = await conn.scalar(
                    text(
                        "SELECT municipality_id FROM organisation GROUP BY municipality_id"
                        " ORDER BY count(*) DESC, municipality_id LIMIT 1"
                    )
                )
            uncached_municipality = summary(
                await latencies(base_url, f"/m/{largest}/statistics?year={YEAR}", cookie, requests)
            )
        return Result(
            size.name,
            rows,
            generate_s,
            cold.seconds,
            warm.seconds,
            scan,
            floor_joins,
            floor_scan,
            org_seconds,
            page,
            api,
            uncached,
            uncached_api,
            connections,
            alone.seconds,
            uncached_municipality,
        )
    finally:
        if server is not None:
            await server.stop()
        await runtime.close()
        if keep:
            tag = reuse or RUN
            print(f"[{size.name}] kept {database.name}: --reuse {tag} --sizes {size.name}", flush=True)
        else:
            await drop_test_database(services, database)


def _ms(figures: dict[str, float] | None, key: str) -> str:
    return "-" if figures is None else f"{figures[key]:.1f}"


def report(results: list[Result]) -> None:
    print()
    print(
        "size  organisations  learners+teachers  mentees   groups  generate  recompute  bare joins  ratio"
        "  org recompute p50/p99 ms  page p50/p99 ms  api p99 ms  uncached page/api p99 ms"
    )
    for r in results:
        people = r.rows["person"]
        print(
            f"{r.size:<5} {r.rows['organisation']:>13,} {people:>18,} {r.rows['mentee_profile']:>8,} "
            f"{r.rows['mentoring_group']:>8,} {r.generate_s:>7.1f}s {r.recompute_s:>8.2f}s"
            f" {r.floor_s:>9.3f}s "
            f"{r.floor_ratio:>6.2f}  {r.org_p50_s * 1000:>11.0f}/{r.org_p99_s * 1000:.0f}"
            f"        {_ms(r.page_ms, 'p50')}/{_ms(r.page_ms, 'p99')}"
            f"       {_ms(r.api_ms, 'p99')}      {_ms(r.uncached_ms, 'p99')}/{_ms(r.uncached_api_ms, 'p99')}"
        )
    print()
    for r in results:
        print(f"{r.size}: bare joins (warm count(*), as the aggregator):")
        for name, seconds in r.floor_joins_s.items():
            print(f"    {name:<26} {seconds:.3f} s")
        print(f"    {'sum':<26} {r.floor_s:.3f} s")
        verdict = "PASS" if r.floor_ratio <= RATIO_TARGET else "MISS"
        print(
            f"{r.size}: full recompute on {r.connections} connection(s) {r.recompute_s:.2f} s"
            f" (on one: {r.one_connection_s:.2f} s) / sum of bare joins {r.floor_s:.3f} s"
            f" = {r.floor_ratio:.2f} (target <= {RATIO_TARGET}): {verdict}; against a warm count(*) of every"
            f" table it reads: {r.ratio:.1f}; members to groups alone = {r.join_ratio:.2f} x their scan"
        )
        verdict = "PASS" if r.org_p99_s <= ORG_P99_TARGET_S else "MISS"
        print(
            f"{r.size}: organisation recompute over {len(r.org_recompute_s)} organisations: median"
            f" {r.org_p50_s * 1000:.0f} ms, p99 {r.org_p99_s * 1000:.0f} ms"
            f" (target p99 <= {ORG_P99_TARGET_S * 1000:.0f} ms at L): {verdict}"
        )
        for label, figures in (
            ("page", r.page_ms),
            ("API", r.api_ms),
            ("page without the snapshot cache", r.uncached_ms),
            ("API without the snapshot cache", r.uncached_api_ms),
            ("largest municipality's page without the snapshot cache", r.uncached_municipality_ms),
        ):
            if figures is None:
                continue
            verdict = "PASS" if figures["p99"] < P99_TARGET_MS else "MISS"
            print(
                f"{r.size}: dashboard {label}: p50 {figures['p50']:.1f} ms, p99 {figures['p99']:.1f} ms"
                f" (target p99 < {P99_TARGET_MS:.0f} ms): {verdict}"
            )
    by_size = {r.size: r for r in results}
    if "S" in by_size and "L" in by_size and by_size["S"].page_ms and by_size["L"].page_ms:
        growth = by_size["L"].page_ms["p99"] / by_size["S"].page_ms["p99"]
        verdict = "PASS" if growth <= L_OVER_S_TARGET else "MISS"
        print(f"L / S dashboard p99 = {growth:.2f} (target <= {L_OVER_S_TARGET}): {verdict}")
    else:
        print("L / S dashboard p99: not measured (S and L were not both run with requests)")


async def main(
    sizes: list[str],
    organisations: int,
    requests: int,
    keep: bool = False,
    reuse: str | None = None,
    connections: int = 2,
) -> None:
    services = services_from_environment()
    results = []
    for name in sizes:
        results.append(
            await bench_size(services, SIZES[name], organisations, requests, keep, reuse, connections)
        )
    report(results)
    for r in results:
        extra = {t: r.rows[t] for t in ("plan_item", "questionnaire_answer", "journal_entry")}
        print(f"{r.size}: " + ", ".join(f"{k} {v:,}" for k, v in extra.items()))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="S,M", help="comma-separated: S, M, L")
    parser.add_argument(
        "--organisations", type=int, default=100, help="organisations whose own recompute is timed"
    )
    parser.add_argument(
        "--requests", type=int, default=REQUESTS, help="dashboard requests per measurement (0: skip them)"
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="leave each size's database and roles behind (drop them by hand) and print how to reuse them",
    )
    parser.add_argument(
        "--reuse",
        metavar="RUN",
        help="the tag a --keep run printed: measure its kept databases again instead of generating",
    )
    parser.add_argument(
        "--connections",
        type=int,
        default=2,
        help="connections the full recompute computes its shares on (the setting"
        " statistics_recompute_connections)",
    )
    args = parser.parse_args()
    asyncio.run(
        main(
            [s.strip().upper() for s in args.sizes.split(",") if s.strip()],
            args.organisations,
            args.requests,
            args.keep,
            args.reuse,
            args.connections,
        )
    )
