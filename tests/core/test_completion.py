"""Stage 7 and the next year: pairs complete or end early, the programme closes read-only, the next opens."""

from __future__ import annotations

from datetime import timedelta

from litestar import Litestar
from sqlalchemy import func, select

from nastavnik.domain.questionnaires.models import QuestionnaireAssignment
from nastavnik.runtime import Runtime
from tests.support.dates import RegionDates
from tests.support.http import Client, client_for
from tests.support.programme import active_pair, found, open_programme
from tests.support.tenant import Named, Tenant, add_mentee, add_mentor, new_tenant
from tests.support.world import World


async def test_a_pair_completes_or_ends_early_and_frees_its_mentor(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    today = str(dates.today)
    tenant = await new_tenant(runtime, world)
    mentor = await add_mentor(runtime, tenant, Named("Сидорова", "Галина", "Петровна"), capacity=1)
    first = await add_mentee(runtime, tenant, Named("Новикова", "Нина", "Петровна"))
    second = await add_mentee(runtime, tenant, Named("Орлова", "Анна", "Викторовна"))
    async with client_for(app, tenant.identities["curator"]) as curator:
        pid = await open_programme(curator, tenant)
        base = f"/api/o/{tenant.slug}/programmes/{pid}"
        group = await active_pair(curator, tenant, pid, mentor, first)
        url = f"{base}/groups/{group['id']}"
        # The mentor's one place is taken: the second mentee gets no suggestion.
        assert (await curator.post(f"{base}/matching", json={})).json()["suggestions"] == []

        empty = await curator.post(
            f"{url}/complete", json={"version": group["version"], "result": " ", "ended_on": today}
        )
        future = await curator.post(
            f"{url}/complete",
            json={
                "version": group["version"],
                "result": "Итоги",
                "ended_on": str(dates.today + timedelta(days=3)),
            },
        )
        stale = await curator.post(
            f"{url}/complete", json={"version": 99, "result": "Итоги", "ended_on": today}
        )
        done = await curator.post(
            f"{url}/complete",
            json={"version": group["version"], "result": "Проведено 8 открытых уроков", "ended_on": today},
        )
        again = await curator.post(
            f"{url}/end-early",
            json={"version": done.json()["version"], "reason": "Переезд", "ended_on": today},
        )
        # Completed: the mentor has their place back, so the second mentee is suggested to them.
        suggested = (await curator.post(f"{base}/matching", json={})).json()["suggestions"]
        second_group = await active_pair(curator, tenant, pid, mentor, second)
        early = await curator.post(
            f"{base}/groups/{second_group['id']}/end-early",
            json={"version": second_group["version"], "reason": "Увольнение наставника", "ended_on": today},
        )
    assert empty.status_code == 422
    assert "укажите итоги работы пары" in empty.text
    assert future.status_code == 422
    assert "не может быть в будущем" in future.text
    assert stale.status_code == 409
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["status_title"]) == ("completed", "завершена")
    assert again.status_code == 422
    assert "только действующую пару" in again.text
    assert [(s["mentee"]["full_name"], s["mentor"]["full_name"]) for s in suggested] == [
        ("Орлова Анна Викторовна", "Сидорова Галина Петровна")
    ]
    assert early.status_code == 200, early.text
    assert early.json()["status"] == "ended_early"
    # Each ended pair gave its mentor and its mentee the final questionnaires, once each.
    async with runtime.owner_sessions() as db:
        given = await db.execute(
            select(QuestionnaireAssignment.group_id, QuestionnaireAssignment.role, func.count())
            .where(QuestionnaireAssignment.org_id == tenant.id, QuestionnaireAssignment.moment == "end")
            .group_by(QuestionnaireAssignment.group_id, QuestionnaireAssignment.role)
        )
        assert sorted((str(g), r, n) for g, r, n in given) == sorted(
            (g, r, 1) for g in (group["id"], second_group["id"]) for r in ("mentee", "mentor")
        )


