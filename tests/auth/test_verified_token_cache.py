"""Verified access tokens kept in memory: never past their expiry, never once their key is gone, never a
refused one, and never more than a bounded number."""

from __future__ import annotations

import httpx
import pytest
from jwcrypto import jwk

from nastavnik.auth import tokens
from nastavnik.auth.keyset import KeySet
from nastavnik.auth.tokens import TokenRejected, TokenVerifier
from nastavnik_dev.issuer.realm import Issuer
from tests.auth.test_key_rotation import FakeClock, member
from tests.auth.tokens import sign, valid_claims


def verifier_for(issuer: Issuer, http: httpx.AsyncClient, clock: FakeClock) -> TokenVerifier:
    keys = KeySet(issuer.endpoint("certs"), http, min_interval=60, clock=clock)
    return TokenVerifier(
        issuer=issuer.issuer,
        audience="nastavnik-api",
        allowed_azp=frozenset({"nastavnik-web"}),
        keys=keys,
        clock=clock,
    )


async def test_a_kept_token_is_refused_once_it_expires(issuer: Issuer) -> None:
    clock = FakeClock()
    async with httpx.AsyncClient() as http:
        verifier = verifier_for(issuer, http, clock)
        token = sign(valid_claims(issuer, member(issuer)), issuer.realm.keys.current)
        verified = await verifier.verify(token)
        assert verifier.kept == 1
        clock.now = verified.expires_at + verifier.leeway  # the last second it is still valid
        assert await verifier.verify(token) == verified
        clock.now += 1
        with pytest.raises(TokenRejected, match="expired"):
            await verifier.verify(token)
        assert verifier.kept == 0


async def test_a_kept_token_is_refused_once_its_key_is_rotated_out_or_replaced(issuer: Issuer) -> None:
    clock = FakeClock()
    async with httpx.AsyncClient() as http:
        verifier = verifier_for(issuer, http, clock)
        token = sign(valid_claims(issuer, member(issuer)), issuer.realm.keys.current)
        verified = await verifier.verify(token)
        realm_keys = dict(verifier.keys.keys)
        # The key set as a later fetch leaves it when the realm dropped the key (no new fetch allowed yet).
        verifier.keys.keys = {kid: key for kid, key in realm_keys.items() if kid != verified.key_id}
        with pytest.raises(TokenRejected, match="unknown key id"):
            await verifier.verify(token)
        # Another key published under the same id: the kept verification does not carry over.
        impostor = jwk.JWK.generate(kty="RSA", size=2048, kid=verified.key_id)
        verifier.keys.keys = {**realm_keys, verified.key_id: jwk.JWK(**impostor.export_public(as_dict=True))}
        with pytest.raises(TokenRejected, match="bad signature"):
            await verifier.verify(token)
        verifier.keys.keys = realm_keys
        assert await verifier.verify(token) == verified


async def test_only_accepted_tokens_are_kept_and_no_more_than_the_bound(
    issuer: Issuer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tokens, "VERIFIED_CACHE_SIZE", 3)
    clock = FakeClock()
    async with httpx.AsyncClient() as http:
        verifier = verifier_for(issuer, http, clock)
        user_id = member(issuer)
        first = sign(valid_claims(issuer, user_id), issuer.realm.keys.current)
        await verifier.verify(first)
        attacker = jwk.JWK.generate(kty="RSA", size=2048, kid=issuer.realm.keys.current.get("kid"))
        forged = sign(valid_claims(issuer, user_id), attacker)
        for _ in range(2):
            with pytest.raises(TokenRejected, match="bad signature"):
                await verifier.verify(forged)
        # A valid token's signature on another payload: a different string, checked in full.
        header, _, signature = first.split(".")
        other_payload = sign(valid_claims(issuer, user_id, name="Другое имя"), attacker).split(".")[1]
        with pytest.raises(TokenRejected, match="bad signature"):
            await verifier.verify(f"{header}.{other_payload}.{signature}")
        assert verifier.kept == 1
        for n in range(4):
            await verifier.verify(sign(valid_claims(issuer, user_id, jti=f"t{n}"), issuer.realm.keys.current))
        assert verifier.kept == 3
        assert (await verifier.verify(first)).subject == user_id  # dropped from memory: verified again
