"""The monitoring report (.xlsx) and the analytic note (.docx): requested by the region, built by the real
worker with its progress on the page, downloaded when done; no cell starts a formula; region staff only."""

from __future__ import annotations

import io
from datetime import date

import docx
import pytest
from litestar import Litestar
from openpyxl import load_workbook
from sqlalchemy import select

from nastavnik.domain.statistics.recompute import ScopeKind, Snapshot, recompute
from nastavnik.models.audit import AuditEvent
from nastavnik.runtime import Runtime
from tests.statistics import handmade
from tests.statistics.queue import run_worker
from tests.statistics.spec import BuiltRegion, GroupSpec, MenteeSpec, OrgSpec, RegionSpec, build_region
from tests.support.http import client_for

YEAR = handmade.YEAR


@pytest.fixture(scope="module")
async def region(runtime: Runtime) -> BuiltRegion:
    spec = RegionSpec(handmade.REGION.municipalities, [*handmade.REGION.orgs, OrgSpec("=HYPERLINK", "MB")])
    built = await build_region(runtime, spec)
    await recompute(
        runtime.aggregator_engine, runtime.plugins, Snapshot(ScopeKind.REGION, built.id, YEAR, handmade.AS_OF)
    )
    return built


def _rows(content: bytes) -> list[list[object]]:
    sheet = load_workbook(io.BytesIO(content))["Мониторинг"]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


async def test_report_is_built_by_the_worker_and_downloaded(
    app: Litestar, runtime: Runtime, region: BuiltRegion
) -> None:
    await run_worker(runtime)
    async with client_for(app, region.region_staff) as client:
        requested = await client.post("/api/region/statistics/reports", json={"academic_year": YEAR})
        report_id = requested.json()["id"]
        waiting = await client.get(f"/region/statistics/reports/{report_id}")
        early = await client.get(f"/api/region/statistics/reports/{report_id}/monitoring.xlsx")
    assert requested.status_code == 202
    assert (requested.json()["status"], requested.json()["progress"]) == ("queued", 0)
    assert '<meta http-equiv="refresh"' in waiting.text
    assert "В очереди" in waiting.text
    assert early.status_code == 409
    assert await run_worker(runtime) == 1
    async with client_for(app, region.region_staff) as client:
        done = (await client.get(f"/api/region/statistics/reports/{report_id}")).json()
        page = await client.get(f"/region/statistics/reports/{report_id}")
        workbook = await client.get(done["downloads"][0])
        note = await client.get(done["downloads"][1])
        dashboard = await client.get(f"/region/statistics?year={YEAR}")
    assert (done["status"], done["progress"], done["as_of"]) == ("done", 100, "2026-11-15")
    assert "refresh" not in page.text
    assert "monitoring.xlsx" in page.text
    assert f"/region/statistics/reports/{report_id}" in dashboard.text
    assert workbook.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    assert "attachment" in workbook.headers["content-disposition"]
    rows = _rows(workbook.content)
    header, sub = rows[3], rows[4]
    learners = header.index("Обучающиеся 10–18 лет, охваченные наставничеством")
    assert sub[learners : learners + 3] == ["числитель", "знаменатель", "значение, % (цель 70)"]
    by_name = {str(row[1]).split()[0]: row for row in rows[5:] if row[1]}
    # A1: 4 of 10 = 40 %; B1 gave no headcount; the sums per municipality and for the region.
    # Numbers are numbers: a share is the fraction 0.4 in a numeric cell shown with a % format.
    assert by_name["A1"][learners : learners + 3] == [4, 10, 0.4]
    sheet = load_workbook(io.BytesIO(workbook.content))["Мониторинг"]
    a1_row = next(row for row in sheet.iter_rows(min_row=6) if str(row[1].value).startswith("A1"))
    numerator, denominator, value = a1_row[learners : learners + 3]
    assert (numerator.data_type, denominator.data_type, value.data_type) == ("n", "n", "n")
    assert value.number_format == "0.0%"
    assert by_name["B1"][learners : learners + 3] == [1, "нет данных", "нет данных"]
    totals = {str(row[0]): row for row in rows[5:] if str(row[0]).startswith("Итого")}
    ma = next(v for k, v in totals.items() if k.startswith("Итого: MA"))
    assert ma[learners : learners + 3] == [6, 15, 0.4]  # (4 + 2) / (10 + 5)
    region_total = next(v for k, v in totals.items() if k.startswith("Итого по региону"))
    assert region_total[learners : learners + 3] == [6, 15, 0.4]
    assert region_total[1] == "организаций: 5"  # A1, A2, B1, B2 and the new one; B3 is deactivated
    # A name that starts like a formula stays text.
    assert any(str(row[1]).startswith("'=HYPERLINK") for row in rows[5:])
    assert not any(isinstance(c, str) and c.startswith("=") for row in rows for c in row)
    targets = load_workbook(io.BytesIO(workbook.content))["Показатели и цели"]
    target_rows = {row[0]: row for row in targets.iter_rows(values_only=True)}
    assert target_rows["Обучающиеся 10–18 лет, охваченные наставничеством"][2:4] == (0.7, 0.4)
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(note.content)).paragraphs)
    assert "Аналитическая справка о реализации целевой модели наставничества" in text
    assert (
        "Обучающиеся 10–18 лет, охваченные наставничеством: 40,0\u00a0% (6 из 15) при цели 70 % — цель не достигнута"
        in text
    )
    # No answers yet: said so, not that the platform keeps no such data.
    assert "Удовлетворённость наставников: ответов пока нет." in text
    assert "не ведутся" not in text
    assert "В расчёт вошли: 5 организаций из 2 муниципалитетов." in text
    assert "Наставляемый" not in text  # figures only
    async with runtime.owner_sessions() as db:
        exported = await db.scalar(
            select(AuditEvent.details).where(
                AuditEvent.object_type == "statistics_report", AuditEvent.object_id == report_id
            )
        )
    assert exported is not None


