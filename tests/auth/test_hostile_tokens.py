"""A corpus of hostile tokens, each sent over HTTP to a tenant route: every one is a 401, none a 500."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable

import httpx
import pytest
from jwcrypto import jwk
from litestar import Litestar

from nastavnik.models.identity import Identity
from nastavnik.runtime import Runtime
from nastavnik_dev.issuer.realm import Issuer
from tests.auth.conftest import SsoPerson, enrol
from tests.auth.tokens import b64, raw_sign, sign, unsigned, valid_claims
from tests.support.http import asgi_transport
from tests.support.world import World

Forger = Callable[[Issuer, SsoPerson], str]
ATTACKER = jwk.JWK.generate(kty="RSA", size=2048, kid="attacker-key")


def _hs256_with_public_key(issuer: Issuer, who: SsoPerson) -> str:
    """The classic confusion: HMAC keyed with the realm's public key, hoping it is used as a secret."""
    pem = issuer.realm.keys.current.export_to_pem(private_key=False, password=None)
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": issuer.realm.keys.current["kid"]}).encode())
    payload = b64(json.dumps(valid_claims(issuer, who.user.id)).encode())
    mac = hmac.new(pem, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{b64(mac)}"


def _tampered(issuer: Issuer, who: SsoPerson) -> str:
    header, _, signature = sign(valid_claims(issuer, who.user.id), issuer.realm.keys.current).split(".")
    payload = b64(json.dumps(valid_claims(issuer, who.user.id, organization=["school-b"])).encode())
    return f"{header}.{payload}.{signature}"


def _key(issuer: Issuer) -> jwk.JWK:
    return issuer.realm.keys.current


CORPUS: dict[str, Forger] = {
    "alg none": lambda i, w: unsigned(valid_claims(i, w.user.id)),
    "alg none, kid of the realm": lambda i, w: unsigned(valid_claims(i, w.user.id), kid=_key(i)["kid"]),
    "HS256 keyed with the realm's public key": _hs256_with_public_key,
    "RS384, not on the allow-list": lambda i, w: sign(valid_claims(i, w.user.id), _key(i), alg="RS384"),
    "PS256, not on the allow-list": lambda i, w: sign(valid_claims(i, w.user.id), _key(i), alg="PS256"),
    "unknown kid": lambda i, w: sign(valid_claims(i, w.user.id), ATTACKER),
    "realm's kid, attacker's signature": lambda i, w: sign(
        valid_claims(i, w.user.id), ATTACKER, kid=_key(i)["kid"]
    ),
    "signature of another payload": _tampered,
    "expired": lambda i, w: sign(valid_claims(i, w.user.id, exp=int(time.time()) - 120), _key(i)),
    "not yet valid": lambda i, w: sign(valid_claims(i, w.user.id, nbf=int(time.time()) + 600), _key(i)),
    "wrong issuer": lambda i, w: sign(
        valid_claims(i, w.user.id, iss="https://evil.example/realms/nastavnik"), _key(i)
    ),
    "issuer prefix": lambda i, w: sign(valid_claims(i, w.user.id, iss=i.issuer[:-3]), _key(i)),
    "issuer with a suffix": lambda i, w: sign(valid_claims(i, w.user.id, iss=i.issuer + "-evil"), _key(i)),
    "issuer as a substring": lambda i, w: sign(valid_claims(i, w.user.id, iss="x" + i.issuer), _key(i)),
    "another realm": lambda i, w: sign(valid_claims(i, w.user.id, iss=f"{i.base_url}/realms/other"), _key(i)),
    "missing audience": lambda i, w: sign(
        {k: v for k, v in valid_claims(i, w.user.id).items() if k != "aud"}, _key(i)
    ),
    "foreign audience": lambda i, w: sign(valid_claims(i, w.user.id, aud=["account", "other-api"]), _key(i)),
    "unapproved azp": lambda i, w: sign(valid_claims(i, w.user.id, azp="some-other-client"), _key(i)),
    "ID token as access token": lambda i, w: sign(valid_claims(i, w.user.id, typ="ID"), _key(i)),
    "refresh token as access token": lambda i, w: sign(valid_claims(i, w.user.id, typ="Refresh"), _key(i)),
    "missing sub": lambda i, w: sign(
        {k: v for k, v in valid_claims(i, w.user.id).items() if k != "sub"}, _key(i)
    ),
    "missing exp": lambda i, w: sign(
        {k: v for k, v in valid_claims(i, w.user.id).items() if k != "exp"}, _key(i)
    ),
    "exp as a string": lambda i, w: sign(
        valid_claims(i, w.user.id, exp=str(int(time.time()) + 300)), _key(i)
    ),
    "unknown crit header": lambda i, w: raw_sign(
        {"alg": "RS256", "kid": _key(i)["kid"], "crit": ["x-evil"], "x-evil": 1},
        valid_claims(i, w.user.id),
        _key(i),
    ),
    "jku injection": lambda i, w: sign(valid_claims(i, w.user.id), ATTACKER, jku="http://evil.example/jwks"),
    "x5u injection": lambda i, w: sign(
        valid_claims(i, w.user.id), ATTACKER, x5u="http://evil.example/cert.pem"
    ),
    "jwk injection": lambda i, w: sign(
        valid_claims(i, w.user.id), ATTACKER, jwk=ATTACKER.export_public(as_dict=True)
    ),
    "JWE, five parts": lambda i, w: ".".join(b64(f"part{n}".encode()) for n in range(5)),
    "one megabyte": lambda i, w: "a" * (1024 * 1024),
    "broken base64": lambda i, w: "eyJhbGciOiJSUzI1NiJ9.@@@not-base64@@@.c2ln",
    "not a token": lambda i, w: "hello",
    "empty": lambda i, w: "",
}


def test_the_corpus_is_large_enough() -> None:
    assert len(CORPUS) >= 20


async def test_a_valid_token_is_accepted(sso_app: Litestar, issuer: Issuer, sso_curator: SsoPerson) -> None:
    """The control: without it every 401 below could be a broken setup."""
    token = sign(valid_claims(issuer, sso_curator.user.id), issuer.realm.keys.current)
    async with _client(sso_app) as client:
        response = await client.get(
            f"/api/o/{sso_curator.org.slug}/people", headers={"Authorization": f"Bearer {token}"}
        )
    assert response.status_code == 200, response.text
    assert sso_curator.org.canary in response.text


@pytest.mark.parametrize("kind", sorted(CORPUS))
async def test_hostile_token_is_refused(
    sso_app: Litestar, issuer: Issuer, sso_curator: SsoPerson, kind: str
) -> None:
    token = CORPUS[kind](issuer, sso_curator)
    async with _client(sso_app) as client:
        response = await client.get(
            f"/api/o/{sso_curator.org.slug}/people", headers={"Authorization": f"Bearer {token}"}
        )
    assert response.status_code == 401, f"{kind}: {response.status_code} {response.text[:200]}"
    assert response.headers["content-type"] == "application/problem+json"
    assert sso_curator.org.canary not in response.text


@pytest.mark.parametrize(
    "header", ["Basic dXNlcjpwYXNz", "Bearer", "bearer  ", "Token abc", "Bearer a.b.c.d.e"]
)
async def test_malformed_authorization_headers(
    sso_app: Litestar, sso_curator: SsoPerson, header: str
) -> None:
    async with _client(sso_app) as client:
        response = await client.get(
            f"/api/o/{sso_curator.org.slug}/people", headers={"Authorization": header}
        )
    assert response.status_code == 401


async def test_an_organisation_the_token_does_not_admit_is_404(
    sso_app: Litestar, issuer: Issuer, sso_curator: SsoPerson, world: World
) -> None:
    """Even with a platform membership, the person enters only organisations the Organizations claim names."""
    token = sign(valid_claims(issuer, sso_curator.user.id, organization=[]), issuer.realm.keys.current)
    async with _client(sso_app) as client:
        response = await client.get(
            f"/api/o/{sso_curator.org.slug}/people", headers={"Authorization": f"Bearer {token}"}
        )
    assert response.status_code == 404


async def test_both_shapes_of_the_organization_claim(
    sso_app: Litestar, issuer: Issuer, sso_curator: SsoPerson
) -> None:
    as_map = {sso_curator.org.slug: {"id": "x", "attributes": {}}}
    token = sign(valid_claims(issuer, sso_curator.user.id, organization=as_map), issuer.realm.keys.current)
    async with _client(sso_app) as client:
        response = await client.get(
            f"/api/o/{sso_curator.org.slug}/people", headers={"Authorization": f"Bearer {token}"}
        )
    assert response.status_code == 200


async def test_a_deactivated_persons_token_stops_working(
    sso_app: Litestar, runtime: Runtime, issuer: Issuer, world: World
) -> None:
    who = await enrol(runtime, issuer, world.orgs["school_a"], "uvolena", "mentor")
    token = sign(valid_claims(issuer, who.user.id), issuer.realm.keys.current)
    url = f"/api/o/{who.org.slug}"
    async with _client(sso_app) as client:
        before = await client.get(url, headers={"Authorization": f"Bearer {token}"})
        async with runtime.owner_sessions() as db:
            identity = await db.get(Identity, who.identity_id)
            assert identity is not None
            identity.active = False
            await db.commit()
        after = await client.get(url, headers={"Authorization": f"Bearer {token}"})
    assert before.status_code == 200
    assert after.status_code == 401


def _client(app: Litestar) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=asgi_transport(app), base_url="http://testserver")


