"""The events written in the transaction that causes them: a pair formed by its order, completed, ended
early; and the curator's one-click reminder about questionnaires not answered (rate-limited per day)."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from litestar import Litestar
from sqlalchemy import func, select, update

from nastavnik import clock
from nastavnik.domain.notifications.delivery import deliver
from nastavnik.domain.notifications.models import Notification
from nastavnik.models.audit import AuditEvent
from nastavnik.models.people import Person
from nastavnik.runtime import Runtime
from tests.notifications.conftest import quiet_hours
from tests.notifications.events import shown, to
from tests.notifications.smtp import SmtpServer
from tests.support.dates import RegionDates
from tests.support.forms import send_form
from tests.support.http import Client, client_for
from tests.support.programme import form_group, issue_order, open_programme
from tests.support.region import region_with_school
from tests.support.tenant import Named, Tenant, add_mentee, add_mentor, new_tenant
from tests.support.world import World

SMIRNOVA = Named("Смирнова", "Ольга", "Павловна")
ZAITSEVA = Named("Зайцева", "Вера", "Олеговна")
YAKOVLEV = Named("Яковлев", "Илья", "Петрович")


async def _group(runtime: Runtime, app: Litestar, world: World) -> tuple[Tenant, dict[str, Any]]:
    """A school whose curator formed a group: Смирнова (signs in) mentors Зайцева (signs in) and Яковлев
    (no login); not yet in effect."""
    tenant = await new_tenant(runtime, world)
    ids: dict[str, Any] = {
        "mentor": await add_mentor(runtime, tenant, SMIRNOVA, capacity=2, signs_in=True),
        "zaitseva": await add_mentee(runtime, tenant, ZAITSEVA, signs_in=True),
        "yakovlev": await add_mentee(runtime, tenant, YAKOVLEV),
    }
    async with client_for(app, tenant.identities["curator"]) as curator:
        ids["pid"] = await open_programme(curator, tenant)
        group = await form_group(curator, tenant, ids["pid"], ids["mentor"], ids["zaitseva"], ids["yakovlev"])
    ids["gid"] = group["id"]
    return tenant, ids


async def _in_effect(app: Litestar, tenant: Tenant, ids: dict[str, Any], number: str) -> dict[str, Any]:
    async with client_for(app, tenant.identities["curator"]) as curator:
        await issue_order(curator, tenant, ids["pid"], number, ids["gid"])
        group = await curator.get(f"/api/o/{tenant.slug}/programmes/{ids['pid']}/groups/{ids['gid']}")
    return dict(group.json())


async def test_a_pair_formed_by_its_order_tells_its_mentor_and_mentees_with_the_order(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    tenant, ids = await _group(runtime, app, world)
    assert await shown(runtime, tenant.id, "pair_formed") == []  # a group without its order is no pair yet
    await _in_effect(app, tenant, ids, "7-од")
    found = await shown(runtime, tenant.id, "pair_formed")
    body = (
        f"Приказом № 7-од от {dates.today:%d.%m.%Y} сформирована наставническая пара:"
        " наставник Смирнова Ольга Павловна, наставляемый Зайцева Вера Олеговна, Яковлев Илья Петрович."
    )
    assert [(s.subject, s.body, s.link) for s in to(found, ids["mentor"])] == [
        ("Сформирована наставническая пара", body, f"/o/{tenant.slug}/my")
    ]
    assert [s.body for s in to(found, ids["zaitseva"])] == [body]
    # Яковлев has no login, the curator is no member: two notifications in all.
    assert sorted(s.person_id for s in found) == sorted([ids["mentor"], ids["zaitseva"]])


async def test_a_completed_pair_tells_its_members_and_an_early_end_the_curator_too(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    tenant, ids = await _group(runtime, app, world)
    group = await _in_effect(app, tenant, ids, "8-од")
    today = str(dates.today)
    path = f"/api/o/{tenant.slug}/programmes/{ids['pid']}/groups/{ids['gid']}"
    async with client_for(app, tenant.identities["curator"]) as curator:
        done = await curator.post(
            f"{path}/complete",
            json={"version": group["version"], "result": "План выполнен", "ended_on": today},
        )
        assert done.status_code == 200, done.text
    found = await shown(runtime, tenant.id, "pair_completed", "pair_ended_early")
    body = (
        "Наставничество в паре «Смирнова Ольга Павловна — Зайцева Вера Олеговна, Яковлев Илья Петрович»"
        " завершено. Спасибо за работу!"
    )
    assert sorted((s.person_id, s.subject, s.body) for s in found) == sorted(
        [
            (ids["mentor"], "Наставничество завершено", body),
            (ids["zaitseva"], "Наставничество завершено", body),
        ]
    )

    other = await new_tenant(runtime, world)
    mentor = await add_mentor(runtime, other, Named("Орлов", "Пётр", "Ильич"), signs_in=True)
    mentee = await add_mentee(runtime, other, Named("Белова", "Анна"), signs_in=True)
    async with client_for(app, other.identities["curator"]) as curator:
        pid = await open_programme(curator, other)
        pair = await form_group(curator, other, pid, mentor, mentee)
        await issue_order(curator, other, pid, "9-од", pair["id"])
        base = f"/api/o/{other.slug}/programmes/{pid}/groups/{pair['id']}"
        version = (await curator.get(base)).json()["version"]
        ended = await curator.post(
            f"{base}/end-early",
            json={"version": version, "reason": "Наставник переехал в другой город.", "ended_on": today},
        )
        assert ended.status_code == 200, ended.text
    early = await shown(runtime, other.id, "pair_completed", "pair_ended_early")
    text = "Наставничество в паре «Орлов Пётр Ильич — Белова Анна» прекращено досрочно. Причина: Наставник переехал в другой город."
    assert sorted((s.person_id, s.body, s.link) for s in early) == sorted(
        [
            (mentor, text, f"/o/{other.slug}/my"),
            (mentee, text, f"/o/{other.slug}/my"),
            (other.persons["curator"], text, f"/o/{other.slug}/programmes/{pid}/groups"),
        ]
    )
    # Nothing crossed into the first school.
    assert [s.kind for s in await shown(runtime, tenant.id, "pair_ended_early")] == []


async def _remind(client: Client, tenant: Tenant, ids: dict[str, Any]) -> Any:
    path = f"/api/o/{tenant.slug}/programmes/{ids['pid']}/groups/{ids['gid']}/questionnaires/remind"
    return await client.post(path)


async def test_the_curator_reminds_who_has_not_answered_once_a_day(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    tenant, ids = await _group(runtime, app, world)
    await _in_effect(app, tenant, ids, "10-од")  # the start questionnaires are given with the order
    async with runtime.owner_sessions() as db:
        titles = dict(
            (
                await db.execute(
                    select(Notification.person_id, func.count())
                    .where(Notification.org_id == tenant.id)
                    .group_by(Notification.person_id)
                )
            ).all()
        )
    assert set(titles) == {ids["mentor"], ids["zaitseva"]}  # the pair_formed ones only, so far
    async with client_for(app, tenant.identities["curator"]) as curator:
        first = await _remind(curator, tenant, ids)
        assert first.status_code == 200, first.text
        again = await _remind(curator, tenant, ids)
    # Смирнова and Зайцева each have one start questionnaire; Яковлев, without a login, gets nothing.
    assert first.json() == {"sent": 2}
    assert again.status_code == 409
    assert again.json()["detail"] == "Напоминание уже отправлено сегодня."
    found = await shown(runtime, tenant.id, "questionnaire_reminder")
    assert sorted(s.person_id for s in found) == sorted([ids["mentor"], ids["zaitseva"]])
    mine = to(found, ids["zaitseva"])[0]
    assert mine.subject.startswith("Напоминание: заполните анкету «")
    assert mine.body.startswith("Куратор программы наставничества напоминает: анкета «")
    assert mine.body.endswith("» ждёт вашего ответа (0 дн.).")
    assert mine.key.endswith(f":{dates.today.isoformat()}")
    async with runtime.owner_sessions() as db:
        audited = await db.scalars(
            select(AuditEvent.details).where(
                AuditEvent.org_id == tenant.id,
                AuditEvent.object_type == "questionnaire_assignment",
                AuditEvent.object_id == str(ids["gid"]),
                AuditEvent.action == "create",
                AuditEvent.details.has_key("reminders"),
            )
        )
    assert list(audited) == [{"reminders": 2}]  # the refused second one recorded nothing


async def test_the_days_waiting_are_counted_on_the_platforms_clock(
    runtime: Runtime, app: Litestar, world: World
) -> None:
    """Given and reminded of on one day of the platform's clock, a questionnaire has waited 0 days, whatever
    the database server's clock says: its assignment is stamped on the platform's clock."""
    with clock.pinned(clock.now() + timedelta(days=3), tick=True):
        tenant, ids = await _group(runtime, app, world)
        await _in_effect(app, tenant, ids, "11-од")
        async with client_for(app, tenant.identities["curator"]) as curator:
            reminded = await _remind(curator, tenant, ids)
    assert reminded.json() == {"sent": 2}
    found = await shown(runtime, tenant.id, "questionnaire_reminder")
    assert {s.body.rsplit(" (", 1)[1] for s in found} == {"0 дн.)."}


async def test_the_page_reminds_and_says_so_in_russian(runtime: Runtime, app: Litestar, world: World) -> None:
    tenant, ids = await _group(runtime, app, world)
    await _in_effect(app, tenant, ids, "11-од")
    page = f"/o/{tenant.slug}/programmes/{ids['pid']}/groups/{ids['gid']}/questionnaires"
    async with client_for(app, tenant.identities["curator"]) as curator:
        shown_page = await curator.get(page)
        assert "Напомнить не ответившим" in shown_page.text
        assert "Смирнова Ольга Павловна" in shown_page.text
        sent = await send_form(curator, f"{page}/remind", {}, page=page)
        assert sent.status_code == 200, sent.text
        assert "Напоминаний отправлено: 2." in sent.text
        twice = await send_form(curator, f"{page}/remind", {}, page=page)
        assert "Напоминание уже отправлено сегодня." in twice.text
    # The mentor may not remind anyone; nor may another school's curator reach this group.
    async with client_for(app, tenant.identities["mentor:Смирнова"]) as mentor:
        assert (await _remind(mentor, tenant, ids)).status_code == 403
    stranger = world.orgs["school_b"]
    async with client_for(app, stranger.identities["curator"]) as curator:
        other_path = (
            f"/api/o/{stranger.slug}/programmes/{ids['pid']}/groups/{ids['gid']}/questionnaires/remind"
        )
        assert (await curator.post(other_path)).status_code == 404


async def test_nobody_to_remind_is_said_in_russian(runtime: Runtime, app: Litestar, world: World) -> None:
    tenant, ids = await _group(runtime, app, world)
    await _in_effect(app, tenant, ids, "12-од")
    async with runtime.owner_sessions() as db:  # both who sign in have left
        await db.execute(
            update(Person).where(Person.id.in_([ids["mentor"], ids["zaitseva"]])).values(status="left")
        )
        await db.commit()
    async with client_for(app, tenant.identities["curator"]) as curator:
        refused = await _remind(curator, tenant, ids)
    assert refused.status_code == 422, refused.text
    assert refused.json()["detail"].startswith("Напоминать некому")
    assert await shown(runtime, tenant.id, "questionnaire_reminder") == []


async def test_a_pair_formed_reaches_the_mentor_by_e_mail_in_russian(
    mail_runtime: Runtime, smtp: SmtpServer, app: Litestar, world: World, dates: RegionDates
) -> None:
    """The whole way: the order's transaction writes the notification, the delivery job mails it over SMTP."""
    region, tenant = await region_with_school(mail_runtime, world)
    await quiet_hours(mail_runtime, region.id, None, None)
    mentor = await add_mentor(mail_runtime, tenant, SMIRNOVA, signs_in=True)
    mentee = await add_mentee(mail_runtime, tenant, ZAITSEVA, signs_in=True)
    address = f"smirnova-{secrets.token_hex(3)}@school.example.ru"
    async with mail_runtime.owner_sessions() as db:
        await db.execute(update(Person).where(Person.id == mentor).values(email=address))
        await db.commit()
    async with client_for(app, tenant.identities["curator"]) as curator:
        pid = await open_programme(curator, tenant)
        group = await form_group(curator, tenant, pid, mentor, mentee)
        await issue_order(curator, tenant, pid, "21-од", group["id"])
    await deliver(mail_runtime)
    [letter] = smtp.recorder.to(address)
    assert letter.message["Subject"] == "Сформирована наставническая пара"
    assert letter.body.startswith(
        f"Приказом № 21-од от {dates.today:%d.%m.%Y} сформирована наставническая пара:"
        " наставник Смирнова Ольга Павловна, наставляемый Зайцева Вера Олеговна."
    )
    assert f"Подробнее: https://nastavnik.example.ru/o/{tenant.slug}/my" in letter.body
