"""The two federal involvement indicators on a small hand-made world, as literals with their arithmetic.

Snapshot: academic year 2026/2027 as of 15.11.2026. Region «R» has the school T (10 pedagogues, 10
learners aged 10–18) and the college U (5 pedagogues, 4 learners); region «W» has the school X, whose
numbers (97 531 pedagogues) nobody in R may see. Every edge the definitions name is in T:

Teachers of T (category pedagogue): P1 mentors pairs A and C; P2 mentors B and the group E; P3 is a
mentee in C and mentors the learner L1 in D; Y1 is a mentee in A and in E (and in I, mentored by the
staff member S1, and in K, which starts after the snapshot date); Y2 in B (and in J); Y3 in E. Counted:
P1, P2, P3, Y1, Y2, Y3 = 6 of 10 = 60 %, below the 70 % target; as mentors P1, P2, P3 = 3, as mentees
Y1, Y2, Y3, P3 = 4 (P3 is both: once in the total). Not counted: P4 and Y5 (their pair F ended early),
P5 and Y6 (pair G of last year), P6 and Y7 (pair H a draft), P7 (mentored J but left the base of mentors
before the snapshot date), P8 (pair K starts after it), P9 (pair Z's term ended before the year), S1
(staff, not a pedagogue).

Learners of T: L1 (14) a mentee of P3 in D and of nobody else; L2 (15) mentors the peers L3 and L4 in
the group M; L3 (12) is also a mentee of P1 in the completed pair N (once); L4 is 9; L5 (16) mentors L6 (11)
in O and is only in the base of mentors, which keeps a learner mentor's birth date; L7 (17) mentors L8 (13)
in P, ended early; L9 (13) was a mentee last year; L10 (18, 19 tomorrow) mentors L11 (19 today) in Q; L12
(14) left before the snapshot date; L13, only in the base of mentors, is 9 and mentors L4 in S; L14, only
in the base of mentors and without a birth date, mentors L4 in V. Counted: L1, L2, L3, L5, L6, L10 = 6 of
10 = 60 %; as mentors L2, L5, L10 = 3, as mentees L1, L3, L6 = 3; the mentees alone (``learners_covered``)
3 of 10 = 30 %.

U: the teacher Q1 mentors the student V3 (15) in a completed pair; the student V1 (17) mentors V2 (16) in
«студент – студент». Teachers 1 of 5 = 20 %; learners V1, V2, V3 = 3 of 4 = 75 %. The region: learners
(6 + 3) / (10 + 4) = 9/14 = 64,3 %.
"""

from __future__ import annotations

import io
from datetime import date

import docx
import pytest
from litestar import Litestar
from openpyxl import load_workbook

from nastavnik.domain.statistics.recompute import ScopeKind, Snapshot, recompute
from nastavnik.runtime import Runtime
from tests.statistics.queue import run_worker
from tests.statistics.reference import area_values, org_values
from tests.statistics.spec import BuiltRegion, GroupSpec, MenteeSpec, OrgSpec, RegionSpec, build_region
from tests.statistics.stored import area_rows, org_rows
from tests.support.http import client_for

YEAR, AS_OF = 2026, date(2026, 11, 15)
TEACHERS, LEARNERS = "teachers_involved", "learners_involved"
TEACHERS_TITLE = "Педагоги, вовлечённые в наставничество"
LEARNERS_TITLE = "Обучающиеся 10–18 лет, вовлечённые в наставничество"


def _teacher(key: str, **kw: object) -> MenteeSpec:
    """A pedagogue in the base of mentees (a young teacher or one new to a post)."""
    return MenteeSpec(key, "young_pedagogue", profession_since=date(2020, 9, 1), **kw)  # type: ignore[arg-type]


def _mentor(key: str, category: str = "pedagogue", **kw: object) -> MenteeSpec:
    """Somebody who only mentors: no record in the base of mentees."""
    return MenteeSpec(key, category=category, in_mentee_base=False, **kw)  # type: ignore[arg-type]


def _learner(key: str, born: date | None, **kw: object) -> MenteeSpec:
    return MenteeSpec(key, "learner", birth_date=born, **kw)  # type: ignore[arg-type]


def _pair(
    mentor: str, mentees: list[str], status: str = "active", year: int = YEAR, **kw: object
) -> GroupSpec:
    return GroupSpec(year, status, mentees, mentors=0, mentor_keys=[mentor], **kw)  # type: ignore[arg-type]


