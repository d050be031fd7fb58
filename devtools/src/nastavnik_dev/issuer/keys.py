"""The issuer's signing keys: one current RSA key, older ones still published after a rotation."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from jwcrypto import jwk


def new_key() -> jwk.JWK:
    return jwk.JWK.generate(kty="RSA", size=2048, kid=secrets.token_urlsafe(12), alg="RS256", use="sig")


@dataclass
class KeyRing:
    current: jwk.JWK = field(default_factory=new_key)
    retired: list[jwk.JWK] = field(default_factory=list)

    def rotate(self) -> jwk.JWK:
        """Sign with a new key from now on; keep publishing the old one so its tokens still verify."""
        self.retired.insert(0, self.current)
        self.current = new_key()
        return self.current

    def jwks(self) -> dict[str, Any]:
        keys = []
        for key in (self.current, *self.retired):
            public = key.export_public(as_dict=True)
            public.update({"alg": "RS256", "use": "sig"})
            keys.append(public)
        return {"keys": keys}

    def public_pem_body(self) -> str:
        pem = self.current.export_to_pem(private_key=False, password=None).decode()
        return "".join(line for line in pem.splitlines() if "-----" not in line)
