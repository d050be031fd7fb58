"""Accounts for the people of the bases, against the development issuer through python-keycloak and a
real worker: an invitation for a person with an e-mail, a one-time password on the access sheet for one
without, then a sign-in over real HTTP that must change it; reruns converge; outages are retried;
every bad request is refused in Russian with nothing done."""

from __future__ import annotations

import dataclasses
import html
import re
import secrets
import uuid
from collections.abc import AsyncIterator
from datetime import date

import httpx
import pytest
from litestar import Litestar
from pydantic import SecretStr
from sqlalchemy import func, select, update

from nastavnik.domain.accounts.models import AccountBatch, AccountEntry
from nastavnik.domain.accounts.provisioning import run_batch
from nastavnik.domain.bases.models import MenteeProfile
from nastavnik.domain.organisations.realm import KeycloakUnavailable
from nastavnik.models.audit import AuditEvent
from nastavnik.models.identity import Identity
from nastavnik.models.people import Person
from nastavnik.runtime import Runtime
from nastavnik_dev.issuer.realm import Issuer, User
from tests.support.dates import RegionDates
from tests.support.http import client_for
from tests.support.office import docx_paragraphs
from tests.support.sso import Site, served_site
from tests.support.tenant import Named, Tenant, add_mentee, add_mentor, new_tenant
from tests.support.worker import run_queued_jobs
from tests.support.world import World

ADMIN_SECRET = "nastavnik-admin-development-secret"
WEB_SECRET = "nastavnik-web-development-secret"
PASSWORD = re.compile(r"^[A-HJ-NP-Za-km-z2-9]{12}$")  # 12 characters, nothing like 0/O/o or 1/l/I


@pytest.fixture(scope="module")
async def site(runtime: Runtime, issuer: Issuer) -> AsyncIterator[Site]:
    async with served_site(
        runtime,
        issuer,
        keycloak_admin_client_secret=SecretStr(ADMIN_SECRET),
        keycloak_client_secret=SecretStr(WEB_SECRET),
    ) as served:
        yield served


async def two_mentors(site: Site, world: World) -> tuple[Tenant, uuid.UUID, uuid.UUID, str]:
    """A fresh school with two mentors without a login: Орлов with an e-mail, Соколова without."""
    tenant = await new_tenant(site.runtime, world)
    orlov = await add_mentor(site.runtime, tenant, Named("Орлов", "Пётр", "Ильич"))
    sokolova = await add_mentor(site.runtime, tenant, Named("Соколова", "Мария", "Ивановна"))
    email = f"p.orlov.{secrets.token_hex(3)}@school.example"
    async with client_for(site.app, tenant.identities["curator"]) as curator:
        changed = await curator.patch(
            f"/api/o/{tenant.slug}/people/{orlov}",
            json={
                "last_name": "Орлов",
                "first_name": "Пётр",
                "middle_name": "Ильич",
                "category": "pedagogue",
                "version": 1,
                "email": f"  {email.upper()} ",
            },
        )
    assert changed.status_code == 200, changed.text
    assert changed.json()["email"] == email  # trimmed, lower case
    return tenant, orlov, sokolova, email


async def crash_after_keycloak(runtime: Runtime, tenant: Tenant, person_id: uuid.UUID) -> None:
    """As if the job crashed after Keycloak created the person's user, before anything else was saved (only
    the login chosen first is left)."""
    async with runtime.owner_sessions() as db:
        await db.execute(
            update(AccountEntry)
            .where(AccountEntry.org_id == tenant.id, AccountEntry.person_id == person_id)
            .values(status="pending", keycloak_user_id=None, delivered_at=None)
        )
        await db.execute(update(Person).where(Person.id == person_id).values(identity_id=None))
        await db.commit()


async def ask(site: Site, tenant: Tenant, *person_ids: uuid.UUID) -> str:
    async with client_for(site.app, tenant.identities["curator"]) as curator:
        response = await curator.post(
            f"/api/o/{tenant.slug}/accounts", json={"person_ids": [str(p) for p in person_ids]}
        )
    assert response.status_code == 202, response.text
    return str(response.json()["batch_id"])


async def batch_json(site: Site, tenant: Tenant, batch_id: str) -> dict[str, dict[str, object]]:
    async with client_for(site.app, tenant.identities["curator"]) as curator:
        response = await curator.get(f"/api/o/{tenant.slug}/accounts/{batch_id}")
    assert response.status_code == 200, response.text
    return {str(p["full_name"]): p for p in response.json()["people"]}


