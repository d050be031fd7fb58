"""The methodical council's plan and the creative groups over HTTP; what a kindergarten has, and what a
school has once the schools plugin is switched off (nothing)."""

from __future__ import annotations

from litestar import Litestar

from nastavnik.runtime import Runtime
from tests.methodical.support import api, created, detail, person
from tests.support.dates import RegionDates
from tests.support.http import client_for
from tests.support.tenant import Named, new_tenant
from tests.support.world import World


async def test_the_councils_members_positions_agenda_and_decisions(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    tenant = await new_tenant(runtime, world)
    chair = await person(runtime, tenant, Named("Лебедева", "Мария", "Ивановна"))
    secretary = await person(runtime, tenant, Named("Соколов", "Иван", "Петрович"))
    async with client_for(app, tenant.identities["director"]) as director:
        council = await created(director, api(tenant, "council"), {"academic_year": dates.year})
        assert council["name"] == "Методический совет"
        again = await director.post(api(tenant, "council"), json={"academic_year": dates.year})
        assert "Методический совет на" in detail(again, 409)
        base = api(tenant, "council", council["id"])
        await created(director, f"{base}/members", {"person_id": str(chair), "position": "председатель"})
        added = await created(
            director, f"{base}/members", {"person_id": str(secretary), "position": "член совета"}
        )
        assert added["warnings"] == []
        moved = await director.put(f"{base}/members/{secretary}", json={"position": "секретарь"})
        assert moved.status_code == 200, moved.text
        assert moved.json()["position"] == "секретарь"
        meeting = await created(
            director,
            f"{base}/events",
            {
                "held_on": str(dates.today),
                "topic": "Утверждение плана методической работы",
                "form": "meeting",
                "responsible_id": str(chair),
                "status": "held",
                "outcome": "План утвердить; руководителям МО представить планы декад.",
            },
        )
        assert meeting["form_title"] == "Заседание"
        shown = (await director.get(base)).json()
        removed = await director.delete(f"{base}/members/{chair}")
        assert removed.status_code == 204
        missing = await director.delete(f"{base}/members/{chair}")
        assert missing.status_code == 404
    assert sorted((m["person"]["full_name"], m["position"]) for m in shown["members"]) == [
        ("Лебедева Мария Ивановна", "председатель"),
        ("Соколов Иван Петрович", "секретарь"),
    ]
    assert [(e["topic"], e["status_title"], e["outcome"]) for e in shown["events"]] == [
        (
            "Утверждение плана методической работы",
            "проведено",
            "План утвердить; руководителям МО представить планы декад.",
        )
    ]


async def test_creative_groups_with_topic_leader_members_and_products(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    tenant = await new_tenant(runtime, world)
    leader = await person(runtime, tenant, Named("Фомина", "Ирина"), signs_in=True)
    member = await person(runtime, tenant, Named("Жуков", "Олег"))
    async with client_for(app, tenant.identities["curator"]) as curator:
        topicless = await curator.post(
            api(tenant, "creative_group"), json={"academic_year": dates.year, "name": "Группа"}
        )
        assert "укажите тему" in detail(topicless)
        first = await created(
            curator,
            api(tenant, "creative_group"),
            {
                "academic_year": dates.year,
                "name": "Функциональная грамотность",
                "subject_area": "Формирование функциональной грамотности на уроках",
                "leader_id": str(leader),
            },
        )
        await created(
            curator,
            api(tenant, "creative_group"),
            {"academic_year": dates.year, "name": "Цифровая школа", "subject_area": "Цифровые ресурсы урока"},
        )
    base = api(tenant, "creative_group", first["id"])
    async with client_for(app, tenant.identities["Фомина"]) as group_leader:
        await created(group_leader, f"{base}/members", {"person_id": str(member)})
        workshop = await created(
            group_leader,
            f"{base}/events",
            {"held_on": str(dates.today), "topic": "Банк заданий", "form": "workshop"},
        )
        assert workshop["form_title"] == "Практикум"
        products = await group_leader.put(
            base,
            json={
                "version": first["version"],
                "name": first["name"],
                "subject_area": first["subject_area"],
                "leader_id": str(leader),
                "products": "Сборник заданий по функциональной грамотности для 5–7 классов",
            },
        )
        assert products.status_code == 200, products.text
        foreign = await group_leader.post(
            f"{api(tenant, 'creative_group')}",
            json={"academic_year": dates.year, "name": "Своя", "subject_area": "Тема"},
        )
        assert foreign.status_code == 403  # groups are created by the curator or the director
        year = (await group_leader.get(api(tenant, "creative_group"))).json()
    assert [
        (
            r["association"]["name"],
            r["association"]["leader"] and r["association"]["leader"]["full_name"],
            r["members"],
        )
        for r in year["associations"]
    ] == [("Функциональная грамотность", "Фомина Ирина", 1), ("Цифровая школа", None, 0)]
    assert year["associations"][0]["association"]["products"].startswith("Сборник заданий")


async def test_a_kindergarten_has_only_its_club(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    tenant = await new_tenant(runtime, world, org_type="kindergarten", full_name="МБДОУ «Детский сад № 5»")
    async with client_for(app, tenant.identities["curator"]) as curator:
        offered = (await curator.get(f"/api/o/{tenant.slug}/methodical")).json()
        home = (await curator.get(f"/o/{tenant.slug}/")).text
        club = await curator.get(api(tenant, "club"))
        others = [await curator.get(api(tenant, shape)) for shape in ("decade", "council", "creative_group")]
        write = await curator.post(
            api(tenant, "decade"),
            json={
                "academic_year": dates.year,
                "name": "Д",
                "subject_area": "МО",
                "starts_on": str(dates.today),
                "ends_on": str(dates.today),
            },
        )
        unknown = await curator.get(api(tenant, "seminar"))
    assert [(k["shape"], k["title"]) for k in offered] == [("club", "Клуб молодого педагога")]
    assert f'href="/o/{tenant.slug}/methodical/club"' in home
    assert "/methodical/decade" not in home
    assert club.status_code == 200
    assert club.json()["kind"]["event_forms"][0] == {"code": "seminar", "title": "Семинар-практикум"}
    assert [r.status_code for r in others] == [404, 404, 404]
    assert write.status_code == 404
    assert unknown.status_code == 404


async def test_a_school_without_its_plugin_has_none_of_it(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    tenant = await new_tenant(runtime, world)
    async with client_for(app, tenant.identities["curator"]) as curator:
        club = await created(
            curator, api(tenant, "club"), {"academic_year": dates.year, "name": "Звёзды будущего"}
        )
        home = (await curator.get(f"/o/{tenant.slug}/")).text
        assert f'href="/o/{tenant.slug}/methodical/decade"' in home
        off = await curator.put(
            f"/api/o/{tenant.slug}/plugins/schools", json={"enabled": False, "settings": {}}
        )
        assert off.status_code == 200, off.text
        offered = (await curator.get(f"/api/o/{tenant.slug}/methodical")).json()
        home_off = (await curator.get(f"/o/{tenant.slug}/")).text
        statuses = [
            (await curator.get(api(tenant, "club"))).status_code,
            (await curator.get(api(tenant, "club", club["id"]))).status_code,
            (await curator.get(f"/o/{tenant.slug}/methodical/club")).status_code,
            (
                await curator.post(
                    api(tenant, "club", club["id"], "events"),
                    json={"held_on": str(dates.today), "topic": "Семинар", "form": "seminar"},
                )
            ).status_code,
        ]
        on = await curator.put(
            f"/api/o/{tenant.slug}/plugins/schools", json={"enabled": True, "settings": {}}
        )
        assert on.status_code == 200
        back = await curator.get(api(tenant, "club", club["id"]))
    assert offered == []
    assert "/methodical/" not in home_off
    assert statuses == [404, 404, 404, 404]
    assert back.status_code == 200  # switched on again: the club was kept
