"""Administration with real accounts: the platform administrator (a realm role of the development issuer)
creates a region; the worker makes its first administrator's Keycloak account, realm roles, invitation and
grants through python-keycloak; that administrator signs in and appoints a coordinator the same way."""

from __future__ import annotations

import re
import secrets
import uuid

import httpx
import pytest
from keycloak import KeycloakAdmin
from litestar import Litestar
from pydantic import SecretStr
from sqlalchemy import select

from nastavnik.domain.administration.models import StaffAppointment
from nastavnik.domain.administration.provisioning import run_appointment
from nastavnik.models.identity import Identity, StaffAssignment
from nastavnik.runtime import Runtime
from nastavnik.web.app import create_app
from nastavnik_dev.issuer.realm import Issuer, User
from tests.auth.tokens import sign, valid_claims
from tests.support.forms import field_error
from tests.support.http import bearer_client
from tests.support.sso import ADMIN_SECRET, WEB_SECRET, provisioning, served_site
from tests.support.worker import run_queued_jobs
from tests.support.world import World


@pytest.fixture(scope="module")
def sso(runtime: Runtime, issuer: Issuer) -> Runtime:
    return provisioning(runtime, issuer)


@pytest.fixture(scope="module")
def sso_app(sso: Runtime) -> Litestar:
    return create_app(sso)


def token_of(issuer: Issuer, user_id: str) -> str:
    return sign(valid_claims(issuer, user_id), issuer.realm.keys.current)


@pytest.fixture(scope="module")
def platform_admin_user(issuer: Issuer) -> User:
    return issuer.realm.add_user(
        User(
            id=str(uuid.uuid4()),
            username=f"platform-{secrets.token_hex(3)}",
            last_name="Платформова",
            realm_roles={"nastavnik-platform-admin"},
        )
    )


@pytest.fixture(scope="module")
def platform_admin(issuer: Issuer, platform_admin_user: User) -> str:
    return token_of(issuer, platform_admin_user.id)


def region_body(**changes: str) -> dict[str, str]:
    n = secrets.token_hex(3)
    return {
        "code": f"T{n}",
        "name": f"Тестовый край {n}",
        "timezone": "Asia/Yekaterinburg",
        "admin_last_name": "Администраторова",
        "admin_first_name": "Анна",
        "admin_middle_name": "Сергеевна",
        "admin_email": f"anna.{n}@edu.example",
        **changes,
    }


def user_by_email(issuer: Issuer, email: str) -> User:
    return next(u for u in issuer.realm.users.values() if u.email == email)


async def test_platform_admin_creates_a_region_whose_administrator_gets_an_account(
    sso: Runtime, sso_app: Litestar, issuer: Issuer, platform_admin: str
) -> None:
    body = region_body()
    async with bearer_client(sso_app, platform_admin) as client:
        created = await client.post("/api/admin/regions", json=body)
        assert created.status_code == 201, created.text
        listed = (await client.get("/api/admin/regions")).json()
        page = (await client.get("/admin/regions")).text
    region = created.json()
    assert (region["code"], region["timezone"], region["administrators"]) == (
        body["code"],
        "Asia/Yekaterinburg",
        0,
    )
    assert next(r for r in listed if r["id"] == region["id"])["pending_administrators"] == 1
    assert body["name"] in page
    assert '<a href="/admin/regions">Регионы</a>' in page
    assert await run_queued_jobs(sso) == 2  # the administrator's and the region staff's appointments
    user = user_by_email(issuer, body["admin_email"])
    assert user.realm_roles >= {"nastavnik-region-admin", "nastavnik-region"}
    assert (user.last_name, user.first_name) == ("Администраторова", "Анна Сергеевна")
    assert [m for m in issuer.realm.sent_emails if m.get("user_id") == user.id]  # one invitation
    async with sso.owner_sessions() as db:
        grants = list(
            await db.execute(
                select(StaffAssignment.role, Identity.subject, Identity.issuer)
                .join(Identity, Identity.id == StaffAssignment.identity_id)
                .where(StaffAssignment.region_id == uuid.UUID(region["id"]))
                .order_by(StaffAssignment.role)
            )
        )
    assert [tuple(g) for g in grants] == [
        ("admin", user.id, issuer.issuer),
        ("region", user.id, issuer.issuer),
    ]
    # The administrator signs in and works in their region.
    async with bearer_client(sso_app, token_of(issuer, user.id)) as admin:
        staff = (await admin.get("/api/region/staff")).json()
        made = await admin.post("/api/region/municipalities", json={"name": "Белоярский район"})
        municipalities = (await admin.get("/region/municipalities")).text
        home = await admin.get("/region/staff")
    assert sorted((s["role"], s["status"], s["email"]) for s in staff) == [
        ("admin", "done", body["admin_email"]),
        ("region", "done", body["admin_email"]),
    ]
    assert made.status_code == 201
    assert "Белоярский район" in municipalities
    assert '<a href="/region/municipalities">Муниципалитеты</a>' in home.text
    assert '<a href="/region/staff">Сотрудники</a>' in home.text
    # The job again: every step finds what it made, nothing is doubled.
    appointment = uuid.UUID(next(s["id"] for s in staff if s["role"] == "admin"))
    assert await run_appointment(sso, appointment) == "done"
    assert len([u for u in issuer.realm.users.values() if u.email == body["admin_email"]]) == 1


