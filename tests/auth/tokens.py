"""Making tokens for tests: real ones from the issuer, and forgeries."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

from jwcrypto import jwk, jws

from nastavnik_dev.issuer.minting import access_claims
from nastavnik_dev.issuer.realm import Issuer


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def valid_claims(issuer: Issuer, user_id: str, **changes: Any) -> dict[str, Any]:
    realm = issuer.realm
    claims = access_claims(
        realm,
        issuer.issuer,
        realm.clients["nastavnik-web"],
        realm.users[user_id],
        session_id="s",
        scope="openid organization",
        now=int(time.time()),
    )
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def sign(claims: dict[str, Any], key: jwk.JWK, *, alg: str = "RS256", **header: Any) -> str:
    protected = {"alg": alg, "typ": "JWT", "kid": key.get("kid"), **header}
    protected = {k: v for k, v in protected.items() if v is not None}
    token = jws.JWS(json.dumps(claims).encode())
    token.add_signature(key, alg=alg, protected=json.dumps(protected))
    return str(token.serialize(compact=True))


def unsigned(claims: dict[str, Any], **header: Any) -> str:
    return f"{b64(json.dumps({'alg': 'none', 'typ': 'JWT', **header}).encode())}.{b64(json.dumps(claims).encode())}."


def raw_sign(header: dict[str, Any], claims: dict[str, Any], key: jwk.JWK) -> str:
    """RS256 over any header at all, for headers a well-behaved library refuses to produce."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"
    signature = key.get_op_key("sign").sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{b64(signature)}"
