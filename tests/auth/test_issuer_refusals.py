"""What the development issuer enforces, as Keycloak does; each refusal tested over HTTP."""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from nastavnik.auth.oidc import pkce_challenge
from nastavnik_dev.issuer.realm import Issuer, User

WEB = ("nastavnik-web", "nastavnik-web-development-secret")
REDIRECT = "http://127.0.0.1:8000/auth/callback"


@pytest.fixture
async def http(issuer: Issuer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=issuer.issuer + "/protocol/openid-connect", timeout=10) as client:
        yield client


@pytest.fixture
def person(issuer: Issuer) -> User:
    return issuer.realm.add_user(
        User(id=str(uuid.uuid4()), username=f"p-{secrets.token_hex(4)}", password="верно")
    )


def auth_params(verifier: str, **changes: str) -> dict[str, str]:
    params = {
        "client_id": "nastavnik-web",
        "redirect_uri": REDIRECT,
        "response_type": "code",
        "scope": "openid",
        "state": "st",
        "nonce": "nn",
        "code_challenge": pkce_challenge(verifier),
        "code_challenge_method": "S256",
    }
    params.update(changes)
    return {k: v for k, v in params.items() if v != ""}


async def get_code(http: httpx.AsyncClient, person: User, verifier: str, **changes: str) -> httpx.Response:
    return await http.post("/auth", data={**auth_params(verifier, **changes), "pick": person.id})


def code_of(response: httpx.Response) -> str:
    return parse_qs(urlparse(response.headers["location"]).query)["code"][0]


async def exchange(
    http: httpx.AsyncClient,
    code: str,
    verifier: str | None,
    *,
    auth: tuple[str, str] = WEB,
    redirect: str = REDIRECT,
) -> httpx.Response:
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect}
    if verifier is not None:
        data["code_verifier"] = verifier
    return await http.post("/token", data=data, auth=auth)


async def test_a_code_is_single_use(http: httpx.AsyncClient, person: User) -> None:
    verifier = secrets.token_urlsafe(48)
    code = code_of(await get_code(http, person, verifier))
    assert (await exchange(http, code, verifier)).status_code == 200
    replay = await exchange(http, code, verifier)
    assert (replay.status_code, replay.json()["error"]) == (400, "invalid_grant")


async def test_pkce_is_required_and_checked(http: httpx.AsyncClient, person: User) -> None:
    verifier = secrets.token_urlsafe(48)
    no_challenge = await get_code(http, person, verifier, code_challenge="", code_challenge_method="")
    assert "error=invalid_request" in no_challenge.headers["location"]
    plain = await get_code(http, person, verifier, code_challenge_method="plain")
    assert "error=invalid_request" in plain.headers["location"]
    code = code_of(await get_code(http, person, verifier))
    missing = await exchange(http, code, None)
    assert missing.status_code == 400
    assert "verifier" in missing.json()["error_description"]
    code = code_of(await get_code(http, person, verifier))
    wrong = await exchange(http, code, secrets.token_urlsafe(48))
    assert (wrong.status_code, wrong.json()["error"]) == (400, "invalid_grant")


@pytest.mark.parametrize(
    "uri",
    [REDIRECT + "/", REDIRECT + "?x=1", "http://127.0.0.1:8000/auth", "http://evil.example/auth/callback"],
)
async def test_the_redirect_uri_must_match_exactly(http: httpx.AsyncClient, uri: str) -> None:
    page = await http.get("/auth", params=auth_params(secrets.token_urlsafe(48), redirect_uri=uri))
    assert page.status_code == 400  # shown as a page: the issuer never redirects to an unregistered address
    assert "redirect_uri" in page.text


async def test_the_exchange_redirect_uri_must_be_the_one_authorised(
    http: httpx.AsyncClient, person: User
) -> None:
    verifier = secrets.token_urlsafe(48)
    code = code_of(await get_code(http, person, verifier))
    response = await exchange(http, code, verifier, redirect="http://localhost:8000/auth/callback")
    assert response.status_code == 400


async def test_the_client_secret_is_checked(http: httpx.AsyncClient, person: User) -> None:
    verifier = secrets.token_urlsafe(48)
    code = code_of(await get_code(http, person, verifier))
    response = await exchange(http, code, verifier, auth=("nastavnik-web", "wrong"))
    assert (response.status_code, response.json()["error"]) == (401, "invalid_client")
    unknown = await exchange(http, code, verifier, auth=("no-such-client", "x"))
    assert unknown.status_code == 401


async def test_an_expired_code_is_refused(http: httpx.AsyncClient, issuer: Issuer, person: User) -> None:
    verifier = secrets.token_urlsafe(48)
    code = code_of(await get_code(http, person, verifier))
    issuer.realm.codes[code].expires_at = time.monotonic() - 1
    assert (await exchange(http, code, verifier)).status_code == 400


