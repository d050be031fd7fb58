"""Importing the base of mentees as curators keep it, and exporting both bases."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime

from litestar import Litestar
from openpyxl import load_workbook

from tests.support.http import client_for
from tests.support.office import xlsx
from tests.support.world import World

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def as_curators_keep_it(rows: Sequence[Sequence[object]], *, title: bool = True) -> bytes:
    above: list[list[object]] = [["База наставляемых МБОУ «СОШ» на 2026/2027 учебный год"], [" "]]
    return xlsx([*(above if title else []), *rows], merge="A1:F1" if title else None)


HEADERS = ["Класс", "ФИО", "Дата рождения", "Запросы", "Согласие законного представителя", "Кто"]


async def test_a_real_looking_base_is_previewed_committed_and_reimported(app: Litestar, world: World) -> None:
    org = world.orgs["school_a"]
    content = as_curators_keep_it(
        [
            HEADERS,
            [
                "7Б",
                "Ёлкина-Петрова Алёна Сергеевна",
                datetime(2013, 3, 1),
                "математика",
                "02.09.2026",
                "обучающийся",
            ],
            [],
            ["8А", "Иванов  Пётр", "15.11.2012", "", "", "ученик"],
            ["", "Смирнова Ольга Ивановна", "", "классное руководство", "", "молодой педагог"],
            ["Итого", 3],
        ]
    )
    async with client_for(app, org.identities["curator"]) as curator:
        preview = await curator.post(
            f"/api/o/{org.slug}/bases/mentees/import", files={"file": ("base.xlsx", content, XLSX)}
        )
        assert preview.status_code == 200, preview.text
        body = preview.json()
        assert body["errors"] == [
            {
                "row": "7",
                "field": "Начало педагогической работы",
                "message": "укажите дату начала педагогической работы",
            }
        ]
        fixed = as_curators_keep_it(
            [
                [*HEADERS, "Начало педагогической работы"],
                [
                    "7Б",
                    "Ёлкина-Петрова Алёна Сергеевна",
                    datetime(2013, 3, 1),
                    "математика",
                    "02.09.2026",
                    "обучающийся",
                    "",
                ],
                ["8А", "Иванов  Пётр", "15.11.2012", "", "", "ученик", ""],
                [
                    "",
                    "Смирнова Ольга Ивановна",
                    "",
                    "классное руководство",
                    "",
                    "молодой педагог",
                    "01.09.2025",
                ],
            ]
        )
        first = (
            await curator.post(
                f"/api/o/{org.slug}/bases/mentees/import", files={"file": ("b.xlsx", fixed, XLSX)}
            )
        ).json()
        assert first["errors"] == []
        assert [(r["row"], r["kind"], r["action"]) for r in first["rows"]] == [
            (4, "learner", "create"),
            (5, "learner", "create"),
            (6, "young_pedagogue", "create"),
        ]
        committed = await curator.post(f"/api/o/{org.slug}/bases/mentees/import/{first['token']}")
        assert committed.status_code == 201
        base = (await curator.get(f"/api/o/{org.slug}/bases/mentees")).json()
        by_name = {e["full_name"]: e for e in base}
        assert by_name["Ёлкина-Петрова Алёна Сергеевна"]["may_take_part"] is True
        assert by_name["Иванов Пётр"]["reason"] == "нет согласия законного представителя"
        # The same people again, spelled with «е» for «ё»: updated, not duplicated.
        again = as_curators_keep_it(
            [HEADERS, ["7В", "Елкина-Петрова Алена Сергеевна", "01.03.2013", "физика", "", ""]], title=False
        )
        second = (
            await curator.post(
                f"/api/o/{org.slug}/bases/mentees/import", files={"file": ("b.xlsx", again, XLSX)}
            )
        ).json()
        assert [r["action"] for r in second["rows"]] == ["update"]
        await curator.post(f"/api/o/{org.slug}/bases/mentees/import/{second['token']}")
        after = (await curator.get(f"/api/o/{org.slug}/bases/mentees")).json()
    assert len(after) == len(base)
    assert next(e for e in after if e["full_name"].startswith("Ёлкина"))["class_name"] == "7В"


async def test_bad_rows_are_listed_and_nothing_is_written(app: Litestar, world: World) -> None:
    org = world.orgs["school_b"]
    content = as_curators_keep_it(
        [
            HEADERS,
            ["5А", "Ошибкин Олег", "31.02.2014", "", "", ""],
            ["5А", "Дублев Дмитрий", "01.02.2014", "", "", ""],
            ["5Б", "Дублев Дмитрий", "01.02.2014", "", "", ""],
            ["5В", "Одинокий", "01.02.2014", "", "", ""],
            ["5Г", "Кто Такой", "01.02.2014", "", "", "директор"],
        ]
    )
    async with client_for(app, org.identities["curator"]) as curator:
        before = len((await curator.get(f"/api/o/{org.slug}/bases/mentees")).json())
        response = await curator.post(
            f"/o/{org.slug}/bases/mentees/import", files={"file": ("b.xlsx", content, XLSX)}
        )
        api = (
            await curator.post(
                f"/api/o/{org.slug}/bases/mentees/import", files={"file": ("b.xlsx", content, XLSX)}
            )
        ).json()
        after = len((await curator.get(f"/api/o/{org.slug}/bases/mentees")).json())
    assert response.status_code == 422
    assert "«31.02.2014» — такой даты нет" in response.text
    assert {(e["row"], e["field"]) for e in api["errors"]} == {
        ("4", "Дата рождения"),
        ("6", "ФИО"),
        ("7", "ФИО"),
        ("8", "Кто"),
    }
    assert api["token"] is None
    assert after == before


async def test_csv_in_both_encodings_and_separators(app: Litestar, world: World) -> None:
    org = world.orgs["school_x"]
    cp1251 = "ФИО;Дата рождения;Класс;Кто\r\nВетрова Вера;12.04.2012;9А;обучающийся\r\n".encode("cp1251")
    utf8 = "\ufeffФИО,Дата рождения,Класс\nЗимин Захар,13.05.2011,9Б\n".encode()
    async with client_for(app, org.identities["curator"]) as curator:
        windows = (
            await curator.post(
                f"/api/o/{org.slug}/bases/mentees/import", files={"file": ("base.csv", cp1251, "text/csv")}
            )
        ).json()
        unicode = (
            await curator.post(
                f"/api/o/{org.slug}/bases/mentees/import", files={"file": ("base.csv", utf8, "text/csv")}
            )
        ).json()
    assert [r["full_name"] for r in windows["rows"]] == ["Ветрова Вера"]
    assert [r["full_name"] for r in unicode["rows"]] == ["Зимин Захар"]


async def test_ambiguous_matches_are_shown_not_merged(app: Litestar, world: World) -> None:
    org = world.orgs["school_x"]
    async with client_for(app, org.identities["curator"]) as curator:
        for _ in range(2):
            pid = (
                await curator.post(
                    f"/api/o/{org.slug}/people",
                    json={"last_name": "Двойникова", "first_name": "Дана", "category": "learner"},
                )
            ).json()["id"]
            await curator.put(
                f"/api/o/{org.slug}/people/{pid}/mentee-profile",
                json={"kind": "learner", "birth_date": "2012-01-01", "class_name": "9В"},
            )
        content = as_curators_keep_it(
            [HEADERS, ["9В", "Двойникова Дана", "01.01.2012", "", "", ""]], title=False
        )
        result = (
            await curator.post(
                f"/api/o/{org.slug}/bases/mentees/import", files={"file": ("b.xlsx", content, XLSX)}
            )
        ).json()
    assert result["token"] is None
    assert "уточните запись вручную" in result["errors"][0]["message"]


async def test_export_of_both_bases(app: Litestar, world: World) -> None:
    org = world.orgs["school_a"]
    async with client_for(app, org.identities["curator"]) as curator:
        pid = (
            await curator.post(
                f"/api/o/{org.slug}/people",
                json={"last_name": "=HYPERLINK(1)", "first_name": "Х", "category": "pedagogue"},
            )
        ).json()["id"]
        await curator.put(
            f"/api/o/{org.slug}/people/{pid}/mentor-profile", json={"capacity": 2, "consent_on": "2026-09-01"}
        )
        export = await curator.get(f"/api/o/{org.slug}/bases/export.xlsx")
    assert export.status_code == 200
    book = load_workbook(io.BytesIO(export.content))
    assert book.sheetnames == ["Наставляемые", "Наставники"]
    mentors = [row[0] for row in book["Наставники"].iter_rows(min_row=2, values_only=True)]
    assert "'=HYPERLINK(1)" in mentors
    assert org.canary + "-mentor" in mentors  # the world's mentor, by their canary surname
