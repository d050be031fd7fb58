"""Questionnaires: given with the order, filled in once on a phone, read by the right people only.

Every test takes a region and an organisation of its own, so that versions the region publishes
(and the role harness's drafts in the shared world's region) never mix with another test's.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import re
import secrets
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from litestar import Litestar
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from nastavnik import audit
from nastavnik.db.scope import DbScope, scoped_session
from nastavnik.domain.questionnaires.models import (
    QuestionnaireAnswer,
    QuestionnaireAssignment,
    QuestionnaireTemplate,
    QuestionnaireVersion,
)
from nastavnik.hookspecs import hookimpl
from nastavnik.models.identity import Identity, StaffAssignment
from nastavnik.models.reference import Municipality, Region
from nastavnik.runtime import Runtime
from tests.support.dates import RegionDates
from tests.support.http import Client, client_for
from tests.support.plugins import plugin_module
from tests.support.programme import form_group, issue_order, open_programme
from tests.support.tenant import Named, Tenant, add_mentee, add_mentor, new_tenant
from tests.support.world import World

MENTEE_START = {"expected_usefulness": 9, "expected_help": 8, "stay_in_profession": 7}
MENTOR_START = {"expected_usefulness_self": 6, "expected_progress": 7, "readiness": 8}


@dataclasses.dataclass
class OwnRegion:
    world: World  # the shared world, with this test's municipality as «M1» for new_tenant
    id: uuid.UUID
    staff: uuid.UUID
    other_staff: uuid.UUID  # region staff of another region


async def own_region(runtime: Runtime, world: World) -> OwnRegion:
    token = secrets.token_hex(3)
    async with runtime.owner_sessions() as db:
        region = Region(code=f"Q-{token}", name="Регион анкет", timezone="Asia/Yekaterinburg")
        other = Region(code=f"Q2-{token}", name="Соседний регион", timezone="Europe/Moscow")
        db.add_all([region, other])
        await db.flush()
        municipality = Municipality(region_id=region.id, name=f"Район анкет {token}")
        db.add(municipality)
        staff = {}
        for key, owner in (("region", region), ("other", other)):
            identity = Identity(issuer="test-issuer", subject=f"q-{key}-{token}", display_name=key)
            db.add(identity)
            await db.flush()
            db.add(StaffAssignment(identity_id=identity.id, role="region", region_id=owner.id))
            staff[key] = identity.id
        await db.commit()
    return OwnRegion(
        dataclasses.replace(world, municipalities={"M1": municipality.id}),
        region.id,
        staff["region"],
        staff["other"],
    )


async def formed_group(
    curator: Client,
    tenant: Tenant,
    pid: str,
    mentor: uuid.UUID,
    mentees: list[uuid.UUID],
    dates: RegionDates,
    *,
    order: bool = True,
) -> str:
    """A pair or group from 1 September (never after today, so it can be ended early today), put into effect
    by an order issued today unless ``order`` is off."""
    gid = str((await form_group(curator, tenant, pid, mentor, *mentees, **dates.term))["id"])
    if order:
        await issue_order(curator, tenant, pid, f"{secrets.token_hex(2)}-од", gid)
    return gid


async def answers_in_db(runtime: Runtime, tenant: Tenant) -> tuple[int, int]:
    """(answer rows, filled-in assignments) of the organisation, read as the owner."""
    async with runtime.owner_sessions() as db:
        answers = await db.scalar(
            select(func.count())
            .select_from(QuestionnaireAnswer)
            .where(QuestionnaireAnswer.org_id == tenant.id)
        )
        done = await db.scalar(
            select(func.count())
            .select_from(QuestionnaireAssignment)
            .where(
                QuestionnaireAssignment.org_id == tenant.id, QuestionnaireAssignment.completed_at.is_not(None)
            )
        )
    return int(answers or 0), int(done or 0)


@dataclasses.dataclass
class Pair:
    tenant: Tenant
    region: OwnRegion
    pid: str
    gid: str
    mentor: uuid.UUID  # identities
    mentee: uuid.UUID
    mentor_person: uuid.UUID
    mentee_person: uuid.UUID


async def ordered_pair(runtime: Runtime, world: World, app: Litestar, dates: RegionDates) -> Pair:
    region = await own_region(runtime, world)
    tenant = await new_tenant(runtime, region.world)
    mentor = await add_mentor(
        runtime, tenant, Named("Сидорова", "Галина", "Петровна"), capacity=2, signs_in=True
    )
    mentee = await add_mentee(runtime, tenant, Named("Новикова", "Нина", "Петровна"), signs_in=True)
    async with client_for(app, tenant.identities["curator"]) as curator:
        pid = await open_programme(curator, tenant)
        gid = await formed_group(curator, tenant, pid, mentor, [mentee], dates)
    return Pair(
        tenant,
        region,
        pid,
        gid,
        tenant.identities["mentor:Сидорова"],
        tenant.identities["mentee:Новикова"],
        mentor,
        mentee,
    )


async def only_questionnaire(client: Client, tenant: Tenant) -> dict[str, Any]:
    listed = (await client.get(f"/api/o/{tenant.slug}/questionnaires")).json()
    assert len(listed) == 1, listed
    return dict(listed[0])


async def test_hook_group_started(runtime: Runtime, app: Litestar, world: World, dates: RegionDates) -> None:
    """The core's group_started: an ordered pair fills in its start questionnaires."""
    region = await own_region(runtime, world)
    tenant = await new_tenant(runtime, region.world)
    mentor = await add_mentor(runtime, tenant, Named("Сидорова", "Галина", "Петровна"), signs_in=True)
    mentee = await add_mentee(runtime, tenant, Named("Новикова", "Нина", "Петровна"), signs_in=True)
    slug = tenant.slug
    async with client_for(app, tenant.identities["curator"]) as curator:
        pid = await open_programme(curator, tenant)
        gid = await formed_group(curator, tenant, pid, mentor, [mentee], dates, order=False)
        async with client_for(app, tenant.identities["mentee:Новикова"]) as m:
            before = (await m.get(f"/api/o/{slug}/questionnaires")).json()
        assert before == []  # a draft pair gets nothing: questionnaires come with the order
        await issue_order(curator, tenant, pid, "5-од", gid)

    # The mentee, on the page form, as on a phone without JavaScript.
    async with client_for(app, tenant.identities["mentee:Новикова"]) as m:
        given = await only_questionnaire(m, tenant)
        assert given["title"] == "Анкета молодого педагога в начале программы"
        assert given["completed_at"] is None
        listing = await m.get(f"/o/{slug}/questionnaires")
        assert f'href="/o/{slug}/questionnaires/{given["id"]}"' in listing.text
        form = await m.get(f"/o/{slug}/questionnaires/{given['id']}")
        assert form.status_code == 200
        assert "Насколько вы уверены, что останетесь в профессии?" in form.text
        assert 'class="scale"' in form.text
        radios = re.findall(r'<input type="radio" name="a_expected_usefulness" value="(\d+)"', form.text)
        assert radios == [str(n) for n in range(1, 11)]
        assert "<script" not in form.text
        sent = await m.post(
            f"/o/{slug}/questionnaires/{given['id']}",
            data={
                **{f"a_{k}": str(v) for k, v in MENTEE_START.items()},
                "a_expectations": "Научиться вести уроки",
            },
        )
        assert sent.status_code == 302, sent.text
        assert sent.headers["location"] == f"/o/{slug}/questionnaires?sent={given['id']}"
        thanks = await m.get(sent.headers["location"])
        assert "Спасибо! Анкета отправлена." in thanks.text
        mine = (await m.get(f"/api/o/{slug}/questionnaires/{given['id']}")).json()
        assert mine["answers"] == {**MENTEE_START, "expectations": "Научиться вести уроки"}
        assert mine["completed_at"] is not None
        shown = await m.get(f"/o/{slug}/questionnaires/{given['id']}")
        assert "Ответы изменить нельзя" in shown.text
        assert 'type="radio"' not in shown.text
        twice = await m.post(f"/o/{slug}/questionnaires/{given['id']}", data={"a_expected_usefulness": "1"})
        assert twice.status_code == 409

    # The mentor, over the JSON API.
    async with client_for(app, tenant.identities["mentor:Сидорова"]) as t:
        given = await only_questionnaire(t, tenant)
        assert given["title"] == "Анкета наставника в начале программы"
        detail = (await t.get(f"/api/o/{slug}/questionnaires/{given['id']}")).json()
        assert [i["key"] for i in detail["items"]] == [
            "expected_usefulness_self",
            "expected_progress",
            "readiness",
            "expectations",
        ]
        assert detail["items"][0] == {
            "key": "expected_usefulness_self",
            "text": "Насколько полезным, по вашему ожиданию, будет наставничество для вас самих?",
            "kind": "scale",
            "min": 1,
            "max": 10,
            "required": True,
        }
        answered = await t.post(f"/api/o/{slug}/questionnaires/{given['id']}", json={"answers": MENTOR_START})
        assert answered.status_code == 201, answered.text
        assert answered.json()["answers"] == MENTOR_START
        again = await t.post(f"/api/o/{slug}/questionnaires/{given['id']}", json={"answers": MENTOR_START})
        assert again.status_code == 409
        assert again.json()["detail"] == "Анкета уже заполнена: ответы изменить нельзя."
    assert await answers_in_db(runtime, tenant) == (4 + 3, 2)


