"""Importing the base of mentors as curators keep it: .xlsx or .csv, preview by row and column, all or nothing.

Each test takes an organisation of its own (tests/support/tenant.py), so counts are exact.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Litestar
from sqlalchemy import func, select

from nastavnik.models.audit import AuditEvent
from nastavnik.models.people import Person
from nastavnik.runtime import Runtime
from tests.support.dates import RegionDates
from tests.support.http import Client, client_for
from tests.support.office import xlsx
from tests.support.tenant import Named, Tenant, add_mentor, new_tenant
from tests.support.world import World

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Another order than the page lists them, as a curator's own table would have them.
HEADERS = [
    "Наставляемых не более",
    "Статус",
    "ФИО",
    "Предметы",
    "Компетенции",
    "Категория",
    "Стаж (лет)",
    "Дата согласия",
    "Обучение",
]


def workbook(rows: list[list[object]], *, title: bool = True) -> bytes:
    # A merged title and an empty row above the headers, as curators keep their lists.
    above: list[list[object]] = [["База наставников МБОУ «СОШ № 7» на 2026/2027 учебный год"], [" "]]
    return xlsx([*(above if title else []), list(HEADERS), *rows], merge="A1:I1" if title else None)


def row(name: str, **cells: object) -> list[object]:
    values = {"ФИО": name, "Наставляемых не более": 1, **cells}
    return [values.get(h, "") for h in HEADERS]


async def check(client: Client, tenant: Tenant, content: bytes, filename: str = "base.xlsx") -> Any:
    kind = XLSX if filename.endswith(".xlsx") else "text/csv"
    response = await client.post(
        f"/api/o/{tenant.slug}/bases/mentors/import", files={"file": (filename, content, kind)}
    )
    assert response.status_code == 200, response.text
    return response.json()


async def mentors(client: Client, tenant: Tenant) -> dict[str, Any]:
    return {e["full_name"]: e for e in (await client.get(f"/api/o/{tenant.slug}/bases/mentors")).json()}


async def people_count(runtime: Runtime, tenant: Tenant) -> int:
    async with runtime.owner_sessions() as db:
        return int(
            await db.scalar(select(func.count()).select_from(Person).where(Person.org_id == tenant.id)) or 0
        )


async def test_a_real_looking_base_is_previewed_committed_and_reimported(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    tenant = await new_tenant(runtime, world)  # its curator is «Иванова Ирина Сергеевна», a pedagogue
    content = workbook(
        [
            row(
                "Сидорова  Галина Петровна",
                **{
                    "Наставляемых не более": 2,
                    "Статус": "действующий",
                    "Предметы": "математика, алгебра",
                    "Компетенции": "подготовка к ОГЭ",
                    "Категория": "педагог",
                    "Стаж (лет)": 15,
                    "Дата согласия": datetime(dates.year, 9, 1),
                    "Обучение": "курсы ИРО, 2025",
                },
            ),
            [],
            row(
                "Кузнецов Олег",
                **{
                    "Статус": "резерв",
                    "Категория": "сотрудник",
                    "Стаж (лет)": "3",
                    "Дата согласия": f"{dates.today:%d.%m.%Y}",  # a consent of today (never in the future)
                },
            ),
            row("Иванова Ирина Сергеевна", **{"Категория": "сотрудник", "Компетенции": "адаптация"}),
            ["Итого", 3],
        ]
    )
    async with client_for(app, tenant.identities["curator"]) as curator:
        first = await check(curator, tenant, content)
        assert first["errors"] == []
        assert [
            (r["row"], r["full_name"], r["kind"], r["kind_title"], r["action"]) for r in first["rows"]
        ] == [
            (4, "Сидорова Галина Петровна", "pedagogue", "педагог", "create"),
            (6, "Кузнецов Олег", "staff", "сотрудник", "create"),
            (7, "Иванова Ирина Сергеевна", "staff", "сотрудник", "update"),  # the curator, matched by name
        ]
        committed = await curator.post(f"/api/o/{tenant.slug}/bases/mentors/import/{first['token']}")
        assert committed.status_code == 201, committed.text
        again = await curator.post(f"/api/o/{tenant.slug}/bases/mentors/import/{first['token']}")
        assert again.status_code == 404  # a kept file is committed once
        base = await mentors(curator, tenant)
        curator_card = (await curator.get(f"/api/o/{tenant.slug}/people/{tenant.persons['curator']}")).json()
    assert sorted(base) == ["Иванова Ирина Сергеевна", "Кузнецов Олег", "Сидорова Галина Петровна"]
    sidorova = base["Сидорова Галина Петровна"]
    assert (sidorova["capacity"], sidorova["experience_years"], sidorova["consent_on"]) == (
        2,
        15,
        f"{dates.year}-09-01",
    )
    assert (sidorova["subjects"], sidorova["training"], sidorova["may_mentor"]) == (
        "математика, алгебра",
        "курсы ИРО, 2025",
        True,
    )
    assert (base["Кузнецов Олег"]["status"], base["Кузнецов Олег"]["reason"]) == ("reserve", "в резерве")
    # No consent date: in the base, but not yet a mentor (Labour Code 351.8 wants written consent).
    assert base["Иванова Ирина Сергеевна"]["reason"] == "нет письменного согласия наставника"
    assert curator_card["category"] == "staff"  # the stated category is written to the matched person
    assert await people_count(runtime, tenant) == 2 + 2  # curator and director, and two new mentors

    # The same base kept as CSV in Windows-1251 with «;», and in UTF-8 with «,»: updated, not duplicated.
    cp1251 = (
        "ФИО;Наставляемых не более;Дата согласия\r\nСидорова Галина Петровна;3;01.09."
        + str(dates.year)
        + "\r\n"
    ).encode("cp1251")
    utf8 = "\ufeffФамилия,Имя,Предметы\nКузнецов,Олег,технология\n".encode()
    async with client_for(app, tenant.identities["curator"]) as curator:
        windows = await check(curator, tenant, cp1251, "base.csv")
        unicode = await check(curator, tenant, utf8, "base.csv")
        assert [(r["full_name"], r["action"]) for r in windows["rows"]] == [
            ("Сидорова Галина Петровна", "update")
        ]
        assert [(r["full_name"], r["action"]) for r in unicode["rows"]] == [("Кузнецов Олег", "update")]
        await curator.post(f"/api/o/{tenant.slug}/bases/mentors/import/{windows['token']}")
        after = await mentors(curator, tenant)
    assert len(after) == 3
    assert after["Сидорова Галина Петровна"]["capacity"] == 3
    async with runtime.owner_sessions() as db:
        imports = await db.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.org_id == tenant.id, AuditEvent.object_type == "mentor_import")
        )
    assert imports == 2


async def test_every_bad_row_is_listed_by_row_and_column_and_nothing_is_written(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    tenant = await new_tenant(runtime, world)
    content = workbook(
        [
            row("Нулева Нина", **{"Наставляемых не более": 0}),  # row 4
            row("Многова Мария", **{"Наставляемых не более": "много"}),
            row("Февральская Фаина", **{"Дата согласия": "31.02.2026"}),
            row("Будущая Белла", **{"Дата согласия": f"01.09.{dates.year + 2}"}),
            row("Повторов Пётр"),  # row 8
            row("Повторов  Петр"),  # the same person: ё read as е, spaces squeezed
            row("Одиночка"),
            row("Кто Такой", **{"Категория": "директор", "Статус": "уволен"}),
            row("Стажёва Софья", **{"Стаж (лет)": 71, "Наставляемых не более": 21}),
            row("Хорошая Ольга"),  # a good row does not save a broken file
            ["Итого", 10],
        ]
    )
    csv = (
        "ФИО,Наставляемых не более,Дата согласия\n"
        "Нулева Нина,0,\n"
        "Многова Мария,много,\n"
        "Февральская Фаина,1,31.02.2026\n"
        "Итого,3,\n"
    ).encode()
    async with client_for(app, tenant.identities["curator"]) as curator:
        api = await check(curator, tenant, content)
        from_csv = await check(curator, tenant, csv, "base.csv")
        page = await curator.post(
            f"/o/{tenant.slug}/bases/mentors/import", files={"file": ("base.xlsx", content, XLSX)}
        )
        base = await mentors(curator, tenant)
    assert [(e["row"], e["field"], e["message"]) for e in api["errors"]] == [
        ("4", "Наставляемых не более", "от 1 до 20 наставляемых"),
        ("5", "Наставляемых не более", "«много» — нужно целое число"),
        ("6", "Дата согласия", "«31.02.2026» — такой даты нет"),
        ("7", "Дата согласия", "дата не может быть в будущем"),
        ("9", "ФИО", "повторяет строку 8"),
        ("10", "ФИО", "нужны хотя бы фамилия и имя"),
        ("11", "Категория", "«директор»: педагог, сотрудник или обучающийся"),
        ("11", "Статус", "«уволен»: действующий или резерв"),
        ("12", "Наставляемых не более", "от 1 до 20 наставляемых"),
        ("12", "Стаж (лет)", "стаж от 0 до 70 лет"),
    ]
    assert api["token"] is None
    assert [(e["row"], e["field"]) for e in from_csv["errors"]] == [
        ("2", "Наставляемых не более"),
        ("3", "Наставляемых не более"),
        ("4", "Дата согласия"),
    ]
    assert page.status_code == 422
    assert "«31.02.2026» — такой даты нет" in page.text
    assert "Загрузка базы наставников" in page.text
    assert base == {}
    assert await people_count(runtime, tenant) == 2


async def test_ambiguous_names_are_shown_not_merged_and_a_commit_is_all_or_nothing(
    runtime: Runtime, app: Litestar, world: World
) -> None:
    tenant = await new_tenant(runtime, world)
    await add_mentor(runtime, tenant, Named("Двойнова", "Дарья"), capacity=1)
    content = workbook(
        [row("Новая Анна"), row("Двойнова Дарья", **{"Наставляемых не более": 4})], title=False
    )
    async with client_for(app, tenant.identities["curator"]) as curator:
        clean = await check(curator, tenant, content)
        assert [(r["full_name"], r["action"]) for r in clean["rows"]] == [
            ("Новая Анна", "create"),
            ("Двойнова Дарья", "update"),
        ]
        # Before the commit, a second Дарья Двойнова joins: the kept file is checked again and refused whole.
        await add_mentor(runtime, tenant, Named("Двойнова", "Дарья"), capacity=1)
        refused = await curator.post(f"/api/o/{tenant.slug}/bases/mentors/import/{clean['token']}")
        shown = await check(curator, tenant, content)
        base = (await curator.get(f"/api/o/{tenant.slug}/bases/mentors")).json()
    assert refused.status_code == 422
    assert refused.json()["errors"] == [
        {
            "field": "строка 3, ФИО",
            "message": "в организации 2 человека с такими ФИО: уточните запись вручную",
        }
    ]
    assert shown["errors"] == [
        {
            "row": "3",
            "field": "ФИО",
            "message": "в организации 2 человека с такими ФИО: уточните запись вручную",
        }
    ]
    # The good row was not written either, nor the Дарья Двойнова the file meant.
    assert [(e["full_name"], e["capacity"]) for e in base] == [("Двойнова Дарья", 1), ("Двойнова Дарья", 1)]
    assert await people_count(runtime, tenant) == 2 + 2


async def test_the_mentors_page_imports_through_its_form(
    runtime: Runtime, app: Litestar, world: World
) -> None:
    tenant = await new_tenant(runtime, world)
    async with client_for(app, tenant.identities["curator"]) as curator:
        listing = await curator.get(f"/o/{tenant.slug}/bases/mentors")
        preview = await curator.post(
            f"/o/{tenant.slug}/bases/mentors/import",
            files={
                "file": ("base.xlsx", workbook([row("Лебедева Мария", **{"Категория": "педагог"})]), XLSX)
            },
        )
        token = preview.text.split(f"/o/{tenant.slug}/bases/mentors/import/")[1].split('"')[0]
        committed = await curator.post(f"/o/{tenant.slug}/bases/mentors/import/{token}")
        after = await curator.get(f"/o/{tenant.slug}/bases/mentors")
    assert f'action="/o/{tenant.slug}/bases/mentors/import"' in listing.text
    assert preview.status_code == 200
    assert "Лебедева Мария" in preview.text
    assert committed.status_code == 302
    assert committed.headers["location"] == f"/o/{tenant.slug}/bases/mentors"
    assert "Лебедева Мария" in after.text


async def test_a_learner_mentors_birth_date_is_read_and_an_adults_refused(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    """«ученик – ученик»: the base of mentors keeps a learner's birth date, so the federal indicator can
    count them; a pedagogue's is an error (not kept), a learner without one loads with a warning."""
    tenant = await new_tenant(runtime, world)
    headers = ["ФИО", "Категория", "ДР", "Согласие"]
    consent = f"01.09.{dates.year}"
    bad = xlsx(
        [
            headers,
            ["Сверстникова Саша", "обучающийся", f"01.01.{dates.year - 14}", consent],  # row 2
            ["Учителева Ульяна", "педагог", "01.01.1980", consent],
            ["Малышев Миша", "ученик", f"01.01.{dates.year - 5}", consent],  # 5 or 6 years old
            ["Будущев Борис", "студент", f"01.01.{dates.year + 2}", consent],
        ]
    )
    good = xlsx(
        [
            headers,
            ["Сверстникова Саша", "обучающийся", f"01.01.{dates.year - 14}", consent],
            ["Безданных Денис", "ученик", "", consent],  # row 3
            ["Учителева Ульяна", "педагог", "", consent],
        ]
    )
    async with client_for(app, tenant.identities["curator"]) as curator:
        refused = await check(curator, tenant, bad)
        accepted = await check(curator, tenant, good)
        committed = await curator.post(f"/api/o/{tenant.slug}/bases/mentors/import/{accepted['token']}")
        base = await mentors(curator, tenant)
    assert [(e["row"], e["field"], e["message"]) for e in refused["errors"]] == [
        (
            "3",
            "ДР",
            "дату рождения указывают только для обучающегося, который наставляет сверстника: "
            "у педагога и сотрудника она не хранится",
        ),
        ("4", "ДР", "возраст обучающегося-наставника — от 7 до 25 лет"),
        ("5", "ДР", "дата не может быть в будущем"),
    ]
    assert refused["token"] is None
    assert accepted["errors"] == []
    assert [(w["row"], w["field"], w["message"]) for w in accepted["warnings"]] == [
        (
            "3",
            "ДР",
            "обучающийся-наставник не будет учтён в показателе вовлечённости обучающихся: "
            "не указана дата рождения",
        )
    ]
    assert committed.status_code == 201, committed.text
    assert {name: entry["birth_date"] for name, entry in base.items()} == {
        "Сверстникова Саша": f"{dates.year - 14}-01-01",
        "Безданных Денис": None,
        "Учителева Ульяна": None,
    }