async def test_password_grant_and_its_refusals(http: httpx.AsyncClient, person: User) -> None:
    ok = await http.post(
        "/token", data={"grant_type": "password", "username": person.username, "password": "верно"}, auth=WEB
    )
    assert ok.status_code == 200
    bad = await http.post(
        "/token", data={"grant_type": "password", "username": person.username, "password": "x"}, auth=WEB
    )
    assert (bad.status_code, bad.json()["error"]) == (401, "invalid_grant")
    admin = await http.post(
        "/token",
        data={"grant_type": "password", "username": person.username, "password": "верно"},
        auth=("nastavnik-admin", "nastavnik-admin-development-secret"),
    )
    assert admin.status_code == 400  # that client has no direct grants


async def test_tokens_expire_and_refresh_ends_with_the_session(
    http: httpx.AsyncClient, issuer: Issuer, person: User
) -> None:
    tokens = (
        await http.post(
            "/token",
            data={
                "grant_type": "password",
                "username": person.username,
                "password": "верно",
                "scope": "openid",
            },
            auth=WEB,
        )
    ).json()
    assert tokens["expires_in"] == issuer.realm.access_lifespan
    refreshed = await http.post(
        "/token", data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}, auth=WEB
    )
    assert refreshed.status_code == 200
    logout = await http.post("/logout", data={"refresh_token": tokens["refresh_token"]}, auth=WEB)
    assert logout.status_code in (200, 204)
    after = await http.post(
        "/token", data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}, auth=WEB
    )
    assert after.status_code == 400
    userinfo = await http.get("/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert userinfo.status_code == 401


async def test_client_credentials_only_for_service_accounts(http: httpx.AsyncClient) -> None:
    admin = await http.post(
        "/token",
        data={"grant_type": "client_credentials"},
        auth=("nastavnik-admin", "nastavnik-admin-development-secret"),
    )
    assert admin.status_code == 200
    web = await http.post("/token", data={"grant_type": "client_credentials"}, auth=WEB)
    assert web.status_code == 400


async def test_a_disabled_user_cannot_sign_in(http: httpx.AsyncClient, person: User) -> None:
    person.enabled = False
    response = await http.post(
        "/token", data={"grant_type": "password", "username": person.username, "password": "верно"}, auth=WEB
    )
    assert response.status_code == 401


async def test_a_temporary_password_needs_the_browser_flow_first(
    http: httpx.AsyncClient, person: User
) -> None:
    person.required_actions = ["UPDATE_PASSWORD"]
    response = await http.post(
        "/token", data={"grant_type": "password", "username": person.username, "password": "верно"}, auth=WEB
    )
    assert (response.status_code, response.json()["error"]) == (400, "invalid_grant")


def _hidden(text: str) -> dict[str, str]:
    import html
    import re

    return {
        k: html.unescape(v)
        for k, v in re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', text)
    }


async def test_a_temporary_password_must_be_changed_before_a_code_is_issued(
    http: httpx.AsyncClient, person: User
) -> None:
    person.required_actions = ["UPDATE_PASSWORD"]
    verifier = secrets.token_urlsafe(48)
    login = {**auth_params(verifier), "username": person.username, "password": "верно"}
    asked = await http.post("/auth", data=login)
    assert (asked.status_code, "location" in asked.headers) == (200, False)  # no code yet
    assert "Смена пароля" in asked.text
    step = _hidden(asked.text)
    empty = await http.post("/auth", data={**step, "password_new": "", "password_confirm": ""})
    assert "Введите новый пароль" in empty.text
    mismatch = await http.post(
        "/auth", data={**step, "password_new": "новое-1", "password_confirm": "новое-2"}
    )
    assert "Пароли не совпадают" in mismatch.text
    forged = await http.post(
        "/auth",
        data={**step, "action_token": "forged", "password_new": "новое-1", "password_confirm": "новое-1"},
    )
    assert forged.status_code == 400
    assert person.password == "верно"
    done = await http.post("/auth", data={**step, "password_new": "новое-1", "password_confirm": "новое-1"})
    assert done.status_code == 302
    assert (await exchange(http, code_of(done), verifier)).status_code == 200
    assert (person.password, person.required_actions) == ("новое-1", [])
    replay = await http.post("/auth", data={**step, "password_new": "чужое-1", "password_confirm": "чужое-1"})
    assert replay.status_code == 400  # the step is single use
    assert person.password == "новое-1"
    # The temporary password is spent; the new one signs in straight away.
    assert (await http.post("/auth", data=login)).status_code == 401
    again = await http.post("/auth", data={**login, "password": "новое-1"})
    assert again.status_code == 302


async def test_the_password_step_expires(http: httpx.AsyncClient, issuer: Issuer, person: User) -> None:
    person.required_actions = ["UPDATE_PASSWORD"]
    asked = await http.post(
        "/auth",
        data={**auth_params(secrets.token_urlsafe(48)), "username": person.username, "password": "верно"},
    )
    step = _hidden(asked.text)
    issuer.realm.actions[step["action_token"]].expires_at = time.monotonic() - 1
    late = await http.post("/auth", data={**step, "password_new": "новое-1", "password_confirm": "новое-1"})
    assert late.status_code == 400
    assert "истекло" in late.text
    assert person.required_actions == ["UPDATE_PASSWORD"]
