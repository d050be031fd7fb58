"""The bases of mentees and mentors: consent decides who may take part; mistakes are refused in Russian."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from typing import Any

from litestar import Litestar
from openpyxl import load_workbook

from nastavnik.domain.bases.services import age_on
from tests.support.dates import RegionDates
from tests.support.http import Client, client_for
from tests.support.world import World


async def new_person(client: Client, slug: str, category: str) -> str:
    response = await client.post(
        f"/api/o/{slug}/people", json={"last_name": "Базова", "first_name": "Анна", "category": category}
    )
    assert response.status_code == 201
    return str(response.json()["id"])


async def test_a_minor_takes_part_only_with_a_guardians_consent(app: Litestar, world: World) -> None:
    org = world.orgs["school_x"]
    async with client_for(app, org.identities["curator"]) as curator:
        pid = await new_person(curator, org.slug, "learner")
        url = f"/api/o/{org.slug}/people/{pid}/mentee-profile"
        learner = {"kind": "learner", "birth_date": "2012-05-20", "class_name": "8А", "requests": "алгебра"}
        without = (await curator.put(url, json=learner)).json()
        with_consent = (await curator.put(url, json={**learner, "guardian_consent_on": "2026-09-05"})).json()
        left = (
            await curator.put(
                url,
                json={
                    **learner,
                    "guardian_consent_on": "2026-09-05",
                    "left_on": "2026-10-01",
                    "left_reason": "organisation",
                },
            )
        ).json()
        listed = (await curator.get(f"/api/o/{org.slug}/bases/mentees")).json()
    assert (without["may_take_part"], without["reason"]) == (False, "нет согласия законного представителя")
    assert with_consent["may_take_part"] is True
    assert (left["may_take_part"], left["reason"]) == (False, "выбыл(а)")
    assert pid in {e["person_id"] for e in listed}


async def test_a_mentor_needs_written_consent(app: Litestar, world: World) -> None:
    org = world.orgs["school_x"]
    async with client_for(app, org.identities["curator"]) as curator:
        pid = await new_person(curator, org.slug, "pedagogue")
        url = f"/api/o/{org.slug}/people/{pid}/mentor-profile"
        without = (await curator.put(url, json={"competencies": "ИКТ", "capacity": 3})).json()
        reserve = (
            await curator.put(url, json={"capacity": 3, "consent_on": "2026-09-01", "status": "reserve"})
        ).json()
        current = (await curator.put(url, json={"capacity": 3, "consent_on": "2026-09-01"})).json()
    assert without["reason"] == "нет письменного согласия наставника"
    assert reserve["reason"] == "в резерве"
    assert current["may_mentor"] is True


async def test_mistakes_are_refused_field_by_field(app: Litestar, world: World) -> None:
    org = world.orgs["school_x"]
    async with client_for(app, org.identities["curator"]) as curator:
        pid = await new_person(curator, org.slug, "learner")
        mentee = await curator.put(
            f"/api/o/{org.slug}/people/{pid}/mentee-profile",
            json={"kind": "learner", "birth_date": "2099-01-01", "left_on": "2026-01-01"},
        )
        mentor = await curator.put(
            f"/api/o/{org.slug}/people/{pid}/mentor-profile",
            json={"capacity": 50, "experience_years": -1, "status": "retired"},
        )
        page = await curator.get(f"/o/{org.slug}/bases/mentees")
    assert mentee.status_code == 422
    assert {e["field"] for e in mentee.json()["errors"]} == {"birth_date", "class_name", "left_reason"}
    assert mentor.status_code == 422
    assert {e["field"] for e in mentor.json()["errors"]} == {"capacity", "experience_years", "status"}
    assert page.status_code == 200
    assert "База наставляемых" in page.text


def test_age_counts_birthdays() -> None:
    assert age_on(date(2008, 11, 23), date(2026, 11, 22)) == 17
    assert age_on(date(2008, 11, 22), date(2026, 11, 22)) == 18


async def test_the_person_card_edits_both_bases(app: Litestar, world: World) -> None:
    org = world.orgs["school_x"]
    async with client_for(app, org.identities["curator"]) as curator:
        pid = await new_person(curator, org.slug, "pedagogue")
        card = await curator.get(f"/o/{org.slug}/people/{pid}")
        assert "База наставников" in card.text
        saved = await curator.post(
            f"/o/{org.slug}/people/{pid}/mentor-profile",
            data={
                "competencies": "Проектная деятельность",
                "capacity": "4",
                "consent_on": "2026-09-01",
                "status": "current",
            },
        )
        assert saved.status_code == 302
        young = await curator.post(
            f"/o/{org.slug}/people/{pid}/mentee-profile",
            data={
                "kind": "young_pedagogue",
                "profession_since": "2025-09-01",
                "requests": "классное руководство",
            },
        )
        assert young.status_code == 302
        bad = await curator.post(f"/o/{org.slug}/people/{pid}/mentor-profile", data={"capacity": "много"})
        mentors = await curator.get(f"/o/{org.slug}/bases/mentors")
        mentees = await curator.get(f"/o/{org.slug}/bases/mentees")
    assert bad.status_code == 422
    assert "Наставляемых не больше" in bad.text
    assert "Проектная деятельность" in mentors.text
    assert "классное руководство" in mentees.text


async def test_the_base_of_mentors_keeps_a_birth_date_for_a_learner_only(
    app: Litestar, world: World, dates: RegionDates
) -> None:
    """A learner who mentors a peer is counted in the federal indicator by their age, so the base of
    mentors keeps their birth date; an adult mentor's is refused (152-FZ), and the ages are 7 to 25."""
    org = world.orgs["school_x"]
    today = dates.today
    born = date(today.year - 15, 1, 1)  # 14 or 15, whatever the day
    async with client_for(app, org.identities["curator"]) as curator:
        learner = await new_person(curator, org.slug, "learner")
        teacher = await new_person(curator, org.slug, "pedagogue")

        async def put(pid: str, birth: date) -> Any:
            url = f"/api/o/{org.slug}/people/{pid}/mentor-profile"
            return await curator.put(url, json={"consent_on": None, "birth_date": birth.isoformat()})

        kept = await put(learner, born)
        adult = await put(teacher, date(1980, 1, 1))
        future = await put(learner, today + timedelta(days=1))
        six = await put(learner, date(today.year - 6, 1, 1))  # 6 all year
        twenty_six = await put(learner, date(today.year - 26, 1, 1))  # 26 all year
        listed = (await curator.get(f"/api/o/{org.slug}/bases/mentors")).json()
        exported = await curator.get(f"/api/o/{org.slug}/bases/export.xlsx")
        card = await curator.get(f"/o/{org.slug}/people/{learner}")
        teacher_card = await curator.get(f"/o/{org.slug}/people/{teacher}")
        page = await curator.post(
            f"/o/{org.slug}/people/{learner}/mentor-profile",
            data={
                "capacity": "1",
                "status": "current",
                "birth_date": (today + timedelta(days=1)).isoformat(),
            },
        )
    assert kept.status_code == 200, kept.text
    assert kept.json()["birth_date"] == born.isoformat()
    assert {e["person_id"]: e["birth_date"] for e in listed if e["birth_date"]} == {learner: born.isoformat()}
    errors = {
        name: [(e["field"], e["message"]) for e in response.json()["errors"]]
        for name, response in (("adult", adult), ("future", future), ("six", six), ("26", twenty_six))
    }
    assert errors == {
        "adult": [
            (
                "birth_date",
                "дату рождения указывают только для обучающегося, который наставляет сверстника: "
                "у педагога и сотрудника она не хранится",
            )
        ],
        "future": [("birth_date", "дата не может быть в будущем")],
        "six": [("birth_date", "возраст обучающегося-наставника — от 7 до 25 лет")],
        "26": [("birth_date", "возраст обучающегося-наставника — от 7 до 25 лет")],
    }
    assert {adult.status_code, future.status_code, six.status_code, twenty_six.status_code} == {422}
    # The export has it beside the category, so that the file imports back as it is.
    sheet = load_workbook(io.BytesIO(exported.content))["Наставники"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = rows[0]
    category, birth = header.index("Категория"), header.index("Дата рождения (обучающегося)")
    assert [(r[category], r[birth]) for r in rows[1:] if r[birth]] == [
        ("обучающийся", datetime.combine(born, datetime.min.time()))
    ]
    # The card asks for it of a learner, with its purpose, and never of a teacher.
    assert "Дата рождения (обучающегося-наставника" in card.text
    assert f'value="{born.isoformat()}"' in card.text
    assert "Дата рождения (обучающегося-наставника" not in teacher_card.text
    assert page.status_code == 422
    assert "дата не может быть в будущем" in page.text
    # Once no longer a learner (a category corrected), the birth date has no purpose and is not kept.
    async with client_for(app, org.identities["curator"]) as curator:
        shown = (await curator.get(f"/api/o/{org.slug}/people/{learner}")).json()
        changed = await curator.patch(
            f"/api/o/{org.slug}/people/{learner}",
            json={
                "last_name": shown["last_name"],
                "first_name": shown["first_name"],
                "category": "pedagogue",
                "version": shown["version"],
            },
        )
        relisted = (await curator.get(f"/api/o/{org.slug}/bases/mentors")).json()
    assert changed.status_code == 200, changed.text
    assert [e["birth_date"] for e in relisted if e["person_id"] == learner] == [None]
