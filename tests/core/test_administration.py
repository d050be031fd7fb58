"""A region's administrator keeps its municipalities and its staff: through the API and the pages, each bad
input refused in Russian with nothing written, region A's administrator unable to see or touch region B's,
the region's other staff refused; and PostgreSQL refusing the same writes by itself."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass

import pytest
from litestar import Litestar
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import DBAPIError

from nastavnik.db.scope import DbScope, scoped_session
from nastavnik.domain.administration.models import StaffAppointment
from nastavnik.models.audit import AuditEvent
from nastavnik.models.identity import Identity, StaffAssignment, StaffRole
from nastavnik.models.reference import Municipality
from nastavnik.runtime import Runtime
from nastavnik.testing import FreshRegion, new_organisation, new_region
from tests.support.forms import field_error, send_form
from tests.support.http import client_for


@dataclass
class Administered:
    region: FreshRegion
    admin: uuid.UUID
    """The identity of the region's administrator (its only one)."""
    admin_grant: uuid.UUID
    coordinator: uuid.UUID
    """A coordinator of the region's municipality (not an administrator)."""


async def administered(runtime: Runtime) -> Administered:
    """A fresh region with one administrator, its region staff, auditor and a coordinator."""
    region = await new_region(runtime)
    token = secrets.token_hex(4)
    async with runtime.owner_sessions() as db:
        admin = Identity(issuer="test-issuer", subject=f"admin-{token}", display_name="Админова Анна")
        coordinator = Identity(issuer="test-issuer", subject=f"coord-{token}", display_name="Координатова")
        db.add_all([admin, coordinator])
        await db.flush()
        grant = StaffAssignment(identity_id=admin.id, role=StaffRole.ADMIN, region_id=region.id)
        db.add_all(
            [
                grant,
                StaffAssignment(
                    identity_id=coordinator.id,
                    role=StaffRole.MUNICIPALITY,
                    region_id=region.id,
                    municipality_id=region.municipality_id,
                ),
            ]
        )
        await db.commit()
        return Administered(region, admin.id, grant.id, coordinator.id)


@pytest.fixture
async def region_a(runtime: Runtime) -> Administered:
    return await administered(runtime)


@pytest.fixture
async def region_b(runtime: Runtime) -> Administered:
    return await administered(runtime)


async def audited(runtime: Runtime, actor: uuid.UUID, object_type: str) -> list[tuple[str, str]]:
    async with runtime.owner_sessions() as db:
        rows = await db.execute(
            select(AuditEvent.action, AuditEvent.object_id)
            .where(AuditEvent.actor_identity_id == actor, AuditEvent.object_type == object_type)
            .order_by(AuditEvent.id)
        )
        return [(a, str(o)) for a, o in rows]


async def municipality_names(runtime: Runtime, region_id: uuid.UUID) -> list[str]:
    async with runtime.owner_sessions() as db:
        return list(
            await db.scalars(
                select(Municipality.name)
                .where(Municipality.region_id == region_id)
                .order_by(Municipality.name)
            )
        )


# ---- municipalities ----


async def test_administrator_creates_renames_and_retires_municipalities(
    runtime: Runtime, app: Litestar, region_a: Administered
) -> None:
    async with client_for(app, region_a.admin) as admin:
        created = await admin.post("/api/region/municipalities", json={"name": "  Сургутский   район "})
        assert created.status_code == 201, created.text
        body = created.json()
        assert (body["name"], body["retired"], body["active_organisations"]) == ("Сургутский район", False, 0)
        renamed = await admin.patch(
            f"/api/region/municipalities/{body['id']}", json={"name": "Сургутский р-н"}
        )
        assert renamed.status_code == 200, renamed.text
        assert renamed.json()["name"] == "Сургутский р-н"
        retired = await admin.post(f"/api/region/municipalities/{body['id']}/retire")
        assert retired.status_code == 200, retired.text
        assert retired.json()["retired"] is True
        listed = {m["id"]: m for m in (await admin.get("/api/region/municipalities")).json()}
        # The region's staff no longer get the retired one offered for a new organisation.
        async with client_for(app, region_a.region.staff) as staff:
            picker = (await staff.get("/region/organisations")).text
            refused = await staff.post(
                "/api/organisations",
                json={
                    "municipality_id": body["id"],
                    "type": "school",
                    "full_name": "Школа в выведенном",
                    "short_name": "Выведенная",
                    "inn": "7707083893",
                    "slug": f"retired-{secrets.token_hex(3)}",
                },
            )
    assert listed[body["id"]]["retired"] is True
    assert set(listed) == {body["id"], str(region_a.region.municipality_id)}
    assert "Сургутский р-н" not in picker
    assert refused.status_code == 422
    assert refused.json()["errors"] == [{"field": "municipality_id", "message": "нет такого муниципалитета"}]
    assert await audited(runtime, region_a.admin, "municipality") == [
        ("create", body["id"]),
        ("update", body["id"]),
        ("update", body["id"]),
    ]


