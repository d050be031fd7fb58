"""Keycloak's admin REST API, the part the platform's onboarding uses.

Paths, status codes, headers and bodies follow what python-keycloak 7.1.1's ``KeycloakAdmin`` sends and
expects, and what Keycloak 26 answers: a new object's id only in the ``Location`` header of a 201,
204 for updates and deletions, 404 for a missing object, 409 for a duplicate, ``first``/``max``
paging with Keycloak's default page sizes. Permissions follow Keycloak's rules for each area, so a
realm export that production would refuse is refused here too; they are read from the roles in the
caller's token (Keycloak reads the caller's current role mappings, which a token issued here reflects).
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any, TypeVar

from litestar import Request, Response, Router, delete, get, post, put
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.handlers.base import BaseRouteHandler
from litestar.params import FromPath

from nastavnik_dev.issuer.realm import Issuer, Organization, Realm, User

T = TypeVar("T")

REALM_MANAGEMENT = "realm-management"
# Keycloak's composite admin roles: its tokens and permission checks see the roles these include.
IMPLIED_ROLES: dict[str, frozenset[str]] = {
    "view-users": frozenset({"query-users", "query-groups"}),
    "view-clients": frozenset({"query-clients"}),
}
USERS_READ = frozenset({"view-users", "manage-users"})
USERS_WRITE = frozenset({"manage-users"})
# Realm roles are listed to realm viewers and to anyone holding a query role (view-users includes two).
ROLES_READ = frozenset({"view-realm", "manage-realm", "query-users", "query-groups", "query-clients"})
ROLES_WRITE = frozenset({"manage-realm"})
GROUPS_READ = frozenset({"view-users", "manage-users", "query-groups"})
GROUPS_WRITE = frozenset({"manage-users"})
CLIENTS_READ = frozenset({"view-clients", "manage-clients", "query-clients", "query-users"})
# Keycloak 26 asks manage-realm for every organization endpoint, reads included.
ORGANIZATIONS = frozenset({"manage-realm"})

USERS_PAGE, ORGANIZATIONS_PAGE, MEMBERS_PAGE = 100, 10, 10
ACTION_EMAIL_LIFESPAN = 12 * 3600


class AdminError(Exception):
    """An error answer, with the status and body Keycloak gives for the same case."""

    def __init__(self, status: int, body: dict[str, str]) -> None:
        super().__init__(status, body)
        self.status = status
        self.body = body


def not_found(what: str) -> AdminError:
    return AdminError(404, {"error": what})


def conflict(message: str) -> AdminError:
    return AdminError(409, {"errorMessage": message})


def bad_request(message: str) -> AdminError:
    return AdminError(400, {"errorMessage": message})


def unauthorized() -> AdminError:
    return AdminError(401, {"error": "HTTP 401 Unauthorized"})


def _error_response(_: Request[Any, Any, Any], exc: AdminError) -> Response[dict[str, str]]:
    return Response(exc.body, status_code=exc.status)


# ---- authorisation ----


def _token_claims(connection: ASGIConnection[Any, Any, Any, Any], issuer: Issuer) -> dict[str, Any]:
    """The caller's access token; Keycloak also refuses a token whose session or user is gone."""
    header = connection.headers.get("authorization", "")
    if not header.lower().startswith("bearer "):
        raise unauthorized()
    try:
        claims = issuer.verify(header[7:])
    except ValueError as exc:
        raise unauthorized() from exc
    user = issuer.realm.users.get(str(claims.get("sub")))
    if claims.get("sid") not in issuer.realm.sessions or user is None or not user.enabled:
        raise unauthorized()
    return claims


def effective_roles(claims: Mapping[str, Any]) -> set[str]:
    granted = set(claims.get("resource_access", {}).get(REALM_MANAGEMENT, {}).get("roles", []))
    return granted.union(*(IMPLIED_ROLES.get(role, frozenset()) for role in granted))


