"""A plugin or a region replaces a document's template: upload, resolution, refusals, revert.

Every test that changes a region's templates takes a region of its own (tests/support/region.py);
the world's R1 keeps the standard templates and R2 only its own thank-you letter.
"""

from __future__ import annotations

import io
import uuid
from datetime import timedelta
from typing import Any

import docx
import pytest
from litestar import Litestar
from sqlalchemy import select

from nastavnik.domain.documents.kinds import DOCUMENT_TITLES, default_template
from nastavnik.domain.documents.models import RegionDocumentTemplate
from nastavnik.models.audit import AuditEvent
from nastavnik.models.plugin_settings import OrgPluginSetting
from nastavnik.runtime import Runtime
from tests.methodical.support import every_shape, person
from tests.support.dates import RegionDates
from tests.support.http import Client, client_for
from tests.support.office import docx_text
from tests.support.programme import form_group, issue_order, open_programme, order_body
from tests.support.region import new_region, region_with_school
from tests.support.tenant import Named, Tenant, add_mentee, add_mentor, new_tenant
from tests.support.world import World

API = "/api/region/templates"
PAIRS_ORDER = "Приказ о формировании наставнических пар (групп)"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def template(*lines: str, rows: tuple[str, ...] = ()) -> bytes:
    """A .docx written as a region's staff would in Word: paragraphs, and a table of ``rows`` if given."""
    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    if rows:
        table = document.add_table(rows=len(rows), cols=1)
        for row, text in zip(table.rows, rows, strict=True):
            row.cells[0].text = text
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# The region's order forming pairs: its own heading and a row per group, the mentor in the nominative.
REGIONAL_ORDER = template(
    "РЕГИОНАЛЬНЫЙ ШАБЛОН {{ number }}",
    "{{ organisation_full_name }}",
    rows=("{%tr for g in groups %}", "Наставник: {{ g.mentor|nom }}", "{%tr endfor %}"),
)


def document_text(response: Any) -> str:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(DOCX)
    return docx_text(response.content)


async def upload(client: Client, code: str, content: bytes, name: str = "Приказ региона.docx") -> Any:
    return await client.put(f"{API}/{code}", files={"file": (name, content, DOCX)})


async def line_of(client: Client, code: str) -> dict[str, Any]:
    listed = await client.get(API)
    assert listed.status_code == 200, listed.text
    return next(line for line in listed.json() if line["code"] == code)


async def stored(runtime: Runtime, region_id: uuid.UUID) -> dict[str, bytes]:
    async with runtime.owner_sessions() as db:
        rows = await db.scalars(
            select(RegionDocumentTemplate).where(RegionDocumentTemplate.region_id == region_id)
        )
        return {row.code: row.content for row in rows}


async def audited(runtime: Runtime, identity: uuid.UUID) -> list[tuple[str, str | None, str]]:
    async with runtime.owner_sessions() as db:
        rows = await db.execute(
            select(AuditEvent.action, AuditEvent.object_id, AuditEvent.outcome)
            .where(
                AuditEvent.actor_identity_id == identity,
                AuditEvent.object_type == "region_document_template",
            )
            .order_by(AuditEvent.id)
        )
        return [(a, o, out) for a, o, out in rows]


async def ordered(
    runtime: Runtime, app: Litestar, tenant: Tenant, form_code: str = "teacher_teacher"
) -> tuple[str, str, str]:
    """(programme, group, order) of a fresh pair Сидорова – Новикова under a «Приказ о формировании пар»."""
    mentor = await add_mentor(runtime, tenant, Named("Сидорова", "Галина", "Петровна"))
    mentee = await add_mentee(runtime, tenant, Named("Новикова", "Нина", "Петровна"))
    async with client_for(app, tenant.identities["curator"]) as curator:
        pid = await open_programme(curator, tenant)
        group = await form_group(curator, tenant, pid, mentor, mentee, form_code=form_code)
        order = await issue_order(curator, tenant, pid, "7-од", group["id"])
    return pid, group["id"], order["id"]