@pytest.mark.parametrize("twin", ["сургутский район", "СУРГУТСКИЙ  РАЙОН", " Сургутский район "])
async def test_duplicate_municipality_name_is_refused_whatever_the_case(
    runtime: Runtime, app: Litestar, region_a: Administered, twin: str
) -> None:
    async with client_for(app, region_a.admin) as admin:
        assert (
            await admin.post("/api/region/municipalities", json={"name": "Сургутский район"})
        ).status_code == 201
        again = await admin.post("/api/region/municipalities", json={"name": twin})
    assert again.status_code == 409
    assert (again.json()["field"], again.json()["detail"]) == (
        "name",
        "В регионе уже есть муниципалитет с таким названием.",
    )
    assert (await municipality_names(runtime, region_a.region.id)).count("Сургутский район") == 1


async def test_yo_and_ye_are_the_same_municipality(
    runtime: Runtime, app: Litestar, region_a: Administered
) -> None:
    async with client_for(app, region_a.admin) as admin:
        assert (
            await admin.post("/api/region/municipalities", json={"name": "Посёлок Берёзово"})
        ).status_code == 201
        second = await admin.post("/api/region/municipalities", json={"name": "поселок березово"})
        other = (await admin.post("/api/region/municipalities", json={"name": "Посёлок Игрим"})).json()
        rename = await admin.patch(
            f"/api/region/municipalities/{other['id']}", json={"name": "ПОСЕЛОК БЕРЁЗОВО"}
        )
    assert (second.status_code, rename.status_code) == (409, 409)
    names = await municipality_names(runtime, region_a.region.id)
    assert "поселок березово" not in names
    assert "Посёлок Игрим" in names


async def test_duplicate_municipality_on_the_page_comes_back_beside_the_field(
    runtime: Runtime, app: Litestar, region_a: Administered
) -> None:
    page = "/region/municipalities"
    async with client_for(app, region_a.admin) as admin:
        first = await send_form(admin, page, {"name": "Нефтеюганский район"}, follow_redirects=False)
        sent = await send_form(admin, page, {"name": "нефтеюганский район"}, follow_redirects=False)
        shown = await admin.get(sent.headers["location"])
        blank = await send_form(admin, page, {"name": "   "})
    assert (first.status_code, first.headers["location"]) == (302, page)
    assert (sent.status_code, sent.headers["location"]) == (303, page)
    assert field_error(shown.text, "name") == "В регионе уже есть муниципалитет с таким названием."
    assert 'value="нефтеюганский район"' in shown.text
    assert field_error(blank.text, "name") == "укажите название муниципалитета"
    assert (await municipality_names(runtime, region_a.region.id)).count("Нефтеюганский район") == 1


