"""The methodical work's pages over HTTP with CSRF, as a browser sends them: create, a refused form back on
its page with each message beside its field, edit, members with the club's note, attendance, and deletes
that ask first."""

from __future__ import annotations

from datetime import timedelta

from litestar import Litestar

from nastavnik.runtime import Runtime
from tests.methodical.support import api, page, person
from tests.support.dates import RegionDates
from tests.support.forms import field_error, send_form
from tests.support.http import client_for
from tests.support.tenant import Named, new_tenant
from tests.support.world import World


async def test_a_club_made_and_run_through_its_pages(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    tenant = await new_tenant(runtime, world)
    leader = await person(runtime, tenant, Named("Ковалёва", "Елена"), signs_in=True)
    young = await person(runtime, tenant, Named("Орлова", "Анна"), young_since=dates.starts)
    veteran = await person(runtime, tenant, Named("Громов", "Пётр"))
    await person(runtime, tenant, Named("Лисицына", "Ольга"), signs_in=True)
    await person(runtime, tenant, Named("Петров", "Ваня"), category="learner", signs_in=True)
    year_page = page(tenant, "club")
    async with client_for(app, tenant.identities["curator"]) as curator:
        listed = await curator.get(year_page)
        assert listed.status_code == 200
        assert "<h1>Клуб молодых учителей</h1>" in listed.text
        assert "Ковалёва Елена" in listed.text  # offered as the leader
        made = await send_form(
            curator,
            year_page,
            {"academic_year": str(dates.year), "name": "Звёзды будущего", "leader_id": str(leader)},
            follow_redirects=False,
        )
        assert made.status_code in (302, 303), made.text
        club_page = made.headers["location"]
        shown = await curator.get(club_page)
        assert "<h1>Звёзды будущего</h1>" in shown.text
        # A second club of the year: refused back on the list page, nothing written.
        again = await send_form(curator, year_page, {"academic_year": str(dates.year), "name": "Второй"})
        assert f"Клуб молодых учителей на {dates.year}/{dates.year + 1} учебный год уже есть." in again.text
        club_id = club_page.rsplit("/", 1)[1]
    async with client_for(app, tenant.identities["Ковалёва"]) as lead:
        for member in (young, veteran):
            added = await send_form(lead, f"{club_page}/members", {"person_id": str(member)}, page=club_page)
            assert added.status_code == 200
        roster = added.text
        assert "Громов Пётр не молодой педагог: принят решением клуба" in roster
        assert "Орлова Анна не молодой педагог" not in roster
        wrong = await send_form(
            lead,
            f"{club_page}/events",
            {"held_on": str(dates.starts - timedelta(days=1)), "topic": "Портфолио", "form": "seminar"},
            page=club_page,
        )
        assert field_error(wrong.text, "held_on").startswith("в пределах")
        assert 'value="Портфолио"' in wrong.text  # what was typed is kept
        planned = await send_form(
            lead,
            f"{club_page}/events",
            {
                "held_on": str(dates.today),
                "topic": "Портфолио педагога",
                "form": "master_class",
                "status": "planned",
            },
            page=club_page,
        )
        assert "Портфолио педагога" in planned.text
        event = (await lead.get(api(tenant, "club", club_id))).json()["events"][0]
        event_page = f"{club_page}/events/{event['id']}"
        attended = await send_form(
            lead, f"{event_page}/participants", {f"attendee_{young}": "on"}, page=event_page
        )
        assert "Присутствовали" in attended.text
        assert (
            "Орлова Анна"
            in attended.text.split('<h2 id="participants">Присутствовали</h2>')[1].split("</p>")[0]
        )
        edited = await send_form(
            lead,
            event_page,
            {
                "version": str(event["version"]),
                "held_on": str(dates.today),
                "topic": "Портфолио педагога",
                "form": "master_class",
                "status": "held",
                "outcome": "Каждый начал портфолио",
            },
        )
        assert "Каждый начал портфолио" in edited.text
        stale = await send_form(
            lead,
            event_page,
            {
                "version": str(event["version"]),
                "held_on": str(dates.today),
                "topic": "Старое",
                "form": "seminar",
            },
        )
        assert "Мероприятие уже изменил другой пользователь" in stale.text
        # Removing a member asks to confirm; without the tick nothing happens.
        unticked = await send_form(lead, f"{club_page}/members/{veteran}/delete", {}, page=club_page)
        assert field_error(unticked.text, "confirm") == "отметьте подтверждение"
        assert "Громов Пётр" in unticked.text
        removed = await send_form(
            lead, f"{club_page}/members/{veteran}/delete", {"confirm": "yes"}, page=club_page
        )
        assert "Громов Пётр не молодой педагог" not in removed.text
        roster = (await lead.get(api(tenant, "club", club_id))).json()["members"]
        assert [m["person"]["full_name"] for m in roster] == ["Орлова Анна"]
    async with client_for(app, tenant.identities["Лисицына"]) as teacher:
        read = await teacher.get(club_page)
        assert read.status_code == 200
        assert "Портфолио педагога" in read.text
        assert f'action="{club_page}/members"' not in read.text  # a reader gets no forms
        assert f'href="/o/{tenant.slug}/methodical/club"' in read.text  # the menu shows the club
        forbidden = await send_form(
            teacher, f"{club_page}/events", {"held_on": str(dates.today), "topic": "Т", "form": "seminar"}
        )
        assert forbidden.status_code == 403
    async with client_for(app, tenant.identities["Петров"]) as pupil:
        assert (await pupil.get(club_page)).status_code == 404
        home = await pupil.get(f"/o/{tenant.slug}/")
        assert "/methodical/" not in home.text  # no menu item for a learner


async def test_a_decade_edited_and_deleted_through_its_pages(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    tenant = await new_tenant(runtime, world)
    pupils = [
        await person(runtime, tenant, Named(n, "Ученик"), category="learner") for n in ("Авдеев", "Быков")
    ]
    first = max(dates.starts, dates.today - timedelta(days=3))
    last = min(dates.ends, first + timedelta(days=7))
    year_page = page(tenant, "decade")
    decade = {
        "academic_year": str(dates.year),
        "name": "Декада истории",
        "subject_area": "МО историков",
        "starts_on": str(first),
        "ends_on": str(last),
    }
    async with client_for(app, tenant.identities["curator"]) as curator:
        long = await send_form(curator, year_page, {**decade, "ends_on": str(first + timedelta(days=40))})
        # Too long, or (late in the year) past its end as well: refused beside the last day.
        assert field_error(long.text, "ends_on").startswith(("не дольше 31 дней", "в пределах"))
        assert 'value="Декада истории"' in long.text
        made = await send_form(curator, year_page, decade, follow_redirects=False)
        decade_page = made.headers["location"]
        decade_id = decade_page.rsplit("/", 1)[1]
        await send_form(
            curator,
            f"{decade_page}/events",
            {
                "held_on": str(max(first, dates.today)),
                "topic": "Историческая викторина",
                "form": "contest",
                "classes": "7А",
            },
            page=decade_page,
        )
        shown = (await curator.get(api(tenant, "decade", decade_id))).json()
        event = shown["events"][0]
        event_page = f"{decade_page}/events/{event['id']}"
        if max(first, dates.today) <= dates.today:
            stranger = await send_form(
                curator,
                f"{event_page}/participants",
                {f"learner_{pupils[0]}": "on", f"place_{pupils[1]}": "winner"},
                page=event_page,
            )
            assert "Быков Ученик не среди участников мероприятия" in field_error(stranger.text, "winners")
            placed = await send_form(
                curator,
                f"{event_page}/participants",
                {f"learner_{pupils[0]}": "on", f"place_{pupils[0]}": "winner", f"learner_{pupils[1]}": "on"},
                page=event_page,
            )
            assert "Авдеев Ученик — победитель" in placed.text
        edited = await send_form(
            curator,
            decade_page,
            {
                "version": str(shown["association"]["version"]),
                "name": "Декада истории и обществознания",
                "subject_area": "МО историков",
                "starts_on": str(first),
                "ends_on": str(last),
                "summary": "Справка: проведена викторина",
            },
        )
        assert "<h1>Декада истории и обществознания</h1>" in edited.text
        asked = await curator.get(f"{event_page}/delete")
        assert "Удалить мероприятие «Историческая викторина»" in asked.text
        await send_form(curator, f"{event_page}/delete", {"confirm": "yes"}, page=f"{event_page}/delete")
        assert (await curator.get(event_page)).status_code == 404
        confirm = await curator.get(f"{decade_page}/delete")
        assert "Удалить «Декада истории и обществознания»?" in confirm.text
        not_yet = await send_form(
            curator, f"{decade_page}/delete", {}, page=decade_page, follow_redirects=False
        )
        assert not_yet.headers["location"].endswith("/delete")
        assert (await curator.get(decade_page)).status_code == 200
        gone = await send_form(
            curator, f"{decade_page}/delete", {"confirm": "yes"}, page=f"{decade_page}/delete"
        )
        assert gone.status_code == 200
        assert "Декада истории" not in gone.text
        assert (await curator.get(decade_page)).status_code == 404


async def test_every_shapes_pages_render_in_the_plugins_words(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    """Each shape's year, association and event pages, for a manager (with forms) and a reader (without)."""
    tenant = await new_tenant(runtime, world)
    await person(runtime, tenant, Named("Лисицына", "Ольга"), signs_in=True)
    bodies = {
        "club": ({"academic_year": dates.year}, "seminar", "Клуб молодых учителей"),
        "council": ({"academic_year": dates.year}, "meeting", "Методический совет"),
        "creative_group": (
            {
                "academic_year": dates.year,
                "name": "Грамотность",
                "subject_area": "Функциональная грамотность",
            },
            "workshop",
            "Творческие группы",
        ),
        "decade": (
            {
                "academic_year": dates.year,
                "name": "Декада физики",
                "subject_area": "МО естественников",
                "starts_on": str(dates.today),
                "ends_on": str(dates.today),
            },
            "open_lesson",
            "Предметные декады",
        ),
    }
    for shape, (body, form, plural) in bodies.items():
        async with client_for(app, tenant.identities["curator"]) as curator:
            made = (await curator.post(api(tenant, shape), json=body)).json()
            event = (
                await curator.post(
                    api(tenant, shape, made["id"], "events"),
                    json={"held_on": str(dates.today), "topic": f"Тема {shape}", "form": form},
                )
            ).json()
            pages = [
                await curator.get(page(tenant, shape)),
                await curator.get(page(tenant, shape, made["id"])),
                await curator.get(page(tenant, shape, made["id"], "events", event["id"])),
            ]
        async with client_for(app, tenant.identities["Лисицына"]) as teacher:
            read = [
                await teacher.get(page(tenant, shape, made["id"])),
                await teacher.get(page(tenant, shape, made["id"], "events", event["id"])),
            ]
        assert [p.status_code for p in pages + read] == [200] * 5, shape
        assert f"<h1>{plural}</h1>" in pages[0].text
        assert f"Тема {shape}" in pages[1].text
        assert (
            f'action="{page(tenant, shape, made["id"], "events", event["id"])}/participants"' in pages[2].text
        )
        assert "/participants" not in read[1].text.split("<main", 1)[1]
