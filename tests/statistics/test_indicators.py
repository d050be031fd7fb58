"""Every indicator on the hand-made region (tests/statistics/handmade.py), as literals with their arithmetic.

Snapshot: academic year 2026/2027 as of 15.11.2026. Municipality MA holds the school A1 and the college
A2, MB the school B1 (no headcount, its curator left), the kindergarten B2 and the deactivated school B3.
"""

from __future__ import annotations

import pytest

from nastavnik.domain.statistics.definitions import Kind
from nastavnik.domain.statistics.figures import Figure
from nastavnik.domain.statistics.indicators import catalogue
from nastavnik.domain.statistics.indicators.base import IndicatorQuery
from nastavnik.domain.statistics.recompute import ScopeKind, Snapshot, recompute
from nastavnik.runtime import Runtime
from tests.statistics import handmade
from tests.statistics.reference import area_values, org_values
from tests.statistics.spec import BuiltRegion, build_region
from tests.statistics.stored import area_rows, org_rows

YEAR, AS_OF = handmade.YEAR, handmade.AS_OF


@pytest.fixture(scope="module")
async def region(runtime: Runtime) -> BuiltRegion:
    built = await build_region(runtime, handmade.REGION)
    await recompute(
        runtime.aggregator_engine, runtime.plugins, Snapshot(ScopeKind.REGION, built.id, YEAR, AS_OF)
    )
    return built


async def orgs(
    runtime: Runtime, region: BuiltRegion, indicator: str, breakdown: str = ""
) -> dict[str, object]:
    result: dict[str, object] = {}
    for key in ("A1", "A2", "B1", "B2", "B3"):
        rows = await org_rows(runtime, region.orgs[key], YEAR, AS_OF)
        result[key] = rows.get((indicator, breakdown))
    return result


async def areas(
    runtime: Runtime, region: BuiltRegion, indicator: str, breakdown: str = ""
) -> dict[str, object]:
    rows = await area_rows(runtime, region, YEAR, AS_OF)
    return {
        "MA": rows.get(("municipality", "MA", "", indicator, breakdown)),
        "MB": rows.get(("municipality", "MB", "", indicator, breakdown)),
        "region": rows.get(("region", "", "", indicator, breakdown)),
    }


def text_of(
    indicator_key: str, numerator: int, denominator: int | None, respondents: int | None = None
) -> str:
    indicator = next(q.indicator for q in catalogue_for_text() if q.indicator.key == indicator_key)
    return Figure(indicator, numerator, denominator, respondents).text


def catalogue_for_text() -> list[IndicatorQuery]:
    from nastavnik.plugins import load_plugins

    return catalogue(load_plugins())


async def test_learners_aged_10_to_18_covered(runtime: Runtime, region: BuiltRegion) -> None:
    # A1: L1 (10 today), L3 (17), L4 (18), L11 (two groups, once) = 4 of its headcount 10.
    # A2: K1, K2 = 2 of 5. B1: 1, but no headcount. B2: 0 of 0. B3 is deactivated: no row.
    assert await orgs(runtime, region, "learners_covered") == {
        "A1": (4, 10, None),
        "A2": (2, 5, None),
        "B1": (1, None, None),
        "B2": (0, 0, None),
        "B3": None,
    }
    # MA: (4 + 2) / (10 + 5) = 6/15, two reporting. MB: B1 has no denominator and stays out of both sums,
    # B2 adds 0/0. The region: 6/15 = 40 %, three organisations reporting.
    assert await areas(runtime, region, "learners_covered") == {
        "MA": (6, 15, None, 2),
        "MB": (0, 0, None, 1),
        "region": (6, 15, None, 3),
    }
    assert text_of("learners_covered", 6, 15) == "40,0\u00a0%"
    assert text_of("learners_covered", 1, None) == "нет данных"  # B1: never a division by zero
    assert text_of("learners_covered", 0, 0) == "нет данных"  # B2 and MB


async def test_young_teachers_with_a_mentor(runtime: Runtime, region: BuiltRegion) -> None:
    # A1: Y1 (0 years), Y2 (3 years 364 days), Y6 (leaves tomorrow) = 3 of 4; Y3 has 4 years, Y4 starts
    # tomorrow, Y5 left today, Y7 has no pair. A2: K3 = 1 of 2. B1: 1, no headcount. B2: D1 = 1 of 3.
    assert await orgs(runtime, region, "young_teachers_mentored") == {
        "A1": (3, 4, None),
        "A2": (1, 2, None),
        "B1": (1, None, None),
        "B2": (1, 3, None),
        "B3": None,
    }
    # MA: (3 + 1) / (4 + 2) = 4/6; MB: 1/3 (B1 out); the region: (4 + 1) / (6 + 3) = 5/9 = 55.6 %.
    assert await areas(runtime, region, "young_teachers_mentored") == {
        "MA": (4, 6, None, 2),
        "MB": (1, 3, None, 1),
        "region": (5, 9, None, 3),
    }
    assert text_of("young_teachers_mentored", 5, 9) == "55,6\u00a0%"


