"""One test per hook, each exercising the shipped implementations through the running platform."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import docx
import pytest
from alembic.script import ScriptDirectory
from litestar import Litestar
from sqlalchemy import func, select, text

from nastavnik.db import migrate
from nastavnik.default_plugins.core import HEARTBEAT_KEY
from nastavnik.jobs import enqueue, open_queue
from nastavnik.models.people import Person, PersonStatus
from nastavnik.plugins import load_plugins
from nastavnik.runtime import Runtime
from nastavnik.types import Regime
from nastavnik.web.app import create_app, template_environment
from nastavnik.worker import build_worker, collect_jobs
from tests.support.http import client_for
from tests.support.world import World


def test_hook_register_organisation_types() -> None:
    types = load_plugins().organisation_types()
    assert set(types) == {"school", "college", "kindergarten"}
    assert types["kindergarten"].regimes == (Regime.PEDAGOGUES,)
    assert set(types["school"].regimes) == {Regime.LEARNERS, Regime.PEDAGOGUES}
    assert types["college"].title.startswith("Профессиональная")


async def test_hook_register_dictionaries(app: Litestar, world: World) -> None:
    school, kindergarten = world.orgs["school_a"], world.orgs["kindergarten_c"]
    async with client_for(app, school.identities["mentee"]) as client:
        school_entries = (await client.get(f"/api/o/{school.slug}/dictionaries")).json()
    async with client_for(app, kindergarten.identities["mentee"]) as client:
        kinder_entries = (await client.get(f"/api/o/{kindergarten.slug}/dictionaries")).json()
    school_forms = {e["title"] for e in school_entries if e["kind"] == "form"}
    kinder_forms = {e["title"] for e in kinder_entries if e["kind"] == "form"}
    assert "Ученик – ученик" in school_forms
    assert "Работодатель – студент" not in school_forms  # a college form
    assert "Воспитатель – воспитатель" in kinder_forms
    assert {e["regime"] for e in kinder_entries} == {"pedagogues"}  # no learners' regime in a kindergarten
    # The core's kinds apply to every type.
    assert "Реверсивное" in {e["title"] for e in kinder_entries if e["kind"] == "kind"}


async def test_hook_register_routes(runtime: Runtime, app: Litestar, world: World) -> None:
    plugin_paths = [route.path for route in app.routes if "/p/" in route.path]
    assert plugin_paths
    assert all(p.startswith(("/o/{slug:str}/p/schools", "/api/o/{slug:str}/p/schools")) for p in plugin_paths)
    school, kindergarten = world.orgs["school_a"], world.orgs["kindergarten_c"]
    async with client_for(app, school.identities["curator"]) as client:
        created = await client.post(
            f"/api/o/{school.slug}/p/schools/decades",
            json={
                "subject_area": "Русский язык",
                "title": "Декада словесности",
                "starts_on": f"{world.year}-12-01",
                "ends_on": f"{world.year}-12-10",
            },
        )
        assert created.status_code == 201
        listed = await client.get(f"/api/o/{school.slug}/p/schools/decades")
        assert "Декада словесности" in listed.text
        bad = await client.post(
            f"/api/o/{school.slug}/p/schools/decades",
            json={
                "subject_area": "x",
                "title": "y",
                "starts_on": f"{world.year}-12-10",
                "ends_on": f"{world.year}-12-01",
            },
        )
        assert bad.status_code == 422
        assert bad.json()["errors"][0]["field"] == "ends_on"
    async with client_for(app, kindergarten.identities["curator"]) as client:
        # Not a type the plugin serves: its routes do not exist there.
        assert (await client.get(f"/api/o/{kindergarten.slug}/p/schools/decades")).status_code == 404


async def test_plugin_switched_off_hides_its_routes(app: Litestar, world: World) -> None:
    org = world.orgs["school_b"]
    async with client_for(app, org.identities["curator"]) as client:
        off = await client.put(f"/api/o/{org.slug}/plugins/schools", json={"enabled": False, "settings": {}})
        assert off.status_code == 200
        hidden = await client.get(f"/api/o/{org.slug}/p/schools/decades")
        home = await client.get(f"/o/{org.slug}/")
        on = await client.put(f"/api/o/{org.slug}/plugins/schools", json={"enabled": True, "settings": {}})
        shown = await client.get(f"/api/o/{org.slug}/p/schools/decades")
        core = await client.put(f"/api/o/{org.slug}/plugins/core", json={"enabled": False, "settings": {}})
        unknown_setting = await client.put(
            f"/api/o/{org.slug}/plugins/schools", json={"enabled": True, "settings": {"colour": "red"}}
        )
    assert hidden.status_code == 404
    assert "Предметные декады" not in home.text
    assert on.status_code == 200
    assert shown.status_code == 200
    assert core.status_code == 422  # the core cannot be switched off
    assert unknown_setting.status_code == 422


def test_hook_register_template_dirs(runtime: Runtime) -> None:
    env = template_environment(runtime.plugins)
    assert env.get_template("schools/decades.html")
    assert env.get_template("core/base.html")
    from jinja2 import TemplateNotFound

    with pytest.raises(TemplateNotFound):
        env.get_template("decades.html")  # only through its namespace


async def test_hook_register_navigation(app: Litestar, world: World) -> None:
    school, kindergarten = world.orgs["school_a"], world.orgs["kindergarten_c"]
    async with client_for(app, school.identities["curator"]) as client:
        curator_home = (await client.get(f"/o/{school.slug}/")).text
    async with client_for(app, school.identities["mentee"]) as client:
        mentee_home = (await client.get(f"/o/{school.slug}/")).text
    async with client_for(app, kindergarten.identities["curator"]) as client:
        kinder_home = (await client.get(f"/o/{kindergarten.slug}/")).text
    assert f'href="/o/{school.slug}/p/schools/decades"' in curator_home
    assert f'href="/o/{school.slug}/people"' in curator_home
    assert f'href="/o/{school.slug}/people"' not in mentee_home  # managers only
    assert "Предметные декады" not in kinder_home


async def test_hook_register_statistics(runtime: Runtime, app: Litestar, world: World) -> None:
    school, kindergarten = world.orgs["school_x"], world.orgs["kindergarten_c"]
    async with client_for(app, school.identities["curator"]) as client:
        school_values = {
            i["key"]: i["value"] for i in (await client.get(f"/api/o/{school.slug}/indicators")).json()
        }
    async with client_for(app, kindergarten.identities["curator"]) as client:
        kinder_values = {
            i["key"]: i["value"] for i in (await client.get(f"/api/o/{kindergarten.slug}/indicators")).json()
        }
    async with runtime.owner_sessions() as db:
        people = await db.scalar(
            select(func.count())
            .select_from(Person)
            .where(Person.org_id == school.id, Person.status == PersonStatus.ACTIVE)
        )
    assert school_values["core.people"] == people
    assert school_values["core.mentors"] == 1
    assert school_values["schools.subject_decades"] == 1
    assert "schools.subject_decades" not in kinder_values


async def test_hook_register_jobs(runtime: Runtime) -> None:
    """The heartbeat job goes through the real queue and a real arq worker."""
    names = {spec.name for spec in collect_jobs(runtime)}
    assert "core.heartbeat" in names
    await runtime.redis.delete(runtime.redis_key(HEARTBEAT_KEY))
    # Other tests share this run's queue: drain what they left, so the count below is ours alone.
    drain = build_worker(runtime, burst=True, poll_delay=0.05, keep_result=0, cron_jobs=[])
    await asyncio.wait_for(drain.async_run(), timeout=60)
    await drain.close()
    queue = await open_queue(runtime.settings)
    try:
        job_id = f"{runtime.settings.redis_prefix}:heartbeat"  # arq keys job ids globally: keep ours per run
        assert await enqueue(queue, "core.heartbeat", job_id=job_id)
        assert not await enqueue(queue, "core.heartbeat", job_id=job_id)  # de-duplicated
        # No cron jobs in this worker: the periodic heartbeat would also run when the clock says so.
        worker = build_worker(runtime, burst=True, poll_delay=0.05, keep_result=0, cron_jobs=[])
        await asyncio.wait_for(worker.async_run(), timeout=30)
        await worker.close()
    finally:
        await queue.aclose()
    assert worker.jobs_complete == 1
    assert await runtime.redis.get(runtime.redis_key(HEARTBEAT_KEY)) is not None
    cron_names = {c.name for c in build_worker(runtime).cron_jobs}
    assert "cron:core.heartbeat" in cron_names


async def test_hook_register_migrations(runtime: Runtime) -> None:
    branches = runtime.plugins.migrations()
    assert [b.label for b in branches] == ["schools"]
    assert isinstance(branches[0].versions_dir, Path)
    heads = migrate.heads([b.versions_dir for b in branches])
    (core_head,) = migrate.heads()  # the core alone has one head
    assert set(heads) == {core_head, "schools_0002"}
    async with runtime.owner_engine.connect() as conn:
        versions = set((await conn.execute(text("SELECT version_num FROM alembic_version"))).scalars())
        forced = await conn.scalar(
            text("SELECT relforcerowsecurity FROM pg_class WHERE relname = 'schools_subject_decade'")
        )
    script = ScriptDirectory.from_config(migrate.alembic_config([b.versions_dir for b in branches]))
    applied = {rev.revision for rev in script.iterate_revisions(tuple(versions), "base")}
    assert set(heads) <= applied  # every branch is at its head
    assert forced is True


def test_app_builds_with_only_the_default_plugins(runtime: Runtime) -> None:
    """Tests may load only the plugins they need; the core stands alone."""
    import dataclasses

    bare = dataclasses.replace(runtime, plugins=load_plugins(entry_point_plugins=False))
    app = create_app(bare)
    assert not [r.path for r in app.routes if "/p/" in r.path]


def _text(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


async def test_hook_register_document_templates(runtime: Runtime, app: Litestar, world: World) -> None:
    """The kindergartens plugin words the order forming pairs for a ДОО; a school keeps the platform's."""
    offered = runtime.plugins.document_templates()
    assert {key: t.plugin for key, t in offered.items()} == {
        ("pairs_formation", "kindergarten"): "kindergartens"
    }
    documents = {}
    for key in ("kindergarten_c", "school_a"):  # R1: no template of the region's own
        org = world.orgs[key]
        url = f"/api/o/{org.slug}/programmes/{org.programme_id}/orders/{org.order_id}/document.docx"
        async with client_for(app, org.identities["curator"]) as client:
            response = await client.get(url)
        assert response.status_code == 200, response.text
        documents[key] = _text(response.content)
    kindergarten, school = documents["kindergarten_c"], documents["school_a"]
    assert "О формировании наставнических пар (групп) педагогических работников" in kindergarten
    assert "Заведующий ____________" in kindergarten
    assert "обучающ" not in kindergarten.lower()  # no learners in a kindergarten's order
    assert "Р-145" not in kindergarten
    assert "Директор ____________" in school
    assert "Р-145" in school  # the platform's own order cites the learners' target model