async def test_municipality_with_active_organisations_is_not_retired(
    runtime: Runtime, app: Litestar, region_a: Administered
) -> None:
    municipality = region_a.region.municipality_id
    await new_organisation(runtime, municipality)
    await new_organisation(runtime, municipality)
    async with client_for(app, region_a.admin) as admin:
        refused = await admin.post(f"/api/region/municipalities/{municipality}/retire")
        unconfirmed = await send_form(
            admin, f"/region/municipalities/{municipality}/retire", {}, page="/region/municipalities"
        )
        confirmed = await send_form(
            admin,
            f"/region/municipalities/{municipality}/retire",
            {"confirm": "yes"},
            page="/region/municipalities",
        )
    assert refused.status_code == 422
    assert refused.json()["detail"] == (
        "В муниципалитете 2 активные организации: закройте их или перенесите, прежде чем выводить муниципалитет"
        " из списка."
    )
    assert field_error(unconfirmed.text, "confirm") == "отметьте подтверждение"
    assert field_error(confirmed.text, "municipality_id") == "2 активные организации"
    async with runtime.owner_sessions() as db:
        row = await db.get(Municipality, municipality)
    assert row is not None
    assert row.retired_at is None


# ---- staff ----


async def test_administrator_appoints_staff_and_sees_them_pending_without_sso(
    runtime: Runtime, app: Litestar, region_a: Administered
) -> None:
    email = f"koord.{secrets.token_hex(3)}@edu.example"
    body = {
        "role": "municipality",
        "municipality_id": str(region_a.region.municipality_id),
        "last_name": "Координатова",
        "first_name": "Ольга",
        "middle_name": "Петровна",
        "email": email.upper(),
    }
    async with client_for(app, region_a.admin) as admin:
        created = await admin.post("/api/region/staff", json=body)
        twice = await admin.post("/api/region/staff", json=body)
        listed = (await admin.get("/api/region/staff")).json()
        page = (await admin.get("/region/staff")).text
    assert created.status_code == 201, created.text
    out = created.json()
    assert (out["role"], out["role_title"], out["name"], out["email"], out["status"]) == (
        "municipality",
        "координатор муниципалитета",
        "Координатова Ольга Петровна",
        email,
        "pending",
    )
    assert out["error"] == "Вход через Keycloak не настроен"
    assert twice.status_code == 409
    assert [s["id"] for s in listed if s["email"] == email] == [out["id"]]
    assert "Координатова Ольга Петровна" in page
    assert "учётная запись создаётся" in page
    assert await audited(runtime, region_a.admin, "staff_appointment") == [("create", out["id"])]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"email": "olga@@edu"}, "email", "укажите адрес вида имя@school.ru"),
        ({"email": "olga edu.ru"}, "email", "укажите адрес вида имя@school.ru"),
        ({"last_name": "  "}, "last_name", "укажите фамилию"),
        ({"role": "director"}, "role", None),
        (
            {"role": "municipality", "municipality_id": None},
            "municipality_id",
            "выберите муниципалитет координатора",
        ),
    ],
)
async def test_bad_appointments_are_refused_and_nothing_is_written(
    runtime: Runtime,
    app: Litestar,
    region_a: Administered,
    change: dict[str, object],
    field: str,
    message: str | None,
) -> None:
    body = {
        "role": "region",
        "last_name": "Иванова",
        "first_name": "Анна",
        "email": "anna@edu.example",
        **change,
    }
    async with client_for(app, region_a.admin) as admin:
        refused = await admin.post("/api/region/staff", json=body)
    assert refused.status_code == 422, refused.text
    errors = {e["field"]: e["message"] for e in refused.json()["errors"]}
    assert set(errors) == {field}
    if message:
        assert errors[field] == message
    else:
        assert errors[field].startswith("выберите роль: администратор региона")
    async with runtime.owner_sessions() as db:
        count = await db.scalar(select(func.count()).where(StaffAppointment.region_id == region_a.region.id))
    assert count == 0


async def test_coordinator_of_another_regions_municipality_is_refused(
    runtime: Runtime, app: Litestar, region_a: Administered, region_b: Administered
) -> None:
    body = {
        "role": "municipality",
        "municipality_id": str(region_b.region.municipality_id),
        "last_name": "Чужая",
        "first_name": "Мария",
        "email": "maria@edu.example",
    }
    async with client_for(app, region_a.admin) as admin:
        refused = await admin.post("/api/region/staff", json=body)
        page = await send_form(admin, "/region/staff", {k: v or "" for k, v in body.items()})
    assert refused.status_code == 422
    assert refused.json()["errors"] == [
        {"field": "municipality_id", "message": "нет такого муниципалитета в вашем регионе"}
    ]
    assert field_error(page.text, "municipality_id") == "нет такого муниципалитета в вашем регионе"
    async with runtime.owner_sessions() as db:
        assert not await db.scalar(select(func.count()).where(StaffAppointment.email == "maria@edu.example"))