async def test_administrator_appoints_a_coordinator_who_signs_in_to_their_municipality(
    sso: Runtime, sso_app: Litestar, issuer: Issuer, platform_admin: str
) -> None:
    body = region_body()
    async with bearer_client(sso_app, platform_admin) as client:
        assert (await client.post("/api/admin/regions", json=body)).status_code == 201
    await run_queued_jobs(sso)
    admin = token_of(issuer, user_by_email(issuer, body["admin_email"]).id)
    email = f"coord.{secrets.token_hex(3)}@edu.example"
    async with bearer_client(sso_app, admin) as client:
        municipality = (
            await client.post("/api/region/municipalities", json={"name": "Кондинский район"})
        ).json()
        appointed = await client.post(
            "/api/region/staff",
            json={
                "role": "municipality",
                "municipality_id": municipality["id"],
                "last_name": "Координатова",
                "first_name": "Ольга",
                "email": email,
            },
        )
    assert appointed.status_code == 201, appointed.text
    assert appointed.json()["status"] == "pending"
    await run_queued_jobs(sso)
    coordinator = user_by_email(issuer, email)
    assert "nastavnik-municipality" in coordinator.realm_roles
    async with bearer_client(sso_app, token_of(issuer, coordinator.id)) as client:
        own = await client.get(f"/m/{municipality['id']}")
        refused = await client.get("/api/region/staff")
    assert own.status_code == 200
    assert "Кондинский район" in own.text
    assert refused.status_code == 403
    async with bearer_client(sso_app, admin) as client:
        listed = {s["email"]: s for s in (await client.get("/api/region/staff")).json()}
        removed = await client.delete(f"/api/region/staff/{listed[email]['id']}")
    assert listed[email]["status"] == "done"
    assert listed[email]["municipality"] == "Кондинский район"
    assert removed.status_code == 204
    async with bearer_client(sso_app, token_of(issuer, coordinator.id)) as client:
        assert (await client.get(f"/m/{municipality['id']}")).status_code == 404  # no grant any more


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"timezone": "UTC+5"}, "timezone", "укажите часовой пояс из базы IANA"),
        ({"timezone": "../../etc/passwd"}, "timezone", "укажите часовой пояс из базы IANA"),
        ({"admin_email": "anna@"}, "admin_email", "укажите адрес вида имя@school.ru"),
        ({"code": "код региона"}, "code", "код — латинские буквы"),
        ({"admin_last_name": " "}, "admin_last_name", "укажите фамилию"),
    ],
)
async def test_bad_regions_are_refused_with_nothing_written(
    sso: Runtime, sso_app: Litestar, platform_admin: str, change: dict[str, str], field: str, message: str
) -> None:
    body = region_body(**change)
    async with bearer_client(sso_app, platform_admin) as client:
        refused = await client.post("/api/admin/regions", json=body)
        page = await client.post("/admin/regions", data=body)
        listed = (await client.get("/api/admin/regions")).json()
    assert refused.status_code == 422, refused.text
    errors = {e["field"]: e["message"] for e in refused.json()["errors"]}
    assert set(errors) == {field}
    assert errors[field].startswith(message)
    assert page.status_code == 422
    assert message in page.text
    assert body["name"] not in {r["name"] for r in listed}


