"""Importing organisations from Excel: tables as people keep them, every error by row and field,
all or nothing, and no hostile file gets through."""

from __future__ import annotations

import io
import secrets
import zipfile

from litestar import Litestar
from sqlalchemy import select

from nastavnik.domain.organisations.models import OrgOnboarding
from nastavnik.inn import with_inn_check_digit
from nastavnik.models.reference import Organisation
from nastavnik.runtime import Runtime
from tests.support.http import client_for
from tests.support.office import xlsx
from tests.support.world import World

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(rows: list[list[object]], *, merged_title: bool = False) -> bytes:
    # A title above the table, merged across it, as departments make them.
    return xlsx(rows, merge="A1:F1" if merged_title else None)


def as_people_keep_it(world: World, n: int, m1: str, _m2: str) -> tuple[bytes, list[str]]:
    """Everything in M1, spelled variously: M2's sums are checked exactly elsewhere."""
    inns = [with_inn_check_digit(f"1{n + i:08d}") for i in range(3)]
    rows: list[list[object]] = [
        ["Список организаций для подключения к «Наставнику» (2026/2027 учебный год)"],
        [],
        [
            "Муниципалитет",
            "ИНН",
            "Краткое наименование",
            "Тип",
            "Полное наименование",
            "Эл. почта куратора",
            "Фамилия куратора",
            "Имя куратора",
        ],
        [
            m1,
            int(inns[0]),
            f"Школа-{n}",
            "Общеобразовательная организация",
            "МБОУ «Школа»",
            f"k{n}@school.example",
            "Ёлкина-Петрова",
            "Алёна",
        ],
        [],
        [m1.upper(), inns[1], f"Сад-{n}", "kindergarten", "МБДОУ «Сад»", None, None, None],
        [
            m1,
            inns[2],
            f"Колледж-{n}",
            "Профессиональная образовательная организация (СПО)",
            "БУ «Колледж»",
            None,
            None,
            None,
        ],
        ["Итого", 3],
    ]
    return workbook(rows, merged_title=True), inns


async def municipality_names(runtime: Runtime, world: World) -> tuple[str, str]:
    from nastavnik.models.reference import Municipality

    async with runtime.owner_sessions() as db:
        m1 = await db.get(Municipality, world.municipalities["M1"])
        m2 = await db.get(Municipality, world.municipalities["M2"])
        assert m1 is not None
        assert m2 is not None
        return m1.name, m2.name


async def test_a_real_looking_file_is_previewed_then_committed(
    runtime: Runtime, app: Litestar, world: World
) -> None:
    n = secrets.randbelow(10**7)
    content, inns = as_people_keep_it(world, n, *await municipality_names(runtime, world))
    async with client_for(app, world.staff["region"]) as client:
        preview = await client.post("/api/organisations/import", files={"file": ("orgs.xlsx", content, XLSX)})
        assert preview.status_code == 200, preview.text
        body = preview.json()
        assert body["errors"] == []
        assert [r["row"] for r in body["rows"]] == [4, 6, 7]
        assert [r["type"] for r in body["rows"]] == ["school", "kindergarten", "college"]
        assert body["rows"][0]["curator_email"] == f"k{n}@school.example"
        committed = await client.post(f"/api/organisations/import/{body['token']}")
        assert committed.status_code == 201
        again = await client.post(f"/api/organisations/import/{body['token']}")
        assert again.status_code == 404  # a token is used once
    async with runtime.owner_sessions() as db:
        created = list(await db.scalars(select(Organisation).where(Organisation.inn.in_(inns))))
        onboarding = list(
            await db.scalars(select(OrgOnboarding).where(OrgOnboarding.org_id.in_([o.id for o in created])))
        )
    assert len(created) == 3
    assert [o.curator_last_name for o in onboarding] == ["Ёлкина-Петрова"]