async def test_report_needs_a_snapshot_and_the_form_redirects(
    app: Litestar, runtime: Runtime, region: BuiltRegion
) -> None:
    async with client_for(app, region.region_staff) as client:
        none_yet = await client.post("/api/region/statistics/reports", json={"academic_year": YEAR - 1})
        form = await client.post(
            "/region/statistics/reports", data={"year": str(YEAR), "type": "school"}, follow_redirects=False
        )
        bad_type = await client.post(
            "/api/region/statistics/reports", json={"academic_year": YEAR, "org_type": "vuz"}
        )
    assert none_yet.status_code == 422
    assert "Пересчитать сейчас" in none_yet.text
    assert form.status_code == 302
    assert form.headers["location"].startswith("/region/statistics/reports/")
    assert bad_type.status_code == 422
    assert await run_worker(runtime) == 1
    report_id = form.headers["location"].rsplit("/", 1)[1]
    async with client_for(app, region.region_staff) as client:
        workbook = await client.get(f"/api/region/statistics/reports/{report_id}/monitoring.xlsx")
    rows = _rows(workbook.content)
    assert "организации: Общеобразовательная организация" in str(rows[1][0])
    names = sorted(
        str(row[1]).split()[0] for row in rows[5:] if row[1] and not str(row[0]).startswith("Итого")
    )
    assert names == ["'=HYPERLINK", "A1", "B1"]  # schools only


async def test_reports_are_the_region_staffs_only(
    app: Litestar, runtime: Runtime, region: BuiltRegion
) -> None:
    other = await build_region(runtime, RegionSpec(["MW"], [OrgSpec("W1", "MW")]))
    async with client_for(app, region.region_staff) as client:
        report_id = (
            await client.post("/api/region/statistics/reports", json={"academic_year": YEAR})
        ).json()["id"]
    await run_worker(runtime)
    for identity, expected in (
        (other.region_staff, 404),  # another region's staff: as if it did not exist
        (region.coordinators["MA"], 403),
        (region.curators["A1"], 403),
    ):
        async with client_for(app, identity) as client:
            for url in (
                f"/api/region/statistics/reports/{report_id}",
                f"/api/region/statistics/reports/{report_id}/monitoring.xlsx",
                f"/api/region/statistics/reports/{report_id}/note.docx",
                f"/region/statistics/reports/{report_id}",
            ):
                response = await client.get(url)
                assert response.status_code == expected, (identity, url)


async def test_note_names_no_best_and_worst_when_all_are_equal(app: Litestar, runtime: Runtime) -> None:
    learners = [MenteeSpec(f"E{i}", "learner", birth_date=date(2012, 1, 1 + i)) for i in range(2)]
    spec = RegionSpec(
        ["ME1", "ME2"],
        [
            OrgSpec(
                key,
                municipality,
                headcounts={YEAR: (10, 2)},
                mentees=[MenteeSpec(f"{key}{m.key}", m.kind, birth_date=m.birth_date) for m in learners],
                groups=[GroupSpec(YEAR, "active", [f"{key}{m.key}"]) for m in learners],
            )
            for key, municipality in (("E1", "ME1"), ("E2", "ME2"))
        ],
    )
    built = await build_region(runtime, spec)
    await recompute(
        runtime.aggregator_engine, runtime.plugins, Snapshot(ScopeKind.REGION, built.id, YEAR, handmade.AS_OF)
    )
    await run_worker(runtime)
    async with client_for(app, built.region_staff) as client:
        report_id = (
            await client.post("/api/region/statistics/reports", json={"academic_year": YEAR})
        ).json()["id"]
    assert await run_worker(runtime) == 1
    async with client_for(app, built.region_staff) as client:
        note = await client.get(f"/api/region/statistics/reports/{report_id}/note.docx")
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(note.content)).paragraphs)
    assert "Охват во всех муниципалитетах одинаков: 20,0\u00a0%." in text
    assert "Наибольший" not in text
    assert "Наименьший" not in text
    assert "В расчёт вошли: 2 организации из 2 муниципалитетов." in text