async def test_teachers_involved_as_mentors_or_mentees(runtime: Runtime, region: BuiltRegion) -> None:
    # Pedagogues in a running pair or group, as mentor or mentee, each once. A1: its first mentor (in every
    # pair but L2's) and Y1, Y2, Y3 (4 years: every pedagogue counts), Y4 (a pedagogue from tomorrow, in a
    # running pair today), Y6 = 6 of its 14 pedagogues; Y5 left today, the R cohort was last year. A2: the
    # mentor and K3 = 2 of 12. B1: 2, no headcount. B2: both mentors of D1's group and D1 = 3 of 13 (D2's
    # pair ended early).
    assert await orgs(runtime, region, "teachers_involved") == {
        "A1": (6, 14, None),
        "A2": (2, 12, None),
        "B1": (2, None, None),
        "B2": (3, 13, None),
        "B3": None,
    }
    assert (await orgs(runtime, region, "teachers_involved", "role:mentor"))["A1"] == (1, 14, None)
    assert (await orgs(runtime, region, "teachers_involved", "role:mentee"))["A1"] == (5, 14, None)
    # MA: (6 + 2) / (14 + 12) = 8/26; MB: 3/13 (B1 out); the region: 11/39 = 28.2 %, below the 70 % target.
    assert await areas(runtime, region, "teachers_involved") == {
        "MA": (8, 26, None, 2),
        "MB": (3, 13, None, 1),
        "region": (11, 39, None, 3),
    }
    assert text_of("teachers_involved", 11, 39) == "28,2 %"


async def test_learners_involved_as_mentees_and_peer_mentors(runtime: Runtime, region: BuiltRegion) -> None:
    # learners_covered's four of A1 (L1, L3, L4, L11) and L13, who mentors L2 (9: not) = 5 of 10; A2: 2 of 5;
    # B1: 1 without a headcount; B2: 0 of 0.
    assert await orgs(runtime, region, "learners_involved") == {
        "A1": (5, 10, None),
        "A2": (2, 5, None),
        "B1": (1, None, None),
        "B2": (0, 0, None),
        "B3": None,
    }
    assert (await orgs(runtime, region, "learners_involved", "role:mentor"))["A1"] == (1, 10, None)
    # MA: (5 + 2) / (10 + 5) = 7/15; the region the same with B2's 0/0: 46.7 % (coverage alone: 40 %).
    assert await areas(runtime, region, "learners_involved") == {
        "MA": (7, 15, None, 2),
        "MB": (0, 0, None, 1),
        "region": (7, 15, None, 3),
    }
    assert text_of("learners_involved", 7, 15) == "46,7 %"


async def test_young_teachers_who_stayed_a_year_later(runtime: Runtime, region: BuiltRegion) -> None:
    # A1's cohort of 2025/2026: R1..R4 (R5's pair ended early, L10 is a learner) = 4; R2 left the
    # profession, R3 only the school, R4 leaves after the snapshot: 3 stayed. B2: D3, 1 of 1.
    # A2 and B1 mentored nobody last year: no cohort, no denominator.
    assert await orgs(runtime, region, "young_teachers_retained") == {
        "A1": (3, 4, None),
        "A2": (0, None, None),
        "B1": (0, None, None),
        "B2": (1, 1, None),
        "B3": None,
    }
    # MA: 3/4; MB: 1/1; the region: (3 + 1) / (4 + 1) = 4/5 = 80 %.
    assert await areas(runtime, region, "young_teachers_retained") == {
        "MA": (3, 4, None, 1),
        "MB": (1, 1, None, 1),
        "region": (4, 5, None, 2),
    }
    assert text_of("young_teachers_retained", 4, 5) == "80,0\u00a0%"


async def test_organisations_that_introduced_the_model(runtime: Runtime, region: BuiltRegion) -> None:
    # A1 has all four. A2's Программа is a draft; B1's curator left; B2's Положение was approved on
    # 20.11, after the snapshot date.
    assert await orgs(runtime, region, "model_introduced") == {
        "A1": (1, 1, None),
        "A2": (0, 1, None),
        "B1": (0, 1, None),
        "B2": (0, 1, None),
        "B3": None,
    }
    # 1 of 2 in MA, 0 of 2 in MB, 1 of 4 in the region = 25 %.
    assert await areas(runtime, region, "model_introduced") == {
        "MA": (1, 2, None, 2),
        "MB": (0, 2, None, 2),
        "region": (1, 4, None, 4),
    }
    # Each condition alone, over the region: curators in A1, A2, B2 (3); Положение in A1, A2, B1 (3);
    # Программа in A1, B1, B2 (3); an order on pairs everywhere (4).
    for breakdown, expected in (("curator", 3), ("polozhenie", 3), ("programma", 3), ("pairs_order", 4)):
        assert (await areas(runtime, region, "model_introduced", breakdown))["region"] == (
            expected,
            4,
            None,
            4,
        )
    assert text_of("model_introduced", 1, 4) == "25,0\u00a0%"


