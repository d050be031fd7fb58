"""Whole numbers outside what the database holds are a 422 from the schema's bounds, on the API and on
the pages; the OpenAPI document declares every refusal a route gives, with the body it really sends."""

from __future__ import annotations

from typing import Any

from litestar import Litestar

from tests.support.http import client_for
from tests.support.world import World

TOO_BIG = 2_147_483_648  # one past PostgreSQL's integer
TOO_SMALL = -8_780_435_435
UNSAFE = {"post", "put", "patch", "delete"}


def assert_refused(response: Any, field: str, message: str) -> None:
    assert response.status_code == 422, (response.request.url, response.text)
    body = response.json()
    assert response.headers["content-type"] == "application/problem+json"
    assert body["title"] == "Данные не прошли проверку"
    assert {"field": field, "message": message} in body["errors"], body


async def test_api_integers_out_of_range_are_422_naming_the_bound(app: Litestar, world: World) -> None:
    org = world.orgs["school_h"]
    api = f"/api/o/{org.slug}"
    async with client_for(app, org.identities["curator"]) as client:
        assert_refused(
            await client.post(f"{api}/programmes", json={"academic_year": TOO_BIG, "regime": "learners"}),
            "academic_year",
            "не больше 2100",
        )
        assert_refused(
            await client.post(f"{api}/programmes", json={"academic_year": TOO_SMALL, "regime": "learners"}),
            "academic_year",
            "не меньше 2000",
        )
        assert_refused(
            await client.post(
                f"{api}/programmes", json={"academic_year": "две тысячи", "regime": "learners"}
            ),
            "academic_year",
            "ожидается целое число",
        )
        assert_refused(
            await client.post(f"{api}/programmes", json={"regime": "learners"}),
            "academic_year",
            "обязательное поле",
        )
        assert_refused(
            await client.post(
                f"{api}/programmes/{org.programme_id}/roadmap",
                json={"stage": TOO_BIG, "title": "Встреча", "due_on": "2026-01-10", "responsible": "Куратор"},
            ),
            "stage",
            "не больше 7",
        )
        assert_refused(
            await client.put(
                f"{api}/people/{org.persons['mentor']}/mentor-profile",
                json={"capacity": TOO_BIG, "experience_years": TOO_SMALL},
            ),
            "capacity",
            "не больше 2147483647",  # 1–20 is the service's rule, named with every other wrong field
        )
        assert_refused(
            await client.patch(
                f"{api}/people/{org.persons['mentor']}",
                json={"last_name": "Н", "first_name": "Н", "category": "pedagogue", "version": TOO_SMALL},
            ),
            "version",
            "не меньше 0",
        )
        body = {"learners_total": 1, "learners_10_18": 1, "pedagogues": 1, "young_pedagogues": 1}
        assert_refused(
            await client.put(f"{api}/headcounts/{TOO_BIG}", json=body), "start_year", "не больше 2100"
        )
        assert_refused(await client.get(f"{api}/statistics?year={TOO_SMALL}"), "year", "не меньше 2000")
        nothing_changed = await client.get(f"{api}/programmes")
    assert all(p["academic_year"] <= 2100 for p in nothing_changed.json())
    async with client_for(app, world.staff["region"]) as region:
        assert_refused(
            await region.post("/api/region/statistics/reports", json={"academic_year": TOO_BIG}),
            "academic_year",
            "не больше 2100",
        )
        assert_refused(
            await region.post(f"/api/region/statistics/recompute?year={TOO_BIG}"), "year", "не больше 2100"
        )
        assert_refused(
            await region.get(f"/api/region/statistics/organisations?year=2030&page={TOO_BIG}"),
            "page",
            "не больше 100000",
        )


async def test_page_forms_refuse_integers_out_of_range_beside_the_field(app: Litestar, world: World) -> None:
    org = world.orgs["school_h"]
    async with client_for(app, org.identities["curator"]) as client:
        programme = await client.post(
            f"/o/{org.slug}/programmes", data={"academic_year": str(TOO_BIG), "regime": "learners"}
        )
        headcount = await client.post(
            f"/o/{org.slug}/headcounts",
            data={
                "academic_year": str(world.year),
                "learners_total": str(TOO_BIG),
                "learners_10_18": "1",
                "pedagogues": "1",
                "young_pedagogues": "1",
            },
        )
    for page in (programme, headcount):
        assert page.status_code == 422
        assert page.headers["content-type"].startswith("text/html")
    # The bound named as the API names it: the form is decoded into the API's own body type.
    assert "не больше 2100" in programme.text
    assert "не больше 1000000" in headcount.text
    async with client_for(app, world.staff["region"]) as region:
        recompute = await region.post("/region/statistics/recompute", data={"year": str(TOO_BIG)})
        report = await region.post("/region/statistics/reports", data={"year": "99999999999999999999"})
    assert (recompute.status_code, report.status_code) == (422, 422)
    assert "не больше 2100" in recompute.text


async def openapi(app: Litestar) -> dict[str, Any]:
    async with client_for(app) as client:
        return dict((await client.get("/schema/openapi.json")).json())


