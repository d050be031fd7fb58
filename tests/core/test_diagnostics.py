"""The diagnostics of young teachers' difficulties: the plugins' templates, giving it, filling it in, the
results per difficulty withheld under five respondents, the region's copy-on-write, the development plan.

Every test takes a region and a school of its own, so that what it gives, answers and publishes is its own.
"""

from __future__ import annotations

import contextlib
import dataclasses
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import msgspec
import pytest
from litestar import Litestar
from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from nastavnik import audit
from nastavnik.db import migrate
from nastavnik.db.scope import DbScope, scoped_session
from nastavnik.domain.bases.models import MenteeProfile
from nastavnik.domain.questionnaires.diagnostics import may_read_diagnostics
from nastavnik.domain.questionnaires.diagnostics_results import difficulty_ranking
from nastavnik.domain.questionnaires.models import (
    QuestionnaireAssignment,
    QuestionnaireCampaign,
    QuestionnaireTemplate,
    QuestionnaireVersion,
)
from nastavnik.domain.questionnaires.plugin_defaults import install_plugin_defaults, installer
from nastavnik.plugins import OfferedQuestionnaire, PluginError, load_plugins
from nastavnik.runtime import Runtime, build_runtime
from nastavnik.tenancy import Forbidden, OrgContext, load_actor, resolve_org_context
from nastavnik.testing import Services, app_with, create_test_database, drop_test_database, settings_for
from nastavnik.types import QuestionnaireDefault, QuestionnaireItem
from tests.support.dates import RegionDates
from tests.support.forms import field_error, send_form
from tests.support.http import Client, client_for
from tests.support.programme import form_group, issue_order, open_programme
from tests.support.region import FreshRegion, new_region
from tests.support.tenant import Named, Tenant, add_mentee, add_mentor, new_tenant
from tests.support.world import World

SCALES = (
    "lesson_planning",
    "discipline",
    "parents",
    "documentation",
    "assessment",
    "individual_approach",
    "ict",
    "attestation",
    "class_teacher",
    "motivation",
)
PLUGINS_DIR = Path(__file__).resolve().parents[2] / "plugins"


def scores(**given: int) -> dict[str, int]:
    """An answer to every area of the schools' diagnostics: 1 (no difficulty) unless given."""
    return {key: given.get(key, 1) for key in SCALES}


@dataclasses.dataclass
class School:
    region: FreshRegion
    tenant: Tenant
    teachers: dict[str, uuid.UUID]  # last name -> person id of a young teacher who signs in

    @property
    def slug(self) -> str:
        return self.tenant.slug

    def teacher(self, app: Litestar, name: str) -> Any:
        return client_for(app, self.tenant.identities[f"mentee:{name}"])

    def curator(self, app: Litestar) -> Any:
        return client_for(app, self.tenant.identities["curator"])


async def school(
    runtime: Runtime, world: World, names: list[str], *, region: FreshRegion | None = None
) -> School:
    """A school of a region of its own (or of ``region``) with young teachers named ``names``."""
    region = region or await new_region(runtime)
    tenant = await new_tenant(runtime, world, municipality_id=region.municipality_id)
    teachers = {
        name: await add_mentee(runtime, tenant, Named(name, "Анна", "Ивановна"), signs_in=True)
        for name in names
    }
    return School(region, tenant, teachers)


@contextlib.asynccontextmanager
async def acting(
    runtime: Runtime, identity: uuid.UUID, slug: str
) -> AsyncIterator[tuple[AsyncSession, OrgContext]]:
    """A service's session and context for ``identity`` inside the organisation ``slug``, as a request's."""
    async with scoped_session(runtime.app_sessions, DbScope(identity_id=identity)) as db:
        actor = await load_actor(db, identity)
        assert actor is not None
        yield db, await resolve_org_context(db, actor, slug, runtime.plugins)


async def give(client: Client, slug: str, **body: Any) -> dict[str, Any]:
    response = await client.post(f"/api/o/{slug}/diagnostics", json=body)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def diagnostics_of(client: Client, slug: str) -> dict[str, Any]:
    """The one yearly questionnaire among the person's questionnaires, with its items."""
    listed = (await client.get(f"/api/o/{slug}/questionnaires")).json()
    yearly = [q for q in listed if q["moment"] == "year"]
    assert len(yearly) == 1, listed
    return dict((await client.get(f"/api/o/{slug}/questionnaires/{yearly[0]['id']}")).json())


