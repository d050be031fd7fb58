"""The registry of partner enterprises and what the curator records on it: each change through the API and the
pages, each refusal in Russian beside its field with nothing written, who may do what, and the plugin gone
where a college switched it off."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any

from litestar import Litestar
from sqlalchemy import func, select

from nastavnik import clock
from nastavnik.domain.accounts.models import AccountEntry
from nastavnik.inn import with_individual_inn_check_digits, with_inn_check_digit
from nastavnik.models.people import Person
from nastavnik.models.reference import AcademicYear
from nastavnik.testing import TIMEZONE, Runtime, Tenant, new_organisation, new_region
from nastavnik_colleges.models import Internship, Partner, Representative

Seed = Callable[..., Awaitable[Any]]


def inn() -> str:
    return with_inn_check_digit(f"6{secrets.randbelow(10**8):08d}")


def partner_body(**changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "name": "ООО «Сварочные технологии»",
        "inn": inn(),
        "activity": "Металлообработка",
        "agreement_number": "7-П",
        "agreement_date": "2025-09-01",
        "contact": "Приёмная",
    }
    return {**body, **changes}


async def college(runtime: Runtime) -> Tenant:
    return await new_organisation(runtime, (await new_region(runtime)).municipality_id, org_type="college")


async def counts(runtime: Runtime, org: Tenant) -> tuple[int, int, int, int, int]:
    """What the college owns of the plugin's and the invitation's rows."""
    async with runtime.owner_sessions() as db:
        return tuple(  # type: ignore[return-value]
            [
                int(await db.scalar(select(func.count()).select_from(m).where(m.org_id == org.id)) or 0)
                for m in (Partner, Representative, Internship, Person, AccountEntry)
            ]
        )


def errors(response: Any) -> dict[str, str]:
    return {e["field"]: e["message"] for e in response.json()["errors"]}


async def test_the_registry_through_the_api(runtime: Runtime, app: Litestar) -> None:
    org = await college(runtime)
    partners = f"/api/o/{org.slug}/p/colleges/partners"
    individual = with_individual_inn_check_digits(f"66{secrets.randbelow(10**8):08d}")
    async with org.signed_in(app) as curator:
        created = await curator.post(partners, json=partner_body())
        entrepreneur = await curator.post(
            partners,
            json=partner_body(name="ИП Кузнецов", inn=individual, agreement_number="", agreement_date=None),
        )
        partner = created.json()
        changed = await curator.put(
            f"{partners}/{partner['id']}",
            json={
                **partner_body(inn=partner["inn"], name="  ООО  «Сварка-Урал» "),
                "version": partner["version"],
            },
        )
        stale = await curator.put(
            f"{partners}/{partner['id']}",
            json={**partner_body(inn=partner["inn"]), "version": partner["version"]},
        )
        listed = await curator.get(partners)
        removed = await curator.delete(f"{partners}/{entrepreneur.json()['id']}")
        gone = await curator.get(f"{partners}/{entrepreneur.json()['id']}")
        malformed = await curator.get(f"{partners}/123")
    assert (created.status_code, entrepreneur.status_code) == (201, 201), entrepreneur.text
    assert entrepreneur.json()["agreement_date"] is None
    assert (changed.status_code, changed.json()["name"]) == (200, "ООО «Сварка-Урал»")
    assert changed.json()["version"] == partner["version"] + 1
    assert stale.status_code == 409
    assert [p["name"] for p in listed.json()] == ["ИП Кузнецов", "ООО «Сварка-Урал»"]
    assert (removed.status_code, gone.status_code, malformed.status_code) == (204, 404, 404)


async def test_bad_partners_are_refused_field_by_field_and_nothing_is_written(
    runtime: Runtime, app: Litestar
) -> None:
    org = await college(runtime)
    partners = f"/api/o/{org.slug}/p/colleges/partners"
    tomorrow = clock.today_in(TIMEZONE) + timedelta(days=1)
    async with org.signed_in(app) as curator:
        first = await curator.post(partners, json=partner_body())
        before = await counts(runtime, org)
        empty = await curator.post(partners, json=partner_body(name=" ", activity="", inn="7707083894"))
        halves = await curator.post(
            partners, json=partner_body(agreement_number="", agreement_date="2025-01-10")
        )
        undated = await curator.post(partners, json=partner_body(agreement_date=None))
        future = await curator.post(partners, json=partner_body(agreement_date=tomorrow.isoformat()))
        twice = await curator.post(partners, json=partner_body(inn=first.json()["inn"]))
        eleven = await curator.post(partners, json=partner_body(inn="12345678901"))
        wrong_twelve = await curator.post(partners, json=partner_body(inn="500100732258"))
        letters = await curator.post(partners, json=partner_body(inn="77070838９3"))
        too_long = await curator.post(partners, json=partner_body(inn="7" * 13))
        unknown = await curator.post(partners, json=partner_body(colour="red"))
    assert all(
        r.status_code == 422
        for r in (empty, halves, undated, future, twice, eleven, wrong_twelve, letters, too_long, unknown)
    )
    assert errors(empty) == {
        "name": "укажите наименование предприятия",
        "activity": "укажите сферу деятельности",
        "inn": "ИНН — 10 цифр (организация) или 12 (предприниматель) с верными контрольными цифрами",
    }
    assert errors(halves) == {"agreement_number": "укажите номер договора"}
    assert errors(undated) == {"agreement_date": "укажите дату договора"}
    assert errors(future) == {"agreement_date": "дата договора не может быть в будущем"}
    assert errors(twice) == {"inn": "предприятие с таким ИНН уже есть в реестре"}
    assert {tuple(errors(r)) for r in (eleven, wrong_twelve, letters, too_long)} == {("inn",)}
    assert tuple(errors(unknown)) == ("colour",)
    assert await counts(runtime, org) == before


async def test_a_refused_page_form_comes_back_filled_with_each_message_beside_its_field(
    runtime: Runtime, app: Litestar
) -> None:
    org = await college(runtime)
    page = f"/o/{org.slug}/p/colleges/partners"
    async with org.signed_in(app) as curator:
        refused = await curator.post(
            page,
            data=partner_body(name="Завод «Прогресс»", inn="1234567890", activity=""),
            headers={"referer": f"http://testserver{page}"},
            follow_redirects=True,
        )
        added = await curator.post(page, data=partner_body(name="Завод «Прогресс»"))
    assert refused.status_code == 200
    assert '<a href="#f-inn">ИНН</a>: ИНН — 10 цифр' in refused.text
    assert '<a href="#f-activity">Сфера деятельности</a>: укажите сферу деятельности' in refused.text
    assert 'id="e-activity">укажите сферу деятельности</span>' in refused.text
    assert 'value="Завод «Прогресс»"' in refused.text  # what was typed is kept
    assert added.status_code == 302
    assert added.headers["location"].startswith(f"{page}/")


async def test_deleting_a_partner_with_representatives_or_internships_is_refused(
    runtime: Runtime, app: Litestar, partnership: Seed
) -> None:
    org = await college(runtime)
    year = AcademicYear.start_year_of(clock.today_in(TIMEZONE))
    seeded = await partnership(
        org, "П", year=year, agreement_on=date(2025, 1, 1), internship=(date(year, 10, 1), date(year, 11, 1))
    )
    partner = f"/api/o/{org.slug}/p/colleges/partners/{seeded.partner_id}"
    page = f"/o/{org.slug}/p/colleges/partners/{seeded.partner_id}"
    async with org.signed_in(app) as curator:
        refused = await curator.delete(partner)
        unconfirmed = await curator.post(f"{page}/delete", data={})
        unlinked = await curator.delete(f"{partner}/representatives/{seeded.representative_id}")
        unlinked_again = await curator.delete(f"{partner}/representatives/{seeded.representative_id}")
        still = await curator.delete(partner)
        dropped = await curator.post(
            f"/o/{org.slug}/p/colleges/internships/{seeded.internship_id}/delete", data={"confirm": "yes"}
        )
        deleted = await curator.post(f"{page}/delete", data={"confirm": "yes"})
    assert refused.status_code == 422
    assert "Предприятие не удалено" in refused.json()["detail"]
    assert errors(refused) == {
        "partner_id": "представителей: 1, практик: 1; сначала уберите их со страницы предприятия"
    }
    assert unconfirmed.status_code == 422
    assert "отметьте подтверждение" in unconfirmed.text
    assert (unlinked.status_code, unlinked_again.status_code) == (204, 404)
    assert errors(still)["partner_id"].startswith("представителей: 0, практик: 1")
    assert (dropped.status_code, deleted.status_code) == (302, 302)
    async with runtime.owner_sessions() as db:  # the representative stays a person of the college
        assert await db.get(Person, (org.id, seeded.representative_id)) is not None
        assert await db.get(Partner, (org.id, seeded.partner_id)) is None


async def test_inviting_without_single_sign_on_or_with_bad_fields_writes_nothing(
    runtime: Runtime, app: Litestar, sso_app: Litestar
) -> None:
    org = await college(runtime)
    tomorrow = clock.today_in(TIMEZONE) + timedelta(days=1)
    async with org.signed_in(app) as curator:
        partner = (await curator.post(f"/api/o/{org.slug}/p/colleges/partners", json=partner_body())).json()
    invite = f"/api/o/{org.slug}/p/colleges/partners/{partner['id']}/representatives"
    good = {
        "last_name": "Кузнецов",
        "first_name": "Олег",
        "email": "o.kuz@zavod.example",
        "position": "Мастер",
    }
    before = await counts(runtime, org)
    async with org.signed_in(app) as curator:  # this app has no single sign-on: nobody can be invited
        no_sso = await curator.post(invite, json=good)
    async with org.signed_in(sso_app) as curator:
        bad = await curator.post(
            invite,
            json={
                **good,
                "last_name": " ",
                "email": "не адрес",
                "position": "",
                "capacity": 0,
                "consent_on": tomorrow.isoformat(),
            },
        )
        no_email = await curator.post(invite, json={**good, "email": ""})
        missing = await curator.post(
            f"/api/o/{org.slug}/p/colleges/partners/{'0' * 8}-0000-0000-0000-{'0' * 12}/representatives",
            json=good,
        )
        unchanged = await counts(runtime, org)
        invited = await curator.post(invite, json=good)
        after = await counts(runtime, org)
        taken = await curator.post(
            invite, json={**good, "last_name": "Другой", "email": "O.Kuz@zavod.example "}
        )
    assert no_sso.status_code == 409
    assert "Keycloak не настроен" in no_sso.json()["detail"]
    assert bad.status_code == 422
    assert errors(bad) == {
        "position": "укажите должность на предприятии",
        "last_name": "укажите фамилию",
        "email": "укажите адрес вида имя@school.ru",
        "capacity": "от 1 до 20 наставляемых",
        "consent_on": "дата не может быть в будущем",
    }
    assert errors(no_email) == {"email": "укажите адрес: на него придёт приглашение войти в «Наставник»"}
    assert missing.status_code == 404
    assert unchanged == before
    assert invited.status_code == 201
    # One more person, their link to the partner, their account's request; nothing else.
    assert after == (before[0], before[1] + 1, before[2], before[3] + 1, before[4] + 1)
    assert (taken.status_code, taken.json()["field"]) == (409, "email")
    assert await counts(runtime, org) == after


async def test_internships_only_for_the_employer_form_within_reason(
    runtime: Runtime, app: Litestar, partnership: Seed
) -> None:
    org, other = await college(runtime), await college(runtime)
    year = AcademicYear.start_year_of(clock.today_in(TIMEZONE))
    term = (date(year, 10, 1), date(year, 11, 1))
    employer = await partnership(org, "Р", year=year, agreement_on=None, internship=term)
    peers = await partnership(
        org, "С", year=year, agreement_on=None, internship=term, form_code="student_student"
    )
    foreign = await partnership(other, "Ч", year=year, agreement_on=None, internship=term)
    internships = f"/api/o/{org.slug}/p/colleges/internships"
    good = {
        "group_id": str(employer.group_id),
        "partner_id": str(employer.partner_id),
        "place": "Сборочный цех, слесарь",
        "starts_on": f"{year + 1}-03-01",
        "ends_on": f"{year + 1}-04-30",
    }
    before = await counts(runtime, org)
    async with org.signed_in(app) as curator:
        wrong_form = await curator.post(internships, json={**good, "group_id": str(peers.group_id)})
        foreign_pair = await curator.post(internships, json={**good, "group_id": str(foreign.group_id)})
        foreign_partner = await curator.post(
            internships, json={**good, "partner_id": str(foreign.partner_id)}
        )
        backwards = await curator.post(
            internships, json={**good, "ends_on": f"{year + 1}-03-01", "place": " "}
        )
        endless = await curator.post(internships, json={**good, "ends_on": f"{year + 3}-03-01"})
        not_a_date = await curator.post(internships, json={**good, "starts_on": "1 марта"})
        unchanged = await counts(runtime, org)
        recorded = await curator.post(internships, json=good)
        listed = (await curator.get(internships)).json()
    assert all(r.status_code == 422 for r in (wrong_form, foreign_pair, foreign_partner, backwards, endless))
    assert errors(wrong_form) == {
        "group_id": "практика записывается только для пар формы «Работодатель – студент»,"
        " а эта пара — формы «Студент – студент»"
    }
    assert errors(foreign_pair) == {"group_id": "такой пары нет в организации"}
    assert errors(foreign_partner) == {"partner_id": "такого предприятия нет в реестре партнёров"}
    assert errors(backwards) == {
        "ends_on": "окончание практики должно быть позже начала",
        "place": "укажите место практики: подразделение, должность",
    }
    assert errors(endless) == {"ends_on": "практика длится не больше года"}
    assert (not_a_date.status_code, tuple(errors(not_a_date))) == (422, ("starts_on",))
    assert unchanged == before
    assert recorded.status_code == 201
    # Listed per pair of the employer form: the seeded one and the new one; the peers' pair is not there.
    assert [(row["pair"]["id"], len(row["internships"])) for row in listed] == [(str(employer.group_id), 2)]


async def test_only_the_managers_see_the_registry(runtime: Runtime, app: Litestar) -> None:
    org = await college(runtime)
    partners = f"/api/o/{org.slug}/p/colleges/partners"
    answers = {}
    for role in ("curator", "director", "mentor", "mentee"):
        async with org.signed_in(app, role) as client:
            created = await client.post(partners, json=partner_body(name=f"Завод ({role})"))
            listed = await client.get(partners)
            page = await client.get(f"/o/{org.slug}/p/colleges/partners")
            home = await client.get(f"/o/{org.slug}/")
            menu = f'href="/o/{org.slug}/p/colleges/partners"' in home.text
            answers[role] = (created.status_code, listed.status_code, page.status_code, menu)
    assert answers == {
        "curator": (201, 200, 200, True),
        "director": (201, 200, 200, True),
        "mentor": (403, 403, 403, False),
        "mentee": (403, 403, 403, False),
    }


async def test_switched_off_the_plugin_is_gone_from_the_college(runtime: Runtime, app: Litestar) -> None:
    org = await college(runtime)
    modules = f"/api/o/{org.slug}/plugins/colleges"
    async with org.signed_in(app) as curator:
        created = await curator.post(f"/api/o/{org.slug}/p/colleges/partners", json=partner_body())
        off = await curator.put(modules, json={"enabled": False, "settings": {}})
        hidden = [
            (await curator.get(url)).status_code
            for url in (
                f"/api/o/{org.slug}/p/colleges/partners",
                f"/api/o/{org.slug}/p/colleges/partners/{created.json()['id']}",
                f"/o/{org.slug}/p/colleges/partners",
                f"/o/{org.slug}/p/colleges/internships",
            )
        ]
        home_off = (await curator.get(f"/o/{org.slug}/")).text
        figures_off = {i["key"] for i in (await curator.get(f"/api/o/{org.slug}/indicators")).json()}
        on = await curator.put(modules, json={"enabled": True, "settings": {}})
        home_on = (await curator.get(f"/o/{org.slug}/")).text
        figures_on = {i["key"] for i in (await curator.get(f"/api/o/{org.slug}/indicators")).json()}
    assert (off.status_code, on.status_code) == (200, 200)
    assert hidden == [404, 404, 404, 404]
    assert "Предприятия-партнёры" not in home_off
    assert not {k for k in figures_off if k.startswith("colleges.")}
    assert f'href="/o/{org.slug}/p/colleges/partners"' in home_on
    assert {"colleges.partners_with_agreement", "colleges.students_on_internship"} <= figures_on


async def test_the_auditor_reads_the_plugins_objects_by_their_titles(runtime: Runtime, app: Litestar) -> None:
    region = await new_region(runtime)
    org = await new_organisation(runtime, region.municipality_id, org_type="college")
    async with org.signed_in(app) as curator:
        created = await curator.post(f"/api/o/{org.slug}/p/colleges/partners", json=partner_body())
    async with region.signed_in(app, "auditor") as auditor:
        log = await auditor.get("/audit")
    row = next(line for line in log.text.split("<tr>") if created.json()["id"] in line)
    assert "предприятие-партнёр" in row
    assert "colleges.partner" not in row