async def test_every_error_is_listed_by_row_and_nothing_is_created(
    runtime: Runtime, app: Litestar, world: World
) -> None:
    n = secrets.randbelow(10**7)
    m1, _ = await municipality_names(runtime, world)
    good = with_inn_check_digit(f"1{n:08d}")
    content = workbook(
        [
            [" "],  # the headers are on the second row
            ["Полное наименование", "Краткое наименование", "ИНН", "Тип", "Муниципалитет", "Адрес"],
            ["Школа 1", "Ш1", good, "school", m1, f"imp-{n}"],
            ["Школа 2", "Ш2", "1234567890", "school", m1, f"imp2-{n}"],
            ["Школа 3", "Ш3", with_inn_check_digit(f"1{n + 1:08d}"), "университет", m1, f"imp3-{n}"],
            ["Школа 4", "Ш4", with_inn_check_digit(f"1{n + 2:08d}"), "school", "Атлантида", f"imp4-{n}"],
            ["Школа 5", "Ш5", with_inn_check_digit(f"1{n + 3:08d}"), "school", m1, f"imp-{n}"],
            ["Школа 6", "", good, "school", m1, f"Плохой адрес {n}"],
        ]
    )
    async with client_for(app, world.staff["region"]) as client:
        api = await client.post("/api/organisations/import", files={"file": ("orgs.xlsx", content, XLSX)})
        page = await client.post("/region/organisations/import", files={"file": ("orgs.xlsx", content, XLSX)})
    errors = {(e["row"], e["field"]) for e in api.json()["errors"]}
    assert api.json()["token"] is None
    assert errors == {
        ("4", "ИНН"),
        ("5", "Тип"),
        ("6", "Муниципалитет"),
        ("7", "Адрес"),
        ("8", "Краткое наименование"),
        ("8", "ИНН"),
        ("8", "Адрес"),
    }
    assert page.status_code == 422
    assert "ничего не загружено" in page.text
    assert "«Атлантида» не найден в регионе" in page.text
    async with runtime.owner_sessions() as db:
        assert await db.scalar(select(Organisation.id).where(Organisation.inn == good)) is None


async def test_hostile_and_wrong_files_are_refused(app: Litestar, world: World) -> None:
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (70 * 1024 * 1024))
    laughs = _billion_laughs()
    async with client_for(app, world.staff["region"]) as client:
        for name, content, expected in (
            ("not.xlsx", b"this is not a spreadsheet", "не файл Excel"),
            ("bomb.xlsx", bomb.getvalue(), "слишком большое содержимое"),
            ("laughs.xlsx", laughs, "файл повреждён"),
            ("empty.xlsx", workbook([["Что-то другое"]]), "Не найдена строка заголовков"),
        ):
            response = await client.post("/api/organisations/import", files={"file": (name, content, XLSX)})
            assert response.status_code == 422, (name, response.text[:300])
            assert expected in response.text, (name, response.text[:300])
        no_file = await client.post("/api/organisations/import", files={"other": ("x", b"x", XLSX)})
        assert no_file.status_code == 422


def _billion_laughs() -> bytes:
    book = io.BytesIO(
        workbook([["Полное наименование", "Краткое наименование", "ИНН", "Тип", "Муниципалитет"]])
    )
    out = io.BytesIO()
    evil = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>'
    )
    with zipfile.ZipFile(book) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = evil if item.filename == "xl/worksheets/sheet1.xml" else source.read(item.filename)
            target.writestr(item, data)
    return out.getvalue()


async def test_only_the_uploader_can_commit_and_only_the_region_imports(
    runtime: Runtime, app: Litestar, world: World
) -> None:
    n = secrets.randbelow(10**7)
    content, _ = as_people_keep_it(world, n, *await municipality_names(runtime, world))
    async with client_for(app, world.staff["region"]) as client:
        token = (
            await client.post("/api/organisations/import", files={"file": ("o.xlsx", content, XLSX)})
        ).json()["token"]
    async with client_for(app, world.staff["region2"]) as other:
        assert (await other.post(f"/api/organisations/import/{token}")).status_code == 404
    async with client_for(app, world.orgs["school_a"].identities["curator"]) as curator:
        response = await curator.post("/api/organisations/import", files={"file": ("o.xlsx", content, XLSX)})
    assert response.status_code == 403
