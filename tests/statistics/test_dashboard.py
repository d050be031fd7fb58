"""The dashboards over HTTP: the region's, a municipality's, an organisation's, the curator's own.

The hand-made region (tests/statistics/handmade.py), computed as of 15.11.2026 and, for the trend, as
of 01.10.2026.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from litestar import Litestar
from sqlalchemy import text

from nastavnik.domain.statistics.recompute import ScopeKind, Snapshot, recompute
from nastavnik.runtime import Runtime
from tests.statistics import handmade
from tests.statistics.queue import run_worker
from tests.statistics.small import small_region
from tests.statistics.spec import BuiltRegion, build_region, held_decade
from tests.support.http import client_for

YEAR = handmade.YEAR
EARLIER = date(2026, 10, 1)


@pytest.fixture(scope="module")
async def region(runtime: Runtime) -> BuiltRegion:
    built = await build_region(runtime, handmade.REGION)
    for as_of in (EARLIER, handmade.AS_OF):
        await recompute(
            runtime.aggregator_engine, runtime.plugins, Snapshot(ScopeKind.REGION, built.id, YEAR, as_of)
        )
    return built


def figures(body: dict[str, object], key: str = "indicators") -> dict[str, dict[str, object]]:
    return {f["indicator"]: f for f in body[key]}  # type: ignore[attr-defined]


async def test_region_dashboard_shows_indicators_targets_and_the_last_recompute(
    app: Litestar, region: BuiltRegion
) -> None:
    async with client_for(app, region.region_staff) as client:
        page = await client.get(f"/region/statistics?year={YEAR}")
        body = (await client.get(f"/api/region/statistics?year={YEAR}")).json()
    assert page.status_code == 200
    text = page.text
    assert "40,0\u00a0%" in text  # learners 10–18: 6 of 15
    assert "цель: 70,0" in text  # the default target
    assert "на <strong>15.11.2026</strong>" in text  # the latest snapshot, not the earlier one
    assert 'action="/region/statistics/recompute"' in text
    assert "Пересчитать сейчас" in text
    assert '<svg class="trend"' in text
    assert "Наставляемый" not in text
    assert "Куратор" not in text
    learners = figures(body)["learners_covered"]
    assert (learners["numerator"], learners["denominator"], learners["value"]) == (6, 15, 40.0)
    assert (learners["target"], learners["meets_target"]) == (70.0, False)
    assert figures(body)["satisfaction_mentors"]["text"] == "нет данных"
    assert body["as_of"] == "2026-11-15"
    assert (body["organisations"], body["organisations_computed"]) == (4, 4)
    munis = {m["name"].split()[0]: figures(m) for m in body["municipalities"]}
    assert munis["MA"]["young_teachers_mentored"]["value"] == 66.67  # 4 of 6
    assert munis["MB"]["learners_covered"]["text"] == "нет данных"  # only B2's 0 of 0
    assert [f["breakdown"] for f in body["breakdowns"]["groups"]][:1] == ["form:student_student"]


async def test_organisations_sorted_by_an_indicator_without_javascript(
    app: Litestar, region: BuiltRegion
) -> None:
    async with client_for(app, region.region_staff) as client:
        down = (
            await client.get(
                f"/api/region/statistics/organisations?year={YEAR}&sort=young_teachers_mentored&dir=desc"
            )
        ).json()
        up = (
            await client.get(f"/api/region/statistics/organisations?year={YEAR}&sort=young_teachers_mentored")
        ).json()
        page = await client.get(f"/region/statistics?year={YEAR}&sort=young_teachers_mentored&dir=desc")
        bad = await client.get(f"/region/statistics?year={YEAR}&sort=nonsense")
        past_the_end = (await client.get(f"/api/region/statistics/organisations?year={YEAR}&page=7")).json()
    # Young teachers with a mentor: A1 3/4 = 75 %, A2 1/2 = 50 %, B2 1/3 = 33 %, B1 no headcount (last).
    assert [r["short_name"].split()[0] for r in down["rows"]] == ["A1", "A2", "B2", "B1"]
    assert [r["short_name"].split()[0] for r in up["rows"]] == ["B2", "A2", "A1", "B1"]
    names = re.findall(r">(A1|A2|B1|B2) [0-9a-f]{8}</a>", page.text)
    assert names == ["A1", "A2", "B2", "B1"]
    assert "sort=young_teachers_mentored&amp;dir=asc" in page.text  # the header link turns the order
    assert bad.status_code == 422
    assert (past_the_end["page"], past_the_end["pages"], len(past_the_end["rows"])) == (1, 1, 4)


async def test_filters_by_type_and_year(app: Litestar, region: BuiltRegion) -> None:
    async with client_for(app, region.region_staff) as client:
        schools = (await client.get(f"/api/region/statistics?year={YEAR}&type=school")).json()
        table = (await client.get(f"/api/region/statistics/organisations?year={YEAR}&type=school")).json()
        last_year = await client.get(f"/region/statistics?year={YEAR - 1}")
        unknown = await client.get(f"/api/region/statistics?year={YEAR}&type=university")
    # Schools: A1 (4 of 10) and B1 (no headcount): 40 %, one reporting.
    learners = figures(schools)["learners_covered"]
    assert (learners["numerator"], learners["denominator"], learners["reporting"]) == (4, 10, 1)
    assert sorted(r["short_name"].split()[0] for r in table["rows"]) == ["A1", "B1"]
    assert "ещё не рассчитаны" in last_year.text
    assert unknown.status_code == 422


async def test_trend_over_snapshots(app: Litestar, region: BuiltRegion) -> None:
    async with client_for(app, region.region_staff) as client:
        trend = {
            t["indicator"]: t for t in (await client.get(f"/api/region/statistics/trend?year={YEAR}")).json()
        }
    # On 01.10 Y3 (4th anniversary on 15.11) and Y5 (left on 15.11) still counted: A1 5, A2 1, B2 1 of 9;
    # on 15.11: 5 of 9.
    assert trend["young_teachers_mentored"]["points"] == [
        {"as_of": "2026-10-01", "value": 77.78},
        {"as_of": "2026-11-15", "value": 55.56},
    ]


async def test_recompute_now_joins_a_queued_one(app: Litestar, runtime: Runtime) -> None:
    built = await build_region(runtime, small_region(1))  # its own region: the recompute is as of today
    await run_worker(runtime)
    async with client_for(app, built.region_staff) as client:
        first = await client.post(f"/api/region/statistics/recompute?year={YEAR}")
        second = await client.post(f"/api/region/statistics/recompute?year={YEAR}")
        shown = await client.get(f"/region/statistics?year={YEAR}")
        form = await client.post(
            "/region/statistics/recompute", data={"year": str(YEAR)}, follow_redirects=False
        )
        future = await client.post("/api/region/statistics/recompute?year=2039")
    assert first.status_code == 202
    assert (first.json()["joined"], first.json()["state"]) == (False, "queued")
    assert (second.json()["joined"], second.json()["job_id"]) == (True, first.json()["job_id"])
    assert "Пересчёт в очереди" in shown.text
    # Like the report's page: it reloads itself (no script) and shows progress while the job is pending.
    assert '<meta http-equiv="refresh"' in shown.text
    assert "<progress>" in shown.text
    after = f"/region/statistics?year={YEAR}&recomputed=true"
    assert (form.status_code, form.headers["location"]) == (302, after)
    assert future.status_code == 422  # a year that has not begun
    assert await run_worker(runtime) == 1
    async with client_for(app, built.region_staff) as client:
        done = (await client.get(f"/api/region/statistics?year={YEAR}")).json()
        ready = await client.get(after)
    assert done["recompute"] is None
    assert done["organisations"] == 1
    # Once done: no more reloading, the new figures and a word that they are new.
    assert "refresh" not in ready.text
    assert "<progress>" not in ready.text
    assert "Пересчёт завершён" in ready.text
    assert "Организаций: 1" in ready.text


async def test_targets_are_region_settings(app: Litestar, region: BuiltRegion) -> None:
    async with client_for(app, region.region_staff) as client:
        put = await client.put("/api/region/statistics/targets/young_teachers_mentored", json={"target": 50})
        body = (await client.get(f"/api/region/statistics?year={YEAR}")).json()
        too_high = await client.put(
            "/api/region/statistics/targets/young_teachers_mentored", json={"target": 150}
        )
        not_a_share = await client.put("/api/region/statistics/targets/groups", json={"target": 10})
        unknown = await client.put("/api/region/statistics/targets/nonsense", json={"target": 10})
        form = await client.post(
            "/region/statistics/targets",
            data={"target_learners_covered": "72,5", "target_young_teachers_mentored": ""},
            follow_redirects=False,
        )
        after = (await client.get(f"/api/region/statistics?year={YEAR}")).json()
        bad_form = await client.post("/region/statistics/targets", data={"target_learners_covered": "много"})
        await client.put("/api/region/statistics/targets/learners_covered", json={"target": None})
    assert put.json() == {"indicator": "young_teachers_mentored", "target": 50.0}
    young = figures(body)["young_teachers_mentored"]
    assert (young["target"], young["meets_target"]) == (50.0, True)  # 55.6 % >= 50 %
    assert too_high.status_code == 422
    assert "от 0 до 100" in too_high.text
    assert not_a_share.status_code == 422
    assert unknown.status_code == 404
    assert form.status_code == 302
    assert figures(after)["learners_covered"]["target"] == 72.5
    assert figures(after)["young_teachers_mentored"]["target"] is None  # emptied: back to no target
    assert bad_form.status_code == 422
    assert "например, 70" in bad_form.text


async def test_drill_down_region_municipality_organisation(app: Litestar, region: BuiltRegion) -> None:
    ma, a1 = region.municipalities["MA"], region.orgs["A1"]
    async with client_for(app, region.region_staff) as client:
        region_page = await client.get(f"/region/statistics?year={YEAR}")
        muni_page = await client.get(f"/m/{ma}/statistics?year={YEAR}")
        muni = (await client.get(f"/api/municipalities/{ma}/statistics?year={YEAR}")).json()
        org_page = await client.get(f"/m/{ma}/statistics/{a1}?year={YEAR}")
        org = (await client.get(f"/api/municipalities/{ma}/statistics/{a1}?year={YEAR}")).json()
        wrong_muni = await client.get(f"/m/{region.municipalities['MB']}/statistics/{a1}")
    assert f'href="/m/{ma}/statistics?year={YEAR}' in region_page.text
    assert muni_page.status_code == 200
    assert f"/m/{ma}/statistics/{a1}?year={YEAR}" in muni_page.text
    assert figures(muni)["learners_covered"]["value"] == 40.0  # MA: 6 of 15
    assert sorted(o["name"].split()[0] for o in muni["municipalities"]) == ["A1", "A2"]
    assert org_page.status_code == 200
    assert "Организация A1" in org_page.text
    assert (
        figures(org)["learners_covered"]["numerator"],
        figures(org)["learners_covered"]["denominator"],
    ) == (4, 10)
    assert figures(org, "municipality")["learners_covered"]["value"] == 40.0
    assert [f["breakdown"] for f in org["breakdowns"]["model_introduced"]] == sorted(
        ["curator", "pairs_order", "polozhenie", "programma"]
    )
    assert wrong_muni.status_code == 404


async def test_municipality_coordinator_sees_their_municipality_only(
    app: Litestar, region: BuiltRegion
) -> None:
    ma, mb = region.municipalities["MA"], region.municipalities["MB"]
    async with client_for(app, region.coordinators["MA"]) as client:
        own = await client.get(f"/api/municipalities/{ma}/statistics?year={YEAR}")
        own_org = await client.get(f"/api/municipalities/{ma}/statistics/{region.orgs['A1']}?year={YEAR}")
        other = await client.get(f"/api/municipalities/{mb}/statistics")
        other_page = await client.get(f"/m/{mb}/statistics")
        other_org = await client.get(f"/api/municipalities/{mb}/statistics/{region.orgs['B1']}")
        sneaky = await client.get(f"/api/municipalities/{ma}/statistics/{region.orgs['B1']}")
        region_api = await client.get("/api/region/statistics")
        region_page = await client.get("/region/statistics")
    assert own.status_code == 200
    assert figures(own.json())["learners_covered"]["value"] == 40.0
    # Beside an organisation: its municipality, but not the region (coordinators read their municipality).
    assert own_org.json()["region"] is None
    assert [s.status_code for s in (other, other_page, other_org, sneaky)] == [404, 404, 404, 404]
    assert (region_api.status_code, region_page.status_code) == (403, 403)


async def test_curator_sees_own_figures_and_no_regional_average_over_fewer_than_five(
    app: Litestar, region: BuiltRegion
) -> None:
    a1, b1 = region.slugs["A1"], region.slugs["B1"]
    async with client_for(app, region.curators["A1"]) as client:
        own = await client.get(f"/o/{a1}/statistics?year={YEAR}")
        own_api = (await client.get(f"/api/o/{a1}/statistics?year={YEAR}")).json()
        other = await client.get(f"/api/o/{b1}/statistics")
        municipality = await client.get(f"/api/municipalities/{region.municipalities['MA']}/statistics")
        drill = await client.get(
            f"/api/municipalities/{region.municipalities['MB']}/statistics/{region.orgs['B1']}"
        )
        region_api = await client.get("/api/region/statistics")
    assert own.status_code == 200
    assert "Среднее по региону не показывается" in own.text  # four organisations: fewer than five
    assert (figures(own_api)["learners_covered"]["numerator"], own_api["region"]) == (4, None)
    assert [r.status_code for r in (other, municipality, drill, region_api)] == [404, 404, 404, 403]


async def test_curator_sees_the_regional_average_over_five_organisations(
    app: Litestar, runtime: Runtime
) -> None:
    spec = small_region(6)
    built = await build_region(runtime, spec)
    await recompute(
        runtime.aggregator_engine,
        runtime.plugins,
        Snapshot(ScopeKind.REGION, built.id, 2026, date(2026, 11, 20)),
    )
    async with client_for(app, built.curators["O0"]) as client:
        body = (await client.get(f"/api/o/{built.slugs['O0']}/statistics?year=2026")).json()
        page = await client.get(f"/o/{built.slugs['O0']}/statistics?year=2026")
    # O0: its 2 learners of 10. The region, over the five organisations with a headcount (O1 has none):
    # (2 + 4 + 5 + 6 + 7) / (10 + 30 + 40 + 50 + 60) = 24/190 = 12.6 %.
    assert figures(body)["learners_covered"]["value"] == 20.0
    learners = figures(body, "region")["learners_covered"]
    assert (learners["numerator"], learners["denominator"], learners["reporting"]) == (24, 190, 5)
    assert "в среднем по региону: 12,6\u00a0%" in page.text


async def test_a_snapshot_is_read_once_and_a_recompute_is_never_stale(
    app: Litestar, runtime: Runtime
) -> None:
    built = await build_region(runtime, small_region(1))
    as_of = date(2026, 11, 20)
    snapshot = Snapshot(ScopeKind.REGION, built.id, 2026, as_of)
    await recompute(runtime.aggregator_engine, runtime.plugins, snapshot)
    async with client_for(app, built.region_staff) as client:
        first = (await client.get("/api/region/statistics?year=2026")).json()
        hits = runtime.statistics_cache.hits
        again = (await client.get("/api/region/statistics?year=2026")).json()
        assert runtime.statistics_cache.hits == hits + 1
        # O0 gives a headcount of 4 learners 10–18 (it had 10) and the region recomputes: 2 of 4.
        async with runtime.owner_engine.begin() as conn:
            await conn.execute(
                text("UPDATE headcount SET learners_10_18 = 4 WHERE org_id = :org"), {"org": built.orgs["O0"]}
            )
        await recompute(runtime.aggregator_engine, runtime.plugins, snapshot)
        after = (await client.get("/api/region/statistics?year=2026")).json()
    assert figures(first)["learners_covered"]["value"] == figures(again)["learners_covered"]["value"] == 20.0
    assert figures(after)["learners_covered"]["value"] == 50.0


async def test_breakdowns_read_by_their_titles_and_charts_have_captions(
    app: Litestar, region: BuiltRegion
) -> None:
    a1 = region.slugs["A1"]
    async with client_for(app, region.region_staff) as client:
        page = await client.get(f"/region/statistics?year={YEAR}")
        schools = await client.get(f"/region/statistics?year={YEAR}&type=school")
        body = (await client.get(f"/api/region/statistics?year={YEAR}")).json()
    async with client_for(app, region.curators["A1"]) as client:
        own = await client.get(f"/o/{a1}/statistics?year={YEAR}")
    # Forms and kinds by the dictionaries' words, never the codes; over all types each type's word once.
    for shown in (page.text, schools.text, own.text):
        assert "student_student" not in shown
        assert "teacher_teacher" not in shown
        assert ">traditional<" not in shown
    assert "Ученик – ученик / Студент – студент" in page.text
    assert '<th scope="row">Ученик – ученик</th>' in schools.text
    assert "Традиционное (один на один)" in page.text
    titles = {f["breakdown"]: f["title"] for f in body["breakdowns"]["groups"]}
    assert titles["form:student_student"] == "Ученик – ученик / Студент – студент"
    # Every chart has a caption a person sees, not only the SVG's tooltip.
    charts = re.findall(r'<figure class="chart">(.*?)</figure>', page.text, re.S)
    assert charts
    assert all("<figcaption>" in c for c in charts)
    assert "<figcaption>Молодые педагоги" in page.text or "<figcaption>Обучающиеся 10–18 лет" in page.text


async def test_regional_average_of_a_count_is_per_organisation(app: Litestar, runtime: Runtime) -> None:
    spec = small_region(6)
    for i, org in enumerate(spec.orgs):  # O0 held 1 subject decade, O1 2, ... O5 6: 21 over six schools
        org.methodical = [held_decade(2026) for _ in range(i + 1)]
    built = await build_region(runtime, spec)
    await recompute(
        runtime.aggregator_engine,
        runtime.plugins,
        Snapshot(ScopeKind.REGION, built.id, 2026, date(2026, 11, 20)),
    )
    async with client_for(app, built.curators["O0"]) as client:
        page = await client.get(f"/o/{built.slugs['O0']}/statistics?year=2026")
    card = re.search(
        r"<span class=\"value\">1</span>\s*<span>Проведено предметных декад</span>(.*?)</div>",
        page.text,
        re.S,
    )
    assert card is not None
    # The region's mean per school (21 / 6 = 3,5), not its total of 21; shares stay the regional rate.
    assert "в среднем по региону: 3,5" in card.group(1)
    assert "в среднем по региону: 21<" not in page.text
    assert "в среднем по региону: 12,6\u00a0%" in page.text


async def test_refused_targets_come_back_filled_in_and_save_nothing(app: Litestar, runtime: Runtime) -> None:
    built = await build_region(runtime, small_region(1))
    url = "/region/statistics/targets"
    async with client_for(app, built.region_staff) as client:
        shown = await client.post(
            url,
            data={"target_learners_covered": "55", "target_young_teachers_mentored": "много"},
            headers={"referer": "http://testserver/region/statistics"},
            follow_redirects=True,
        )
        body = (await client.get("/api/region/statistics")).json()
    assert shown.status_code == 200
    assert "<h1>Статистика наставничества" in shown.text
    assert re.search(
        r'name="target_young_teachers_mentored" id="f-target_young_teachers_mentored" aria-invalid="true"'
        r'[^>]*value="много"',
        shown.text,
    )
    assert (
        '<span class="field-error" id="e-target_young_teachers_mentored">например, 70 или 72,5</span>'
        in shown.text
    )
    assert 'value="55"' in shown.text
    assert figures(body)["learners_covered"]["target"] == 70.0  # the good field was not saved alone
