"""Bad input gets a clear error in Russian and changes nothing; nothing a user sends yields a 500."""

from __future__ import annotations

import re
import secrets

import pytest
from litestar import Litestar
from sqlalchemy import func, select

from nastavnik.models.people import Person
from nastavnik.runtime import Runtime
from nastavnik.testing import app_routes
from tests.support.forms import send_form
from tests.support.http import client_for
from tests.support.world import World, throwaway_person

WEIRD_SEGMENTS = [
    "..",
    "%2e%2e",
    "'; DROP TABLE person; --",
    "x" * 3000,
    "00000000-0000-0000-0000-000000000000",
    "%00",
    "ё́",
    "-1",
    "99999999999999999999",
]
WEIRD_BODIES: list[object] = [
    None,
    [],
    "строка",
    12,
    {"last_name": None},
    {"a": {"b": [1, 2, {"c": "d"}]}},
    {"last_name": "x" * 10000, "first_name": "y", "category": "pedagogue"},
    # PostgreSQL's text cannot hold U+0000: every text field of every route must refuse it, not fail.
    {
        "last_name": "А\u0000",
        "first_name": "\u0000",
        "category": "pedagogue",
        "title": "\u0000",
        "name": "\u0000",
    },
]


async def test_unknown_slug_and_malformed_ids_are_404(app: Litestar, world: World) -> None:
    org = world.orgs["school_a"]
    async with client_for(app, org.identities["curator"]) as client:
        for url in (
            "/api/o/no-such-org/people",
            "/o/no-such-org/",
            "/api/o/UPPER/people",
            f"/api/o/{org.slug}/people/not-a-uuid",
            f"/api/o/{org.slug}/people/00000000-0000-0000-0000-000000000000",
            f"/api/o/{org.slug}/headcounts/2099",  # within the schema's bounds, not a year the platform keeps
        ):
            method = "PUT" if "headcounts" in url else "GET"
            body = {"learners_total": 1, "learners_10_18": 1, "pedagogues": 1, "young_pedagogues": 1}
            response = await client.request(method, url, json=body if method == "PUT" else None)
            assert response.status_code == 404, url
    async with client_for(app, org.identities["curator"]) as client:
        page = await client.get("/o/no-such-org/people")
    assert "Не найдено" in page.text
    assert page.headers["content-type"].startswith("text/html")


async def test_api_errors_are_problem_details_in_russian(app: Litestar, world: World) -> None:
    org = world.orgs["school_a"]
    async with client_for(app, org.identities["curator"]) as client:
        missing = await client.get(f"/api/o/{org.slug}/people/{org.persons['mentee']}0")
        invalid = await client.put(
            f"/api/o/{org.slug}/headcounts/{world.year}",
            json={"learners_total": 10, "learners_10_18": 20, "pedagogues": 1, "young_pedagogues": 2},
        )
        malformed = await client.request(
            "POST",
            f"/api/o/{org.slug}/people",
            content=b"{not json",
            headers={"content-type": "application/json"},
        )
        extra = await client.post(
            f"/api/o/{org.slug}/people",
            json={"last_name": "А", "first_name": "Б", "category": "pedagogue", "is_admin": True},
        )
        blank = await client.post(
            f"/api/o/{org.slug}/people", json={"last_name": "   ", "first_name": "Б", "category": "alien"}
        )
    assert missing.headers["content-type"] == "application/problem+json"
    assert missing.json()["title"] == "Не найдено"
    assert invalid.status_code == 422
    assert {e["field"] for e in invalid.json()["errors"]} == {"learners_10_18", "young_pedagogues"}
    assert "не может быть больше" in invalid.text
    assert malformed.status_code == 400
    assert extra.status_code == 422  # well-formed JSON, a field the schema does not have
    assert extra.json()["errors"] == [{"field": "is_admin", "message": "такого поля нет"}]
    assert blank.status_code == 422
    assert {e["field"] for e in blank.json()["errors"]} == {"last_name", "category"}


