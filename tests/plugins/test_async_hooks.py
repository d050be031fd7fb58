"""Async honesty: a hook that may be async works end to end when it is (the probe plugin's are); a start-up
hook's async implementation refuses to start. And the narrow context the probe plugin's handlers and job
get: their organisation, person, roles, validated settings, required settings and a scoped session."""

from __future__ import annotations

import asyncio
import dataclasses
import re
import secrets
import types
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any

import pytest
from litestar import Litestar
from sqlalchemy import delete, func, select

from nastavnik import NotFound, OrganisationType, Regime, hookimpl
from nastavnik.hookspecs import Call, when_called
from nastavnik.jobs import open_queue
from nastavnik.models.people import Person
from nastavnik.models.plugin_settings import OrgPluginSetting
from nastavnik.plugins import PluginError, Plugins, load_plugins
from nastavnik.runtime import Runtime
from nastavnik.types import NavigationContext
from nastavnik.web.app import create_app
from nastavnik.worker import build_worker
from tests.plugins import probe_plugin
from tests.plugins.test_contract import hook_names, spec
from tests.support.forms import field_error, send_form
from tests.support.http import client_for
from tests.support.plugins import plugin_module
from tests.support.world import OrgWorld, World

STARTUP_HOOKS = [n for n in hook_names() if when_called(spec(n)) is Call.STARTUP]


def probe_plugins() -> Plugins:
    return load_plugins(extra_modules=[probe_plugin], environ=probe_plugin.ENVIRON)


@pytest.fixture(scope="module")
def probe_runtime(runtime: Runtime) -> Runtime:
    """The session's runtime with the probe plugin loaded as well."""
    return dataclasses.replace(runtime, plugins=probe_plugins())


@pytest.fixture(scope="module")
def probe_app(probe_runtime: Runtime) -> Litestar:
    return create_app(probe_runtime)


@pytest.fixture
async def school(runtime: Runtime, world: World) -> AsyncIterator[OrgWorld]:
    """A school where the probe plugin is active; its settings there are removed afterwards."""
    org = world.orgs["school_a"]
    yield org
    async with runtime.owner_sessions() as db:
        await db.execute(
            delete(OrgPluginSetting).where(
                OrgPluginSetting.org_id == org.id, OrgPluginSetting.plugin == "probe"
            )
        )
        await db.commit()


async def people_of(runtime: Runtime, org: OrgWorld) -> int:
    """Every person row of the organisation, read as the owner (what a scoped ``count(*)`` must see)."""
    async with runtime.owner_sessions() as db:
        count = await db.scalar(select(func.count()).select_from(Person).where(Person.org_id == org.id))
    return int(count or 0)


async def test_async_hook_register_navigation(
    probe_runtime: Runtime, probe_app: Litestar, world: World
) -> None:
    """The probe's async register_navigation puts its item on the organisation's page (for curators)."""
    school, kindergarten = world.orgs["school_a"], world.orgs["kindergarten_c"]
    async with client_for(probe_app, school.identities["curator"]) as client:
        curator_home = (await client.get(f"/o/{school.slug}/")).text
        probe_page = await client.get(f"/o/{school.slug}/p/probe/context")
    async with client_for(probe_app, school.identities["mentee"]) as client:
        mentee_home = (await client.get(f"/o/{school.slug}/")).text
    async with client_for(probe_app, kindergarten.identities["curator"]) as client:
        kinder_home = (await client.get(f"/o/{kindergarten.slug}/")).text
    item = f'href="/o/{school.slug}/p/probe/context"'
    assert item in curator_home
    assert probe_plugin.NAV_TITLE in curator_home
    assert f'href="/o/{school.slug}/people"' in curator_home  # the core's sync items are there as well
    assert item not in mentee_home  # the item's roles hold: curators only
    assert probe_plugin.NAV_TITLE not in kinder_home  # not a type the plugin serves
    # The plugin's own page, rendered through its narrow context, has the layout's menu with the item.
    assert probe_page.status_code == 200
    assert '<p id="greeting">Здравствуйте</p>' in probe_page.text
    assert item in probe_page.text
    # The same through the typed method: async and sync implementations together, only the active plugins.
    context = NavigationContext(org_slug="x", org_type="school", roles=frozenset({"curator"}))
    titles = {i.title for i in await probe_runtime.plugins.navigation(context, ["core", "probe"])}
    assert {probe_plugin.NAV_TITLE, "Главная"} <= titles
    assert probe_plugin.NAV_TITLE not in {
        i.title for i in await probe_runtime.plugins.navigation(context, ["core", "schools"])
    }