async def test_pairs_and_groups_by_form_kind_status_and_shape(runtime: Runtime, region: BuiltRegion) -> None:
    # A1's 17 groups of 2026/2027: 12 active, 3 completed, 1 ended early, 1 draft; 11 «ученик – ученик»,
    # 6 «учитель – учитель»; 16 traditional, 1 group kind; 16 pairs and the group of L4 and L5.
    a1 = await org_rows(runtime, region.orgs["A1"], YEAR, AS_OF)
    assert {b: v[0] for (i, b), v in a1.items() if i == "groups"} == {
        "": 17,
        "status:active": 12,
        "status:completed": 3,
        "status:ended_early": 1,
        "status:draft": 1,
        "form:student_student": 11,
        "form:teacher_teacher": 6,
        "kind:traditional": 16,
        "kind:group": 1,
        "shape:pair": 16,
        "shape:group": 1,
    }
    # The region: 17 (A1) + 3 (A2) + 2 (B1) + 2 (B2) = 24; B2's pair with two mentors is a group.
    rows = await area_rows(runtime, region, YEAR, AS_OF)
    region_groups = {
        b: v[0] for (s, _m, t, i, b), v in rows.items() if s == "region" and t == "" and i == "groups"
    }
    assert region_groups == {
        "": 24,
        "status:active": 12 + 3 + 2 + 1,
        "status:completed": 3,
        "status:ended_early": 1 + 1,
        "status:draft": 1,
        "form:student_student": 11 + 2 + 1,
        "form:teacher_teacher": 6 + 1 + 1 + 2,
        "kind:traditional": 16 + 3 + 2 + 2,
        "kind:group": 1,
        "shape:pair": 16 + 3 + 2 + 1,
        "shape:group": 1 + 1,
    }


async def test_plugin_contributions(runtime: Runtime, region: BuiltRegion) -> None:
    # core.people: A1 = curator + 3 mentors + 25 mentees = 29; B1's curator left: 1 mentor + 2 mentees = 3.
    assert await orgs(runtime, region, "core.people") == {
        "A1": (29, None, None),
        "A2": (5, None, None),
        "B1": (3, None, None),
        "B2": (6, None, None),
        "B3": None,
    }
    # Mentors: A1's 3 and the learner L13, A2's, B1's and B2's two.
    assert (await areas(runtime, region, "core.mentors"))["region"] == (3 + 1 + 1 + 1 + 2, None, None, 4)