def admin_guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """Token first, then the realm, then the roles: the order Keycloak answers 401, 404, 403 in."""
    issuer: Issuer = connection.app.state.issuer
    claims = _token_claims(connection, issuer)
    if connection.path_params.get("realm") != issuer.realm.name:
        raise not_found("Realm not found.")
    needed: frozenset[str] = handler.opt["roles"]
    if not needed & effective_roles(claims):
        raise AdminError(403, {"error": "HTTP 403 Forbidden"})


def needs(roles: frozenset[str]) -> dict[str, Any]:
    return {"roles": roles}


# ---- shared lookups and parsing ----


def _realm(state: State) -> Realm:
    issuer: Issuer = state.issuer
    return issuer.realm


def _user(realm: Realm, user_id: str) -> User:
    user = realm.users.get(user_id)
    if user is None:
        raise not_found("User not found")
    return user


def _organization(realm: Realm, org_id: str) -> Organization:
    organization = realm.organizations.get(org_id)
    if organization is None:
        raise not_found("Organization not found.")
    return organization


async def _body(request: Request[Any, Any, Any]) -> Any:
    try:
        return json.loads(await request.body() or b"null")
    except ValueError as exc:
        raise bad_request("Invalid JSON body") from exc


async def _object_body(request: Request[Any, Any, Any]) -> dict[str, Any]:
    body = await _body(request)
    if not isinstance(body, dict):
        raise bad_request("A JSON object was expected")
    return body


async def _list_body(request: Request[Any, Any, Any]) -> list[Any]:
    body = await _body(request)
    if not isinstance(body, list):
        raise bad_request("A JSON array was expected")
    return body


def _int_param(request: Request[Any, Any, Any], name: str) -> int | None:
    value = request.query_params.get(name)
    if value is None or value == "":
        return None
    try:
        return int(value)
    except ValueError as exc:
        raise bad_request(f"Invalid query parameter: {name}") from exc


def _flag(request: Request[Any, Any, Any], name: str) -> bool | None:
    value = request.query_params.get(name)
    return None if value is None else value.lower() == "true"


def _page(request: Request[Any, Any, Any], items: list[T], default_max: int | None) -> list[T]:
    """Keycloak's paging: a negative ``first`` counts as 0, a negative ``max`` means no limit."""
    first = max(_int_param(request, "first") or 0, 0)
    limit = _int_param(request, "max")
    if limit is None:
        limit = default_max
    if limit is None or limit < 0:
        return items[first:]
    return items[first : first + limit]


def _created(request: Request[Any, Any, Any], new_id: str) -> Response[bytes]:
    """201 with the new object's URL and no body, as Keycloak answers.

    python-keycloak takes the id from the Location's last segment, and for a new organization member it
    insists the body is not JSON (an empty body is not; Litestar would serialise ``None`` as ``null``)."""
    location = str(request.url).split("?", 1)[0].rstrip("/") + "/" + new_id
    return Response(b"", status_code=201, headers={"Location": location})


def search_matches(term: str, values: Iterable[str | None]) -> bool:
    """Keycloak's ``search``: prefix by default, ``*`` as a wildcard, ``"..."`` for an exact match."""
    term = term.strip().lower()
    if term in ("", "*"):
        return True
    if len(term) >= 2 and term[0] == term[-1] == '"':
        return any(v is not None and v.lower() == term[1:-1] for v in values)
    pattern = term if "*" in term else term + "*"
    regex = re.compile(".*".join(re.escape(part) for part in pattern.split("*")))
    return any(v is not None and regex.fullmatch(v.lower()) is not None for v in values)


def field_matches(wanted: str, value: str | None, exact: bool) -> bool:
    """Keycloak's attribute filters: case-insensitive, infix unless ``exact``."""
    if value is None:
        return False
    return value.lower() == wanted.lower() if exact else wanted.lower() in value.lower()


# ---- users ----

USER_FIELDS: dict[str, Callable[[User], str | None]] = {
    "username": lambda u: u.username,
    "email": lambda u: u.email,
    "firstName": lambda u: u.first_name,
    "lastName": lambda u: u.last_name,
}


