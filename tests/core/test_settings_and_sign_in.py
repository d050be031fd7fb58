"""Settings refuse unsafe production values; the development sign-in exists only in development."""

from __future__ import annotations

import pytest
from litestar import Litestar

from nastavnik.auth.routes import safe_next
from nastavnik.settings import Mode, Settings
from tests.support.http import client_for
from tests.support.world import World


def test_production_refuses_development_defaults() -> None:
    with pytest.raises(ValueError, match="NASTAVNIK_DATABASE_URL") as refused:
        Settings(mode=Mode.PRODUCTION).check()
    assert "NASTAVNIK_SECRET_KEY" in str(refused.value)
    assert "NASTAVNIK_REDIS_URL" in str(refused.value)


def test_production_refuses_switching_off_tenant_checks() -> None:
    settings = Settings(
        mode=Mode.PRODUCTION,
        database_url="postgresql://x/y",
        redis_url="redis://x",
        secret_key="k" * 40,
        service_tenant_filter=False,
    )
    with pytest.raises(ValueError, match="SERVICE_TENANT_FILTER"):
        settings.check()


def test_every_setting_is_documented() -> None:
    undocumented = [
        name for name, field in Settings.model_fields.items() if not (field.description or "").strip()
    ]
    assert not undocumented


async def test_there_is_no_sign_in_but_keycloak(app: Litestar) -> None:
    """Without Keycloak configured the platform offers no way in (the demo brings the development issuer)."""
    async with client_for(app) as client:
        page = await client.get("/login")
        attempt = await client.post("/login", data={"identity_id": "00000000-0000-0000-0000-000000000001"})
    assert page.status_code == 200
    assert "не настроена" in page.text
    assert attempt.status_code == 405


async def test_sign_in_and_out(app: Litestar, world: World) -> None:
    org = world.orgs["school_a"]
    async with client_for(app, org.identities["mentor"]) as client:
        me = (await client.get("/api/me")).json()
        out = await client.post("/logout")
        after = await client.get("/api/me")
    assert me["organisations"] == [
        {"slug": org.slug, "short_name": "school_a", "full_name": "Организация school_a", "roles": ["mentor"]}
    ]
    assert out.status_code in (302, 303)
    assert after.status_code == 401


async def test_a_session_of_an_unknown_or_deactivated_identity_is_no_sign_in(
    app: Litestar, world: World
) -> None:
    import uuid

    async with client_for(app, uuid.uuid4()) as client:
        assert (await client.get("/api/me")).status_code == 401


def test_sign_in_never_redirects_off_site() -> None:
    assert safe_next("/o/x/") == "/o/x/"
    assert safe_next("//evil.example/") == "/"
    assert safe_next("https://evil.example/") == "/"
    assert safe_next("/\\evil.example") == "/"
    assert safe_next(None) == "/"


async def test_a_csrf_token_is_good_for_its_own_session_only(app: Litestar, world: World) -> None:
    """Session A's token is refused with session B, even planted as B's token cookie too: binding it to
    the session is what a double-submit cookie alone does not give (a cookie can be planted)."""
    org = world.orgs["school_a"]
    curator = org.identities["curator"]
    async with client_for(app, curator) as a:
        await a.get("/health/live")
        token_a = a.http.cookies.get("csrftoken")
    assert token_a
    async with client_for(app, curator) as b:  # the same person, another session
        b.http.cookies.set("csrftoken", token_a)
        api = await b.http.post(
            f"/api/o/{org.slug}/people",
            json={"last_name": "Чужойтокен", "first_name": "Апи", "category": "pedagogue"},
            headers={"x-csrftoken": token_a},
        )
        page = await b.http.post(
            f"/o/{org.slug}/people",
            data={
                "last_name": "Чужойтокен",
                "first_name": "Страница",
                "category": "staff",
                "_csrf_token": token_a,
            },
        )
        listed = await b.http.get(f"/api/o/{org.slug}/people")
        people = listed.json()
        token_b = listed.cookies.get("csrftoken")  # the planted token is not B's: the GET brought B's own
        out = await b.http.post("/logout", headers={"x-csrftoken": token_b or ""})
    assert api.status_code == 403
    assert api.headers["content-type"] == "application/problem+json"
    assert "Форма устарела" in api.json()["detail"]
    assert page.status_code == 403
    assert page.headers["content-type"].startswith("text/html")
    assert "Форма устарела" in page.text
    assert not [p for p in people if p["last_name"] == "Чужойтокен"]  # nothing written
    assert token_b != token_a
    assert out.status_code == 302
