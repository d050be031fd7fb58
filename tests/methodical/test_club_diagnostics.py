"""The young teachers' club's leader and the diagnostics of young teachers' difficulties: the leader of the
year's club reads its results per difficulty as the curator does (withheld under five respondents), never a
person's answers, not even from their own database session; the club's meeting form suggests the most
difficult areas as topics; last year's leader, a teacher and another organisation's leader are refused.

Every test takes a school of its own (tests/core/test_diagnostics.py's ``school``), so that what it gives and
answers is its own.
"""

from __future__ import annotations

import re
import uuid
from decimal import Decimal
from typing import Any

from litestar import Litestar
from sqlalchemy import select, text

from nastavnik.db.scope import DbScope, scoped_session
from nastavnik.domain.methodical.models import Association
from nastavnik.domain.methodical.topics import short_topic, suggested_topics
from nastavnik.domain.questionnaires.diagnostics import hard_from
from nastavnik.models.audit import AuditEvent
from nastavnik.runtime import Runtime
from tests.core.test_diagnostics import School, acting, answer, give, results, school, scores
from tests.methodical.support import api, page
from tests.support.dates import RegionDates
from tests.support.http import client_for
from tests.support.tenant import Named, add_mentor, new_tenant
from tests.support.world import World

NAMES = ["Белова", "Зайцева", "Котова", "Новикова", "Орлова"]
# The five young teachers' scores (1: no difficulty, 10: a serious one); every other area 1.
PLANNING = [8, 7, 3, 10, 2]  # 30 / 5 = 6.0; rated hard (7 and above): 8, 7, 10
DISCIPLINE = [1, 2, 3, 4, 5]  # 15 / 5 = 3.0; nobody rated it hard
PARENTS = [9, 9, 9, 9, 9]  # 9.0; all five
DOCUMENTATION = [6, 6, 6, 6, 7]  # 31 / 5 = 6.2; one
# The ranking, the most difficult first, of the areas somebody rated hard: discipline (nobody) and the
# areas everybody rated 1 are no difficulty to plan a meeting on.
TOPICS = [
    "Работа с родителями (законными представителями) обучающихся",
    "Ведение документации",
    "Планирование урока",
]


async def club_of(runtime: Runtime, s: School, year: int, leader: uuid.UUID) -> uuid.UUID:
    """The school's young teachers' club of ``year`` led by ``leader``."""
    async with runtime.owner_sessions() as db:
        club = Association(
            org_id=s.tenant.id, id=uuid.uuid4(), shape="club", academic_year=year, name="Звёзды будущего"
        )
        club.leader_id = leader
        db.add(club)
        await db.commit()
        return club.id


async def answered(app: Litestar, s: School, names: list[str]) -> None:
    for name in names:
        n = NAMES.index(name)
        async with s.teacher(app, name) as t:
            await answer(
                t,
                s.slug,
                scores(
                    lesson_planning=PLANNING[n],
                    discipline=DISCIPLINE[n],
                    parents=PARENTS[n],
                    documentation=DOCUMENTATION[n],
                ),
            )


async def answers_visible_to(runtime: Runtime, s: School, identity: uuid.UUID) -> int:
    """How many rows of questionnaire_answer a session of ``identity`` in the school selects directly."""
    async with scoped_session(runtime.app_sessions, DbScope(identity_id=identity, org_id=s.tenant.id)) as db:
        return int(await db.scalar(text("SELECT count(*) FROM questionnaire_answer")) or 0)


async def figures_for(
    runtime: Runtime, s: School, identity: uuid.UUID, dates: RegionDates
) -> dict[str, tuple[Any, ...]]:
    """What the database's aggregate function gives ``identity`` for the school's campaign of the year."""
    async with runtime.owner_sessions() as db:
        campaign = await db.scalar(
            text("SELECT id FROM questionnaire_campaign WHERE org_id = :org AND academic_year = :year"),
            {"org": s.tenant.id, "year": dates.year},
        )
    async with scoped_session(runtime.app_sessions, DbScope(identity_id=identity, org_id=s.tenant.id)) as db:
        rows = await db.execute(
            text("SELECT * FROM nastavnik_diagnostics_difficulties(:campaign)"), {"campaign": campaign}
        )
        return {key: tuple(rest) for key, *rest in rows}