def _user_filter(request: Request[Any, Any, Any]) -> Callable[[User], bool]:
    """The users a users query selects; as in Keycloak, service accounts only show up in field searches."""
    search = request.query_params.get("search")
    fields = {k: v for k in USER_FIELDS if (v := request.query_params.get(k)) is not None}
    exact = bool(_flag(request, "exact"))
    enabled = _flag(request, "enabled")

    def selected(user: User) -> bool:
        if enabled is not None and user.enabled != enabled:
            return False
        if search is not None:
            values = (getter(user) for getter in USER_FIELDS.values())
            return not user.service_account_client and search_matches(search, values)
        if fields:
            return all(field_matches(v, USER_FIELDS[k](user), exact) for k, v in fields.items())
        return not user.service_account_client

    return selected


def _selected_users(request: Request[Any, Any, Any], realm: Realm) -> list[User]:
    selected = _user_filter(request)
    return sorted((u for u in realm.users.values() if selected(u)), key=lambda u: u.username)


def user_representation(user: User, brief: bool = False) -> dict[str, Any]:
    representation = user.as_representation()
    if brief:
        representation.pop("attributes", None)
    return representation


def _check_unique(realm: Realm, user: User) -> None:
    for other in realm.users.values():
        if other.id == user.id:
            continue
        if other.username == user.username:
            raise conflict("User exists with same username")
        if user.email and other.email == user.email:
            raise conflict("User exists with same email")


def _set_password(user: User, credential: Any) -> None:
    """A temporary password makes the user change it at next login, as Keycloak's UPDATE_PASSWORD does."""
    if not isinstance(credential, dict) or credential.get("type", "password") != "password":
        raise bad_request("Only password credentials are supported")
    value = credential.get("value")
    if not isinstance(value, str) or not value:
        raise bad_request("Missing password value")
    user.password = value
    if credential.get("temporary"):
        if "UPDATE_PASSWORD" not in user.required_actions:
            user.required_actions.append("UPDATE_PASSWORD")
    elif "UPDATE_PASSWORD" in user.required_actions:
        user.required_actions.remove("UPDATE_PASSWORD")


def _apply_user_fields(user: User, rep: Mapping[str, Any]) -> None:
    """Fields present in the representation change; absent ones stay, as in Keycloak's update."""
    if "email" in rep:
        user.email = str(rep["email"]).lower() if rep["email"] else None
    if "firstName" in rep:
        user.first_name = str(rep["firstName"]) if rep["firstName"] is not None else None
    if "lastName" in rep:
        user.last_name = str(rep["lastName"]) if rep["lastName"] is not None else None
    if rep.get("enabled") is not None:
        user.enabled = bool(rep["enabled"])
    if rep.get("attributes") is not None:
        user.attributes = _attributes(rep["attributes"])
    if rep.get("requiredActions") is not None:
        actions = rep["requiredActions"]
        if not isinstance(actions, list) or not all(isinstance(a, str) for a in actions):
            raise bad_request("requiredActions must be a list of strings")
        user.required_actions = list(actions)


@get("/users", opt=needs(USERS_READ))
async def list_users(request: Request[Any, Any, Any], state: State) -> list[dict[str, Any]]:
    brief = bool(_flag(request, "briefRepresentation"))
    users = _page(request, _selected_users(request, _realm(state)), USERS_PAGE)
    return [user_representation(u, brief) for u in users]


@get("/users/count", opt=needs(USERS_READ))
async def count_users(request: Request[Any, Any, Any], state: State) -> int:
    return len(_selected_users(request, _realm(state)))


