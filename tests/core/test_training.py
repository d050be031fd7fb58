"""Stage 4: mentors' training records, their certificate scans, the import, the stage's check and
«Свидетельство наставника». Every test takes an organisation of its own, so counts are exact."""

from __future__ import annotations

import io
import uuid
from datetime import date, timedelta
from typing import Any

import docx
from litestar import Litestar
from sqlalchemy import select

from nastavnik.domain.documents.kinds import default_template
from nastavnik.domain.programmes.models import Programme
from nastavnik.models.audit import AuditEvent
from nastavnik.models.people import Person
from nastavnik.runtime import Runtime
from nastavnik_dev.documents import build_templates, build_training_templates
from tests.support.dates import RegionDates
from tests.support.forms import SITE, field_error
from tests.support.http import Client, client_for
from tests.support.office import xlsx
from tests.support.programme import form_pair
from tests.support.tenant import Named, add_mentor, new_tenant
from tests.support.world import World

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def started(dates: RegionDates) -> date:
    """When the course began: 40 days ago."""
    return dates.today - timedelta(days=40)


def finished(dates: RegionDates) -> date:
    """When the course ended: 20 days ago."""
    return dates.today - timedelta(days=20)


def course(dates: RegionDates, **extra: Any) -> dict[str, Any]:
    return {
        "course": "Наставничество в образовательной организации",
        "provider": "Институт развития образования",
        "hours": 72,
        "started_on": str(started(dates)),
        "finished_on": str(finished(dates)),
        "certificate_no": "862401",
        **extra,
    }


def problems(response: Any) -> dict[str, str]:
    assert response.status_code == 422, response.text
    return {e["field"]: e["message"] for e in response.json()["errors"]}