def late_plugin(hook: str, implementation: Callable[..., Any]) -> types.ModuleType:
    """A plugin of its own type implementing ``hook`` with ``implementation``."""

    @hookimpl
    def register_organisation_types() -> Iterable[OrganisationType]:
        return [OrganisationType("additional", "Тест", (Regime.PEDAGOGUES,))]

    return plugin_module(
        "late",
        serves=("additional",),
        hooks={"register_organisation_types": register_organisation_types, hook: hookimpl(implementation)},
    )


@pytest.mark.parametrize("hook", STARTUP_HOOKS)
def test_an_async_start_up_hook_is_refused_at_start_up(hook: str) -> None:
    async def implementation() -> list[object]:
        return []

    with pytest.raises(
        PluginError, match=rf"plugin 'late': {hook} is called once at start-up, synchronously"
    ):
        load_plugins(extra_modules=[late_plugin(hook, implementation)])


@pytest.mark.parametrize("hook", STARTUP_HOOKS)
def test_a_start_up_hook_returning_an_awaitable_is_refused(hook: str) -> None:
    async def later() -> list[object]:
        return []

    def implementation() -> object:
        return later()

    with pytest.raises(
        PluginError, match=rf"plugin 'late': {hook} is called once at start-up, synchronously"
    ):
        load_plugins(extra_modules=[late_plugin(hook, implementation)])


def test_a_plugin_missing_a_required_setting_refuses_to_start() -> None:
    message = "plugin 'probe' needs the setting 'api_url': set the environment variable NASTAVNIK_PLUGIN_PROBE_API_URL"
    with pytest.raises(PluginError, match=re.escape(message)):
        load_plugins(extra_modules=[probe_plugin], environ={})
    with pytest.raises(PluginError, match=re.escape(message)):
        load_plugins(extra_modules=[probe_plugin], environ={"NASTAVNIK_PLUGIN_PROBE_API_URL": "  "})
    assert probe_plugins().config("probe") == {"api_url": "https://probe.invalid/api"}


async def test_hook_register_routes(probe_app: Litestar, school: OrgWorld, world: World) -> None:
    """A plugin's routes live under its own prefix, only in the organisations of the types it serves, and
    disappear where it is switched off (the core cannot be); its menu item goes with them."""
    plugin_paths = [route.path for route in probe_app.routes if "/p/" in route.path]
    probe_paths = [p for p in plugin_paths if "/p/probe/" in p]
    assert probe_paths
    # Every plugin's under its own prefix: the probe's and the colleges plugin's, nobody's elsewhere.
    prefixes = ("/o/{slug:str}/p/probe/", "/api/o/{slug:str}/p/probe/")
    assert all(p.startswith(prefixes) for p in probe_paths)
    assert all(p.startswith(prefixes) or "/p/colleges/" in p for p in plugin_paths)
    api, page = f"/api/o/{school.slug}/p/probe/context", f"/o/{school.slug}/p/probe/context"
    kindergarten = world.orgs["kindergarten_c"]
    switch = f"/api/o/{school.slug}/plugins"
    async with client_for(probe_app, school.identities["curator"]) as client:
        shown = (await client.get(api)).status_code, (await client.get(page)).status_code
        off = await client.put(f"{switch}/probe", json={"enabled": False, "settings": {}})
        hidden = (await client.get(api)).status_code, (await client.get(page)).status_code
        home = (await client.get(f"/o/{school.slug}/")).text
        on = await client.put(f"{switch}/probe", json={"enabled": True, "settings": {}})
        again = (await client.get(api)).status_code
        core = await client.put(f"{switch}/core", json={"enabled": False, "settings": {}})
    async with client_for(probe_app, kindergarten.identities["curator"]) as client:
        unserved = (await client.get(f"/api/o/{kindergarten.slug}/p/probe/context")).status_code
    assert shown == (200, 200)
    assert off.status_code == 200
    assert hidden == (404, 404)
    assert probe_plugin.NAV_TITLE not in home
    assert (on.status_code, again) == (200, 200)
    assert core.status_code == 422  # the core cannot be switched off
    assert unserved == 404  # not a type the plugin serves: its routes do not exist there


