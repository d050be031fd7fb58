"""A whole programme year through the HTTP API, as the curator, the mentors and the mentees play it.

Bases imported from .xlsx as curators keep them (the preview must catch 31.02, a duplicate row and
skip «Итого»), matching, both orders, plans and journals, questionnaires at the start and the end,
completion, the report and the letters, closing the year and opening the next. Every generated
.docx is opened again and its names (in their cases), dates and numbers checked.
"""

from __future__ import annotations

import io
import uuid
from datetime import date, timedelta
from typing import Any

import docx
from litestar import Litestar

from nastavnik.runtime import Runtime
from tests.support.dates import RegionDates
from tests.support.http import Client, client_for
from tests.support.office import docx_paragraphs, xlsx
from tests.support.programme import found, order_body
from tests.support.tenant import Tenant, give_login, new_tenant
from tests.support.world import World

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Six young teachers: five with mathematics requests, one with literature.
MENTEES = [
    ("Новикова Нина Петровна", "01.09.2025", "методика уроков математики"),
    ("Орлова Анна Викторовна", "15.08.2024", "подготовка к ОГЭ по математике"),
    ("Ёлкина-Зайцева Алёна Сергеевна", "01.09.2025", "математика: работа с отстающими"),
    ("Белов Павел Андреевич", "01.09.2024", "литература, классное руководство"),
    ("Громова Юлия Олеговна", "02.09.2025", "алгебра, подготовка к ОГЭ"),
    ("Тихонов Игорь Ильич", "01.09.2025", "геометрия, математика"),
]


def base_file(rows: list[list[Any]]) -> bytes:
    title = ["База наставляемых (молодые педагоги) на учебный год"]
    headers = ["№", "ФИО", "Начало педагогической работы", "Запросы", "Кто"]
    numbered = [[n, *row, "молодой педагог"] for n, row in enumerate(rows, start=1)]
    return xlsx([title, [], headers, *numbered, ["Итого", len(rows)]], merge="A1:D1")


def table_rows(content: bytes) -> list[list[str]]:
    return [[c.text for c in row.cells] for t in docx.Document(io.BytesIO(content)).tables for row in t.rows]


async def answer_everything(client: Client, slug: str, moment: str, score: int) -> int:
    """Answer each open questionnaire of ``moment``: every scale item with ``score``. Returns how many."""
    answered = 0
    for brief in (await client.get(f"/api/o/{slug}/questionnaires")).json():
        if brief["moment"] != moment or brief["completed_at"]:
            continue
        full = (await client.get(f"/api/o/{slug}/questionnaires/{brief['id']}")).json()
        answers = {i["key"]: score for i in full["items"] if i["kind"] == "scale"}
        sent = await client.post(f"/api/o/{slug}/questionnaires/{brief['id']}", json={"answers": answers})
        assert sent.status_code == 201, sent.text
        answered += 1
    return answered


async def advance(curator: Client, base: str, times: int) -> None:
    for _ in range(times):
        version = (await curator.get(base)).json()["programme"]["version"]
        moved = await curator.post(f"{base}/advance", json={"version": version})
        assert moved.status_code == 200, moved.text


async def import_mentees(curator: Client, tenant: Tenant) -> None:
    url = f"/api/o/{tenant.slug}/bases/mentees/import"
    broken = base_file(
        [[name, since, requests] for name, since, requests in MENTEES]
        + [["Новикова Нина Петровна", "01.09.2025", "повтор"], ["Лишняя Вера Ивановна", "31.02.2025", ""]]
    )
    preview = await curator.post(url, files={"file": ("база.xlsx", broken, XLSX)})
    assert preview.status_code == 200, preview.text
    # Row numbers as in Excel: title, blank, headers, then the people from row 4; «Итого» is skipped.
    assert preview.json()["errors"] == [
        {"row": "10", "field": "ФИО", "message": "повторяет строку 4"},
        {"row": "11", "field": "Начало педагогической работы", "message": "«31.02.2025» — такой даты нет"},
    ]
    assert preview.json()["token"] is None  # a file with errors cannot be committed at all
    assert (await curator.get(f"/api/o/{tenant.slug}/bases/mentees")).json() == []

    fixed = base_file([[name, since, requests] for name, since, requests in MENTEES])
    preview = await curator.post(url, files={"file": ("база.xlsx", fixed, XLSX)})
    assert preview.json()["errors"] == []
    committed = await curator.post(f"{url}/{preview.json()['token']}")
    assert committed.status_code == 201, committed.text
    listed = (await curator.get(f"/api/o/{tenant.slug}/bases/mentees")).json()
    assert sorted(e["full_name"] for e in listed) == sorted(name for name, _, _ in MENTEES)