async def answer(client: Client, slug: str, answers: dict[str, Any]) -> None:
    given = await diagnostics_of(client, slug)
    response = await client.post(f"/api/o/{slug}/questionnaires/{given['id']}", json={"answers": answers})
    assert response.status_code == 201, response.text


async def results(client: Client, slug: str, year: int | None = None) -> dict[str, Any]:
    response = await client.get(f"/api/o/{slug}/diagnostics" + (f"?year={year}" if year else ""))
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_the_curator_gives_it_and_young_teachers_fill_it_in(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    s = await school(runtime, world, ["Новикова", "Орлова", "Ушедшая"])
    learner = await add_mentee(
        runtime, s.tenant, Named("Ученикова", "Мария", None), kind="learner", signs_in=True
    )
    await add_mentor(runtime, s.tenant, Named("Сидорова", "Галина", "Петровна"), signs_in=True)
    async with runtime.owner_sessions() as db:  # a young teacher who has left is not given it
        await db.execute(
            update(MenteeProfile)
            .where(MenteeProfile.person_id == s.teachers["Ушедшая"])
            .values(left_on=dates.today - timedelta(days=1), left_reason="organisation")
        )
        await db.commit()

    async with s.curator(app) as curator:
        home = await curator.get(f"/o/{s.slug}/")
        assert f'href="/o/{s.slug}/diagnostics"' in home.text
        assert "Диагностика затруднений" in home.text
        before = await results(curator, s.slug)
        assert before["started_at"] is None
        assert before["title"] == "Диагностика затруднений молодого учителя"
        assert {t["person"]["full_name"]: t["status"] for t in before["young_teachers"]} == {
            "Новикова Анна Ивановна": "not_given",
            "Орлова Анна Ивановна": "not_given",
        }
        assert await give(curator, s.slug) == {"academic_year": dates.year, "given": 2, "assigned": 2}
        # Giving it again in the same year duplicates nothing.
        assert await give(curator, s.slug) == {"academic_year": dates.year, "given": 0, "assigned": 2}
        chosen = await give(curator, s.slug, person_ids=[str(s.teachers["Орлова"])])
        assert chosen == {"academic_year": dates.year, "given": 0, "assigned": 2}

    async with runtime.owner_sessions() as db:
        campaigns = await db.scalar(
            select(func.count())
            .select_from(QuestionnaireCampaign)
            .where(QuestionnaireCampaign.org_id == s.tenant.id)
        )
        given_to = set(
            await db.scalars(
                select(QuestionnaireAssignment.person_id).where(
                    QuestionnaireAssignment.org_id == s.tenant.id, QuestionnaireAssignment.moment == "year"
                )
            )
        )
    assert campaigns == 1
    assert given_to == {s.teachers["Новикова"], s.teachers["Орлова"]}

    # Новикова on the answering page every questionnaire uses, as on a phone.
    async with s.teacher(app, "Новикова") as t:
        mine = await diagnostics_of(t, s.slug)
        assert mine["title"] == "Диагностика затруднений молодого учителя"
        assert [i["key"] for i in mine["items"]] == [*SCALES, "other"]
        listing = await t.get(f"/o/{s.slug}/questionnaires")
        assert f'href="/o/{s.slug}/questionnaires/{mine["id"]}"' in listing.text
        form = await t.get(f"/o/{s.slug}/questionnaires/{mine['id']}")
        assert "насколько трудно вам даётся каждое направление работы: 1 — затруднений нет" in form.text
        assert "Планирование урока" in form.text
        sent = await t.post(
            f"/o/{s.slug}/questionnaires/{mine['id']}",
            data={
                **{f"a_{k}": str(v) for k, v in scores(lesson_planning=9, parents=7).items()},
                "a_other": "Трудно с электронным журналом",
            },
        )
        assert sent.status_code == 302, sent.text
        # The results are not a young teacher's to read.
        assert (await t.get(f"/api/o/{s.slug}/diagnostics")).status_code == 403
        assert (await t.get(f"/o/{s.slug}/diagnostics")).status_code == 403
        assert (await t.post(f"/api/o/{s.slug}/diagnostics", json={})).status_code == 403
        assert f'href="/o/{s.slug}/diagnostics"' not in (await t.get(f"/o/{s.slug}/")).text
    async with s.teacher(app, "Орлова") as t:
        await answer(t, s.slug, scores(lesson_planning=6))

    # Neither the learner nor the mentor is given it.
    for who in ("mentee:Ученикова", "mentor:Сидорова"):
        async with client_for(app, s.tenant.identities[who]) as c:
            assert [
                q for q in (await c.get(f"/api/o/{s.slug}/questionnaires")).json() if q["moment"] == "year"
            ] == []

    # Choosing someone who is not a young teacher, or nobody, is refused by field, changing nothing.
    async with s.curator(app) as curator:
        refused = await curator.post(f"/api/o/{s.slug}/diagnostics", json={"person_ids": [str(learner)]})
        assert refused.status_code == 422
        assert refused.json()["errors"] == [
            {"field": "person_ids.0", "message": "не найден среди молодых педагогов организации"}
        ]
        nobody = await curator.post(f"/api/o/{s.slug}/diagnostics", json={"person_ids": []})
        assert nobody.status_code == 422
        assert nobody.json()["errors"][0]["field"] == "person_ids"
        # The page form: «only those ticked» with nobody ticked comes back with the reason beside the list.
        back = await send_form(curator, f"/o/{s.slug}/diagnostics", {"whom": "chosen"})
        assert back.status_code == 200
        assert field_error(back.text, "person_ids") == "выберите хотя бы одного молодого педагога"
        assert 'name="whom" value="chosen" checked' in back.text
        ticked = await send_form(
            curator,
            f"/o/{s.slug}/diagnostics",
            {"whom": "chosen", f"person_{s.teachers['Новикова']}": "on"},
            follow_redirects=False,
        )
        assert ticked.status_code == 302
        assert ticked.headers["location"] == f"/o/{s.slug}/diagnostics?given=0"
        shown = await results(curator, s.slug)
        page = await curator.get(f"/o/{s.slug}/diagnostics")
    assert (shown["assigned"], shown["respondents"]) == (2, 2)
    assert {t["person"]["full_name"]: t["status"] for t in shown["young_teachers"]} == {
        "Новикова Анна Ивановна": "completed",
        "Орлова Анна Ивановна": "completed",
    }
    first = shown["difficulties"][0]
    assert (first["key"], first["respondents"], first["average"], first["hard"]) == (
        "lesson_planning",
        2,
        None,
        None,
    )
    assert first["note"] == "недостаточно ответов"
    assert "other" not in [d["key"] for d in shown["difficulties"]]  # free text is never summarised
    assert page.status_code == 200
    assert "недостаточно ответов" in page.text
    assert "электронным журналом" not in page.text


async def test_results_are_withheld_under_five_and_shown_from_five(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    names = ["Белова", "Зайцева", "Котова", "Новикова", "Орлова"]
    s = await school(runtime, world, names)
    planning = [8, 7, 3, 10, 2]  # rated hard (7 and above): 8, 7, 10
    discipline = [1, 2, 3, 4, 5]  # nobody rated it hard
    parents = [9, 9, 9, 9, 9]
    async with s.curator(app) as curator:
        await give(curator, s.slug)
    for n, name in enumerate(names[:4]):
        async with s.teacher(app, name) as t:
            await answer(
                t, s.slug, scores(lesson_planning=planning[n], discipline=discipline[n], parents=parents[n])
            )
    async with s.curator(app) as curator:
        four = await results(curator, s.slug)
    assert four["respondents"] == 4
    assert all(
        (d["respondents"], d["average"], d["hard"], d["hard_share"]) == (4, None, None, None)
        for d in four["difficulties"]
    )

    async with s.teacher(app, names[4]) as t:
        await answer(
            t, s.slug, scores(lesson_planning=planning[4], discipline=discipline[4], parents=parents[4])
        )
    async with s.curator(app) as curator:
        five = await results(curator, s.slug)
        page = await curator.get(f"/o/{s.slug}/diagnostics")
    by_key = {d["key"]: d for d in five["difficulties"]}
    assert five["respondents"] == 5
    # (8 + 7 + 3 + 10 + 2) / 5 = 30 / 5; three of five rated it 7 or more.
    assert (by_key["lesson_planning"]["average"], by_key["lesson_planning"]["hard"]) == (6.0, 3)
    assert by_key["lesson_planning"]["hard_share"] == 60
    assert (by_key["discipline"]["average"], by_key["discipline"]["hard"]) == (3.0, 0)  # 15 / 5
    assert (by_key["parents"]["average"], by_key["parents"]["hard_share"]) == (9.0, 100)
    assert (by_key["ict"]["average"], by_key["ict"]["note"]) == (1.0, None)
    assert "6,0" in page.text
    assert "3 (60&nbsp;%)" in page.text

    # The club's meeting planning: the most difficult first, read by whom may_read_diagnostics admits.
    async with acting(runtime, s.tenant.identities["curator"], s.slug) as (db, ctx):
        assert await may_read_diagnostics(db, ctx, dates.year)
        ranking = await difficulty_ranking(db, ctx, dates.year)
    assert [d.key for d in ranking[:3]] == ["parents", "lesson_planning", "discipline"]
    top = ranking[0]
    assert (top.key, top.text, top.average) == (
        "parents",
        "Работа с родителями (законными представителями) обучающихся",
        9.0,
    )
    assert len(ranking) == len(SCALES)
    async with acting(runtime, s.tenant.identities["mentee:Белова"], s.slug) as (db, ctx):
        assert not await may_read_diagnostics(db, ctx, dates.year)
        with pytest.raises(Forbidden):
            await difficulty_ranking(db, ctx, dates.year)


async def two_schools_the_first_gave_it(
    runtime: Runtime, world: World, app: Litestar
) -> tuple[School, School, dict[str, Any]]:
    """Two schools of one region with a young teacher each (Новикова, Орлова); the first gave the
    diagnostics: its young teacher's questionnaire."""
    first = await school(runtime, world, ["Новикова"])
    second = await school(runtime, world, ["Орлова"], region=first.region)
    async with first.curator(app) as curator:
        await give(curator, first.slug)
    async with first.teacher(app, "Новикова") as t:
        return first, second, await diagnostics_of(t, first.slug)


async def test_another_organisation_finds_nothing_and_cannot_answer(
    runtime: Runtime, app: Litestar, world: World
) -> None:
    victim, attacker, assignment = await two_schools_the_first_gave_it(runtime, world, app)
    async with attacker.curator(app) as c:
        for url in (f"/api/o/{victim.slug}/diagnostics", f"/o/{victim.slug}/diagnostics"):
            assert (await c.get(url)).status_code == 404
        assert (await c.post(f"/api/o/{victim.slug}/diagnostics", json={})).status_code == 404
        own_results = await results(c, attacker.slug)
        assert own_results["started_at"] is None  # the victim's campaign is not the attacker's
    async with attacker.teacher(app, "Орлова") as t:
        for slug in (victim.slug, attacker.slug):
            url = f"/api/o/{slug}/questionnaires/{assignment['id']}"
            assert (await t.get(url)).status_code == 404
            assert (await t.post(url, json={"answers": scores()})).status_code == 404
    # The attacker's curator cannot give the victim's young teacher anything either.
    async with attacker.curator(app) as c:
        refused = await c.post(
            f"/api/o/{attacker.slug}/diagnostics", json={"person_ids": [str(victim.teachers["Новикова"])]}
        )
        assert refused.status_code == 422
    async with runtime.owner_sessions() as db:
        done = await db.scalar(
            select(QuestionnaireAssignment.completed_at).where(
                QuestionnaireAssignment.id == uuid.UUID(assignment["id"])
            )
        )
        theirs = await db.scalar(
            select(func.count())
            .select_from(QuestionnaireAssignment)
            .where(QuestionnaireAssignment.org_id == attacker.tenant.id)
        )
    assert done is None
    assert theirs == 0
    # Row-level security: the attacker's curator, scoped to their own organisation, sees no campaign.
    scope = DbScope(identity_id=attacker.tenant.identities["curator"], org_id=attacker.tenant.id)
    async with scoped_session(runtime.app_sessions, scope) as db:
        assert await db.scalar(text("SELECT count(*) FROM questionnaire_campaign")) == 0


async def test_an_organisation_whose_plugin_is_off_has_no_diagnostics(
    runtime: Runtime, app: Litestar, world: World
) -> None:
    s = await school(runtime, world, ["Новикова"])
    async with s.curator(app) as curator:
        off = await curator.put(f"/api/o/{s.slug}/plugins/schools", json={"enabled": False, "settings": {}})
        assert off.status_code == 200, off.text
        assert (await curator.get(f"/api/o/{s.slug}/diagnostics")).status_code == 404
        assert (await curator.get(f"/o/{s.slug}/diagnostics")).status_code == 404
        assert (await curator.post(f"/api/o/{s.slug}/diagnostics", json={})).status_code == 404
        assert f'href="/o/{s.slug}/diagnostics"' not in (await curator.get(f"/o/{s.slug}/")).text
        on = await curator.put(f"/api/o/{s.slug}/plugins/schools", json={"enabled": True, "settings": {}})
        assert on.status_code == 200
        assert (await give(curator, s.slug))["given"] == 1
    # An app that serves the kindergartens' plugin alone offers a school nothing.
    async with client_for(app_with(runtime, ["kindergartens"]), s.tenant.identities["curator"]) as curator:
        assert (await curator.get(f"/api/o/{s.slug}/diagnostics")).status_code == 404


async def test_the_region_edits_it_copy_on_write_and_the_next_diagnostics_uses_its_version(
    runtime: Runtime, app: Litestar, world: World
) -> None:
    first, second, before = await two_schools_the_first_gave_it(runtime, world, app)

    async with first.region.signed_in(app) as r:
        templates = (await r.get("/api/region/questionnaires")).json()
        default = next(t for t in templates if t["code"] == "schools_diagnostics")
        assert (default["region_id"], default["moment"], default["regime"]) == (None, "year", "pedagogues")
        assert default["effective"]
        assert before["version_id"] == default["versions"][-1]["id"]
        items = [
            *default["versions"][-1]["items"],
            {"key": "inclusion", "text": "Работа в инклюзивном классе", "kind": "scale"},
        ]
        draft = await r.post(
            f"/api/region/questionnaires/{default['id']}/versions",
            json={"items": items, "title": "Диагностика затруднений молодого учителя (регион)"},
        )
        assert draft.status_code == 201, draft.text
        copy = draft.json()
        assert copy["template_id"] != default["id"]  # the region's own template: the default is unchanged
        published = await r.post(
            f"/api/region/questionnaires/{copy['template_id']}/versions/{copy['id']}/publish"
        )
        assert published.status_code == 200, published.text

    # A school of the region that gives it now gets the region's version.
    async with second.curator(app) as curator:
        upcoming = await results(curator, second.slug)
        assert (upcoming["title"], upcoming["regional"]) == (
            "Диагностика затруднений молодого учителя (регион)",
            True,
        )
        await give(curator, second.slug)
    async with second.teacher(app, "Орлова") as t:
        theirs = await diagnostics_of(t, second.slug)
    assert theirs["version_id"] == copy["id"]
    assert theirs["items"][-1]["key"] == "inclusion"
    # The first school's year keeps the version it started with: its young teachers answer the same questions.
    newcomer = await add_mentee(runtime, first.tenant, Named("Котова", "Вера", None), signs_in=True)
    async with first.curator(app) as curator:
        assert (await give(curator, first.slug, person_ids=[str(newcomer)]))["given"] == 1
    async with client_for(app, first.tenant.identities["mentee:Котова"]) as t:
        assert (await diagnostics_of(t, first.slug))["version_id"] == before["version_id"]
    # A school of another region still gets the platform's.
    elsewhere = await school(runtime, world, ["Белова"])
    async with elsewhere.curator(app) as curator:
        await give(curator, elsewhere.slug)
    async with elsewhere.teacher(app, "Белова") as t:
        assert (await diagnostics_of(t, elsewhere.slug))["version_id"] == before["version_id"]


async def test_the_development_plan_shows_what_the_mentee_rated_hard(
    runtime: Runtime, app: Litestar, world: World
) -> None:
    s = await school(runtime, world, ["Новикова"])
    mentor = await add_mentor(runtime, s.tenant, Named("Сидорова", "Галина", "Петровна"), signs_in=True)
    await add_mentor(runtime, s.tenant, Named("Чужова", "Ольга", None), signs_in=True)
    async with s.curator(app) as curator:
        pid = await open_programme(curator, s.tenant)
        gid = (await form_group(curator, s.tenant, pid, mentor, s.teachers["Новикова"]))["id"]
        await issue_order(curator, s.tenant, pid, "7-од", gid)
        await give(curator, s.slug)
    async with s.teacher(app, "Новикова") as t:
        await answer(
            t, s.slug, {**scores(discipline=8, ict=10, assessment=6), "other": "Боюсь открытых уроков"}
        )
    page_url = f"/o/{s.slug}/programmes/{pid}/groups/{gid}"
    plan_url = f"/api/o/{s.slug}/programmes/{pid}/groups/{gid}/plan"

    for who in ("mentor:Сидорова", "curator"):
        async with client_for(app, s.tenant.identities[who]) as c:
            page = await c.get(page_url)
            plan = (await c.get(plan_url)).json()
        assert page.status_code == 200
        assert "Затруднения по диагностике" in page.text
        assert "Использование ИКТ и цифровых образовательных ресурсов — 10 из 10" in page.text
        assert "Дисциплина на уроке — 8 из 10" in page.text
        assert "Оценивание образовательных результатов" not in page.text  # 6: not hard
        assert "Боюсь открытых уроков" in page.text
        shown = plan["plans"][0]["diagnostics"]
        assert [(h["key"], h["score"]) for h in shown["rated_hard"]] == [("ict", 10), ("discipline", 8)]
        assert shown["written"] == [
            {
                "question": "Какие ещё затруднения вы испытываете и в чём вам нужна помощь наставника?",
                "answer": "Боюсь открытых уроков",
            }
        ]
    async with s.teacher(app, "Новикова") as t:  # the mentee's own plan page: her plan, not this section
        assert (await t.get(plan_url)).json()["plans"][0]["diagnostics"] is None
    async with client_for(app, s.tenant.identities["mentor:Чужова"]) as c:  # not her mentee
        assert (await c.get(page_url)).status_code == 404

    # The database agrees: the pair's mentor reads her mentee's diagnostics, not her other answers; another
    # mentor reads none of them.
    async with runtime.owner_sessions() as db:
        kinds = dict(
            (
                await db.execute(
                    select(QuestionnaireAssignment.id, QuestionnaireAssignment.moment).where(
                        QuestionnaireAssignment.person_id == s.teachers["Новикова"]
                    )
                )
            ).all()
        )
    assert sorted(kinds.values()) == ["start", "year"]
    for who, sees in (("mentor:Сидорова", {"year"}), ("mentor:Чужова", set())):
        scope = DbScope(identity_id=s.tenant.identities[who], org_id=s.tenant.id)
        async with scoped_session(runtime.app_sessions, scope) as db:
            visible = set(
                (await db.execute(text("SELECT DISTINCT assignment_id FROM questionnaire_answer"))).scalars()
            )
        assert {kinds[a] for a in visible if a in kinds} == sees, who

    # The mentor's read of the young teacher's answers is in the audit log, with whose they were.
    async with runtime.owner_sessions() as db:
        events = await audit.read_events(db, org_id=s.tenant.id)
    assert any(
        e.object_type == "questionnaire_answers"
        and e.action == "read"
        and e.subject_person_id == s.teachers["Новикова"]
        and e.actor == "Сидорова"  # the mentor's identity, by its display name
        for e in events
    )


# The hook and the installation of its templates.


def test_hook_register_questionnaire_templates() -> None:
    offered = {q.template.code: q for q in load_plugins().questionnaire_defaults()}
    assert set(offered) == {"schools_diagnostics", "colleges_diagnostics", "kindergartens_diagnostics"}
    assert {c: (q.plugin, sorted(q.organisation_types)) for c, q in offered.items()} == {
        "schools_diagnostics": ("schools", ["school"]),
        "colleges_diagnostics": ("colleges", ["college"]),
        "kindergartens_diagnostics": ("kindergartens", ["kindergarten"]),
    }
    kinder = offered["kindergartens_diagnostics"].template
    assert kinder.title == "Диагностика затруднений молодого воспитателя"
    assert "Проведение режимных моментов" in [i.text for i in kinder.items]
    assert [i.kind for i in kinder.items].count("text") == 1
    college = offered["colleges_diagnostics"].template
    assert college.items[0].text == "Методика преподавания дисциплин и профессиональных модулей"
    # Only the plugins active in an organisation, for its type.
    plugins = load_plugins()
    assert [q.template.code for q in plugins.questionnaire_defaults(["core", "schools"], "school")] == [
        "schools_diagnostics"
    ]
    assert plugins.questionnaire_defaults(["core", "colleges"], "school") == []


async def test_db_upgrade_installs_the_plugins_templates_as_platform_defaults(runtime: Runtime) -> None:
    async with runtime.owner_sessions() as db:
        rows = (
            await db.execute(
                select(QuestionnaireTemplate, QuestionnaireVersion)
                .join(QuestionnaireVersion, QuestionnaireVersion.template_id == QuestionnaireTemplate.id)
                .where(
                    QuestionnaireTemplate.code == "schools_diagnostics",
                    QuestionnaireTemplate.region_id.is_(None),
                )
            )
        ).all()
    assert len(rows) == 1
    template, version = rows[0]
    assert (template.title, template.audience, template.regime, template.moment) == (
        "Диагностика затруднений молодого учителя",
        "mentee",
        "pedagogues",
        "year",
    )
    assert (version.number, version.status) == (1, "published")
    assert version.items[0] == {
        "key": "lesson_planning",
        "text": "Планирование урока: цели, содержание, подбор методов и приёмов",
        "kind": "scale",
        "min": 1,
        "max": 10,
        "required": True,
    }
    assert version.items[-1]["kind"] == "text"
    assert version.items[-1]["required"] is False


async def test_installing_again_changes_nothing_a_change_is_the_next_version_and_a_downgrade_removes_them(
    services: Services,
) -> None:
    """On a database of its own: what it installs must not reach the other tests' region pages."""
    db = await create_test_database(services, "diagnostics")
    runtime = await build_runtime(settings_for(services, db), plugins=load_plugins(), owner=True)
    dirs = [b.versions_dir for b in runtime.plugins.migrations()]
    code = "extra_diagnostics"
    items = (QuestionnaireItem("a", "Первое"), QuestionnaireItem("b", "Второе", kind="text"))
    original = QuestionnaireDefault(code, "Проба", items)

    async def upgrade(*templates: QuestionnaireDefault) -> None:
        offered = [OfferedQuestionnaire("extra", t, frozenset({"school"})) for t in templates]

        async def install(conn: AsyncConnection) -> None:
            await install_plugin_defaults(conn, offered)

        steps = [installer(runtime.plugins), install]
        await migrate.upgrade(runtime.owner_engine, runtime.roles, plugin_version_dirs=dirs, then=steps)

    async def versions(of: str = code) -> list[tuple[int, str, list[dict[str, Any]]]]:
        async with runtime.owner_sessions() as session:
            rows = await session.execute(
                select(QuestionnaireVersion.number, QuestionnaireTemplate.title, QuestionnaireVersion.items)
                .join(QuestionnaireTemplate, QuestionnaireTemplate.id == QuestionnaireVersion.template_id)
                .where(QuestionnaireTemplate.code == of)
                .order_by(QuestionnaireVersion.number)
            )
            return [(n, title, list(i)) for n, title, i in rows]

    try:
        await upgrade(original)
        first = await versions()
        assert [(n, t) for n, t, _ in first] == [(1, "Проба")]
        schools = await versions("schools_diagnostics")
        await upgrade(original)  # several pods, or the next deployment: nothing changes
        assert await versions() == first
        assert await versions("schools_diagnostics") == schools
        await upgrade(msgspec.structs.replace(original, title="Проба, новое название"))
        assert [(n, t) for n, t, _ in await versions()] == [(1, "Проба, новое название")]
        changed = msgspec.structs.replace(original, items=(*items, QuestionnaireItem("c", "Третье")))
        await upgrade(changed)
        now = await versions()
        assert [n for n, _, _ in now] == [1, 2]
        assert now[0][2] == first[0][2]  # the published version is untouched
        assert [i["key"] for i in now[1][2]] == ["a", "b", "c"]
        # Another audience for an existing code is refused, and the whole upgrade with it.
        with pytest.raises(PluginError, match="give the changed one a new code"):
            await upgrade(msgspec.structs.replace(changed, audience="mentor"))
        # Down to the revision before the campaigns: the yearly templates go (their published versions
        # too), and up again they come back from the plugins.
        await migrate.downgrade(runtime.owner_engine, runtime.roles, "0017", plugin_version_dirs=dirs)
        assert await versions("schools_diagnostics") == []
        await upgrade()
        assert [n for n, _, _ in await versions("schools_diagnostics")] == [1]
    finally:
        await runtime.close()
        await drop_test_database(services, db)


def extra_plugin(template: QuestionnaireDefault) -> Any:
    from tests.plugins.test_validation import info, make_plugin, org_type, returning

    return make_plugin(
        "extra",
        info(),
        register_organisation_types=org_type("additional"),
        register_questionnaire_templates=returning("register_questionnaire_templates", [template]),
    )


ITEM = (QuestionnaireItem("a", "Первое"),)


@pytest.mark.parametrize(
    ("template", "message"),
    [
        (QuestionnaireDefault("schools_diagnostics", "Чужая", ITEM), "is offered by 'schools' and 'extra'"),
        (QuestionnaireDefault("mine", "Без префикса", ITEM), "its code must start with 'extra_'"),
        (
            QuestionnaireDefault("extra_x", "Школьная", ITEM, organisation_types=("school",)),
            "names organisation types it does not serve: \\['school'\\]",
        ),
        (QuestionnaireDefault("extra_x", "Пусто", ()), "добавьте хотя бы один вопрос"),
        (
            QuestionnaireDefault("extra_x", "Шкала", (QuestionnaireItem("a", "Первое", min=5, max=3),)),
            "наибольшая оценка шкалы должна быть больше наименьшей",
        ),
        (QuestionnaireDefault("extra_x", " ", ITEM), "its title must be 1–200 characters"),
        (QuestionnaireDefault("extra_x", "Наставникам", ITEM, audience="mentor"), "is answered by mentee"),
    ],
)
def test_a_plugins_template_that_does_not_fit_refuses_to_start(
    template: QuestionnaireDefault, message: str
) -> None:
    with pytest.raises(PluginError, match=message):
        load_plugins(extra_modules=[extra_plugin(template)])


def test_a_template_file_that_does_not_fit_refuses_to_start(tmp_path: Path) -> None:
    good = QuestionnaireDefault.from_toml(
        PLUGINS_DIR / "schools" / "src" / "nastavnik_schools" / "diagnostics.toml"
    )
    assert (good.code, len(good.items)) == ("schools_diagnostics", 11)
    for content, problem in (
        ('code = "extra_x"\ntitle = "Т"\n[[items]]\nkey = "a"\ntxt = "опечатка"\n', "txt"),
        ('code = "extra_x"\n[[items]]\nkey = "a"\ntext = "Без названия"\n', "title"),
        ('code = "extra_x"\ntitle = "Т"\n[[items]]\nkey = "a"\ntext = "Т"\nkind = "choice"\n', "items"),
        ("code = \n", "Invalid"),
    ):
        path = tmp_path / "diagnostics.toml"
        path.write_text(content, encoding="utf-8")
        with pytest.raises(PluginError, match=problem) as refused:
            QuestionnaireDefault.from_toml(path)
        assert str(path) in str(refused.value)
    with pytest.raises(PluginError, match=r"missing\.toml"):
        QuestionnaireDefault.from_toml(tmp_path / "missing.toml")
