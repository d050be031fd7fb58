"""One test per hook, each exercising the shipped implementations through the running platform."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from litestar import Litestar
from sqlalchemy import func, select, text

import nastavnik
from nastavnik import audit
from nastavnik.db import migrate
from nastavnik.default_plugins.core import HEARTBEAT_KEY
from nastavnik.jobs import enqueue, open_queue
from nastavnik.models.people import Person, PersonStatus
from nastavnik.plugins import load_plugins
from nastavnik.runtime import Runtime
from nastavnik.types import Regime
from nastavnik.web.app import create_app, template_environment
from nastavnik.web.errors import FIELD_LABELS
from nastavnik.worker import build_worker, collect_jobs
from tests.plugins import probe_plugin
from tests.plugins.test_async_hooks import probe_plugins
from tests.support.http import client_for
from tests.support.office import docx_text
from tests.support.worker import run_queued_jobs
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


def test_hook_register_template_dirs(runtime: Runtime) -> None:
    env = template_environment(probe_plugins())
    probe, base = env.get_template("probe/context.html"), env.get_template("core/base.html")
    # Each namespace is its own plugin's folder.
    assert Path(str(probe.filename)).is_relative_to(Path(probe_plugin.__file__).parent / "probe_templates")
    assert Path(str(base.filename)).is_relative_to(Path(nastavnik.__file__).parent)
    from jinja2 import TemplateNotFound

    with pytest.raises(TemplateNotFound):
        env.get_template("context.html")  # only through its namespace
    with pytest.raises(TemplateNotFound):
        template_environment(runtime.plugins).get_template("probe/context.html")  # not loaded: not there


async def test_hook_register_navigation(app: Litestar, world: World) -> None:
    """The core's menu comes through the hook like a plugin's (the probe plugin's: test_async_hooks.py)."""
    school, kindergarten = world.orgs["school_a"], world.orgs["kindergarten_c"]
    async with client_for(app, school.identities["curator"]) as client:
        curator_home = (await client.get(f"/o/{school.slug}/")).text
    async with client_for(app, school.identities["mentee"]) as client:
        mentee_home = (await client.get(f"/o/{school.slug}/")).text
    async with client_for(app, kindergarten.identities["curator"]) as client:
        kinder_home = (await client.get(f"/o/{kindergarten.slug}/")).text
    assert f'href="/o/{school.slug}/people"' in curator_home
    assert f'href="/o/{kindergarten.slug}/people"' in kinder_home
    assert f'href="/o/{school.slug}/people"' not in mentee_home  # managers only
    # The context carries what the organisation's active plugins offer of the methodical work: the core
    # lists those shapes, in each plugin's words.
    assert f'href="/o/{school.slug}/methodical/decade"' in curator_home
    assert f'href="/o/{kindergarten.slug}/methodical/club">Клуб молодого педагога<' in kinder_home
    assert "/methodical/decade" not in kinder_home
    assert f'href="/o/{school.slug}/programmes"' in mentee_home


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
    # The schools plugin's contribution (the methodical work, in a school's words): the world's decade
    # with its open lesson held; a kindergarten has no decades, and its club is the kindergartens plugin's.
    assert school_values["schools.decades_held"] == 1
    assert "schools.decades_held" not in kinder_values
    assert "kindergartens.club_members_share" in kinder_values
    assert "schools.club_members_share" not in kinder_values


async def test_hook_register_jobs(runtime: Runtime) -> None:
    """The heartbeat job goes through the real queue and a real arq worker."""
    names = {spec.name for spec in collect_jobs(runtime)}
    assert "core.heartbeat" in names
    await runtime.redis.delete(runtime.redis_key(HEARTBEAT_KEY))
    # Other tests share this run's queue: drain what they left, so the count below is ours alone.
    await run_queued_jobs(runtime, keep_result=0)
    queue = await open_queue(runtime.settings)
    try:
        job_id = f"{runtime.settings.redis_prefix}:heartbeat"  # arq keys job ids globally: keep ours per run
        assert await enqueue(queue, "core.heartbeat", job_id=job_id)
        assert not await enqueue(queue, "core.heartbeat", job_id=job_id)  # de-duplicated
        # No cron jobs in this worker: the periodic heartbeat would also run when the clock says so.
        completed = await run_queued_jobs(runtime, seconds=30, keep_result=0)
    finally:
        await queue.aclose()
    assert completed == 1
    beat = await runtime.redis.get(runtime.redis_key(HEARTBEAT_KEY))
    assert beat is not None  # the job wrote the time it ran
    assert datetime.fromisoformat(beat.decode()).tzinfo is not None
    cron_names = {c.name for c in build_worker(runtime).cron_jobs}
    assert "cron:core.heartbeat" in cron_names


async def test_hook_register_migrations(runtime: Runtime) -> None:
    """The schools plugin's branch: its own table of subject decades, then their move into the core's
    methodical work (schools_0003, after the core's 0018), which leaves it no table."""
    branches = runtime.plugins.migrations()
    assert [b.label for b in branches] == ["colleges", "schools"]  # in plugin order
    assert (branches[1].versions_dir / "schools_0001_subject_decades.py").is_file()
    heads = migrate.heads([b.versions_dir for b in branches])
    (core_head,) = migrate.heads()  # the core alone has one head
    assert set(heads) == {core_head, "colleges_0002", "schools_0003"}
    async with runtime.owner_engine.connect() as conn:
        versions = set((await conn.execute(text("SELECT version_num FROM alembic_version"))).scalars())
        tables = set(
            (
                await conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))
            ).scalars()
        )
        forced = set(
            await conn.scalars(
                text(
                    "SELECT relname FROM pg_class WHERE relforcerowsecurity AND relname IN"
                    " ('colleges_partner', 'colleges_representative', 'colleges_internship')"
                )
            )
        )
    script = ScriptDirectory.from_config(migrate.alembic_config([b.versions_dir for b in branches]))
    applied = {rev.revision for rev in script.iterate_revisions(tuple(versions), "base")}
    assert set(heads) <= applied  # every branch is at its head
    assert len(forced) == 3
    assert {"schools_0001", "schools_0002", "0018"} <= applied
    assert "schools_subject_decade" not in tables
    assert "methodical_association" in tables