MENTOR_HEADERS = ["Дата согласия", "ФИО", "Предметы", "Компетенции", "Наставляемых не более", "Стаж (лет)"]
MENTORS = [
    [
        "01.09.2026",
        "Сидорова Галина Петровна",
        "математика, алгебра, геометрия",
        "методика преподавания математики, подготовка к ОГЭ",
        5,
        24,
    ],
    ["01.09.2026", "Кузнецов Олег Игоревич", "литература, русский язык", "классное руководство", 2, 17],
]


def mentor_file(rows: list[list[Any]]) -> bytes:
    # Columns in the curator's own order.
    return xlsx([["Наставники школы"], MENTOR_HEADERS, *rows, ["Итого", len(rows)]])


async def import_mentors(curator: Client, tenant: Tenant) -> dict[str, str]:
    url = f"/api/o/{tenant.slug}/bases/mentors/import"
    broken = mentor_file([*MENTORS, ["31.02.2026", "Лишний Пётр Ильич", "", "", "много", 3]])
    preview = (await curator.post(url, files={"file": ("наставники.xlsx", broken, XLSX)})).json()
    assert {(e["row"], e["field"]) for e in preview["errors"]} == {
        ("5", "Дата согласия"),
        ("5", "Наставляемых не более"),
    }
    assert preview["token"] is None
    preview = (
        await curator.post(url, files={"file": ("наставники.xlsx", mentor_file(MENTORS), XLSX)})
    ).json()
    assert preview["errors"] == []
    assert (await curator.post(f"{url}/{preview['token']}")).status_code == 201
    listed = (await curator.get(f"/api/o/{tenant.slug}/bases/mentors")).json()
    assert {e["full_name"]: e["capacity"] for e in listed} == {
        "Сидорова Галина Петровна": 5,
        "Кузнецов Олег Игоревич": 2,
    }
    return {e["full_name"]: e["person_id"] for e in listed}