async def test_malformed_email_on_the_page_comes_back_beside_the_field(
    app: Litestar, region_a: Administered
) -> None:
    form = {"role": "auditor", "last_name": "Аудиторова", "first_name": "Нина", "email": "nina-at-edu"}
    async with client_for(app, region_a.admin) as admin:
        shown = await send_form(admin, "/region/staff", form)
    assert field_error(shown.text, "email") == "укажите адрес вида имя@school.ru"
    assert 'value="Аудиторова"' in shown.text


async def test_removed_staff_lose_their_grant_at_once(
    runtime: Runtime, app: Litestar, region_a: Administered
) -> None:
    async with client_for(app, region_a.region.staff) as staff:
        assert (await staff.get("/region")).status_code == 200
        async with client_for(app, region_a.admin) as admin:
            listed = (await admin.get("/api/region/staff")).json()
            grant = next(s["id"] for s in listed if s["role"] == "region")
            removed = await admin.delete(f"/api/region/staff/{grant}")
            again = await admin.delete(f"/api/region/staff/{grant}")
        after = await staff.get("/region")
    assert (removed.status_code, again.status_code) == (204, 404)
    assert after.status_code == 403  # the same session: its next request has no grant
    assert await audited(runtime, region_a.admin, "staff_appointment") == [("delete", grant)]


async def test_the_last_administrator_cannot_remove_themselves(
    runtime: Runtime, app: Litestar, region_a: Administered
) -> None:
    grant = region_a.admin_grant
    async with client_for(app, region_a.admin) as admin:
        refused = await admin.delete(f"/api/region/staff/{grant}")
        page = await send_form(
            admin, f"/region/staff/{grant}/delete", {"confirm": "yes"}, page="/region/staff"
        )
        still = await admin.get("/region/staff")
    assert refused.status_code == 422
    assert refused.json()["detail"] == (
        "Нельзя снять последнего администратора региона: сначала назначьте другого администратора."
    )
    assert "Нельзя снять последнего администратора региона" in page.text
    assert field_error(page.text, "id") == "последний администратор региона"
    assert still.status_code == 200
    # With a second administrator, the first may step down.
    async with runtime.owner_sessions() as db:
        other = Identity(
            issuer="test-issuer", subject=f"admin2-{secrets.token_hex(4)}", display_name="Второй"
        )
        db.add(other)
        await db.flush()
        db.add(StaffAssignment(identity_id=other.id, role=StaffRole.ADMIN, region_id=region_a.region.id))
        await db.commit()
    async with client_for(app, region_a.admin) as admin:
        stepped_down = await send_form(
            admin,
            f"/region/staff/{grant}/delete",
            {"confirm": "yes"},
            page="/region/staff",
            follow_redirects=False,
        )
        gone = await admin.get("/region/staff")
    assert stepped_down.status_code == 302
    assert gone.status_code == 403


# ---- who may ----

ADMIN_ROUTES = (
    ("GET", "/api/region/municipalities"),
    ("GET", "/api/region/staff"),
    ("GET", "/region/municipalities"),
    ("GET", "/region/staff"),
)


async def test_other_staff_are_refused_the_administrators_actions(
    runtime: Runtime, app: Litestar, region_a: Administered
) -> None:
    municipality = region_a.region.municipality_id
    for identity in (region_a.region.staff, region_a.coordinator, region_a.region.auditor):
        async with client_for(app, identity) as client:
            statuses = [(await client.request(m, p)).status_code for m, p in ADMIN_ROUTES]
            writes = [
                (await client.post("/api/region/municipalities", json={"name": "Захваченный"})).status_code,
                (
                    await client.patch(f"/api/region/municipalities/{municipality}", json={"name": "Иное"})
                ).status_code,
                (await client.post(f"/api/region/municipalities/{municipality}/retire")).status_code,
                (
                    await client.post(
                        "/api/region/staff",
                        json={
                            "role": "admin",
                            "last_name": "Я",
                            "first_name": "Я",
                            "email": "me@edu.example",
                        },
                    )
                ).status_code,
                (await client.delete(f"/api/region/staff/{region_a.admin_grant}")).status_code,
            ]
        assert statuses == [403] * 4
        assert writes == [403] * 5
    assert "Захваченный" not in await municipality_names(runtime, region_a.region.id)


