"""Verifying Keycloak access tokens (docs/security.md: Identity).

Every refusal raises :class:`TokenRejected`, which the web layer answers with 401. The
checks are ordered cheapest first, so a malformed or oversized token costs microseconds.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jwcrypto import jwk, jws
from jwcrypto.common import JWException

from nastavnik.auth.keyset import KeySet

ALLOWED_ALGS = ("RS256",)
MAX_TOKEN_BYTES = 8192
MAX_LEEWAY = 60
VERIFIED_CACHE_SIZE = 4096
"""Access tokens kept verified (each until it expires): a client sends the same token with every request
until it refreshes it, and checking its RSA signature again costs a quarter of a millisecond."""
# Header parameters that would let a token choose its own key: never honoured, always refused.
KEY_CHOOSING_HEADERS = {"jku", "x5u", "jwk", "x5c"}


class TokenRejected(Exception):
    """The token is not acceptable. The reason is logged, never shown to the client."""


@dataclass(frozen=True, slots=True)
class VerifiedToken:
    issuer: str
    subject: str
    authorized_party: str
    realm_roles: frozenset[str]
    organizations: frozenset[str]
    display_name: str
    expires_at: int
    claims: dict[str, Any]
    key_id: str = ""
    """The id of the realm's key that verified the signature."""


def _b64json(segment: str) -> Any:
    padded = segment + "=" * (-len(segment) % 4)
    try:
        return json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (binascii.Error, ValueError, UnicodeError) as exc:
        raise TokenRejected("malformed segment") from exc


def organizations_of(claim: Any) -> frozenset[str]:
    """Keycloak's ``organization`` claim: a list of aliases, or a map alias -> {id, attributes}."""
    if isinstance(claim, list):
        return frozenset(a for a in claim if isinstance(a, str))
    if isinstance(claim, dict):
        return frozenset(a for a in claim if isinstance(a, str))
    return frozenset()


class TokenVerifier:
    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        allowed_azp: frozenset[str],
        keys: KeySet,
        leeway: int = 30,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not 0 <= leeway <= MAX_LEEWAY:
            raise ValueError(f"leeway must be within 0..{MAX_LEEWAY} seconds")
        self.issuer = issuer
        self.audience = audience
        self.allowed_azp = allowed_azp
        self.keys = keys
        self.leeway = leeway
        self.clock = clock
        # token -> (what it verified to, the key that verified it). Only tokens that passed every check;
        # a refusal is never kept, so a hostile token costs its checks every time (cheapest first).
        self._verified: dict[str, tuple[VerifiedToken, jwk.JWK]] = {}

    async def verify(self, token: str) -> VerifiedToken:
        """An access token for our API, or TokenRejected.

        A token verified before is answered from memory while it has not expired and the key that signed
        it is still the realm's key of its id (a key rotated out or replaced sends it through every check
        again); the time checks run again on every use."""
        kept = self._verified.get(token)
        if kept is not None:
            verified, key = kept
            if self.keys.keys.get(verified.key_id) is key and self._still_valid(verified):
                return verified
            del self._verified[token]
        claims, kid, key = await self._signed_claims_and_key(token)
        verified = self._check_claims(claims, key_id=kid)
        if len(self._verified) >= VERIFIED_CACHE_SIZE:
            del self._verified[next(iter(self._verified))]  # the oldest: bounded memory
        self._verified[token] = (verified, key)
        return verified

    @property
    def kept(self) -> int:
        """How many verified tokens are kept."""
        return len(self._verified)

    def _still_valid(self, verified: VerifiedToken) -> bool:
        now = self.clock()
        nbf = verified.claims.get("nbf")
        return now <= verified.expires_at + self.leeway and (nbf is None or now >= nbf - self.leeway)

    async def verify_id_token(self, token: str, *, client_id: str, nonce: str) -> dict[str, Any]:
        """The ID token of a login we started: ours by audience, bound to the login by its nonce."""
        claims = await self._signed_claims(token)
        now = self.clock()
        exp = claims.get("exp")
        if claims.get("iss") != self.issuer or claims.get("typ") != "ID":
            raise TokenRejected("not an ID token of this realm")
        audience = claims.get("aud")
        if audience != client_id and not (isinstance(audience, list) and client_id in audience):
            raise TokenRejected("ID token for another client")
        if not isinstance(exp, int) or now > exp + self.leeway:
            raise TokenRejected("expired ID token")
        if not nonce or claims.get("nonce") != nonce:
            raise TokenRejected("nonce does not match the login")
        return claims

    async def _signed_claims(self, token: str) -> dict[str, Any]:
        claims, _, _ = await self._signed_claims_and_key(token)
        return claims

    async def _signed_claims_and_key(self, token: str) -> tuple[dict[str, Any], str, jwk.JWK]:
        if not token or len(token) > MAX_TOKEN_BYTES:
            raise TokenRejected("empty or oversized token")
        parts = token.split(".")
        if len(parts) != 3:  # five parts would be an encrypted JWE: never accepted
            raise TokenRejected("not a signed compact JWT")
        header = _b64json(parts[0])
        if not isinstance(header, dict):
            raise TokenRejected("header is not an object")
        if header.get("alg") not in ALLOWED_ALGS:
            raise TokenRejected(f"algorithm {header.get('alg')!r} not allowed")
        if "crit" in header:
            raise TokenRejected("critical header parameters are not understood")
        if KEY_CHOOSING_HEADERS & header.keys():
            raise TokenRejected("a token may not name its own key")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise TokenRejected("no key id")
        key = await self.keys.key_for(kid)
        if key is None:
            raise TokenRejected("unknown key id")
        try:
            signed = jws.JWS()
            signed.deserialize(token)
            signed.verify(key, alg="RS256")
        except (JWException, ValueError, TypeError) as exc:
            raise TokenRejected("bad signature") from exc
        claims = _b64json(parts[1])
        if not isinstance(claims, dict):
            raise TokenRejected("claims are not an object")
        return claims, kid, key

    def _check_claims(self, claims: dict[str, Any], *, key_id: str = "") -> VerifiedToken:
        if claims.get("iss") != self.issuer:
            raise TokenRejected("wrong issuer")
        audience = claims.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.audience not in audiences:
            raise TokenRejected("not for this audience")
        if claims.get("typ") != "Bearer":
            raise TokenRejected("not an access token")
        if claims.get("azp") not in self.allowed_azp:
            raise TokenRejected("unapproved authorized party")
        now = self.clock()
        exp, nbf = claims.get("exp"), claims.get("nbf")
        if not isinstance(exp, int) or isinstance(exp, bool) or now > exp + self.leeway:
            raise TokenRejected("expired or no expiry")
        if nbf is not None and (not isinstance(nbf, int) or now < nbf - self.leeway):
            raise TokenRejected("not yet valid")
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject:
            raise TokenRejected("no subject")
        realm_access = claims.get("realm_access")
        roles = realm_access.get("roles", []) if isinstance(realm_access, dict) else []
        name = claims.get("name") or claims.get("preferred_username") or subject
        return VerifiedToken(
            issuer=self.issuer,
            subject=subject,
            authorized_party=str(claims["azp"]),
            realm_roles=frozenset(r for r in roles if isinstance(r, str)),
            organizations=organizations_of(claims.get("organization")),
            display_name=str(name)[:200],
            expires_at=exp,
            claims=claims,
            key_id=key_id,
        )