async def test_a_programme_year_from_the_bases_to_the_next_year(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    tenant = await new_tenant(runtime, world)
    async with client_for(app, tenant.identities["curator"]) as curator:
        mentors = await import_mentors(curator, tenant)
    sidorova, kuznetsov = mentors["Сидорова Галина Петровна"], mentors["Кузнецов Олег Игоревич"]
    async with client_for(app, tenant.identities["curator"]) as curator:
        slug = tenant.slug
        created = await curator.post(
            f"/api/o/{slug}/programmes", json={"academic_year": dates.year, "regime": "pedagogues"}
        )
        assert created.status_code == 201, created.text
        pid = created.json()["id"]
        base = f"/api/o/{slug}/programmes/{pid}"

        # Stage 1: the founding documents and the roadmap.
        await found(curator, base, f"{dates.year}-08-28")
        # Stages 2 and 3: the bases.
        await import_mentees(curator, tenant)
        await advance(curator, base, 4)  # to stage 5, forming the pairs

        # Stage 5: matching, accepted as suggested; then both orders.
        suggested = (await curator.post(f"{base}/matching", json={})).json()
        placed = {s["mentee"]["full_name"]: s["mentor"]["full_name"] for s in suggested["suggestions"]}
        assert placed == {
            **{
                name: "Сидорова Галина Петровна"
                for name, _, requests in MENTEES
                if "литература" not in requests
            },
            "Белов Павел Андреевич": "Кузнецов Олег Игоревич",
        }
        pairs = [
            {"mentee_id": s["mentee"]["id"], "mentor_id": s["mentor"]["id"]} for s in suggested["suggestions"]
        ]
        accepted = await curator.post(f"{base}/matching/accept", json={"pairs": pairs, **dates.term})
        assert accepted.status_code == 201, accepted.text
        groups = {g["mentors"][0]["id"]: g for g in accepted.json()}
        assert len(groups[str(sidorova)]["mentees"]) == 5
        lacks = (await curator.get(base)).json()["stages"][4]["lacks"]
        assert lacks == ["пар и групп без приказа о формировании: 2"]
        group_ids = [g["id"] for g in groups.values()]
        orders = {}
        for kind, number in (("mentor_assignment", "21-к"), ("pairs_formation", "22-од")):
            issued = await curator.post(
                f"{base}/orders",
                json=order_body(number, *group_ids, kind=kind),
            )
            assert issued.status_code == 201, issued.text
            orders[kind] = issued.json()["id"]
        assignment = await curator.get(f"{base}/orders/{orders['mentor_assignment']}/document.docx")
        text = " ".join(docx_paragraphs(assignment.content))
        assert f"{dates.today:%d.%m.%Y}\t№ 21-к" in text
        assert "Назначить наставником Кузнецова Олега Игоревича для Белова Павла Андреевича" in text
        assert (
            "Назначить наставником Сидорову Галину Петровну для Громовой Юлии Олеговны, Ёлкиной-Зайцевой "
            "Алёны Сергеевны, Новиковой Нины Петровны, Орловой Анны Викторовны, Тихонова Игоря Ильича"
        ) in text
        assert "возложить на куратора программы наставничества Иванову Ирину Сергеевну" in text
        formation = await curator.get(f"{base}/orders/{orders['pairs_formation']}/document.docx")
        rows = table_rows(formation.content)
        assert rows[0] == ["№", "Наставник", "Наставляемые", "Форма наставничества", "Вид", "Срок"]
        term = f"01.09.{dates.year} – 31.05.{dates.year + 1}"
        assert sorted(r[1:] for r in rows[1:]) == [
            [
                "Кузнецов Олег Игоревич",
                "Белов Павел Андреевич",
                "Учитель – учитель",
                "Традиционное (один на один)",
                term,
            ],
            [
                "Сидорова Галина Петровна",
                "Громова Юлия Олеговна, Ёлкина-Зайцева Алёна Сергеевна, Новикова Нина Петровна, "
                "Орлова Анна Викторовна, Тихонов Игорь Ильич",
                "Учитель – учитель",
                "Групповое",
                term,
            ],
        ]
        assert f"Приложение к приказу от {dates.today:%d.%m.%Y} № 22-од" in docx_paragraphs(formation.content)
        await advance(curator, base, 1)  # stage 6: the work of the pairs

        # People who sign in: the mentors and every mentee (accounts are tests/auth's concern).
        people = {
            e["full_name"]: e["person_id"] for e in (await curator.get(f"/api/o/{slug}/bases/mentees")).json()
        }
    await give_login(runtime, tenant, uuid.UUID(sidorova), "sidorova")
    await give_login(runtime, tenant, uuid.UUID(kuznetsov), "kuznetsov")
    for name, person_id in people.items():
        await give_login(runtime, tenant, person_id, f"mentee:{name}")
    mentee_logins = [tenant.identities[f"mentee:{name}"] for name in people]

    # Stage 6: the mentor keeps the plan and the journal; the mentee ticks her task.
    sidorova_group = groups[str(sidorova)]
    group_url = f"{base}/groups/{sidorova_group['id']}"
    novikova = people["Новикова Нина Петровна"]
    met_on = max(dates.today - timedelta(days=1), date(dates.year, 9, 1))
    async with client_for(app, tenant.identities["sidorova"]) as mentor:
        tasks = []
        for task in ("Посетить 3 урока наставника", "Провести открытый урок"):
            added = await mentor.post(
                f"{group_url}/plan",
                json={
                    "goal": "Освоить методику урока",
                    "task": task,
                    "due_on": f"{dates.year + 1}-03-01",
                    "mentee_id": novikova,
                },
            )
            assert added.status_code == 201, added.text
            tasks.append(added.json()["id"])
        meeting = await mentor.post(
            f"{group_url}/journal",
            json={
                "met_on": str(met_on),
                "topic": "Структура урока",
                "content": "Разбор урока",
                "assignment": "План урока",
            },
        )
        assert meeting.status_code == 201, meeting.text
        assert await answer_everything(mentor, slug, "start", 8) == 1
    for identity in mentee_logins:
        async with client_for(app, identity) as mentee:
            assert await answer_everything(mentee, slug, "start", 9) == 1
    async with client_for(app, tenant.identities["mentee:Новикова Нина Петровна"]) as mentee:
        ticked = await mentee.put(f"{group_url}/plan/{tasks[0]}/done", json={"done": True})
        assert ticked.status_code == 200, ticked.text
        edit = await mentee.put(
            f"{group_url}/plan/{tasks[1]}",
            json={"version": 1, "goal": "x", "task": "Ничего не делать", "due_on": f"{dates.year + 1}-03-01"},
        )
        assert edit.status_code == 403

    async with client_for(app, tenant.identities["curator"]) as curator:
        plan_docx = await curator.get(f"{group_url}/plan.docx", params={"mentee_id": novikova})
        assert plan_docx.status_code == 200, plan_docx.text
        plan_text = " ".join(docx_paragraphs(plan_docx.content))
        assert "Новикова Нина Петровна" in plan_text
        assert "Сидорова Галина Петровна" in plan_text
        cells = [c for row in table_rows(plan_docx.content) for c in row]
        assert "Посетить 3 урока наставника" in cells
        assert "Провести открытый урок" in cells
        assert "Выполнено задач: 1 из 2 (50\xa0%)" in plan_text  # the mentee ticked one of her two tasks
        assert "Наставляемый ____________ Н. П. Новикова" in plan_text
        journal_docx = await curator.get(f"{group_url}/journal.docx")
        journal_cells = [c for row in table_rows(journal_docx.content) for c in row]
        assert "Структура урока" in journal_cells
        assert f"{met_on:%d.%m.%Y}" in journal_cells

        # Stage 7: every pair completes; the final questionnaires come with it.
        for group in groups.values():
            shown = (await curator.get(f"{base}/groups/{group['id']}")).json()
            done = await curator.post(
                f"{base}/groups/{group['id']}/complete",
                json={
                    "version": shown["version"],
                    "result": "План развития выполнен",
                    "ended_on": str(dates.today),
                },
            )
            assert done.status_code == 200, done.text
        await advance(curator, base, 1)
    for identity in mentee_logins:
        async with client_for(app, identity) as mentee:
            assert await answer_everything(mentee, slug, "end", 8 if identity != mentee_logins[0] else 9) == 1

    async with client_for(app, tenant.identities["curator"]) as curator:
        report = await curator.get(f"{base}/report.docx")
        assert report.status_code == 200, report.text
        report_text = "\n".join(docx_paragraphs(report.content))
        # Six mentees answered every item of the end questionnaire: five with 8, one with 9, so
        # each item's average is (5 × 8 + 9) / 6 = 8.17 → 8.2, over six respondents.
        assert "8,2" in report_text or "8.2" in report_text, report_text
        letters = await curator.get(f"{base}/letters.docx")
        letter_text = " ".join(docx_paragraphs(letters.content))
        assert "Уважаемая Галина Петровна!" in letter_text
        assert "Уважаемый Олег Игоревич!" in letter_text
        assert "выражает благодарность Сидоровой Галине Петровне" in letter_text
        assert "за работу с Беловым Павлом Андреевичем" in letter_text

        closed = await curator.post(
            f"{base}/close", json={"version": (await curator.get(base)).json()["programme"]["version"]}
        )
        assert closed.status_code == 200, closed.text
        late = await curator.post(
            f"{base}/groups/{sidorova_group['id']}/plan",
            json={"goal": "x", "task": "y", "due_on": f"{dates.year + 1}-03-01", "mentee_id": novikova},
        )
        assert late.status_code == 422
        following = await curator.post(f"{base}/next-year", json=None)
        assert following.status_code == 201, following.text
        next_base = f"/api/o/{slug}/programmes/{following.json()['id']}"
        carried = (await curator.get(next_base)).json()
        assert carried["programme"]["academic_year"] == dates.year + 1
        # The bases carried over: last year's mentees may be matched again.
        again = (await curator.post(f"{next_base}/matching", json={})).json()
        assert len(again["suggestions"]) == 6
