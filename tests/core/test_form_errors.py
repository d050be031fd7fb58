"""A page form with errors comes back on its own page: what was typed, each message beside its field."""

from __future__ import annotations

import re
from datetime import timedelta

from litestar import Litestar

from nastavnik.runtime import Runtime
from tests.support.dates import RegionDates
from tests.support.forms import field_error, send_form
from tests.support.http import client_for
from tests.support.programme import form_pair, meeting, staffed_programme
from tests.support.world import World


async def test_refused_new_person_comes_back_filled_in_with_messages_beside_fields(
    app: Litestar, world: World
) -> None:
    org = world.orgs["school_a"]
    people = f"/o/{org.slug}/people"
    async with client_for(app, org.identities["curator"]) as client:
        sent = await send_form(
            client,
            people,
            {
                "last_name": "  ",
                "first_name": "Ёлкина",
                "middle_name": "Петровна",
                "email": '"><script>x</script>',
                "category": "learner",
            },
            follow_redirects=False,
        )
        shown = await client.get(sent.headers["location"])
        again = await client.get(people)
        listed = (await client.get(f"/api/o/{org.slug}/people")).json()
    assert (sent.status_code, sent.headers["location"]) == (303, people)
    html = shown.text
    # Inside the normal page: the layout and the organisation's navigation are there.
    assert shown.status_code == 200
    assert 'aria-label="Разделы организации"' in html
    assert "<h1>Люди</h1>" in html
    # The summary names the fields in Russian and links to them; each message sits beside its field.
    assert "Данные человека содержат ошибки." in html
    assert '<a href="#f-last_name">Фамилия</a>: укажите фамилию' in html
    assert field_error(html, "last_name") == "укажите фамилию"
    assert field_error(html, "email")
    assert field_error(html, "first_name") == ""
    assert re.search(
        r'name="last_name" id="f-last_name" aria-invalid="true" aria-describedby="e-last_name"', html
    )
    # What was typed is kept.
    assert 'value="Ёлкина"' in html
    assert 'value="Петровна"' in html
    assert 'value="&#34;&gt;&lt;script&gt;x&lt;/script&gt;"' in html  # kept, and escaped
    assert "<script>x" not in html
    assert '<option value="learner" selected>' in html
    # Shown once: the next visit is a clean form; nothing was written.
    assert "Данные человека содержат ошибки." not in again.text
    assert 'value="Ёлкина"' not in again.text
    assert not any(p["first_name"] == "Ёлкина" for p in listed)


async def test_refused_edit_keeps_the_typed_values_over_the_stored_ones(app: Litestar, world: World) -> None:
    org = world.orgs["school_a"]
    person = org.persons["mentor"]
    card = f"/o/{org.slug}/people/{person}"
    async with client_for(app, org.identities["curator"]) as client:
        stored = (await client.get(f"/api/o/{org.slug}/people/{person}")).json()
        sent = await send_form(
            client,
            card,
            {
                "version": str(stored["version"]),
                "last_name": "Новая",
                "first_name": "",
                "middle_name": "",
                "email": "",
                "category": stored["category"],
            },
        )
        after = (await client.get(f"/api/o/{org.slug}/people/{person}")).json()
    assert sent.status_code == 200
    assert field_error(sent.text, "first_name") == "укажите имя"
    assert 'value="Новая"' in sent.text  # what was typed, not the stored surname
    assert after["last_name"] == stored["last_name"]  # nothing half-written


async def test_a_form_from_another_site_or_without_referer_gets_the_error_page(
    app: Litestar, world: World
) -> None:
    org = world.orgs["school_a"]
    people = f"/o/{org.slug}/people"
    data = {"last_name": "", "first_name": "Имя", "category": "learner"}
    async with client_for(app, org.identities["curator"]) as client:
        foreign = await client.post(
            people, data=data, headers={"referer": "https://evil.example/o/x/people"}, follow_redirects=False
        )
        bare = await client.post(people, data=data, follow_redirects=False)
    # Never an open redirect; without a page to go back to, the error page as before.
    for response in (foreign, bare):
        assert response.status_code == 422
        assert "укажите фамилию" in response.text


