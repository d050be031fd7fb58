"""Russian on the pages: numbers agree with their nouns, status words with their documents, «Ё» sorts with «Е»."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from litestar import Litestar

from nastavnik.runtime import Runtime
from nastavnik.web.filters import plural
from tests.support.dates import RegionDates
from tests.support.http import client_for
from tests.support.programme import approved_documents, form_pair, order_body
from tests.support.tenant import Named, new_tenant
from tests.support.world import World


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (1, "1 пара"),
        (2, "2 пары"),
        (4, "4 пары"),
        (5, "5 пар"),
        (11, "11 пар"),
        (12, "12 пар"),
        (14, "14 пар"),
        (21, "21 пара"),
        (22, "22 пары"),
        (25, "25 пар"),
        (101, "101 пара"),
        (111, "111 пар"),
        (0, "0 пар"),
    ],
)
def test_plural_agrees_with_the_number(n: int, expected: str) -> None:
    assert plural(n, "пара", "пары", "пар").replace("\u00a0", " ") == expected


async def test_document_status_agrees_with_its_noun(app: Litestar, runtime: Runtime, world: World) -> None:
    tenant = await new_tenant(runtime, world)
    async with client_for(app, tenant.identities["curator"]) as curator:
        pid = (
            await curator.post(
                f"/api/o/{tenant.slug}/programmes", json={"academic_year": 2026, "regime": "pedagogues"}
            )
        ).json()["id"]
        docs = approved_documents("2026-08-30")
        saved = await curator.put(f"/api/o/{tenant.slug}/programmes/{pid}/documents", json=docs)
        page = await curator.get(f"/o/{tenant.slug}/programmes/{pid}")
    assert saved.status_code == 200, saved.text
    assert "Положение о наставничестве: утверждено, приказ № 15-од" in page.text
    assert "Программа наставничества: утверждена, приказ № 16-од" in page.text
    assert "утверждён(а)" not in page.text
    assert '<option value="approved" selected>утверждено</option>' in page.text
    assert '<option value="approved" selected>утверждена</option>' in page.text


async def test_yo_sorts_with_ye_on_the_people_page(app: Litestar, runtime: Runtime, world: World) -> None:
    tenant = await new_tenant(
        runtime,
        world,
        staff={"curator": Named("Абрамова", "Анна"), "director": Named("Яковлев", "Юрий")},
    )
    async with client_for(app, tenant.identities["curator"]) as curator:
        for last, first in (
            ("Жуков", "Иван"),
            ("Ёлкин", "Пётр"),
            ("Ефимов", "Олег"),
            ("Ежов", "Илья"),
            ("Егоров", "Ян"),
            ("Елисеев", "Ёж"),
            ("Елисеев", "Егор"),
        ):
            created = await curator.post(
                f"/api/o/{tenant.slug}/people",
                json={"last_name": last, "first_name": first, "category": "pedagogue"},
            )
            assert created.status_code == 201, created.text
        page = await curator.get(f"/o/{tenant.slug}/people")
        api = (await curator.get(f"/api/o/{tenant.slug}/people")).json()
    shown = re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a></th>', page.text)
    expected = [
        "Абрамова Анна",
        "Егоров Ян",
        "Ежов Илья",
        "Елисеев Егор",  # «Ё» of «Ёж» read as «Е»: «Егор» < «Ёж» by the letter after
        "Елисеев Ёж",
        "Ёлкин Пётр",  # «Ёл…» between «Ел…» and «Еф…», not first (code point order) nor last
        "Ефимов Олег",
        "Жуков Иван",
        "Яковлев Юрий",
    ]
    assert [" ".join(name.split()[:2]) for name in shown] == expected
    assert [f"{p['last_name']} {p['first_name']}" for p in api] == expected


async def test_an_orders_pairs_are_counted_in_agreement(
    app: Litestar, runtime: Runtime, world: World, dates: RegionDates
) -> None:
    pair = await form_pair(runtime, app, world)
    base = f"/api/o/{pair.tenant.slug}/programmes/{pair.programme_id}"
    async with client_for(app, pair.tenant.identities["curator"]) as curator:
        order = await curator.post(
            f"{base}/orders",
            json=order_body(
                "7-к", pair.group_id, kind="mentor_assignment", issued_on=dates.today - timedelta(days=1)
            ),
        )
        page = await curator.get(f"/o/{pair.tenant.slug}/programmes/{pair.programme_id}/groups")
    assert order.status_code == 201, order.text
    assert "№ 7-к (1\u00a0пара (группа))" in page.text  # not «1 пар и групп»
    assert "пар и групп)" not in page.text