@post("/users", opt=needs(USERS_WRITE))
async def create_user(request: Request[Any, Any, Any], state: State) -> Response[bytes]:
    realm = _realm(state)
    rep = await _object_body(request)
    username = rep.get("username")
    if not isinstance(username, str) or not username.strip():
        raise bad_request("error-user-attribute-required")
    # Keycloak creates a user disabled unless the representation says "enabled": true.
    user = User(id=str(uuid.uuid4()), username=username.strip().lower(), enabled=False)
    _apply_user_fields(user, rep)
    _check_unique(realm, user)
    for credential in rep.get("credentials") or []:
        _set_password(user, credential)
    realm.add_user(user)
    return _created(request, user.id)


@get("/users/{user_id:str}", opt=needs(USERS_READ))
async def get_user(state: State, user_id: FromPath[str]) -> dict[str, Any]:
    return user_representation(_user(_realm(state), user_id))


@put("/users/{user_id:str}", status_code=204, opt=needs(USERS_WRITE))
async def update_user(request: Request[Any, Any, Any], state: State, user_id: FromPath[str]) -> None:
    realm = _realm(state)
    user = _user(realm, user_id)
    rep = await _object_body(request)
    username = rep.get("username")
    if username is not None and str(username).lower() != user.username:
        raise bad_request("error-user-attribute-read-only")  # the export keeps editUsernameAllowed off
    updated = replace(user)  # checked on a copy, so a refused update changes nothing
    _apply_user_fields(updated, rep)
    _check_unique(realm, updated)
    _apply_user_fields(user, rep)


@delete("/users/{user_id:str}", opt=needs(USERS_WRITE))
async def delete_user(state: State, user_id: FromPath[str]) -> None:
    realm = _realm(state)
    user = _user(realm, user_id)
    del realm.users[user.id]
    for organization in realm.organizations.values():
        if user.id in organization.members:
            organization.members.remove(user.id)
    # Deleting a user ends their sessions, so their tokens stop working at once.
    for session_id in [s for s, owner in realm.sessions.items() if owner == user.id]:
        del realm.sessions[session_id]


@put("/users/{user_id:str}/reset-password", status_code=204, opt=needs(USERS_WRITE))
async def reset_password(request: Request[Any, Any, Any], state: State, user_id: FromPath[str]) -> None:
    user = _user(_realm(state), user_id)
    _set_password(user, await _object_body(request))


@put("/users/{user_id:str}/execute-actions-email", status_code=204, opt=needs(USERS_WRITE))
async def execute_actions_email(
    request: Request[Any, Any, Any], state: State, user_id: FromPath[str]
) -> None:
    """Record the email Keycloak would send: the actions travel in the email's link, not on the user."""
    realm = _realm(state)
    user = _user(realm, user_id)
    actions = await _list_body(request)
    if not user.email:
        raise bad_request("User email missing")
    if not user.enabled:
        raise bad_request("User is disabled")
    client_id = request.query_params.get("client_id")
    redirect_uri = request.query_params.get("redirect_uri")
    if redirect_uri and not client_id:
        raise bad_request("Client id missing")
    client = realm.clients.get(client_id) if client_id else None
    if client_id and client is None:
        raise bad_request("Client doesn't exist")
    if client is not None and redirect_uri and redirect_uri not in client.redirect_uris:
        raise bad_request("Invalid redirect uri.")
    realm.sent_emails.append(
        {
            "to": user.email,
            "user_id": user.id,
            "actions": [str(a) for a in actions],
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "lifespan": _int_param(request, "lifespan") or ACTION_EMAIL_LIFESPAN,
            "sent_at": int(time.time()),
        }
    )


# ---- realm roles and a user's realm role mappings ----


def _role_name_by_id(realm: Realm, rep: Any) -> str:
    """Keycloak looks a mapped role up by its id, not its name: a representation without one is unknown."""
    role_id = rep.get("id") if isinstance(rep, dict) else None
    for name, role in realm.roles.items():
        if role_id is not None and role["id"] == role_id:
            return name
    raise not_found("Role not found")


def _role_names(realm: Realm, reps: list[Any]) -> list[str]:
    return [_role_name_by_id(realm, rep) for rep in reps]


