"""The page login: OpenID Connect authorization code flow with PKCE, through python-keycloak.

The same client code talks to a real Keycloak and to the development issuer.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from keycloak import KeycloakOpenID
from keycloak.exceptions import KeycloakError

from nastavnik.auth.tokens import TokenRejected, TokenVerifier, VerifiedToken
from nastavnik.settings import Settings

SCOPE = "openid organization"


class LoginFailed(Exception):
    """The callback cannot complete a login; ``reason`` goes to the audit log, never to the page."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class LoginRequest:
    url: str
    state: str
    nonce: str
    verifier: str


@dataclass(frozen=True, slots=True)
class CompletedLogin:
    access: VerifiedToken
    id_token: str


def pkce_challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


class OidcClient:
    def __init__(self, settings: Settings, verifier: TokenVerifier) -> None:
        if settings.keycloak_url is None:
            raise ValueError("single sign-on needs NASTAVNIK_KEYCLOAK_URL")
        secret = (
            settings.keycloak_client_secret.get_secret_value() if settings.keycloak_client_secret else None
        )
        self.settings = settings
        self.verifier = verifier
        self.keycloak = KeycloakOpenID(
            server_url=settings.keycloak_url,
            realm_name=settings.keycloak_realm,
            client_id=settings.keycloak_client_id,
            client_secret_key=secret,
        )
        self._discovery: dict[str, Any] | None = None

    @property
    def redirect_uri(self) -> str:
        return f"{self.settings.public_url.rstrip('/')}/auth/callback"

    async def discovery(self) -> dict[str, Any]:
        if self._discovery is None:
            self._discovery = dict(await self.keycloak.a_well_known())
        return self._discovery

    async def start(self) -> LoginRequest:
        state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        verifier = secrets.token_urlsafe(64)
        query = {
            "client_id": self.settings.keycloak_client_id,
            "response_type": "code",
            "redirect_uri": self.redirect_uri,
            "scope": SCOPE,
            "state": state,
            "nonce": nonce,
            "code_challenge": pkce_challenge(verifier),
            "code_challenge_method": "S256",
        }
        endpoint = (await self.discovery())["authorization_endpoint"]
        return LoginRequest(url=f"{endpoint}?{urlencode(query)}", state=state, nonce=nonce, verifier=verifier)

    async def complete(self, *, code: str, verifier: str, nonce: str) -> CompletedLogin:
        try:
            tokens = await self.keycloak.a_token(
                grant_type="authorization_code",
                code=code,
                redirect_uri=self.redirect_uri,
                code_verifier=verifier,
            )
        except KeycloakError as exc:
            raise LoginFailed(f"code exchange refused: {exc.response_code}") from exc
        try:
            access = await self.verifier.verify(str(tokens["access_token"]))
            id_token = str(tokens["id_token"])
            claims = await self.verifier.verify_id_token(
                id_token, client_id=self.settings.keycloak_client_id, nonce=nonce
            )
        except (TokenRejected, KeyError) as exc:
            raise LoginFailed(f"tokens rejected: {exc}") from exc
        if claims.get("sub") != access.subject:
            raise LoginFailed("ID and access tokens name different people")
        return CompletedLogin(access=access, id_token=id_token)

    async def logout_url(self, id_token: str | None, after: str) -> str:
        endpoint = (await self.discovery())["end_session_endpoint"]
        query = {"post_logout_redirect_uri": after, "client_id": self.settings.keycloak_client_id}
        if id_token:
            query["id_token_hint"] = id_token
        return f"{endpoint}?{urlencode(query)}"