def test_padding_helper_round_trips() -> None:
    assert base64.urlsafe_b64decode(b64(b"abc") + "=") == b"abc"


async def test_raw_signing_makes_valid_tokens(
    sso_app: Litestar, issuer: Issuer, sso_curator: SsoPerson
) -> None:
    """Control for the crit case: the same construction without crit is accepted."""
    key = issuer.realm.keys.current
    token = raw_sign({"alg": "RS256", "kid": key["kid"]}, valid_claims(issuer, sso_curator.user.id), key)
    async with _client(sso_app) as client:
        response = await client.get(
            f"/api/o/{sso_curator.org.slug}/people", headers={"Authorization": f"Bearer {token}"}
        )
    assert response.status_code == 200


async def test_bearer_requests_and_anonymous_pages_leave_no_session(
    sso_app: Litestar, app: Litestar, issuer: Issuer, sso_curator: SsoPerson, runtime: Runtime
) -> None:
    namespace = runtime.redis_key("session")

    async def sessions() -> int:
        return len([k async for k in runtime.redis.scan_iter(match=f"{namespace}*")])

    before = await sessions()
    token = sign(valid_claims(issuer, sso_curator.user.id), issuer.realm.keys.current)
    async with _client(sso_app) as client:
        for _ in range(5):
            api = await client.get(
                f"/api/o/{sso_curator.org.slug}/people", headers={"Authorization": f"Bearer {token}"}
            )
            assert api.status_code == 200
            assert "session=" not in api.headers.get("set-cookie", "")
    async with _client(app) as client:  # the app without single sign-on: anonymous pages
        for path in ("/", "/login", "/o/no-such-org/"):
            anonymous = await client.get(path)
            assert anonymous.status_code in (200, 302)
            assert "session=" not in anonymous.headers.get("set-cookie", "")
    assert await sessions() == before