@get("/roles", opt=needs(ROLES_READ))
async def list_roles(request: Request[Any, Any, Any], state: State) -> list[dict[str, Any]]:
    search = request.query_params.get("search", "").lower()
    roles = [r for name, r in sorted(_realm(state).roles.items()) if search in name.lower()]
    return _page(request, roles, None)


@post("/roles", opt=needs(ROLES_WRITE))
async def create_role(request: Request[Any, Any, Any], state: State) -> Response[bytes]:
    realm = _realm(state)
    rep = await _object_body(request)
    name = rep.get("name")
    if not isinstance(name, str) or not name:
        raise bad_request("Role name is missing")
    if name in realm.roles:
        raise conflict(f"Role with name {name} already exists")
    realm.roles[name] = {
        "id": str(uuid.uuid4()),
        "name": name,
        "description": rep.get("description", ""),
        "composite": False,
        "clientRole": False,
    }
    return _created(request, name)  # Keycloak's Location names a role by its name


@get("/roles/{role_name:str}", opt=needs(ROLES_READ))
async def get_role(state: State, role_name: FromPath[str]) -> dict[str, Any]:
    role = _realm(state).roles.get(role_name)
    if role is None:
        raise not_found("Could not find role")
    return role


@get("/users/{user_id:str}/role-mappings/realm", opt=needs(USERS_READ))
async def user_realm_roles(state: State, user_id: FromPath[str]) -> list[dict[str, Any]]:
    realm = _realm(state)
    user = _user(realm, user_id)
    return [realm.roles[name] for name in sorted(user.realm_roles) if name in realm.roles]


@post("/users/{user_id:str}/role-mappings/realm", status_code=204, opt=needs(USERS_WRITE))
async def add_user_realm_roles(request: Request[Any, Any, Any], state: State, user_id: FromPath[str]) -> None:
    realm = _realm(state)
    user = _user(realm, user_id)
    user.realm_roles.update(_role_names(realm, await _list_body(request)))


@delete("/users/{user_id:str}/role-mappings/realm", opt=needs(USERS_WRITE))
async def remove_user_realm_roles(
    request: Request[Any, Any, Any], state: State, user_id: FromPath[str]
) -> None:
    realm = _realm(state)
    user = _user(realm, user_id)
    body = await _body(request)
    if body is None:  # Keycloak: no body removes every realm role
        user.realm_roles.clear()
        return
    if not isinstance(body, list):
        raise bad_request("A JSON array was expected")
    user.realm_roles.difference_update(_role_names(realm, body))


# ---- groups (top level only) and clients ----


@get("/groups", opt=needs(GROUPS_READ))
async def list_groups(request: Request[Any, Any, Any], state: State) -> list[dict[str, Any]]:
    search = request.query_params.get("search", "").lower()
    groups = sorted(_realm(state).groups.values(), key=lambda g: str(g["name"]))
    return _page(request, [g for g in groups if search in str(g["name"]).lower()], None)


@post("/groups", opt=needs(GROUPS_WRITE))
async def create_group(request: Request[Any, Any, Any], state: State) -> Response[bytes]:
    realm = _realm(state)
    rep = await _object_body(request)
    name = rep.get("name")
    if not isinstance(name, str) or not name:
        raise bad_request("Group name is missing")
    if any(g["name"] == name for g in realm.groups.values()):
        raise conflict(f"Top level group named '{name}' already exists.")
    group_id = str(uuid.uuid4())
    realm.groups[group_id] = {
        "id": group_id,
        "name": name,
        "path": "/" + name,
        "subGroupCount": 0,
        "subGroups": [],
        "attributes": _attributes(rep.get("attributes") or {}),
    }
    return _created(request, group_id)


@get("/clients", opt=needs(CLIENTS_READ))
async def list_clients(request: Request[Any, Any, Any], state: State) -> list[dict[str, Any]]:
    wanted = request.query_params.get("clientId")
    infix = bool(_flag(request, "search"))
    clients = sorted(_realm(state).clients.values(), key=lambda c: c.client_id)
    if wanted is not None:
        clients = [c for c in clients if (wanted in c.client_id if infix else c.client_id == wanted)]
    return _page(request, [c.as_representation() for c in clients], None)