async def test_a_nul_character_is_refused_in_russian_and_nothing_is_written(
    runtime: Runtime, app: Litestar, world: World
) -> None:
    org = world.orgs["school_a"]
    last_name = f"Нулев{secrets.token_hex(3)}"
    async with client_for(app, org.identities["curator"]) as client:
        api = await client.post(
            f"/api/o/{org.slug}/people",
            json={"last_name": last_name, "first_name": "Б\u0000", "category": "pedagogue"},
        )
        page = await send_form(
            client,
            f"/o/{org.slug}/people",
            {"last_name": last_name, "first_name": "Б\u0000", "category": "pedagogue"},
        )
    assert api.status_code == 422, api.text
    assert "недопустимый нулевой символ" in api.json()["detail"]
    assert page.status_code == 422
    assert "недопустимый нулевой символ" in page.text
    async with runtime.owner_sessions() as db:
        assert (
            await db.scalar(select(func.count()).select_from(Person).where(Person.last_name == last_name))
            == 0
        )


async def test_a_stale_edit_is_refused_not_overwritten(app: Litestar, world: World) -> None:
    org = world.orgs["school_a"]
    async with client_for(app, org.identities["curator"]) as client:
        created = (
            await client.post(
                f"/api/o/{org.slug}/people",
                json={"last_name": "Двоев", "first_name": "Олег", "category": "pedagogue"},
            )
        ).json()
        url = f"/api/o/{org.slug}/people/{created['id']}"
        read = {"last_name": "Двоев", "category": "pedagogue", "version": created["version"]}
        first = await client.patch(url, json={**read, "first_name": "Первый"})
        second = await client.patch(url, json={**read, "first_name": "Второй"})
        final = (await client.get(url)).json()
    assert first.status_code == 200
    assert second.status_code == 409
    assert "другой пользователь" in second.json()["detail"]
    assert final["first_name"] == "Первый"


async def test_anonymous_pages_redirect_to_sign_in_and_api_says_401(app: Litestar, world: World) -> None:
    org = world.orgs["school_a"]
    async with client_for(app) as client:
        page = await client.get(f"/o/{org.slug}/people")
        api = await client.get(f"/api/o/{org.slug}/people")
    assert page.status_code == 302
    assert page.headers["location"] == f"/login?next=/o/{org.slug}/people"
    assert api.status_code == 401
    assert api.json()["title"] == "Требуется вход"


async def test_forms_without_csrf_token_are_refused(app: Litestar, world: World) -> None:
    org = world.orgs["school_a"]
    async with client_for(app, org.identities["curator"]) as client:
        response = await client.http.post(
            f"/o/{org.slug}/people", data={"last_name": "Без", "first_name": "Токена", "category": "staff"}
        )
    assert response.status_code == 403


@pytest.mark.parametrize("segment", WEIRD_SEGMENTS)
async def test_no_path_input_yields_a_server_error(app: Litestar, world: World, segment: str) -> None:
    org = world.orgs["school_h"]
    async with client_for(app, org.identities["curator"]) as client:
        routes = await app_routes(client)
        for method, template in routes:
            if template in ("/login", "/logout"):
                continue
            url = re.sub(
                r"{(\w+)}",
                lambda m: org.slug if m.group(1) == "slug" and segment == ".." else segment,
                template,
            )
            response = await client.request(method, url, json={})
            assert response.status_code < 500, f"{method} {url} -> {response.status_code}"


@pytest.mark.parametrize("body", WEIRD_BODIES, ids=[type(b).__name__ for b in WEIRD_BODIES])
async def test_no_body_yields_a_server_error(
    runtime: Runtime, app: Litestar, world: World, body: object
) -> None:
    org = world.orgs["school_h"]
    target = await throwaway_person(runtime, org)
    async with client_for(app, org.identities["curator"]) as client:
        routes = [r for r in await app_routes(client) if r[0] != "GET" and r[1] not in ("/login", "/logout")]
        for method, template in routes:
            url = re.sub(
                r"{(\w+)}",
                lambda m: {"slug": org.slug, "start_year": str(world.year), "name": "schools"}.get(
                    m.group(1), str(target)
                ),
                template,
            )
            response = await client.request(method, url, json=body)
            assert response.status_code < 500, f"{method} {url} {body!r:.60} -> {response.status_code}"


