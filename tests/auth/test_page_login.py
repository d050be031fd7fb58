"""The whole page login over real HTTP: the platform and the development issuer on loopback ports,
redirects followed and cookies kept, as a browser would; then logout ends access."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator

import httpx
import pytest
from litestar.stores.redis import RedisStore
from pydantic import SecretStr
from sqlalchemy import select

from nastavnik.models.audit import AuditEvent
from nastavnik.runtime import Runtime
from nastavnik.web import session
from nastavnik_dev.issuer.realm import Issuer
from tests.auth.conftest import SsoPerson
from tests.support.sso import Site, served_site

WEB_SECRET = "nastavnik-web-development-secret"


@pytest.fixture(scope="module")
async def site(runtime: Runtime, issuer: Issuer) -> AsyncIterator[Site]:
    async with served_site(
        runtime, issuer, keycloak_client_secret=SecretStr(WEB_SECRET), session_idle_timeout=600
    ) as served:
        yield served


def browser() -> httpx.AsyncClient:
    return httpx.AsyncClient(follow_redirects=True, timeout=10)


async def sign_in(client: httpx.AsyncClient, site: Site, who: SsoPerson, wanted: str) -> httpx.Response:
    """Open a protected page, get sent to the issuer, pick the person there, come back."""
    picker = await client.get(site.url + wanted)
    assert picker.url.path.endswith("/protocol/openid-connect/auth"), picker.url
    form = dict(
        re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', picker.text.split("<h2>")[1])
    )
    return await client.post(
        str(picker.url), data={**{k: v.replace("&amp;", "&") for k, v in form.items()}, "pick": who.user.id}
    )


async def test_login_serves_the_wanted_page_and_logout_ends_access(
    site: Site, sso_curator: SsoPerson
) -> None:
    wanted = f"/o/{sso_curator.org.slug}/people"
    async with browser() as client:
        landed = await sign_in(client, site, sso_curator, wanted)
        assert landed.status_code == 200, landed.text[:500]
        assert str(landed.url) == site.url + wanted
        assert sso_curator.org.canary in landed.text
        me = (await client.get(site.url + "/api/me")).json()
        assert me["display_name"] == "Ключева Ирина"
        token = client.cookies.get("csrftoken")
        out = await client.post(site.url + "/logout", headers={"x-csrftoken": token or ""})
        # Back at our login page, which starts a new login at the issuer: Keycloak's session ended too.
        assert out.url.path.endswith("/protocol/openid-connect/auth")
        again = await client.get(site.url + wanted, follow_redirects=False)
        assert again.status_code == 302
        assert again.headers["location"].startswith("/login")


async def test_a_replayed_callback_fails_cleanly_and_is_audited(site: Site, sso_curator: SsoPerson) -> None:
    """The platform refuses a replayed callback before the issuer sees the code again (the issuer's own
    single-use check is in test_issuer_refusals)."""
    async with httpx.AsyncClient(follow_redirects=False, timeout=10) as client:
        start = await client.get(site.url + "/login")
        picker = await client.get(start.headers["location"])
        form = dict(
            re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', picker.text.split("<h2>")[1])
        )
        back = await client.post(
            str(picker.url),
            data={**{k: v.replace("&amp;", "&") for k, v in form.items()}, "pick": sso_curator.user.id},
        )
        callback = back.headers["location"]
        first = await client.get(callback)
        assert first.status_code == 302  # signed in
        # The same callback again, from a browser that starts a new login: the code is spent.
        await client.get(site.url + "/login")
        replay = await client.get(callback)
    assert replay.status_code == 400
    assert "Вход не выполнен" in replay.text
    await _assert_failed_login_audited(site, "state does not match")


async def test_a_callback_with_a_wrong_state_fails(site: Site) -> None:
    async with httpx.AsyncClient(follow_redirects=False, timeout=10) as client:
        await client.get(site.url + "/login")
        response = await client.get(site.url + "/auth/callback?code=abc&state=forged")
    assert response.status_code == 400
    await _assert_failed_login_audited(site, "state does not match")


async def test_a_callback_without_a_login_in_progress_fails(site: Site) -> None:
    """No verifier in this browser's session (another browser, or an expired one): nothing to complete."""
    async with httpx.AsyncClient(follow_redirects=False, timeout=10) as client:
        response = await client.get(site.url + "/auth/callback?code=abc&state=xyz")
    assert response.status_code == 400
    await _assert_failed_login_audited(site, "no login in progress for this browser")