# ---- organizations ----


def _organization_selected(request: Request[Any, Any, Any]) -> Callable[[Organization], bool]:
    """Keycloak's organization search: by name or domain (infix unless exact), or by attributes (``q``)."""
    search = request.query_params.get("search")
    exact = bool(_flag(request, "exact"))
    query = request.query_params.get("q")
    wanted = dict(part.split(":", 1) for part in query.split() if ":" in part) if query else {}

    def selected(organization: Organization) -> bool:
        if wanted:
            return all(v in organization.attributes.get(k, []) for k, v in wanted.items())
        if search:
            names = [organization.name, *(str(d.get("name", "")) for d in organization.domains)]
            return any(field_matches(search, n, exact) for n in names)
        return True

    return selected


def _check_organization_unique(realm: Realm, organization: Organization) -> None:
    for other in realm.organizations.values():
        if other.id == organization.id:
            continue
        if other.name == organization.name:
            raise conflict("A organization with the same name already exists.")
        if other.alias == organization.alias:
            raise conflict("A organization with the same alias already exists")


def _apply_organization_fields(organization: Organization, rep: Mapping[str, Any]) -> None:
    if rep.get("name"):
        organization.name = str(rep["name"])
    if rep.get("enabled") is not None:
        organization.enabled = bool(rep["enabled"])
    if rep.get("description") is not None:
        organization.description = str(rep["description"])
    if rep.get("domains") is not None:
        organization.domains = _domains(rep["domains"])
    if rep.get("attributes") is not None:
        organization.attributes = _attributes(rep["attributes"])


def _attributes(value: Any) -> dict[str, list[str]]:
    """Keycloak attributes: a map of names to lists of strings (a lone value becomes a list)."""
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        raise bad_request("attributes must be an object of string lists")
    return {k: [str(x) for x in v] if isinstance(v, list) else [str(v)] for k, v in value.items()}


def _domains(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(d, dict) for d in value):
        raise bad_request("domains must be a list of objects")
    return [dict(d) for d in value]


def member_representation(user: User) -> dict[str, Any]:
    # Members added through the admin API are never managed by an identity provider.
    return {**user.as_representation(), "membershipType": "UNMANAGED"}


@get("/organizations", opt=needs(ORGANIZATIONS))
async def list_organizations(request: Request[Any, Any, Any], state: State) -> list[dict[str, Any]]:
    selected = _organization_selected(request)
    found = sorted((o for o in _realm(state).organizations.values() if selected(o)), key=lambda o: o.name)
    return [o.as_representation() for o in _page(request, found, ORGANIZATIONS_PAGE)]


@post("/organizations", opt=needs(ORGANIZATIONS))
async def create_organization(request: Request[Any, Any, Any], state: State) -> Response[bytes]:
    realm = _realm(state)
    rep = await _object_body(request)
    name = rep.get("name")
    if not isinstance(name, str) or not name.strip():
        raise bad_request("Name cannot be null.")
    alias = str(rep.get("alias") or name)  # Keycloak: the alias defaults to the name
    if " " in alias:
        raise bad_request("Alias must not contain spaces")
    organization = Organization(id=str(uuid.uuid4()), alias=alias, name=name)
    _apply_organization_fields(organization, rep)
    _check_organization_unique(realm, organization)
    realm.organizations[organization.id] = organization
    return _created(request, organization.id)


@get("/organizations/{org_id:str}", opt=needs(ORGANIZATIONS))
async def get_organization(state: State, org_id: FromPath[str]) -> dict[str, Any]:
    return _organization(_realm(state), org_id).as_representation()