def test_hook_register_audit_titles(runtime: Runtime) -> None:
    """The core's titles and labels come through the hook like a plugin's; each plugin titles only its own."""
    titles = runtime.plugins.audit_titles()
    assert titles.objects["person"] == "карточка человека"  # the core's, as a default plugin
    assert titles.fields["last_name"] == "Фамилия"
    probed = probe_plugins().audit_titles()
    assert probed.objects[probe_plugin.AUDITED] == "контекст пробы"  # the probe plugin's
    assert probed.fields["greeting"] == "Приветствие"
    # The core names no plugin's objects or fields by hand.
    assert probe_plugin.AUDITED not in audit.OBJECT_TITLES
    assert "greeting" not in FIELD_LABELS
    assert probe_plugin.AUDITED not in titles.objects
    assert "greeting" not in titles.fields
    env = template_environment(runtime.plugins)
    assert env.globals["field_labels"] == titles.fields  # what a refused page form names its fields by


def test_app_builds_with_only_the_default_plugins(runtime: Runtime) -> None:
    """Tests may load only the plugins they need; the core stands alone."""
    import dataclasses

    bare = dataclasses.replace(runtime, plugins=load_plugins(entry_point_plugins=False))
    app = create_app(bare)
    assert not [r.path for r in app.routes if "/p/" in r.path]


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
        documents[key] = docx_text(response.content)
    kindergarten, school = documents["kindergarten_c"], documents["school_a"]
    assert "О формировании наставнических пар (групп) педагогических работников" in kindergarten
    assert "Заведующий ____________" in kindergarten
    assert "обучающ" not in kindergarten.lower()  # no learners in a kindergarten's order
    assert "Р-145" not in kindergarten
    assert "Директор ____________" in school
    assert "Р-145" in school  # the platform's own order cites the learners' target model


def test_hook_register_associations(runtime: Runtime) -> None:
    """Each plugin offers the methodical work its types have, in their words; the core offers none."""
    offered = runtime.plugins.associations()
    words = {key: (o.plugin, o.kind.title) for key, o in offered.items()}
    assert words[("club", "school")] == ("schools", "Клуб молодых учителей")
    assert words[("club", "college")] == ("colleges", "Школа молодого преподавателя")
    assert words[("club", "kindergarten")] == ("kindergartens", "Клуб молодого педагога")
    assert words[("decade", "college")] == ("colleges", "Неделя предметно-цикловой комиссии")
    assert ("decade", "kindergarten") not in offered  # a kindergarten holds no subject decades
    assert sorted(shape for shape, org_type in offered if org_type == "school") == [
        "club",
        "council",
        "creative_group",
        "decade",
    ]
    assert next(iter(offered[("decade", "school")].kind.event_forms)) == "open_lesson"
    assert load_plugins(entry_point_plugins=False).associations() == {}