async def added(client: Client, url: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(url, json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_the_curator_keeps_a_mentors_courses_and_the_mentor_reads_them(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    pair = await form_pair(runtime, app, world)
    slug, mentor = pair.tenant.slug, pair.mentor
    url = f"/api/o/{slug}/people/{mentor}/trainings"
    async with client_for(app, pair.tenant.identities["curator"]) as curator:
        first = await added(curator, url, course(dates))
        second = await added(
            curator, url, course(dates, course="Медиация в школе", hours=36, certificate_no=None)
        )
        changed = await curator.put(
            f"{url}/{second['id']}", json={**course(dates, course="Медиация в школе", hours=40), "version": 1}
        )
        stale = await curator.put(
            f"{url}/{second['id']}", json={**course(dates, course="Медиация в школе", hours=41), "version": 1}
        )
        listed = (await curator.get(url)).json()
    assert (first["hours"], first["certificate_no"], first["has_certificate"]) == (72, "862401", False)
    assert changed.status_code == 200
    assert changed.json()["version"] == 2
    assert stale.status_code == 409
    # Both finished the same day: by course.
    assert [(t["course"], t["hours"]) for t in listed["trainings"]] == [
        ("Медиация в школе", 40),
        ("Наставничество в образовательной организации", 72),
    ]
    assert listed["hours"] == 112
    async with client_for(app, pair.tenant.identities["mentor:Смирнова"]) as own:
        mine = await own.get(url)
        write = await own.post(url, json=course(dates))
        page = await own.get(f"/o/{slug}/people/{mentor}/trainings")
    assert mine.status_code == 200
    assert len(mine.json()["trainings"]) == 2
    assert write.status_code == 403
    assert page.status_code == 200
    assert "Наставничество в образовательной организации" in page.text
    assert "Добавить обучение" not in page.text  # a mentor reads their own; the curator keeps them
    async with client_for(app, pair.tenant.identities["mentee:Зайцева"]) as mentee:
        assert (await mentee.get(url)).status_code == 403
    # Another organisation's curator: the person and the record are not there at all.
    other = world.orgs["school_a"]
    async with client_for(app, other.identities["curator"]) as stranger:
        assert (await stranger.get(f"/api/o/{other.slug}/people/{mentor}/trainings")).status_code == 404
        assert (
            await stranger.delete(f"/api/o/{other.slug}/people/{mentor}/trainings/{first['id']}")
        ).status_code == 404


async def test_bad_training_input_is_refused_in_russian_and_nothing_is_written(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    pair = await form_pair(runtime, app, world)
    url = f"/api/o/{pair.tenant.slug}/people/{pair.mentor}/trainings"
    tomorrow = str(dates.today + timedelta(days=1))
    async with client_for(app, pair.tenant.identities["curator"]) as curator:
        future = problems(await curator.post(url, json=course(dates, finished_on=tomorrow)))
        both = problems(
            await curator.post(url, json=course(dates, started_on=tomorrow, finished_on=tomorrow))
        )
        backwards = problems(
            await curator.post(url, json=course(dates, finished_on=str(started(dates) - timedelta(days=1))))
        )
        no_hours = problems(await curator.post(url, json=course(dates, hours=0)))
        too_many = problems(await curator.post(url, json=course(dates, hours=2001)))
        blank = problems(await curator.post(url, json=course(dates, course="  ", provider="")))
        nul = problems(await curator.post(url, json=course(dates, certificate_no="8\u00006")))
        # Someone who is not in the base of mentors gets no training record.
        mentee = problems(
            await curator.post(
                f"/api/o/{pair.tenant.slug}/people/{pair.mentees[0]}/trainings", json=course(dates)
            )
        )
        listed = (await curator.get(url)).json()
    assert future == {"finished_on": "дата не может быть в будущем: обучение должно быть пройдено"}
    assert set(both) == {"started_on", "finished_on"}
    assert backwards == {"finished_on": "дата окончания раньше даты начала"}
    assert no_hours == {"hours": "количество часов — целое число от 1 до 2000"}
    assert too_many == no_hours
    assert blank == {
        "course": "укажите название курса",
        "provider": "укажите организацию, проводившую обучение",
    }
    assert nul == {"certificate_no": "недопустимый символ (NUL): наберите текст заново"}
    assert mentee == {"person_id": "человек не внесён в базу наставников: сначала внесите его туда"}
    assert listed["trainings"] == []


async def test_a_certificate_scan_is_checked_by_its_bytes_and_its_download_audited(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    pair = await form_pair(runtime, app, world)
    url = f"/api/o/{pair.tenant.slug}/people/{pair.mentor}/trainings"
    async with client_for(app, pair.tenant.identities["curator"]) as curator:
        record = await added(curator, url, course(dates))
        scan = f"{url}/{record['id']}/certificate"
        disguised = await curator.put(scan, files={"file": ("scan.pdf", b"PK\x03\x04 a Word file really")})
        exe = await curator.put(scan, files={"file": ("scan.png", b"MZ\x90\x00 an executable")})
        large = await curator.put(scan, files={"file": ("big.pdf", b"%PDF-" + b"0" * (5 * 1024 * 1024))})
        none_yet = await curator.get(scan)
        kept = await curator.put(scan, files={"file": ("удостоверение.pdf", PDF)})
        downloaded = await curator.get(scan)
    assert problems(disguised) == {
        "file": "это не PDF, JPEG или PNG: загрузите скан документа в одном из этих форматов"
    }
    assert problems(exe) == problems(disguised)
    assert problems(large) == {"file": "файл больше 5 МБ: уменьшите скан или сохраните его в PDF"}
    assert none_yet.status_code == 404
    assert kept.status_code == 200
    assert kept.json()["has_certificate"] is True
    assert kept.json()["certificate_name"] == "удостоверение.pdf"
    assert downloaded.status_code == 200
    assert downloaded.content == PDF
    assert downloaded.headers["content-type"].startswith("application/pdf")
    async with client_for(app, pair.tenant.identities["mentor:Смирнова"]) as own:
        assert (await own.get(scan)).content == PDF
    async with client_for(app, pair.tenant.identities["mentee:Зайцева"]) as mentee:
        assert (await mentee.get(scan)).status_code == 403
    async with runtime.owner_sessions() as db:
        exports = list(
            await db.scalars(
                select(AuditEvent).where(
                    AuditEvent.org_id == pair.tenant.id,
                    AuditEvent.object_type == "training_certificate",
                    AuditEvent.action == "export",
                )
            )
        )
    assert len(exports) == 2  # the curator's and the mentor's downloads
    assert {e.subject_person_id for e in exports} == {pair.mentor}
    async with client_for(app, pair.tenant.identities["curator"]) as curator:
        assert (await curator.delete(scan)).status_code == 204
        assert (await curator.get(scan)).status_code == 404


async def test_the_page_adds_a_course_with_its_scan_and_a_bad_one_comes_back_beside_its_field(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    pair = await form_pair(runtime, app, world)
    page = f"/o/{pair.tenant.slug}/people/{pair.mentor}/trainings"
    referer = {"referer": f"{SITE}{page}"}
    fields = {k: str(v) for k, v in course(dates).items()}
    async with client_for(app, pair.tenant.identities["curator"]) as curator:
        refused = await curator.post(
            page,
            data=fields,
            files={"file": ("scan.pdf", b"GIF89a not a pdf")},
            headers=referer,
            follow_redirects=True,
        )
        future = await curator.post(
            page,
            data={
                **fields,
                "started_on": str(dates.today + timedelta(days=3)),
                "finished_on": str(dates.today + timedelta(days=5)),
            },
            files={"file": ("scan.png", PNG)},
            headers=referer,
            follow_redirects=True,
        )
        nothing = (await curator.get(f"/api/o/{pair.tenant.slug}/people/{pair.mentor}/trainings")).json()
        saved = await curator.post(
            page, data=fields, files={"file": ("scan.png", PNG)}, follow_redirects=False
        )
        shown = await curator.get(page)
        record = (await curator.get(f"/api/o/{pair.tenant.slug}/people/{pair.mentor}/trainings")).json()
        edit = f"{page}/{record['trainings'][0]['id']}"
        confirm = await curator.get(f"{edit}/delete")
        unconfirmed = await curator.post(
            f"{edit}/delete", data={}, headers={"referer": f"{SITE}{edit}/delete"}
        )
        still = (await curator.get(f"/api/o/{pair.tenant.slug}/people/{pair.mentor}/trainings")).json()
        deleted = await curator.post(f"{edit}/delete", data={"confirm": "yes"}, follow_redirects=False)
        after = (await curator.get(f"/api/o/{pair.tenant.slug}/people/{pair.mentor}/trainings")).json()
    assert (
        field_error(refused.text, "file")
        == "это не PDF, JPEG или PNG: загрузите скан документа в одном из этих форматов"
    )
    assert (
        field_error(future.text, "finished_on")
        == "дата не может быть в будущем: обучение должно быть пройдено"
    )
    assert 'value="Институт развития образования"' in future.text  # what was typed comes back
    assert nothing["trainings"] == []
    assert saved.status_code == 302
    assert "скан документа" in shown.text
    assert "862401" in shown.text
    assert record["trainings"][0]["has_certificate"] is True
    assert confirm.status_code == 200
    assert "Удалить запись об обучении" in confirm.text
    assert unconfirmed.status_code == 303
    assert len(still["trainings"]) == 1
    assert deleted.status_code == 302
    assert after["trainings"] == []


async def test_stage_four_names_the_mentors_of_open_pairs_without_training(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    pair = await form_pair(runtime, app, world)
    slug = pair.tenant.slug
    programme = f"/api/o/{slug}/programmes/{pair.programme_id}"
    async with runtime.owner_sessions() as db:  # the programme has reached stage 4
        row = await db.get(Programme, (pair.tenant.id, uuid.UUID(pair.programme_id)))
        assert row is not None
        row.stage = 4
        await db.commit()
    async with client_for(app, pair.tenant.identities["curator"]) as curator:
        before = (await curator.get(programme)).json()
        page = await curator.get(f"/o/{slug}/programmes/{pair.programme_id}")
        refused = await curator.post(f"{programme}/advance", json={"version": before["programme"]["version"]})
        await added(curator, f"/api/o/{slug}/people/{pair.mentor}/trainings", course(dates))
        after = (await curator.get(programme)).json()
    stage = before["stages"][3]
    assert (stage["number"], stage["state"]) == (4, "current")
    assert stage["lacks"] == ["1 наставник без обучения"]
    assert before["untrained_mentors"] == [
        {"person_id": str(pair.mentor), "full_name": "Смирнова Ольга Павловна"}
    ]
    assert f"/o/{slug}/people/{pair.mentor}/trainings" in page.text
    assert "добавить обучение" in page.text
    assert problems(refused) == {"stage": "1 наставник без обучения"}
    assert after["stages"][3]["lacks"] == []
    assert after["untrained_mentors"] == []
    async with client_for(app, pair.tenant.identities["mentor:Смирнова"]) as mentor:
        # A mentor reads the programme but not the list of colleagues without training.
        assert (await mentor.get(programme)).json()["untrained_mentors"] == []


async def test_the_import_reads_courses_by_row_and_column_all_or_nothing(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    tenant = await new_tenant(runtime, world)
    sidorova = await add_mentor(runtime, tenant, Named("Сидорова", "Галина", "Петровна"))
    kuznetsov = await add_mentor(runtime, tenant, Named("Кузнецов", "Олег", "Игоревич"))
    api = f"/api/o/{tenant.slug}/bases/trainings/import"
    header = [
        "№",
        "ФИО наставника",
        "Название курса",
        "Организация",
        "Кол-во часов",
        "Дата начала",
        "Дата окончания",
        "Номер удостоверения",
        "Примечание",
    ]
    start, end = started(dates).strftime("%d.%m.%Y"), finished(dates).strftime("%d.%m.%Y")
    good = [
        [1, "Сидорова Галина Петровна", "Наставничество", "ИРО", 72, start, end, "861", ""],
        [2, "Кузнецов Олег Игоревич", "Медиация", "ИРО", 36, start, end, "", "очно"],
    ]
    bad = [
        *good,
        [3, "Петров Пётр", "Медиация", "ИРО", 36, start, end, "", ""],
        [4, "Сидорова Галина Петровна", "Цифровая школа", "ИРО", 0, start, end, "", ""],
        [
            5,
            "Кузнецов Олег Игоревич",
            "Будущее",
            "ИРО",
            10,
            start,
            (dates.today + timedelta(days=2)).strftime("%d.%m.%Y"),
            "",
            "",
        ],
    ]
    async with client_for(app, tenant.identities["curator"]) as curator:
        refused = await curator.post(api, files={"file": ("t.xlsx", xlsx([header, *bad]))})
        commit_nothing = await curator.get(f"/api/o/{tenant.slug}/people/{sidorova}/trainings")
        checked = await curator.post(api, files={"file": ("t.xlsx", xlsx([header, *good]))})
        done = await curator.post(f"{api}/{checked.json()['token']}")
        again = await curator.post(api, files={"file": ("t.xlsx", xlsx([header, *good]))})
        hers = (await curator.get(f"/api/o/{tenant.slug}/people/{sidorova}/trainings")).json()
        his = (await curator.get(f"/api/o/{tenant.slug}/people/{kuznetsov}/trainings")).json()
    preview = refused.json()
    assert refused.status_code == 200
    assert preview["token"] is None
    errors = {(e["row"], e["field"]): e["message"] for e in preview["errors"]}
    assert errors == {
        ("4", "ФИО наставника"): "«Петров Пётр»: такого наставника нет в базе наставников организации",
        ("5", "Кол-во часов"): "количество часов — целое число от 1 до 2000",
        ("6", "Дата окончания"): "дата не может быть в будущем: обучение должно быть пройдено",
    }
    columns = {c["title"]: c["field_title"] for c in preview["columns"]}
    assert columns == {
        "№": "не используется",
        "ФИО наставника": "ФИО",
        "Название курса": "Курс",
        "Организация": "Организация",
        "Кол-во часов": "Часов",
        "Дата начала": "Дата начала",
        "Дата окончания": "Дата окончания",
        "Номер удостоверения": "Номер удостоверения",
        "Примечание": "не используется",
    }
    assert [(w["field"], w["row"], w["message"]) for w in preview["warnings"]] == [
        (
            "Примечание",
            "0",
            "столбец I не используется: его данные не будут загружены. "
            "Переименуйте заголовок столбца или удалите столбец из файла",
        )
    ]
    assert commit_nothing.json()["trainings"] == []
    assert checked.json()["token"]
    assert [r["action"] for r in checked.json()["rows"]] == ["create", "create"]
    assert done.status_code == 201, done.text
    assert [r["action"] for r in again.json()["rows"]] == ["update", "update"]  # the same file adds nothing
    assert [(t["course"], t["hours"], t["certificate_no"]) for t in hers["trainings"]] == [
        ("Наставничество", 72, "861")
    ]
    assert [(t["course"], t["started_on"], t["finished_on"]) for t in his["trainings"]] == [
        ("Медиация", str(started(dates)), str(finished(dates)))
    ]


def _text(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


async def test_the_mentors_certificate_names_them_in_the_dative_with_their_courses(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    pair = await form_pair(runtime, app, world)
    slug = pair.tenant.slug
    url = f"/api/o/{slug}/people/{pair.mentor}/trainings"
    async with client_for(app, pair.tenant.identities["curator"]) as curator:
        empty = await curator.get(f"/api/o/{slug}/people/{pair.mentor}/mentor-certificate.docx")
        await added(curator, url, course(dates))
        await added(curator, url, course(dates, course="Медиация в школе", hours=36, certificate_no=None))
        document = await curator.get(f"/api/o/{slug}/people/{pair.mentor}/mentor-certificate.docx")
    assert empty.status_code == 422
    assert (
        empty.json()["detail"] == "Свидетельство не составлено: у наставника нет ни одной записи об обучении."
    )
    assert document.status_code == 200
    text = _text(document.content)
    assert "СВИДЕТЕЛЬСТВО НАСТАВНИКА" in text
    assert pair.tenant.full_name in text
    assert "выдано Смирновой Ольге Павловне" in text
    assert "она прошла обучение" in text
    assert "Наставничество в образовательной организации" in text
    assert "Медиация в школе" in text
    assert "№ 862401" in text
    assert "108" in text  # 72 + 36 hours
    assert f"{started(dates):%d.%m.%Y} – {finished(dates):%d.%m.%Y}" in text
    assert "Директор ____________ А. Н. Петров" in text
    async with client_for(app, pair.tenant.identities["mentor:Смирнова"]) as own:
        assert (await own.get(f"/o/{slug}/people/{pair.mentor}/mentor-certificate.docx")).status_code == 200
    async with runtime.owner_sessions() as db:
        events = await db.scalars(
            select(AuditEvent.object_type).where(
                AuditEvent.org_id == pair.tenant.id, AuditEvent.object_type == "mentor_certificate"
            )
        )
        assert len(list(events)) == 2


async def test_another_organisation_never_reaches_a_training_or_its_scan(
    app: Litestar, world: World, dates: RegionDates
) -> None:
    """School A's curator asks for school B's mentor's course and scan (the canary is in both): 404 under
    A's own address and under B's, where A's curator is no member."""
    attacker, victim = world.orgs["school_a"], world.orgs["school_b"]
    mentor, training_id = victim.persons["mentor"], victim.training_id
    async with client_for(app, attacker.identities["curator"]) as curator:
        for slug in (attacker.slug, victim.slug):
            base = f"/api/o/{slug}/people/{mentor}/trainings"
            answers = [
                await curator.get(base),
                await curator.get(f"{base}/{training_id}/certificate"),
                await curator.get(f"/o/{slug}/people/{mentor}/trainings/{training_id}/certificate"),
                await curator.get(f"/api/o/{slug}/people/{mentor}/mentor-certificate.docx"),
                await curator.put(f"{base}/{training_id}", json={**course(dates), "version": 1}),
                await curator.put(f"{base}/{training_id}/certificate", files={"file": ("a.pdf", PDF)}),
            ]
            assert [a.status_code for a in answers] == [404] * 6, slug
            assert all(victim.canary.lower() not in a.text.lower() for a in answers)
    async with client_for(app, victim.identities["curator"]) as owner:  # and it is there, unchanged
        scan = await owner.get(f"/api/o/{victim.slug}/people/{mentor}/trainings/{training_id}/certificate")
    assert scan.status_code == 200
    assert victim.canary.encode() in scan.content


async def test_an_imported_row_names_its_mentor_by_address_when_two_share_a_name(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    tenant = await new_tenant(runtime, world)
    first = await add_mentor(runtime, tenant, Named("Смирнова", "Анна", "Павловна"))
    await add_mentor(runtime, tenant, Named("Смирнова", "Анна", "Павловна"))
    async with runtime.owner_sessions() as db:
        person = await db.get(Person, (tenant.id, first))
        assert person is not None
        person.email = "smirnova@school.example"
        await db.commit()
    api = f"/api/o/{tenant.slug}/bases/trainings/import"
    header = ["ФИО", "E-mail", "Курс", "Организация", "Часов", "Начало", "Окончание"]
    start, end = started(dates).strftime("%d.%m.%Y"), finished(dates).strftime("%d.%m.%Y")
    rows = [
        ["Смирнова Анна Павловна", "", "Медиация", "ИРО", 16, start, end],
        ["Смирнова Анна Павловна", "SMIRNOVA@school.example", "Медиация", "ИРО", 16, start, end],
        ["", "nobody@school.example", "Медиация", "ИРО", 16, start, end],
    ]
    async with client_for(app, tenant.identities["curator"]) as curator:
        preview = (await curator.post(api, files={"file": ("t.xlsx", xlsx([header, *rows]))})).json()
    errors = {(e["row"], e["field"]): e["message"] for e in preview["errors"]}
    assert errors == {
        (
            "2",
            "ФИО",
        ): "в базе наставников 2 человека с ФИО «Смирнова Анна Павловна»: укажите в файле их электронную почту",
        ("4", "E-mail"): "в базе наставников нет человека с адресом «nobody@school.example»",
    }
    assert [(r["row"], r["full_name"]) for r in preview["rows"]] == [(3, "Смирнова Анна Павловна")]


def test_the_committed_certificate_template_is_the_builders_output() -> None:
    built = build_templates.build("mentor_certificate", build_training_templates.BUILDERS)
    assert default_template("mentor_certificate") == built, (
        "run python -m nastavnik_dev.documents.build_training_templates"
    )