@put("/organizations/{org_id:str}", status_code=204, opt=needs(ORGANIZATIONS))
async def update_organization(request: Request[Any, Any, Any], state: State, org_id: FromPath[str]) -> None:
    realm = _realm(state)
    organization = _organization(realm, org_id)
    rep = await _object_body(request)
    if rep.get("alias") and rep["alias"] != organization.alias:
        raise bad_request("Cannot change the alias")
    updated = replace(organization)  # checked on a copy, so a refused update changes nothing
    _apply_organization_fields(updated, rep)
    _check_organization_unique(realm, updated)
    _apply_organization_fields(organization, rep)


@delete("/organizations/{org_id:str}", opt=needs(ORGANIZATIONS))
async def delete_organization(state: State, org_id: FromPath[str]) -> None:
    realm = _realm(state)
    del realm.organizations[_organization(realm, org_id).id]


@get("/organizations/{org_id:str}/members", opt=needs(ORGANIZATIONS))
async def list_members(
    request: Request[Any, Any, Any], state: State, org_id: FromPath[str]
) -> list[dict[str, Any]]:
    realm = _realm(state)
    organization = _organization(realm, org_id)
    search = request.query_params.get("search")
    exact = bool(_flag(request, "exact"))
    members = sorted(
        (realm.users[m] for m in organization.members if m in realm.users), key=lambda u: u.username
    )
    if search:
        members = [
            u for u in members if any(field_matches(search, get(u), exact) for get in USER_FIELDS.values())
        ]
    return [member_representation(u) for u in _page(request, members, MEMBERS_PAGE)]


@get("/organizations/{org_id:str}/members/count", opt=needs(ORGANIZATIONS))
async def count_members(state: State, org_id: FromPath[str]) -> int:
    realm = _realm(state)
    return sum(1 for m in _organization(realm, org_id).members if m in realm.users)


@post("/organizations/{org_id:str}/members", opt=needs(ORGANIZATIONS))
async def add_member(request: Request[Any, Any, Any], state: State, org_id: FromPath[str]) -> Response[bytes]:
    """The body is the bare user id: python-keycloak sends it unquoted, Keycloak also accepts it quoted."""
    realm = _realm(state)
    organization = _organization(realm, org_id)
    user_id = (await request.body()).decode("utf-8", "replace").strip().strip('"')
    user = realm.users.get(user_id)
    if user is None:
        raise bad_request("User does not exist")  # Keycloak answers 400 here, not 404
    if user.id in organization.members:
        raise conflict("User is already a member of the organization.")
    organization.members.append(user.id)
    return _created(request, user.id)


@delete("/organizations/{org_id:str}/members/{member_id:str}", opt=needs(ORGANIZATIONS))
async def remove_member(state: State, org_id: FromPath[str], member_id: FromPath[str]) -> None:
    organization = _organization(_realm(state), org_id)
    if member_id not in organization.members:
        raise not_found("HTTP 404 Not Found")
    organization.members.remove(member_id)


@get("/organizations/members/{member_id:str}/organizations", opt=needs(ORGANIZATIONS))
async def member_organizations(state: State, member_id: FromPath[str]) -> list[dict[str, Any]]:
    realm = _realm(state)
    user = _user(realm, member_id)
    found = sorted((o for o in realm.organizations.values() if user.id in o.members), key=lambda o: o.name)
    return [o.as_representation() for o in found]


ADMIN_HANDLERS: list[Router] = [
    Router(
        path="/admin/realms/{realm:str}",
        guards=[admin_guard],
        exception_handlers={AdminError: _error_response},
        route_handlers=[
            list_users,
            count_users,
            create_user,
            get_user,
            update_user,
            delete_user,
            reset_password,
            execute_actions_email,
            list_roles,
            create_role,
            get_role,
            user_realm_roles,
            add_user_realm_roles,
            remove_user_realm_roles,
            list_groups,
            create_group,
            list_clients,
            list_organizations,
            create_organization,
            get_organization,
            update_organization,
            delete_organization,
            list_members,
            count_members,
            add_member,
            remove_member,
            member_organizations,
        ],
    )
]
