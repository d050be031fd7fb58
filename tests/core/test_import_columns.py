"""Bases imported from the files curators really keep: headers in their own words, columns mapped by hand
and remembered, consent warnings before anything is written, e-mails, and Excel 97–2003 (.xls) files.

Each test takes an organisation of its own (tests/support/tenant.py), so what it remembers is its own.
"""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, date, datetime
from typing import Any

import pytest
import xlwt
from litestar import Litestar
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from nastavnik import clock
from nastavnik.db.scope import DbScope, scoped_session
from nastavnik.domain.bases.mentee_import import MENTEES
from nastavnik.domain.bases.mentor_import import MENTORS
from nastavnik.domain.bases.models import ImportColumnChoice, MenteeProfile, MentorProfile
from nastavnik.domain.bases.table_import import recognise
from nastavnik.models.people import Person
from nastavnik.runtime import Runtime
from tests.support.dates import RegionDates
from tests.support.http import Client, client_for
from tests.support.office import xlsx
from tests.support.tenant import Tenant, new_tenant
from tests.support.world import World

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLS = "application/vnd.ms-excel"


# Dates from the test region's today, the date the server checks them against; birth dates far from any
# birthday boundary.
def consent_year(dates: RegionDates) -> int:
    """A year whose 1 September is past in every region."""
    return dates.today.year - 1


def minor(dates: RegionDates) -> date:
    """14 or 15 years old: a guardian's consent is needed."""
    return date(dates.today.year - 15, 1, 15)


def adult(dates: RegionDates) -> date:
    """19 or 20 years old."""
    return date(dates.today.year - 20, 1, 15)


def xls(rows: list[list[Any]]) -> bytes:
    """A real Excel 97–2003 workbook (BIFF8, an OLE2 compound file), as older school software saves it."""
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Лист1")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def check(client: Client, tenant: Tenant, base: str, content: bytes, name: str = "b.xlsx") -> Any:
    kind = {"xlsx": XLSX, "xls": XLS}.get(name.rsplit(".", 1)[-1], "text/csv")
    response = await client.post(
        f"/api/o/{tenant.slug}/bases/{base}/import", files={"file": (name, content, kind)}
    )
    assert response.status_code == 200, response.text
    return response.json()


async def commit(client: Client, tenant: Tenant, base: str, token: str) -> None:
    response = await client.post(f"/api/o/{tenant.slug}/bases/{base}/import/{token}")
    assert response.status_code == 201, response.text


async def people(runtime: Runtime, tenant: Tenant) -> dict[str, Person]:
    async with runtime.owner_sessions() as db:
        found = await db.scalars(select(Person).where(Person.org_id == tenant.id))
        return {p.full_name: p for p in found}


