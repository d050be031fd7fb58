"""A programme of the academic year under way, built through the API as a curator builds it.

Dates come from the test regions' clock (tests/support/dates.py), read when a helper is called: the
programme of the academic year under way, pairs and groups over its term, orders issued today, a meeting
met yesterday (or on 1 September).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from litestar import Litestar

from nastavnik.runtime import Runtime
from tests.support.dates import region_dates
from tests.support.http import Client, client_for
from tests.support.tenant import Named, Tenant, add_mentee, add_mentor, new_tenant
from tests.support.world import World

# new_tenant puts the organisation in the world's region R1, which keeps Yekaterinburg time.


async def open_programme(client: Client, tenant: Tenant, regime: str = "pedagogues") -> str:
    """The tenant's programme of the academic year under way; its id."""
    response = await client.post(
        f"/api/o/{tenant.slug}/programmes", json={"academic_year": region_dates().year, "regime": regime}
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def approved_documents(on: object, version: int = 1) -> dict[str, Any]:
    """The programme's founding documents, both approved on ``on`` (orders 15-од and 16-од)."""
    return {
        "version": version,
        "polozhenie_status": "approved",
        "polozhenie_order_no": "15-од",
        "polozhenie_order_date": str(on),
        "programma_status": "approved",
        "programma_order_no": "16-од",
        "programma_order_date": str(on),
    }


async def found(curator: Client, base: str, on: object) -> None:
    """Stage 1 of the programme at ``base`` (its API path) done through the API: both founding documents
    approved on ``on``, and the roadmap's «Педсовет о внедрении» held."""
    documents = await curator.put(f"{base}/documents", json=approved_documents(on))
    assert documents.status_code == 200, documents.text
    item = await curator.post(
        f"{base}/roadmap",
        json={
            "stage": 1,
            "title": "Педсовет о внедрении",
            "due_on": f"{region_dates().year}-09-30",
            "responsible": "Директор",
        },
    )
    assert item.status_code == 201, item.text
    done = await curator.put(f"{base}/roadmap/{item.json()['id']}/done", json={"done": True})
    assert done.status_code == 200, done.text


def group_body(
    mentor: object, *mentees: object, form_code: str = "teacher_teacher", **extra: Any
) -> dict[str, Any]:
    """What forms a pair (one mentee) or a group over the year's term; ``extra`` adds or replaces fields."""
    return {
        "mentor_ids": [str(mentor)],
        "mentee_ids": [str(m) for m in mentees],
        "form_code": form_code,
        "kind_code": "group" if len(mentees) > 1 else "traditional",
        **region_dates().term,
        **extra,
    }


async def form_group(
    curator: Client, tenant: Tenant, pid: str, mentor: object, *mentees: object, **fields: Any
) -> dict[str, Any]:
    """A pair or group the curator formed (waiting for its order); the API's record of it."""
    response = await curator.post(
        f"/api/o/{tenant.slug}/programmes/{pid}/groups", json=group_body(mentor, *mentees, **fields)
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def order_body(
    number: str, *group_ids: object, kind: str = "pairs_formation", issued_on: object = None
) -> dict[str, Any]:
    """What issues an order over the groups (by default today's order on forming pairs)."""
    return {
        "kind": kind,
        "number": number,
        "issued_on": str(region_dates().today if issued_on is None else issued_on),
        "group_ids": [str(g) for g in group_ids],
    }


async def issue_order(
    curator: Client, tenant: Tenant, pid: str, number: str, *group_ids: object, kind: str = "pairs_formation"
) -> dict[str, Any]:
    """An order issued today over the groups (by default the order on forming pairs, which starts them)."""
    response = await curator.post(
        f"/api/o/{tenant.slug}/programmes/{pid}/orders", json=order_body(number, *group_ids, kind=kind)
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def active_pair(curator: Client, tenant: Tenant, pid: str, mentor: Any, mentee: Any) -> dict[str, Any]:
    """A pair formed and put into effect by an order on forming pairs issued today."""
    group = await form_group(curator, tenant, pid, mentor, mentee)
    await issue_order(curator, tenant, pid, f"{len(str(mentee))}-{str(mentee)[:4]}", group["id"])
    shown = (await curator.get(f"/api/o/{tenant.slug}/programmes/{pid}/groups/{group['id']}")).json()
    assert shown["status"] == "active"
    return dict(shown)


@asynccontextmanager
async def staffed_programme(
    runtime: Runtime, app: Litestar, world: World
) -> AsyncIterator[tuple[Tenant, dict[str, Any], Client, str]]:
    """``staffed``'s tenant and people, its curator signed in, and the programme of the year it opened."""
    tenant, ids = await staffed(runtime, world)
    async with client_for(app, tenant.identities["curator"]) as curator:
        yield tenant, ids, curator, await open_programme(curator, tenant)


async def staffed(runtime: Runtime, world: World) -> tuple[Tenant, dict[str, Any]]:
    """Three mentors and three young teachers whose best assignment is plain by hand:
    Сидорова (mathematics, two places) takes the two mathematics requests, Кузнецов (literature)
    the literature one; Лебедева has no written consent and is never suggested."""
    tenant = await new_tenant(runtime, world)
    ids: dict[str, Any] = {
        "sidorova": await add_mentor(
            runtime,
            tenant,
            Named("Сидорова", "Галина", "Петровна"),
            competencies="методика преподавания математики, подготовка к ОГЭ",
            subjects="математика, алгебра",
            capacity=2,
        ),
        "kuznetsov": await add_mentor(
            runtime,
            tenant,
            Named("Кузнецов", "Олег", "Игоревич"),
            competencies="классное руководство",
            subjects="литература, русский язык",
            capacity=1,
        ),
        "lebedeva": await add_mentor(
            runtime,
            tenant,
            Named("Лебедева", "Мария", "Ивановна"),
            competencies="математика, ОГЭ, литература",
            capacity=3,
            consent=False,
        ),
        "novikova": await add_mentee(
            runtime, tenant, Named("Новикова", "Нина", "Петровна"), requests="методика уроков математики"
        ),
        "orlova": await add_mentee(
            runtime, tenant, Named("Орлова", "Анна", "Викторовна"), requests="подготовка к ОГЭ по математике"
        ),
        "belov": await add_mentee(
            runtime, tenant, Named("Белов", "Павел", "Андреевич"), requests="литература, классное руководство"
        ),
    }
    return tenant, ids


@dataclass
class Pair:
    tenant: Tenant
    programme_id: str
    group_id: str
    mentor: uuid.UUID
    mentees: list[uuid.UUID]

    @property
    def api(self) -> str:
        return f"/api/o/{self.tenant.slug}/programmes/{self.programme_id}/groups/{self.group_id}"

    @property
    def page(self) -> str:
        return f"/o/{self.tenant.slug}/programmes/{self.programme_id}/groups/{self.group_id}"


async def form_pair(
    runtime: Runtime,
    app: Litestar,
    world: World,
    *,
    mentees: tuple[Named, ...] = (Named("Зайцева", "Вера", "Олеговна"),),
) -> Pair:
    """A tenant whose curator formed one pair (or group) of a signed-in mentor and signed-in mentees."""
    tenant = await new_tenant(runtime, world)
    mentor = await add_mentor(
        runtime, tenant, Named("Смирнова", "Ольга", "Павловна"), capacity=len(mentees), signs_in=True
    )
    mentee_ids = [await add_mentee(runtime, tenant, name, signs_in=True) for name in mentees]
    async with client_for(app, tenant.identities["curator"]) as curator:
        pid = await open_programme(curator, tenant)
        group = await form_group(curator, tenant, pid, mentor, *mentee_ids)
    return Pair(tenant, pid, group["id"], mentor, mentee_ids)


def meeting(**extra: Any) -> dict[str, Any]:
    """A journal entry of a meeting held yesterday (or on 1 September, if the year began today)."""
    return {
        "met_on": str(region_dates().met_on),
        "topic": "Планирование урока",
        "content": "Разобрали технологическую карту",
        "result": "Составлен план урока",
        "assignment": "Провести урок по плану",
        **extra,
    }