def realm_users(issuer: Issuer, *usernames: object) -> list[User]:
    return [u for u in issuer.realm.users.values() if u.username in usernames]


def members_of(issuer: Issuer, slug: str) -> list[str]:
    return [m for o in issuer.realm.organizations.values() if o.alias == slug for m in o.members]


async def identity_subjects(runtime: Runtime, *person_ids: uuid.UUID) -> dict[uuid.UUID, str | None]:
    async with runtime.owner_sessions() as db:
        rows = await db.execute(
            select(Person.id, Identity.subject)
            .outerjoin(Identity, Identity.id == Person.identity_id)
            .where(Person.id.in_(person_ids))
        )
        return {pid: subject for pid, subject in rows}


def hidden_fields(text: str) -> dict[str, str]:
    return {
        k: html.unescape(v)
        for k, v in re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', text)
    }


async def test_an_invitation_and_a_one_time_password_then_the_person_signs_in_as_mentor(
    site: Site, issuer: Issuer, world: World
) -> None:
    tenant, orlov, sokolova, email = await two_mentors(site, world)
    batch_id = await ask(site, tenant, orlov, sokolova)
    before = await batch_json(site, tenant, batch_id)
    assert {n: (p["status"], p["delivery"]) for n, p in before.items()} == {
        "Орлов Пётр Ильич": ("pending", "email"),
        "Соколова Мария Ивановна": ("pending", "password"),
    }
    await run_queued_jobs(site.runtime)

    after = await batch_json(site, tenant, batch_id)
    by_mail, by_sheet = after["Орлов Пётр Ильич"], after["Соколова Мария Ивановна"]
    assert (by_mail["status"], by_mail["status_title"]) == ("invited", "приглашение отправлено")
    assert (by_sheet["status"], by_sheet["status_title"], by_sheet["password_held"]) == (
        "created",
        "создана",
        True,
    )
    assert re.fullmatch(r"orlov\.p\.[2-9a-hjkmnp-z]{4}", str(by_mail["username"])), by_mail["username"]
    assert re.fullmatch(r"sokolova\.m\.[2-9a-hjkmnp-z]{4}", str(by_sheet["username"])), by_sheet["username"]
    # In Keycloak: two users, both members of the school's organization; one invitation, one temporary password.
    invited, temporary = realm_users(issuer, by_mail["username"]), realm_users(issuer, by_sheet["username"])
    assert [(u.first_name, u.last_name, u.email) for u in invited] == [("Пётр", "Орлов", email)]
    assert [(u.first_name, u.last_name, u.email) for u in temporary] == [("Мария", "Соколова", None)]
    sent = [m for m in issuer.realm.sent_emails if m["user_id"] in (invited[0].id, temporary[0].id)]
    assert [(m["to"], m["actions"]) for m in sent] == [(email, ["UPDATE_PASSWORD", "VERIFY_EMAIL"])]
    assert temporary[0].required_actions == ["UPDATE_PASSWORD"]
    assert invited[0].password is None
    assert sorted(members_of(issuer, tenant.slug)) == sorted([invited[0].id, temporary[0].id])
    # In the platform: each person's identity is the Keycloak user.
    assert await identity_subjects(site.runtime, orlov, sokolova) == {
        orlov: invited[0].id,
        sokolova: temporary[0].id,
    }

    # The access sheet: Соколова alone, her login and the password Keycloak holds.
    async with client_for(site.app, tenant.identities["curator"]) as curator:
        sheet = await curator.get(f"/api/o/{tenant.slug}/accounts/{batch_id}/sheet.docx")
    assert sheet.status_code == 200, sheet.text
    assert sheet.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert sheet.headers["cache-control"] == "no-store"
    text = "\n".join(docx_paragraphs(sheet.content))
    one_time = temporary[0].password
    assert one_time is not None
    assert PASSWORD.fullmatch(one_time), one_time
    assert "Доступ к платформе «Наставник»" in text
    assert f"Логин: {by_sheet['username']}" in text
    assert f"Одноразовый пароль: {one_time}" in text
    assert f"Адрес для входа: {site.url}" in text
    assert "обязательно нужно сменить" in text
    assert "Орлов" not in text
    # Nowhere in plain text: not in the database, not in Redis.
    async with site.runtime.owner_sessions() as db:
        rows = (
            (await db.execute(select(AccountEntry).where(AccountEntry.org_id == tenant.id))).scalars().all()
        )
    assert all(one_time not in repr(vars(row)) for row in rows)
    for key in await site.runtime.redis.keys(site.runtime.redis_key("accounts", "otp", str(tenant.id), "*")):
        assert one_time.encode() not in (await site.runtime.redis.get(key) or b"")
    async with site.runtime.owner_sessions() as db:
        exports = await db.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.object_type == "access_sheet", AuditEvent.object_id == batch_id)
        )
    assert exports == 1

    # Соколова signs in over real HTTP with the one-time password; the issuer makes her change it first.
    async with httpx.AsyncClient(follow_redirects=True, timeout=10) as browser:
        login = await browser.get(f"{site.url}/o/{tenant.slug}/")
        assert login.url.path.endswith("/protocol/openid-connect/auth"), login.url
        form = hidden_fields(login.text.split("<h2>")[0])
        change = await browser.post(
            str(login.url), data={**form, "username": str(by_sheet["username"]), "password": one_time}
        )
        assert change.status_code == 200
        assert "Смена пароля" in change.text
        mismatch = await browser.post(
            str(change.url),
            data={**hidden_fields(change.text), "password_new": "Своё-слово-1", "password_confirm": "другое"},
        )
        assert "Пароли не совпадают" in mismatch.text
        landed = await browser.post(
            str(mismatch.url),
            data={
                **hidden_fields(mismatch.text),
                "password_new": "Своё-слово-1",
                "password_confirm": "Своё-слово-1",
            },
        )
        assert landed.status_code == 200, landed.text[:500]
        assert str(landed.url).rstrip("/") == f"{site.url}/o/{tenant.slug}"  # where she was going
        me = await browser.get(f"{site.url}/api/o/{tenant.slug}")
    assert me.status_code == 200, me.text
    assert me.json()["my_roles"] == ["mentor"]
    assert (temporary[0].password, temporary[0].required_actions) == ("Своё-слово-1", [])


