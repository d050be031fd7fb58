"""The development issuer's admin API, driven by python-keycloak's KeycloakAdmin over real HTTP.

Every test runs its own issuer on a loopback port, loaded from the realm export, so tests share no state.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from keycloak import KeycloakAdmin, KeycloakOpenID
from keycloak.exceptions import (
    KeycloakAuthenticationError,
    KeycloakDeleteError,
    KeycloakGetError,
    KeycloakPostError,
    KeycloakPutError,
)

from nastavnik.settings import Settings
from nastavnik_dev.issuer.realm import Issuer
from nastavnik_dev.issuer.server import running_issuer

AdminHttp = tuple[httpx.AsyncClient, dict[str, str], str]
"""A client on the realm's admin API, its bearer headers and a fresh user's id."""

REALM = "nastavnik"
ADMIN_CLIENT, ADMIN_SECRET = "nastavnik-admin", "nastavnik-admin-development-secret"
WEB_CLIENT, WEB_SECRET = "nastavnik-web", "nastavnik-web-development-secret"
CALLBACK = "http://127.0.0.1:8000/auth/callback"


@pytest.fixture
async def issuer() -> AsyncIterator[Issuer]:
    async with running_issuer(Settings(dev_issuer=True)) as running:
        yield running


async def close(admin: KeycloakAdmin) -> None:
    await admin.connection.aclose()
    await admin.connection.keycloak_openid.connection.aclose()


@pytest.fixture
async def admin(issuer: Issuer) -> AsyncIterator[KeycloakAdmin]:
    client = KeycloakAdmin(
        server_url=issuer.base_url,
        realm_name=REALM,
        client_id=ADMIN_CLIENT,
        client_secret_key=ADMIN_SECRET,
    )
    yield client
    await close(client)


async def make_user(
    admin: KeycloakAdmin, username: str, *, password: str | None = None, **fields: Any
) -> str:
    payload: dict[str, Any] = {"username": username, "enabled": True, **fields}
    if password is not None:
        payload["credentials"] = [{"type": "password", "value": password, "temporary": False}]
    return await admin.a_create_user(payload)


async def password_grant(
    issuer: Issuer, username: str, password: str, scope: str = "openid"
) -> dict[str, Any]:
    openid = KeycloakOpenID(
        server_url=issuer.base_url, realm_name=REALM, client_id=WEB_CLIENT, client_secret_key=WEB_SECRET
    )
    try:
        return await openid.a_token(username, password, scope=scope)
    finally:
        await openid.connection.aclose()


async def access_claims(
    issuer: Issuer, username: str, password: str, scope: str = "openid"
) -> dict[str, Any]:
    return issuer.verify((await password_grant(issuer, username, password, scope))["access_token"])


def grant_admin_roles(issuer: Issuer, user_id: str, *roles: str) -> None:
    # The admin API cannot map realm-management roles; the realm export would, so set them directly.
    issuer.realm.users[user_id].client_roles["realm-management"] = set(roles)


async def make_organization(admin: KeycloakAdmin, name: str = "Школа №1", alias: str = "school-1") -> str:
    """A new organization's id, read back by that id: the issuer's 201 named where it lives."""
    org_id = await admin.a_create_organization({"name": name, "alias": alias})
    found = await admin.a_get_organization(str(org_id))
    assert (found["id"], found["name"], found["alias"]) == (org_id, name, alias)
    return str(org_id)


async def admin_as(issuer: Issuer, username: str, password: str) -> KeycloakAdmin:
    """An admin client holding a password-grant token of nastavnik-web: a person, not the service account."""
    return KeycloakAdmin(
        server_url=issuer.base_url,
        realm_name=REALM,
        client_id=WEB_CLIENT,
        client_secret_key=WEB_SECRET,
        username=username,
        password=password,
    )


# ---- users ----


async def test_create_user_returns_the_id_from_location_and_get_returns_the_user(
    issuer: Issuer, admin: KeycloakAdmin
) -> None:
    user_id = await make_user(
        admin, "Petrova", email="Petrova@School.example", firstName="Анна", lastName="Петрова"
    )

    assert user_id in issuer.realm.users
    user = await admin.a_get_user(user_id)
    assert user["id"] == user_id
    assert user["username"] == "petrova"  # Keycloak keeps usernames and emails in lower case
    assert user["email"] == "petrova@school.example"
    assert (user["firstName"], user["lastName"], user["enabled"]) == ("Анна", "Петрова", True)


async def test_a_user_created_without_enabled_is_disabled(admin: KeycloakAdmin) -> None:
    user_id = await admin.a_create_user({"username": "quiet"})

    assert (await admin.a_get_user(user_id))["enabled"] is False


async def test_duplicate_username_is_409(admin: KeycloakAdmin) -> None:
    await make_user(admin, "ivanov")

    with pytest.raises(KeycloakPostError) as refused:
        await make_user(admin, "IVANOV")
    assert refused.value.response_code == 409
    assert b"same username" in (refused.value.response_body or b"")


async def test_duplicate_email_is_409(admin: KeycloakAdmin) -> None:
    await make_user(admin, "first", email="same@school.example")

    with pytest.raises(KeycloakPostError) as refused:
        await make_user(admin, "second", email="Same@School.example")
    assert refused.value.response_code == 409
    assert b"same email" in (refused.value.response_body or b"")


async def test_create_user_with_exist_ok_returns_the_existing_id(admin: KeycloakAdmin) -> None:
    user_id = await make_user(admin, "again")

    assert await admin.a_create_user({"username": "again", "enabled": True}, exist_ok=True) == user_id


async def test_a_user_without_username_is_400(admin: KeycloakAdmin) -> None:
    with pytest.raises(KeycloakPostError) as refused:
        await admin.a_create_user({"email": "nobody@school.example"})
    assert refused.value.response_code == 400


async def test_missing_user_is_404(admin: KeycloakAdmin) -> None:
    with pytest.raises(KeycloakGetError) as refused:
        await admin.a_get_user("no-such-user")
    assert refused.value.response_code == 404


async def test_get_user_id_and_exact_username_search(admin: KeycloakAdmin) -> None:
    anna = await make_user(admin, "anna")
    annabel = await make_user(admin, "annabel")

    assert await admin.a_get_user_id("Anna") == anna
    assert await admin.a_get_user_id("ann") is None
    exact = await admin.a_get_users({"username": "anna", "exact": True})
    assert [u["id"] for u in exact] == [anna]
    infix = await admin.a_get_users({"username": "nna", "exact": False})
    assert [u["id"] for u in infix] == [anna, annabel]


async def test_search_is_prefix_unless_quoted_and_leaves_out_service_accounts(admin: KeycloakAdmin) -> None:
    await make_user(admin, "anna", email="anna@school.example")
    await make_user(admin, "annabel")
    await make_user(admin, "boris", lastName="Annenkov")

    assert [u["username"] for u in await admin.a_get_users({"search": "ann"})] == ["anna", "annabel", "boris"]
    assert [u["username"] for u in await admin.a_get_users({"search": '"anna"'})] == ["anna"]
    assert [u["username"] for u in await admin.a_get_users({"search": "*bel"})] == ["annabel"]
    assert [u["username"] for u in await admin.a_get_users()] == ["anna", "annabel", "boris"]
    assert await admin.a_get_users({"search": "service-account"}) == []
    # A search by field finds a service account, as Keycloak's does.
    accounts = await admin.a_get_users({"username": "service-account-nastavnik-admin", "exact": True})
    assert len(accounts) == 1


async def test_brief_representation_leaves_out_attributes(admin: KeycloakAdmin) -> None:
    await make_user(admin, "brief", attributes={"inn": ["7701234567"]})

    full = await admin.a_get_users({"username": "brief", "exact": True})
    brief = await admin.a_get_users({"username": "brief", "exact": True, "briefRepresentation": True})
    assert full[0]["attributes"] == {"inn": ["7701234567"]}
    assert "attributes" not in brief[0]


async def test_paging_with_first_and_max(admin: KeycloakAdmin) -> None:
    for n in range(5):
        await make_user(admin, f"user{n}")

    page = await admin.a_get_users({"first": 1, "max": 2})
    assert [u["username"] for u in page] == ["user1", "user2"]
    assert [u["username"] for u in await admin.a_get_users({"first": 4, "max": 10})] == ["user4"]
    assert await admin.a_get_users({"first": 5, "max": 10}) == []
    # Without first/max python-keycloak pages by itself until a short page: make the pages small.
    admin.PAGE_SIZE = 2
    assert [u["username"] for u in await admin.a_get_users()] == [f"user{n}" for n in range(5)]


async def test_users_count(admin: KeycloakAdmin) -> None:
    await make_user(admin, "anna")
    await make_user(admin, "annabel")
    await make_user(admin, "boris")

    assert await admin.a_users_count() == 3  # the service account is not counted
    assert await admin.a_users_count({"search": "anna"}) == 2


async def test_disabled_user_cannot_get_tokens(issuer: Issuer, admin: KeycloakAdmin) -> None:
    user_id = await make_user(admin, "leaving", password="secret-1")
    assert (await password_grant(issuer, "leaving", "secret-1"))["access_token"]

    await admin.a_disable_user(user_id)

    assert (await admin.a_get_user(user_id))["enabled"] is False
    with pytest.raises(KeycloakAuthenticationError) as refused:
        await password_grant(issuer, "leaving", "secret-1")
    assert refused.value.response_code == 401
    await admin.a_enable_user(user_id)
    assert (await password_grant(issuer, "leaving", "secret-1"))["access_token"]


async def test_update_user_changes_only_the_fields_sent(admin: KeycloakAdmin) -> None:
    user_id = await make_user(admin, "update", email="old@school.example", firstName="Old", lastName="Name")

    await admin.a_update_user(user_id, {"email": "new@school.example", "attributes": {"snils": ["1"]}})

    user = await admin.a_get_user(user_id)
    assert (user["email"], user["firstName"], user["lastName"]) == ("new@school.example", "Old", "Name")
    assert user["attributes"] == {"snils": ["1"]}


async def test_update_user_refusals(admin: KeycloakAdmin) -> None:
    await make_user(admin, "taken", email="taken@school.example")
    user_id = await make_user(admin, "mover")

    with pytest.raises(KeycloakPutError) as duplicate:
        await admin.a_update_user(user_id, {"email": "taken@school.example"})
    assert duplicate.value.response_code == 409
    with pytest.raises(KeycloakPutError) as rename:
        await admin.a_update_user(user_id, {"username": "renamed"})
    assert rename.value.response_code == 400
    with pytest.raises(KeycloakPutError) as missing:
        await admin.a_update_user("no-such-user", {"enabled": False})
    assert missing.value.response_code == 404
    assert (await admin.a_get_user(user_id))["email"] is None


async def test_reset_password_then_password_grant_works(issuer: Issuer, admin: KeycloakAdmin) -> None:
    user_id = await make_user(admin, "curator", password="first-password")

    await admin.a_set_user_password(user_id, "second-password", temporary=False)

    claims = await access_claims(issuer, "curator", "second-password")
    assert claims["sub"] == user_id
    with pytest.raises(KeycloakAuthenticationError):
        await password_grant(issuer, "curator", "first-password")


async def test_temporary_password_requires_a_change(admin: KeycloakAdmin) -> None:
    user_id = await make_user(admin, "newcomer")

    await admin.a_set_user_password(user_id, "temporary-password", temporary=True)
    assert (await admin.a_get_user(user_id))["requiredActions"] == ["UPDATE_PASSWORD"]
    await admin.a_set_user_password(user_id, "own-password", temporary=False)
    assert (await admin.a_get_user(user_id))["requiredActions"] == []


async def test_reset_password_refusals(admin: KeycloakAdmin) -> None:
    user_id = await make_user(admin, "nopass")

    with pytest.raises(KeycloakPutError) as missing_user:
        await admin.a_set_user_password("no-such-user", "password", temporary=False)
    assert missing_user.value.response_code == 404
    with pytest.raises(KeycloakPutError) as empty:
        await admin.a_set_user_password(user_id, "", temporary=False)
    assert empty.value.response_code == 400


async def test_delete_user(issuer: Issuer, admin: KeycloakAdmin) -> None:
    user_id = await make_user(admin, "gone")
    org_id = await make_organization(admin, "Школа №5", "school-5")
    await admin.a_organization_user_add(user_id, org_id)

    assert await admin.a_delete_user(user_id) == {}

    with pytest.raises(KeycloakGetError) as missing:
        await admin.a_get_user(user_id)
    assert missing.value.response_code == 404
    assert issuer.realm.organizations[org_id].members == []
    with pytest.raises(KeycloakDeleteError) as again:
        await admin.a_delete_user(user_id)
    assert again.value.response_code == 404


async def test_execute_actions_email_is_recorded(issuer: Issuer, admin: KeycloakAdmin) -> None:
    user_id = await make_user(admin, "invited", email="invited@school.example")

    await admin.a_send_update_account(
        user_id,
        ["UPDATE_PASSWORD", "VERIFY_EMAIL"],
        client_id=WEB_CLIENT,
        lifespan=3600,
        redirect_uri=CALLBACK,
    )

    assert len(issuer.realm.sent_emails) == 1
    sent = issuer.realm.sent_emails[0]
    assert sent["to"] == "invited@school.example"
    assert sent["user_id"] == user_id
    assert sent["actions"] == ["UPDATE_PASSWORD", "VERIFY_EMAIL"]
    assert (sent["client_id"], sent["redirect_uri"], sent["lifespan"]) == (WEB_CLIENT, CALLBACK, 3600)
    # As in Keycloak, the actions travel in the email's link; the user's own required actions stay.
    assert (await admin.a_get_user(user_id))["requiredActions"] == []


async def test_execute_actions_email_refusals(issuer: Issuer, admin: KeycloakAdmin) -> None:
    no_email = await make_user(admin, "noemail")
    user_id = await make_user(admin, "withemail", email="with@school.example")

    with pytest.raises(KeycloakPutError) as missing_email:
        await admin.a_send_update_account(no_email, ["UPDATE_PASSWORD"])
    assert missing_email.value.response_code == 400
    assert b"email" in (missing_email.value.response_body or b"")
    with pytest.raises(KeycloakPutError) as bad_redirect:
        await admin.a_send_update_account(
            user_id, ["UPDATE_PASSWORD"], client_id=WEB_CLIENT, redirect_uri="https://evil.example/"
        )
    assert bad_redirect.value.response_code == 400
    with pytest.raises(KeycloakPutError) as bad_client:
        await admin.a_send_update_account(user_id, ["UPDATE_PASSWORD"], client_id="no-such-client")
    assert bad_client.value.response_code == 400
    with pytest.raises(KeycloakPutError) as missing_user:
        await admin.a_send_update_account("no-such-user", ["UPDATE_PASSWORD"])
    assert missing_user.value.response_code == 404
    assert issuer.realm.sent_emails == []


# ---- realm roles ----


async def test_assign_read_and_remove_realm_roles(issuer: Issuer, admin: KeycloakAdmin) -> None:
    user_id = await make_user(admin, "region", password="region-password")
    role = await admin.a_get_realm_role("nastavnik-region")

    assert await admin.a_assign_realm_roles(user_id, [role]) == {}

    assert [r["name"] for r in await admin.a_get_realm_roles_of_user(user_id)] == ["nastavnik-region"]
    claims = await access_claims(issuer, "region", "region-password")
    assert "nastavnik-region" in claims["realm_access"]["roles"]
    await admin.a_delete_realm_roles_of_user(user_id, [role])
    assert await admin.a_get_realm_roles_of_user(user_id) == []


async def test_realm_roles_list_and_create(admin: KeycloakAdmin) -> None:
    names = {r["name"] for r in await admin.a_get_realm_roles()}
    assert {"nastavnik-region", "nastavnik-municipality", "nastavnik-auditor"} <= names

    assert (
        await admin.a_create_realm_role({"name": "nastavnik-extra", "description": "x"}) == "nastavnik-extra"
    )
    assert (await admin.a_get_realm_role("nastavnik-extra"))["description"] == "x"
    with pytest.raises(KeycloakPostError) as duplicate:
        await admin.a_create_realm_role({"name": "nastavnik-extra"})
    assert duplicate.value.response_code == 409
    assert await admin.a_create_realm_role({"name": "nastavnik-extra"}, skip_exists=True) == "nastavnik-extra"


async def test_unknown_realm_role_is_404(admin: KeycloakAdmin) -> None:
    user_id = await make_user(admin, "norole")

    with pytest.raises(KeycloakGetError) as lookup:
        await admin.a_get_realm_role("nastavnik-nobody")
    assert lookup.value.response_code == 404
    with pytest.raises(KeycloakPostError) as unknown:
        await admin.a_assign_realm_roles(user_id, [{"id": "no-such-role", "name": "nastavnik-nobody"}])
    assert unknown.value.response_code == 404
    # Keycloak finds a mapped role by its id: a name alone does not do.
    with pytest.raises(KeycloakPostError) as by_name:
        await admin.a_assign_realm_roles(user_id, [{"name": "nastavnik-region"}])
    assert by_name.value.response_code == 404
    with pytest.raises(KeycloakDeleteError) as removing:
        await admin.a_delete_realm_roles_of_user(user_id, [{"id": "no-such-role"}])
    assert removing.value.response_code == 404
    assert await admin.a_get_realm_roles_of_user(user_id) == []


async def test_role_mappings_of_a_missing_user_are_404(admin: KeycloakAdmin) -> None:
    role = await admin.a_get_realm_role("nastavnik-region")

    with pytest.raises(KeycloakGetError) as reading:
        await admin.a_get_realm_roles_of_user("no-such-user")
    assert reading.value.response_code == 404
    with pytest.raises(KeycloakPostError) as assigning:
        await admin.a_assign_realm_roles("no-such-user", [role])
    assert assigning.value.response_code == 404


# ---- groups and clients ----


async def test_groups_create_and_list(admin: KeycloakAdmin) -> None:
    group_id = await admin.a_create_group({"name": "curators"})

    groups = await admin.a_get_groups()
    assert [(g["id"], g["name"], g["path"]) for g in groups] == [(group_id, "curators", "/curators")]
    with pytest.raises(KeycloakPostError) as duplicate:
        await admin.a_create_group({"name": "curators"})
    assert duplicate.value.response_code == 409
    assert await admin.a_create_group({"name": "curators"}, skip_exists=True) is None


async def test_clients_by_client_id(issuer: Issuer, admin: KeycloakAdmin) -> None:
    assert await admin.a_get_client_id(WEB_CLIENT) == issuer.realm.clients[WEB_CLIENT].id
    assert await admin.a_get_client_id("no-such-client") is None
    client_ids = {c["clientId"] for c in await admin.a_get_clients()}
    assert client_ids == {"nastavnik-web", "nastavnik-api", "nastavnik-admin"}


# ---- organizations ----


async def test_create_and_get_organization(admin: KeycloakAdmin) -> None:
    org_id = await admin.a_create_organization(
        {
            "name": "Школа №1",
            "alias": "school-1",
            "description": "МБОУ СОШ №1",
            "domains": [{"name": "school1.example", "verified": False}],
            "attributes": {"inn": ["7701234567"]},
        }
    )

    organization = await admin.a_get_organization(str(org_id))
    assert (organization["id"], organization["name"], organization["alias"]) == (
        org_id,
        "Школа №1",
        "school-1",
    )
    assert organization["enabled"] is True
    assert organization["domains"] == [{"name": "school1.example", "verified": False}]
    assert organization["attributes"] == {"inn": ["7701234567"]}


async def test_duplicate_organization_alias_or_name_is_409(admin: KeycloakAdmin) -> None:
    await admin.a_create_organization({"name": "Школа №1", "alias": "school-1"})

    with pytest.raises(KeycloakPostError) as same_alias:
        await admin.a_create_organization({"name": "Другая школа", "alias": "school-1"})
    assert same_alias.value.response_code == 409
    with pytest.raises(KeycloakPostError) as same_name:
        await admin.a_create_organization({"name": "Школа №1", "alias": "school-one"})
    assert same_name.value.response_code == 409
    assert len(await admin.a_get_organizations()) == 1


async def test_organization_without_a_name_or_with_a_spaced_alias_is_400(admin: KeycloakAdmin) -> None:
    with pytest.raises(KeycloakPostError) as no_name:
        await admin.a_create_organization({"alias": "nameless"})
    assert no_name.value.response_code == 400
    with pytest.raises(KeycloakPostError) as spaced:
        await admin.a_create_organization({"name": "Школа", "alias": "school 1"})
    assert spaced.value.response_code == 400


async def test_organizations_search_and_paging(admin: KeycloakAdmin) -> None:
    for n in range(1, 4):
        await admin.a_create_organization(
            {"name": f"Школа №{n}", "alias": f"school-{n}", "attributes": {"district": [f"d{n % 2}"]}}
        )
    await admin.a_create_organization({"name": "Колледж", "alias": "college"})

    assert len(await admin.a_get_organizations()) == 4
    assert [o["alias"] for o in await admin.a_get_organizations({"search": "Школа"})] == [
        "school-1",
        "school-2",
        "school-3",
    ]
    assert [o["alias"] for o in await admin.a_get_organizations({"search": "Школа №2", "exact": True})] == [
        "school-2"
    ]
    assert await admin.a_get_organizations({"search": "Школа", "exact": True}) == []
    page = await admin.a_get_organizations({"search": "Школа", "first": 1, "max": 1})
    assert [o["alias"] for o in page] == ["school-2"]
    by_attribute = await admin.a_get_organizations({"q": "district:d1"})
    assert [o["alias"] for o in by_attribute] == ["school-1", "school-3"]


async def test_update_organization(admin: KeycloakAdmin) -> None:
    org_id = await make_organization(admin)
    await make_organization(admin, "Школа №2", "school-2")

    assert await admin.a_update_organization(org_id, {"name": "Гимназия №1", "alias": "school-1"}) == {}

    assert (await admin.a_get_organization(org_id))["name"] == "Гимназия №1"
    with pytest.raises(KeycloakPutError) as alias_change:
        await admin.a_update_organization(org_id, {"name": "Гимназия №1", "alias": "gymnasium-1"})
    assert alias_change.value.response_code == 400
    with pytest.raises(KeycloakPutError) as same_name:
        await admin.a_update_organization(org_id, {"name": "Школа №2"})
    assert same_name.value.response_code == 409
    with pytest.raises(KeycloakPutError) as missing:
        await admin.a_update_organization("no-such-org", {"name": "X"})
    assert missing.value.response_code == 404
    assert (await admin.a_get_organization(org_id))["name"] == "Гимназия №1"


async def test_delete_organization(admin: KeycloakAdmin) -> None:
    org_id = await make_organization(admin)

    assert await admin.a_delete_organization(org_id) == {}

    with pytest.raises(KeycloakGetError) as missing:
        await admin.a_get_organization(org_id)
    assert missing.value.response_code == 404
    with pytest.raises(KeycloakDeleteError) as again:
        await admin.a_delete_organization(org_id)
    assert again.value.response_code == 404


async def test_add_list_count_and_remove_members(admin: KeycloakAdmin) -> None:
    org_id = await make_organization(admin)
    user_id = await make_user(admin, "curator")

    assert await admin.a_organization_user_add(user_id, org_id) == b""  # 201 with no body

    members = await admin.a_get_organization_members(org_id)
    assert [(m["id"], m["username"], m["membershipType"]) for m in members] == [
        (user_id, "curator", "UNMANAGED")
    ]
    assert await admin.a_get_organization_members_count(org_id) == 1
    assert [o["id"] for o in await admin.a_get_user_organizations(user_id)] == [org_id]
    with pytest.raises(KeycloakPostError) as twice:
        await admin.a_organization_user_add(user_id, org_id)
    assert twice.value.response_code == 409

    assert await admin.a_organization_user_remove(user_id, org_id) == {}

    assert await admin.a_get_organization_members_count(org_id) == 0
    assert await admin.a_get_user_organizations(user_id) == []
    with pytest.raises(KeycloakDeleteError) as not_member:
        await admin.a_organization_user_remove(user_id, org_id)
    assert not_member.value.response_code == 404


async def test_add_member_accepts_a_quoted_id_too(admin: KeycloakAdmin) -> None:
    org_id = await make_organization(admin)
    user_id = await make_user(admin, "quoted")

    response = await admin.connection.a_raw_post(
        f"admin/realms/{REALM}/organizations/{org_id}/members", data=json.dumps(user_id)
    )

    assert response.status_code == 201
    assert response.headers["Location"].endswith(f"/organizations/{org_id}/members/{user_id}")
    assert await admin.a_get_organization_members_count(str(org_id)) == 1


async def test_member_refusals(admin: KeycloakAdmin) -> None:
    org_id = await make_organization(admin)
    user_id = await make_user(admin, "someone")

    with pytest.raises(KeycloakPostError) as unknown_user:
        await admin.a_organization_user_add("no-such-user", org_id)
    assert unknown_user.value.response_code == 400  # Keycloak's answer for an unknown user here
    with pytest.raises(KeycloakPostError) as unknown_org:
        await admin.a_organization_user_add(user_id, "no-such-org")
    assert unknown_org.value.response_code == 404
    with pytest.raises(KeycloakGetError) as members_of_nothing:
        await admin.a_get_organization_members("no-such-org")
    assert members_of_nothing.value.response_code == 404
    with pytest.raises(KeycloakGetError) as count_of_nothing:
        await admin.a_get_organization_members_count("no-such-org")
    assert count_of_nothing.value.response_code == 404
    with pytest.raises(KeycloakGetError) as organizations_of_nobody:
        await admin.a_get_user_organizations("no-such-user")
    assert organizations_of_nobody.value.response_code == 404


async def test_members_paging(admin: KeycloakAdmin) -> None:
    org_id = await make_organization(admin)
    for name in ("mentor-a", "mentor-b", "mentor-c"):
        await admin.a_organization_user_add(await make_user(admin, name), org_id)

    page = await admin.a_get_organization_members(org_id, {"first": 1, "max": 1})
    assert [m["username"] for m in page] == ["mentor-b"]
    admin.PAGE_SIZE = 2
    assert [m["username"] for m in await admin.a_get_organization_members(org_id)] == [
        "mentor-a",
        "mentor-b",
        "mentor-c",
    ]
    assert [m["username"] for m in await admin.a_get_organization_members(org_id, {"search": "-b"})] == [
        "mentor-b"
    ]


async def test_organization_claim_in_a_password_grant_token(issuer: Issuer, admin: KeycloakAdmin) -> None:
    org_id = await make_organization(admin)
    user_id = await make_user(admin, "member", password="member-password")
    await admin.a_organization_user_add(user_id, org_id)

    claims = await access_claims(issuer, "member", "member-password", scope="openid organization")
    assert claims["organization"] == ["school-1"]
    assert "organization" not in await access_claims(issuer, "member", "member-password")

    await admin.a_organization_user_remove(user_id, org_id)
    claims = await access_claims(issuer, "member", "member-password", scope="openid organization")
    assert claims["organization"] == []


# ---- who may call ----


async def test_no_token_is_401(issuer: Issuer) -> None:
    anonymous = KeycloakAdmin(server_url=issuer.base_url, realm_name=REALM)
    try:
        with pytest.raises(KeycloakAuthenticationError) as refused:
            await anonymous.a_get_users()
        assert refused.value.response_code == 401
        assert json.loads(refused.value.response_body or b"") == {"error": "HTTP 401 Unauthorized"}
    finally:
        await close(anonymous)


async def test_invalid_or_ended_token_is_401(issuer: Issuer, admin: KeycloakAdmin) -> None:
    forged = KeycloakAdmin(
        server_url=issuer.base_url, realm_name=REALM, token={"access_token": "not-a-token", "expires_in": 300}
    )
    user_id = await make_user(admin, "helper", password="helper-password")
    grant_admin_roles(issuer, user_id, "view-users")
    tokens = await password_grant(issuer, "helper", "helper-password")
    openid = KeycloakOpenID(
        server_url=issuer.base_url, realm_name=REALM, client_id=WEB_CLIENT, client_secret_key=WEB_SECRET
    )
    await openid.a_logout(tokens["refresh_token"])
    ended = KeycloakAdmin(
        server_url=issuer.base_url, realm_name=REALM, token={**tokens, "refresh_token": None}
    )
    try:
        for client in (forged, ended):
            with pytest.raises(KeycloakAuthenticationError) as refused:
                await client.a_get_users()
            assert refused.value.response_code == 401
    finally:
        await close(forged)
        await close(ended)
        await openid.connection.aclose()


async def test_a_token_of_a_disabled_user_is_401(issuer: Issuer, admin: KeycloakAdmin) -> None:
    user_id = await make_user(admin, "helper", password="helper-password")
    grant_admin_roles(issuer, user_id, "view-users")
    helper = await admin_as(issuer, "helper", "helper-password")
    try:
        assert len(await helper.a_get_users()) == 1
        await admin.a_disable_user(user_id)
        with pytest.raises(KeycloakAuthenticationError) as refused:
            await helper.a_get_users()
        assert refused.value.response_code == 401
    finally:
        await close(helper)


async def test_a_person_without_realm_management_roles_is_403(issuer: Issuer, admin: KeycloakAdmin) -> None:
    await make_user(admin, "teacher", password="teacher-password")
    teacher = await admin_as(issuer, "teacher", "teacher-password")
    try:
        with pytest.raises(KeycloakGetError) as reading:
            await teacher.a_get_users()
        assert reading.value.response_code == 403
        assert json.loads(reading.value.response_body or b"") == {"error": "HTTP 403 Forbidden"}
        with pytest.raises(KeycloakPostError) as writing:
            await teacher.a_create_user({"username": "intruder", "enabled": True})
        assert writing.value.response_code == 403
        with pytest.raises(KeycloakGetError) as organizations:
            await teacher.a_get_organizations()
        assert organizations.value.response_code == 403
        with pytest.raises(KeycloakPostError) as joining:
            await teacher.a_create_organization({"name": "Чужая", "alias": "foreign"})
        assert joining.value.response_code == 403
    finally:
        await close(teacher)
    assert await admin.a_get_user_id("intruder") is None
    assert await admin.a_get_organizations() == []


async def test_view_users_reads_but_does_not_write(issuer: Issuer, admin: KeycloakAdmin) -> None:
    user_id = await make_user(admin, "viewer", password="viewer-password")
    grant_admin_roles(issuer, user_id, "view-users")
    viewer = await admin_as(issuer, "viewer", "viewer-password")
    try:
        assert [u["username"] for u in await viewer.a_get_users()] == ["viewer"]
        assert await viewer.a_get_groups() == []  # view-users includes query-groups
        assert len(await viewer.a_get_realm_roles()) == 5  # and query-users, enough to list the realm's five
        with pytest.raises(KeycloakPostError) as creating:
            await viewer.a_create_user({"username": "another", "enabled": True})
        assert creating.value.response_code == 403
        with pytest.raises(KeycloakPutError) as disabling:
            await viewer.a_disable_user(user_id)
        assert disabling.value.response_code == 403
        # Keycloak asks manage-realm for organizations, even to read them.
        with pytest.raises(KeycloakGetError) as organizations:
            await viewer.a_get_organizations()
        assert organizations.value.response_code == 403
        with pytest.raises(KeycloakPostError) as new_role:
            await viewer.a_create_realm_role({"name": "nastavnik-viewer"})
        assert new_role.value.response_code == 403
    finally:
        await close(viewer)


async def test_unknown_realm_is_404(issuer: Issuer) -> None:
    elsewhere = KeycloakAdmin(
        server_url=issuer.base_url,
        realm_name="elsewhere",
        user_realm_name=REALM,
        client_id=ADMIN_CLIENT,
        client_secret_key=ADMIN_SECRET,
    )
    try:
        with pytest.raises(KeycloakGetError) as refused:
            await elsewhere.a_get_users()
        assert refused.value.response_code == 404
        with pytest.raises(KeycloakPostError) as creating:
            await elsewhere.a_create_organization({"name": "Школа", "alias": "school"})
        assert creating.value.response_code == 404
    finally:
        await close(elsewhere)


@pytest.mark.parametrize(
    "body",
    [{"attributes": ["not", "a", "map"]}, {"attributes": "x"}, {"requiredActions": "UPDATE_PASSWORD"}],
)
async def test_malformed_user_fields_are_400_not_500(
    issuer_admin_http: AdminHttp, body: dict[str, object]
) -> None:
    client, headers, user_id = issuer_admin_http
    response = await client.put(f"/users/{user_id}", json=body, headers=headers)
    assert response.status_code == 400


@pytest.mark.parametrize("body", [{"domains": "x"}, {"domains": [1, 2]}, {"attributes": [1]}])
async def test_malformed_organization_fields_are_400_not_500(
    issuer_admin_http: AdminHttp, body: dict[str, object]
) -> None:
    client, headers, _ = issuer_admin_http
    response = await client.post(
        "/organizations",
        json={"name": f"o-{uuid.uuid4().hex[:6]}", "alias": f"o-{uuid.uuid4().hex[:6]}", **body},
        headers=headers,
    )
    assert response.status_code == 400


@pytest.fixture
async def issuer_admin_http(issuer: Issuer) -> AsyncIterator[AdminHttp]:
    async with httpx.AsyncClient(base_url=issuer.base_url) as http:
        token = (
            await http.post(
                f"/realms/{issuer.realm.name}/protocol/openid-connect/token",
                data={"grant_type": "client_credentials"},
                auth=("nastavnik-admin", "nastavnik-admin-development-secret"),
            )
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        base = f"/admin/realms/{issuer.realm.name}"
        created = await http.post(
            f"{base}/users", json={"username": f"m-{uuid.uuid4().hex[:6]}", "enabled": True}, headers=headers
        )
        user_id = created.headers["location"].rsplit("/", 1)[1]
        http.base_url = httpx.URL(issuer.base_url + base)
        yield http, headers, user_id