async def test_an_assignment_keeps_its_version_after_the_region_publishes(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    pair = await ordered_pair(runtime, world, app, dates)
    slug = pair.tenant.slug
    async with client_for(app, pair.mentee) as m:
        first = await only_questionnaire(m, pair.tenant)
    async with client_for(app, pair.region.staff) as r:
        templates = (await r.get("/api/region/questionnaires")).json()
        default = next(t for t in templates if t["code"] == "mentee_start_pedagogues")
        assert default["region_id"] is None
        assert default["effective"]
        assert first["version_id"] == default["versions"][0]["id"]
        items = [
            *default["versions"][0]["items"],
            {"key": "mentor_help", "text": "Нужна ли вам помощь куратора?", "kind": "text"},
        ]
        draft = await r.post(f"/api/region/questionnaires/{default['id']}/versions", json={"items": items})
        assert draft.status_code == 201, draft.text
        draft_body = draft.json()
        assert draft_body["template_id"] != default["id"]  # copy-on-write: the region's own template
        assert (draft_body["number"], draft_body["status"]) == (1, "draft")
        published = await r.post(
            f"/api/region/questionnaires/{draft_body['template_id']}/versions/{draft_body['id']}/publish"
        )
        assert published.status_code == 200, published.text
        assert published.json()["status"] == "published"

    async with client_for(app, pair.mentee) as m:
        still = (await m.get(f"/api/o/{slug}/questionnaires/{first['id']}")).json()
    assert still["version_id"] == first["version_id"]
    assert "mentor_help" not in [i["key"] for i in still["items"]]

    # A pair ordered now is given the region's version.
    newcomer = await add_mentee(runtime, pair.tenant, Named("Орлова", "Анна", "Викторовна"), signs_in=True)
    async with client_for(app, pair.tenant.identities["curator"]) as curator:
        await formed_group(curator, pair.tenant, pair.pid, pair.mentor_person, [newcomer], dates)
    async with client_for(app, pair.tenant.identities["mentee:Орлова"]) as o:
        fresh = await only_questionnaire(o, pair.tenant)
    assert fresh["version_id"] == draft_body["id"]
    # The version the first answers were given under is immutable, even for the owner role.
    async with runtime.owner_engine.begin() as conn:
        with pytest.raises(DBAPIError, match="cannot change"):
            await conn.execute(
                text("UPDATE questionnaire_version SET items = '[]' WHERE id = :id"),
                {"id": first["version_id"]},
            )


async def test_the_curator_reads_a_groups_answers_and_nobody_else_does(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    pair = await ordered_pair(runtime, world, app, dates)
    slug = pair.tenant.slug
    async with client_for(app, pair.mentee) as m:
        mentee_q = await only_questionnaire(m, pair.tenant)
        await m.post(
            f"/api/o/{slug}/questionnaires/{mentee_q['id']}",
            json={"answers": {**MENTEE_START, "expectations": "Секрет наставляемой"}},
        )
    async with client_for(app, pair.mentor) as t:
        mentor_q = await only_questionnaire(t, pair.tenant)
        await t.post(f"/api/o/{slug}/questionnaires/{mentor_q['id']}", json={"answers": MENTOR_START})
        group_url = f"/api/o/{slug}/programmes/{pair.pid}/groups/{pair.gid}/questionnaires"
        # The mentor: never the mentee's questionnaire, nor the curator's results.
        assert (await t.get(f"/api/o/{slug}/questionnaires/{mentee_q['id']}")).status_code == 404
        assert (await t.get(f"/o/{slug}/questionnaires/{mentee_q['id']}")).status_code == 404
        assert (await t.get(group_url)).status_code == 403
        assert (
            await t.get(f"/o/{slug}/programmes/{pair.pid}/groups/{pair.gid}/questionnaires")
        ).status_code == 403
        assert (await t.get(f"/api/o/{slug}/questionnaire-results")).status_code == 403
        forged = await t.post(
            f"/api/o/{slug}/questionnaires/{mentee_q['id']}", json={"answers": MENTEE_START}
        )
        assert forged.status_code == 404
    async with client_for(app, pair.mentee) as m:
        assert (await m.get(f"/api/o/{slug}/questionnaires/{mentor_q['id']}")).status_code == 404
        assert (await m.get(group_url)).status_code == 403

    async with client_for(app, pair.tenant.identities["curator"]) as curator:
        results = (await curator.get(group_url)).json()
        page = await curator.get(f"/o/{slug}/programmes/{pair.pid}/groups/{pair.gid}/questionnaires")
    by_role = {r["role"]: r for r in results}
    assert by_role["mentee"]["person"]["full_name"] == "Новикова Нина Петровна"
    assert {a["key"]: a["score"] for a in by_role["mentee"]["answers"] if a["score"]} == MENTEE_START
    assert (
        next(a["text"] for a in by_role["mentee"]["answers"] if a["key"] == "expectations")
        == "Секрет наставляемой"
    )
    assert {a["key"]: a["score"] for a in by_role["mentor"]["answers"] if a["score"]} == MENTOR_START
    assert "Секрет наставляемой" in page.text
    assert "Насколько вы уверены, что останетесь в профессии?" in page.text

    # The region's staff: neither over HTTP nor in the database, even in the oversight scope.
    async with client_for(app, pair.region.staff) as r:
        for url in (
            group_url,
            f"/api/o/{slug}/questionnaires/{mentee_q['id']}",
            f"/api/o/{slug}/questionnaire-results",
        ):
            response = await r.get(url)
            assert response.status_code == 404, url
            assert "Секрет" not in response.text
    async with scoped_session(
        runtime.app_sessions, DbScope(identity_id=pair.region.staff, oversight=True)
    ) as db:
        assert await db.scalar(text("SELECT count(*) FROM questionnaire_answer")) == 0
    # Inside the organisation the database itself keeps the mentee's answers from the mentor.
    mentor_scope = DbScope(identity_id=pair.mentor, org_id=pair.tenant.id)
    async with scoped_session(runtime.app_sessions, mentor_scope) as db:
        visible = set((await db.execute(text("SELECT assignment_id FROM questionnaire_answer"))).scalars())
    assert visible == {uuid.UUID(mentor_q["id"])}
    curator_scope = DbScope(identity_id=pair.tenant.identities["curator"], org_id=pair.tenant.id)
    async with scoped_session(runtime.app_sessions, curator_scope) as db:
        assert await db.scalar(text("SELECT count(*) FROM questionnaire_answer")) == 4 + 3

    # Every read of someone's answers is in the audit log, with whose they were.
    async with runtime.owner_sessions() as auditor_db:
        events = await audit.read_events(auditor_db, org_id=pair.tenant.id)
    reads = {
        e.subject_person_id for e in events if e.object_type == "questionnaire_answers" and e.action == "read"
    }
    assert {pair.mentee_person, pair.mentor_person} <= reads


async def test_bad_answers_are_refused_and_nothing_is_stored(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    pair = await ordered_pair(runtime, world, app, dates)
    slug = pair.tenant.slug
    async with client_for(app, pair.mentee) as m:
        q = await only_questionnaire(m, pair.tenant)
        url = f"/api/o/{slug}/questionnaires/{q['id']}"

        async def refused(answers: Any, status: int = 422) -> list[dict[str, str]]:
            response = await m.post(url, json={"answers": answers})
            assert response.status_code == status, response.text
            return list(response.json().get("errors", []))

        above = await refused({**MENTEE_START, "expected_help": 11})
        assert above == [
            {"field": "answers.expected_help", "message": "вопрос 2: оценка — целое число от 1 до 10"}
        ]
        below = await refused({**MENTEE_START, "stay_in_profession": 0})
        assert below[0]["field"] == "answers.stay_in_profession"
        missing = await refused({"expected_usefulness": 5})
        assert {e["field"] for e in missing} == {"answers.expected_help", "answers.stay_in_profession"}
        assert all(e["message"].endswith("ответьте на вопрос") for e in missing)
        unknown = await refused({**MENTEE_START, "salary": 10})
        assert unknown == [{"field": "answers.salary", "message": "вопроса «salary» нет в этой анкете"}]
        wrong_type = await refused({**MENTEE_START, "expected_help": "много"})
        assert wrong_type[0]["field"] == "answers.expected_help"
        not_text = await refused({**MENTEE_START, "expectations": 5})
        assert not_text == [{"field": "answers.expectations", "message": "вопрос 4: ответ — текст"}]
        too_long = await refused({**MENTEE_START, "expectations": "а" * 2001})
        assert "не длиннее 2000 знаков" in too_long[0]["message"]
        # Not a whole number at all: refused by the schema, a 422 like every other wrong value.
        await refused({**MENTEE_START, "expected_help": True}, status=422)
        await refused({**MENTEE_START, "expected_help": 7.5}, status=422)
        # The page form: the same refusal, beside its question, the other choices kept.
        page = await m.post(
            f"/o/{slug}/questionnaires/{q['id']}",
            data={"a_expected_usefulness": "9", "a_expected_help": "12", "a_stay_in_profession": "7"},
        )
        assert page.status_code == 422
        assert "вопрос 2: оценка — целое число от 1 до 10" in page.text
        assert 'name="a_expected_usefulness" value="9" checked' in page.text
        assert await answers_in_db(runtime, pair.tenant) == (0, 0)
        # Someone else's questionnaire, and a made-up one: not found, nothing stored.
    async with client_for(app, pair.mentor) as t:
        theirs = await t.post(url, json={"answers": MENTEE_START})
        assert theirs.status_code == 404
        assert (
            await t.post(f"/api/o/{slug}/questionnaires/{uuid.uuid4()}", json={"answers": {}})
        ).status_code == 404
    assert await answers_in_db(runtime, pair.tenant) == (0, 0)
    async with client_for(app, pair.mentee) as m:
        ok = await m.post(url, json={"answers": MENTEE_START})
        assert ok.status_code == 201
        twice = await m.post(url, json={"answers": {**MENTEE_START, "expected_help": 1}})
        assert twice.status_code == 409
    assert await answers_in_db(runtime, pair.tenant) == (3, 1)
    async with runtime.owner_sessions() as db:
        help_score = await db.scalar(
            select(QuestionnaireAnswer.score).where(
                QuestionnaireAnswer.org_id == pair.tenant.id, QuestionnaireAnswer.item_key == "expected_help"
            )
        )
    assert help_score == 8  # the second try changed nothing


async def test_averages_are_hidden_under_five_respondents(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    region = await own_region(runtime, world)
    tenant = await new_tenant(runtime, region.world)
    mentor = await add_mentor(
        runtime, tenant, Named("Сидорова", "Галина", "Петровна"), capacity=5, signs_in=True
    )
    names = ["Новикова", "Орлова", "Белова", "Зайцева", "Котова"]
    mentees = [await add_mentee(runtime, tenant, Named(n, "Анна", "Ивановна"), signs_in=True) for n in names]
    async with client_for(app, tenant.identities["curator"]) as curator:
        pid = await open_programme(curator, tenant)
        await formed_group(curator, tenant, pid, mentor, mentees, dates)
    usefulness = [10, 9, 8, 6, 5]
    stay = [7, 7, 7, 7, 8]

    async def answer(name: str, n: int) -> None:
        async with client_for(app, tenant.identities[f"mentee:{name}"]) as m:
            q = await only_questionnaire(m, tenant)
            body = {
                "expected_usefulness": usefulness[n],
                "expected_help": 6,
                "stay_in_profession": stay[n],
                "expectations": f"личное {name}",
            }
            response = await m.post(f"/api/o/{tenant.slug}/questionnaires/{q['id']}", json={"answers": body})
            assert response.status_code == 201, response.text

    async def results() -> dict[str, dict[str, Any]]:
        async with client_for(app, tenant.identities["curator"]) as curator:
            rows = (await curator.get(f"/api/o/{tenant.slug}/questionnaire-results")).json()
        return {r["template_code"]: r for r in rows}

    for n, name in enumerate(names[:4]):
        await answer(name, n)
    four = (await results())["mentee_start_pedagogues"]
    assert (four["assigned"], four["respondents"]) == (5, 4)
    assert [(i["key"], i["respondents"], i["average"], i["note"]) for i in four["items"]] == [
        ("expected_usefulness", 4, None, "недостаточно ответов"),
        ("expected_help", 4, None, "недостаточно ответов"),
        ("stay_in_profession", 4, None, "недостаточно ответов"),
    ]
    await answer(names[4], 4)
    by_code = await results()
    five = {i["key"]: i for i in by_code["mentee_start_pedagogues"]["items"]}
    assert by_code["mentee_start_pedagogues"]["respondents"] == 5
    assert five["expected_usefulness"]["average"] == 7.6  # (10 + 9 + 8 + 6 + 5) / 5 = 38 / 5
    assert five["stay_in_profession"]["average"] == 7.2  # (7 + 7 + 7 + 7 + 8) / 5 = 36 / 5
    assert five["expected_help"]["average"] == 6.0  # 6 five times
    assert five["expected_usefulness"]["note"] is None
    assert "expectations" not in five  # free text is never summarised
    mentor_row = by_code["mentor_start"]  # assigned, nobody answered
    assert (mentor_row["assigned"], mentor_row["respondents"]) == (1, 0)
    assert all(i["average"] is None for i in mentor_row["items"])
    async with client_for(app, tenant.identities["curator"]) as curator:
        page = await curator.get(f"/o/{tenant.slug}/questionnaire-results")
    assert "7,6" in page.text
    assert "недостаточно ответов" in page.text
    assert "личное" not in page.text


async def test_the_curator_gives_end_questionnaires(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    pair = await ordered_pair(runtime, world, app, dates)
    slug = pair.tenant.slug
    draft_mentee = await add_mentee(runtime, pair.tenant, Named("Орлова", "Анна", "Викторовна"))
    async with client_for(app, pair.tenant.identities["curator"]) as curator:
        end = f"/api/o/{slug}/programmes/{pair.pid}/groups/{pair.gid}/questionnaires/end"
        first = await curator.post(end)
        again = await curator.post(end)
        draft_gid = await formed_group(
            curator, pair.tenant, pair.pid, pair.mentor_person, [draft_mentee], dates, order=False
        )
        too_early = await curator.post(
            f"/api/o/{slug}/programmes/{pair.pid}/groups/{draft_gid}/questionnaires/end"
        )
        page = await curator.post(
            f"/o/{slug}/programmes/{pair.pid}/groups/{pair.gid}/questionnaires/end", data={}
        )
        groups_page = await curator.get(f"/o/{slug}/programmes/{pair.pid}/groups")
    assert (first.status_code, first.json()) == (200, {"assigned": 2})
    assert again.json() == {"assigned": 0}  # everyone already has theirs
    assert too_early.status_code == 422
    assert "после приказа о формировании пар" in too_early.json()["detail"]
    assert page.status_code == 302
    assert "Назначить итоговые анкеты" in groups_page.text
    async with client_for(app, pair.mentee) as m:
        listed = (await m.get(f"/api/o/{slug}/questionnaires")).json()
        end_q = next(q for q in listed if q["moment"] == "end")
        detail = (await m.get(f"/api/o/{slug}/questionnaires/{end_q['id']}")).json()
        assert (await m.post(end, json=None)).status_code == 403
    assert end_q["title"] == "Анкета молодого педагога по итогам программы"
    assert [i["text"] for i in detail["items"]] == [
        "Насколько полезными были встречи с наставником?",
        "Насколько комфортным было общение с наставником?",
        "Насколько оправдались ваши ожидания?",
        "Хотели бы вы продолжить работу с наставником?",
        "Насколько вы уверены, что останетесь в профессии?",
        "Что было самым полезным и что стоило бы изменить?",
    ]
    async with client_for(app, pair.mentor) as t:
        mentor_end = next(
            q for q in (await t.get(f"/api/o/{slug}/questionnaires")).json() if q["moment"] == "end"
        )
        items = (await t.get(f"/api/o/{slug}/questionnaires/{mentor_end['id']}")).json()["items"]
    assert [i["key"] for i in items] == [
        "usefulness_self",
        "communication_comfort",
        "mentee_progress",
        "continue_wish",
        "mentor_again",
        "comment",
    ]


def scale(key: str, text_: str, **extra: Any) -> dict[str, Any]:
    return {"key": key, "text": text_, **extra}


async def test_region_edits_with_bad_input_refused(runtime: Runtime, app: Litestar, world: World) -> None:
    region = await own_region(runtime, world)
    async with client_for(app, region.staff) as r:
        listed = (await r.get("/api/region/questionnaires")).json()
        assert sorted(t["code"] for t in listed) == [
            "colleges_diagnostics",  # the plugins' diagnostics, installed by db upgrade
            "kindergartens_diagnostics",
            "mentee_end_learners",
            "mentee_end_pedagogues",
            "mentee_start_learners",
            "mentee_start_pedagogues",
            "mentor_end",
            "mentor_start",
            "schools_diagnostics",
        ]
        assert all(t["effective"] and not t["regional"] for t in listed)
        default = next(t for t in listed if t["code"] == "mentor_end")
        url = f"/api/region/questionnaires/{default['id']}/versions"
        good = scale("usefulness_self", "Насколько полезным было наставничество для вас самих?")

        async def refused(body: dict[str, Any]) -> list[dict[str, str]]:
            response = await r.post(url, json=body)
            assert response.status_code == 422, response.text
            return list(response.json()["errors"])

        no_wording = await refused({"items": [good, scale("comfort", "   ")]})
        assert no_wording == [{"field": "items.2.text", "message": "вопрос 2: укажите формулировку"}]
        outside = await refused({"items": [scale("a", "Вопрос?", min=0, max=10)]})
        assert outside == [{"field": "items.1.min", "message": "вопрос 1: шкала в пределах от 1 до 10"}]
        above = await refused({"items": [scale("a", "Вопрос?", min=1, max=12)]})
        assert above[0]["field"] == "items.1.min"
        equal = await refused({"items": [scale("a", "Вопрос?", min=5, max=5)]})
        assert equal == [
            {
                "field": "items.1.max",
                "message": "вопрос 1: наибольшая оценка шкалы должна быть больше наименьшей",
            }
        ]
        reversed_ = await refused({"items": [scale("a", "Вопрос?", min=8, max=3)]})
        assert reversed_[0]["field"] == "items.1.max"
        duplicate = await refused({"items": [good, scale("usefulness_self", "Другой вопрос?")]})
        assert duplicate == [
            {"field": "items.2.key", "message": "вопрос 2: ключ «usefulness_self» уже есть у вопроса 1"}
        ]
        many = await refused({"items": [scale(f"q{n}", f"Вопрос {n}?") for n in range(51)]})
        assert many == [{"field": "items", "message": "не больше 50 вопросов, а их 51"}]
        empty = await refused({"items": []})
        assert empty == [{"field": "items", "message": "добавьте хотя бы один вопрос"}]
        bad_key = await refused({"items": [scale("Ключ", "Вопрос?")]})
        assert bad_key[0]["field"] == "items.1.key"
        bad_kind = await refused({"items": [scale("a", "Вопрос?", kind="choice")]})
        assert bad_kind[0]["field"] == "items.1.kind"
        no_title = await refused({"items": [good], "title": "  "})
        assert no_title == [{"field": "title", "message": "укажите название анкеты"}]
        # Nothing was created by any refusal: no copy for the region yet.
        assert not [t for t in (await r.get("/api/region/questionnaires")).json() if t["regional"]]

        # The page form: refused with the reasons on the page, the rows kept.
        page_url = f"/region/questionnaires/{default['id']}"
        form = await r.get(page_url)
        assert form.status_code == 200
        assert 'value="Насколько полезным было наставничество для вас самих?"' in form.text
        bad_page = await r.post(
            f"{page_url}/versions",
            data={
                "title": "Итоги",
                "item_1_key": "a",
                "item_1_text": "Вопрос?",
                "item_1_min": "3",
                "item_1_max": "2",
            },
        )
        assert bad_page.status_code == 422
        assert "наибольшая оценка шкалы должна быть больше наименьшей" in bad_page.text
        assert 'value="Вопрос?"' in bad_page.text
        saved = await r.post(
            f"{page_url}/versions",
            data={
                "title": "Анкета наставника по итогам (регион)",
                "item_1_key": "usefulness_self",
                "item_1_text": "Насколько полезным было наставничество лично для вас?",
                "item_1_kind": "scale",
                "item_1_min": "1",
                "item_1_max": "10",
                "item_1_required": "on",
                "item_2_text": "Что бы вы посоветовали другим наставникам?",
                "item_2_kind": "text",
                "item_3_key": "",
                "item_3_text": "",
            },
        )
        assert saved.status_code == 302, saved.text
        own_url = saved.headers["location"]
        own_id = own_url.rsplit("/", 1)[1]
        assert own_id != default["id"]
        own = (await r.get(f"/api/region/questionnaires/{own_id}")).json()
        assert own["title"] == "Анкета наставника по итогам (регион)"
        assert not own["effective"]  # a draft alone changes nothing for the organisations
        (draft,) = own["versions"]
        assert draft["items"] == [
            {
                "key": "usefulness_self",
                "text": "Насколько полезным было наставничество лично для вас?",
                "kind": "scale",
                "min": 1,
                "max": 10,
                "required": True,
            },
            {
                "key": "q2",
                "text": "Что бы вы посоветовали другим наставникам?",
                "kind": "text",
                "min": None,
                "max": None,
                "required": False,
            },
        ]
        # Saving again replaces the draft (never answered); publishing makes it the region's.
        resaved = await r.post(url, json={"items": [good]})
        assert (resaved.json()["id"], resaved.json()["number"]) == (draft["id"], 1)
        published = await r.post(f"/region/questionnaires/{own_id}/versions/{draft['id']}/publish", data={})
        assert published.status_code == 302
        twice = await r.post(f"/api/region/questionnaires/{own_id}/versions/{draft['id']}/publish")
        assert twice.status_code == 409
        # The next edit is version 2; the published one stays as it was.
        second = await r.post(
            f"/api/region/questionnaires/{own_id}/versions", json={"items": [good, scale("more", "Ещё?")]}
        )
        assert (second.status_code, second.json()["number"]) == (201, 2)
        after = {t["id"]: t for t in (await r.get("/api/region/questionnaires")).json()}
        assert after[own_id]["effective"]
        assert not after[default["id"]]["effective"]
        assert next(v["items"] for v in after[own_id]["versions"]) == [
            {**good, "kind": "scale", "min": 1, "max": 10, "required": True}
        ]
        listing = await r.get("/region/questionnaires")
        assert "региональная" in listing.text


async def test_a_region_cannot_edit_another_regions_template(
    runtime: Runtime, app: Litestar, world: World
) -> None:
    region = await own_region(runtime, world)
    async with client_for(app, region.staff) as r:
        default = next(
            t for t in (await r.get("/api/region/questionnaires")).json() if t["code"] == "mentor_start"
        )
        made = (
            await r.post(
                f"/api/region/questionnaires/{default['id']}/versions",
                json={"items": [scale("readiness", "Насколько вы готовы?")]},
            )
        ).json()
    own_id, draft_id = made["template_id"], made["id"]
    async with client_for(app, region.other_staff) as other:
        assert (await other.get(f"/api/region/questionnaires/{own_id}")).status_code == 404
        assert (await other.get(f"/region/questionnaires/{own_id}")).status_code == 404
        edit = await other.post(
            f"/api/region/questionnaires/{own_id}/versions", json={"items": [scale("x", "Чужой вопрос?")]}
        )
        assert edit.status_code == 404
        publish = await other.post(f"/api/region/questionnaires/{own_id}/versions/{draft_id}/publish")
        assert publish.status_code == 404
        theirs = (await other.get("/api/region/questionnaires")).json()
        assert own_id not in {t["id"] for t in theirs}
    async with client_for(app, world.orgs["school_a"].identities["curator"]) as curator:
        assert (await curator.get("/api/region/questionnaires")).status_code == 403
        assert (
            await curator.post(
                f"/api/region/questionnaires/{default['id']}/versions",
                json={"items": [scale("x", "Вопрос?")]},
            )
        ).status_code == 403
    # The platform's defaults are nobody's to publish.
    async with runtime.owner_sessions() as db:
        default_version = await db.scalar(
            select(QuestionnaireVersion.id).where(
                QuestionnaireVersion.template_id == uuid.UUID(default["id"])
            )
        )
    async with client_for(app, region.staff) as r:
        refused = await r.post(
            f"/api/region/questionnaires/{default['id']}/versions/{default_version}/publish"
        )
        assert refused.status_code in (403, 404)
    # The database holds the same line when a service would not: the other region's staff cannot write.
    async with scoped_session(runtime.app_sessions, DbScope(identity_id=region.other_staff)) as db:
        changed = await db.execute(
            text("UPDATE questionnaire_version SET items = '[]' WHERE id = :id"), {"id": draft_id}
        )
        assert changed.rowcount == 0  # type: ignore[attr-defined]
        with pytest.raises(DBAPIError, match="row-level security"):
            await db.execute(
                text(
                    "INSERT INTO questionnaire_version (id, template_id, number, status, items)"
                    " VALUES (:id, :t, 9, 'draft', '[]')"
                ),
                {"id": uuid.uuid4(), "t": own_id},
            )
    async with runtime.owner_sessions() as db:
        stored = await db.get(QuestionnaireVersion, uuid.UUID(draft_id))
        template = await db.get(QuestionnaireTemplate, uuid.UUID(own_id))
    assert stored is not None
    assert stored.items[0]["key"] == "readiness"
    assert template is not None
    assert template.region_id == region.id


@contextlib.contextmanager
def recording_plugin(runtime: Runtime, serves: tuple[str, ...]) -> Iterator[list[tuple[str, str, str]]]:
    """A plugin with async lifecycle hooks, loaded for the test and unloaded after it; it notes each event.

    It serves ``serves`` (organisation types), so that the events reach it only where it is active.
    """
    events: list[tuple[str, str, str]] = []

    @hookimpl
    async def group_started(db: Any, ctx: Any, programme_id: uuid.UUID, group_id: uuid.UUID) -> None:
        await asyncio.sleep(0)  # a real await: the implementation is a coroutine the core must await
        events.append(("started", str(programme_id), str(group_id)))

    @hookimpl
    async def group_ended(db: Any, ctx: Any, programme_id: uuid.UUID, group_id: uuid.UUID) -> None:
        await asyncio.sleep(0)
        events.append(("ended", str(programme_id), str(group_id)))

    module = plugin_module(
        "recorder",
        serves=serves,
        verbose_name="Запись событий",
        hooks={"group_started": group_started, "group_ended": group_ended},
    )
    runtime.plugins.register(module)
    try:
        yield events
    finally:
        runtime.plugins.unregister("recorder")


async def test_async_hook_group_started(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    """The order starts the pair: an async plugin active there hears of it, one serving other types not."""
    with recording_plugin(runtime, serves=("school",)) as events:
        pair = await ordered_pair(runtime, world, app, dates)
    assert events == [("started", pair.pid, pair.gid)]
    with recording_plugin(runtime, serves=("kindergarten",)) as elsewhere:
        await ordered_pair(runtime, world, app, dates)
    assert elsewhere == []  # the school's order is not the kindergarten plugin's business


async def end_early(app: Litestar, pair: Pair, dates: RegionDates) -> None:
    url = f"/api/o/{pair.tenant.slug}/programmes/{pair.pid}/groups/{pair.gid}"
    async with client_for(app, pair.tenant.identities["curator"]) as curator:
        group = (await curator.get(url)).json()
        done = await curator.post(
            f"{url}/end-early",
            json={"version": group["version"], "reason": "Переезд", "ended_on": str(dates.today)},
        )
    assert done.status_code == 200, done.text


async def test_hook_group_ended(runtime: Runtime, app: Litestar, world: World, dates: RegionDates) -> None:
    """The core's group_ended: a pair ended early gives its mentee the final questionnaire."""
    pair = await ordered_pair(runtime, world, app, dates)
    await end_early(app, pair, dates)
    async with client_for(app, pair.mentee) as m:
        listed = (await m.get(f"/api/o/{pair.tenant.slug}/questionnaires")).json()
    assert sorted(q["moment"] for q in listed) == ["end", "start"]


async def test_async_hook_group_ended(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    """Ending a pair is heard by an async plugin active there, after its start."""
    with recording_plugin(runtime, serves=("school",)) as events:
        pair = await ordered_pair(runtime, world, app, dates)
        await end_early(app, pair, dates)
    assert events == [("started", pair.pid, pair.gid), ("ended", pair.pid, pair.gid)]