async def test_a_region_code_is_taken_once(sso_app: Litestar, platform_admin: str) -> None:
    body = region_body()
    async with bearer_client(sso_app, platform_admin) as client:
        assert (await client.post("/api/admin/regions", json=body)).status_code == 201
        again = await client.post("/api/admin/regions", json={**region_body(), "code": body["code"].lower()})
    assert again.status_code == 409
    assert (again.json()["field"], again.json()["detail"]) == ("code", "Регион с таким кодом уже есть.")


async def test_only_the_platform_administrator_creates_regions(
    sso_app: Litestar, issuer: Issuer, world: World
) -> None:
    region_staff = issuer.realm.add_user(
        User(id=str(uuid.uuid4()), username=f"r-{secrets.token_hex(3)}", realm_roles={"nastavnik-region"})
    )
    async with bearer_client(sso_app, token_of(issuer, region_staff.id)) as client:
        answers = [
            (await client.get("/api/admin/regions")).status_code,
            (await client.post("/api/admin/regions", json=region_body())).status_code,
            (await client.get("/admin/regions")).status_code,
        ]
    assert answers == [403, 403, 403]


async def test_keycloak_accounts_are_made_through_python_keycloak(
    sso: Runtime, sso_app: Litestar, issuer: Issuer, platform_admin: str
) -> None:
    """What the realm holds, read back as an administrator would with python-keycloak."""
    body = region_body()
    async with bearer_client(sso_app, platform_admin) as client:
        assert (await client.post("/api/admin/regions", json=body)).status_code == 201
    await run_queued_jobs(sso)
    keycloak = KeycloakAdmin(
        server_url=issuer.base_url,
        realm_name="nastavnik",
        client_id="nastavnik-admin",
        client_secret_key=ADMIN_SECRET,
    )
    users = await keycloak.a_get_users({"email": body["admin_email"], "exact": True})
    roles = {r["name"] for r in await keycloak.a_get_realm_roles_of_user(users[0]["id"])}
    assert len(users) == 1
    assert {"nastavnik-region-admin", "nastavnik-region"} <= roles
    async with sso.owner_sessions() as db:
        statuses = list(
            await db.scalars(
                select(StaffAppointment.status).where(StaffAppointment.email == body["admin_email"])
            )
        )
    assert statuses == ["done", "done"]


async def test_platform_admin_signs_in_on_the_pages_and_creates_a_region(
    sso: Runtime, issuer: Issuer, platform_admin_user: User
) -> None:
    """The session path: the realm role admitted at sign-in is kept in the session."""
    async with (
        served_site(sso, issuer, keycloak_client_secret=SecretStr(WEB_SECRET)) as site,
        httpx.AsyncClient(follow_redirects=True, timeout=30) as client,
    ):
        picker = await client.get(site.url + "/")
        form = dict(
            re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', picker.text.split("<h2>")[1])
        )
        landed = await client.post(
            str(picker.url),
            data={**{k: v.replace("&amp;", "&") for k, v in form.items()}, "pick": platform_admin_user.id},
        )
        assert str(landed.url) == site.url + "/admin/regions", landed.text[:300]
        assert '<a href="/admin/regions">Регионы</a>' in landed.text
        csrf = {"x-csrftoken": client.cookies.get("csrftoken") or "", "referer": site.url + "/admin/regions"}
        body = region_body(timezone="Мск+2")
        refused = await client.post(site.url + "/admin/regions", data=body, headers=csrf)
        created = await client.post(
            site.url + "/admin/regions", data={**body, "timezone": "Asia/Omsk"}, headers=csrf
        )
    assert field_error(refused.text, "timezone").startswith("укажите часовой пояс из базы IANA")
    assert 'value="Мск+2"' in refused.text
    assert created.status_code == 200
    assert body["name"] in created.text
    assert "Asia/Omsk" in created.text