async def test_region_a_administrator_cannot_see_or_touch_region_b(
    runtime: Runtime, app: Litestar, region_a: Administered, region_b: Administered
) -> None:
    theirs = region_b.region.municipality_id
    async with client_for(app, region_a.admin) as admin:
        municipalities = (await admin.get("/api/region/municipalities")).json()
        staff = (await admin.get("/api/region/staff")).json()
        page = (await admin.get("/region/staff")).text
        answers = [
            (await admin.patch(f"/api/region/municipalities/{theirs}", json={"name": "Взлом"})).status_code,
            (await admin.post(f"/api/region/municipalities/{theirs}/retire")).status_code,
            (await admin.delete(f"/api/region/staff/{region_b.admin_grant}")).status_code,
            (await admin.post(f"/region/municipalities/{theirs}", data={"name": "Взлом"})).status_code,
            (
                await admin.post(f"/region/municipalities/{theirs}/retire", data={"confirm": "yes"})
            ).status_code,
            (
                await admin.post(f"/region/staff/{region_b.admin_grant}/delete", data={"confirm": "yes"})
            ).status_code,
            (await admin.delete(f"/api/region/staff/{uuid.uuid4()}")).status_code,
            (
                await admin.patch(f"/api/region/municipalities/{uuid.uuid4()}", json={"name": "Нет"})
            ).status_code,
        ]
    assert answers == [404] * 8
    assert str(theirs) not in {m["id"] for m in municipalities}
    assert str(region_b.admin_grant) not in {s["id"] for s in staff}
    assert "Координатова" in page  # their own coordinator is listed
    async with runtime.owner_sessions() as db:
        kept = await db.get(Municipality, theirs)
        grant = await db.get(StaffAssignment, region_b.admin_grant)
    assert kept is not None
    assert kept.retired_at is None
    assert not kept.name.startswith("Взлом")
    assert grant is not None


async def test_the_database_refuses_another_regions_writes_by_itself(
    runtime: Runtime, region_a: Administered, region_b: Administered
) -> None:
    """The application role acting for A's administrator, the service's checks out of the way."""
    scope = DbScope(identity_id=region_a.admin)
    async with scoped_session(runtime.app_sessions, scope) as db:
        with pytest.raises(DBAPIError, match="row-level security"):
            await db.execute(
                insert(Municipality).values(id=uuid.uuid4(), region_id=region_b.region.id, name="Чужой")
            )
        await db.rollback()
        renamed = await db.execute(
            update(Municipality)
            .where(Municipality.id == region_b.region.municipality_id)
            .values(name="Чужой")
        )
        deleted = await db.execute(delete(StaffAssignment).where(StaffAssignment.id == region_b.admin_grant))
        await db.commit()
    assert (renamed.rowcount, deleted.rowcount) == (0, 0)  # type: ignore[attr-defined]
    # A's own region: the same statements work.
    async with scoped_session(runtime.app_sessions, scope) as db:
        await db.execute(
            insert(Municipality).values(id=uuid.uuid4(), region_id=region_a.region.id, name="Свой")
        )
        await db.commit()
    # Region staff who are not administrators write nothing.
    async with scoped_session(runtime.app_sessions, DbScope(identity_id=region_a.region.staff)) as db:
        with pytest.raises(DBAPIError, match="row-level security"):
            await db.execute(
                insert(Municipality).values(id=uuid.uuid4(), region_id=region_a.region.id, name="Нет")
            )
    assert "Свой" in await municipality_names(runtime, region_a.region.id)
