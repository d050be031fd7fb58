"""The methodical work's documents over HTTP, as the curator, a club's leader, a decade's responsible
teacher and a teacher who only reads: each .docx read back with the organisation's real data in it, in
the words of its plugin, names in the case the sentence needs; who may not download gets 403 or 404; a
wrong order number or date is refused beside its field; the export of learners' names is audited."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import quote

import httpx
from litestar import Litestar
from sqlalchemy import select

from nastavnik.domain.documents.models import RegionDocumentTemplate
from nastavnik.models.audit import AuditEvent
from nastavnik.runtime import Runtime
from tests.methodical.support import api, created, decade as decade_days, detail, fields, page, person
from tests.support.dates import RegionDates
from tests.support.forms import field_error, send_form
from tests.support.http import Client, client_for
from tests.support.office import docx_text, docx_with
from tests.support.programme import active_pair, open_programme
from tests.support.region import region_with_school
from tests.support.tenant import Named, Tenant, add_mentee, add_mentor, new_tenant
from tests.support.world import World

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def year_title(dates: RegionDates) -> str:
    """The academic year under way as the documents' text writes it."""
    return f"{dates.year}/{dates.year + 1}"


def file_year(dates: RegionDates) -> str:
    """The academic year under way as the documents' file names write it."""
    return f"{dates.year}-{dates.year + 1}"