T = OrgSpec(
    "T",
    "MR",
    "school",
    headcounts={YEAR: (10, 0)},
    pedagogues={YEAR: 10},
    mentors=0,
    mentees=[
        _mentor("P1"),
        _mentor("P2"),
        _teacher("P3"),
        _mentor("P4"),
        _mentor("P5"),
        _mentor("P6"),
        _mentor("P7", mentor_left_on=date(2026, 11, 1)),
        _mentor("P8"),
        _mentor("P9"),
        _mentor("S1", "staff"),
        _teacher("Y1"),
        _teacher("Y2"),
        _teacher("Y3"),
        _teacher("Y5"),
        _teacher("Y6"),
        _teacher("Y7"),
        _learner("L1", date(2012, 3, 1)),
        _learner("L2", date(2011, 3, 1)),
        _learner("L3", date(2014, 3, 1)),
        _learner("L4", date(2017, 1, 1)),
        _mentor("L5", "learner", mentor_birth_date=date(2010, 3, 1)),
        _learner("L6", date(2015, 3, 1)),
        _learner("L7", date(2009, 3, 1)),
        _learner("L8", date(2013, 3, 1)),
        _learner("L9", date(2013, 3, 1)),
        _learner("L10", date(2007, 11, 16)),
        _learner("L11", date(2007, 11, 15)),
        _learner("L12", date(2012, 3, 1), left_on=date(2026, 10, 1)),
        _mentor("L13", "learner", mentor_birth_date=date(2017, 6, 1)),
        _mentor("L14", "learner"),
    ],
    groups=[
        _pair("P1", ["Y1"], form="teacher_teacher"),  # A
        _pair("P2", ["Y2"], "completed", form="teacher_teacher"),  # B
        _pair("P1", ["P3"], form="teacher_teacher"),  # C
        _pair("P3", ["L1"], form="teacher_student"),  # D: a teacher in the learners' regime
        _pair("P2", ["Y3", "Y1"], form="teacher_teacher", kind="group"),  # E
        _pair("P4", ["Y5"], "ended_early", form="teacher_teacher"),  # F
        _pair("P5", ["Y6"], "completed", YEAR - 1, form="teacher_teacher"),  # G
        _pair("P6", ["Y7"], "draft", form="teacher_teacher"),  # H
        _pair("S1", ["Y1"], form="head_teacher"),  # I
        _pair("P7", ["Y2"], "completed", form="teacher_teacher"),  # J
        _pair("P8", ["Y1"], starts_on=date(2026, 12, 1), form="teacher_teacher"),  # K
        _pair("L2", ["L3", "L4"], form="student_student", kind="group"),  # M
        _pair("P1", ["L3"], "completed", form="teacher_student"),  # N
        _pair("L5", ["L6"], form="student_student"),  # O
        _pair("L7", ["L8"], "ended_early", form="student_student"),  # P
        _pair("L10", ["L11"], form="student_student"),  # Q
        _pair("L13", ["L4"], form="student_student"),  # S: a mentor of 9
        _pair("L14", ["L4"], form="student_student"),  # V: a mentor of no known age
        _pair("P1", ["L9"], "completed", YEAR - 1, form="teacher_student"),  # last year's
        _pair("P1", ["L12"], form="teacher_student"),  # L12 left before the snapshot date
        # Z: a term written before the year though of its programme (the pages refuse one): not counted.
        _pair("P9", ["Y6"], starts_on=date(2026, 8, 1), ends_on=date(2026, 8, 31), form="teacher_teacher"),
    ],
)

U = OrgSpec(
    "U",
    "MR",
    "college",
    headcounts={YEAR: (4, 0)},
    pedagogues={YEAR: 5},
    mentors=0,
    mentees=[
        _mentor("Q1"),
        _learner("V1", date(2009, 5, 5)),
        _learner("V2", date(2010, 5, 5)),
        _learner("V3", date(2011, 5, 5)),
    ],
    groups=[
        _pair("Q1", ["V3"], "completed", form="teacher_student"),
        _pair("V1", ["V2"], form="student_student"),
    ],
)

X = OrgSpec(
    "X",
    "MW",
    "school",
    headcounts={YEAR: (86_420, 0)},
    pedagogues={YEAR: 97_531},
    mentors=0,
    mentees=[_mentor("XP"), _learner("XL", date(2012, 3, 1))],
    groups=[_pair("XP", ["XL"], form="teacher_student")],
)


@pytest.fixture(scope="module")
async def regions(runtime: Runtime) -> tuple[BuiltRegion, BuiltRegion]:
    r = await build_region(runtime, RegionSpec(["MR"], [T, U]))
    w = await build_region(runtime, RegionSpec(["MW"], [X]))
    for built in (r, w):
        await recompute(
            runtime.aggregator_engine, runtime.plugins, Snapshot(ScopeKind.REGION, built.id, YEAR, AS_OF)
        )
    return r, w


