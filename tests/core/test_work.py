"""The work of a pair: the development plan and the mentor's journal, who may do what, and the .docx.

Every test takes an organisation of its own (tests/support/tenant.py), so counts are exact.
"""

from __future__ import annotations

import io
import uuid
from datetime import date, timedelta
from typing import Any

import docx
from litestar import Litestar
from sqlalchemy import select, update

from nastavnik.domain.programmes.models import Programme
from nastavnik.domain.programmes.pairs.models import MentoringGroup
from nastavnik.models.audit import AuditEvent
from nastavnik.runtime import Runtime
from tests.support.dates import RegionDates
from tests.support.http import Client, client_for
from tests.support.programme import form_pair, meeting
from tests.support.tenant import Named, add_mentee, add_mentor
from tests.support.world import World


def due_on(dates: RegionDates) -> date:
    """A plan item's due date: 20 May of the academic year."""
    return dates.ends.replace(month=5, day=20)


def plan_item(dates: RegionDates, **extra: Any) -> dict[str, Any]:
    return {
        "goal": "Освоить методику урока",
        "task": "Посетить три урока наставника",
        "due_on": str(due_on(dates)),
        "result": "",
        **extra,
    }


def messages(response: Any) -> str:
    assert response.status_code == 422, response.text
    body = response.json()
    return " ".join([body["detail"], *(e["message"] for e in body.get("errors", []))])


