"""A mentor's capacity is the person's, across every open programme of the organisation, and two
curators submitting at the same moment never place a mentee twice or overfill a mentor.

The concurrent tests go over real HTTP (uvicorn on loopback), two clients with connections and
sessions of their own, so the two requests run in two database transactions at once.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from litestar import Litestar
from sqlalchemy import func, select

from nastavnik.domain.programmes.pairs.models import GroupMember, MemberRole, MentoringGroup
from nastavnik.runtime import Runtime
from tests.support.dates import RegionDates
from tests.support.http import Client, client_for, forge_session, loopback_socket, serving
from tests.support.programme import group_body, open_programme
from tests.support.tenant import Named, Tenant, add_mentee, add_mentor, new_tenant
from tests.support.world import World


def _messages(response: httpx.Response) -> str:
    assert response.status_code == 422, response.text
    return " ".join(e["message"] for e in response.json()["errors"])


async def _both_programmes(curator: Client, tenant: Tenant) -> tuple[str, str]:
    """The API paths of the tenant's programmes for teachers and for learners, both opened now."""
    teachers = await open_programme(curator, tenant, "pedagogues")
    learners = await open_programme(curator, tenant, "learners")
    return f"/api/o/{tenant.slug}/programmes/{teachers}", f"/api/o/{tenant.slug}/programmes/{learners}"


async def _mentees_of(runtime: Runtime, tenant: Tenant, mentor: uuid.UUID) -> int:
    """The mentor's mentees in open groups, as the database holds them."""
    mentee = GroupMember.__table__.alias("mentee")
    async with runtime.owner_sessions() as db:
        return int(
            await db.scalar(
                select(func.count(mentee.c.person_id))
                .select_from(GroupMember)
                .join(
                    mentee,
                    (mentee.c.org_id == GroupMember.org_id) & (mentee.c.group_id == GroupMember.group_id),
                )
                .join(
                    MentoringGroup,
                    (MentoringGroup.org_id == GroupMember.org_id)
                    & (MentoringGroup.id == GroupMember.group_id),
                )
                .where(
                    GroupMember.org_id == tenant.id,
                    GroupMember.person_id == mentor,
                    GroupMember.role == MemberRole.MENTOR,
                    mentee.c.role == MemberRole.MENTEE,
                    MentoringGroup.status.in_(("draft", "active")),
                )
            )
            or 0
        )


async def _groups_holding(runtime: Runtime, tenant: Tenant, mentee: uuid.UUID) -> int:
    async with runtime.owner_sessions() as db:
        return int(
            await db.scalar(
                select(func.count())
                .select_from(GroupMember)
                .where(
                    GroupMember.org_id == tenant.id,
                    GroupMember.person_id == mentee,
                    GroupMember.role == MemberRole.MENTEE,
                )
            )
            or 0
        )


# --- capacity across programmes ------------------------------------------------------------------