async def test_headers_in_the_curators_own_words_are_read_and_nothing_is_lost(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    tenant = await new_tenant(runtime, world)
    mentors = xlsx(
        [
            ["ФИО наставника", "Макс. наставляемых", "Согласие (дата)", "Стаж, лет", "Предметы (дисциплины)"],
            ["Сидорова Галина Петровна", 3, f"01.09.{consent_year(dates)}", 15, "математика"],
        ]
    )
    mentees = xlsx(
        [
            [
                "Фамилия Имя Отчество",
                "Дата рождения (дд.мм.гггг)",
                "Класс/группа",
                "Запрос (трудности)",
                "Согласие законного представителя (дата)",
            ],
            [
                "Ветрова Вера Олеговна",
                minor(dates).strftime("%d.%m.%Y"),
                "9А",
                "подготовка к ОГЭ",
                f"02.09.{consent_year(dates)}",
            ],
        ]
    )
    async with client_for(app, tenant.identities["curator"]) as curator:
        first = await check(curator, tenant, "mentors", mentors)
        assert first["errors"] == []
        assert first["warnings"] == []
        await commit(curator, tenant, "mentors", first["token"])
        second = await check(curator, tenant, "mentees", mentees)
        assert second["errors"] == []
        assert second["warnings"] == []
        await commit(curator, tenant, "mentees", second["token"])
    known = await people(runtime, tenant)
    async with runtime.owner_sessions() as db:
        mentor = await db.get(MentorProfile, (tenant.id, known["Сидорова Галина Петровна"].id))
        mentee = await db.get(MenteeProfile, (tenant.id, known["Ветрова Вера Олеговна"].id))
    assert mentor is not None
    assert mentee is not None
    assert (mentor.capacity, mentor.consent_on, mentor.experience_years, mentor.subjects) == (
        3,
        date(consent_year(dates), 9, 1),
        15,
        "математика",
    )
    assert (mentee.birth_date, mentee.class_name, mentee.requests, mentee.guardian_consent_on) == (
        minor(dates),
        "9А",
        "подготовка к ОГЭ",
        date(consent_year(dates), 9, 2),
    )


async def test_the_preview_names_every_column_and_what_it_is_read_as(
    runtime: Runtime, app: Litestar, world: World
) -> None:
    tenant = await new_tenant(runtime, world)
    content = xlsx(
        [
            ["№ п/п", "Ф. И. О.", "Макс. наставляемых", "Примечание", "Пустой", "Количество наставляемых"],
            [1, "Сидорова Галина Петровна", 2, "переведена из школы № 3", None, 3, "без заголовка"],
        ]
    )
    async with client_for(app, tenant.identities["curator"]) as curator:
        body = await check(curator, tenant, "mentors", content)
    columns = [
        (c["letter"], c["title"], c["field"], c["field_title"], c["has_data"]) for c in body["columns"]
    ]
    assert columns == [
        ("A", "№ п/п", None, "не используется", True),
        ("B", "Ф. И. О.", "full_name", "ФИО", True),
        ("C", "Макс. наставляемых", "capacity", "Наставляемых не более", True),
        ("D", "Примечание", None, "не используется", True),
        ("E", "Пустой", None, "не используется", False),
        ("F", "Количество наставляемых", None, "не используется", True),
        ("G", "", None, "не используется", True),
    ]
    assert body["columns"][0]["note"] == "номер по порядку"
    assert body["columns"][5]["note"] == "повторяет столбец «Макс. наставляемых»"
    # Columns holding data that nothing reads are named before anything is written; the row number is not.
    dropped = [w for w in body["warnings"] if w["row"] == "0"]
    assert [w["field"] for w in dropped] == ["Примечание", "Количество наставляемых", "столбец G"]
    assert "не будут загружены" in dropped[0]["message"]
    assert "(повторяет столбец «Макс. наставляемых»)" in dropped[1]["message"]
    assert body["fields"]["capacity"] == "Наставляемых не более"


async def test_the_header_not_found_message_names_the_columns_it_looked_for(
    runtime: Runtime, app: Litestar, world: World
) -> None:
    tenant = await new_tenant(runtime, world)
    # The data row is fuller than the header row: the header is still the row that names a field.
    content = xlsx([["Ученик", "Класс"], ["Ветрова Вера", "9А", "отличница"]])
    async with client_for(app, tenant.identities["curator"]) as curator:
        body = await check(curator, tenant, "mentees", content)
        page = await curator.post(
            f"/o/{tenant.slug}/bases/mentees/import", files={"file": ("b.xlsx", content, XLSX)}
        )
    assert body["errors"] == [
        {
            "row": "0",
            "field": "file",
            "message": "Не найдены столбцы с именами: ожидался столбец «ФИО» или «Фамилия», «Имя», «Отчество».",
        }
    ]
    assert body["token"] is None
    # The columns it did find are shown, so the curator can say which one holds the names.
    assert [(c["title"], c["field"]) for c in body["columns"]] == [("Ученик", None), ("Класс", "class_name")]
    assert page.status_code == 422
    assert "ожидался столбец «ФИО» или «Фамилия», «Имя», «Отчество»" in page.text
    assert 'name="title_1" value="Ученик"' in page.text


async def test_a_column_mapped_by_hand_is_remembered_for_the_organisations_next_import(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    tenant = await new_tenant(runtime, world)
    other = await new_tenant(runtime, world)
    content = xlsx(
        [
            ["Ученик", "Дата рождения", "Класс", "Нужды"],
            ["Ветрова Вера", adult(dates).strftime("%d.%m.%Y"), "11А", "профориентация"],
        ]
    )
    async with client_for(app, tenant.identities["curator"]) as curator:
        first = await check(curator, tenant, "mentees", content)
        url = f"/api/o/{tenant.slug}/bases/mentees/import/{first['file_token']}/columns"
        wrong = await curator.post(url, json={"columns": [{"title": "Ученик", "field": "shoe_size"}]})

        def needs_as(field: str) -> dict[str, Any]:
            return {
                "columns": [{"title": "Ученик", "field": "full_name"}, {"title": "Нужды", "field": field}]
            }

        twice = await curator.post(url, json=needs_as("full_name"))
        mapped = await curator.post(url, json=needs_as("requests"))
        assert mapped.status_code == 200, mapped.text
        # Next time (another file, the header spelled in another case) the choice is already made.
        again = await check(curator, tenant, "mentees", xlsx([["УЧЕНИК", "Класс", "Дата рождения"]]))
        await commit(curator, tenant, "mentees", mapped.json()["token"])
        mentee_base = (await curator.get(f"/api/o/{tenant.slug}/bases/mentees")).json()
        # The page's form does the same, and can undo a choice («не используется»).
        kept = (await check(curator, tenant, "mentees", content))["file_token"]
        page = await curator.post(
            f"/o/{tenant.slug}/bases/mentees/import/{kept}/columns",
            data={"title_1": "Ученик", "field_1": "full_name", "title_4": "Нужды", "field_4": ""},
        )
    async with client_for(app, other.identities["curator"]) as stranger:
        # Another organisation neither inherits the choice nor reaches the file it was made on.
        theirs = await check(stranger, other, "mentees", content)
        foreign = await stranger.post(
            f"/api/o/{other.slug}/bases/mentees/import/{first['file_token']}/columns",
            json={"columns": [{"title": "Ученик", "field": "full_name"}]},
        )
    assert wrong.status_code == 422
    assert "«shoe_size» — такого поля в базе нет" in wrong.text
    assert twice.status_code == 422
    assert "поле «ФИО» уже выбрано для столбца «Ученик»" in twice.text
    body = mapped.json()
    assert body["errors"] == []
    assert [(c["title"], c["field"], c["chosen"]) for c in body["columns"]] == [
        ("Ученик", "full_name", True),
        ("Дата рождения", "birth_date", False),
        ("Класс", "class_name", False),
        ("Нужды", "requests", True),
    ]
    assert next((c["title"], c["field"]) for c in again["columns"]) == ("УЧЕНИК", "full_name")
    assert page.status_code == 200
    assert "столбец D не используется" in page.text
    assert mentee_base[0]["full_name"] == "Ветрова Вера"
    assert mentee_base[0]["requests"] == "профориентация"
    async with runtime.owner_sessions() as db:
        remembered = {
            (c.header, c.field)
            for c in await db.scalars(
                select(ImportColumnChoice).where(ImportColumnChoice.org_id == tenant.id)
            )
        }
    # «Нужды» is not used again, which is what its header reads as anyway: the choice is forgotten.
    assert remembered == {("ученик", "full_name")}
    assert theirs["errors"][0]["message"].startswith("Не найдены столбцы с именами")
    assert foreign.status_code == 404


async def test_remembered_choices_are_invisible_and_untouchable_to_another_organisation(
    runtime: Runtime, world: World
) -> None:
    owner = await new_tenant(runtime, world)
    intruder = await new_tenant(runtime, world)
    async with runtime.owner_sessions() as db:
        db.add(ImportColumnChoice(org_id=owner.id, base="mentees", header="ученик", field="full_name"))
        await db.commit()
    scope = DbScope(identity_id=intruder.identities["curator"], org_id=intruder.id)
    async with scoped_session(runtime.app_sessions, scope) as db:
        assert await db.scalar(text("SELECT count(*) FROM import_column_choice")) == 0
        changed = await db.execute(
            text("UPDATE import_column_choice SET field = NULL WHERE org_id = :org"), {"org": owner.id}
        )
        assert changed.rowcount == 0  # type: ignore[attr-defined]
        await db.rollback()
    async with scoped_session(runtime.app_sessions, scope) as db:
        with pytest.raises(DBAPIError) as refused:
            await db.execute(
                text(
                    "INSERT INTO import_column_choice (org_id, base, header, field)"
                    " VALUES (:org, 'mentees', 'чужой', 'full_name')"
                ),
                {"org": owner.id},
            )
        assert "row-level security" in str(refused.value)
    async with runtime.owner_sessions() as db:
        rows = (
            await db.scalars(select(ImportColumnChoice).where(ImportColumnChoice.org_id == owner.id))
        ).all()
    assert [(r.header, r.field) for r in rows] == [("ученик", "full_name")]


async def test_missing_consent_is_named_by_row_before_anything_is_written_and_bad_capacity_is_an_error(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    tenant = await new_tenant(runtime, world)
    mentees = xlsx(
        [
            ["ФИО", "Дата рождения", "Класс", "Согласие (дата)"],
            ["Младшая Мария", minor(dates).strftime("%d.%m.%Y"), "8А", ""],
            ["Согласная Софья", minor(dates).strftime("%d.%m.%Y"), "8А", f"01.09.{consent_year(dates)}"],
            ["Взрослый Виктор", adult(dates).strftime("%d.%m.%Y"), "1 курс", ""],
        ]
    )
    mentors = xlsx(
        [
            ["ФИО", "Макс. наставляемых", "Согласие (дата)"],
            ["Безсогласия Борис", 2, ""],
            ["Согласный Семён", 2, f"01.09.{consent_year(dates)}"],
        ]
    )
    bad_capacity = xlsx(
        [
            ["ФИО", "Макс. наставляемых", "Согласие (дата)"],
            ["Нулев Никита", 0, f"01.09.{consent_year(dates)}"],
            ["Минусов Михаил", -1, f"01.09.{consent_year(dates)}"],
        ]
    )
    before = await people(runtime, tenant)
    async with client_for(app, tenant.identities["curator"]) as curator:
        learners = await check(curator, tenant, "mentees", mentees)
        teachers = await check(curator, tenant, "mentors", mentors)
        capacity = await check(curator, tenant, "mentors", bad_capacity)
        page = await curator.post(
            f"/o/{tenant.slug}/bases/mentees/import", files={"file": ("b.xlsx", mentees, XLSX)}
        )
    assert set(await people(runtime, tenant)) == set(before)  # a preview writes nothing
    assert learners["errors"] == []
    assert learners["token"] is not None  # warnings do not stop the import
    assert [(w["row"], w["field"]) for w in learners["warnings"]] == [("2", "Согласие (дата)")]
    assert "нет 18 лет, а согласия законного представителя нет" in learners["warnings"][0]["message"]
    assert [(w["row"], w["field"]) for w in teachers["warnings"]] == [("2", "Согласие (дата)")]
    assert "ст. 351.8 Трудового кодекса РФ" in teachers["warnings"][0]["message"]
    assert "Предупреждения" in page.text
    assert "нет 18 лет" in page.text
    assert capacity["token"] is None
    assert capacity["errors"] == [
        {"row": "2", "field": "Макс. наставляемых", "message": "от 1 до 20 наставляемых"},
        {"row": "3", "field": "Макс. наставляемых", "message": "от 1 до 20 наставляемых"},
    ]


async def test_the_ages_in_warnings_are_the_regions_local_date(
    runtime: Runtime, app: Litestar, world: World
) -> None:
    """At 23:30 UTC it is already the next day in Moscow: a learner turning 18 that day needs no consent."""
    tenant = await new_tenant(runtime, world)
    content = xlsx(
        [
            ["ФИО", "Дата рождения", "Класс"],
            ["Именинница Ирина", "01.03.2008", "11А"],  # 18 today in the region, 17 by UTC
            ["Завтрашняя Злата", "02.03.2008", "11А"],  # 18 tomorrow
        ]
    )
    async with client_for(app, tenant.identities["curator"]) as curator:
        with clock.pinned(datetime(2026, 2, 28, 23, 30, tzinfo=UTC)):  # 1 March at night in the region
            body = await check(curator, tenant, "mentees", content)
    assert body["errors"] == []
    assert [w["row"] for w in body["warnings"]] == ["3"]


async def test_an_email_column_is_read_and_stored_in_both_bases(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    tenant = await new_tenant(runtime, world)  # the curator «Иванова Ирина Сергеевна» is matched by name
    mentors = xlsx(
        [
            ["ФИО", "Согласие", "E-mail"],
            ["Сидорова Галина Петровна", f"01.09.{consent_year(dates)}", " Sidorova@School7.ru "],
            ["Иванова Ирина Сергеевна", f"01.09.{consent_year(dates)}", "ivanova@school7.ru"],
        ]
    )
    mentees = xlsx(
        [
            ["ФИО", "Дата рождения", "Класс", "Адрес электронной почты"],
            ["Ветров Виктор", adult(dates).strftime("%d.%m.%Y"), "1 курс", "vetrov@school7.ru"],
        ]
    )
    broken = xlsx(
        [
            ["ФИО", "Согласие", "Эл. почта"],
            ["Первый Павел", f"01.09.{consent_year(dates)}", "не почта"],
            ["Второй Василий", f"01.09.{consent_year(dates)}", "same@school7.ru"],
            ["Третий Тимур", f"01.09.{consent_year(dates)}", "same@school7.ru"],
            ["Четвёртый Чеслав", f"01.09.{consent_year(dates)}", "vetrov@school7.ru"],
        ]
    )
    async with client_for(app, tenant.identities["curator"]) as curator:
        first = await check(curator, tenant, "mentors", mentors)
        assert first["errors"] == [], first
        await commit(curator, tenant, "mentors", first["token"])
        second = await check(curator, tenant, "mentees", mentees)
        await commit(curator, tenant, "mentees", second["token"])
        refused = await check(curator, tenant, "mentors", broken)
    known = await people(runtime, tenant)
    assert known["Сидорова Галина Петровна"].email == "sidorova@school7.ru"
    assert known["Иванова Ирина Сергеевна"].email == "ivanova@school7.ru"
    assert known["Ветров Виктор"].email == "vetrov@school7.ru"
    assert [(e["row"], e["field"]) for e in refused["errors"]] == [
        ("2", "Эл. почта"),
        ("4", "Эл. почта"),
        ("5", "Эл. почта"),
    ]
    assert "этот адрес уже указан в строке 3" in refused["errors"][1]["message"]
    assert "у другого человека организации" in refused["errors"][2]["message"]


async def test_two_imports_at_once_cannot_give_one_address_to_two_people(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    """Both files pass their preview alone; committed at the same moment, the second is checked
    against what the first wrote and refused in Russian, never a 500 from the e-mail index."""
    tenant = await new_tenant(runtime, world)
    files = [
        xlsx([["ФИО", "Согласие", "E-mail"], [name, f"01.09.{consent_year(dates)}", "shared@school7.ru"]])
        for name in ("Первова Полина Петровна", "Вторая Вера Викторовна")
    ]
    async with (
        client_for(app, tenant.identities["curator"]) as first,
        client_for(app, tenant.identities["curator"]) as second,
    ):
        tokens = [
            (await check(client, tenant, "mentors", content))["token"]
            for client, content in zip((first, second), files, strict=True)
        ]
        answers = await asyncio.gather(
            *(
                client.post(f"/api/o/{tenant.slug}/bases/mentors/import/{token}")
                for client, token in zip((first, second), tokens, strict=True)
            )
        )
    assert sorted(a.status_code for a in answers) == [201, 422], [a.text for a in answers]
    refused = next(a for a in answers if a.status_code == 422).json()
    assert "у другого человека организации" in str(refused)
    holders = [p for p in (await people(runtime, tenant)).values() if p.email == "shared@school7.ru"]
    assert len(holders) == 1
    assert {p.full_name for p in (await people(runtime, tenant)).values()} & {
        "Первова Полина Петровна",
        "Вторая Вера Викторовна",
    } == {holders[0].full_name}  # the refused file wrote nothing


async def test_an_excel_97_file_is_read(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    tenant = await new_tenant(runtime, world)
    content = xls(
        [
            ["База наставников"],
            [],
            ["Ф.И.О.", "Наставляемых не более", "Дата согласия", "Категория"],
            ["Ёлкина Алёна Сергеевна", 2, f"01.09.{consent_year(dates)}", "педагог"],
        ]
    )
    assert content.startswith(bytes.fromhex("d0cf11e0a1b11ae1"))  # a real OLE2 workbook, not a renamed CSV
    async with client_for(app, tenant.identities["curator"]) as curator:
        body = await check(curator, tenant, "mentors", content, "база.xls")
        await commit(curator, tenant, "mentors", body["token"])
        base = (await curator.get(f"/api/o/{tenant.slug}/bases/mentors")).json()
    assert body["errors"] == []
    assert [(r["row"], r["full_name"], r["kind"]) for r in body["rows"]] == [
        (4, "Ёлкина Алёна Сергеевна", "pedagogue")
    ]
    assert [
        (m["full_name"], m["capacity"], m["consent_on"]) for m in base if m["full_name"].startswith("Ё")
    ] == [("Ёлкина Алёна Сергеевна", 2, f"{consent_year(dates)}-09-01")]


@pytest.mark.parametrize(
    ("base", "title", "field"),
    [
        ("mentors", "Фамилия Имя Отчество", "full_name"),
        ("mentors", "ФИО наставника", "full_name"),
        ("mentors", "Ф. И. О.", "full_name"),
        ("mentors", "Фамилия, имя, отчество (при наличии)", "full_name"),
        ("mentors", "  отчество  ", "middle_name"),
        ("mentors", "Согласие (дата)", "consent_on"),
        ("mentors", "Дата письменного согласия", "consent_on"),
        ("mentors", "Макс. наставляемых", "capacity"),
        ("mentors", "Кол-во наставляемых", "capacity"),
        ("mentors", "Стаж (лет)", "experience_years"),
        ("mentors", "Стаж, полных лет", "experience_years"),
        ("mentors", "E-mail", "email"),
        ("mentees", "Адрес электронной почты", "email"),
        ("mentees", "Запрос (трудности)", "requests"),
        ("mentees", "Запросы и трудности", "requests"),
        ("mentees", "Профессиональные дефициты", "difficulties"),
        ("mentees", "Согласие законного представителя (дата)", "guardian_consent_on"),
        ("mentees", "ДАТА РОЖДЕНИЯ (дд.мм.гггг)", "birth_date"),
        ("mentees", "Класс/группа", "class_name"),
        ("mentees", "Дата начала педагогической работы", "profession_since"),
        # What names nothing of a base is not guessed at: it is shown as not used.
        ("mentees", "Согласие на обработку персональных данных", None),
        ("mentees", "Дата", None),
        ("mentees", "Наставляемых не более", None),
        ("mentors", "Дата", None),
        # A learner who mentors a peer: their birth date counts them in the learners' involvement.
        ("mentors", "Дата рождения", "birth_date"),
    ],
)
def test_headers_are_recognised_by_their_words(base: str, title: str, field: str | None) -> None:
    spec = MENTEES if base == "mentees" else MENTORS
    assert recognise(title, spec.all_columns) == field
