"""The notifications on the web: a person's own list and settings, the one-click unsubscribe, the region's
wording; every route refuses another person's, another organisation's and another region's data."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from litestar import Litestar
from sqlalchemy import select

from nastavnik import clock
from nastavnik.domain.notifications import delivery
from nastavnik.domain.notifications.models import NotificationPreference
from nastavnik.domain.notifications.tokens import Unsubscribe, make_token
from nastavnik.runtime import Runtime
from tests.notifications.conftest import Place
from tests.notifications.smtp import SmtpServer
from tests.support.http import client_for
from tests.support.region import region_with_school
from tests.support.world import World

STAGE = {"stage_title": "Формирование наставнических пар"}
TASK = {"task_title": "Посетить урок", "due_date": "07.12.2026"}


def _key() -> str:
    return f"test:{uuid.uuid4()}"


async def test_a_person_sees_and_marks_only_their_own(app: Litestar, runtime: Runtime, place: Place) -> None:
    await place.add(runtime, "mentor")
    await place.add(runtime, "other")
    await place.notify(runtime, "mentor", "stage_waiting", STAGE, _key())
    await place.notify(runtime, "mentor", "plan_task_due", TASK, _key())
    await place.notify(runtime, "other", "stage_waiting", STAGE, _key())
    [others] = await place.rows(runtime, "other")
    base = f"/api/o/{place.tenant.slug}/notifications"
    async with client_for(app, place.identities["mentor"]) as mentor:
        listed = (await mentor.get(base)).json()
        assert listed["unread"] == 2
        assert sorted(i["subject"] for i in listed["items"]) == [
            "Через 3 дня срок задачи «Посетить урок»",
            "Этап «Формирование наставнических пар» ждёт ваших действий",
        ]
        assert (await mentor.post(f"{base}/{others.id}/read")).status_code == 404
        assert (await mentor.post(f"{base}/{uuid.uuid4()}/read")).status_code == 404
        first = listed["items"][0]["id"]
        assert (await mentor.post(f"{base}/{first}/read")).json() == {"marked": 1, "unread": 1}
        page = await mentor.get(f"/o/{place.tenant.slug}/notifications")
        assert page.status_code == 200
        assert 'aria-label="непрочитанных: 1"' in page.text
        assert "Через 3 дня срок задачи «Посетить урок»" in page.text
        assert (await mentor.post(f"{base}/read")).json() == {"marked": 1, "unread": 0}
        assert "непрочитанных" not in (await mentor.get(f"/o/{place.tenant.slug}/notifications")).text
    [others] = await place.rows(runtime, "other")
    assert others.read_at is None


async def test_another_organisations_member_gets_404(
    app: Litestar, runtime: Runtime, world: World, place: Place
) -> None:
    await place.add(runtime, "mentor")
    await place.notify(runtime, "mentor", "stage_waiting", STAGE, _key())
    [row] = await place.rows(runtime, "mentor")
    slug = place.tenant.slug
    outsider = world.orgs["school_a"].identities["curator"]
    async with client_for(app, outsider) as client:
        for method, url in (
            ("GET", f"/api/o/{slug}/notifications"),
            ("POST", f"/api/o/{slug}/notifications/{row.id}/read"),
            ("POST", f"/api/o/{slug}/notifications/read"),
            ("GET", f"/api/o/{slug}/notifications/settings"),
            ("GET", f"/o/{slug}/notifications"),
            ("GET", f"/o/{slug}/notifications/settings"),
        ):
            assert (await client.request(method, url)).status_code == 404, url
        # Their own organisation's route naming this notification: not theirs either.
        own = world.orgs["school_a"].slug
        assert (await client.post(f"/api/o/{own}/notifications/{row.id}/read")).status_code == 404
    [row] = await place.rows(runtime, "mentor")
    assert row.read_at is None


async def test_preferences_and_quiet_hours(app: Litestar, runtime: Runtime, place: Place) -> None:
    await place.add(runtime, "mentor")
    url = f"/api/o/{place.tenant.slug}/notifications/settings"
    async with client_for(app, place.identities["mentor"]) as mentor:
        body = {
            "preferences": [
                {"kind": "plan_task_due", "mode": "digest"},
                {"kind": "stage_waiting", "mode": "off"},
            ],
            "quiet_hours": {"starts": "22:00", "ends": "07:30"},
        }
        saved = (await mentor.put(url, json=body)).json()
        by_kind = {p["kind"]: (p["enabled"], p["mode"]) for p in saved["preferences"]}
        assert by_kind["plan_task_due"] == (True, "digest")
        assert by_kind["stage_waiting"] == (False, "immediate")
        assert by_kind["pair_formed"] == (True, "immediate")
        assert saved["quiet_hours"] == {"starts": "22:00", "ends": "07:30", "own": True}

        wrong = await mentor.put(url, json={"quiet_hours": {"starts": "25:00", "ends": "07:00"}})
        assert wrong.status_code == 422
        assert wrong.json()["errors"] == [{"field": "quiet_hours.starts", "message": "неверное значение"}]
        half = await mentor.put(url, json={"quiet_hours": {"starts": "22:00"}})
        assert half.status_code == 422
        assert "укажите и начало, и конец тихих часов" in half.text
        bad_mode = await mentor.put(url, json={"preferences": [{"kind": "pair_formed", "mode": "weekly"}]})
        assert bad_mode.status_code == 422
        assert bad_mode.json()["errors"][0]["field"] == "preferences[0].mode"
        unknown = await mentor.put(url, json={"preferences": [{"kind": "no_such_kind"}]})
        assert unknown.status_code == 422
        # Nothing of the refused requests was written.
        again = (await mentor.get(url)).json()
        assert again["quiet_hours"]["starts"] == "22:00"
        assert {p["kind"]: p["mode"] for p in again["preferences"]}["pair_formed"] == "immediate"

        form = await mentor.post(
            f"/o/{place.tenant.slug}/notifications/settings",
            data={
                "enabled_pair_formed": "on",
                "mode_pair_formed": "digest",
                "starts": "",
                "ends": "",
                "region_default": "on",
            },
            follow_redirects=False,
        )
        assert form.status_code in (302, 303)
        page = (await mentor.get(f"/o/{place.tenant.slug}/notifications/settings")).text
        assert "Как принято в регионе." in page
        settings_page = f"http://testserver/o/{place.tenant.slug}/notifications/settings"
        refused = await mentor.post(
            f"/o/{place.tenant.slug}/notifications/settings",
            data={"enabled_pair_formed": "on", "starts": "25:00", "ends": "07:00"},
            headers={"Referer": settings_page},
            follow_redirects=False,
        )
        assert refused.status_code == 303
        back = (await mentor.get(f"/o/{place.tenant.slug}/notifications/settings")).text
        assert 'id="e-starts">укажите время в виде ЧЧ:ММ, например 21:00</span>' in back
    async with runtime.owner_sessions() as db:
        prefs = {
            p.kind: (p.enabled, p.mode)
            for p in (
                await db.execute(
                    select(NotificationPreference).where(
                        NotificationPreference.person_id == place.people["mentor"]
                    )
                )
            ).scalars()
        }
    assert prefs["pair_formed"] == (True, "digest")
    assert prefs["stage_waiting"] == (False, "immediate")  # the form leaves unticked kinds off


async def test_one_click_unsubscribe(
    app: Litestar, mail_runtime: Runtime, smtp: SmtpServer, place: Place
) -> None:
    await place.add(mail_runtime, "mentor")
    with clock.pinned(datetime(2026, 12, 4, 6, 0, tzinfo=UTC)):
        assert await place.notify(mail_runtime, "mentor", "stage_waiting", STAGE, _key())
        await delivery.deliver(mail_runtime)
    [letter] = smtp.recorder.to(place.emails["mentor"])
    link = letter.message["List-Unsubscribe"].strip().strip("<>")
    path = link.removeprefix("https://nastavnik.example.ru")
    assert path.startswith("/unsubscribe/")
    async with client_for(app) as anonymous:  # no sign-in: a mail client posts on its own
        shown = await anonymous.get(path)
        assert shown.status_code == 200
        assert "Этап ждёт куратора" in shown.text
        assert "Отписаться" in shown.text
        posted = await anonymous.post(path, data={"List-Unsubscribe": "One-Click"})
        assert posted.status_code == 200
        assert "Готово: письма больше не будут приходить" in posted.text
        assert (await anonymous.post(path)).status_code == 200  # twice: the same
        forged = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
        assert (await anonymous.post(forged)).status_code == 404
        assert (await anonymous.get(forged)).status_code == 404
        assert (await anonymous.post("/unsubscribe/garbage")).status_code == 404
        assert (await anonymous.get("/unsubscribe/" + "x" * 600)).status_code == 404
        # A token signed with another secret (another deployment's) is forged here.
        other = make_token(
            "another-secret", Unsubscribe(place.tenant.id, place.people["mentor"], "pair_formed")
        )
        assert (await anonymous.post(f"/unsubscribe/{other}")).status_code == 404
    with clock.pinned(datetime(2026, 12, 4, 6, 10, tzinfo=UTC)):
        assert await place.notify(mail_runtime, "mentor", "stage_waiting", STAGE, _key())
        assert await place.notify(mail_runtime, "mentor", "plan_task_due", TASK, _key())
        await delivery.deliver(mail_runtime)
    letters = smtp.recorder.to(place.emails["mentor"])
    assert [m.message["Subject"] for m in letters[1:]] == ["Через 3 дня срок задачи «Посетить урок»"]
    rows = {r.kind: r for r in await place.rows(mail_runtime, "mentor") if r.email_state != "sent"}
    assert (rows["stage_waiting"].email_state, rows["stage_waiting"].email_error) == (
        "skipped",
        delivery.SWITCHED_OFF,
    )


async def test_a_regions_wording_reaches_only_its_own_people(
    app: Litestar, mail_runtime: Runtime, smtp: SmtpServer, world: World, place: Place
) -> None:
    other_region, other_school = await region_with_school(mail_runtime, world)
    elsewhere = Place(other_region, other_school)
    await elsewhere.add(mail_runtime, "mentor")
    await place.add(mail_runtime, "mentor")
    url = "/api/region/notifications/stage_waiting"
    async with client_for(app, place.region.staff) as staff:
        wrong = await staff.put(
            url, json={"subject": "Этап {stage} ждёт", "body": "Текст {stage_title}", "version": 0}
        )
        assert wrong.status_code == 422
        assert "неизвестная подстановка {stage}; можно использовать: {stage_title}" in wrong.text
        braces = await staff.put(url, json={"subject": "Этап {stage_title", "body": "Текст", "version": 0})
        assert braces.status_code == 422
        saved = await staff.put(
            url,
            json={
                "subject": "Куратор, этап «{stage_title}» ждёт",
                "body": "Откройте этап «{stage_title}».",
                "version": 0,
            },
        )
        assert saved.status_code == 200
        assert saved.json()["own"] is True
        stale = await staff.put(url, json={"subject": "x", "body": "y", "version": 0})
        assert stale.status_code == 409
        page = await staff.get("/region/notifications")
        assert "Куратор, этап «{stage_title}» ждёт" in page.text
    async with client_for(app, other_region.staff) as other_staff:
        listed = (await other_staff.get("/api/region/notifications")).json()
        assert {k["kind"]: k["own"] for k in listed["kinds"]}["stage_waiting"] is False
    async with client_for(app, world.orgs["school_a"].identities["curator"]) as member:
        assert (await member.get("/api/region/notifications")).status_code == 403
        assert (await member.put(url, json={"subject": "x", "body": "y", "version": 1})).status_code == 403
    await quiet_none(mail_runtime, other_region.id)
    with clock.pinned(datetime(2026, 12, 4, 6, 0, tzinfo=UTC)):
        assert await place.notify(mail_runtime, "mentor", "stage_waiting", STAGE, _key())
        assert await elsewhere.notify(mail_runtime, "mentor", "stage_waiting", STAGE, _key())
        await delivery.deliver(mail_runtime)
    [ours] = smtp.recorder.to(place.emails["mentor"])
    [theirs] = smtp.recorder.to(elsewhere.emails["mentor"])
    assert ours.message["Subject"] == "Куратор, этап «Формирование наставнических пар» ждёт"
    assert ours.body.startswith("Откройте этап «Формирование наставнических пар».")
    assert theirs.message["Subject"] == "Этап «Формирование наставнических пар» ждёт ваших действий"
    async with client_for(app, place.identities["mentor"]) as mentor:
        listed = (await mentor.get(f"/api/o/{place.tenant.slug}/notifications")).json()
        assert listed["items"][0]["subject"] == "Куратор, этап «Формирование наставнических пар» ждёт"
    async with client_for(app, place.region.staff) as staff:
        reset = await staff.delete(url)
        assert (reset.status_code, reset.json()["own"]) == (200, False)


async def quiet_none(runtime: Runtime, region_id: uuid.UUID) -> None:
    from tests.notifications.conftest import quiet_hours

    await quiet_hours(runtime, region_id, None, None)


async def test_region_settings(app: Litestar, runtime: Runtime, place: Place) -> None:
    async with client_for(app, place.region.staff) as staff:
        current = (await staff.get("/api/region/notifications")).json()["settings"]
        saved = await staff.put(
            "/api/region/notifications/settings",
            json={
                "quiet_starts": "20:00",
                "quiet_ends": "09:00",
                "digest_hour": 18,
                "version": current["version"],
            },
        )
        assert saved.status_code == 200
        assert saved.json() == {
            "quiet_starts": "20:00",
            "quiet_ends": "09:00",
            "digest_hour": 18,
            "version": current["version"] + 1,
        }
        same = await staff.put(
            "/api/region/notifications/settings",
            json={
                "quiet_starts": "20:00",
                "quiet_ends": "20:00",
                "digest_hour": 18,
                "version": current["version"] + 1,
            },
        )
        assert same.status_code == 422
        assert "конец тихих часов должен отличаться от начала" in same.text
    await place.add(runtime, "mentor")
    async with client_for(app, place.identities["mentor"]) as mentor:
        quiet = (await mentor.get(f"/api/o/{place.tenant.slug}/notifications/settings")).json()["quiet_hours"]
    assert quiet == {"starts": "20:00", "ends": "09:00", "own": False}