async def test_plugin_handlers_get_their_narrow_context(
    runtime: Runtime, probe_app: Litestar, world: World, school: OrgWorld
) -> None:
    url = f"/api/o/{school.slug}/p/probe/context"
    async with client_for(probe_app, school.identities["curator"]) as client:
        curator = (await client.get(url)).json()
    async with client_for(probe_app, school.identities["mentee"]) as client:
        mentee = (await client.get(url)).json()
    other = world.orgs["school_b"]
    async with client_for(probe_app, other.identities["curator"]) as client:
        stranger = await client.get(url)  # a member of another school, with that school's slug in hand
    kindergarten = world.orgs["kindergarten_c"]
    async with client_for(probe_app, kindergarten.identities["curator"]) as client:
        unserved = await client.get(f"/api/o/{kindergarten.slug}/p/probe/context")
    assert curator == {
        "plugin": "probe",
        "org_slug": school.slug,
        "person_id": str(school.persons["curator"]),
        "roles": ["curator"],
        "settings": {"max_days": 31, "greeting": "Здравствуйте", "loud": False},
        "config": {"api_url": "https://probe.invalid/api"},
        "people": await people_of(runtime, school),  # its session sees this organisation's rows only
    }
    assert (mentee["person_id"], mentee["roles"]) == (str(school.persons["mentee"]), ["mentee"])
    assert stranger.status_code == 404
    assert unserved.status_code == 404


async def test_settings_per_organisation_are_validated_and_readable(
    probe_app: Litestar, world: World, school: OrgWorld
) -> None:
    api = f"/api/o/{school.slug}/plugins/probe"
    context = f"/api/o/{school.slug}/p/probe/context"
    async with client_for(probe_app, school.identities["curator"]) as client:
        bad = await client.put(
            api,
            json={
                "enabled": True,
                "settings": {"max_days": 100, "greeting": "х" * 30, "loud": "yes", "colour": "red"},
            },
        )
        typed_as_text = await client.put(api, json={"enabled": True, "settings": {"max_days": "20"}})
        unchanged = (await client.get(context)).json()["settings"]
        good = await client.put(api, json={"enabled": True, "settings": {"max_days": 20, "loud": True}})
        read = (await client.get(context)).json()["settings"]
        listed = {p["name"]: p for p in (await client.get(f"/api/o/{school.slug}/plugins")).json()}
        reset = await client.put(api, json={"enabled": True, "settings": {}})
        after_reset = (await client.get(context)).json()["settings"]
    assert bad.status_code == 422
    assert {e["field"]: e["message"] for e in bad.json()["errors"]} == {
        "settings.max_days": "ожидается целое число от 1 до 62",
        "settings.greeting": "ожидается текст не длиннее 20 знаков",
        "settings.loud": "ожидается да или нет",
        "settings.colour": "у модуля нет такой настройки",
    }
    assert typed_as_text.status_code == 422  # JSON carries numbers as numbers
    assert unchanged == {"max_days": 31, "greeting": "Здравствуйте", "loud": False}
    assert good.status_code == 200
    assert good.json()["settings"] == {"max_days": 20, "greeting": "Здравствуйте", "loud": True}
    assert read == {"max_days": 20, "greeting": "Здравствуйте", "loud": True}
    assert listed["probe"]["settings"] == read
    assert listed["schools"]["settings"] == {}  # a plugin without org_settings has none
    assert reset.status_code == 200
    assert after_reset == {"max_days": 31, "greeting": "Здравствуйте", "loud": False}


