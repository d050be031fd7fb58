"""The realm's keys: rotation picked up with one fetch, floods of unknown kids cost at most one
fetch a minute, and valid tokens keep verifying while the issuer is down."""

from __future__ import annotations

import asyncio
import secrets

import httpx
import pytest
from jwcrypto import jwk

from nastavnik.auth.keyset import KeySet
from nastavnik.auth.tokens import TokenRejected, TokenVerifier
from nastavnik.settings import Settings
from nastavnik_dev.issuer.realm import Issuer, User
from nastavnik_dev.issuer.server import running_issuer
from tests.auth.tokens import sign, valid_claims


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def verifier_for(issuer: Issuer, http: httpx.AsyncClient, clock: FakeClock) -> TokenVerifier:
    keys = KeySet(issuer.endpoint("certs"), http, min_interval=60, clock=clock)
    return TokenVerifier(
        issuer=issuer.issuer, audience="nastavnik-api", allowed_azp=frozenset({"nastavnik-web"}), keys=keys
    )


def member(issuer: Issuer) -> str:
    user = issuer.realm.add_user(User(id=secrets.token_hex(8), username=f"rot-{secrets.token_hex(4)}"))
    return user.id


async def test_a_rotated_key_is_accepted_after_one_fetch() -> None:
    """On an issuer of its own: rotating the session's shared issuer would change every later test's keys."""
    clock = FakeClock()
    async with httpx.AsyncClient() as http, running_issuer(Settings(dev_issuer=True)) as issuer:
        verifier = verifier_for(issuer, http, clock)
        user_id = member(issuer)
        await verifier.verify(sign(valid_claims(issuer, user_id), issuer.realm.keys.current))
        assert verifier.keys.fetches == 1
        issuer.realm.keys.rotate()
        clock.now += 61
        token = sign(valid_claims(issuer, user_id), issuer.realm.keys.current)
        verified = await verifier.verify(token)
        assert verified.subject == user_id
        assert verifier.keys.fetches == 2
        await verifier.verify(token)
        assert verifier.keys.fetches == 2  # cached from now on


async def test_ten_thousand_random_kids_cost_one_fetch_a_minute(issuer: Issuer) -> None:
    clock = FakeClock()
    async with httpx.AsyncClient() as http:
        verifier = verifier_for(issuer, http, clock)
        user_id = member(issuer)
        claims = valid_claims(issuer, user_id)
        await verifier.verify(sign(claims, issuer.realm.keys.current))
        attacker = jwk.JWK.generate(kty="RSA", size=2048)
        token = sign(claims, attacker)
        header_free = token.split(".", 1)[1]
        rejected = 0
        for n in range(10_000):
            if n == 5_000:
                clock.now += 60  # a minute passes halfway: one more fetch is allowed, no more
            forged_header = sign(claims, attacker, kid=f"random-{secrets.token_hex(6)}").split(".", 1)[0]
            try:
                await verifier.verify(f"{forged_header}.{header_free}")
            except TokenRejected:
                rejected += 1
    assert rejected == 10_000
    assert verifier.keys.fetches == 2  # the first fetch, then one in the second minute


async def test_valid_tokens_verify_while_the_issuer_is_down() -> None:
    clock = FakeClock()
    async with httpx.AsyncClient() as http:
        async with running_issuer(Settings(dev_issuer=True)) as issuer:
            verifier = verifier_for(issuer, http, clock)
            user_id = member(issuer)
            token = sign(valid_claims(issuer, user_id), issuer.realm.keys.current)
            await verifier.verify(token)
        # The issuer is gone: the cached keys keep serving, and an unknown kid is refused, not an error.
        clock.now += 120
        assert (await verifier.verify(token)).subject == user_id
        unknown = jwk.JWK.generate(kty="RSA", size=2048, kid="not-yet-published")
        unknown_token = sign(valid_claims(issuer, user_id), unknown)
        with pytest.raises(TokenRejected):
            await verifier.verify(unknown_token)
        assert verifier.keys.fetches == 2  # it tried once, failed, and kept the keys


async def test_the_issuer_refuses_to_start_unless_enabled_and_never_in_production() -> None:
    from nastavnik.settings import Mode
    from nastavnik_dev.issuer.server import IssuerRefused

    with pytest.raises(IssuerRefused, match="only when"):
        async with running_issuer(Settings()):
            pass
    with pytest.raises(IssuerRefused, match="never runs in production"):
        async with running_issuer(Settings(mode=Mode.PRODUCTION, dev_issuer=True)):
            pass


async def test_concurrent_requests_on_a_cold_cache_all_verify_with_one_fetch(issuer: Issuer) -> None:
    """Requests arriving while the first fetch is in flight wait for it instead of being refused."""
    clock = FakeClock()

    async def slow_jwks(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.05)  # a key server that takes its time
        return httpx.Response(200, json=issuer.realm.keys.jwks())

    async with httpx.AsyncClient(transport=httpx.MockTransport(slow_jwks)) as http:
        verifier = verifier_for(issuer, http, clock)
        token = sign(valid_claims(issuer, member(issuer)), issuer.realm.keys.current)
        results = await asyncio.gather(*(verifier.verify(token) for _ in range(32)), return_exceptions=True)
    assert [r for r in results if isinstance(r, Exception)] == []
    assert verifier.keys.fetches == 1