async def test_the_clubs_leader_reads_the_results_per_difficulty_never_a_persons_answers(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    s = await school(runtime, world, NAMES)
    leader = await add_mentor(runtime, s.tenant, Named("Ковалёва", "Елена", "Игоревна"), signs_in=True)
    former = await add_mentor(runtime, s.tenant, Named("Громова", "Вера", "Павловна"), signs_in=True)
    club = await club_of(runtime, s, dates.year, leader)
    await club_of(runtime, s, dates.year - 1, former)
    leader_id, former_id = s.tenant.identities["mentor:Ковалёва"], s.tenant.identities["mentor:Громова"]
    async with s.curator(app) as curator:
        await give(curator, s.slug)
    await answered(app, s, NAMES[:4])

    # Four answered: the leader sees how many, not what (withheld as for the curator); nothing to suggest.
    async with client_for(app, leader_id) as c:
        four = await results(c, s.slug)
        club_api = (await c.get(api(s.tenant, "club", club))).json()
    assert (four["assigned"], four["respondents"]) == (5, 4)
    assert all(
        (d["respondents"], d["average"], d["hard"], d["note"]) == (4, None, None, "недостаточно ответов")
        for d in four["difficulties"]
    )
    assert club_api["suggested_topics"] == []

    await answered(app, s, NAMES[4:])
    async with client_for(app, leader_id) as c:
        five = await results(c, s.slug)
        shown = await c.get(f"/o/{s.slug}/diagnostics")
        again = await c.post(f"/api/o/{s.slug}/diagnostics", json={})  # giving it stays the curator's
    by_key = {d["key"]: d for d in five["difficulties"]}
    assert five["respondents"] == 5
    assert (by_key["lesson_planning"]["average"], by_key["lesson_planning"]["hard"]) == (6.0, 3)
    assert (by_key["lesson_planning"]["hard_share"], by_key["discipline"]["average"]) == (60, 3.0)
    assert (by_key["discipline"]["hard"], by_key["parents"]["hard"]) == (0, 5)
    assert (by_key["documentation"]["average"], by_key["documentation"]["hard"]) == (6.2, 1)
    assert (by_key["ict"]["average"], by_key["ict"]["hard"]) == (1.0, 0)
    assert five["young_teachers"] == []  # who was given it and who answered is the curator's list
    assert again.status_code == 403
    assert shown.status_code == 200
    assert "6,2" in shown.text
    assert "3 (60&nbsp;%)" in shown.text
    assert "Назначить диагностику" not in shown.text
    assert not any(name in shown.text for name in NAMES)
    # Her year only in the page's choice of years: another year would be refused.
    assert re.findall(r'<option value="(\d+)"', shown.text) == [str(dates.year)]
    # The curator reads the same figures: one computation for every reader.
    async with s.curator(app) as curator:
        assert (await results(curator, s.slug))["difficulties"] == five["difficulties"]

    # The database: the leader's session selects none of the young teachers' answers; the aggregate
    # function gives her the per-area figures only, and last year's leader or a young teacher nothing.
    assert await answers_visible_to(runtime, s, leader_id) == 0
    assert await answers_visible_to(runtime, s, former_id) == 0
    mine = await answers_visible_to(runtime, s, s.tenant.identities["mentee:Белова"])
    assert mine == len(scores())  # her own answers only
    assert await answers_visible_to(runtime, s, s.tenant.identities["curator"]) == 5 * len(scores())
    figures = await figures_for(runtime, s, leader_id, dates)
    assert figures["parents"] == (5, Decimal("9.00"), 5)
    assert figures["documentation"] == (5, Decimal("6.20"), 1)
    assert set(figures) == set(scores())  # the scale items; the free text is never summarised
    assert await figures_for(runtime, s, former_id, dates) == {}
    assert await figures_for(runtime, s, s.tenant.identities["mentee:Белова"], dates) == {}

    # Last year's leader, a young teacher: refused the year's results, the page and the API alike.
    for who in (former_id, s.tenant.identities["mentee:Белова"]):
        async with client_for(app, who) as c:
            assert (await c.get(f"/api/o/{s.slug}/diagnostics")).status_code == 403
            assert (await c.get(f"/o/{s.slug}/diagnostics?year={dates.year}")).status_code == 403
    async with client_for(app, former_id) as c:  # her own year she reads (it was not given then)
        hers = await c.get(f"/o/{s.slug}/diagnostics?year={dates.year - 1}")
        assert hers.status_code == 200
        assert "учебном году диагностика не проводилась" in hers.text
        assert re.findall(r'<option value="(\d+)"', hers.text) == [str(dates.year - 1)]

    # The leader's read is audited as a read of the results.
    async with runtime.owner_sessions() as db:
        reads = list(
            await db.scalars(
                select(AuditEvent).where(
                    AuditEvent.org_id == s.tenant.id,
                    AuditEvent.object_type == "questionnaire_results",
                    AuditEvent.actor_identity_id == leader_id,
                )
            )
        )
    assert reads


async def test_the_clubs_meeting_form_suggests_the_hardest_areas(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    s = await school(runtime, world, NAMES)
    leader = await add_mentor(runtime, s.tenant, Named("Ковалёва", "Елена", "Игоревна"), signs_in=True)
    club = await club_of(runtime, s, dates.year, leader)
    leader_id = s.tenant.identities["mentor:Ковалёва"]
    # Not given yet: nothing to suggest, though the leader may read the (empty) results.
    async with acting(runtime, leader_id, s.slug) as (db, ctx):
        assert await suggested_topics(db, ctx, dates.year) == []
    async with s.curator(app) as curator:
        await give(curator, s.slug)
    await answered(app, s, NAMES)

    for who in (leader_id, s.tenant.identities["curator"]):
        async with acting(runtime, who, s.slug) as (db, ctx):
            assert await suggested_topics(db, ctx, dates.year) == TOPICS
    async with acting(runtime, s.tenant.identities["mentee:Белова"], s.slug) as (db, ctx):
        assert await suggested_topics(db, ctx, dates.year) == []  # not a reader of the results

    link = f'href="/o/{s.slug}/diagnostics?year={dates.year}"'
    async with client_for(app, leader_id) as c:
        club_page = await c.get(page(s.tenant, "club", club))
        club_api = (await c.get(api(s.tenant, "club", club))).json()
    assert club_page.status_code == 200
    assert link in club_page.text
    datalist = re.search(r'<datalist id="suggested-topics">(.*?)</datalist>', club_page.text, re.S)
    assert datalist is not None
    assert re.findall(r'<option value="([^"]*)">', datalist.group(1)) == TOPICS
    assert 'list="suggested-topics"' in club_page.text
    assert club_api["suggested_topics"] == TOPICS
    async with client_for(app, s.tenant.identities["mentee:Белова"]) as c:  # a member who only reads
        member_page = await c.get(page(s.tenant, "club", club))
        member_api = (await c.get(api(s.tenant, "club", club))).json()
    assert member_page.status_code == 200
    assert link not in member_page.text
    assert "suggested-topics" not in member_page.text
    assert member_api["suggested_topics"] == []


async def test_another_organisations_club_leader_finds_nothing(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    s = await school(runtime, world, NAMES)
    async with s.curator(app) as curator:
        await give(curator, s.slug)
    await answered(app, s, NAMES)
    other = await new_tenant(runtime, world)
    theirs = await add_mentor(runtime, other, Named("Чужова", "Ольга", None), signs_in=True)
    async with runtime.owner_sessions() as db:
        db.add(
            Association(
                org_id=other.id,
                id=uuid.uuid4(),
                shape="club",
                academic_year=dates.year,
                name="Чужой клуб",
                leader_id=theirs,
            )
        )
        await db.commit()
    async with client_for(app, other.identities["mentor:Чужова"]) as c:
        assert (await c.get(f"/api/o/{s.slug}/diagnostics")).status_code == 404
        assert (await c.get(f"/o/{s.slug}/diagnostics")).status_code == 404
        own = await c.get(f"/api/o/{other.slug}/diagnostics")  # her own school's: not given there
        assert own.status_code == 200
        assert (own.json()["respondents"], own.json()["difficulties"]) == (0, [])
    # Nor does the database give her the school's figures, even naming its organisation and campaign.
    assert await figures_for(runtime, s, other.identities["mentor:Чужова"], dates) == {}


async def test_the_hard_threshold_is_the_same_in_python_and_in_the_database(runtime: Runtime) -> None:
    scales = [(1, 10), (1, 5), (0, 4), (1, 3), (1, 2), (0, 100)]
    async with runtime.app_sessions() as db:
        in_sql = [
            await db.scalar(text("SELECT nastavnik_hard_from(:low, :high)"), {"low": low, "high": high})
            for low, high in scales
        ]
    assert in_sql == [hard_from({"min": low, "max": high}) for low, high in scales]
    assert in_sql[:2] == [7, 4]


def test_a_topic_is_the_areas_wording_before_its_explanation() -> None:
    assert (
        short_topic("Планирование урока: цели, содержание, подбор методов и приёмов") == "Планирование урока"
    )
    assert short_topic("Дисциплина на уроке") == "Дисциплина на уроке"
    assert short_topic(": только пояснение") == ": только пояснение"
