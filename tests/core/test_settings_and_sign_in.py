"""Settings refuse unsafe production values; the development sign-in exists only in development."""

from __future__ import annotations

import dataclasses

import pytest

from nastavnik.runtime import Runtime
from nastavnik.settings import Mode, Settings
from nastavnik.web.app import create_app
from nastavnik.web.controllers.sign_in import safe_next
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
    )  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="SERVICE_TENANT_FILTER"):
        settings.check()


def test_every_setting_is_documented() -> None:
    undocumented = [
        name for name, field in Settings.model_fields.items() if not (field.description or "").strip()
    ]
    assert not undocumented


async def test_development_sign_in_is_refused_in_production(runtime: Runtime, world: World) -> None:
    production = runtime.settings.model_copy(update={"mode": Mode.PRODUCTION})
    app = create_app(dataclasses.replace(runtime, settings=production))
    async with client_for(app, base_url="https://testserver") as client:  # production cookies are Secure
        page = await client.get("/login")
        attempt = await client.post("/login", data={"identity_id": str(world.staff["region"]), "next": "/"})
        me = await client.get("/api/me")
    assert "единую учётную запись" in page.text
    assert attempt.status_code == 404
    assert me.status_code == 401


async def test_sign_in_and_out(app, world: World) -> None:  # type: ignore[no-untyped-def]
    org = world.orgs["school_a"]
    async with client_for(app, org.identities["mentor"]) as client:
        me = (await client.get("/api/me")).json()
        out = await client.post("/logout")
        after = await client.get("/api/me")
    assert me["organisations"] == [{"slug": org.slug, "short_name": "school_a"}]
    assert out.status_code in (302, 303)
    assert after.status_code == 401


async def test_unknown_identity_cannot_sign_in(app) -> None:  # type: ignore[no-untyped-def]
    async with client_for(app) as client:
        bad = await client.post("/login", data={"identity_id": "00000000-0000-0000-0000-000000000001"})
        garbage = await client.post("/login", data={"identity_id": "not-a-uuid"})
    assert bad.status_code == 404
    assert garbage.status_code == 404


def test_sign_in_never_redirects_off_site() -> None:
    assert safe_next("/o/x/") == "/o/x/"
    assert safe_next("//evil.example/") == "/"
    assert safe_next("https://evil.example/") == "/"
    assert safe_next("/\\evil.example") == "/"
    assert safe_next(None) == "/"