async def test_the_document_declares_every_refusal_with_its_problem_body(app: Litestar) -> None:
    document = await openapi(app)
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    problem = document["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "detail"}
    checked = 0
    for path, item in document["paths"].items():
        assert path.startswith(("/api/", "/health/")), f"{path}: pages are HTML, not part of the API document"
        if not path.startswith("/api/"):
            continue
        for method, operation in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            expected = {"401", "403"}
            if "{" in path:
                expected.add("404")
            if method in UNSAFE:
                expected |= {"400", "409", "422"}
            responses = operation["responses"]
            assert expected <= set(responses), f"{method.upper()} {path}: {sorted(responses)}"
            for status in expected:
                content = responses[status]["content"]
                assert list(content) == ["application/problem+json"], (method, path, status)
                assert content["application/problem+json"]["schema"] == {
                    "$ref": "#/components/schemas/Problem"
                }
            assert operation["security"] == [{"bearer": []}]
            checked += 1
    assert checked > 80
    export = document["paths"]["/api/o/{slug}/bases/export.xlsx"]["get"]["responses"]["200"]["content"]
    assert list(export) == ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"]


async def test_one_value_matches_one_schema_branch_and_unknown_fields_are_declared(app: Litestar) -> None:
    document = await openapi(app)
    schemas = document["components"]["schemas"]

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            for key in ("oneOf", "anyOf"):
                types = [b.get("type") for b in node.get(key, []) if isinstance(b, dict)]
                assert not {"integer", "number"} <= set(types), f"{where}: an integer is also a number"
            for name, child in node.items():
                walk(child, f"{where}.{name}")
        elif isinstance(node, list):
            for i, child in enumerate(node):
                walk(child, f"{where}[{i}]")

    walk(document, "document")
    assert schemas["IndicatorOut"]["properties"]["value"]["oneOf"] == [{"type": "number"}, {"type": "null"}]
    # A body that refuses unknown fields says so; one that is only read back does not.
    assert schemas["PersonIn"]["additionalProperties"] is False
    assert "additionalProperties" not in schemas["PersonOut"]
    year = schemas["ProgrammeIn"]["properties"]["academic_year"]
    assert (year["minimum"], year["maximum"]) == (2000, 2100)


async def test_refusals_answer_as_declared(app: Litestar, world: World) -> None:
    org = world.orgs["school_h"]
    async with client_for(app) as anonymous:
        # No credentials at all: the API says «sign in» (401), not «stale form» (CSRF, 403).
        unsigned = await anonymous.http.post(f"/api/o/{org.slug}/people", json={})
        trace = await anonymous.http.request("TRACE", f"/api/o/{org.slug}/people")
    assert unsigned.status_code == 401
    assert unsigned.headers["content-type"] == "application/problem+json"
    assert unsigned.json()["title"] == "Требуется вход"
    assert trace.status_code == 405
    assert set(trace.headers["allow"].replace(" ", "").split(",")) >= {"GET", "POST"}
    async with client_for(app, org.identities["curator"]) as client:
        options = await client.http.options(f"/api/o/{org.slug}/accounts")
        malformed = await client.request(
            "POST", f"/api/o/{org.slug}/people", content=b"{", headers={"content-type": "application/json"}
        )
    # GET and POST are two handlers of one path: OPTIONS lists both.
    assert set(options.headers["allow"].replace(" ", "").split(",")) == {"GET", "POST", "OPTIONS"}
    assert malformed.status_code == 400
    assert set(malformed.json()) >= {"type", "title", "status", "detail"}


async def test_bounds_inside_unions_and_maps_are_in_the_document(app: Litestar) -> None:
    answers = (await openapi(app))["components"]["schemas"]["AnswersIn"]["properties"]["answers"]
    assert answers["maxProperties"] == 200
    assert answers["propertyNames"] == {"type": "string", "maxLength": 200}
    assert answers["additionalProperties"]["oneOf"] == [
        {"type": "integer", "minimum": -2147483648, "maximum": 2147483647},
        {"type": "string", "maxLength": 10000},
    ]


async def test_components_keep_their_names_wherever_their_classes_live(app: Litestar) -> None:
    """Two import previews share a class name: their components keep the names they were published
    under (web.openapi.component), whichever module holds the classes now."""
    document = await openapi(app)
    schemas = document["components"]["schemas"]
    organisations = schemas["web_controllers_schemas_ImportPreviewOut"]
    bases = schemas["domain_bases_routes_ImportPreviewOut"]
    assert organisations["properties"]["rows"]["items"] == {
        "$ref": "#/components/schemas/web_controllers_schemas_ImportRowOut"
    }
    assert bases["properties"]["rows"]["items"] == {
        "$ref": "#/components/schemas/domain_bases_routes_ImportRowOut"
    }
    assert "curator_email" in schemas["web_controllers_schemas_ImportRowOut"]["properties"]
    assert "kind_title" in schemas["domain_bases_routes_ImportRowOut"]["properties"]
    assert not {"ImportPreviewOut", "ImportRowOut"} & set(schemas)
    paths = document["paths"]
    preview = paths["/api/organisations/import"]["post"]["responses"]["200"]["content"]["application/json"]
    assert preview["schema"] == {"$ref": "#/components/schemas/web_controllers_schemas_ImportPreviewOut"}
    mentees = paths["/api/o/{slug}/bases/mentees/import"]["post"]["responses"]["200"]["content"]
    assert mentees["application/json"]["schema"] == {
        "$ref": "#/components/schemas/domain_bases_routes_ImportPreviewOut"
    }