def order_url(tenant: Tenant, programme_id: str, order_id: str, *, api: bool = True) -> str:
    prefix = "/api" if api else ""
    return f"{prefix}/o/{tenant.slug}/programmes/{programme_id}/orders/{order_id}/document.docx"


async def download(app: Litestar, tenant: Tenant, url: str) -> Any:
    async with client_for(app, tenant.identities["curator"]) as curator:
        return await curator.get(url)


async def test_a_regions_order_template_fills_its_schools_orders_until_reverted(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    region, school = await region_with_school(runtime, world)
    programme_id, _, order_id = await ordered(runtime, app, school)
    standard = document_text(await download(app, school, order_url(school, programme_id, order_id)))
    assert "РЕГИОНАЛЬНЫЙ ШАБЛОН" not in standard
    assert "О формировании наставнических пар (групп)" in standard

    async with client_for(app, region.staff) as staff:
        before = await line_of(staff, "pairs_formation")
        uploaded = await upload(staff, "pairs_formation", REGIONAL_ORDER)
        assert uploaded.status_code == 200, uploaded.text
        after = await line_of(staff, "pairs_formation")
        in_force = await staff.get(f"{API}/pairs_formation.docx")
        page = await staff.get("/region/templates")
    assert (before["source"], before["source_title"], before["upload"]) == ("standard", "стандартный", None)
    assert uploaded.json()["source"] == "region"
    assert after["source"] == "region"
    assert after["source_title"].startswith(f"региональный, загружен {dates.today:%d.%m.%Y} ")
    assert after["source_title"].endswith(", Регионова")  # tests/support/region.py's staff member
    assert (after["upload"]["file_name"], after["upload"]["uploaded_by"]) == (
        "Приказ региона.docx",
        "Регионова",
    )
    assert after["upload"]["size"] == len(REGIONAL_ORDER)
    assert in_force.status_code == 200
    assert in_force.content == REGIONAL_ORDER  # the one in force is the upload itself
    assert page.status_code == 200
    assert "региональный, загружен" in page.text
    assert "Приказ региона.docx" in page.text

    regional = document_text(await download(app, school, order_url(school, programme_id, order_id)))
    assert "РЕГИОНАЛЬНЫЙ ШАБЛОН 7-од" in regional
    assert "Наставник: Сидорова Галина Петровна" in regional
    assert school.full_name in regional
    page_download = document_text(
        await download(app, school, order_url(school, programme_id, order_id, api=False))
    )
    assert "РЕГИОНАЛЬНЫЙ ШАБЛОН 7-од" in page_download

    # A school of another region (the world's R2) still gets the standard order.
    other = world.orgs["school_x"]
    async with client_for(app, other.identities["curator"]) as curator:
        elsewhere = document_text(
            await curator.get(
                f"/api/o/{other.slug}/programmes/{other.programme_id}/orders/{other.order_id}/document.docx"
            )
        )
    assert "РЕГИОНАЛЬНЫЙ ШАБЛОН" not in elsewhere
    assert "О формировании наставнических пар (групп)" in elsewhere

    async with client_for(app, region.staff) as staff:
        reverted = await staff.delete(f"{API}/pairs_formation")
        again = await staff.delete(f"{API}/pairs_formation")
        line = await line_of(staff, "pairs_formation")
        standard_file = await staff.get(f"{API}/pairs_formation.docx")
    assert reverted.status_code == 204
    assert again.status_code == 404  # nothing of the region's own left to revert
    assert line["source"] == "standard"
    assert standard_file.content == default_template("pairs_formation")
    back = document_text(await download(app, school, order_url(school, programme_id, order_id)))
    assert "РЕГИОНАЛЬНЫЙ ШАБЛОН" not in back
    assert back == standard
    assert await stored(runtime, region.id) == {}
    assert await audited(runtime, region.staff) == [
        ("create", "pairs_formation", "success"),
        ("export", "pairs_formation", "success"),
        ("delete", "pairs_formation", "success"),
        ("export", "pairs_formation", "success"),
    ]


async def test_a_kindergarten_gets_the_plugins_order_unless_its_region_has_its_own(
    runtime: Runtime, app: Litestar, world: World
) -> None:
    region, kindergarten = await region_with_school(
        runtime,
        world,
        org_type="kindergarten",
        full_name="Муниципальное бюджетное дошкольное образовательное учреждение «Детский сад № 5»",
        staff={
            "curator": Named("Иванова", "Ирина", "Сергеевна"),
            "director": Named("Петрова", "Ольга", "Ивановна"),
        },
    )
    school = await new_tenant(runtime, world, municipality_id=region.municipality_id)
    k_programme, _, k_order = await ordered(runtime, app, kindergarten, form_code="educator_educator")
    s_programme, _, s_order = await ordered(runtime, app, school)
    kinder_url, school_url = (
        order_url(kindergarten, k_programme, k_order),
        order_url(school, s_programme, s_order),
    )

    plugins_order = document_text(await download(app, kindergarten, kinder_url))
    assert "О формировании наставнических пар (групп) педагогических работников" in plugins_order
    assert "Заведующий ____________ О. И. Петрова" in plugins_order
    assert "Наставляемые педагоги" in plugins_order
    assert "обучающ" not in plugins_order.lower()
    schools_order = document_text(await download(app, school, school_url))
    assert "Директор ____________ А. Н. Петров" in schools_order  # the same region's school: the platform's

    async with client_for(app, region.staff) as staff:
        line = await line_of(staff, "pairs_formation")
        plugin_file = await staff.get(
            f"{API}/pairs_formation.docx", params={"organisation_type": "kindergarten"}
        )
        page = await staff.get("/region/templates")
        uploaded = await upload(staff, "pairs_formation", REGIONAL_ORDER)
        assert uploaded.status_code == 200, uploaded.text
    assert line["source"] == "standard"
    assert [(v["plugin"], v["organisation_type"]) for v in line["plugins"]] == [
        ("kindergartens", "kindergarten")
    ]
    assert docx_text(plugin_file.content).count("Заведующий") == 1  # what a kindergarten of the region gets
    assert "модуль «Дошкольные образовательные организации: наставничество педагогов»" in page.text
    # The region's own template comes first, for every type.
    assert "РЕГИОНАЛЬНЫЙ ШАБЛОН 7-од" in document_text(await download(app, kindergarten, kinder_url))
    assert "РЕГИОНАЛЬНЫЙ ШАБЛОН 7-од" in document_text(await download(app, school, school_url))

    async with client_for(app, region.staff) as staff:
        assert (await staff.delete(f"{API}/pairs_formation")).status_code == 204
    # Only a plugin active in the organisation offers its template: switched off, the platform's applies.
    async with runtime.owner_sessions() as db:
        db.add(OrgPluginSetting(org_id=kindergarten.id, plugin="kindergartens", enabled=False, settings={}))
        await db.commit()
    without_plugin = document_text(await download(app, kindergarten, kinder_url))
    assert "Заведующий" not in without_plugin
    assert "Директор ____________ О. И. Петрова" in without_plugin


async def test_every_document_is_filled_from_the_regions_template(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    region, school = await region_with_school(runtime, world)
    programme_id, group_id, order_id = await ordered(runtime, app, school)
    base = f"/api/o/{school.slug}/programmes/{programme_id}"
    async with client_for(app, school.identities["curator"]) as curator:
        assignment = await curator.post(
            f"{base}/orders", json=order_body("8-к", group_id, kind="mentor_assignment")
        )
        assert assignment.status_code == 201, assignment.text
        # A completed pair, so that there is somebody to thank.
        group = (await curator.get(f"{base}/groups/{group_id}")).json()
        completed = await curator.post(
            f"{base}/groups/{group_id}/complete",
            json={"version": group["version"], "result": "План выполнен", "ended_on": str(dates.today)},
        )
        assert completed.status_code == 200, completed.text
    async with client_for(app, region.staff) as staff:
        for code in DOCUMENT_TITLES:
            response = await upload(staff, code, template(f"РЕГИОН: {code} {{{{ organisation_full_name }}}}"))
            assert response.status_code == 200, (code, response.text)
    async with client_for(app, school.identities["curator"]) as curator:
        shapes = await every_shape(curator, school, await person(runtime, school, Named("Лебедева", "Мария")))
    trained = await add_mentor(runtime, school, Named("Орлова", "Ольга", "Ивановна"))
    async with client_for(app, school.identities["curator"]) as curator:
        course = await curator.post(
            f"/api/o/{school.slug}/people/{trained}/trainings",
            json={
                "course": "Наставничество",
                "provider": "ИРО",
                "hours": 36,
                "started_on": str(dates.today - timedelta(days=9)),
                "finished_on": str(dates.today - timedelta(days=2)),
            },
        )
        assert course.status_code == 201, course.text
    methodical = f"/api/o/{school.slug}/methodical"
    order = f"?number=9-о&issued_on={dates.today}"
    urls = {
        "mentor_certificate": f"/api/o/{school.slug}/people/{trained}/mentor-certificate.docx",
        "pairs_formation": f"{base}/orders/{order_id}/document.docx",
        "mentor_assignment": f"{base}/orders/{assignment.json()['id']}/document.docx",
        "development_plan": f"{base}/groups/{group_id}/plan.docx",
        "mentor_journal": f"{base}/groups/{group_id}/journal.docx",
        "programme_report": f"{base}/report.docx",
        "thank_you_letters": f"{base}/letters.docx",
        "club_plan": f"{methodical}/club/{shapes['club']}/plan.docx",
        "club_report": f"{methodical}/club/{shapes['club']}/report.docx",
        "decade_plan": f"{methodical}/decade/plan.docx",
        "decade_note": f"{methodical}/decade/{shapes['decade']}/note.docx",
        "decade_order": f"{methodical}/decade/{shapes['decade']}/order.docx{order}",
        "council_plan": f"{methodical}/council/{shapes['council']}/plan.docx",
        "creative_groups_order": f"{methodical}/creative_group/order.docx{order}",
        "roadmap": f"{base}/roadmap.docx",
    }
    assert set(urls) == set(DOCUMENT_TITLES)
    async with client_for(app, school.identities["curator"]) as curator:
        for code, url in urls.items():
            assert document_text(await curator.get(url)) == f"РЕГИОН: {code} {school.full_name}", code
    # A school of another region gets the platform's own.
    other = world.orgs["school_x"]
    async with client_for(app, other.identities["curator"]) as curator:
        standard = document_text(
            await curator.get(f"/api/o/{other.slug}/methodical/decade/{other.decade_id}/note.docx")
        )
    assert "РЕГИОН" not in standard
    assert f"по итогам мероприятий «Декада {other.canary}»" in standard


BAD_UPLOADS = [
    pytest.param(template("Приказ № {{ number"), "ошибка разметки полей", id="broken-markup"),
    pytest.param(b"%PDF-1.7 not a Word document", "не является документом Word (.docx)", id="not-docx"),
    pytest.param(
        template("Приказ № {{ number }} от {{ signed_by_minister }}"),
        "используется поле «signed_by_minister», которого нет в данных документа",
        id="unknown-field",
    ),
    pytest.param(template("{%tr for g in groups %}"), "ошибка разметки полей", id="row-loop-outside-a-table"),
    # 5 MiB and one byte: refused before anything is unpacked.
    pytest.param(b"PK" + b"\0" * (5 * 1024 * 1024 - 1), "не более 5 МБ", id="over-5-MiB"),
    pytest.param(b"", "Файл пустой", id="empty"),
]


@pytest.mark.parametrize(("content", "reason"), BAD_UPLOADS)
async def test_a_bad_upload_is_refused_in_russian_and_nothing_is_stored(
    runtime: Runtime, app: Litestar, world: World, content: bytes, reason: str
) -> None:
    region = await new_region(runtime)
    async with client_for(app, region.staff) as staff:
        refused = await upload(staff, "pairs_formation", content)
        page = await staff.post(
            "/region/templates/pairs_formation", files={"file": ("приказ.docx", content, DOCX)}
        )
        line = await line_of(staff, "pairs_formation")
    assert refused.status_code == 422, refused.text
    body = refused.json()
    assert body["detail"].startswith(f"Шаблон «{PAIRS_ORDER}» не загружен: ")
    assert reason in body["detail"]
    assert body["errors"][0]["field"] == "file"
    assert page.status_code == 422
    assert reason in page.text
    assert line["source"] == "standard"
    assert await stored(runtime, region.id) == {}
    assert await audited(runtime, region.staff) == [("update", "pairs_formation", "failed")] * 2


# (code, an upload that fills, one naming a field the document lacks, a replacement that fills): the
# methodical documents' sample data reach their loops, so a slip inside a table's row is caught too.
REPLACEMENTS = [
    pytest.param(
        "mentor_journal",
        template("Журнал {{ organisation_full_name }}"),
        template("Журнал {{ entries_total }}"),
        template("Новый журнал {{ academic_year_title }}"),
        "entries_total",
        id="mentor_journal",
    ),
    pytest.param(
        "decade_order",
        template(
            "Приказ № {{ number }}: «{{ decade.title }}»",
            rows=("{%tr for w in awards %}", "{{ w.learner|acc }} ({{ w.class_name }})", "{%tr endfor %}"),
        ),
        template("{{ number }}", rows=("{%tr for w in awards %}", "{{ w.diploma }}", "{%tr endfor %}")),
        template("Благодарность {{ thanked|names('dative') }}"),
        "diploma",
        id="decade_order",
    ),
    pytest.param(
        "club_report",
        template("Отчёт: {{ kind_title }} «{{ club_name }}»"),
        template("{% for e in meetings %}{{ e.visitors }}{% endfor %}"),
        template("Проведено {{ held_count }} из {{ planned_count }}"),
        "visitors",
        id="club_report",
    ),
]


@pytest.mark.parametrize(("code", "good", "bad", "replacement", "unknown"), REPLACEMENTS)
async def test_a_replacement_is_checked_too_and_a_bad_one_keeps_the_previous(
    runtime: Runtime,
    app: Litestar,
    world: World,
    code: str,
    good: bytes,
    bad: bytes,
    replacement: bytes,
    unknown: str,
) -> None:
    region = await new_region(runtime)
    async with client_for(app, region.staff) as staff:
        assert (await upload(staff, code, good)).status_code == 200
        refused = await upload(staff, code, bad)
        kept = await stored(runtime, region.id)
        replaced = await upload(staff, code, replacement, "2.docx")
        missing = await staff.put(f"{API}/{code}", files={"other": ("x.txt", b"x")})
        unknown_document = await upload(staff, "decree", template("Указ"))
    assert refused.status_code == 422
    assert refused.json()["detail"].startswith(f"Шаблон «{DOCUMENT_TITLES[code]}» не загружен: ")
    assert f"«{unknown}»" in refused.json()["detail"]
    assert kept == {code: good}
    assert replaced.status_code == 200
    assert replaced.json()["upload"]["file_name"] == "2.docx"
    assert (await stored(runtime, region.id)) == {code: replacement}
    assert missing.status_code == 422
    assert missing.json()["detail"] == "Выберите файл шаблона в формате Word (.docx)."
    assert unknown_document.status_code == 404  # the platform generates no such document
    assert await audited(runtime, region.staff) == [
        ("create", code, "success"),
        ("update", code, "failed"),
        ("update", code, "success"),
    ]


async def test_only_the_regions_own_staff_manage_its_templates(
    runtime: Runtime, app: Litestar, world: World
) -> None:
    region, school = await region_with_school(runtime, world)
    async with client_for(app, region.staff) as staff:
        assert (await upload(staff, "pairs_formation", REGIONAL_ORDER)).status_code == 200
    outsiders = {
        "curator of the region's school": school.identities["curator"],
        "municipality staff": world.staff["municipality"],
        "auditor": world.staff["auditor"],
    }
    for who, identity in outsiders.items():
        async with client_for(app, identity) as client:
            statuses = [
                (await client.get(API)).status_code,
                (await client.get(f"{API}/pairs_formation.docx")).status_code,
                (await upload(client, "pairs_formation", template("Чужой {{ number }}"))).status_code,
                (await client.delete(f"{API}/pairs_formation")).status_code,
                (await client.get("/region/templates")).status_code,
                (
                    await client.post("/region/templates/pairs_formation/revert", data={"confirm": "yes"})
                ).status_code,
            ]
        assert statuses == [403] * 6, who
    async with client_for(app) as anonymous:
        assert (await anonymous.get(API)).status_code == 401
        assert (await anonymous.get("/region/templates")).status_code == 302
    # Another region's staff see their own region only: the standard order, nothing of ours to revert.
    async with client_for(app, world.staff["region2"]) as other:
        line = await line_of(other, "pairs_formation")
        theirs = await other.get(f"{API}/pairs_formation.docx")
        revert = await other.delete(f"{API}/pairs_formation")
        letters = await line_of(other, "thank_you_letters")
    assert line["source"] == "standard"
    assert theirs.content == default_template("pairs_formation")
    assert revert.status_code == 404
    assert letters["source"] == "region"  # the world's R2 has its own letter
    assert (await stored(runtime, region.id)).keys() == {"pairs_formation"}  # untouched by all of the above
    async with client_for(app, region.staff) as staff:
        unconfirmed = await staff.post("/region/templates/pairs_formation/revert", data={})
        assert (await line_of(staff, "pairs_formation"))["source"] == "region"
        confirmed = await staff.post("/region/templates/pairs_formation/revert", data={"confirm": "yes"})
    assert unconfirmed.status_code == 422
    assert "Подтвердите" in unconfirmed.text
    assert confirmed.status_code == 302
    assert await stored(runtime, region.id) == {}


async def test_a_stored_template_that_no_longer_fills_answers_422_naming_the_document(
    runtime: Runtime, app: Litestar, world: World
) -> None:
    region, school = await region_with_school(runtime, world)
    programme_id, _, order_id = await ordered(runtime, app, school)
    # Stored as if accepted before the documents lost that field: no upload today would let it in.
    async with runtime.owner_sessions() as db:
        for code in ("pairs_formation", "programme_report"):
            db.add(
                RegionDocumentTemplate(
                    region_id=region.id,
                    code=code,
                    content=template("{{ number_of_the_old_days }}"),
                    file_name="старый.docx",
                    uploaded_by=region.staff,
                )
            )
        await db.commit()
    api = await download(app, school, order_url(school, programme_id, order_id))
    page = await download(app, school, order_url(school, programme_id, order_id, api=False))
    report = await download(app, school, f"/api/o/{school.slug}/programmes/{programme_id}/report.docx")
    assert api.status_code == 422
    assert api.json()["detail"] == (
        f"Документ «{PAIRS_ORDER}» не сформирован: шаблон, загруженный регионом, не удаётся заполнить."
        " Региону нужно исправить шаблон (раздел «Шаблоны документов») или вернуть стандартный."
    )
    assert api.json()["errors"] == [
        {
            "field": "template",
            "message": "В шаблоне используется поле «number_of_the_old_days», которого нет в данных документа.",
        }
    ]
    assert page.status_code == 422
    assert "Региону нужно исправить шаблон" in page.text
    assert report.status_code == 422
    assert "«Отчёт о реализации программы наставничества» не сформирован" in report.json()["detail"]
    async with runtime.owner_sessions() as db:  # a failed document is not an export
        exports = await db.scalar(
            select(AuditEvent.id).where(
                AuditEvent.org_id == school.id,
                AuditEvent.action == "export",
                AuditEvent.object_type.in_(("mentoring_order", "programme_report")),
            )
        )
    assert exports is None
