"""The region's list of organisations with their headcounts: imported from Excel (new organisations and
updates of its own), every column shown, every mistake by row and column, warnings for headcounts below
the learners already in pairs, exported in the import's own columns so that the file goes back unchanged;
and none of it across regions."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from litestar import Litestar
from sqlalchemy import select

from nastavnik import clock
from nastavnik.domain.statistics.headcount_models import Headcount
from nastavnik.inn import with_inn_check_digit
from nastavnik.models.audit import AuditEvent
from nastavnik.models.reference import Municipality, Organisation
from nastavnik.runtime import Runtime
from tests.support.dates import RegionDates
from tests.support.forms import field_error, send_form
from tests.support.headcounts import add_learners_in_pairs, coordinator_of
from tests.support.http import client_for
from tests.support.office import first_sheet, xlsx
from tests.support.region import new_region
from tests.support.tenant import new_tenant
from tests.support.world import World

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SCHOOL = "Общеобразовательная организация"
EXPORT_HEADER = [
    "Муниципалитет",
    "Тип",
    "ИНН",
    "Полное наименование",
    "Краткое наименование",
    "Адрес",
    "Статус",
    "Учебный год",
    "Обучающихся всего",
    "Обучающихся 10–18 лет",
    "Педагогов",
    "Молодых педагогов",
]


IDENTITY = EXPORT_HEADER[:5]
"""Муниципалитет, Тип, ИНН and the two names: what every row of an import needs."""
FIGURES = EXPORT_HEADER[8:]
"""The four headcounts."""


def inn(prefix: int) -> str:
    return with_inn_check_digit(f"{prefix:09d}")


async def municipality_name(runtime: Runtime, municipality_id: uuid.UUID) -> str:
    async with runtime.owner_sessions() as db:
        found = await db.get(Municipality, municipality_id)
        assert found is not None
        return found.name


async def headcount_of(runtime: Runtime, org_id: uuid.UUID, year: int) -> tuple[int, int, int, int] | None:
    async with runtime.owner_sessions() as db:
        row = await db.get(Headcount, (org_id, year))
        if row is None:
            return None
        return (row.learners_total, row.learners_10_18, row.pedagogues, row.young_pedagogues)


async def org_by_inn(runtime: Runtime, value: str) -> Organisation | None:
    async with runtime.owner_sessions() as db:
        found: Organisation | None = await db.scalar(select(Organisation).where(Organisation.inn == value))
        return found


async def upload(client: Any, content: bytes, **form: str) -> Any:
    return await client.post(
        "/api/organisations/import", files={"file": ("orgs.xlsx", content, XLSX)}, data=form
    )


async def test_headcounts_come_with_new_organisations_and_a_reupload_updates_them(
    runtime: Runtime, app: Litestar, dates: RegionDates
) -> None:
    region = await new_region(runtime)
    m = await municipality_name(runtime, region.municipality_id)
    n = secrets.randbelow(10**6)
    first, second = inn(300_000_000 + n * 2), inn(300_000_001 + n * 2)
    year = dates.year
    content = xlsx(
        [
            ["Сведения об организациях и численности"],
            [
                "№",
                "Муниципалитет",
                "Тип",
                "ИНН",
                "Полное наименование",
                "Краткое наименование",
                "Численность обучающихся",
                "Обучающихся 10–18 лет",
                "Педагогических работников",
                "Молодых специалистов (до 35 лет)",
                "Примечание",
            ],
            [1, m, SCHOOL, first, "МБОУ «СОШ № 1»", "СОШ № 1", 640, 410, 52, 9, "новое здание"],
            [2, m, "school", second, "МБОУ «СОШ № 2»", "СОШ № 2", None, None, None, None, None],
        ]
    )
    async with region.signed_in(app) as client:
        preview = await upload(client, content)
        assert preview.status_code == 200, preview.text
        body = preview.json()
        assert body["errors"] == []
        assert [(c["letter"], c["title"], c["field_title"], c["has_data"]) for c in body["columns"]] == [
            ("A", "№", "не используется (номер по порядку)", True),
            ("B", "Муниципалитет", "Муниципалитет", True),
            ("C", "Тип", "Тип", True),
            ("D", "ИНН", "ИНН", True),
            ("E", "Полное наименование", "Полное наименование", True),
            ("F", "Краткое наименование", "Краткое наименование", True),
            ("G", "Численность обучающихся", "Обучающихся всего", True),
            ("H", "Обучающихся 10–18 лет", "Обучающихся 10–18 лет", True),
            ("I", "Педагогических работников", "Педагогов", True),
            ("J", "Молодых специалистов (до 35 лет)", "Молодых педагогов", True),
            ("K", "Примечание", "не используется", True),
        ]
        assert body["warnings"] == [
            {
                "row": "0",
                "field": "Примечание",
                "message": "столбец K не используется: его данные не будут загружены. "
                "Переименуйте заголовок или удалите столбец из файла",
            }
        ]
        assert body["academic_year"] == year
        assert [(r["row"], r["action"], r["action_title"]) for r in body["rows"]] == [
            (3, "create", "создание"),
            (4, "create", "создание"),
        ]
        assert (body["rows"][0]["academic_year"], body["rows"][0]["learners_total"]) == (year, 640)
        assert (body["rows"][1]["academic_year"], body["rows"][1]["learners_total"]) == (None, None)
        committed = await client.post(f"/api/organisations/import/{body['token']}")
        assert committed.status_code == 201, committed.text
        assert (committed.json()["created"], committed.json()["updated"]) == (2, 0)
    created = await org_by_inn(runtime, first)
    assert created is not None
    assert committed.json()["rows"][0]["org_id"] == str(created.id)
    assert await headcount_of(runtime, created.id, year) == (640, 410, 52, 9)
    without = await org_by_inn(runtime, second)
    assert without is not None
    assert await headcount_of(runtime, without.id, year) is None

    # The same organisations again: a new name for the first, figures for both, one for the next year.
    again = xlsx(
        [
            [
                "ИНН",
                "Краткое наименование",
                "Полное наименование",
                "Тип",
                "Муниципалитет",
                "Учебный год",
                "Обучающихся всего",
                "Обучающихся от 10 до 18 лет",
                "Педагогов",
                "Молодых педагогов",
            ],
            [first, "Школа № 1", "МБОУ «Средняя школа № 1»", SCHOOL, m, None, 650, 420, 53, 10],
            [
                second,
                "СОШ № 2",
                "МБОУ «СОШ № 2»",
                SCHOOL,
                m,
                f"{year + 1}/{(year + 2) % 100:02d}",
                300,
                200,
                30,
                3,
            ],
        ]
    )
    async with region.signed_in(app) as client:
        body = (await upload(client, again)).json()
        assert body["errors"] == []
        assert body["warnings"] == []
        assert [(r["action_title"], r["renamed"], r["academic_year"]) for r in body["rows"]] == [
            ("обновление", True, year),
            ("обновление", False, year + 1),
        ]
        committed = await client.post(f"/api/organisations/import/{body['token']}")
        assert committed.status_code == 201, committed.text
    renamed = await org_by_inn(runtime, first)
    assert renamed is not None
    assert (renamed.id, renamed.short_name, renamed.full_name) == (
        created.id,
        "Школа № 1",
        "МБОУ «Средняя школа № 1»",
    )
    assert await headcount_of(runtime, created.id, year) == (650, 420, 53, 10)
    assert await headcount_of(runtime, without.id, year) is None
    assert await headcount_of(runtime, without.id, year + 1) == (300, 200, 30, 3)
    async with runtime.owner_sessions() as db:
        imports = list(
            await db.scalars(
                select(AuditEvent.details)
                .where(
                    AuditEvent.actor_identity_id == region.staff,
                    AuditEvent.object_type == "organisation_import",
                )
                .order_by(AuditEvent.id)
            )
        )
    assert imports == [
        {"created": 2, "updated": 0, "renamed": 0, "headcounts": 1},
        {"created": 0, "updated": 2, "renamed": 1, "headcounts": 2},
    ]


async def test_every_mistake_is_named_by_row_and_column_and_nothing_is_written(
    runtime: Runtime, app: Litestar, dates: RegionDates
) -> None:
    region, other = await new_region(runtime), await new_region(runtime)
    m = await municipality_name(runtime, region.municipality_id)
    foreign_municipality = await municipality_name(runtime, other.municipality_id)
    n = secrets.randbelow(10**6)
    good = [inn(500_000_000 + n * 20 + i) for i in range(12)]
    # An organisation of the other region: its ИНН is taken, and nothing else of it may be told.
    async with runtime.owner_sessions() as db:
        foreign = Organisation(
            municipality_id=other.municipality_id,
            type="school",
            full_name="Чужая школа",
            short_name="Чужая",
            inn=good[11],
            slug=f"foreign-{n}",
        )
        db.add(foreign)
        # A municipality of the region that was retired: its history stays, nothing new goes there.
        retired = Municipality(region_id=region.id, name=f"Упразднённый район {n}", retired_at=clock.now())
        db.add(retired)
        await db.commit()
    header: list[object] = [*IDENTITY, "Учебный год", *FIGURES]
    rows: list[list[object]] = [
        header,
        [m, SCHOOL, good[0], "Школа 0", "Ш0", None, 100, 50, 10, 2],  # 2: fine
        [m, SCHOOL, good[0], "Школа 0 ещё раз", "Ш0", None, 100, 50, 10, 2],  # 3: the same ИНН again
        [foreign_municipality, SCHOOL, good[2], "Школа 2", "Ш2", None, None, None, None, None],  # 4
        ["Атлантида", SCHOOL, good[3], "Школа 3", "Ш3", None, None, None, None, None],  # 5
        [m, SCHOOL, good[4], "Школа 4", "Ш4", None, -1, 0, 10, 2],  # 6: negative
        [m, SCHOOL, good[5], "Школа 5", "Ш5", None, 100, "12,5", 10, 2],  # 7: not whole
        [m, SCHOOL, good[6], "Школа 6", "Ш6", None, 100, 101, 10, 2],  # 8: 10–18 above the total
        [m, SCHOOL, good[7], "Школа 7", "Ш7", None, 100, 50, 10, 11],  # 9: young above pedagogues
        [m, SCHOOL, good[8], "Школа 8", "Ш8", None, 100, None, 10, 2],  # 10: half a headcount
        [m, SCHOOL, good[9], "Школа 9", "Ш9", f"{dates.year}/{dates.year + 2}", 1, 1, 1, 1],  # 11
        [m, SCHOOL, good[11], "Школа 11", "Ш11", None, None, None, None, None],  # 12: the other region's ИНН
        [retired.name, SCHOOL, good[10], "Школа 10", "Ш10", None, None, None, None, None],  # 13: retired
    ]
    async with region.signed_in(app) as client:
        api = await upload(client, xlsx(rows))
        page = await client.post(
            "/region/organisations/import", files={"file": ("orgs.xlsx", xlsx(rows), XLSX)}
        )
    body = api.json()
    assert body["token"] is None
    assert [(e["row"], e["field"], e["message"]) for e in body["errors"]] == [
        ("3", "ИНН", "повторяет строку 2"),
        ("4", "Муниципалитет", f"«{foreign_municipality}» — не муниципалитет вашего региона"),
        ("5", "Муниципалитет", "«Атлантида» не найден в регионе"),
        ("6", "Обучающихся всего", "не может быть отрицательным"),
        ("7", "Обучающихся 10–18 лет", "«12,5» — нужно целое число"),
        ("8", "Обучающихся 10–18 лет", "не может быть больше общего числа обучающихся"),
        ("9", "Молодых педагогов", "не может быть больше числа педагогов"),
        ("10", "Обучающихся 10–18 лет", "не заполнено: численность указывается целиком (все четыре числа)"),
        (
            "11",
            "Учебный год",
            f"«{dates.year}/{dates.year + 2}»: учебный год длится с сентября по август следующего года",
        ),
        ("12", "ИНН", "этот ИНН уже занят другой организацией платформы"),
        ("13", "Муниципалитет", f"«{retired.name}» упразднён: организации в него не добавляются"),
    ]
    assert "Чужая" not in api.text
    assert page.status_code == 422
    assert "ничего не загружено" in page.text
    assert "не муниципалитет вашего региона" in page.text
    for value in good[:11]:
        assert await org_by_inn(runtime, value) is None
    assert await headcount_of(runtime, foreign.id, dates.year) is None


async def test_a_headcount_below_the_learners_in_pairs_is_a_warning_for_the_region_and_the_curator(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    region = await new_region(runtime)
    tenant = await new_tenant(runtime, world, municipality_id=region.municipality_id)
    year = dates.year
    await add_learners_in_pairs(runtime, tenant.id, year)
    org = await org_by_inn(runtime, (await _inn_of(runtime, tenant.id)))
    assert org is not None
    m = await municipality_name(runtime, region.municipality_id)
    row = [m, SCHOOL, org.inn, org.full_name, org.short_name]
    header = [*IDENTITY, *FIGURES]
    async with region.signed_in(app) as client:
        body = (await upload(client, xlsx([header, [*row, 2, 2, 5, 1]]))).json()
        assert body["errors"] == []
        assert body["warnings"] == [
            {
                "row": "2",
                "field": "Обучающихся всего",
                "message": "в наставнических парах и группах этого учебного года уже 3 обучающихся — больше, "
                "чем указано (2); проверьте численность",
            }
        ]
        assert (await client.post(f"/api/organisations/import/{body['token']}")).status_code == 201
        quiet = (await upload(client, xlsx([header, [*row, 3, 3, 5, 1]]))).json()
        assert (quiet["errors"], quiet["warnings"]) == ([], [])
    assert await headcount_of(runtime, tenant.id, year) == (2, 2, 5, 1)
    async with tenant.signed_in(app) as curator:
        low = await curator.put(
            f"/api/o/{tenant.slug}/headcounts/{year}",
            json={"learners_total": 1, "learners_10_18": 1, "pedagogues": 5, "young_pedagogues": 1},
        )
        assert low.status_code == 200, low.text
        assert low.json()["warnings"] == [
            {
                "field": "learners_total",
                "message": "в наставнических парах и группах этого учебного года уже 3 обучающихся — больше, "
                "чем указано (1); проверьте численность",
            }
        ]
        enough = await curator.put(
            f"/api/o/{tenant.slug}/headcounts/{year}",
            json={"learners_total": 3, "learners_10_18": 3, "pedagogues": 5, "young_pedagogues": 1},
        )
        assert enough.json()["warnings"] == []
        page = await send_form(
            curator,
            f"/o/{tenant.slug}/headcounts",
            {
                "academic_year": str(year),
                "learners_total": "2",
                "learners_10_18": "1",
                "pedagogues": "5",
                "young_pedagogues": "1",
            },
        )
        assert page.status_code == 200, page.text
        assert (
            "Сохранено, но в наставнических парах и группах этого учебного года уже 3 обучающихся"
            in page.text
        )
    assert await headcount_of(runtime, tenant.id, year) == (2, 1, 5, 1)


async def _inn_of(runtime: Runtime, org_id: uuid.UUID) -> str:
    async with runtime.owner_sessions() as db:
        org = await db.get(Organisation, org_id)
        assert org is not None
        return org.inn


async def test_the_export_reimports_unchanged_and_each_overseer_exports_only_their_own(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    region, other = await new_region(runtime), await new_region(runtime)
    m = await municipality_name(runtime, region.municipality_id)
    n = secrets.randbelow(10**6)
    m2_name = f"Ханты-Мансийский район {n}"
    _, coordinator = await coordinator_of(runtime, region, m2_name)
    year = dates.year
    inns = [inn(700_000_000 + n * 3 + i) for i in range(3)]
    content = xlsx(
        [
            [*IDENTITY, "Адрес", *FIGURES],
            [m, SCHOOL, inns[0], "МБОУ «Лицей»", "Лицей", f"licey-{n}", 900, 600, 70, 12],
            [
                m2_name,
                "Дошкольная образовательная организация",
                inns[1],
                "МБДОУ «Сад»",
                "Сад",
                f"sad-{n}",
                0,
                0,
                25,
                4,
            ],
            [m2_name, SCHOOL, inns[2], "МБОУ «Школа без численности»", "Без численности", f"bez-{n}"]
            + [None] * 4,
        ]
    )
    async with region.signed_in(app) as client:
        token = (await upload(client, content)).json()["token"]
        assert (await client.post(f"/api/organisations/import/{token}")).status_code == 201
        exported = await client.get("/api/region/organisations.xlsx")
        page = await client.get("/region/organisations.xlsx")
    assert exported.status_code == 200, exported.text
    assert exported.headers["content-type"].startswith(XLSX)
    assert page.status_code == 200
    assert page.content[:2] == b"PK"
    sheet = first_sheet(exported.content)
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    title = f"{year}/{year + 1}"
    kindergarten = "Дошкольная образовательная организация"
    assert rows == [
        EXPORT_HEADER,
        [m, SCHOOL, inns[0], "МБОУ «Лицей»", "Лицей", f"licey-{n}", "действует", title, 900, 600, 70, 12],
        [
            m2_name,
            SCHOOL,
            inns[2],
            "МБОУ «Школа без численности»",
            "Без численности",
            f"bez-{n}",
            "действует",
            title,
            None,
            None,
            None,
            None,
        ],
        [m2_name, kindergarten, inns[1], "МБДОУ «Сад»", "Сад", f"sad-{n}", "действует", title, 0, 0, 25, 4],
    ]  # by municipality («Муниципалитет …» before «Ханты-Мансийский …»), then by short name

    # The file as it was exported goes back in: every organisation an update, nothing changed.
    async with region.signed_in(app) as client:
        body = (await upload(client, exported.content)).json()
        assert body["errors"] == []
        assert body["warnings"] == []
        assert [c["field_title"] for c in body["columns"]] == [
            *EXPORT_HEADER[:6],
            "Статус (для сведения: статус меняется на странице организаций)",
            *EXPORT_HEADER[7:],
        ]
        assert {(r["inn"], r["action"], r["renamed"]) for r in body["rows"]} == {
            (v, "update", False) for v in inns
        }
        assert (await client.post(f"/api/organisations/import/{body['token']}")).status_code == 201
        reexported = await client.get("/api/region/organisations.xlsx")
    again = [list(r) for r in first_sheet(reexported.content).iter_rows(values_only=True)]
    assert again == rows
    lyceum, without = await org_by_inn(runtime, inns[0]), await org_by_inn(runtime, inns[2])
    assert lyceum is not None
    assert without is not None
    assert await headcount_of(runtime, lyceum.id, year) == (900, 600, 70, 12)
    assert await headcount_of(runtime, without.id, year) is None

    # The coordinator exports their municipality only; the other region none of these; a curator nothing.
    async with client_for(app, coordinator) as client:
        theirs = await client.get("/api/region/organisations.xlsx")
        assert (
            await client.post("/api/organisations/import", files={"file": ("o.xlsx", content, XLSX)})
        ).status_code == 403
    assert theirs.status_code == 200
    assert [r[2] for r in list(first_sheet(theirs.content).iter_rows(values_only=True))[1:]] == [
        inns[2],
        inns[1],
    ]
    async with other.signed_in(app) as client:
        foreign = await client.get("/api/region/organisations.xlsx")
        into_theirs = (await upload(client, content)).json()
    assert list(first_sheet(foreign.content).iter_rows(values_only=True)) == [tuple(EXPORT_HEADER)]
    assert {(e["row"], e["field"], e["message"]) for e in into_theirs["errors"]} >= {
        ("2", "Муниципалитет", f"«{m}» — не муниципалитет вашего региона"),
        ("2", "ИНН", "этот ИНН уже занят другой организацией платформы"),
    }
    async with client_for(app, world.orgs["school_a"].identities["curator"]) as curator:
        assert (await curator.get("/api/region/organisations.xlsx")).status_code == 403
    async with runtime.owner_sessions() as db:
        exports = list(
            await db.scalars(
                select(AuditEvent.actor_identity_id).where(
                    AuditEvent.object_type == "organisation_list",
                    AuditEvent.actor_identity_id.in_([region.staff, coordinator, other.staff]),
                    AuditEvent.action == "export",
                )
            )
        )
    assert sorted(map(str, exports)) == sorted(map(str, [region.staff] * 3 + [coordinator, other.staff]))


async def test_an_upload_neither_moves_nor_retypes_nor_readdresses_an_organisation(
    runtime: Runtime, app: Litestar, world: World
) -> None:
    region = await new_region(runtime)
    tenant = await new_tenant(runtime, world, municipality_id=region.municipality_id)
    n = secrets.randbelow(10**6)
    _, _ = await coordinator_of(runtime, region, f"Берёзовский район {n}")
    m = await municipality_name(runtime, region.municipality_id)
    existing = await org_by_inn(runtime, await _inn_of(runtime, tenant.id))
    assert existing is not None
    header: list[object] = [
        *EXPORT_HEADER[:7],
        "Фамилия куратора",
        "Имя куратора",
        "Эл. почта куратора",
    ]
    fresh = inn(900_000_000 + n)
    content = xlsx(
        [
            header,
            [
                f"Берёзовский район {n}",
                "Дошкольная образовательная организация",
                existing.inn,
                "А",
                "Б",
                "another-address",
                "действует",
                None,
                None,
                None,
            ],
            [m, SCHOOL, existing.inn[:9] + "x", "В", "Г", None, None, None, None, None],
            [m, SCHOOL, fresh, "Новая", "Новая", f"new-{n}", "отключена", None, None, None],
        ]
    )
    curator_again = xlsx(
        [
            header,
            [
                m,
                SCHOOL,
                existing.inn,
                existing.full_name,
                existing.short_name,
                None,
                "действует",
                "Петрова",
                "Анна",
                f"petrova{n}@school.example",
            ],
        ]
    )
    async with region.signed_in(app) as client:
        body = (await upload(client, content, year="2030/2031")).json()
        warned = (await upload(client, curator_again)).json()
        bad_year = await upload(client, curator_again, year="тридцатый")
        page = await client.post(
            "/region/organisations/import",
            files={"file": ("orgs.xlsx", curator_again, XLSX)},
            data={"year": "2030"},
        )
    assert [(e["row"], e["field"], e["message"]) for e in body["errors"]] == [
        ("2", "Тип", "тип организации загрузкой не меняется (сейчас — «Общеобразовательная организация»)"),
        (
            "2",
            "Муниципалитет",
            f"организация уже в муниципалитете «{m}»: в другой муниципалитет она загрузкой не переводится",
        ),
        ("2", "Адрес", f"адрес организации загрузкой не меняется (сейчас — «{existing.slug}»)"),
        ("3", "ИНН", f"«{existing.inn[:9]}x» — не ИНН организации (10 цифр с верной контрольной цифрой)"),
        ("4", "Статус", "новая организация подключается действующей"),
    ]
    assert body["academic_year"] == 2030
    assert warned["errors"] == []
    assert [(w["row"], w["field"]) for w in warned["warnings"]] == [("2", "Эл. почта куратора")]
    assert [(r["action"], r["renamed"]) for r in warned["rows"]] == [("update", False)]
    assert bad_year.status_code == 422
    assert "«тридцатый» — не учебный год; нужно, например, 2026/2027" in bad_year.text
    assert page.status_code == 200, page.text
    for shown in (
        "Столбцы файла",
        "Читается как",
        "Статус (для сведения: статус меняется на странице организаций)",
        "обновление",
        "численность не указана — не меняется",
        "Загрузить: новых 0, обновить 1",
    ):
        assert shown in page.text, shown
    assert await org_by_inn(runtime, fresh) is None


async def test_a_wrong_year_comes_back_beside_its_field_on_the_page(runtime: Runtime, app: Litestar) -> None:
    region = await new_region(runtime)
    m = await municipality_name(runtime, region.municipality_id)
    content = xlsx([IDENTITY, [m, SCHOOL, inn(910_000_000 + secrets.randbelow(10**6)), "Школа", "Школа"]])
    async with region.signed_in(app) as client:
        refused = await client.post(
            "/region/organisations/import",
            files={"file": ("orgs.xlsx", content, XLSX)},
            data={"year": "1999/2000"},
            headers={"referer": "http://testserver/region/organisations"},
            follow_redirects=True,
        )
    assert refused.status_code == 200
    assert field_error(refused.text, "year") == "такого учебного года в системе нет"
    assert 'value="1999/2000"' in refused.text