async def test_settings_page_shows_each_refusal_beside_its_field(
    probe_app: Litestar, school: OrgWorld
) -> None:
    page = f"/o/{school.slug}/plugins"
    action = f"/o/{school.slug}/plugins/probe"
    context = f"/api/o/{school.slug}/p/probe/context"
    async with client_for(probe_app, school.identities["curator"]) as client:
        refused = await send_form(
            client,
            action,
            {"enabled": "on", "settings.max_days": "много", "settings.greeting": "Добрый день"},
            page=page,
            follow_redirects=False,
        )
        shown = (await client.get(refused.headers["location"])).text
        kept = (await client.get(context)).json()["settings"]
        saved = await send_form(
            client,
            action,
            {
                "enabled": "on",
                "settings.max_days": "12",
                "settings.greeting": "Добрый день",
                "settings.loud": "true",
            },
            page=page,
            follow_redirects=False,
        )
        read = (await client.get(context)).json()["settings"]
        toggled = await client.post(action, data={"enabled": "on"}, follow_redirects=False)
        still = (await client.get(context)).json()["settings"]
        form = (await client.get(page)).text
    assert (refused.status_code, refused.headers["location"]) == (303, page)
    assert field_error(shown, "settings.max_days") == "ожидается целое число от 1 до 62"
    assert field_error(shown, "settings.greeting") == ""
    assert 'value="Добрый день"' in shown  # what was typed comes back
    assert kept["max_days"] == 31
    assert saved.status_code in (302, 303)
    assert read == {"max_days": 12, "greeting": "Добрый день", "loud": True}
    assert toggled.status_code in (302, 303)
    assert still == read  # a form without settings fields keeps them
    assert "Наибольшая длительность, дней" in form
    assert 'name="settings.max_days"' in form


async def test_a_plugin_job_gets_its_narrow_context(
    runtime: Runtime, probe_runtime: Runtime, world: World, school: OrgWorld
) -> None:
    """Through the real queue and an arq worker: the job enters the organisation as one of its people."""
    other = world.orgs["school_b"]
    queue = await open_queue(runtime.settings)
    token = secrets.token_hex(4)
    try:
        member = await queue.enqueue_job(
            probe_plugin.COUNT_JOB,
            str(school.id),
            str(school.identities["curator"]),
            _job_id=f"{runtime.settings.redis_prefix}:probe:{token}:member",
        )
        stranger = await queue.enqueue_job(
            probe_plugin.COUNT_JOB,
            str(school.id),
            str(other.identities["curator"]),
            _job_id=f"{runtime.settings.redis_prefix}:probe:{token}:stranger",
        )
        assert member is not None
        assert stranger is not None
        worker = build_worker(probe_runtime, burst=True, poll_delay=0.05, cron_jobs=[])
        await asyncio.wait_for(worker.async_run(), timeout=60)
        await worker.close()
        done = await member.result(timeout=5)
        with pytest.raises(NotFound):  # not a member there: the job sees nothing
            await stranger.result(timeout=5)
    finally:
        await queue.aclose()
    assert done == {
        "plugin": "probe",
        "job_try": 1,
        "api_url": "https://probe.invalid/api",
        "org_slug": school.slug,
        "people": await people_of(runtime, school),
        "max_days": 31,
    }