async def test_teachers_involved_in_mentoring(
    runtime: Runtime, regions: tuple[BuiltRegion, BuiltRegion]
) -> None:
    r, _ = regions
    t = await org_rows(runtime, r.orgs["T"], YEAR, AS_OF)
    u = await org_rows(runtime, r.orgs["U"], YEAR, AS_OF)
    # T: P1, P2, P3, Y1, Y2, Y3 = 6 of 10; mentors P1, P2, P3; mentees Y1, Y2, Y3, P3.
    assert {b: t[(TEACHERS, b)] for b in ("", "role:mentor", "role:mentee")} == {
        "": (6, 10, None),
        "role:mentor": (3, 10, None),
        "role:mentee": (4, 10, None),
    }
    # U: Q1 = 1 of 5, a mentor.
    assert {b: u[(TEACHERS, b)] for b in ("", "role:mentor", "role:mentee")} == {
        "": (1, 5, None),
        "role:mentor": (1, 5, None),
        "role:mentee": (0, 5, None),
    }
    areas = await area_rows(runtime, r, YEAR, AS_OF)
    # The region: (6 + 1) / (10 + 5) = 7/15, two organisations reporting; the schools alone 6/10.
    assert areas[("region", "", "", TEACHERS, "")] == (7, 15, None, 2)
    assert areas[("municipality", "MR", "", TEACHERS, "")] == (7, 15, None, 2)
    assert areas[("region", "", "school", TEACHERS, "")] == (6, 10, None, 1)
    assert areas[("region", "", "", TEACHERS, "role:mentee")] == (4, 15, None, 2)


async def test_learners_involved_as_mentees_and_as_mentors(
    runtime: Runtime, regions: tuple[BuiltRegion, BuiltRegion]
) -> None:
    r, _ = regions
    t = await org_rows(runtime, r.orgs["T"], YEAR, AS_OF)
    u = await org_rows(runtime, r.orgs["U"], YEAR, AS_OF)
    # T: L1, L2, L3, L5, L6, L10 = 6 of 10; mentors L2, L5 (only in the base of mentors), L10; mentees
    # L1, L3, L6. Not L13 (9) nor L14 (no birth date), though they mentor L4.
    assert {b: t[(LEARNERS, b)] for b in ("", "role:mentor", "role:mentee")} == {
        "": (6, 10, None),
        "role:mentor": (3, 10, None),
        "role:mentee": (3, 10, None),
    }
    # The mentees alone, as before: L1, L3, L6 = 3 of 10.
    assert t[("learners_covered", "")] == (3, 10, None)
    # U: V1 (a mentor), V2, V3 = 3 of 4.
    assert u[(LEARNERS, "")] == (3, 4, None)
    assert u[(LEARNERS, "role:mentor")] == (1, 4, None)
    areas = await area_rows(runtime, r, YEAR, AS_OF)
    # The region: (6 + 3) / (10 + 4) = 9/14; mentors 3 + 1 = 4.
    assert areas[("region", "", "", LEARNERS, "")] == (9, 14, None, 2)
    assert areas[("region", "", "", LEARNERS, "role:mentor")] == (4, 14, None, 2)
    assert areas[("region", "", "college", LEARNERS, "")] == (3, 4, None, 1)


async def test_the_reference_computes_the_same(
    runtime: Runtime, regions: tuple[BuiltRegion, BuiltRegion]
) -> None:
    """The plain Python definitions (tests/statistics/reference.py) agree with the SQL on this world."""
    r, _ = regions
    for spec in (T, U):
        stored = await org_rows(runtime, r.orgs[spec.key], YEAR, AS_OF)
        expected = org_values(spec, YEAR, AS_OF)
        for key in (TEACHERS, LEARNERS, "learners_covered"):
            assert {k: v for k, v in stored.items() if k[0] == key} == {
                k: v for k, v in expected.items() if k[0] == key
            }
    areas = await area_rows(runtime, r, YEAR, AS_OF)
    reference = area_values(RegionSpec(["MR"], [T, U]), YEAR, AS_OF)
    mine = {k: v for k, v in areas.items() if k[3] in (TEACHERS, LEARNERS)}
    assert mine == {k: v for k, v in reference.items() if k[3] in (TEACHERS, LEARNERS)}


async def test_another_region_is_never_in_the_sums(
    runtime: Runtime, app: Litestar, regions: tuple[BuiltRegion, BuiltRegion]
) -> None:
    r, w = regions
    areas = await area_rows(runtime, r, YEAR, AS_OF)
    assert areas[("region", "", "", TEACHERS, "")][:2] == (7, 15)  # not X's 1 of 97 531
    async with client_for(app, r.region_staff) as client:
        body = (await client.get(f"/api/region/statistics?year={YEAR}")).json()
        page = await client.get(f"/region/statistics?year={YEAR}")
        theirs = await client.get(f"/api/municipalities/{w.municipalities['MW']}/statistics?year={YEAR}")
    indicators = {f["indicator"]: f for f in body["indicators"]}
    assert (indicators[TEACHERS]["numerator"], indicators[TEACHERS]["denominator"]) == (7, 15)
    assert not any(n in page.text for n in ("97531", "97\u202f531", "86420", "86\u202f420"))
    assert theirs.status_code == 404
    async with client_for(app, w.region_staff) as client:
        other = (await client.get(f"/api/region/statistics?year={YEAR}")).json()
    other_figures = {f["indicator"]: f for f in other["indicators"]}
    assert (other_figures[TEACHERS]["numerator"], other_figures[TEACHERS]["denominator"]) == (1, 97_531)


