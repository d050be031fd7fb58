"""A young teachers' club's year over HTTP, as the curator, the club's leader, a teacher and a learner:
the club, its members (a warning for one who is not a young teacher, a mentee's mentor shown), the plan
of meetings, attendance and outcomes; and every refusal leaves the club as it was."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from litestar import Litestar
from sqlalchemy import select

from nastavnik.models.audit import AuditEvent
from nastavnik.runtime import Runtime
from tests.methodical.support import api, created, detail, fields, later, person
from tests.support.dates import RegionDates
from tests.support.http import client_for
from tests.support.programme import active_pair, open_programme
from tests.support.tenant import Named, Tenant, add_mentee, add_mentor, new_tenant
from tests.support.world import World

CLUB = "club"


async def club_school(runtime: Runtime, world: World, dates: RegionDates) -> tuple[Tenant, dict[str, Any]]:
    """A school with a leader-to-be, a young teacher in an active pair, an experienced teacher, another
    teacher who only reads, and a learner who signs in."""
    tenant = await new_tenant(runtime, world)
    ids: dict[str, Any] = {
        "leader": await person(runtime, tenant, Named("Ковалёва", "Елена", "Игоревна"), signs_in=True),
        "veteran": await person(runtime, tenant, Named("Громов", "Пётр", "Ильич")),
        "teacher": await person(runtime, tenant, Named("Лисицына", "Ольга", "Юрьевна"), signs_in=True),
        "fresh": await person(runtime, tenant, Named("Орлова", "Анна"), young_since=dates.starts),
        "learner": await person(runtime, tenant, Named("Петров", "Ваня"), category="learner", signs_in=True),
        "mentor": await add_mentor(runtime, tenant, Named("Сидорова", "Галина", "Петровна")),
        "mentee": await add_mentee(runtime, tenant, Named("Новикова", "Нина", "Петровна")),
    }
    return tenant, ids


async def test_a_clubs_year_members_plan_attendance_and_outcome(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    tomorrow = later(dates)
    tenant, ids = await club_school(runtime, world, dates)
    async with client_for(app, tenant.identities["curator"]) as curator:
        pid = await open_programme(curator, tenant)
        await active_pair(curator, tenant, pid, ids["mentor"], ids["mentee"])
        offered = (await curator.get(f"/api/o/{tenant.slug}/methodical")).json()
        assert [k["shape"] for k in offered] == ["club", "decade", "council", "creative_group"]
        assert offered[0]["title"] == "Клуб молодых учителей"
        club = await created(
            curator,
            api(tenant, CLUB),
            {"academic_year": dates.year, "name": "Звёзды будущего", "leader_id": str(ids["leader"])},
        )
        assert club["leader"]["full_name"] == "Ковалёва Елена Игоревна"
        again = await curator.post(api(tenant, CLUB), json={"academic_year": dates.year, "name": "Второй"})
        assert f"Клуб молодых учителей на {dates.year}/{dates.year + 1} учебный год уже есть." in detail(
            again, 409
        )
    base = api(tenant, CLUB, club["id"])
    async with client_for(app, tenant.identities["Ковалёва"]) as leader:
        young = await created(leader, f"{base}/members", {"person_id": str(ids["mentee"])})
        assert young["warnings"] == []
        assert [m["full_name"] for m in young["member"]["mentors"]] == ["Сидорова Галина Петровна"]
        fresh = await created(leader, f"{base}/members", {"person_id": str(ids["fresh"])})
        assert fresh["warnings"] == []
        veteran = await created(leader, f"{base}/members", {"person_id": str(ids["veteran"])})
        assert veteran["warnings"] == [
            {"field": "person_id", "message": "Громов Пётр Ильич не молодой педагог: принят решением клуба"}
        ]
        learner = await leader.post(f"{base}/members", json={"person_id": str(ids["learner"])})
        assert "Петров Ваня: обучающийся не может входить в состав" in detail(learner)
        twice = await leader.post(f"{base}/members", json={"person_id": str(ids["fresh"])})
        assert "Орлова Анна уже в составе." in detail(twice, 409)
        # The plan: a seminar held (today) and a contest preparation ahead.
        seminar = await created(
            leader,
            f"{base}/events",
            {"held_on": str(dates.today), "topic": "Технологическая карта урока", "form": "seminar"},
        )
        assert seminar["form_title"] == "Семинар"
        assert seminar["status"] == "planned"
        refused = {
            "form": {"held_on": str(dates.today), "topic": "Тема", "form": "lecture"},
            "held_on": {"held_on": str(dates.starts - timedelta(days=1)), "topic": "Тема", "form": "seminar"},
        }
        for field, body in refused.items():
            response = await leader.post(f"{base}/events", json=body)
            assert fields(response) == {field}, response.text
        assert "Подготовка к конкурсу «Педагогический дебют»" in detail(
            await leader.post(f"{base}/events", json={"held_on": str(dates.today), "topic": "", "form": "x"})
        )
        if tomorrow is not None:
            ahead = await created(
                leader,
                f"{base}/events",
                {"held_on": str(tomorrow), "topic": "Педагогический дебют", "form": "contest_preparation"},
            )
            future_held = await leader.put(
                f"{base}/events/{ahead['id']}",
                json={**_event(ahead), "status": "held", "version": ahead["version"]},
            )
            assert fields(future_held) == {"status"}
            early = await leader.put(
                f"{base}/events/{ahead['id']}/participants", json={"attendees": [str(ids["fresh"])]}
            )
            assert "посещаемость отмечается с" in detail(early)
        # Attendance of the seminar: members only; then its outcome.
        outsider = await leader.put(
            f"{base}/events/{seminar['id']}/participants",
            json={"attendees": [str(ids["fresh"]), str(ids["teacher"])]},
        )
        assert "Лисицына Ольга Юрьевна не в составе" in detail(outsider)
        attended = await leader.put(
            f"{base}/events/{seminar['id']}/participants",
            json={"attendees": [str(ids["fresh"]), str(ids["mentee"])]},
        )
        assert attended.status_code == 200, attended.text
        assert sorted(p["person"]["full_name"] for p in attended.json()["participants"]) == [
            "Новикова Нина Петровна",
            "Орлова Анна",
        ]
        held = await leader.put(
            f"{base}/events/{seminar['id']}",
            json={**_event(seminar), "status": "held", "outcome": "Составлены карты уроков", "version": 1},
        )
        assert held.status_code == 200, held.text
        assert held.json()["status_title"] == "проведено"
        stale = await leader.put(f"{base}/events/{seminar['id']}", json={**_event(seminar), "version": 1})
        assert stale.status_code == 409
        # The leader writes the year's conclusions, not the club's name.
        renamed = await leader.put(base, json={"version": club["version"], "name": "Другое имя"})
        assert renamed.status_code == 403
        summary = await leader.put(
            base,
            json={
                "version": club["version"],
                "name": "Звёзды будущего",
                "leader_id": str(ids["leader"]),
                "summary": "Клуб провёл заседания по плану",
            },
        )
        assert summary.status_code == 200, summary.text
    async with client_for(app, tenant.identities["Лисицына"]) as teacher:
        shown = await teacher.get(base)
        assert shown.status_code == 200
        body = shown.json()
        assert body["can_steward"] is False
        assert body["suggested_topics"] == []
        members = {m["person"]["full_name"]: m for m in body["members"]}
        assert (
            members["Громов Пётр Ильич"]["warning"]
            == "Громов Пётр Ильич не молодой педагог: принят решением клуба"
        )
        assert members["Новикова Нина Петровна"]["warning"] is None
        assert [p["full_name"] for p in members["Новикова Нина Петровна"]["mentors"]] == [
            "Сидорова Галина Петровна"
        ]
        assert members["Орлова Анна"]["mentors"] == []
        seminar_shown = next(e for e in body["events"] if e["id"] == seminar["id"])
        assert seminar_shown["outcome"] == "Составлены карты уроков"
        assert {p["role"] for p in seminar_shown["participants"]} == {"attendee"}
        assert body["association"]["summary"] == "Клуб провёл заседания по плану"
        write = await teacher.post(f"{base}/members", json={"person_id": str(ids["teacher"])})
        assert write.status_code == 403
        year = (await teacher.get(api(tenant, CLUB))).json()
        assert [
            (r["association"]["name"], r["members"], r["events"], r["held"]) for r in year["associations"]
        ] == [("Звёзды будущего", 3, 2 if tomorrow else 1, 1)]
    async with client_for(app, tenant.identities["Петров"]) as learner_client:
        assert (await learner_client.get(base)).status_code == 404
        assert (await learner_client.get(api(tenant, CLUB))).status_code == 404
        assert (await learner_client.get(f"/o/{tenant.slug}/methodical/club")).status_code == 404
        assert (await learner_client.get(f"/api/o/{tenant.slug}/methodical")).status_code == 404
    async with runtime.owner_sessions() as db:
        kinds = {
            (e.action, e.object_type)
            for e in await db.scalars(select(AuditEvent).where(AuditEvent.org_id == tenant.id))
        }
    assert {
        ("create", "methodical_association"),
        ("update", "methodical_association"),
        ("create", "methodical_member"),
        ("create", "methodical_event"),
        ("update", "methodical_event"),
        ("update", "methodical_participants"),
        ("read", "methodical_association"),
    } <= kinds


def _event(shown: dict[str, Any]) -> dict[str, Any]:
    """An event's body as the API showed it, to send back with changes."""
    return {
        "held_on": shown["held_on"],
        "topic": shown["topic"],
        "form": shown["form"],
        "classes": shown["classes"],
        "responsible_id": shown["responsible"]["id"] if shown["responsible"] else None,
        "status": shown["status"],
        "outcome": shown["outcome"],
    }


