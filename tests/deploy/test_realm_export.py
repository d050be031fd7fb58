"""deploy/keycloak/realm-export.json as Keycloak imports it and as the platform's settings expect it.

The development issuer loads the same file in every test run; this checks what that does not: that it
is an export Keycloak's `--import-realm` takes (one realm object of the representation's shapes), and
that its clients, roles and mappers carry the names the platform's default settings use.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from nastavnik.settings import Settings
from tests.deploy.compose_file import DEPLOY, environment, load, read_env_file

REALM_EXPORT = DEPLOY / "keycloak" / "realm-export.json"


@pytest.fixture(scope="module")
def realm() -> dict[str, Any]:
    document = json.loads(REALM_EXPORT.read_text(encoding="utf-8"))
    assert isinstance(document, dict), "--import-realm takes one realm object per file"
    return document


def clients(realm: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["clientId"]: c for c in realm["clients"]}


def test_the_realm_is_the_one_the_platform_and_compose_name(realm: dict[str, Any]) -> None:
    assert realm["realm"] == Settings().keycloak_realm
    compose, _ = load(
        (DEPLOY / "compose.yaml").read_text(encoding="utf-8"), read_env_file(DEPLOY / ".env.example")
    )
    assert environment(compose["services"]["web"])["NASTAVNIK_KEYCLOAK_REALM"] == realm["realm"]
    assert realm["enabled"] is True
    # The organization claim needs Keycloak's Organizations feature on the realm.
    assert realm["organizationsEnabled"] is True


def test_representation_shapes(realm: dict[str, Any]) -> None:
    # The types RealmRepresentation's fields have: a wrong shape makes the import fail or be ignored.
    assert all(isinstance(realm[k], int) for k in ("accessTokenLifespan", "ssoSessionIdleTimeout"))
    assert realm["sslRequired"] in ("all", "external", "none")
    assert isinstance(realm["roles"]["realm"], list)
    for client in realm["clients"]:
        assert isinstance(client["clientId"], str)
        assert all(isinstance(v, str) for v in client.get("attributes", {}).values()), client["clientId"]
        for mapper in client.get("protocolMappers", []):
            assert mapper["protocol"] == "openid-connect"
            assert all(isinstance(v, str) for v in mapper["config"].values()), mapper["name"]
    for scope in realm["clientScopes"]:
        assert all(isinstance(v, str) for v in scope.get("attributes", {}).values()), scope["name"]


def test_clients_are_the_ones_the_settings_name(realm: dict[str, Any]) -> None:
    settings = Settings()
    by_id = clients(realm)
    web = by_id[settings.keycloak_client_id]
    assert web["publicClient"] is False
    assert web["standardFlowEnabled"] is True
    assert web["attributes"]["pkce.code.challenge.method"] == "S256"
    assert settings.allowed_azp == {settings.keycloak_client_id}
    # The audience the platform demands is added to the web client's access tokens.
    audiences = [
        m["config"]["included.client.audience"]
        for m in web["protocolMappers"]
        if m["protocolMapper"] == "oidc-audience-mapper" and m["config"].get("access.token.claim") == "true"
    ]
    assert audiences == [settings.keycloak_audience]
    assert by_id[settings.keycloak_audience]["bearerOnly"] is True
    admin = by_id[settings.keycloak_admin_client_id]
    assert admin["serviceAccountsEnabled"] is True
    assert admin["publicClient"] is False
    account = next(u for u in realm["users"] if u.get("serviceAccountClientId") == admin["clientId"])
    assert {"manage-users", "view-users"} <= set(account["clientRoles"]["realm-management"])
    # The organization scope the sign-in asks for (nastavnik.auth.oidc.SCOPE) exists and is offered.
    assert "organization" in web["optionalClientScopes"]
    assert "organization" in {s["name"] for s in realm["clientScopes"]}


def test_redirects_cover_the_compose_default_address(realm: dict[str, Any]) -> None:
    # keycloak-config sets the deployment's own address at every start; the import already admits the
    # example's, so sign-in works even before it has run.
    public = read_env_file(DEPLOY / ".env.example")["NASTAVNIK_PUBLIC_URL"].rstrip("/")
    web = clients(realm)[Settings().keycloak_client_id]
    assert f"{public}/auth/callback" in web["redirectUris"]
    assert f"{public}/login" in web["attributes"]["post.logout.redirect.uris"].split("##")


def test_realm_roles_are_the_ones_the_settings_name(realm: dict[str, Any]) -> None:
    settings = Settings()
    names = {role["name"] for role in realm["roles"]["realm"]}
    wanted = {getattr(settings, f) for f in Settings.model_fields if f.startswith("role_")}
    assert len(wanted) == 5
    assert wanted <= names
