"""The programme's roadmap: edited and deleted (confirmed on the pages), filled from the default of its
regime (the platform's, or its region's own, which never reaches another region), and downloaded as
«Дорожная карта внедрения целевой модели наставничества» (.docx, read back with python-docx)."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import docx
from litestar import Litestar
from sqlalchemy import select

from nastavnik.domain.documents.kinds import DOCUMENT_TITLES, default_template
from nastavnik.domain.programmes.roadmap_defaults import LEARNERS, PEDAGOGUES, DefaultLine
from nastavnik.models.audit import AuditEvent
from nastavnik.runtime import Runtime
from nastavnik.testing import Tenant, new_organisation, new_region
from nastavnik_dev.documents import build_roadmap_template, build_templates
from tests.support.forms import field_error, send_form
from tests.support.http import Client
from tests.support.programme import approved_documents

YEAR = 2026  # the academic year 2026/2027: 01.09.2026 – 31.08.2027
LINE = {"stage": 1, "title": "Педсовет о внедрении", "due_on": "2026-09-30", "responsible": "Директор"}


async def programme(client: Client, org: Tenant, regime: str = "learners") -> str:
    made = await client.post(f"/api/o/{org.slug}/programmes", json={"academic_year": YEAR, "regime": regime})
    assert made.status_code == 201, made.text
    return f"/api/o/{org.slug}/programmes/{made.json()['id']}"


async def lines(client: Client, base: str) -> list[dict[str, Any]]:
    shown = await client.get(base)
    assert shown.status_code == 200, shown.text
    return list(shown.json()["roadmap"])


def errors(response: Any) -> dict[str, str]:
    return {e["field"]: e["message"] for e in response.json()["errors"]}


async def test_a_manager_edits_and_deletes_a_line_through_the_api(runtime: Runtime, app: Litestar) -> None:
    region = await new_region(runtime)
    org = await new_organisation(runtime, region.municipality_id)
    async with org.signed_in(app) as curator, org.signed_in(app, "mentor") as mentor:
        base = await programme(curator, org)
        item = (await curator.post(f"{base}/roadmap", json=LINE)).json()
        url = f"{base}/roadmap/{item['id']}"
        change = {**LINE, "version": 1, "stage": 2, "title": " Педсовет ", "due_on": "2027-08-31"}
        edited = await curator.put(url, json={**change, "result": "протокол № 1"})
        assert edited.status_code == 200, edited.text
        assert (edited.json()["stage"], edited.json()["title"], edited.json()["due_on"]) == (
            2,
            "Педсовет",
            "2027-08-31",
        )
        assert edited.json()["version"] == 2
        stale = await curator.put(url, json=change)  # version 1 again
        assert stale.status_code == 409
        bad = await curator.put(url, json={**change, "version": 2, "title": "  ", "due_on": "2027-09-01"})
        assert bad.status_code == 422
        assert errors(bad) == {
            "title": "укажите мероприятие",
            "due_on": "срок в пределах учебного года: 01.09.2026 – 31.08.2027",
        }
        not_a_date = await curator.put(url, json={**change, "version": 2, "due_on": "31.09.2026"})
        assert not_a_date.status_code in (400, 422)
        assert "due_on" in not_a_date.text
        unknown_stage = await curator.put(url, json={**change, "version": 2, "stage": 8})
        assert unknown_stage.status_code == 422
        assert "stage" in errors(unknown_stage)
        # Nothing of the refused edits was written.
        assert [(i["title"], i["stage"], i["result"]) for i in await lines(curator, base)] == [
            ("Педсовет", 2, "протокол № 1")
        ]
        assert (await mentor.put(url, json={**change, "version": 2})).status_code == 403
        assert (await mentor.delete(url)).status_code == 403
        assert (await curator.delete(url)).status_code == 204
        assert await lines(curator, base) == []
        assert (await curator.delete(url)).status_code == 404
        assert (await curator.put(url, json={**change, "version": 2})).status_code == 404
    async with runtime.owner_sessions() as db:
        actions = await db.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.org_id == org.id, AuditEvent.object_type == "roadmap_item")
            .order_by(AuditEvent.at)
        )
        assert list(actions) == ["create", "update", "delete"]  # refused edits leave nothing behind


async def test_the_page_edits_and_deletes_only_after_confirmation(runtime: Runtime, app: Litestar) -> None:
    region = await new_region(runtime)
    org = await new_organisation(runtime, region.municipality_id)
    async with org.signed_in(app) as curator:
        base = await programme(curator, org)
        page = base.removeprefix("/api")
        item = (await curator.post(f"{base}/roadmap", json=LINE)).json()
        shown = await curator.get(page)
        assert f'action="{page}/roadmap/{item["id"]}/delete"' in shown.text
        assert "подтверждаю удаление" in shown.text
        form = {"version": "1", "stage": "1", "title": "", "due_on": "2026-09-30", "responsible": "Директор"}
        refused = await send_form(curator, f"{page}/roadmap/{item['id']}", form, page=page)
        assert field_error(refused.text, "title") == "укажите мероприятие"
        assert 'value="Директор"' in refused.text
        for name, value in (("due_on", "31.02.2026"), ("due_on", "2027-09-01"), ("stage", "9")):
            wrong = await send_form(
                curator, f"{page}/roadmap/{item['id']}", {**form, "title": "Т", name: value}, page=page
            )
            assert field_error(wrong.text, name), (name, value)
        moved = await send_form(
            curator, f"{page}/roadmap/{item['id']}", {**form, "title": "Совещание"}, follow_redirects=False
        )
        assert (moved.status_code, moved.headers["location"]) == (302, f"{page}#roadmap")
        unconfirmed = await send_form(curator, f"{page}/roadmap/{item['id']}/delete", {}, page=page)
        assert field_error(unconfirmed.text, "confirm") == "отметьте подтверждение"
        assert [i["title"] for i in await lines(curator, base)] == ["Совещание"]
        removed = await send_form(
            curator, f"{page}/roadmap/{item['id']}/delete", {"confirm": "yes"}, follow_redirects=False
        )
        assert removed.status_code == 302
        assert await lines(curator, base) == []


def test_relative_dates_fall_in_the_academic_year() -> None:
    assert DefaultLine(1, 1, 2, "", "", "").due_on(2026) == date(2026, 9, 2)
    assert DefaultLine(1, 4, 31, "", "", "").due_on(2026) == date(2026, 12, 31)
    assert DefaultLine(1, 5, 10, "", "", "").due_on(2026) == date(2027, 1, 10)
    # A day the month lacks is its last: February 2027 has 28 days, February 2028 has 29.
    assert DefaultLine(1, 6, 31, "", "", "").due_on(2026) == date(2027, 2, 28)
    assert DefaultLine(1, 6, 31, "", "", "").due_on(2027) == date(2028, 2, 29)
    assert DefaultLine(1, 12, 31, "", "", "").due_on(2026) == date(2027, 8, 31)


async def test_a_curator_fills_the_roadmap_from_the_default_of_its_regime(
    runtime: Runtime, app: Litestar
) -> None:
    region = await new_region(runtime)
    org = await new_organisation(runtime, region.municipality_id)
    async with org.signed_in(app) as curator, org.signed_in(app, "mentor") as mentor:
        learners = await programme(curator, org, "learners")
        teachers = await programme(curator, org, "pedagogues")
        assert (await mentor.post(f"{learners}/roadmap/default", json={})).status_code == 403
        filled = await curator.post(f"{learners}/roadmap/default", json={})
        assert filled.status_code == 200, filled.text
        assert filled.json() == {"added": 23, "skipped": 0, "regional": False}
        shown = await lines(curator, learners)
        assert len(shown) == 23
        assert [s["stage"] for s in shown].count(1) == 5
        first = shown[0]
        assert (first["title"], first["due_on"], first["responsible"]) == (
            "Издание приказа о внедрении целевой модели наставничества",
            "2026-09-02",
            "руководитель ОО",
        )
        pairs = next(s for s in shown if s["title"] == "Формирование наставнических пар (групп)")
        assert (pairs["stage"], pairs["due_on"], pairs["result"]) == (
            5,
            "2026-10-31",
            "приказ о формировании наставнических пар (групп)",
        )
        interim = next(s for s in shown if s["title"].startswith("Промежуточная встреча"))
        assert interim["due_on"] == "2027-02-15"

        assert (await curator.post(f"{teachers}/roadmap/default", json={})).json()["added"] == 20
        shown = await lines(curator, teachers)
        visits = next(s for s in shown if s["title"].startswith("Взаимопосещение уроков"))
        assert (visits["stage"], visits["due_on"]) == (6, "2027-03-20")
        assert not any("родителей" in s["title"] for s in shown)  # the teachers' regime has no children

        # A roadmap with lines: confirmation first, then only the missing lines are appended.
        again = await curator.post(f"{learners}/roadmap/default", json={})
        assert again.status_code == 422
        assert "confirm" in errors(again)
        assert len(await lines(curator, learners)) == 23
        gone = next(s for s in await lines(curator, learners) if s["title"] == "Обучение наставников")
        assert (await curator.delete(f"{learners}/roadmap/{gone['id']}")).status_code == 204
        topped = await curator.post(f"{learners}/roadmap/default", json={"confirm": True})
        assert topped.json() == {"added": 1, "skipped": 22, "regional": False}
        assert len(await lines(curator, learners)) == 23

        # The page: the same action, one button on an empty roadmap.
        kept = await programme_page_fill(curator, org)
        assert kept == 23


async def programme_page_fill(curator: Client, org: Tenant) -> int:
    made = await curator.post(
        f"/api/o/{org.slug}/programmes", json={"academic_year": 2027, "regime": "learners"}
    )
    page = f"/o/{org.slug}/programmes/{made.json()['id']}"
    shown = await curator.get(page)
    assert "Заполнить дорожную карту типовой" in shown.text
    sent = await send_form(curator, f"{page}/roadmap/default", {}, follow_redirects=False)
    assert sent.status_code == 302
    roadmap = await lines(curator, f"/api{page}")
    assert roadmap[0]["due_on"] == "2027-09-02"  # a year later in the next academic year
    return len(roadmap)


REGION_LINES = [
    {"stage": 1, "month": 2, "day": 31, "title": "Региональный семинар кураторов", "responsible": "куратор"},
    {
        "stage": 6,
        "month": 6,
        "day": 30,
        "title": "Региональный мониторинг",
        "responsible": "руководитель ОО",
        "result": "отчёт в ИРО",
    },
]


async def test_a_regions_default_reaches_only_its_own_organisations(runtime: Runtime, app: Litestar) -> None:
    a, b = await new_region(runtime), await new_region(runtime)
    org_a = await new_organisation(runtime, a.municipality_id)
    org_b = await new_organisation(runtime, b.municipality_id)
    async with (
        a.signed_in(app) as staff_a,
        b.signed_in(app) as staff_b,
        org_a.signed_in(app) as curator_a,
        org_b.signed_in(app) as curator_b,
    ):
        standard = (await staff_a.get("/api/region/roadmap/learners")).json()
        assert (standard["regional"], len(standard["lines"])) == (False, 23)
        bad = await staff_a.put(
            "/api/region/roadmap/learners",
            json={"lines": [{**REGION_LINES[0], "stage": 8, "month": 13, "title": " "}, REGION_LINES[1]]},
        )
        assert bad.status_code == 422
        assert errors(bad) == {
            "lines.1.stage": "строка 1: этап от 1 до 7",
            "lines.1.month": "строка 1: месяц учебного года от 1 (сентябрь) до 12 (август)",
            "lines.1.title": "строка 1: укажите мероприятие",
        }
        assert (await staff_a.put("/api/region/roadmap/learners", json={"lines": []})).status_code == 422
        assert not (await staff_a.get("/api/region/roadmap/learners")).json()["regional"]  # nothing kept
        assert (
            await curator_a.put("/api/region/roadmap/learners", json={"lines": REGION_LINES})
        ).status_code == 403
        assert (
            await staff_a.put("/api/region/roadmap/children", json={"lines": REGION_LINES})
        ).status_code == 404
        saved = await staff_a.put("/api/region/roadmap/learners", json={"lines": REGION_LINES})
        assert saved.status_code == 200, saved.text
        assert saved.json()["regional"] is True

        base_a, base_b = await programme(curator_a, org_a), await programme(curator_b, org_b)
        assert (await curator_a.post(f"{base_a}/roadmap/default", json={})).json() == {
            "added": 2,
            "skipped": 0,
            "regional": True,
        }
        assert [(i["title"], i["due_on"], i["result"]) for i in await lines(curator_a, base_a)] == [
            ("Региональный семинар кураторов", "2026-10-31", ""),
            ("Региональный мониторинг", "2027-02-28", "отчёт в ИРО"),
        ]
        # Region B's organisations get the platform's default; B's staff see theirs and cannot revert A's.
        assert (await curator_b.post(f"{base_b}/roadmap/default", json={})).json()["added"] == 23
        assert not any(i["title"].startswith("Региональный") for i in await lines(curator_b, base_b))
        assert (await staff_b.get("/api/region/roadmap/learners")).json()["regional"] is False
        assert (await staff_b.delete("/api/region/roadmap/learners")).status_code == 404
        # The teachers' regime of region A is still the platform's.
        listed = {r["regime"]: r["regional"] for r in (await staff_a.get("/api/region/roadmap")).json()}
        assert listed == {"learners": True, "pedagogues": False}

        # The region's page: the list as a table of fields; a wrong row named beside its field.
        page = await staff_a.get("/region/roadmap")
        assert 'value="Региональный мониторинг"' in page.text
        row = {"stage_1": "1", "month_1": "2", "day_1": "", "title_1": "Семинар", "responsible_1": "куратор"}
        refused = await send_form(staff_a, "/region/roadmap/learners", row, page="/region/roadmap")
        assert field_error(refused.text, "day_1") == "строка 1: день от 1 до 31"
        blank_third = {
            **row,
            "day_1": "5",
            "title_2": "",
            "responsible_2": "",
            "title_3": "Итоги",
            "stage_3": "7",
        }
        refused = await send_form(staff_a, "/region/roadmap/learners", blank_third, page="/region/roadmap")
        assert field_error(refused.text, "month_3") == "строка 3: месяц от 1 до 12"
        blank_third.update(month_3="9", day_3="20", responsible_3="куратор")
        sent = await send_form(staff_a, "/region/roadmap/learners", blank_third, follow_redirects=False)
        assert sent.status_code == 302
        now = (await staff_a.get("/api/region/roadmap/learners")).json()["lines"]
        assert [(x["stage"], x["month"], x["day"], x["title"]) for x in now] == [
            (1, 2, 5, "Семинар"),
            (7, 9, 20, "Итоги"),
        ]
        unconfirmed = await send_form(staff_a, "/region/roadmap/learners/revert", {}, page="/region/roadmap")
        assert unconfirmed.status_code == 200
        assert (await staff_a.get("/api/region/roadmap/learners")).json()["regional"] is True
        reverted = await send_form(
            staff_a, "/region/roadmap/learners/revert", {"confirm": "yes"}, follow_redirects=False
        )
        assert reverted.status_code == 302
        assert (await staff_a.get("/api/region/roadmap/learners")).json()["regional"] is False


async def test_the_roadmap_downloads_as_a_word_document(runtime: Runtime, app: Litestar) -> None:
    region = await new_region(runtime)
    org = await new_organisation(runtime, region.municipality_id)
    async with org.signed_in(app) as curator, org.signed_in(app, "mentee") as mentee:
        base = await programme(curator, org)
        assert (
            await curator.put(f"{base}/documents", json=approved_documents("2026-08-30"))
        ).status_code == 200
        await curator.post(f"{base}/roadmap/default", json={})
        first = (await lines(curator, base))[0]
        await curator.put(f"{base}/roadmap/{first['id']}/done", json={"done": True})
        got = await curator.get(f"{base}/roadmap.docx")
        page = await mentee.get(f"{base.removeprefix('/api')}/roadmap.docx")
    assert got.status_code == 200, got.text
    assert got.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert page.status_code == 200  # whoever reads the programme reads its roadmap
    document = docx.Document(io.BytesIO(got.content))
    text = [p.text for p in document.paragraphs]
    assert text[0] == org.full_name
    assert "утверждённой приказом от 30.08.2026 № 16-од" in text
    assert "ДОРОЖНАЯ КАРТА" in text
    assert "внедрения целевой модели наставничества" in text
    assert "на 2026/2027 учебный год" in text
    assert "(наставничество обучающихся)" in text
    assert "Этап 1. Подготовка условий для запуска программы" in text
    assert "Этап 7. Завершение наставничества" in text
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]
    assert len(tables) == 7  # a table per stage
    assert tables[0][0] == [
        "№",
        "Мероприятие",
        "Срок",
        "Ответственный",
        "Результат / вид документа",
        "Отметка о выполнении",
    ]
    assert len(tables[0]) == 1 + 5
    assert tables[0][1] == [
        "1.1",
        "Издание приказа о внедрении целевой модели наставничества",
        "02.09.2026",
        "руководитель ОО",
        "приказ о внедрении целевой модели наставничества",
        "выполнено",
    ]
    assert tables[0][2][0] == "1.2"
    assert tables[0][2][5] == "—"
    assert tables[4][1][:3] == ["5.1", "Групповая встреча наставников и наставляемых", "25.10.2026"]
    assert sum(len(t) - 1 for t in tables) == len(LEARNERS)


async def test_another_organisations_roadmap_is_not_found(runtime: Runtime, app: Litestar) -> None:
    region = await new_region(runtime)
    org_a = await new_organisation(runtime, region.municipality_id)
    org_b = await new_organisation(runtime, region.municipality_id)
    async with org_a.signed_in(app) as curator_a, org_b.signed_in(app) as curator_b:
        base_b = await programme(curator_b, org_b)
        item = (await curator_b.post(f"{base_b}/roadmap", json=LINE)).json()
        other = await programme(curator_a, org_a, "pedagogues")
        programme_b = base_b.rsplit("/", 1)[1]
        change = {**LINE, "version": 1, "title": "Чужое"}
        for base in (base_b, f"/api/o/{org_a.slug}/programmes/{programme_b}", other):
            url = f"{base}/roadmap/{item['id']}"
            assert (await curator_a.put(url, json=change)).status_code == 404, base
            assert (await curator_a.delete(url)).status_code == 404, base
        for base in (base_b, f"/api/o/{org_a.slug}/programmes/{programme_b}"):
            assert (await curator_a.get(f"{base}/roadmap.docx")).status_code == 404
            assert (await curator_a.post(f"{base}/roadmap/default", json={})).status_code == 404
        assert [i["title"] for i in await lines(curator_b, base_b)] == ["Педсовет о внедрении"]
    assert len(PEDAGOGUES) == 20


def test_the_committed_template_is_the_build_scripts_output() -> None:
    committed = default_template("roadmap")
    assert committed == build_templates.build("roadmap", build_roadmap_template.BUILDERS), (
        "run python -m nastavnik_dev.documents.build_roadmap_template"
    )
    assert docx.Document(io.BytesIO(committed)).core_properties.title == DOCUMENT_TITLES["roadmap"]