async def test_the_pages_show_the_indicators_with_their_targets(
    app: Litestar, regions: tuple[BuiltRegion, BuiltRegion]
) -> None:
    r, _ = regions
    async with client_for(app, r.region_staff) as client:
        body = (await client.get(f"/api/region/statistics?year={YEAR}")).json()
        page = await client.get(f"/region/statistics?year={YEAR}")
    indicators = {f["indicator"]: f for f in body["indicators"]}
    # 7/15 = 46,7 % and 9/14 = 64,3 %, both below the default 70 %.
    assert (indicators[TEACHERS]["value"], indicators[TEACHERS]["target"]) == (46.67, 70.0)
    assert (indicators[LEARNERS]["value"], indicators[LEARNERS]["target"]) == (64.29, 70.0)
    assert [f["indicator"] for f in body["indicators"]][:2] == [TEACHERS, LEARNERS]  # the federal two first
    for shown in (TEACHERS_TITLE, LEARNERS_TITLE, "46,7\u00a0%", "64,3\u00a0%"):
        assert shown in page.text
    # The definition is on the page (opened under «Как считается»), not only in the docs.
    assert "<summary>Как считается</summary><p>Доля педагогических работников, которые участвуют" in page.text
    async with client_for(app, r.curators["T"]) as client:
        own = await client.get(f"/o/{r.slugs['T']}/statistics?year={YEAR}")
        own_api = (await client.get(f"/api/o/{r.slugs['T']}/statistics?year={YEAR}")).json()
    assert own.status_code == 200
    mine = {f["indicator"]: f for f in own_api["indicators"]}
    # T: 6 of 10 = 60 %, the target 70 % not met; the learners 6 of 10 = 60 %.
    assert (mine[TEACHERS]["value"], mine[TEACHERS]["target"], mine[TEACHERS]["meets_target"]) == (
        60.0,
        70.0,
        False,
    )
    assert mine[LEARNERS]["value"] == 60.0
    assert TEACHERS_TITLE in own.text
    assert "60,0\u00a0%" in own.text
    assert "цель: 70,0" in own.text
    assert "в роли наставника" in own.text  # the breakdown by role


async def test_the_monitoring_report_has_them_with_the_target(
    app: Litestar, runtime: Runtime, regions: tuple[BuiltRegion, BuiltRegion]
) -> None:
    r, _ = regions
    await run_worker(runtime)
    async with client_for(app, r.region_staff) as client:
        report_id = (
            await client.post("/api/region/statistics/reports", json={"academic_year": YEAR})
        ).json()["id"]
    assert await run_worker(runtime) == 1
    async with client_for(app, r.region_staff) as client:
        done = (await client.get(f"/api/region/statistics/reports/{report_id}")).json()
        workbook = await client.get(done["downloads"][0])
        note = await client.get(done["downloads"][1])
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(note.content)).paragraphs)
    assert (
        f"{TEACHERS_TITLE}: 46,7\u00a0% (7 из 15) при цели 70 % — цель не достигнута; в расчёте организаций: 2."
        in text
    )
    assert f"{LEARNERS_TITLE}: 64,3\u00a0% (9 из 14) при цели 70 % — цель не достигнута" in text
    book = load_workbook(io.BytesIO(workbook.content))
    rows = [list(row) for row in book["Мониторинг"].iter_rows(values_only=True)]
    header, sub = rows[3], rows[4]
    teachers, learners = header.index(TEACHERS_TITLE), header.index(LEARNERS_TITLE)
    assert sub[teachers : teachers + 3] == ["числитель", "знаменатель", "значение, % (цель 70)"]
    by_name = {str(row[1]).split()[0]: row for row in rows[5:] if row[1]}
    assert by_name["T"][teachers : teachers + 3] == [6, 10, 0.6]
    assert by_name["U"][learners : learners + 3] == [3, 4, 0.75]
    region_total = next(row for row in rows[5:] if str(row[0]).startswith("Итого по региону"))
    assert region_total[teachers : teachers + 2] == [7, 15]
    assert region_total[learners : learners + 2] == [9, 14]
    targets = {row[0]: row for row in book["Показатели и цели"].iter_rows(values_only=True)}
    assert targets[TEACHERS_TITLE][2] == 0.7
    assert "Каждый считается один раз" in str(targets[TEACHERS_TITLE][1])
