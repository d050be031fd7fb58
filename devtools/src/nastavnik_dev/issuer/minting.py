"""Tokens as Keycloak signs them: RS256 JWTs with Keycloak's claims."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from jwcrypto import jwt

from nastavnik_dev.issuer.realm import Client, Realm, User


def sign(realm: Realm, claims: dict[str, Any]) -> str:
    key = realm.keys.current
    token = jwt.JWT(header={"alg": "RS256", "typ": "JWT", "kid": key["kid"]}, claims=json.dumps(claims))
    token.make_signed_token(key)
    return str(token.serialize())


def organization_claim(realm: Realm, user: User) -> list[str]:
    return sorted(o.alias for o in realm.organizations_of(user.id))


def access_claims(
    realm: Realm, issuer: str, client: Client, user: User, session_id: str, scope: str, now: int
) -> dict[str, Any]:
    claims: dict[str, Any] = {
        "exp": now + realm.access_lifespan,
        "iat": now,
        "auth_time": now,
        "jti": str(uuid.uuid4()),
        "iss": issuer,
        "aud": list(client.audiences) or ["account"],
        "sub": user.id,
        "typ": "Bearer",
        "azp": client.client_id,
        "sid": session_id,
        "scope": scope,
        "realm_access": {"roles": sorted(user.realm_roles)},
        "resource_access": {c: {"roles": sorted(r)} for c, r in user.client_roles.items()},
        "preferred_username": user.username,
    }
    if user.first_name or user.last_name:
        claims["name"] = user.display_name
        claims["given_name"] = user.first_name
        claims["family_name"] = user.last_name
    if user.email:
        claims["email"] = user.email
    if "organization" in scope.split():
        claims["organization"] = organization_claim(realm, user)
    return claims


def token_response(
    realm: Realm,
    issuer: str,
    client: Client,
    user: User,
    session_id: str,
    scope: str,
    nonce: str | None = None,
) -> dict[str, Any]:
    now = int(time.time())
    access = access_claims(realm, issuer, client, user, session_id, scope, now)
    refresh = {
        "exp": now + realm.refresh_lifespan,
        "iat": now,
        "jti": str(uuid.uuid4()),
        "iss": issuer,
        "aud": issuer,
        "sub": user.id,
        "typ": "Refresh",
        "azp": client.client_id,
        "sid": session_id,
        "scope": scope,
    }
    response: dict[str, Any] = {
        "access_token": sign(realm, access),
        "expires_in": realm.access_lifespan,
        "refresh_expires_in": realm.refresh_lifespan,
        "refresh_token": sign(realm, refresh),
        "token_type": "Bearer",
        "not-before-policy": 0,
        "session_state": session_id,
        "scope": scope,
    }
    if "openid" in scope.split():
        id_claims = {k: v for k, v in access.items() if k not in ("realm_access", "resource_access", "scope")}
        id_claims.update({"typ": "ID", "aud": client.client_id, "at_hash": None})
        id_claims.pop("at_hash")
        if nonce:
            id_claims["nonce"] = nonce
        response["id_token"] = sign(realm, id_claims)
    return response