async def test_capacity_counts_the_mentees_of_every_open_programme(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    """Сидорова may take two mentees in all. One young teacher in the teachers' programme leaves her
    one place in the learners' programme: matching offers one learner, accepting or forming two is
    refused with the numbers, and once the place is taken nothing more goes to her anywhere."""
    tenant = await new_tenant(runtime, world)
    sidorova = await add_mentor(
        runtime, tenant, Named("Сидорова", "Галина", "Петровна"), subjects="математика", capacity=2
    )
    novikova = await add_mentee(runtime, tenant, Named("Новикова", "Нина", "Петровна"))
    orlova = await add_mentee(runtime, tenant, Named("Орлова", "Анна", "Викторовна"))
    belov = await add_mentee(runtime, tenant, Named("Белов", "Павел", "Андреевич"), kind="learner")
    gromov = await add_mentee(runtime, tenant, Named("Громов", "Илья", "Олегович"), kind="learner")
    async with client_for(app, tenant.identities["curator"]) as curator:
        teachers_url, learners_url = await _both_programmes(curator, tenant)
        formed = await curator.post(f"{teachers_url}/groups", json=group_body(sidorova, novikova))
        assert formed.status_code == 201, formed.text

        suggested = (await curator.post(f"{learners_url}/matching", json={})).json()
        assert [s["mentor"]["full_name"] for s in suggested["suggestions"]] == ["Сидорова Галина Петровна"]
        assert len(suggested["unmatched"]) == 1
        assert "свободными местами" in suggested["unmatched"][0]["reason"], suggested["unmatched"]
        assert any("свободных мест: 1" in r for r in suggested["suggestions"][0]["reasons"])

        both = [{"mentee_id": str(m), "mentor_id": str(sidorova)} for m in (belov, gromov)]
        accepted = await curator.post(f"{learners_url}/matching/accept", json={"pairs": both, **dates.term})
        assert (
            "Сидорова Галина Петровна: наставляемых 3, а можно не больше 2"
            " (уже 1 в парах и группах открытых программ организации)" in _messages(accepted)
        )
        by_hand = await curator.post(
            f"{learners_url}/groups", json=group_body(sidorova, belov, gromov, form_code="teacher_student")
        )
        assert (
            "Сидорова Галина Петровна: наставляемых 3, а можно не больше 2"
            " (уже 1 в парах и группах открытых программ организации)" in _messages(by_hand)
        )
        one = await curator.post(
            f"{learners_url}/groups", json=group_body(sidorova, belov, form_code="teacher_student")
        )
        assert one.status_code == 201, one.text

        # Full now, in both programmes.
        assert (await curator.post(f"{learners_url}/matching", json={})).json()["suggestions"] == []
        assert (await curator.post(f"{teachers_url}/matching", json={})).json()["suggestions"] == []
        late = await curator.post(
            f"{learners_url}/matching/accept",
            json={"pairs": [{"mentee_id": str(gromov), "mentor_id": str(sidorova)}], **dates.term},
        )
        assert (
            "у наставника Сидорова Галина Петровна нет свободных мест: наставляемых 2"
            " в открытых программах организации, а можно не больше 2" in _messages(late)
        )
        other_programme = await curator.post(f"{teachers_url}/groups", json=group_body(sidorova, orlova))
        assert "Сидорова Галина Петровна: наставляемых 3, а можно не больше 2" in _messages(other_programme)
    assert await _mentees_of(runtime, tenant, sidorova) == 2


async def test_editing_a_group_keeps_the_capacity_across_programmes(
    runtime: Runtime, app: Litestar, world: World
) -> None:
    tenant = await new_tenant(runtime, world)
    kuznetsov = await add_mentor(runtime, tenant, Named("Кузнецов", "Олег", "Игоревич"), capacity=2)
    novikova = await add_mentee(runtime, tenant, Named("Новикова", "Нина", "Петровна"))
    orlova = await add_mentee(runtime, tenant, Named("Орлова", "Анна", "Викторовна"))
    belov = await add_mentee(runtime, tenant, Named("Белов", "Павел", "Андреевич"), kind="learner")
    async with client_for(app, tenant.identities["curator"]) as curator:
        teachers_url, learners_url = await _both_programmes(curator, tenant)
        in_learners = await curator.post(
            f"{learners_url}/groups", json=group_body(kuznetsov, belov, form_code="teacher_student")
        )
        assert in_learners.status_code == 201, in_learners.text
        group = await curator.post(f"{teachers_url}/groups", json=group_body(kuznetsov, novikova))
        assert group.status_code == 201, group.text
        grown = await curator.put(
            f"{teachers_url}/groups/{group.json()['id']}",
            json={**group_body(kuznetsov, novikova, orlova), "version": group.json()["version"]},
        )
        assert "Кузнецов Олег Игоревич: наставляемых 3, а можно не больше 2" in _messages(grown)
    assert await _mentees_of(runtime, tenant, kuznetsov) == 2


# --- concurrency -----------------------------------------------------------------------------------


@asynccontextmanager
async def _two_curators(app: Litestar, tenant: Tenant) -> AsyncIterator[tuple[Client, Client]]:
    """Two signed-in curators, each with a session and an HTTP connection of their own."""
    async with serving(app, loopback_socket()) as url:
        clients = []
        async with httpx.AsyncClient(base_url=url) as first, httpx.AsyncClient(base_url=url) as second:
            for http in (first, second):
                session_id = await forge_session(app, tenant.identities["curator"])
                http.cookies.set("session", session_id, domain="127.0.0.1")
                client = Client(http)
                await client.get("/health/live")  # the CSRF cookie, before the race starts
                clients.append(client)
            yield clients[0], clients[1]


def _loser(responses: list[httpx.Response]) -> httpx.Response:
    statuses = sorted(r.status_code for r in responses)
    assert statuses in ([201, 409], [201, 422]), [r.text for r in responses]
    (loser,) = [r for r in responses if r.status_code != 201]
    assert loser.headers["content-type"].startswith("application/problem+json")
    return loser


ROUNDS = 4  # each round is a fresh race; without the locks a round or more lets both through


async def test_two_curators_accepting_one_mentee_at_once(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    tenant = await new_tenant(runtime, world)
    mentors = [
        await add_mentor(runtime, tenant, Named("Сидорова", "Галина", "Петровна"), capacity=ROUNDS),
        await add_mentor(runtime, tenant, Named("Кузнецов", "Олег", "Игоревич"), capacity=ROUNDS),
    ]
    mentees = [
        await add_mentee(runtime, tenant, Named("Новиков", f"Ученик{n}", "Петрович")) for n in range(ROUNDS)
    ]
    async with client_for(app, tenant.identities["curator"]) as setup:
        pid = await open_programme(setup, tenant, "pedagogues")
    url = f"/api/o/{tenant.slug}/programmes/{pid}/matching/accept"
    async with _two_curators(app, tenant) as (first, second):
        for mentee in mentees:
            responses = list(
                await asyncio.gather(
                    *(
                        client.post(
                            url,
                            json={
                                "pairs": [{"mentee_id": str(mentee), "mentor_id": str(mentor)}],
                                **dates.term,
                            },
                        )
                        for client, mentor in zip((first, second), mentors, strict=True)
                    )
                )
            )
            loser = _loser(responses)
            assert "уже в другой паре или группе этой программы" in " ".join(
                e["message"] for e in loser.json()["errors"]
            ), loser.text
            assert await _groups_holding(runtime, tenant, mentee) == 1
    assert sum([await _mentees_of(runtime, tenant, m) for m in mentors]) == ROUNDS


async def test_two_programmes_filling_one_mentor_at_once(
    runtime: Runtime, app: Litestar, world: World
) -> None:
    """Different programmes lock different rows: only the mentor's own lock keeps her capacity."""
    tenant = await new_tenant(runtime, world)
    mentors = [
        await add_mentor(runtime, tenant, Named("Лебедева", f"Мария{n}", "Ивановна"), capacity=1)
        for n in range(ROUNDS)
    ]
    teachers_mentees = [
        await add_mentee(runtime, tenant, Named("Орлова", f"Анна{n}", "Викторовна")) for n in range(ROUNDS)
    ]
    learners_mentees = [
        await add_mentee(runtime, tenant, Named("Белов", f"Павел{n}", "Андреевич"), kind="learner")
        for n in range(ROUNDS)
    ]
    async with client_for(app, tenant.identities["curator"]) as setup:
        teachers = await open_programme(setup, tenant, "pedagogues")
        learners = await open_programme(setup, tenant, "learners")
    async with _two_curators(app, tenant) as (first, second):
        for mentor, young_teacher, learner in zip(mentors, teachers_mentees, learners_mentees, strict=True):
            responses = list(
                await asyncio.gather(
                    first.post(
                        f"/api/o/{tenant.slug}/programmes/{teachers}/groups",
                        json=group_body(mentor, young_teacher),
                    ),
                    second.post(
                        f"/api/o/{tenant.slug}/programmes/{learners}/groups",
                        json=group_body(mentor, learner, form_code="teacher_student"),
                    ),
                )
            )
            loser = _loser(responses)
            assert "наставляемых 2, а можно не больше 1" in " ".join(
                e["message"] for e in loser.json()["errors"]
            ), loser.text
            assert await _mentees_of(runtime, tenant, mentor) == 1