def document(response: httpx.Response, file_name: str | None = None) -> str:
    """The text of a downloaded .docx, its file name checked as browsers read it (RFC 6266)."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(DOCX)
    if file_name is not None:
        assert f"filename*=UTF-8''{quote(file_name, safe='')}" in response.headers["content-disposition"]
    return docx_text(response.content)


async def exports(runtime: Runtime, tenant: Tenant) -> list[tuple[str, Any, str]]:
    """The tenant's audited exports of the methodical work's documents: (document, whose data, object)."""
    async with runtime.owner_sessions() as db:
        rows = await db.execute(
            select(AuditEvent.details, AuditEvent.subject_person_id, AuditEvent.object_id)
            .where(
                AuditEvent.org_id == tenant.id,
                AuditEvent.action == "export",
                AuditEvent.object_type == "methodical_document",
            )
            .order_by(AuditEvent.id)
        )
        return [(details["document"], subject, object_id) for details, subject, object_id in rows]


async def meeting(client: Client, dates: RegionDates, base: str, topic: str, **extra: Any) -> dict[str, Any]:
    return await created(client, f"{base}/events", {"held_on": str(dates.today), "topic": topic, **extra})


# --- the young teachers' club ----------------------------------------------------------------------


async def test_a_clubs_plan_and_report_with_its_members_mentors_meetings_and_attendance(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    tenant = await new_tenant(runtime, world)
    leader = await person(runtime, tenant, Named("Ковалёва", "Елена", "Игоревна"), signs_in=True)
    await person(runtime, tenant, Named("Лисицына", "Ольга", "Юрьевна"), signs_in=True)
    fresh = await person(runtime, tenant, Named("Орлова", "Анна", "Викторовна"), young_since=dates.starts)
    await person(runtime, tenant, Named("Петров", "Ваня"), category="learner", signs_in=True)
    mentor = await add_mentor(runtime, tenant, Named("Сидорова", "Галина", "Петровна"))
    mentee = await add_mentee(runtime, tenant, Named("Новикова", "Нина", "Петровна"))
    async with client_for(app, tenant.identities["curator"]) as curator:
        pid = await open_programme(curator, tenant)
        await active_pair(curator, tenant, pid, mentor, mentee)
        club = await created(
            curator,
            api(tenant, "club"),
            {"academic_year": dates.year, "name": "«Звёзды будущего»", "leader_id": str(leader)},
        )
    base = api(tenant, "club", club["id"])
    async with client_for(app, tenant.identities["Ковалёва"]) as lead:
        for member in (mentee, fresh):
            await created(lead, f"{base}/members", {"person_id": str(member)})
        held = await meeting(
            lead,
            dates,
            base,
            "Планирование урока",
            form="seminar",
            status="held",
            responsible_id=str(leader),
            outcome="Составлены технологические карты уроков",
        )
        await meeting(lead, dates, base, "Работа с родителями", form="training")
        await meeting(lead, dates, base, "Отменённая встреча", form="consultation", status="cancelled")
        marked = await lead.put(f"{base}/events/{held['id']}/participants", json={"attendees": [str(mentee)]})
        assert marked.status_code == 200, marked.text
        shown = (await lead.get(base)).json()
        summed = await lead.put(
            base,
            json={
                "version": shown["association"]["version"],
                "name": shown["association"]["name"],  # typed with its quotes: the plan drops them
                "leader_id": str(leader),
                "summary": "Молодые учителя освоили планирование.\nПродолжить работу с родителями.",
            },
        )
        assert summed.status_code == 200, summed.text
        report = document(
            await lead.get(f"{base}/report.docx"),
            f"Отчёт о работе — Клуб молодых учителей {file_year(dates)}.docx",
        )
    async with client_for(app, tenant.identities["curator"]) as curator:
        plan = document(
            await curator.get(f"{base}/plan.docx"),
            f"План работы — Клуб молодых учителей {file_year(dates)}.docx",
        )
    async with client_for(app, tenant.identities["Лисицына"]) as teacher:  # reads, on the pages
        on_page = document(await teacher.get(page(tenant, "club", club["id"], "plan.docx")))
        club_page = await teacher.get(page(tenant, "club", club["id"]))
    assert on_page == plan
    assert f'href="{page(tenant, "club", club["id"], "report.docx")}"' in club_page.text

    assert f"План работы: Клуб молодых учителей «Звёзды будущего» на {year_title(dates)} учебный год" in plan
    assert "Руководитель: Ковалёва Елена Игоревна." in plan
    assert "Новикова Нина Петровна\nСидорова Галина Петровна" in plan  # the young teacher's mentor
    assert "Орлова Анна Викторовна\n—" in plan
    assert "Планирование урока" in plan
    assert "Работа с родителями" in plan
    assert "Отменённая встреча" not in plan  # a plan states what is still to be done
    assert "Руководитель ____________ Е. И. Ковалёва" in plan

    assert (
        f"Отчёт о работе: Клуб молодых учителей «Звёзды будущего» за {year_title(dates)} учебный год"
        in report
    )
    assert "Запланировано заседаний: 2, проведено: 1." in report
    # One mark of two members at the one meeting held: 1 / (2 × 1).
    assert "Средняя посещаемость проведённых заседаний: 50\u00a0%." in report
    assert "Отменённая встреча\nКонсультация\nотменено" in report
    assert "Планирование урока\nСеминар\nпроведено\n1\nСоставлены технологические карты уроков" in report
    assert "Молодые учителя освоили планирование.\nПродолжить работу с родителями." in report
    assert await exports(runtime, tenant) == [
        ("club_report", None, club["id"]),
        ("club_plan", None, club["id"]),
        ("club_plan", None, club["id"]),
    ]

    other = world.orgs["school_a"]  # a curator of another organisation: nothing here is theirs
    async with client_for(app, other.identities["curator"]) as stranger:
        assert (await stranger.get(f"{base}/plan.docx")).status_code == 404
        own_slug = f"/api/o/{other.slug}/methodical/club/{club['id']}/report.docx"
        assert (await stranger.get(own_slug)).status_code == 404
    async with client_for(app, tenant.identities["Петров"]) as learner:
        assert (await learner.get(f"{base}/plan.docx")).status_code == 404
        assert (await learner.get(page(tenant, "club", club["id"], "report.docx"))).status_code == 404
    async with client_for(app, tenant.identities["curator"]) as curator:
        # Shapes without the document: a club has no closing note, no order, no plan of the year.
        assert (await curator.get(f"{base}/note.docx")).status_code == 404
        assert (await curator.get(f"{base}/order.docx?number=1&issued_on={dates.today}")).status_code == 404
        assert (await curator.get(api(tenant, "club", "plan.docx"))).status_code == 404
        assert (await curator.get(api(tenant, "nonsense", club["id"], "plan.docx"))).status_code == 404


async def test_the_attendance_of_a_club_that_has_held_nothing_is_not_a_number(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    """A kindergarten's club is called as the kindergartens plugin calls it; no meeting held yet, so its
    attendance is not 0 % but absent."""
    tenant = await new_tenant(
        runtime,
        world,
        org_type="kindergarten",
        full_name="Муниципальное бюджетное дошкольное образовательное учреждение «Детский сад № 5»",
    )
    async with client_for(app, tenant.identities["curator"]) as curator:
        club = await created(curator, api(tenant, "club"), {"academic_year": dates.year})
        base = api(tenant, "club", club["id"])
        plan = document(
            await curator.get(f"{base}/plan.docx"),
            f"План работы — Клуб молодого педагога {file_year(dates)}.docx",
        )
        report = document(await curator.get(f"{base}/report.docx"))
        no_decades = await curator.get(api(tenant, "decade", "plan.docx"))
    assert (
        f"План работы: Клуб молодого педагога на {year_title(dates)} учебный год" in plan
    )  # no name of its own
    assert "Детский сад № 5" in plan
    assert "Запланировано заседаний: 0, проведено: 0." in report
    assert "Средняя посещаемость проведённых заседаний: — (заседания не проводились)." in report
    assert no_decades.status_code == 404  # a kindergarten holds no subject decades


# --- subject decades -------------------------------------------------------------------------------


async def decade_school(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> tuple[Tenant, dict[str, Any], str]:
    """A school with a decade of mathematics: an open lesson Юдина observed, an olympiad with a winner (her
    class in the base of mentees), a prize-winner (no class known) and a participant, a cancelled contest,
    its conclusions; Кротов responsible. The decade's API path, and everyone's ids."""
    first, last = decade_days(dates)
    tenant = await new_tenant(runtime, world)
    ids: dict[str, Any] = {
        "teacher": await person(runtime, tenant, Named("Кротов", "Илья", "Андреевич"), signs_in=True),
        "observer": await person(runtime, tenant, Named("Юдина", "Вера", "Олеговна"), signs_in=True),
        "anna": await add_mentee(
            runtime, tenant, Named("Андреева", "Анна", "Сергеевна"), kind="learner", class_name="5А"
        ),
        "boris": await person(runtime, tenant, Named("Борисов", "Борис", "Павлович"), category="learner"),
        "vera": await person(runtime, tenant, Named("Васина", "Вера"), category="learner", signs_in=True),
    }
    async with client_for(app, tenant.identities["curator"]) as curator:
        decade = await created(
            curator,
            api(tenant, "decade"),
            {
                "academic_year": dates.year,
                "name": "Декада математики",
                "subject_area": "МО учителей математики",
                "starts_on": str(first),
                "ends_on": str(last),
            },
        )
        base = api(tenant, "decade", decade["id"])
        await created(curator, f"{base}/members", {"person_id": str(ids["teacher"])})
        lesson = await meeting(
            curator,
            dates,
            base,
            "Решение текстовых задач",
            form="open_lesson",
            classes="5А, 6Б",
            status="held",
            responsible_id=str(ids["teacher"]),
        )
        olympiad = await meeting(curator, dates, base, "Школьная олимпиада", form="olympiad", status="held")
        await meeting(curator, dates, base, "Конкурс газет", form="contest", status="cancelled")
        for event, body in (
            (lesson, {"observers": [str(ids["observer"])], "learners": [str(ids["vera"])]}),
            (
                olympiad,
                {
                    "learners": [str(ids[k]) for k in ("anna", "boris", "vera")],
                    "winners": [str(ids["anna"])],
                    "prize_winners": [str(ids["boris"])],
                },
            ),
        ):
            recorded = await curator.put(f"{base}/events/{event['id']}/participants", json=body)
            assert recorded.status_code == 200, recorded.text
        shown = (await curator.get(base)).json()["association"]
        summed = await curator.put(
            base,
            json={
                "version": shown["version"],
                "name": shown["name"],
                "subject_area": shown["subject_area"],
                "starts_on": shown["starts_on"],
                "ends_on": shown["ends_on"],
                "summary": "Декада проведена по плану.",
            },
        )
        assert summed.status_code == 200, summed.text
    ids["decade"] = decade["id"]
    return tenant, ids, base


async def test_a_decades_note_and_order_name_its_learners_for_its_responsible_teacher_only(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    tenant, ids, base = await decade_school(runtime, world=world, app=app, dates=dates)
    async with client_for(app, tenant.identities["Кротов"]) as responsible:
        note = document(
            await responsible.get(f"{base}/note.docx"), "Справка по итогам — Декада математики.docx"
        )
        decade_page = await responsible.get(page(tenant, "decade", ids["decade"]))
    assert f'href="{page(tenant, "decade", ids["decade"], "note.docx")}"' in decade_page.text
    assert "по итогам мероприятий «Декада математики»" in note
    assert f"(Предметные декады, {year_title(dates)} учебный год)" in note
    assert "Предметная область: МО учителей математики." in note
    assert "Ответственный: Кротов Илья Андреевич." in note
    assert "Решение текстовых задач (Открытый урок)\n5А, 6Б\nКротов И. А.\n1\nЮдина В. О." in note
    assert "Школьная олимпиада (Олимпиада)\n\n\n3\n" in note
    assert "Конкурс газет" not in note  # cancelled: not held
    assert "Всего участников: 3." in note  # Васина took part twice: one learner
    assert "Андреева Анна Сергеевна\n5А\nпобедитель\nШкольная олимпиада" in note
    assert "Борисов Борис Павлович\n\nпризёр\nШкольная олимпиада" in note
    assert "Васина" not in note  # a participant without a place is counted, not named
    assert "Декада проведена по плану." in note
    assert "Справку составила ____________ И. С. Иванова" in note  # the curator

    async with client_for(app, tenant.identities["curator"]) as curator:
        order = document(
            await curator.get(f"{base}/order.docx", params={"number": "45-о", "issued_on": str(dates.today)}),
            f"Приказ об итогах — Декада математики № 45-о от {dates.today:%d.%m.%Y}.docx",
        )
    assert "№ 45-о" in order
    assert "Об итогах мероприятий «Декада математики»" in order
    assert "2. Наградить грамотами победителей и призёров:" in order
    assert "2.1. Андрееву Анну Сергеевну (5А) — победитель, мероприятие «Школьная олимпиада»;" in order
    assert "2.2. Борисова Бориса Павловича — призёр, мероприятие «Школьная олимпиада»." in order
    assert (
        "3. Объявить благодарность Кротову Илье Андреевичу за подготовку и проведение мероприятий." in order
    )
    assert "Директор ____________ А. Н. Петров" in order

    # A teacher who reads the decade but answers for nothing in it: the plan yes, its learners no.
    async with client_for(app, tenant.identities["Юдина"]) as observer:
        assert (await observer.get(f"{base}/note.docx")).status_code == 403
        assert (await observer.get(f"{base}/order.docx?number=1&issued_on={dates.today}")).status_code == 403
        refused_page = await send_form(
            observer,
            page(tenant, "decade", ids["decade"], "order.docx"),
            {"number": "1", "issued_on": str(dates.today)},
            page=page(tenant, "decade", ids["decade"]),
        )
        assert refused_page.status_code == 403
        her_page = await observer.get(page(tenant, "decade", ids["decade"]))
        year_plan = await observer.get(api(tenant, "decade", "plan.docx"))
    assert "note.docx" not in her_page.text
    assert "Декада математики" in document(year_plan)
    async with client_for(app, tenant.identities["Васина"]) as learner:
        assert (await learner.get(f"{base}/note.docx")).status_code == 404
        assert (await learner.get(api(tenant, "decade", "plan.docx"))).status_code == 404
    other = world.orgs["school_a"]
    async with client_for(app, other.identities["curator"]) as stranger:
        assert (await stranger.get(f"{base}/note.docx")).status_code == 404
        foreign = f"/api/o/{other.slug}/methodical/decade/{ids['decade']}/note.docx"
        assert (await stranger.get(foreign)).status_code == 404

    # Each download of a document naming children records whose data left, and nothing else does.
    named = {ids["anna"], ids["boris"]}
    audited = await exports(runtime, tenant)
    assert sorted((str(s), o) for d, s, o in audited if d == "decade_note") == sorted(
        [(str(n), ids["decade"]) for n in (None, *named)]
    )
    assert {s for d, s, _ in audited if d == "decade_order"} == named | {None}
    assert {s for d, s, _ in audited if d == "decade_plan"} == {None}


async def test_a_wrong_order_number_or_date_is_refused_beside_its_field(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    first, _ = decade_days(dates)
    tenant, ids, base = await decade_school(runtime, world=world, app=app, dates=dates)
    order = f"{base}/order.docx"
    async with client_for(app, tenant.identities["curator"]) as curator:
        missing = await curator.get(order)
        assert fields(missing) == {"number", "issued_on"}
        assert "укажите номер приказа" in detail(missing)
        assert "укажите дату приказа" in detail(missing)
        not_a_date = await curator.get(order, params={"number": "1", "issued_on": "31.02.2027"})
        assert fields(not_a_date) == {"issued_on"}
        future = await curator.get(
            order, params={"number": "1", "issued_on": str(dates.today + timedelta(days=1))}
        )
        assert "дата приказа не может быть в будущем" in detail(future)
        before = await curator.get(order, params={"number": "1", "issued_on": str(first - timedelta(days=1))})
        assert "с первого дня декады до конца учебного года" in detail(before)
        too_long = await curator.get(order, params={"number": "1" * 51, "issued_on": str(dates.today)})
        assert "номер не длиннее 50 знаков" in detail(too_long)
        decade_page = page(tenant, "decade", ids["decade"])
        refused = await send_form(
            curator,
            f"{decade_page}/order.docx",
            {"number": "  ", "issued_on": str(dates.today)},
            page=decade_page,
        )
    assert refused.status_code == 200  # back on the decade's page
    assert "<h1>Декада математики</h1>" in refused.text
    assert field_error(refused.text, "number") == "укажите номер приказа"
    assert f'value="{dates.today}"' in refused.text  # what was typed stays
    assert [d for d, _, _ in await exports(runtime, tenant)] == []  # nothing was exported


async def test_the_years_plan_of_decades_in_a_colleges_words(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    first, last = decade_days(dates)
    college = await new_tenant(
        runtime,
        world,
        org_type="college",
        full_name="Бюджетное профессиональное образовательное учреждение «Политехнический колледж»",
    )
    head = await person(runtime, college, Named("Зайцева", "Тамара", "Львовна"))
    async with client_for(app, college.identities["curator"]) as curator:
        week = await created(
            curator,
            api(college, "decade"),
            {
                "academic_year": dates.year,
                "name": "Неделя ПЦК общепрофессиональных дисциплин",
                "subject_area": "ПЦК общепрофессиональных дисциплин",
                "starts_on": str(first),
                "ends_on": str(last),
            },
        )
        base = api(college, "decade", week["id"])
        await created(curator, f"{base}/members", {"person_id": str(head)})
        await meeting(
            curator,
            dates,
            base,
            "Технология сварки",
            form="open_lesson",
            classes="СВ-21",
            responsible_id=str(head),
        )
        club = await created(curator, api(college, "club"), {"academic_year": dates.year})
        plan = document(
            await curator.get(page(college, "decade", "plan.docx"), params={"year": dates.year}),
            f"План проведения — Недели предметно-цикловых комиссий {file_year(dates)}.docx",
        )
        club_plan = document(await curator.get(api(college, "club", club["id"], "plan.docx")))
        year_page = await curator.get(page(college, "decade"))
    assert f'href="{page(college, "decade", "plan.docx")}?year={dates.year}"' in year_page.text
    assert f"План проведения: Недели предметно-цикловых комиссий на {year_title(dates)} учебный год" in plan
    assert "Неделя ПЦК общепрофессиональных дисциплин\nПЦК общепрофессиональных дисциплин" in plan
    assert "Ответственный: Зайцева Тамара Львовна." in plan
    assert "Технология сварки\nОткрытое занятие\nСВ-21\nЗайцева Т. Л." in plan
    assert f"План работы: Школа молодого преподавателя на {year_title(dates)} учебный год" in club_plan


# --- the methodical council and the creative groups ------------------------------------------------


async def test_the_councils_plan_and_the_creative_groups_order(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    tenant = await new_tenant(runtime, world)
    chair = await person(runtime, tenant, Named("Лебедева", "Мария", "Ивановна"), signs_in=True)
    deputy = await person(runtime, tenant, Named("Соколов", "Иван", "Петрович"))
    member = await person(runtime, tenant, Named("Егорова", "Анна", "Павловна"))
    async with client_for(app, tenant.identities["curator"]) as curator:
        council = await created(
            curator, api(tenant, "council"), {"academic_year": dates.year, "leader_id": str(deputy)}
        )
        base = api(tenant, "council", council["id"])
        for who, position in ((deputy, "заместитель председателя"), (chair, "председатель совета")):
            await created(curator, f"{base}/members", {"person_id": str(who), "position": position})
        await meeting(
            curator,
            dates,
            base,
            "Утверждение плана методической работы",
            form="meeting",
            responsible_id=str(chair),
            outcome="План утвердить",
        )
        group = await created(
            curator,
            api(tenant, "creative_group"),
            {
                "academic_year": dates.year,
                "name": "Цифровая школа",
                "subject_area": "Цифровые ресурсы на уроке",
                "leader_id": str(chair),
                "products": "Банк заданий",
            },
        )
        await created(
            curator, f"{api(tenant, 'creative_group', group['id'])}/members", {"person_id": str(member)}
        )
    async with client_for(app, tenant.identities["Лебедева"]) as teacher:  # a teacher: reads both
        plan = document(
            await teacher.get(f"{base}/plan.docx"),
            f"План работы — Методический совет {file_year(dates)}.docx",
        )
        order = document(
            await teacher.get(
                api(tenant, "creative_group", "order.docx"),
                params={"number": "12-о", "issued_on": str(dates.today)},
            ),
            f"Приказ о создании творческих групп педагогов № 12-о от {dates.today:%d.%m.%Y}.docx",
        )
        groups_page = await teacher.get(page(tenant, "creative_group"))
        council_page = await teacher.get(page(tenant, "council", council["id"]))
        on_page = await send_form(
            teacher,
            page(tenant, "creative_group", "order.docx"),
            {"year": str(dates.year), "number": "12-о", "issued_on": str(dates.today)},
            page=page(tenant, "creative_group"),
        )
    assert f"План работы методического совета на {year_title(dates)} учебный год" in plan
    assert "Председатель: Лебедева Мария Ивановна." in plan  # by her position, not the leader Соколов
    assert "Соколов Иван Петрович\nзаместитель председателя" in plan
    assert "Утверждение плана методической работы\nЛебедева М. И.\nПлан утвердить" in plan
    assert "Председатель методического совета ____________ М. И. Лебедева" in plan
    assert f'action="{page(tenant, "creative_group", "order.docx")}"' in groups_page.text
    assert f'href="{page(tenant, "council", council["id"], "plan.docx")}"' in council_page.text
    assert "О создании творческих групп педагогов" in order
    assert "2.1. Лебедеву Марию Ивановну — творческой группы «Цифровая школа»." in order
    assert (
        "«Цифровая школа»\nЦифровые ресурсы на уроке\nЛебедева Мария Ивановна\nЕгорова Анна Павловна\nБанк заданий"
        in order
    )
    assert document(on_page) == order

    async with client_for(app, tenant.identities["curator"]) as curator:
        leaderless = await created(
            curator,
            api(tenant, "creative_group"),
            {"academic_year": dates.year, "name": "Без руководителя", "subject_area": "Проекты"},
        )
        refused = await curator.get(
            api(tenant, "creative_group", "order.docx"),
            params={"number": "13-о", "issued_on": str(dates.today)},
        )
        assert "у группы «Без руководителя» не назначен руководитель" in detail(refused)
        no_council_plan = await curator.get(api(tenant, "creative_group", group["id"], "plan.docx"))
        for made in (leaderless, group):
            assert (await curator.delete(api(tenant, "creative_group", made["id"]))).status_code == 204
        empty_year = await curator.get(
            api(tenant, "creative_group", "order.docx"),
            params={"number": "14-о", "issued_on": str(dates.today)},
        )
        assert f"на {year_title(dates)} учебный год нет ни одной группы" in detail(empty_year)
    assert no_council_plan.status_code == 404


# --- the region's templates ------------------------------------------------------------------------


async def test_a_regions_template_fills_the_decades_note_and_a_broken_one_is_a_422(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    first, last = decade_days(dates)
    region, school = await region_with_school(runtime, world)
    async with client_for(app, school.identities["curator"]) as curator:
        decade = await created(
            curator,
            api(school, "decade"),
            {
                "academic_year": dates.year,
                "name": "Декада истории",
                "subject_area": "МО историков",
                "starts_on": str(first),
                "ends_on": str(last),
            },
        )
    own = docx_with("РЕГИОН: {{ decade.title }}, {{ kind_title }}")
    broken = docx_with("{{ field_the_documents_lost }}")
    async with runtime.owner_sessions() as db:
        for code, content in (("decade_note", own), ("decade_plan", broken)):
            db.add(
                RegionDocumentTemplate(
                    region_id=region.id,
                    code=code,
                    content=content,
                    file_name="регион.docx",
                    uploaded_by=region.staff,
                )
            )
        await db.commit()
    async with client_for(app, school.identities["curator"]) as curator:
        note = document(await curator.get(api(school, "decade", decade["id"], "note.docx")))
        plan = await curator.get(api(school, "decade", "plan.docx"))
        plan_page = await curator.get(page(school, "decade", "plan.docx"))
    assert note == "РЕГИОН: Декада истории, Предметные декады"
    assert plan.status_code == 422
    assert plan.json()["detail"].startswith(
        "Документ «План проведения предметных декад» не сформирован: шаблон, загруженный регионом,"
    )
    assert plan.json()["errors"][0]["field"] == "template"
    assert plan_page.status_code == 422
    assert "Региону нужно исправить шаблон" in plan_page.text
    assert [d for d, _, _ in await exports(runtime, school)] == ["decade_note"]  # a failed one is no export