async def test_page_errors_name_fields_in_russian(app: Litestar, world: World) -> None:
    org = world.orgs["school_h"]
    async with client_for(app, org.identities["curator"]) as client:
        page = await client.post(
            f"/o/{org.slug}/headcounts",
            data={
                "academic_year": str(world.year),
                "learners_total": "10",
                "learners_10_18": "20",
                "pedagogues": "5",
                "young_pedagogues": "1",
            },
        )
        not_a_number = await client.post(
            f"/o/{org.slug}/headcounts",
            data={
                "academic_year": str(world.year),
                "learners_total": "много",
                "learners_10_18": "1",
                "pedagogues": "5",
                "young_pedagogues": "1",
            },
        )
    assert page.status_code == 422
    assert "Обучающихся 10–18 лет" in page.text
    assert "learners_10_18" not in page.text
    assert not_a_number.status_code == 422
    assert "ожидается целое число" in not_a_number.text


DEEP_BODIES = {
    "lists": b"[" * 100_000,
    "objects": b'{"a":' * 100_000,
    "just_too_deep": b"[" * 2_000 + b"]" * 2_000,
    "deep_but_decodable": b"[" * 900 + b"]" * 900,
}


@pytest.mark.parametrize("body", DEEP_BODIES.values(), ids=DEEP_BODIES.keys())
async def test_deeply_nested_json_is_a_client_error_not_a_500(
    app: Litestar, world: World, body: bytes
) -> None:
    org = world.orgs["school_h"]
    async with client_for(app, org.identities["curator"]) as client:
        response = await client.post(
            f"/api/o/{org.slug}/people", content=body, headers={"content-type": "application/json"}
        )
    # A body too deep to decode is a 400; one that decodes but is no person's record breaks the schema: 422.
    assert response.status_code == (422 if body == DEEP_BODIES["deep_but_decodable"] else 400)
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["title"] == (
        "Данные не прошли проверку" if response.status_code == 422 else "Неверный запрос"
    )


async def test_sign_in_is_checked_before_the_body_is_read(app: Litestar, world: World) -> None:
    """A stranger's body is never decoded, validated or parsed as an upload: 401 whatever it holds."""
    org = world.orgs["school_h"]
    json_routes = [f"/api/o/{org.slug}/people", f"/api/o/{org.slug}/programmes"]
    bodies: list[dict[str, object]] = [
        {"content": b"[" * 100_000, "headers": {"content-type": "application/json"}},
        {"content": b"{not json", "headers": {"content-type": "application/json"}},
        {"json": {"last_name": 5, "category": "alien"}},
        {"json": []},
    ]
    upload = {"files": {"file": ("база.csv", b"\xff\xfe" * 1000, "text/csv")}}
    credentials = {
        "nobody": {},
        "forged bearer token": {"authorization": "Bearer not-a-token"},
        "not a bearer": {"authorization": "Basic YWxhZGRpbjpvcGVuc2VzYW1l"},
    }
    async with client_for(app) as client:
        for who, headers in credentials.items():
            for url in json_routes:
                for body in bodies:
                    extra = dict(body.get("headers", {}))  # type: ignore[call-overload]
                    kwargs = {k: v for k, v in body.items() if k != "headers"}
                    response = await client.http.post(url, headers={**headers, **extra}, **kwargs)  # type: ignore[arg-type]
                    assert response.status_code == 401, (who, url, response.status_code, response.text[:200])
                    assert response.json()["title"] == "Требуется вход"
            uploaded = await client.http.post(
                f"/api/o/{org.slug}/bases/mentees/import",
                headers=headers,
                **upload,  # type: ignore[arg-type]
            )
            assert uploaded.status_code == 401, (who, uploaded.text[:200])
        # A page form from nobody is sent to sign in, not checked.
        page = await client.http.post(f"/o/{org.slug}/people", data={"last_name": ""})
    assert page.status_code == 302
    assert page.headers["location"].startswith("/login")


async def test_another_organisations_route_is_404_before_the_body_is_validated(
    app: Litestar, world: World
) -> None:
    mine, theirs = world.orgs["school_a"], world.orgs["school_h"]
    async with client_for(app, mine.identities["curator"]) as client:
        response = await client.post(
            f"/api/o/{theirs.slug}/people", json={"last_name": 5, "category": "alien"}
        )
    assert response.status_code == 404
