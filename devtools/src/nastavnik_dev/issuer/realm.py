"""The realm as the issuer holds it: loaded from the Keycloak realm export, changed by the admin API."""

from __future__ import annotations

import json
import secrets
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jwcrypto import jwt
from jwcrypto.common import JWException

from nastavnik_dev.issuer.keys import KeyRing

# The deployment's own realm export, read from the repository this distribution is installed from
# (nastavnik-dev is a workspace member, never a region's package): loading it here tests it.
REALM_EXPORT = Path(__file__).resolve().parents[4] / "deploy" / "keycloak" / "realm-export.json"
CODE_LIFESPAN = 60
ACTION_LIFESPAN = 300  # Keycloak's default lifespan of a login action (e.g. «set a new password»)
REFRESH_LIFESPAN = 1800


@dataclass
class Client:
    client_id: str
    id: str
    secret: str | None
    public: bool
    bearer_only: bool
    standard_flow: bool
    direct_access: bool
    service_account: bool
    redirect_uris: list[str]
    post_logout_redirect_uris: list[str]
    pkce_method: str | None
    audiences: list[str]
    optional_scopes: list[str]

    def as_representation(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "clientId": self.client_id,
            "enabled": True,
            "publicClient": self.public,
            "bearerOnly": self.bearer_only,
            "standardFlowEnabled": self.standard_flow,
            "directAccessGrantsEnabled": self.direct_access,
            "serviceAccountsEnabled": self.service_account,
            "redirectUris": list(self.redirect_uris),
        }


@dataclass
class User:
    id: str
    username: str
    enabled: bool = True
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    password: str | None = None
    realm_roles: set[str] = field(default_factory=set)
    client_roles: dict[str, set[str]] = field(default_factory=dict)
    attributes: dict[str, list[str]] = field(default_factory=dict)
    service_account_client: str | None = None
    required_actions: list[str] = field(default_factory=list)
    created_timestamp: int = field(default_factory=lambda: int(time.time() * 1000))

    @property
    def display_name(self) -> str:
        full = " ".join(p for p in (self.last_name, self.first_name) if p)
        return full or self.username

    def as_representation(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "username": self.username,
            "enabled": self.enabled,
            "email": self.email,
            "firstName": self.first_name,
            "lastName": self.last_name,
            "attributes": self.attributes,
            "requiredActions": self.required_actions,
            "createdTimestamp": self.created_timestamp,
            "emailVerified": False,
        }


@dataclass
class Organization:
    id: str
    alias: str
    name: str
    enabled: bool = True
    description: str = ""
    domains: list[dict[str, Any]] = field(default_factory=list)
    attributes: dict[str, list[str]] = field(default_factory=dict)
    members: list[str] = field(default_factory=list)

    def as_representation(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "alias": self.alias,
            "enabled": self.enabled,
            "description": self.description,
            "domains": self.domains,
            "attributes": self.attributes,
        }


@dataclass
class PendingCode:
    client_id: str
    user_id: str
    redirect_uri: str
    code_challenge: str
    nonce: str | None
    scope: str
    session_id: str
    expires_at: float


@dataclass
class PendingAction:
    """A sign-in that passed the password check and waits for the user's required action."""

    user_id: str
    expires_at: float


@dataclass
class Realm:
    name: str
    clients: dict[str, Client]
    roles: dict[str, dict[str, Any]]
    users: dict[str, User] = field(default_factory=dict)
    organizations: dict[str, Organization] = field(default_factory=dict)
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    keys: KeyRing = field(default_factory=KeyRing)
    codes: dict[str, PendingCode] = field(default_factory=dict)
    actions: dict[str, PendingAction] = field(default_factory=dict)
    sessions: dict[str, str] = field(default_factory=dict)  # session id -> user id
    # There is no mail server in development: the admin API's "send an email" records it here instead.
    sent_emails: list[dict[str, Any]] = field(default_factory=list)
    access_lifespan: int = 300
    refresh_lifespan: int = REFRESH_LIFESPAN

    def user_by_name(self, username: str) -> User | None:
        return next((u for u in self.users.values() if u.username == username.lower()), None)

    def add_user(self, user: User) -> User:
        user.username = user.username.lower()
        self.users[user.id] = user
        return user

    def organizations_of(self, user_id: str) -> list[Organization]:
        return [o for o in self.organizations.values() if o.enabled and user_id in o.members]

    def new_session(self, user_id: str) -> str:
        session_id = str(uuid.uuid4())
        self.sessions[session_id] = user_id
        return session_id

    def new_action(self, user_id: str) -> str:
        token = secrets.token_urlsafe(32)
        self.actions[token] = PendingAction(user_id, time.monotonic() + ACTION_LIFESPAN)
        return token

    def new_code(self, pending: PendingCode) -> str:
        code = secrets.token_urlsafe(32)
        self.codes[code] = pending
        return code