async def test_running_the_job_again_gives_the_same_users(site: Site, issuer: Issuer, world: World) -> None:
    tenant, orlov, sokolova, email = await two_mentors(site, world)
    batch_id = await ask(site, tenant, orlov, sokolova)
    await run_queued_jobs(site.runtime)

    async def state() -> tuple[object, ...]:
        people = await batch_json(site, tenant, batch_id)
        usernames = sorted(str(p["username"]) for p in people.values())
        users = sorted((u.username, u.id, u.password) for u in realm_users(issuer, *usernames))
        invitations = [m for m in issuer.realm.sent_emails if m["to"] == email]
        return (
            sorted((n, p["status"]) for n, p in people.items()),
            users,
            sorted(members_of(issuer, tenant.slug)),
            len(invitations),
            await identity_subjects(site.runtime, orlov, sokolova),
        )

    first = await state()
    assert len(first[1]) == 2  # type: ignore[arg-type]
    # The whole batch again, as after a lost acknowledgement: every step finds what it would create.
    async with site.runtime.owner_sessions() as db:
        await db.execute(
            update(AccountEntry).where(AccountEntry.org_id == tenant.id).values(status="pending")
        )
        await db.commit()
    assert await run_batch(site.runtime, tenant.id, uuid.UUID(batch_id)) == "done"
    assert await state() == first
    # A crash after Keycloak created the user, before anything else was saved: found by the login saved first.
    await crash_after_keycloak(site.runtime, tenant, sokolova)
    assert await run_batch(site.runtime, tenant.id, uuid.UUID(batch_id)) == "done"
    again = await state()
    assert again[0] == first[0]  # same statuses
    assert [(u[0], u[1]) for u in again[1]] == [(u[0], u[1]) for u in first[1]]  # type: ignore[attr-defined]
    assert again[2:] == first[2:]  # same members, one invitation, same identities
    # A job already done does nothing more.
    assert await run_batch(site.runtime, tenant.id, uuid.UUID(batch_id)) == "done"


