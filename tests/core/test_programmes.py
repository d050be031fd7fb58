"""The programme's seven stages: what each lacks, who moves it on, the roadmap inside the academic year,
stale edits refused, a closed year read-only."""

from __future__ import annotations

from litestar import Litestar
from sqlalchemy import update

from nastavnik.domain.programmes.models import Programme
from nastavnik.runtime import Runtime
from tests.support.http import client_for
from tests.support.programme import approved_documents
from tests.support.world import World


async def test_a_programme_walks_its_stages(app: Litestar, world: World) -> None:
    org = world.orgs["school_b"]  # a school: both regimes; curator, mentor and mentee exist
    async with (
        client_for(app, org.identities["curator"]) as curator,
        client_for(app, org.identities["mentor"]) as mentor,
    ):
        created = await curator.post(
            f"/api/o/{org.slug}/programmes", json={"academic_year": 2027, "regime": "learners"}
        )
        assert created.status_code == 201, created.text
        pid = created.json()["id"]
        base = f"/api/o/{org.slug}/programmes/{pid}"
        shown = (await curator.get(base)).json()
        assert [s["state"] for s in shown["stages"]] == ["current"] + ["ahead"] * 6
        assert set(shown["stages"][0]["lacks"]) == {
            "Положение о наставничестве не утверждено",
            "Программа наставничества не утверждена",
            "в дорожной карте нет ни одного мероприятия",
        }
        refused = await curator.post(f"{base}/advance", json={"version": 1})
        assert refused.status_code == 422
        assert "Подготовка условий" in refused.json()["detail"]
        assert (await mentor.post(f"{base}/advance", json={"version": 1})).status_code == 403
        outside = await curator.post(
            f"{base}/roadmap",
            json={"stage": 1, "title": "Педсовет", "due_on": "2027-08-31", "responsible": "Директор"},
        )
        assert outside.status_code == 422
        assert "01.09.2027 – 31.08.2028" in outside.text
        item = (
            await curator.post(
                f"{base}/roadmap",
                json={"stage": 1, "title": "Педсовет", "due_on": "2027-09-15", "responsible": "Директор"},
            )
        ).json()
        docs = approved_documents("2026-08-30")
        assert (await curator.put(f"{base}/documents", json=docs)).status_code == 200
        stale = await curator.put(f"{base}/documents", json=docs)
        assert stale.status_code == 409
        lacks = (await curator.get(base)).json()["stages"][0]["lacks"]
        assert lacks == ["не выполнено мероприятие «Педсовет»"]
        assert (
            await curator.put(f"{base}/roadmap/{item['id']}/done", json={"done": True})
        ).status_code == 200
        assert (await curator.post(f"{base}/advance", json={"version": 2})).status_code == 200
        # Stage 2 counts the mentees of this regime in the base who may take part: none yet for learners.
        lacking = await curator.post(f"{base}/advance", json={"version": 3})
        assert lacking.status_code == 422
        assert "наставляемого" in lacking.text
        learner = (
            await curator.post(
                f"/api/o/{org.slug}/people",
                json={"last_name": "Юная", "first_name": "Ученица", "category": "learner"},
            )
        ).json()
        profile = await curator.put(
            f"/api/o/{org.slug}/people/{learner['id']}/mentee-profile",
            json={
                "kind": "learner",
                "birth_date": "2013-03-01",
                "class_name": "7Б",
                "guardian_consent_on": "2026-09-02",
            },
        )
        assert profile.status_code == 200
        for stage, version in ((2, 3), (3, 4), (4, 5)):
            moved = await curator.post(f"{base}/advance", json={"version": version})
            assert moved.status_code == 200, (stage, moved.text)
            assert moved.json()["stage"] == stage + 1
        # Stage 5 needs pairs, which do not exist yet.
        blocked = await curator.post(f"{base}/advance", json={"version": 6})
        assert blocked.status_code == 422
        assert "пары" in blocked.text
        duplicate = await curator.post(
            f"/api/o/{org.slug}/programmes", json={"academic_year": 2027, "regime": "learners"}
        )
        assert duplicate.status_code == 409
        page = await mentor.get(f"/o/{org.slug}/programmes/{pid}")
    assert page.status_code == 200
    assert "Формирование наставнических пар или групп" in page.text
    assert "приказ № 15-од от 30.08.2026" in page.text


async def test_a_kindergarten_runs_only_the_teachers_regime(app: Litestar, world: World) -> None:
    org = world.orgs["kindergarten_c"]
    async with client_for(app, org.identities["curator"]) as curator:
        learners = await curator.post(
            f"/api/o/{org.slug}/programmes", json={"academic_year": 2028, "regime": "learners"}
        )
        teachers = await curator.post(
            f"/api/o/{org.slug}/programmes", json={"academic_year": 2028, "regime": "pedagogues"}
        )
    assert learners.status_code == 422
    assert teachers.status_code == 201


async def test_a_closed_programme_is_read_only(runtime: Runtime, app: Litestar, world: World) -> None:
    org = world.orgs["school_x"]
    async with client_for(app, org.identities["curator"]) as curator:
        pid = (
            await curator.post(
                f"/api/o/{org.slug}/programmes", json={"academic_year": 2025, "regime": "learners"}
            )
        ).json()["id"]
        async with runtime.owner_sessions() as db:
            await db.execute(update(Programme).where(Programme.id == pid).values(status="closed"))
            await db.commit()
        edit = await curator.post(
            f"/api/o/{org.slug}/programmes/{pid}/roadmap",
            json={"stage": 1, "title": "Поздно", "due_on": "2025-10-01", "responsible": "Я"},
        )
        shown = await curator.get(f"/api/o/{org.slug}/programmes/{pid}")
    assert edit.status_code == 422
    assert "только для чтения" in edit.text
    assert shown.status_code == 200