async def test_a_refused_headcount_form_comes_back_filled_in(app: Litestar, world: World) -> None:
    org = world.orgs["school_a"]
    headcounts = f"/o/{org.slug}/headcounts"
    async with client_for(app, org.identities["curator"]) as client:
        counts = await send_form(
            client,
            headcounts,
            {
                "academic_year": "2026",
                "learners_total": "много",
                "learners_10_18": "12",
                "pedagogues": "5",
                "young_pedagogues": "1",
            },
        )
    assert counts.status_code == 200
    assert field_error(counts.text, "learners_total") == "ожидается целое число"
    assert 'value="много"' in counts.text
    assert 'value="12"' in counts.text
    assert 'value="12"' in counts.text
    assert '<a href="#f-learners_total">Обучающихся всего</a>' in counts.text


async def test_refused_pair_keeps_the_chosen_people_and_the_dates(
    app: Litestar, runtime: Runtime, world: World, dates: RegionDates
) -> None:
    async with staffed_programme(runtime, app, world) as (tenant, ids, curator, pid):
        groups = f"/o/{tenant.slug}/programmes/{pid}/groups"
        empty = await curator.get(groups)
        form_code = re.search(r'<select name="form_code"[^>]*><option value="([^"]+)"', empty.text)
        assert form_code is not None
        shown = await send_form(
            curator,
            groups,
            {
                f"mentee_{ids['orlova']}": "on",
                "form_code": form_code.group(1),
                "kind_code": "traditional",
                "role_model_code": "",
                "starts_on": dates.term["starts_on"],
                "ends_on": "2099-12-31",
            },
        )
        formed = (await curator.get(f"/api/o/{tenant.slug}/programmes/{pid}/groups")).json()
    assert shown.status_code == 200
    assert "выберите наставника" in field_error(shown.text, "mentor_ids")
    assert f'name="mentee_{ids["orlova"]}" checked' in shown.text  # the mentee chosen stays chosen
    assert f'name="mentee_{ids["belov"]}" checked' not in shown.text
    assert 'value="2099-12-31"' in shown.text
    assert formed == []


async def test_refused_mentor_profile_keeps_what_was_typed(app: Litestar, world: World) -> None:
    org = world.orgs["school_a"]
    person = org.persons["mentor"]
    card = f"/o/{org.slug}/people/{person}"
    async with client_for(app, org.identities["curator"]) as client:
        shown = await send_form(
            client,
            f"{card}/mentor-profile",
            {
                "competencies": "проектная деятельность",
                "subjects": "физика",
                "experience_years": "12",
                "capacity": "0",
                "status": "reserve",
                "training": "",
                "consent_on": "",
            },
            page=card,
        )
    assert shown.status_code == 200
    assert field_error(shown.text, "capacity")
    assert 'value="проектная деятельность"' in shown.text
    assert '<option value="reserve" selected>резерв</option>' in shown.text


async def test_refused_journal_entry_comes_back_on_the_pairs_page(
    app: Litestar, runtime: Runtime, world: World, dates: RegionDates
) -> None:
    pair = await form_pair(runtime, app, world)
    async with client_for(app, pair.tenant.identities["mentor:Смирнова"]) as mentor:
        shown = await send_form(
            mentor,
            f"{pair.page}/journal",
            {**meeting(met_on=str(dates.today + timedelta(days=1))), "topic": "Разбор урока"},
            page=pair.page,
        )
        journal = (await mentor.get(f"{pair.api}/journal")).json()
    assert shown.status_code == 200
    assert "Журнал наставника" in shown.text
    assert field_error(shown.text, "met_on")
    assert 'value="Разбор урока"' in shown.text
    assert ">Разобрали технологическую карту</textarea>" in shown.text
    assert journal == []


async def test_refused_order_keeps_its_number_and_chosen_pairs(
    app: Litestar, runtime: Runtime, world: World, dates: RegionDates
) -> None:
    pair = await form_pair(runtime, app, world)
    groups = f"/o/{pair.tenant.slug}/programmes/{pair.programme_id}/groups"
    async with client_for(app, pair.tenant.identities["curator"]) as curator:
        shown = await send_form(
            curator,
            f"/o/{pair.tenant.slug}/programmes/{pair.programme_id}/orders",
            {
                "kind": "pairs_formation",
                "number": "12-од",
                "issued_on": str(dates.today + timedelta(days=3)),
                f"group_{pair.group_id}": "on",
            },
            page=groups,
        )
        orders = await curator.get(groups)
    assert shown.status_code == 200
    assert field_error(shown.text, "issued_on") == "дата приказа не может быть в будущем"
    assert 'value="12-од"' in shown.text
    assert f'name="group_{pair.group_id}" checked' in shown.text
    assert "Приказов пока нет." in orders.text