async def test_a_member_long_in_the_profession_is_admitted_with_a_warning(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    """Young means in the profession at most the plugin's three years before the year's 1 September."""
    tenant = await new_tenant(runtime, world)
    limit = date(dates.year - 3, 9, 1)
    just = await person(runtime, tenant, Named("Белова", "Ия"), young_since=limit)
    over = await person(runtime, tenant, Named("Чернова", "Ия"), young_since=limit - timedelta(days=1))
    unknown = await person(runtime, tenant, Named("Зуева", "Ия"))
    async with runtime.owner_sessions() as db:
        from nastavnik.domain.bases.models import MenteeProfile

        db.add(MenteeProfile(org_id=tenant.id, person_id=unknown, kind="young_pedagogue"))
        await db.commit()
    async with client_for(app, tenant.identities["curator"]) as curator:
        club = await created(curator, api(tenant, CLUB), {"academic_year": dates.year})
        assert club["name"] == "Клуб молодых учителей"  # no name of its own: called as the plugin calls it
        warned = {}
        for person_id in (just, over, unknown):
            added = await created(
                curator, api(tenant, CLUB, club["id"], "members"), {"person_id": str(person_id)}
            )
            warned[added["member"]["person"]["full_name"]] = [w["message"] for w in added["warnings"]]
    assert warned == {
        "Белова Ия": [],
        "Чернова Ия": ["Чернова Ия не молодой педагог: принят решением клуба"],
        "Зуева Ия": [],
    }


async def test_a_closed_years_club_accepts_no_change(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    tenant = await new_tenant(runtime, world)
    member = await person(runtime, tenant, Named("Белова", "Ия"), young_since=dates.starts)
    closed = f"{dates.year - 1}/{dates.year} учебный год закрыт: изменения не принимаются"
    async with client_for(app, tenant.identities["curator"]) as curator:
        refused = await curator.post(
            api(tenant, CLUB), json={"academic_year": dates.year - 1, "name": "Прошлый"}
        )
        assert closed in detail(refused)
    from nastavnik.domain.methodical.models import Association, AssociationEvent

    async with runtime.owner_sessions() as db:
        old = Association(org_id=tenant.id, shape="club", academic_year=dates.year - 1, name="Прошлогодний")
        db.add(old)
        await db.flush()
        event = AssociationEvent(
            org_id=tenant.id,
            association_id=old.id,
            held_on=dates.starts - timedelta(days=30),
            topic="Итоги года",
            form="seminar",
        )
        db.add(event)
        await db.commit()
    base = api(tenant, CLUB, old.id)
    async with client_for(app, tenant.identities["curator"]) as curator:
        attempts = [
            await curator.put(base, json={"version": 1, "name": "Новое имя"}),
            await curator.delete(base),
            await curator.post(f"{base}/members", json={"person_id": str(member)}),
            await curator.post(
                f"{base}/events",
                json={"held_on": str(dates.starts - timedelta(days=2)), "topic": "Т", "form": "seminar"},
            ),
            await curator.put(
                f"{base}/events/{event.id}",
                json={"version": 1, "held_on": str(event.held_on), "topic": "Т", "form": "seminar"},
            ),
            await curator.delete(f"{base}/events/{event.id}"),
            await curator.put(f"{base}/events/{event.id}/participants", json={"attendees": []}),
        ]
        for response in attempts:
            assert closed in detail(response)
        shown = (await curator.get(base)).json()
        last_year = (await curator.get(api(tenant, CLUB), params={"year": dates.year - 1})).json()
    assert shown["closed"] is True
    assert shown["association"]["name"] == "Прошлогодний"
    assert shown["members"] == []
    assert [(e["topic"], e["version"]) for e in shown["events"]] == [("Итоги года", 1)]
    assert last_year["closed"] is True
    assert [r["association"]["name"] for r in last_year["associations"]] == ["Прошлогодний"]
    assert dates.ends > dates.starts
