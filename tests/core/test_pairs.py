"""Pairs and groups: matching suggestions the curator accepts, rules that refuse, orders that activate.

Every test takes an organisation of its own (tests/support/tenant.py), so counts are exact.
"""

from __future__ import annotations

import io
from typing import Any

import docx
from litestar import Litestar

from nastavnik.runtime import Runtime
from tests.support.dates import RegionDates
from tests.support.http import client_for
from tests.support.programme import (
    group_body,
    issue_order,
    open_programme,
    order_body,
    staffed,
    staffed_programme,
)
from tests.support.tenant import Named, add_mentee, add_mentor, new_tenant
from tests.support.world import World


def by_mentee(suggestions: list[dict[str, Any]]) -> dict[str, str]:
    return {s["mentee"]["full_name"]: s["mentor"]["full_name"] for s in suggestions}


async def test_matching_suggests_explains_and_the_curator_accepts(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    async with staffed_programme(runtime, app, world) as (tenant, ids, curator, pid):
        base = f"/api/o/{tenant.slug}/programmes/{pid}"
        suggested = (await curator.post(f"{base}/matching", json={})).json()
        assert by_mentee(suggested["suggestions"]) == {
            "Новикова Нина Петровна": "Сидорова Галина Петровна",
            "Орлова Анна Викторовна": "Сидорова Галина Петровна",
            "Белов Павел Андреевич": "Кузнецов Олег Игоревич",
        }
        assert suggested["unmatched"] == []
        orlova = next(s for s in suggested["suggestions"] if s["mentee"]["full_name"].startswith("Орлова"))
        assert any("огэ" in r.lower() and "математик" in r.lower() for r in orlova["reasons"]), orlova[
            "reasons"
        ]
        assert all(s["mentor"]["full_name"] != "Лебедева Мария Ивановна" for s in suggested["suggestions"])

        # The curator rejects Белов – Кузнецов: nobody else with consent has a place, so Белов stays unmatched.
        again = (
            await curator.post(
                f"{base}/matching",
                json={"exclude": [{"mentee_id": str(ids["belov"]), "mentor_id": str(ids["kuznetsov"])}]},
            )
        ).json()
        assert "Белов Павел Андреевич" not in by_mentee(again["suggestions"])
        assert [u["mentee"]["full_name"] for u in again["unmatched"]] == ["Белов Павел Андреевич"]

        pairs = [
            {"mentee_id": s["mentee"]["id"], "mentor_id": s["mentor"]["id"]} for s in suggested["suggestions"]
        ]
        created = await curator.post(f"{base}/matching/accept", json={"pairs": pairs, **dates.term})
        assert created.status_code == 201, created.text
        groups = {g["mentors"][0]["full_name"]: g for g in created.json()}
        assert sorted(m["full_name"] for m in groups["Сидорова Галина Петровна"]["mentees"]) == [
            "Новикова Нина Петровна",
            "Орлова Анна Викторовна",
        ]
        assert groups["Сидорова Галина Петровна"]["kind_code"] == "group"
        assert groups["Кузнецов Олег Игоревич"]["kind_code"] == "traditional"
        assert {g["status"] for g in groups.values()} == {"draft"}
        assert groups["Кузнецов Олег Игоревич"]["reasons"]

        # Everyone is placed now: a second round suggests nobody, and accepting the same again is refused.
        assert (await curator.post(f"{base}/matching", json={})).json()["suggestions"] == []
        twice = await curator.post(f"{base}/matching/accept", json={"pairs": pairs, **dates.term})
        assert twice.status_code == 422

        order = await curator.post(
            f"{base}/orders",
            json=order_body("12/1-к", *(g["id"] for g in groups.values()), kind="mentor_assignment"),
        )
        assert order.status_code == 201, order.text
        download = await curator.get(f"{base}/orders/{order.json()['id']}/document.docx")
    assert download.status_code == 200
    assert "filename*=UTF-8''%D0%9F%D1%80%D0%B8%D0%BA%D0%B0%D0%B7" in download.headers["content-disposition"]
    text = [p.text for p in docx.Document(io.BytesIO(download.content)).paragraphs]
    assert tenant.full_name in text
    assert f"{dates.today:%d.%m.%Y}\t№ 12/1-к" in text
    # Names in their grammatical cases: the mentor in the accusative, the mentees in the genitive.
    assert (
        "Назначить наставником Сидорову Галину Петровну для Новиковой Нины Петровны, Орловой Анны "
        f"Викторовны на срок с 01.09.{dates.year} по 31.05.{dates.year + 1}." in " ".join(text)
    )
    assert "Назначить наставником Кузнецова Олега Игоревича для Белова Павла Андреевича" in " ".join(text)
    assert (
        "Контроль за исполнением приказа возложить на куратора программы наставничества "
        "Иванову Ирину Сергеевну." in " ".join(text)
    )
    assert "Директор ____________ А. Н. Петров" in text


async def test_rules_refuse_with_clear_reasons(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    async with staffed_programme(runtime, app, world) as (tenant, ids, curator, pid):
        url = f"/api/o/{tenant.slug}/programmes/{pid}/groups"

        def group(mentor: str, *mentees: str, **extra: Any) -> dict[str, Any]:
            return group_body(ids[mentor], *(ids[m] for m in mentees), kind_code="group", **extra)

        over_capacity = await curator.post(url, json=group("kuznetsov", "novikova", "belov"))
        no_consent = await curator.post(url, json=group("lebedeva", "novikova"))
        outside_year = await curator.post(
            url,
            json=group(
                "sidorova", "novikova", starts_on=f"{dates.year + 1}-09-01", ends_on=f"{dates.year + 1}-10-01"
            ),
        )
        unknown_form = await curator.post(
            url, json=group("sidorova", "novikova", form_code="employer_student")
        )
        mentor_as_mentee = await curator.post(url, json=group("sidorova", "sidorova"))
        first = await curator.post(url, json=group("sidorova", "novikova"))
        same_mentee_again = await curator.post(url, json=group("kuznetsov", "novikova"))

    def messages(response: Any) -> str:
        assert response.status_code == 422, response.text
        return " ".join(e["message"] for e in response.json()["errors"])

    assert "Кузнецов Олег Игоревич: наставляемых 2, а можно не больше 1" in messages(over_capacity)
    assert "нет письменного согласия наставника" in messages(no_consent)
    assert "в пределах учебного года" in messages(outside_year)
    assert "такой формы наставничества нет" in messages(unknown_form)
    assert "не может быть и наставником, и наставляемым" in messages(mentor_as_mentee)
    assert first.status_code == 201
    assert "уже в другой паре или группе этой программы" in messages(same_mentee_again)


async def test_a_pair_becomes_active_only_with_its_order(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    async with staffed_programme(runtime, app, world) as (tenant, ids, curator, pid):
        base = f"/api/o/{tenant.slug}/programmes/{pid}"
        body = group_body(ids["kuznetsov"], ids["belov"])
        group = (await curator.post(f"{base}/groups", json=body)).json()
        assert group["status"] == "draft"
        # Editing cannot switch it on: the body has no status at all.
        sneaky = await curator.put(
            f"{base}/groups/{group['id']}", json={**body, "version": 1, "status": "active"}
        )
        assert sneaky.status_code == 422  # a field the schema does not have
        assignment = await curator.post(
            f"{base}/orders", json=order_body("41-к", group["id"], kind="mentor_assignment")
        )
        assert assignment.status_code == 201, assignment.text
        still = (await curator.get(f"{base}/groups/{group['id']}")).json()
        assert still["status"] == "draft"
        await issue_order(curator, tenant, pid, "42-од", group["id"])
        active = (await curator.get(f"{base}/groups/{group['id']}")).json()
        assert active["status"] == "active"
        assert len(active["order_ids"]) == 2
        again = await curator.post(f"{base}/orders", json=order_body("43-од", group["id"]))
        assert again.status_code == 422
        assert "уже действует" in again.text
        duplicate_number = await curator.post(
            f"{base}/orders", json=order_body("41-к", group["id"], kind="mentor_assignment")
        )
        assert duplicate_number.status_code == 409
        future = await curator.post(
            f"{base}/orders",
            json=order_body(
                "44-к", group["id"], kind="mentor_assignment", issued_on=f"{dates.year + 2}-01-01"
            ),
        )
        assert future.status_code == 422
        ordered_delete = await curator.delete(f"{base}/groups/{group['id']}")
        assert ordered_delete.status_code == 422
        listed = (await curator.get(f"{base}/orders")).json()
    assert [(o["kind"], o["number"]) for o in listed] == [
        ("mentor_assignment", "41-к"),
        ("pairs_formation", "42-од"),
    ]


async def test_the_second_of_two_curators_is_told(runtime: Runtime, app: Litestar, world: World) -> None:
    tenant, ids = await staffed(runtime, world)
    async with (
        client_for(app, tenant.identities["curator"]) as curator,
        client_for(app, tenant.identities["director"]) as director,
    ):
        pid = await open_programme(curator, tenant)
        base = f"/api/o/{tenant.slug}/programmes/{pid}/groups"
        body = group_body(ids["sidorova"], ids["novikova"])
        group = (await curator.post(base, json=body)).json()
        edited = await curator.put(
            f"{base}/{group['id']}",
            json={**body, "mentee_ids": [str(ids["orlova"])], "version": group["version"]},
        )
        stale = await director.put(
            f"{base}/{group['id']}",
            json={**body, "mentee_ids": [str(ids["belov"])], "version": group["version"]},
        )
        shown = (await curator.get(f"{base}/{group['id']}")).json()
    assert edited.status_code == 200, edited.text
    assert stale.status_code == 409
    assert "изменил другой пользователь" in stale.json()["detail"]
    assert [m["full_name"] for m in shown["mentees"]] == ["Орлова Анна Викторовна"]


async def test_mentors_and_mentees_see_only_their_own_pairs(
    runtime: Runtime, app: Litestar, world: World
) -> None:
    tenant = await new_tenant(runtime, world)
    mine = await add_mentor(runtime, tenant, Named("Смирнова", "Ольга", "Павловна"), signs_in=True)
    other = await add_mentor(runtime, tenant, Named("Фёдоров", "Илья", "Ильич"))
    my_mentee = await add_mentee(runtime, tenant, Named("Зайцева", "Вера", "Олеговна"), signs_in=True)
    other_mentee = await add_mentee(runtime, tenant, Named("Волков", "Пётр", "Семёнович"))
    async with client_for(app, tenant.identities["curator"]) as curator:
        pid = await open_programme(curator, tenant)
        base = f"/api/o/{tenant.slug}/programmes/{pid}/groups"
        made = {}
        for mentor, mentee in ((mine, my_mentee), (other, other_mentee)):
            response = await curator.post(base, json=group_body(mentor, mentee))
            made[mentor] = response.json()["id"]
    for key in ("mentor:Смирнова", "mentee:Зайцева"):
        async with client_for(app, tenant.identities[key]) as person:
            listed = (await person.get(base)).json()
            own = await person.get(f"{base}/{made[mine]}")
            foreign = await person.get(f"{base}/{made[other]}")
            page = await person.get(f"/o/{tenant.slug}/programmes/{pid}/groups")
            order_list = await person.get(f"/api/o/{tenant.slug}/programmes/{pid}/orders")
        assert [g["id"] for g in listed] == [made[mine]], key
        assert own.status_code == 200
        assert foreign.status_code == 404
        assert "Смирнова Ольга Павловна" in page.text
        assert "Фёдоров" not in page.text
        assert order_list.status_code == 403


async def test_pages_form_a_pair_and_download_its_order(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    async with staffed_programme(runtime, app, world) as (tenant, ids, curator, pid):
        base = f"/o/{tenant.slug}/programmes/{pid}"
        page = await curator.post(f"{base}/matching", data={})
        assert page.status_code == 200
        assert "Сидорова Галина Петровна" in page.text
        assert "Почему" in page.text
        accepted = await curator.post(
            f"{base}/matching/accept",
            data={f"accept_{ids['belov']}_{ids['kuznetsov']}": "on", **dates.term},
        )
        assert accepted.status_code == 302
        groups = (await curator.get(f"/api/o/{tenant.slug}/programmes/{pid}/groups")).json()
        assert len(groups) == 1
        no_confirm = await curator.post(f"{base}/groups/{groups[0]['id']}/delete", data={})
        assert no_confirm.status_code == 422
        issued = await curator.post(
            f"{base}/orders",
            data={
                "kind": "pairs_formation",
                "number": "17-од",
                "issued_on": str(dates.today),
                f"group_{groups[0]['id']}": "on",
            },
        )
        assert issued.status_code == 302, issued.text
        (order,) = (await curator.get(f"/api/o/{tenant.slug}/programmes/{pid}/orders")).json()
        download = await curator.get(f"{base}/orders/{order['id']}/document.docx")
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("application/vnd.openxmlformats")
    document = docx.Document(io.BytesIO(download.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert f"{dates.today:%d.%m.%Y}\t№ 17-од" in text
    assert (
        f"Утвердить состав наставнических пар (групп) на {dates.year}/{dates.year + 1} учебный год (приложение)."
        in text
    )
    assert f"Приложение к приказу от {dates.today:%d.%m.%Y} № 17-од" in text
    (table,) = document.tables
    assert [c.text for c in table.rows[1].cells] == [
        "1",
        "Кузнецов Олег Игоревич",
        "Белов Павел Андреевич",
        "Учитель – учитель",
        "Традиционное (один на один)",
        f"01.09.{dates.year} – 31.05.{dates.year + 1}",
    ]
    assert len(table.rows) == 2