async def test_the_methodical_work(runtime: Runtime, region: BuiltRegion) -> None:
    """The methodical work's indicators, each in the words of the plugin serving the type (handmade.py
    tells each organisation's story)."""
    # The club's members against the young teachers' headcount: A1 3 of 4; B1 1 without a headcount.
    assert await orgs(runtime, region, "schools.club_members_share") == {
        "A1": (3, 4, None),
        "A2": None,
        "B1": (1, None, None),
        "B2": None,
        "B3": None,
    }
    # The colleges plugin's, in its college A2 only: one agreement signed by today, one student practising.
    for indicator in ("colleges.partners_with_agreement", "colleges.students_on_internship"):
        assert await orgs(runtime, region, indicator) == {
            "A1": None,
            "A2": (1, None, None),
            "B1": None,
            "B2": None,
            "B3": None,
        }
    assert await orgs(runtime, region, "colleges.club_members_share") == {
        "A1": None,
        "A2": (1, 2, None),
        "B1": None,
        "B2": None,
        "B3": None,
    }
    assert (await orgs(runtime, region, "kindergartens.club_members_share"))["B2"] == (3, 3, None)
    # Meetings held of held and planned: A1 3 of 3 + 2 (the cancelled one counts in neither), B1 1 of 2.
    assert await orgs(runtime, region, "schools.club_meetings_held") == {
        "A1": (3, 5, None),
        "A2": None,
        "B1": (1, 2, None),
        "B2": None,
        "B3": None,
    }
    # B2's club has planned nothing yet: no denominator, «нет данных», and it does not report.
    assert (await orgs(runtime, region, "kindergartens.club_meetings_held"))["B2"] == (0, None, None)
    # Attendance: A1 (3 + 2 + 1) of 3 members × 3 meetings held; B1 1 of 1 × 1; A2's one meeting held
    # without a mark: 0 of 1; B2 held none: no denominator.
    assert await orgs(runtime, region, "schools.club_attendance") == {
        "A1": (6, 9, None),
        "A2": None,
        "B1": (1, 1, None),
        "B2": None,
        "B3": None,
    }
    assert (await orgs(runtime, region, "colleges.club_attendance"))["A2"] == (0, 1, None)
    assert (await orgs(runtime, region, "kindergartens.club_attendance"))["B2"] == (0, None, None)
    # Decades: A1 held 2 (D1, D5) with 2 open lessons and 4 learners; B1 1, 1 and 1; the college none.
    for indicator, a1, b1 in (
        ("schools.decades_held", 2, 1),
        ("schools.decade_open_lessons", 2, 1),
        ("schools.decade_learners", 4, 1),
    ):
        assert await orgs(runtime, region, indicator) == {
            "A1": (a1, None, None),
            "A2": None,
            "B1": (b1, None, None),
            "B2": None,
            "B3": None,
        }, indicator
    assert (await orgs(runtime, region, "colleges.decades_held"))["A2"] == (0, None, None)
    assert "kindergartens.decades_held" not in {q.indicator.key for q in catalogue_for_text()}
    # The areas sum numerators and denominators where there is a denominator (B1's member stays out of
    # MB's, which nobody reports), counts over every school.
    assert await areas(runtime, region, "schools.club_members_share") == {
        "MA": (3, 4, None, 1),
        "MB": (0, None, None, 0),
        "region": (3, 4, None, 1),
    }
    assert await areas(runtime, region, "schools.club_meetings_held") == {
        "MA": (3, 5, None, 1),
        "MB": (1, 2, None, 1),
        "region": (4, 7, None, 2),
    }
    assert (await areas(runtime, region, "schools.club_attendance"))["region"] == (7, 10, None, 2)
    assert await areas(runtime, region, "schools.decade_learners") == {
        "MA": (4, None, None, 1),
        "MB": (1, None, None, 1),
        "region": (5, None, None, 2),
    }
    assert (await areas(runtime, region, "schools.decades_held"))["region"] == (3, None, None, 2)
    assert (await areas(runtime, region, "schools.decade_open_lessons"))["region"] == (3, None, None, 2)
    # As read: 4 of 7 meetings held in the region's schools, 70 % attendance, 75 % of A1's young teachers.
    assert text_of("schools.club_meetings_held", 4, 7) == "57,1\u00a0%"
    assert text_of("schools.club_attendance", 7, 10) == "70,0\u00a0%"
    assert text_of("schools.club_members_share", 3, 4) == "75,0\u00a0%"
    assert text_of("schools.club_members_share", 1, None) == "нет данных"


async def test_satisfaction_and_plans_report_no_data_without_plans_or_answers(
    runtime: Runtime, region: BuiltRegion
) -> None:
    for key in ("satisfaction_mentors", "satisfaction_mentees", "plan_completion"):
        assert await orgs(runtime, region, key) == dict.fromkeys(("A1", "A2", "B1", "B2", "B3"))
        assert await areas(runtime, region, key) == {"MA": None, "MB": None, "region": None}


async def test_by_organisation_type(runtime: Runtime, region: BuiltRegion) -> None:
    rows = await area_rows(runtime, region, YEAR, AS_OF)
    # Schools of the region: A1 (4 of 10) and B1 (no headcount): 4/10, one reporting.
    assert rows[("region", "", "school", "learners_covered", "")] == (4, 10, None, 1)
    # Kindergartens: B2 alone.
    assert rows[("region", "", "kindergarten", "young_teachers_mentored", "")] == (1, 3, None, 1)
    assert ("municipality", "MA", "kindergarten", "young_teachers_mentored", "") not in rows


async def test_the_plain_python_reference_agrees(runtime: Runtime, region: BuiltRegion) -> None:
    """The reference of the property test, checked once against the literals' region."""
    for org in handmade.REGION.orgs:
        if org.active:
            assert await org_rows(runtime, region.orgs[org.key], YEAR, AS_OF) == org_values(org, YEAR, AS_OF)
    assert await area_rows(runtime, region, YEAR, AS_OF) == area_values(handmade.REGION, YEAR, AS_OF)


def test_averages_need_five_respondents() -> None:
    indicator = next(q.indicator for q in catalogue_for_text() if q.indicator.kind is Kind.AVERAGE)
    # 4 people gave 8 scores summing to 60: 7.5, but four people are too few to show it.
    assert Figure(indicator, 60, 8, 4).value is None
    assert Figure(indicator, 60, 8, 4).text == "нет данных (ответивших меньше 5)"
    # Five people, 10 scores summing to 75: 7.50.
    assert Figure(indicator, 75, 10, 5).text == "7,50"