async def created(client: Client, url: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(url, json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def test_the_mentor_writes_the_mentee_ticks_and_sees_progress(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    pair = await form_pair(runtime, app, world)
    async with client_for(app, pair.tenant.identities["mentor:Смирнова"]) as mentor:
        first = await created(mentor, f"{pair.api}/plan", plan_item(dates))
        second = await created(
            mentor,
            f"{pair.api}/plan",
            plan_item(dates, goal="Классное руководство", task="Провести родительское собрание"),
        )
        entry = await created(mentor, f"{pair.api}/journal", meeting())
    assert first["mentee_id"] == str(pair.mentees[0])  # a pair's only mentee: no need to name them
    assert (first["done"], first["done_on"], first["version"]) == (False, None, 1)
    assert entry["author_id"]

    async with client_for(app, pair.tenant.identities["mentee:Зайцева"]) as mentee:
        before = (await mentee.get(f"{pair.api}/plan")).json()
        ticked = await mentee.put(f"{pair.api}/plan/{first['id']}/done", json={"done": True})
        after = (await mentee.get(f"{pair.api}/plan")).json()
        journal = await mentee.get(f"{pair.api}/journal")
        edit = await mentee.put(
            f"{pair.api}/plan/{first['id']}", json={**plan_item(dates, task="Моя задача"), "version": 2}
        )
        remove = await mentee.delete(f"{pair.api}/plan/{second['id']}")
        add = await mentee.post(f"{pair.api}/plan", json=plan_item(dates))
        write_journal = await mentee.post(f"{pair.api}/journal", json=meeting())
        edit_journal = await mentee.put(f"{pair.api}/journal/{entry['id']}", json={**meeting(), "version": 1})
        page = await mentee.get(pair.page)
        mine = await mentee.get(f"/o/{pair.tenant.slug}/my")
    (plan,) = before["plans"]
    assert (plan["done"], plan["total"], plan["progress"]) == (0, 2, 0)
    assert before["can_edit"] is False
    assert ticked.status_code == 200, ticked.text
    assert ticked.json()["done_on"] == str(dates.today)
    (plan,) = after["plans"]
    assert (plan["done"], plan["total"], plan["progress"]) == (1, 2, 50)
    assert [e["topic"] for e in journal.json()] == ["Планирование урока"]
    for refused in (edit, remove, add, write_journal, edit_journal):
        assert refused.status_code == 403, refused.text
        assert refused.json()["detail"] == "Ваша роль не позволяет выполнить это действие."
    assert page.status_code == 200
    assert "50&nbsp;%" in page.text
    assert "Отметить выполненной" in page.text
    assert "Снять отметку о выполнении" in page.text
    assert "Добавить задачу в план" not in page.text
    assert "Записать встречу" not in page.text
    assert "Мой наставник: Смирнова Ольга Павловна" in mine.text
    assert "Мой план выполнен на 50&nbsp;% (1 из 2)" in mine.text
    assert pair.page in mine.text

    async with client_for(app, pair.tenant.identities["mentor:Смирнова"]) as mentor:
        untouched = (await mentor.get(f"{pair.api}/plan")).json()["plans"][0]["items"]
        mine = await mentor.get(f"/o/{pair.tenant.slug}/my")
        api_mine = (await mentor.get(f"/api/o/{pair.tenant.slug}/my")).json()
        nav = await mentor.get(f"/o/{pair.tenant.slug}/")
    assert [i["task"] for i in untouched] == [
        "Посетить три урока наставника",
        "Провести родительское собрание",
    ]
    assert "Зайцева Вера Олеговна — план выполнен на 50&nbsp;% (1 из 2)" in mine.text
    assert "Встреч в журнале: 1" in mine.text
    assert [(g["role"], g["meetings"], g["progress"][0]["progress"]) for g in api_mine] == [("mentor", 1, 50)]
    assert f'href="/o/{pair.tenant.slug}/my"' in nav.text
    assert "Моё наставничество" in nav.text

    # Reads and changes are in the audit log, under the mentee whose plan it is.
    async with runtime.owner_sessions() as db:
        events = list(
            await db.scalars(
                select(AuditEvent).where(
                    AuditEvent.org_id == pair.tenant.id, AuditEvent.subject_person_id == pair.mentees[0]
                )
            )
        )
    kinds = {(e.action, e.object_type) for e in events}
    assert {("create", "plan_item"), ("update", "plan_item"), ("read", "development_plan")} <= kinds


async def test_a_mentee_of_a_group_sees_only_their_own_plan(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    pair = await form_pair(
        runtime,
        app,
        world,
        mentees=(Named("Зайцева", "Вера", "Олеговна"), Named("Волков", "Пётр", "Семёнович")),
    )
    async with client_for(app, pair.tenant.identities["mentor:Смирнова"]) as mentor:
        unnamed = await mentor.post(f"{pair.api}/plan", json=plan_item(dates))
        hers = await created(mentor, f"{pair.api}/plan", plan_item(dates, mentee_id=str(pair.mentees[0])))
        his = await created(
            mentor,
            f"{pair.api}/plan",
            plan_item(dates, mentee_id=str(pair.mentees[1]), task="ЗАДАЧА ВОЛКОВА"),
        )
        stranger = await mentor.post(f"{pair.api}/plan", json=plan_item(dates, mentee_id=str(uuid.uuid4())))
        both = (await mentor.get(f"{pair.api}/plan")).json()
    assert "Выберите наставляемого" in messages(unnamed)
    assert stranger.status_code == 404
    assert [p["mentee"]["full_name"] for p in both["plans"]] == [
        "Волков Пётр Семёнович",
        "Зайцева Вера Олеговна",
    ]
    async with client_for(app, pair.tenant.identities["mentee:Зайцева"]) as mentee:
        own = (await mentee.get(f"{pair.api}/plan")).json()
        tick_his = await mentee.put(f"{pair.api}/plan/{his['id']}/done", json={"done": True})
        his_docx = await mentee.get(f"{pair.api}/plan.docx?mentee_id={pair.mentees[1]}")
        own_docx = await mentee.get(f"{pair.api}/plan.docx")
        page = await mentee.get(pair.page)
    assert [p["mentee"]["full_name"] for p in own["plans"]] == ["Зайцева Вера Олеговна"]
    assert [i["id"] for i in own["plans"][0]["items"]] == [hers["id"]]
    assert tick_his.status_code == 404
    assert his_docx.status_code == 404
    assert own_docx.status_code == 200
    assert "ЗАДАЧА ВОЛКОВА" not in page.text


async def test_others_in_the_organisation_and_overseers_get_404(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    pair = await form_pair(runtime, app, world)
    other_mentor = await add_mentor(runtime, pair.tenant, Named("Фёдоров", "Илья", "Ильич"), signs_in=True)
    other_mentee = await add_mentee(
        runtime, pair.tenant, Named("Орлова", "Анна", "Викторовна"), signs_in=True
    )
    async with client_for(app, pair.tenant.identities["curator"]) as curator:
        response = await curator.post(
            f"/api/o/{pair.tenant.slug}/programmes/{pair.programme_id}/groups",
            json={
                "mentor_ids": [str(other_mentor)],
                "mentee_ids": [str(other_mentee)],
                "form_code": "teacher_teacher",
                "kind_code": "traditional",
                **dates.term,
            },
        )
        assert response.status_code == 201
    async with client_for(app, pair.tenant.identities["mentor:Смирнова"]) as mentor:
        item = await created(mentor, f"{pair.api}/plan", plan_item(dates, task="ТАЙНАЯ ЗАДАЧА"))
        entry = await created(mentor, f"{pair.api}/journal", meeting(topic="ТАЙНАЯ ТЕМА"))
    outsiders = {
        "another pair's mentor": pair.tenant.identities["mentor:Фёдоров"],
        "another pair's mentee": pair.tenant.identities["mentee:Орлова"],
        "region": world.staff["region"],
        "municipality": world.staff["municipality"],
    }
    for who, identity in outsiders.items():
        async with client_for(app, identity) as client:
            responses = [
                await client.get(f"{pair.api}/plan"),
                await client.get(f"{pair.api}/journal"),
                await client.get(f"{pair.api}/plan.docx"),
                await client.get(f"{pair.api}/journal.docx"),
                await client.get(pair.page),
                await client.put(f"{pair.api}/plan/{item['id']}/done", json={"done": True}),
                await client.post(f"{pair.api}/journal", json=meeting()),
                await client.delete(f"{pair.api}/journal/{entry['id']}"),
            ]
        for response in responses:
            assert response.status_code == 404, f"{who}: {response.request.method} {response.request.url}"
            assert "ТАЙНАЯ" not in response.text


async def test_mistakes_are_refused_with_russian_reasons(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    pair = await form_pair(runtime, app, world)
    async with (
        client_for(app, pair.tenant.identities["mentor:Смирнова"]) as mentor,
        client_for(app, pair.tenant.identities["curator"]) as curator,
    ):
        outside = await mentor.post(
            f"{pair.api}/plan", json=plan_item(dates, due_on=f"{dates.year + 1}-09-01")
        )
        empty = await mentor.post(f"{pair.api}/plan", json=plan_item(dates, goal="  ", task=""))
        too_long = await mentor.post(f"{pair.api}/plan", json=plan_item(dates, goal="ц" * 501))
        future = await mentor.post(
            f"{pair.api}/journal", json=meeting(met_on=str(dates.today + timedelta(days=1)))
        )
        before_year = await mentor.post(f"{pair.api}/journal", json=meeting(met_on=f"{dates.year}-08-31"))
        no_topic = await mentor.post(f"{pair.api}/journal", json=meeting(topic="   "))
        item = await created(mentor, f"{pair.api}/plan", plan_item(dates))
        entry = await created(mentor, f"{pair.api}/journal", meeting())
        # The curator edits first; the mentor's edit from the same version is stale.
        by_curator = await curator.put(
            f"{pair.api}/plan/{item['id']}", json={**plan_item(dates, task="Куратор"), "version": 1}
        )
        stale = await mentor.put(
            f"{pair.api}/plan/{item['id']}", json={**plan_item(dates, task="Наставник"), "version": 1}
        )
        journal_by_curator = await curator.put(
            f"{pair.api}/journal/{entry['id']}", json={**meeting(topic="Куратор"), "version": 1}
        )
        stale_journal = await mentor.put(
            f"{pair.api}/journal/{entry['id']}", json={**meeting(topic="Наставник"), "version": 1}
        )
        shown = (await mentor.get(f"{pair.api}/plan")).json()["plans"][0]["items"]
        no_confirm = await mentor.post(f"{pair.page}/plan/{item['id']}/delete", data={})
    assert "в пределах учебного года" in messages(outside)
    assert f"{dates.starts:%d.%m.%Y} – {dates.ends:%d.%m.%Y}" in messages(outside)
    assert {e["field"] for e in empty.json()["errors"]} == {"goal", "task"}
    assert "укажите цель" in messages(empty)
    assert "укажите задачу" in messages(empty)
    assert "не длиннее 500 знаков" in messages(too_long)
    assert "дата встречи не может быть в будущем" in messages(future)
    assert "в пределах учебного года" in messages(before_year)
    assert "укажите тему встречи" in messages(no_topic)
    assert by_curator.status_code == 200
    assert journal_by_curator.status_code == 200
    for response in (stale, stale_journal):
        assert response.status_code == 409
        assert "уже изменил другой пользователь" in response.json()["detail"]
    assert [i["task"] for i in shown] == ["Куратор"]
    assert no_confirm.status_code == 422
    assert "Подтвердите" in no_confirm.text

    # An ended pair is read-only, and so is everything in a closed year.
    for table, status, reason in (
        (MentoringGroup, "completed", "Пара завершена"),
        (Programme, "closed", "Учебный год закрыт"),
    ):
        async with runtime.owner_sessions() as db:
            key = pair.group_id if table is MentoringGroup else pair.programme_id
            await db.execute(update(table).where(table.id == uuid.UUID(key)).values(status=status))
            await db.commit()
        async with (
            client_for(app, pair.tenant.identities["mentor:Смирнова"]) as mentor,
            client_for(app, pair.tenant.identities["mentee:Зайцева"]) as mentee,
        ):
            writes = [
                await mentor.post(f"{pair.api}/plan", json=plan_item(dates)),
                await mentor.put(f"{pair.api}/plan/{item['id']}", json={**plan_item(dates), "version": 2}),
                await mentor.delete(f"{pair.api}/plan/{item['id']}"),
                await mentee.put(f"{pair.api}/plan/{item['id']}/done", json={"done": True}),
                await mentor.post(f"{pair.api}/journal", json=meeting()),
                await mentor.put(f"{pair.api}/journal/{entry['id']}", json={**meeting(), "version": 2}),
                await mentor.delete(f"{pair.api}/journal/{entry['id']}"),
            ]
            still_readable = await mentee.get(f"{pair.api}/plan")
            page = await mentor.get(pair.page)
        for response in writes:
            assert reason in messages(response), response.request.url
        assert still_readable.status_code == 200
        assert "только для чтения" in page.text
        assert "Записать встречу" not in page.text


def cells(table: Any) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


async def test_exports_open_in_word_with_names_tasks_dates_and_progress(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    pair = await form_pair(runtime, app, world)
    async with client_for(app, pair.tenant.identities["mentor:Смирнова"]) as mentor:
        first = await created(mentor, f"{pair.api}/plan", plan_item(dates, result="Посещены уроки 5 «А»"))
        await created(
            mentor,
            f"{pair.api}/plan",
            plan_item(dates, goal="Классное руководство", task="Провести собрание"),
        )
        ticked = await mentor.put(f"{pair.api}/plan/{first['id']}/done", json={"done": True})
        assert ticked.status_code == 200
        await created(mentor, f"{pair.api}/journal", meeting())
        plan = await mentor.get(f"{pair.api}/plan.docx")
        journal = await mentor.get(f"{pair.page}/journal.docx")
    async with client_for(app, pair.tenant.identities["curator"]) as curator:
        by_curator = await curator.get(f"{pair.page}/plan.docx?mentee_id={pair.mentees[0]}")
    assert plan.status_code == 200
    assert by_curator.status_code == 200
    assert journal.status_code == 200
    assert plan.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''%D0%98%D0%BD%D0%B4%D0%B8%D0%B2" in plan.headers["content-disposition"]

    document = docx.Document(io.BytesIO(plan.content))
    text = [p.text for p in document.paragraphs]
    assert pair.tenant.full_name in text
    assert f"на {dates.year}/{dates.year + 1} учебный год" in text
    assert "Наставляемый: Зайцева Вера Олеговна" in text
    assert "Наставник: Смирнова Ольга Павловна" in text
    assert "Форма наставничества: Учитель – учитель" in text
    assert "Выполнено задач: 1 из 2 (50\u00a0%)" in text
    assert "Наставник ____________ О. П. Смирнова" in text
    assert "Наставляемый ____________ В. О. Зайцева" in text
    (table,) = document.tables
    assert cells(table) == [
        ["№", "Цель", "Задача", "Срок", "Отметка о выполнении", "Результат"],
        [
            "1",
            "Освоить методику урока",
            "Посетить три урока наставника",
            f"{due_on(dates):%d.%m.%Y}",
            f"выполнено {dates.today:%d.%m.%Y}",
            "Посещены уроки 5 «А»",
        ],
        ["2", "Классное руководство", "Провести собрание", f"{due_on(dates):%d.%m.%Y}", "не выполнено", ""],
    ]

    document = docx.Document(io.BytesIO(journal.content))
    text = [p.text for p in document.paragraphs]
    assert "ЖУРНАЛ НАСТАВНИКА" in text
    assert "Наставляемый: Зайцева Вера Олеговна" in text
    (table,) = document.tables
    assert cells(table) == [
        ["№", "Дата", "Тема", "Содержание", "Результат", "Задание"],
        [
            "1",
            f"{dates.met_on:%d.%m.%Y}",
            "Планирование урока",
            "Разобрали технологическую карту",
            "Составлен план урока",
            "Провести урок по плану",
        ],
    ]
    async with runtime.owner_sessions() as db:
        exports = list(
            await db.scalars(
                select(AuditEvent.object_type).where(
                    AuditEvent.org_id == pair.tenant.id, AuditEvent.action == "export"
                )
            )
        )
    assert sorted(exports) == ["development_plan", "development_plan", "mentor_journal"]


async def test_pages_work_without_javascript(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    pair = await form_pair(runtime, app, world)
    async with client_for(app, pair.tenant.identities["curator"]) as curator:
        listing = await curator.get(f"/o/{pair.tenant.slug}/programmes/{pair.programme_id}/groups")
    assert f'href="{pair.page}"' in listing.text
    async with client_for(app, pair.tenant.identities["mentor:Смирнова"]) as mentor:
        added = await mentor.post(
            f"{pair.page}/plan",
            data={
                "mentee_id": str(pair.mentees[0]),
                "goal": "Цель из формы",
                "task": "Задача из формы",
                "due_on": str(due_on(dates)),
            },
        )
        no_date = await mentor.post(
            f"{pair.page}/plan", data={"goal": "Цель", "task": "Задача", "due_on": ""}
        )
        (item,) = (await mentor.get(f"{pair.api}/plan")).json()["plans"][0]["items"]
        edited = await mentor.post(
            f"{pair.page}/plan/{item['id']}",
            data={
                "version": "1",
                "goal": "Цель из формы",
                "task": "Исправленная задача",
                "due_on": str(due_on(dates)),
            },
        )
        done = await mentor.post(f"{pair.page}/plan/{item['id']}/done", data={"done": "on"})
        wrote = await mentor.post(
            f"{pair.page}/journal", data={"met_on": str(dates.met_on), "topic": "Встреча из формы"}
        )
        empty_topic = await mentor.post(
            f"{pair.page}/journal", data={"met_on": str(dates.met_on), "topic": ""}
        )
        (entry,) = (await mentor.get(f"{pair.api}/journal")).json()
        rewrote = await mentor.post(
            f"{pair.page}/journal/{entry['id']}",
            data={
                "version": "1",
                "met_on": str(dates.met_on),
                "topic": "Встреча из формы",
                "assignment": "Задание",
            },
        )
        page = await mentor.get(pair.page)
        removed_entry = await mentor.post(
            f"{pair.page}/journal/{entry['id']}/delete", data={"confirm": "yes"}
        )
        removed_item = await mentor.post(f"{pair.page}/plan/{item['id']}/delete", data={"confirm": "yes"})
        after = await mentor.get(pair.page)
    for response in (added, edited, done, wrote, rewrote, removed_entry, removed_item):
        assert response.status_code == 302, response.text
    assert added.headers["location"] == f"{pair.page}#plan"
    assert no_date.status_code == 422
    assert "Срок" in no_date.text
    assert "обязательное поле" in no_date.text  # as the API says of a body without «due_on»
    assert empty_topic.status_code == 422
    assert "Тема" in empty_topic.text
    assert "укажите тему встречи" in empty_topic.text
    assert "Исправленная задача" in page.text
    assert f"выполнено {dates.today:%d.%m.%Y}" in page.text
    assert "100&nbsp;%" in page.text
    assert "Встреча из формы" in page.text
    assert "Задание" in page.text
    assert "Записал(а): Смирнова Ольга Павловна" in page.text
    assert "Задач в плане пока нет." in after.text
    assert "Встреч в журнале пока нет." in after.text


async def test_the_journal_outlives_its_authors_record(runtime: Runtime, app: Litestar, world: World) -> None:
    pair = await form_pair(runtime, app, world)
    async with client_for(app, pair.tenant.identities["mentor:Смирнова"]) as mentor:
        entry = await created(mentor, f"{pair.api}/journal", meeting())
    assert entry["author_id"] == str(pair.mentor)
    async with client_for(app, pair.tenant.identities["curator"]) as curator:
        removed = await curator.delete(f"/api/o/{pair.tenant.slug}/people/{pair.mentor}")
        kept = await curator.get(f"{pair.api}/journal")
    assert removed.status_code == 204, removed.text
    assert [(e["id"], e["author_id"]) for e in kept.json()] == [(entry["id"], None)]