async def walk_to_the_last_stage(curator: Client, tenant: Tenant, pid: str, dates: RegionDates) -> None:
    """Everything each stage needs, given through the API, then every stage moved on."""
    today = str(dates.today)
    base = f"/api/o/{tenant.slug}/programmes/{pid}"
    await found(curator, base, today)
    for _ in range(6):
        shown = (await curator.get(base)).json()
        for mentor in shown["untrained_mentors"]:  # stage 4: every mentor of an open pair has been trained
            trained = await curator.post(
                f"/api/o/{tenant.slug}/people/{mentor['person_id']}/trainings",
                json={
                    "course": "Наставничество в образовательной организации",
                    "provider": "Институт развития образования",
                    "hours": 36,
                    "started_on": today,
                    "finished_on": today,
                },
            )
            assert trained.status_code == 201, trained.text
        moved = await curator.post(f"{base}/advance", json={"version": shown["programme"]["version"]})
        assert moved.status_code == 200, moved.text


async def test_a_year_closes_read_only_and_the_next_starts_from_it(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    today = str(dates.today)
    tenant = await new_tenant(runtime, world)
    mentor = await add_mentor(runtime, tenant, Named("Сидорова", "Галина", "Петровна"), capacity=1)
    mentee = await add_mentee(runtime, tenant, Named("Новикова", "Нина", "Петровна"))
    async with client_for(app, tenant.identities["curator"]) as curator:
        pid = await open_programme(curator, tenant)
        base = f"/api/o/{tenant.slug}/programmes/{pid}"
        early_close = await curator.post(f"{base}/close", json={"version": 1})
        group = await active_pair(curator, tenant, pid, mentor, mentee)
        await walk_to_the_last_stage(curator, tenant, pid, dates)
        shown = (await curator.get(base)).json()
        assert shown["closing_lacks"] == ["действующих пар и групп: 1 — завершите их"]
        not_yet = await curator.post(f"{base}/next-year", json=None)
        done = await curator.post(
            f"{base}/groups/{group['id']}/complete",
            json={"version": group["version"], "result": "План выполнен", "ended_on": today},
        )
        assert done.status_code == 200, done.text
        unconfirmed = await curator.post(f"/o/{tenant.slug}/programmes/{pid}/close", data={"version": "7"})
        closed = await curator.post(
            f"{base}/close", json={"version": (await curator.get(base)).json()["programme"]["version"]}
        )
        edit_after = await curator.post(
            f"{base}/roadmap",
            json={
                "stage": 7,
                "title": "Поздно",
                "due_on": f"{dates.year + 1}-05-30",
                "responsible": "Куратор",
            },
        )
        pair_after = await curator.post(
            f"{base}/groups/{group['id']}/end-early", json={"version": 9, "reason": "x", "ended_on": today}
        )
        following = await curator.post(f"{base}/next-year", json=None)
        twice = await curator.post(f"{base}/next-year", json=None)
        new_base = f"/api/o/{tenant.slug}/programmes/{following.json()['id']}"
        carried = (await curator.get(new_base)).json()
        # The bases carried over with the people: the mentee may be paired again in the new year.
        suggested = (await curator.post(f"{new_base}/matching", json={})).json()["suggestions"]
    assert early_close.status_code == 422
    assert "ещё не на этапе «Завершение наставничества»" in early_close.text
    assert not_yet.status_code == 422
    assert "после закрытия программы" in not_yet.text
    assert unconfirmed.status_code == 422
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "closed"
    assert edit_after.status_code == 422
    assert "только для чтения" in edit_after.text
    assert pair_after.status_code == 422
    assert following.status_code == 201, following.text
    assert twice.status_code == 409
    programme = carried["programme"]
    assert (programme["academic_year"], programme["regime"], programme["status"], programme["stage"]) == (
        dates.year + 1,
        "pedagogues",
        "open",
        1,
    )
    assert (programme["polozhenie_status"], programme["polozhenie_order_no"]) == ("approved", "15-од")
    assert [(i["title"], i["due_on"], i["done"]) for i in carried["roadmap"]] == [
        ("Педсовет о внедрении", f"{dates.year + 1}-09-30", False)
    ]
    assert [(s["mentee"]["full_name"], s["mentor"]["full_name"]) for s in suggested] == [
        ("Новикова Нина Петровна", "Сидорова Галина Петровна")
    ]
