"""A smoke test of the schools plugin's registrations: it loads alone and contributes what it declares."""

from __future__ import annotations

from litestar import Litestar

from nastavnik import DictionaryKind, Regime
from nastavnik.plugins import load_plugins
from nastavnik.testing import Runtime, new_organisation, new_region
from nastavnik.web.app import template_environment
from nastavnik_schools import plugin


def test_the_plugin_loads_alone_and_declares_schools() -> None:
    plugins = load_plugins(["schools"])
    assert set(plugins.loaded) == {"core", "schools"}
    school = plugins.organisation_types()["school"]
    assert set(school.regimes) == {Regime.LEARNERS, Regime.PEDAGOGUES}
    assert plugins.active_for("school") == ["core", "schools"]
    assert plugins.active_for("kindergarten") == ["core"]


def test_its_registrations() -> None:
    entries = list(plugin.register_dictionaries())
    assert {e.organisation_types for e in entries} == {("school",)}
    assert {e.kind for e in entries} == {DictionaryKind.FORM, DictionaryKind.ROLE_MODEL}
    keys = [(e.kind, e.regime, e.code) for e in entries]
    assert len(keys) == len(set(keys)), "a code given twice in one dictionary"
    (branch,) = plugin.register_migrations()
    assert branch.label == "schools"
    assert (branch.versions_dir / "schools_0001_subject_decades.py").is_file()
    (indicator,) = plugin.register_statistics()
    assert indicator.key.startswith("schools.")
    assert "scope_org" in indicator.sql  # one query, run for one organisation and for the region
    titles = load_plugins(["schools"]).audit_titles()
    assert titles.objects["schools.subject_decade"] == "предметная декада"
    assert template_environment(load_plugins(["schools"])).get_template("schools/decades.html")


async def test_a_school_reads_the_plugins_dictionaries_and_menu(runtime: Runtime, app: Litestar) -> None:
    region = await new_region(runtime)
    school = await new_organisation(runtime, region.municipality_id)
    async with school.signed_in(app, "mentee") as client:
        entries = (await client.get(f"/api/o/{school.slug}/dictionaries")).json()
        home = (await client.get(f"/o/{school.slug}/")).text
    forms = {e["title"] for e in entries if e["kind"] == "form"}
    assert {"Ученик – ученик", "Учитель – учитель"} <= forms
    assert f'href="/o/{school.slug}/p/schools/decades"' in home
