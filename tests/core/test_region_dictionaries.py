"""A region renames, hides and adds entries of the mentoring dictionaries for its organisations.

Every test that changes a region's wording takes a region of its own (tests/support/region.py); the
world's R1 and R2 stand for the other regions, which must keep the plugins' wording.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from litestar import Litestar
from sqlalchemy import event, select

from nastavnik.db import driver
from nastavnik.models.audit import AuditEvent
from nastavnik.runtime import Runtime
from tests.support.dates import RegionDates
from tests.support.http import Client, client_for
from tests.support.programme import form_group, group_body
from tests.support.region import new_region, region_with_school
from tests.support.tenant import Named, Tenant, add_mentee, add_mentor, new_tenant
from tests.support.world import World

API = "/api/region/dictionaries"


def forms(entries: list[dict[str, Any]], regime: str) -> dict[str, str]:
    return {e["code"]: e["title"] for e in entries if e["kind"] == "form" and e["regime"] == regime}


async def dictionaries(app: Litestar, slug: str, identity: Any) -> list[dict[str, Any]]:
    async with client_for(app, identity) as client:
        response = await client.get(f"/api/o/{slug}/dictionaries")
    assert response.status_code == 200, response.text
    return list(response.json())


async def put_entry(client: Client, path: str, **body: Any) -> Any:
    return await client.put(f"{API}/{path}", json=body)


async def test_a_rename_shows_in_that_regions_organisations_only(
    runtime: Runtime, app: Litestar, world: World
) -> None:
    region, school = await region_with_school(runtime, world)
    async with client_for(app, region.staff) as staff:
        listed = (await staff.get(API)).json()
        line = next(
            e
            for e in listed
            if (e["kind"], e["regime"], e["code"], e["organisation_type"])
            == ("form", "learners", "student_student", "school")
        )
        assert (line["plugin_title"], line["title"], line["hidden"], line["version"]) == (
            "Ученик – ученик",
            "Ученик – ученик",
            False,
            0,
        )
        renamed = await put_entry(
            staff,
            "form/learners/student_student",
            organisation_type="school",
            title="  Обучающийся –  обучающийся ",
            version=0,
        )
        assert renamed.status_code == 200, renamed.text
        assert (renamed.json()["title"], renamed.json()["version"]) == ("Обучающийся – обучающийся", 1)
        page = await staff.get("/region/dictionaries")
    assert page.status_code == 200
    assert "Обучающийся – обучающийся" in page.text
    assert "Ученик – ученик" in page.text

    ours = forms(await dictionaries(app, school.slug, school.identities["curator"]), "learners")
    assert ours["student_student"] == "Обучающийся – обучающийся"
    assert ours["teacher_student"] == "Учитель – ученик"  # only the one entry was renamed
    for key in ("school_a", "school_x"):  # R1 and R2 keep the plugin's title
        other = world.orgs[key]
        theirs = forms(await dictionaries(app, other.slug, other.identities["mentee"]), "learners")
        assert theirs["student_student"] == "Ученик – ученик"

    # Back to the plugin's title: stored as none, so a later rename in the plugin shows through.
    async with client_for(app, region.staff) as staff:
        restored = await put_entry(
            staff,
            "form/learners/student_student",
            organisation_type="school",
            title="Ученик – ученик",
            version=1,
        )
    assert (restored.json()["title"], restored.json()["version"]) == ("Ученик – ученик", 2)
    async with runtime.owner_sessions() as db:
        events = list(
            await db.scalars(
                select(AuditEvent)
                .where(
                    AuditEvent.actor_identity_id == region.staff,
                    AuditEvent.object_type == "region_dictionary_entry",
                )
                .order_by(AuditEvent.at, AuditEvent.id)  # the rename, then the restore
            )
        )
    assert [(e.action, e.object_id, e.details["title"]) for e in events] == [
        ("update", "form/learners/student_student", "Обучающийся – обучающийся"),
        ("update", "form/learners/student_student", None),
    ]


async def _pedagogues_programme(
    runtime: Runtime, school: Tenant, curator: Client, dates: RegionDates
) -> tuple[str, dict[str, str]]:
    ids = {
        "mentor": str(await add_mentor(runtime, school, Named("Сидорова", "Галина"), capacity=3)),
        "first": str(await add_mentee(runtime, school, Named("Новикова", "Нина"))),
        "second": str(await add_mentee(runtime, school, Named("Орлова", "Анна"))),
    }
    created = await curator.post(
        f"/api/o/{school.slug}/programmes", json={"academic_year": dates.year, "regime": "pedagogues"}
    )
    assert created.status_code == 201, created.text
    return str(created.json()["id"]), ids


async def test_a_hidden_form_is_not_offered_but_its_groups_keep_it(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    region, school = await region_with_school(runtime, world)
    async with client_for(app, school.identities["curator"]) as curator:
        pid, ids = await _pedagogues_programme(runtime, school, curator, dates)
        base = f"/api/o/{school.slug}/programmes/{pid}"
        group = group_body(ids["mentor"])
        old = await curator.post(f"{base}/groups", json={**group, "mentee_ids": [ids["first"]]})
        assert old.status_code == 201, old.text
        suggested = (await curator.post(f"{base}/matching", json={})).json()["suggestions"]
        assert [s["form_code"] for s in suggested] == ["teacher_teacher"]  # Орлова, the one left

    async with client_for(app, region.staff) as staff:
        hidden = await put_entry(
            staff,
            "form/pedagogues/teacher_teacher",
            organisation_type="school",
            title="Педагог – педагог",
            hidden=True,
            version=0,
        )
    assert hidden.status_code == 200, hidden.text
    assert hidden.json()["hidden"] is True

    offered = forms(await dictionaries(app, school.slug, school.identities["curator"]), "pedagogues")
    assert "teacher_teacher" not in offered
    async with client_for(app, school.identities["curator"]) as curator:
        refused = await curator.post(f"{base}/groups", json={**group, "mentee_ids": [ids["second"]]})
        kept = (await curator.get(f"{base}/groups/{old.json()['id']}")).json()
        # The old group may still be edited under its form; matching moves on to the next form.
        edited = await curator.put(
            f"{base}/groups/{kept['id']}",
            json={
                **group,
                "mentee_ids": [ids["first"]],
                "ends_on": f"{dates.year + 1}-04-30",
                "version": kept["version"],
            },
        )
        suggested = (await curator.post(f"{base}/matching", json={})).json()["suggestions"]
        page = await curator.get(f"/o/{school.slug}/programmes/{pid}/groups")
    assert refused.status_code == 422
    assert refused.json()["errors"] == [
        {"field": "form_code", "message": "такой формы наставничества нет для этой программы"}
    ]
    assert (kept["form_code"], kept["form_title"]) == ("teacher_teacher", "Педагог – педагог")
    assert edited.status_code == 200, edited.text
    assert [s["form_code"] for s in suggested] == ["head_teacher"]
    assert "Педагог – педагог" in page.text  # the old group's title
    assert 'value="teacher_teacher"' not in page.text  # not among the forms to choose


async def test_an_added_form_is_offered_and_used(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    region, school = await region_with_school(runtime, world)
    async with client_for(app, region.staff) as staff:
        added = await staff.post(
            API,
            json={
                "kind": "form",
                "regime": "pedagogues",
                "code": "methodist_teacher",
                "title": "Методист – учитель",
                "organisation_type": "school",
                "mentor_categories": ["pedagogue"],
            },
        )
        assert added.status_code == 201, added.text
        assert added.json() == {
            "kind": "form",
            "regime": "pedagogues",
            "code": "methodist_teacher",
            "organisation_type": "school",
            "plugin_title": None,
            "title": "Методист – учитель",
            "hidden": False,
            "added": True,
            "description": "",
            "mentor_categories": ["pedagogue"],
            "version": 1,
        }
        by_page = await staff.post(
            "/region/dictionaries",
            data={
                "kind": "role_model",
                "regime": "pedagogues",
                "code": "methodist_young",
                "title": "Методист – молодой",
            },
        )
    assert by_page.status_code == 302
    entries = await dictionaries(app, school.slug, school.identities["curator"])
    assert forms(entries, "pedagogues")["methodist_teacher"] == "Методист – учитель"
    assert "methodist_young" in {e["code"] for e in entries if e["kind"] == "role_model"}
    kindergarten = await new_tenant(
        runtime, world, org_type="kindergarten", municipality_id=region.municipality_id
    )
    assert "methodist_teacher" not in forms(
        await dictionaries(app, kindergarten.slug, kindergarten.identities["curator"]), "pedagogues"
    )  # added for schools only
    async with client_for(app, school.identities["curator"]) as curator:
        pid, ids = await _pedagogues_programme(runtime, school, curator, dates)
        created = await form_group(
            curator,
            school,
            pid,
            ids["mentor"],
            ids["first"],
            form_code="methodist_teacher",
            role_model_code="methodist_young",
        )
    assert created["form_title"] == "Методист – учитель"


async def test_bad_input_is_refused_in_russian(runtime: Runtime, app: Litestar, world: World) -> None:
    region = await new_region(runtime)
    kindergarten = await new_tenant(
        runtime, world, org_type="kindergarten", municipality_id=region.municipality_id
    )
    rename = {"organisation_type": "kindergarten", "title": "Воспитатель – воспитатель", "version": 0}
    new = {"kind": "form", "regime": "pedagogues", "code": "club_form", "title": "Клуб"}
    async with client_for(app, region.staff) as staff:
        unknown_kind = await put_entry(staff, "forms/pedagogues/educator_educator", **rename)
        unknown_regime = await put_entry(staff, "form/children/educator_educator", **rename)
        empty = await put_entry(staff, "form/pedagogues/educator_educator", **{**rename, "title": "   "})
        too_long = await put_entry(
            staff, "form/pedagogues/educator_educator", **{**rename, "title": "а" * 201}
        )
        bad_type = await put_entry(
            staff, "form/pedagogues/educator_educator", **{**rename, "organisation_type": "zoo"}
        )
        bad_codes = [
            (await staff.post(API, json={**new, "code": code})) for code in ("Club-Form", "c", "к" * 5)
        ]
        exists = await staff.post(
            API, json={**new, "code": "educator_educator", "organisation_type": "kindergarten"}
        )
        first = await staff.post(API, json=new)
        twice = await staff.post(API, json=new)
        categories = await staff.post(
            API, json={**new, "kind": "role_model", "code": "club_role", "mentor_categories": ["director"]}
        )
        no_learners = await staff.post(
            API, json={**new, "regime": "learners", "organisation_type": "kindergarten"}
        )
        empty_page = await staff.post(
            "/region/dictionaries/form/pedagogues/educator_educator",
            data={"organisation_type": "kindergarten", "title": "", "version": "0"},
        )
        # The kindergarten has three forms and the region's own «Клуб» for every type: the first three
        # may be hidden, the last one may not.
        hides = [
            await put_entry(
                staff,
                f"form/pedagogues/{code}",
                organisation_type="kindergarten",
                title=title,
                hidden=True,
                version=0,
            )
            for code, title in (
                ("educator_educator", "Воспитатель – воспитатель"),
                ("head_educator", "Руководитель – воспитатель"),
                ("specialist_educator", "Педагог-специалист – молодой воспитатель"),
            )
        ]
        last = await put_entry(staff, "form/pedagogues/club_form", title="Клуб", hidden=True, version=1)
        stale = await put_entry(
            staff,
            "form/pedagogues/educator_educator",
            organisation_type="kindergarten",
            title="Иное",
            version=0,
        )

    def fields(response: Any) -> list[str]:
        assert response.status_code == 422, response.text
        return [e["field"] for e in response.json()["errors"]]

    assert fields(unknown_kind) == ["kind"]
    assert "неизвестный словарь" in unknown_kind.text
    assert fields(unknown_regime) == ["regime"]
    assert "неизвестный режим" in unknown_regime.text
    assert empty.json()["errors"] == [{"field": "title", "message": "укажите название"}]
    assert too_long.json()["errors"] == [{"field": "title", "message": "название не длиннее 200 знаков"}]
    assert fields(bad_type) == ["organisation_type"]
    for response in bad_codes:
        assert response.json()["errors"] == [
            {"field": "code", "message": "код — латинские строчные буквы, цифры и «_», от 2 до 64 знаков"}
        ]
    assert exists.status_code == 409
    assert (
        exists.json()["detail"]
        == "Запись с кодом «educator_educator» в этом словаре уже есть: выберите другой код."
    )
    assert first.status_code == 201
    assert twice.status_code == 409
    assert fields(categories) == ["mentor_categories", "mentor_categories"]
    assert no_learners.json()["errors"] == [
        {
            "field": "organisation_type",
            "message": "организации этого типа не ведут такой режим наставничества",
        }
    ]
    assert empty_page.status_code == 422
    assert "укажите название" in empty_page.text
    assert empty_page.headers["content-type"].startswith("text/html")
    assert [h.status_code for h in hides] == [200, 200, 200]
    assert last.json()["errors"] == [
        {
            "field": "hidden",
            "message": "нельзя скрыть последнюю форму наставничества режима «педагоги» для типа"
            " «Дошкольная образовательная организация»: организациям региона нечем будет оформить новые пары",
        }
    ]
    assert stale.status_code == 409
    assert "другой пользователь" in stale.json()["detail"]
    entries = await dictionaries(app, kindergarten.slug, kindergarten.identities["curator"])
    assert forms(entries, "pedagogues") == {"club_form": "Клуб"}


async def test_others_are_refused(runtime: Runtime, app: Litestar, world: World) -> None:
    region, school = await region_with_school(runtime, world)
    async with client_for(app, region.staff) as staff:
        added = await staff.post(
            API, json={"kind": "kind", "regime": "learners", "code": "club", "title": "Клубное"}
        )
    assert added.status_code == 201
    change = {"title": "Чужое", "version": 1}
    for who, identity in (
        ("municipality", world.staff["municipality"]),
        ("auditor", world.staff["auditor"]),
        ("curator", school.identities["curator"]),
        ("director", school.identities["director"]),
    ):
        async with client_for(app, identity) as client:
            statuses = [
                (await client.get(API)).status_code,
                (await put_entry(client, "kind/learners/club", **change)).status_code,
                (
                    await client.post(
                        API, json={"kind": "kind", "regime": "learners", "code": "x1", "title": "X"}
                    )
                ).status_code,
                (await client.get("/region/dictionaries")).status_code,
                (await client.post("/region/dictionaries/kind/learners/club", data=change)).status_code,
            ]
        assert statuses == [403] * 5, who
    async with client_for(app, world.staff["region2"]) as other:
        foreign = await put_entry(other, "kind/learners/club", **change)
        listed = (await other.get(API)).json()
    assert foreign.status_code == 404
    assert "club" not in {e["code"] for e in listed}
    async with client_for(app) as anonymous:
        assert (await anonymous.get(API)).status_code == 401
        assert (await anonymous.get("/region/dictionaries")).status_code == 302
    kinds = {
        e["code"]: e["title"]
        for e in await dictionaries(app, school.slug, school.identities["curator"])
        if e["kind"] == "kind"
    }
    assert kinds["club"] == "Клубное"  # nobody else changed it


@contextmanager
def statements(runtime: Runtime) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    def on_driver(statement: str, arguments: Any) -> None:  # the statements run on the driver's connection
        seen.append(statement)

    engine = runtime.app_engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    driver.listeners.append(on_driver)
    try:
        yield seen
    finally:
        driver.listeners.remove(on_driver)
        event.remove(engine, "before_cursor_execute", record)


async def test_the_region_is_read_once_per_request(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    """Accepting suggestions asks for the dictionaries twice (to form the groups, to show them): one query."""
    region, school = await region_with_school(runtime, world)
    async with client_for(app, region.staff) as staff:
        await put_entry(staff, "kind/pedagogues/traditional", title="Один на один", version=0)
    async with client_for(app, school.identities["curator"]) as curator:
        pid, ids = await _pedagogues_programme(runtime, school, curator, dates)
        with statements(runtime) as seen:
            accepted = await curator.post(
                f"/api/o/{school.slug}/programmes/{pid}/matching/accept",
                json={"pairs": [{"mentee_id": ids["first"], "mentor_id": ids["mentor"]}], **dates.term},
            )
    assert accepted.status_code == 201, accepted.text
    assert [g["kind_title"] for g in accepted.json()] == ["Один на один"]
    assert len([s for s in seen if "FROM region_dictionary_entry" in s]) == 1