@dataclass
class Issuer:
    """The realm served at ``base_url``: what the OpenID Connect endpoints and the admin API share."""

    realm: Realm
    base_url: str

    @property
    def issuer(self) -> str:
        return f"{self.base_url}/realms/{self.realm.name}"

    def endpoint(self, name: str) -> str:
        return f"{self.issuer}/protocol/openid-connect/{name}"

    def verify(self, token: str, *, typ: str = "Bearer") -> dict[str, Any]:
        """A token this issuer signed, unexpired, of the given type: else ValueError."""
        try:
            keys = jwt.JWKSet()
            for key in (self.realm.keys.current, *self.realm.keys.retired):
                keys.add(key)
            parsed = jwt.JWT(
                jwt=token, key=keys, algs=["RS256"], check_claims={"exp": None, "iss": self.issuer}
            )
            claims: dict[str, Any] = json.loads(parsed.claims)
        except (JWException, ValueError, TypeError) as exc:
            raise ValueError(str(exc)) from exc
        if claims.get("typ") != typ:
            raise ValueError("wrong token type")
        return claims


def load_realm(path: Path = REALM_EXPORT) -> Realm:
    """Read a Keycloak realm export into the issuer's realm (clients, roles, service accounts)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    clients = {}
    for c in data.get("clients", []):
        attributes = c.get("attributes", {})
        audiences = [
            m["config"]["included.client.audience"]
            for m in c.get("protocolMappers", [])
            if m.get("protocolMapper") == "oidc-audience-mapper"
        ]
        clients[c["clientId"]] = Client(
            client_id=c["clientId"],
            id=str(uuid.uuid5(uuid.NAMESPACE_URL, c["clientId"])),
            secret=c.get("secret"),
            public=bool(c.get("publicClient", False)),
            bearer_only=bool(c.get("bearerOnly", False)),
            standard_flow=bool(c.get("standardFlowEnabled", True)),
            direct_access=bool(c.get("directAccessGrantsEnabled", False)),
            service_account=bool(c.get("serviceAccountsEnabled", False)),
            redirect_uris=list(c.get("redirectUris", [])),
            post_logout_redirect_uris=[
                u for u in attributes.get("post.logout.redirect.uris", "").split("##") if u
            ],
            pkce_method=attributes.get("pkce.code.challenge.method"),
            audiences=audiences,
            optional_scopes=list(c.get("optionalClientScopes", [])),
        )
    roles = {
        r["name"]: {
            "id": str(uuid.uuid5(uuid.NAMESPACE_URL, "role/" + r["name"])),
            "name": r["name"],
            "description": r.get("description", ""),
            "composite": False,
            "clientRole": False,
        }
        for r in data.get("roles", {}).get("realm", [])
    }
    realm = Realm(
        name=data["realm"],
        clients=clients,
        roles=roles,
        access_lifespan=int(data.get("accessTokenLifespan", 300)),
    )
    for u in data.get("users", []):
        realm.add_user(
            User(
                id=str(uuid.uuid5(uuid.NAMESPACE_URL, "user/" + u["username"])),
                username=u["username"],
                enabled=bool(u.get("enabled", True)),
                realm_roles=set(u.get("realmRoles", [])),
                client_roles={k: set(v) for k, v in u.get("clientRoles", {}).items()},
                service_account_client=u.get("serviceAccountClientId"),
            )
        )
    return realm