async def test_a_code_without_its_verifier_is_refused_by_the_issuer(
    site: Site, sso_curator: SsoPerson, issuer: Issuer
) -> None:
    """The state matches but the verifier is not the one the challenge was made from."""
    async with httpx.AsyncClient(follow_redirects=False, timeout=10) as client:
        start = await client.get(site.url + "/login")
        picker = await client.get(start.headers["location"])
        form = dict(
            re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', picker.text.split("<h2>")[1])
        )
        form = {k: v.replace("&amp;", "&") for k, v in form.items()}
        form["code_challenge"] = "A" * 43  # a challenge the platform never made
        back = await client.post(str(picker.url), data={**form, "pick": sso_curator.user.id})
        response = await client.get(back.headers["location"])
    assert response.status_code == 400
    await _assert_failed_login_audited(site, "code exchange refused: 400")


async def _assert_failed_login_audited(site: Site, reason: str) -> None:
    async with site.runtime.owner_sessions() as db:
        events = list(
            await db.scalars(
                select(AuditEvent).where(AuditEvent.action == "login", AuditEvent.outcome == "failed")
            )
        )
    assert any(e.details.get("reason") == reason for e in events), [e.details for e in events]


async def test_a_non_ascii_state_is_refused_not_an_error(site: Site) -> None:
    async with httpx.AsyncClient(follow_redirects=False, timeout=10) as client:
        await client.get(site.url + "/login")
        response = await client.get(site.url + "/auth/callback", params={"code": "код", "state": "состояние"})
    assert response.status_code == 400


def session_store(site: Site) -> RedisStore:
    runtime = site.runtime
    return RedisStore(runtime.redis, namespace=runtime.redis_key("session"), handle_client_shutdown=False)


async def walk_to_callback(client: httpx.AsyncClient, site: Site, who: SsoPerson) -> str:
    """Start a login and pick the person at the issuer; the callback address, not yet opened."""
    start = await client.get(site.url + "/login")
    picker = await client.get(start.headers["location"])
    form = dict(
        re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', picker.text.split("<h2>")[1])
    )
    back = await client.post(
        str(picker.url), data={**{k: v.replace("&amp;", "&") for k, v in form.items()}, "pick": who.user.id}
    )
    return str(back.headers["location"])


async def test_sign_in_gives_a_new_session_id_and_forgets_the_anonymous_one(
    site: Site, sso_curator: SsoPerson
) -> None:
    """Session fixation: an id the browser held before sign-in (perhaps planted) is never signed in."""
    store = session_store(site)
    async with httpx.AsyncClient(follow_redirects=False, timeout=10) as client:
        callback = await walk_to_callback(client, site, sso_curator)
        before = client.cookies.get("session")
        assert before
        assert await store.get(before) is not None  # the login in progress lives there
        signed_in = await client.get(callback)
        after = client.cookies.get("session")
        assert signed_in.status_code == 302
        assert after
        assert after != before
        assert await store.get(before) is None  # the anonymous id resolves to nothing any more
        data = json.loads(await store.get(after) or b"{}")
        assert data[session.IDENTITY] == str(sso_curator.identity_id)
        assert not any(key.startswith("oidc_") for key in data)  # nothing of the anonymous session kept
        assert (await client.get(site.url + "/api/me")).status_code == 200
    # The old id, replayed by whoever planted or saw it, is nobody.
    async with httpx.AsyncClient(follow_redirects=False, timeout=10) as attacker:
        attacker.cookies.set("session", before)
        assert (await attacker.get(site.url + "/api/me")).status_code == 401


async def test_a_csrf_token_from_before_sign_in_is_refused_after_it(
    site: Site, sso_curator: SsoPerson
) -> None:
    async with httpx.AsyncClient(follow_redirects=False, timeout=10) as client:
        callback = await walk_to_callback(client, site, sso_curator)
        await client.get(site.url + "/health/live")
        anonymous_token = client.cookies.get("csrftoken")
        assert anonymous_token
        await client.get(callback)
        fresh_token = client.cookies.get("csrftoken")  # the sign-in response brings one for the new session
        assert fresh_token
        assert fresh_token != anonymous_token
        stale = await client.post(site.url + "/logout", headers={"x-csrftoken": anonymous_token})
        assert stale.status_code == 403
        assert "Форма устарела" in stale.text
        assert (await client.get(site.url + "/api/me")).status_code == 200  # still signed in
        out = await client.post(site.url + "/logout", headers={"x-csrftoken": fresh_token})
        assert out.status_code == 302
        assert (await client.get(site.url + "/api/me")).status_code == 401
