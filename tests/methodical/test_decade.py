"""Subject decades over HTTP: the year's plan by methodical association, a decade's events with classes and
observers, its learners and their places, the analytic note; and the refusals, each changing nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar import Litestar
from sqlalchemy import select

from nastavnik.domain.methodical.models import Association
from nastavnik.models.audit import AuditEvent
from nastavnik.runtime import Runtime
from tests.methodical.support import api, created, decade as decade_days, detail, fields, person
from tests.support.dates import RegionDates
from tests.support.http import client_for
from tests.support.tenant import Named, Tenant, new_tenant
from tests.support.world import World

DECADE = "decade"


def decade_body(dates: RegionDates, **extra: Any) -> dict[str, Any]:
    """A decade over ten days of the year under way around today (``decade``), so that today's events may
    already have their results."""
    first_day, last_day = decade_days(dates)
    return {
        "academic_year": dates.year,
        "name": "Декада математики",
        "subject_area": "МО учителей математики",
        "starts_on": str(first_day),
        "ends_on": str(last_day),
        **extra,
    }


async def decade_school(runtime: Runtime, world: World) -> tuple[Tenant, dict[str, Any]]:
    tenant = await new_tenant(runtime, world)
    ids: dict[str, Any] = {
        "head": await person(runtime, tenant, Named("Ершова", "Лидия", "Павловна"), signs_in=True),
        "teacher": await person(runtime, tenant, Named("Кротов", "Илья", "Андреевич")),
        "observer": await person(runtime, tenant, Named("Юдина", "Вера", "Олеговна")),
        **{
            key: await person(runtime, tenant, Named(last, first), category="learner")
            for key, last, first in (
                ("anna", "Андреева", "Анна"),
                ("boris", "Борисов", "Борис"),
                ("vera", "Васина", "Вера"),
                ("gleb", "Глебов", "Глеб"),
            )
        },
    }
    return tenant, ids


async def test_a_decade_its_events_observers_learners_and_winners(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    first_day, last_day = decade_days(dates)
    tenant, ids = await decade_school(runtime, world)
    async with client_for(app, tenant.identities["curator"]) as curator:
        decade = await created(curator, api(tenant, DECADE), decade_body(dates, leader_id=str(ids["head"])))
        assert (decade["starts_on"], decade["ends_on"]) == (str(first_day), str(last_day))
        base = api(tenant, DECADE, decade["id"])
        responsible = await created(curator, f"{base}/members", {"person_id": str(ids["teacher"])})
        assert responsible["member"]["role"] == "responsible"
        assert responsible["warnings"] == []  # only a club speaks of young teachers
        learner = await curator.post(f"{base}/members", json={"person_id": str(ids["anna"])})
        assert "ответственным может быть только педагог" in detail(learner)
    async with client_for(app, tenant.identities["Ершова"]) as head:
        lesson = await created(
            head,
            f"{base}/events",
            {
                "held_on": str(dates.today),
                "topic": "Решение текстовых задач",
                "form": "open_lesson",
                "classes": "5А, 6Б",
                "responsible_id": str(ids["teacher"]),
            },
        )
        assert (lesson["form_title"], lesson["classes"]) == ("Открытый урок", "5А, 6Б")
        assert lesson["responsible"]["full_name"] == "Кротов Илья Андреевич"
        olympiad = await created(
            head,
            f"{base}/events",
            {"held_on": str(dates.today), "topic": "Школьная олимпиада", "form": "olympiad"},
        )
        outside = await head.post(
            f"{base}/events",
            json={"held_on": str(first_day - timedelta(days=1)), "topic": "До декады", "form": "contest"},
        )
        assert fields(outside) == {"held_on"}
        # Before the decade: outside its days, or (when it opens the year) outside the academic year.
        assert f"{first_day:%d.%m.%Y} – {last_day:%d.%m.%Y}" in detail(outside) or first_day == dates.starts
        observed = await head.put(
            f"{base}/events/{lesson['id']}/participants",
            json={"observers": [str(ids["observer"]), str(ids["teacher"])]},
        )
        assert observed.status_code == 200, observed.text
        assert sorted(p["role_title"] for p in observed.json()["participants"]) == ["наблюдатель"] * 2
        results = {
            "learners": [str(ids["anna"]), str(ids["boris"]), str(ids["vera"])],
            "winners": [str(ids["anna"])],
            "prize_winners": [str(ids["boris"])],
        }
        placed = await head.put(f"{base}/events/{olympiad['id']}/participants", json=results)
        assert placed.status_code == 200, placed.text
        places = {p["person"]["full_name"]: p["place_title"] for p in placed.json()["participants"]}
        assert places == {"Андреева Анна": "победитель", "Борисов Борис": "призёр", "Васина Вера": None}
        # Refusals: each names what is wrong, and the recorded results stay as they were.
        stranger = await head.put(
            f"{base}/events/{olympiad['id']}/participants",
            json={**results, "winners": [str(ids["anna"]), str(ids["gleb"])]},
        )
        assert "Глебов Глеб не среди участников мероприятия" in detail(stranger)
        both = await head.put(
            f"{base}/events/{olympiad['id']}/participants",
            json={**results, "prize_winners": [str(ids["anna"])]},
        )
        assert "не может быть и победителем, и призёром" in detail(both)
        watched = await head.put(
            f"{base}/events/{olympiad['id']}/participants", json={"observers": [str(ids["observer"])]}
        )
        assert "наблюдатели отмечаются только на открытом уроке" in detail(watched)
        teacher_as_learner = await head.put(
            f"{base}/events/{olympiad['id']}/participants", json={"learners": [str(ids["teacher"])]}
        )
        assert fields(teacher_as_learner) == {"learners"}
        attendance = await head.put(
            f"{base}/events/{olympiad['id']}/participants",
            json={**results, "attendees": [str(ids["teacher"])]},
        )
        assert fields(attendance) == {"attendees"}  # a decade's events record no attendance
        shown = (await head.get(base)).json()
        note = await head.put(
            base,
            json={
                "version": shown["association"]["version"],
                "name": "Декада математики",
                "subject_area": "МО учителей математики",
                "leader_id": str(ids["head"]),
                "starts_on": str(first_day),
                "ends_on": str(last_day),
                "summary": "Проведено два мероприятия; победитель олимпиады — Андреева Анна.",
            },
        )
        assert note.status_code == 200, note.text
        after = (await head.get(base)).json()
    olympiad_after = next(e for e in after["events"] if e["id"] == olympiad["id"])
    assert {p["person"]["full_name"]: p["place"] for p in olympiad_after["participants"]} == {
        "Андреева Анна": "winner",
        "Борисов Борис": "prize_winner",
        "Васина Вера": None,
    }
    assert after["association"]["summary"].startswith("Проведено два мероприятия")
    async with runtime.owner_sessions() as db:
        reads = set(
            await db.scalars(
                select(AuditEvent.subject_person_id).where(
                    AuditEvent.org_id == tenant.id,
                    AuditEvent.action == "read",
                    AuditEvent.object_type == "methodical_participants",
                )
            )
        )
    assert reads == {ids["anna"], ids["boris"], ids["vera"]}  # each child named on the page is a read


async def test_the_years_plan_refuses_overlaps_long_decades_and_closed_years(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    first_day, last_day = decade_days(dates)
    tenant = await new_tenant(runtime, world)
    async with client_for(app, tenant.identities["curator"]) as curator:
        first = await created(curator, api(tenant, DECADE), decade_body(dates))
        overlap = await curator.post(
            api(tenant, DECADE),
            json=decade_body(dates, name="Ещё одна", subject_area="  мо учителей МАТЕМАТИКИ "),
        )
        assert "пересекается с декадой «Декада математики»" in detail(overlap)
        other_area = await created(
            curator,
            api(tenant, DECADE),
            decade_body(dates, name="Декада русского языка", subject_area="МО филологов"),
        )
        too_long = await curator.post(
            api(tenant, DECADE),
            json=decade_body(
                dates,
                name="Долгая",
                subject_area="МО историков",
                starts_on=str(dates.starts),
                ends_on=str(dates.starts + timedelta(days=31)),
            ),
        )
        assert "не дольше 31 дней" in detail(too_long)
        beyond = await curator.post(
            api(tenant, DECADE),
            json=decade_body(
                dates,
                name="За годом",
                subject_area="МО историков",
                starts_on=str(dates.ends),
                ends_on=str(dates.ends + timedelta(days=2)),
            ),
        )
        assert fields(beyond) == {"ends_on"}
        nameless = await curator.post(api(tenant, DECADE), json=decade_body(dates, name=" ", subject_area=""))
        assert fields(nameless) == {"name", "subject_area"}
        closed = await curator.post(
            api(tenant, DECADE), json=decade_body(dates, academic_year=dates.year - 1)
        )
        assert f"{dates.year - 1}/{dates.year} учебный год закрыт: изменения не принимаются" in detail(closed)
        moved = await curator.put(
            api(tenant, DECADE, other_area["id"]),
            json={
                "version": 1,
                "name": "Декада русского языка",
                "subject_area": "МО учителей математики",
                "starts_on": str(first_day),
                "ends_on": str(last_day),
            },
        )
        assert "пересекается с декадой «Декада математики»" in detail(moved)
        year = (await curator.get(api(tenant, DECADE))).json()
        deleted = await curator.delete(api(tenant, DECADE, first["id"]))
        assert deleted.status_code == 204
        gone = await curator.get(api(tenant, DECADE, first["id"]))
    assert sorted(r["association"]["name"] for r in year["associations"]) == [
        "Декада математики",
        "Декада русского языка",
    ]
    assert gone.status_code == 404
    async with runtime.owner_sessions() as db:
        names = sorted(await db.scalars(select(Association.name).where(Association.org_id == tenant.id)))
    assert names == ["Декада русского языка"]  # nothing refused was written
