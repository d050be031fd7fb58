"""End to end over HTTP, as a college's curator: a partner enterprise in the registry, its specialist invited
to mentor (a person of the college, in the base of mentors, an invitation to their e-mail sent by the
worker through the development issuer), a pair «работодатель – студент» with them as the mentor, the
pair's internship at the partner; the partner's card then shows all of it."""

from __future__ import annotations

import secrets
from datetime import date, timedelta

from litestar import Litestar
from sqlalchemy import select

from nastavnik import clock
from nastavnik.models.audit import AuditEvent
from nastavnik.models.people import Person, PersonRole
from nastavnik.models.reference import AcademicYear
from nastavnik.testing import TIMEZONE, Runtime, new_organisation, new_region
from nastavnik.worker import build_worker
from nastavnik_dev.issuer.realm import Issuer

PARTNER = {
    "name": "АО «Уральский турбинный завод»",
    "inn": "6673197337",
    "activity": "Энергетическое машиностроение",
    "agreement_number": "15-СП",
    "agreement_date": "2025-06-02",
    "contact": "Отдел кадров, +7 343 000-00-00",
}


async def run_worker(runtime: Runtime) -> None:
    """The real worker, over this run's queue, until it is empty (no cron: the clock adds no runs)."""
    worker = build_worker(runtime, burst=True, poll_delay=0.05, cron_jobs=[])
    try:
        await worker.async_run()
    finally:
        await worker.close()


async def test_registry_invitation_pair_and_internship(
    runtime: Runtime, sso_runtime: Runtime, sso_app: Litestar, issuer: Issuer
) -> None:
    today = clock.today_in(TIMEZONE)
    year = AcademicYear.start_year_of(today)
    region = await new_region(runtime)
    college = await new_organisation(runtime, region.municipality_id, org_type="college")
    api = f"/api/o/{college.slug}"
    email = f"i.masterov.{secrets.token_hex(3)}@utz.example"
    async with college.signed_in(sso_app) as curator:
        created = await curator.post(f"{api}/p/colleges/partners", json=PARTNER)
        assert created.status_code == 201, created.text
        partner_id = created.json()["id"]
        invited = await curator.post(
            f"{api}/p/colleges/partners/{partner_id}/representatives",
            json={
                "last_name": "Мастеров",
                "first_name": "Илья",
                "middle_name": "Петрович",
                "email": email,
                "position": "Главный технолог",
                "consent_on": (today - timedelta(days=1)).isoformat(),
                "capacity": 2,
            },
        )
        assert invited.status_code == 201, invited.text
        mentor_id, batch_id = invited.json()["person_id"], invited.json()["account_batch_id"]
        batch = await curator.get(f"{api}/accounts/{batch_id}")
        assert [(p["full_name"], p["status"], p["delivery"]) for p in batch.json()["people"]] == [
            ("Мастеров Илья Петрович", "pending", "email")
        ]
    await run_worker(sso_runtime)
    # The worker invited them through the issuer and linked their person to the new account, as a mentor.
    sent = [m for m in issuer.realm.sent_emails if m["to"] == email]
    assert [m["actions"] for m in sent] == [["UPDATE_PASSWORD", "VERIFY_EMAIL"]]
    async with runtime.owner_sessions() as db:
        person = (await db.scalars(select(Person).where(Person.email == email))).one()
        roles = list(await db.scalars(select(PersonRole.role).where(PersonRole.person_id == person.id)))
    assert (str(person.id), person.org_id, person.category, roles) == (
        mentor_id,
        college.id,
        "staff",
        ["mentor"],
    )
    assert person.identity_id is not None

    async with college.signed_in(sso_app) as curator:
        programme = await curator.post(
            f"{api}/programmes", json={"academic_year": year, "regime": "learners"}
        )
        student = await curator.post(
            f"{api}/people", json={"last_name": "Студентова", "first_name": "Ая", "category": "learner"}
        )
        student_id = student.json()["id"]
        in_base = await curator.put(
            f"{api}/people/{student_id}/mentee-profile",
            json={"kind": "learner", "birth_date": f"{year - 18}-03-01", "class_name": "ТМ-21"},
        )
        assert (programme.status_code, student.status_code, in_base.status_code) == (201, 201, 200)
        pair = await curator.post(
            f"{api}/programmes/{programme.json()['id']}/groups",
            json={
                "mentor_ids": [mentor_id],
                "mentee_ids": [student_id],
                "form_code": "employer_student",
                "kind_code": "traditional",
                "starts_on": f"{year}-09-15",
                "ends_on": f"{year + 1}-05-31",
            },
        )
        assert pair.status_code == 201, pair.text
        group_id = pair.json()["id"]
        internship = await curator.post(
            f"{api}/p/colleges/internships",
            json={
                "group_id": group_id,
                "partner_id": partner_id,
                "place": "Цех № 3, помощник технолога",
                "starts_on": f"{year + 1}-02-01",
                "ends_on": f"{year + 1}-03-15",
            },
        )
        assert internship.status_code == 201, internship.text
        card = (await curator.get(f"{api}/p/colleges/partners/{partner_id}")).json()
        by_pair = (await curator.get(f"{api}/p/colleges/internships")).json()
        page = await curator.get(f"/o/{college.slug}/p/colleges/partners/{partner_id}")
        listing = (await curator.get(f"{api}/p/colleges/partners")).json()

    assert card["partner"]["name"] == PARTNER["name"]
    [representative] = card["representatives"]
    assert (representative["full_name"], representative["position"], representative["has_login"]) == (
        "Мастеров Илья Петрович",
        "Главный технолог",
        True,
    )
    assert [(p["form_title"], p["mentees"], p["academic_year"]) for p in representative["pairs"]] == [
        ("Работодатель – студент", ["Студентова Ая"], year)
    ]
    [practice] = card["internships"]
    assert (practice["group_id"], practice["place"], practice["starts_on"]) == (
        group_id,
        "Цех № 3, помощник технолога",
        f"{year + 1}-02-01",
    )
    assert [(row["pair"]["id"], [i["partner_name"] for i in row["internships"]]) for row in by_pair] == [
        (group_id, [PARTNER["name"]])
    ]
    assert [(p["name"], p["representatives"], p["internships"]) for p in listing] == [(PARTNER["name"], 1, 1)]
    assert page.status_code == 200
    for shown in (
        "Мастеров Илья Петрович",
        "Главный технолог",
        "Студентова Ая",
        "Цех № 3, помощник технолога",
    ):
        assert shown in page.text
    assert f"{date(year + 1, 2, 1):%d.%m.%Y}" in page.text
    # Every step is in the audit log under the plugin's own objects and the core's.
    async with runtime.owner_sessions() as db:
        kinds = set(
            await db.scalars(
                select(AuditEvent.object_type).where(
                    AuditEvent.org_id == college.id, AuditEvent.action == "create"
                )
            )
        )
    assert {
        "colleges.partner",
        "colleges.representative",
        "colleges.internship",
        "person",
        "account",
    } <= kinds