async def test_keycloak_unreachable_is_shown_and_a_retry_succeeds(site: Site, world: World) -> None:
    tenant = await new_tenant(site.runtime, world)
    mentor = await add_mentor(site.runtime, tenant, Named("Лебедев", "Олег"))
    batch_id = await ask(site, tenant, mentor)
    down = dataclasses.replace(
        site.runtime, settings=site.runtime.settings.model_copy(update={"keycloak_url": "http://127.0.0.1:9"})
    )
    with pytest.raises(KeycloakUnavailable):
        await run_batch(down, tenant.id, uuid.UUID(batch_id))
    shown = (await batch_json(site, tenant, batch_id))["Лебедев Олег"]
    assert shown["status"] == "retrying"
    assert "Keycloak недоступен" in str(shown["error"])
    async with client_for(site.app, tenant.identities["curator"]) as curator:
        page = await curator.get(f"/o/{tenant.slug}/accounts/{batch_id}")
        assert "Keycloak недоступен" in page.text
        assert '<meta http-equiv="refresh"' in page.text  # the worker tries again by itself
        retried = await curator.post(f"/api/o/{tenant.slug}/accounts/{batch_id}/retry")
    assert retried.status_code == 202, retried.text
    await run_queued_jobs(site.runtime)
    shown = (await batch_json(site, tenant, batch_id))["Лебедев Олег"]
    assert (shown["status"], shown["error"]) == ("created", None)


async def test_through_the_pages_and_after_the_passwords_expire_they_are_reset(
    site: Site, issuer: Issuer, world: World
) -> None:
    tenant = await new_tenant(site.runtime, world)
    mentor = await add_mentor(site.runtime, tenant, Named("Зайцева", "Анна"))
    async with client_for(site.app, tenant.identities["curator"]) as curator:
        people = await curator.get(f"/o/{tenant.slug}/people")
        assert f'name="person_{mentor}"' in people.text
        assert f'name="person_{tenant.persons["curator"]}"' not in people.text  # has a login already
        assert "Создать учётные записи" in people.text
        created = await curator.post(f"/o/{tenant.slug}/accounts", data={f"person_{mentor}": "on"})
        assert created.status_code == 302
        batch_url = created.headers["location"]
        batch_id = batch_url.rsplit("/", 1)[1]
        waiting = await curator.get(batch_url)
        assert '<meta http-equiv="refresh"' in waiting.text
        assert "ожидает" in waiting.text
        await run_queued_jobs(site.runtime)
        done = await curator.get(batch_url)
        assert '<meta http-equiv="refresh"' not in done.text
        assert f"{batch_url}/sheet.docx" in done.text
        first = await curator.get(f"{batch_url}/sheet.docx")
        assert first.status_code == 200
        user = next(
            u for u in issuer.realm.users.values() if u.last_name == "Зайцева" and u.first_name == "Анна"
        )
        old_password = user.password
        assert f"Одноразовый пароль: {old_password}" in "\n".join(docx_paragraphs(first.content))

        # The day passes: the password is gone from Redis, so it can only be reset.
        for key in await site.runtime.redis.keys(
            site.runtime.redis_key("accounts", "otp", str(tenant.id), "*")
        ):
            await site.runtime.redis.delete(key)
        expired = await curator.get(batch_url)
        assert "Пароли нужно сбросить" in expired.text
        gone = await curator.get(f"{batch_url}/sheet.docx")
        assert gone.status_code == 409
        assert "Сбросьте пароли" in gone.text
        reset = await curator.post(f"{batch_url}/reset", data={f"person_{mentor}": "on"})
        assert reset.status_code == 302
        await run_queued_jobs(site.runtime)
        second = await curator.get(f"{batch_url}/sheet.docx")
    assert second.status_code == 200
    assert user.password != old_password
    assert user.required_actions == ["UPDATE_PASSWORD"]
    assert f"Одноразовый пароль: {user.password}" in "\n".join(docx_paragraphs(second.content))
    assert len(realm_users(issuer, user.username)) == 1
    async with site.runtime.owner_sessions() as db:
        exports = await db.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.object_type == "access_sheet", AuditEvent.object_id == batch_id)
        )
    assert exports == 2  # the refused download exported nothing


async def test_bad_requests_are_refused_in_russian_and_nothing_is_done(
    site: Site, issuer: Issuer, world: World, app: Litestar, dates: RegionDates
) -> None:
    tenant = await new_tenant(site.runtime, world)
    mentor = await add_mentor(site.runtime, tenant, Named("Смирнов", "Илья"))
    signed_in = await add_mentor(site.runtime, tenant, Named("Входов", "Иван"), signs_in=True)
    this_year = dates.today.year
    teen = await add_mentee(
        site.runtime,
        tenant,
        Named("Юная", "Вера"),
        kind="learner",
        birth_date=date(this_year - 16, 1, 1),
        class_name="10А",
    )
    child = await add_mentee(
        site.runtime,
        tenant,
        Named("Маленький", "Петя"),
        kind="learner",
        birth_date=date(this_year - 12, 1, 1),
        class_name="6Б",
    )
    async with site.runtime.owner_sessions() as db:  # Вера's guardian has not consented
        await db.execute(
            update(MenteeProfile).where(MenteeProfile.person_id == teen).values(guardian_consent_on=None)
        )
        await db.commit()
    users_before = len(issuer.realm.users)
    url = f"/api/o/{tenant.slug}/accounts"

    async with client_for(site.app, tenant.identities["curator"]) as curator:
        foreign = await curator.post(
            url, json={"person_ids": [str(mentor), str(world.orgs["school_b"].persons["mentee"])]}
        )
        assert foreign.status_code == 404
        empty = await curator.post(url, json={"person_ids": []})
        assert (empty.status_code, empty.json()["detail"]) == (
            422,
            "Выберите хотя бы одного человека, кому нужна учётная запись.",
        )
        for person, reason in (
            (signed_in, "Входов Иван: уже есть учётная запись"),
            (teen, "Юная Вера: нет согласия законного представителя (обучающемуся нет 18 лет)"),
            (child, "Маленький Петя: обучающимся младше 14 лет учётная запись по умолчанию не создаётся"),
        ):
            refused = await curator.post(url, json={"person_ids": [str(mentor), str(person)]})
            assert refused.status_code == 422, refused.text
            assert refused.json()["errors"] == [{"field": "person_ids", "message": reason}]
        page = await curator.post(f"/o/{tenant.slug}/accounts", data={f"person_{child}": "on"})
        assert page.status_code == 422
        assert "младше 14 лет" in page.text
        bad_mail = await curator.patch(
            f"/api/o/{tenant.slug}/people/{mentor}",
            json={
                "last_name": "Смирнов",
                "first_name": "Илья",
                "category": "pedagogue",
                "version": 1,
                "email": "не почта",
            },
        )
        assert bad_mail.status_code == 422
        assert bad_mail.json()["errors"][0]["field"] == "email"
    async with client_for(app, tenant.identities["curator"]) as no_sso:  # this app has no single sign-on
        unconfigured = await no_sso.post(url, json={"person_ids": [str(mentor)]})
    assert unconfigured.status_code == 409
    assert unconfigured.json()["detail"].startswith("Вход через Keycloak не настроен")
    async with client_for(site.app, tenant.identities[f"mentor:{'Входов'}"]) as mentor_client:
        assert (await mentor_client.post(url, json={"person_ids": [str(mentor)]})).status_code == 403

    async with site.runtime.owner_sessions() as db:
        batches = await db.scalar(
            select(func.count()).select_from(AccountBatch).where(AccountBatch.org_id == tenant.id)
        )
        linked = await db.scalar(select(Person.identity_id).where(Person.id == mentor))
    assert (batches, linked, len(issuer.realm.users)) == (0, None, users_before)

    # With the consent recorded, Вера may have an account.
    async with site.runtime.owner_sessions() as db:
        await db.execute(
            update(MenteeProfile)
            .where(MenteeProfile.person_id == teen)
            .values(guardian_consent_on=date(this_year, 1, 10))
        )
        await db.commit()
    batch_id = await ask(site, tenant, teen)
    await run_queued_jobs(site.runtime)
    assert (await batch_json(site, tenant, batch_id))["Юная Вера"]["status"] == "created"


async def test_an_e_mail_is_unique_in_the_organisation(site: Site, world: World) -> None:
    tenant = await new_tenant(site.runtime, world)
    first = await add_mentor(site.runtime, tenant, Named("Первый", "Адам"))
    second = await add_mentor(site.runtime, tenant, Named("Второй", "Борис"))
    body = {"category": "pedagogue", "version": 1, "email": "one@school.example"}
    async with client_for(site.app, tenant.identities["curator"]) as curator:
        ok = await curator.patch(
            f"/api/o/{tenant.slug}/people/{first}", json={**body, "last_name": "Первый", "first_name": "Адам"}
        )
        taken = await curator.patch(
            f"/api/o/{tenant.slug}/people/{second}",
            json={**body, "last_name": "Второй", "first_name": "Борис"},
        )
        created = await curator.post(
            f"/o/{tenant.slug}/people",
            data={
                "last_name": "Третий",
                "first_name": "Вадим",
                "category": "pedagogue",
                "email": "ONE@school.example",
            },
        )
    assert ok.status_code == 200
    assert (taken.status_code, taken.json()["detail"]) == (
        409,
        "Этот адрес электронной почты уже указан у другого человека организации.",
    )
    assert created.status_code == 409
